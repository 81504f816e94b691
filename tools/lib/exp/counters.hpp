// The kernel counters experiments read before and after each point:
// /proc/net/softnet_stat, /proc/net/snmp and /proc/net/netstat (per
// namespace), /proc/interrupts and ntvnic's ethtool -S, read with the
// parsers of nettune stat (observe_proc.hpp).
#pragma once
#include "observe_proc.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace nettune::exp {

using observe::SoftnetCpu;
std::vector<SoftnetCpu> read_softnet_stat();
SoftnetCpu softnet_total(const std::vector<SoftnetCpu> &cpus);

// /proc/net/snmp and /proc/net/netstat as the namespace NETNS sees them
// ("" = the current one), with nstat's names ("UdpInDatagrams"); gauges
// that can be negative (TcpMaxConn -1) are left out.
std::map<std::string, uint64_t> read_snmp(const std::string &netns);

// Interrupts of one IRQ on each CPU (/proc/interrupts).
std::vector<uint64_t> irq_counts(unsigned irq);

// ethtool -S of a device in NETNS, by name ("rx_queue_0_irqs" -> n).
std::map<std::string, uint64_t> read_ethtool_stats(const std::string &netns,
						   const std::string &dev);
// The sum of rx_queue_<q>_<field> over all queues.
uint64_t sum_queue_field(const std::map<std::string, uint64_t> &stats, const std::string &dir,
			 const std::string &field);

// rx_queue_<q>_<field> of each queue, indexed by q (a queue without the
// counter counts 0).
std::vector<uint64_t> queue_field(const std::map<std::string, uint64_t> &stats,
				  const std::string &dir, const std::string &field);

// Per CPU after - before of softnet_stat, matched by CPU index (a CPU
// missing from `before` counts from 0), indexed by CPU.
std::vector<SoftnetCpu> softnet_delta(const std::vector<SoftnetCpu> &before,
				      const std::vector<SoftnetCpu> &after);

// Share (%) of the packets softnet_stat counts as processed (where
// __netif_receive_skb ran) that ran on `cpu`, or on every CPU but `cpu`;
// 0 when none were processed.
double processed_pct_on(const std::vector<SoftnetCpu> &delta, int cpu);
double processed_pct_off(const std::vector<SoftnetCpu> &delta, int cpu);

// Jain's fairness index (sum x)^2 / (n sum x^2): 1 when every share is
// equal, 1/n when one takes everything; 0 for no data.
double jain_fairness(const std::vector<double> &x);
// The largest element's share of the sum in percent (0 for no data).
double top_share_pct(const std::vector<double> &x);

// after - before, 0 if a counter went backwards; a missing key counts 0.
uint64_t delta(const std::map<std::string, uint64_t> &before,
	       const std::map<std::string, uint64_t> &after, const std::string &key);

} // namespace nettune::exp
