// The kernel counters experiments read before and after each point:
// /proc/net/softnet_stat, /proc/net/snmp and /proc/net/netstat (per
// namespace), /proc/interrupts and ntvnic's ethtool -S. Kept in this one
// place so they can give way to the observe parsers (nettune stat) later.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace nettune::exp {

// One CPU's line of /proc/net/softnet_stat (hex columns).
struct SoftnetCpu {
	uint64_t processed = 0, dropped = 0, time_squeeze = 0, received_rps = 0, flow_limit = 0;
};
std::vector<SoftnetCpu> parse_softnet_stat(const std::string &text);
std::vector<SoftnetCpu> read_softnet_stat();
SoftnetCpu softnet_total(const std::vector<SoftnetCpu> &cpus);

// /proc/net/snmp or /proc/net/netstat: header/value line pairs, as
// "Udp.InDatagrams" -> n, "TcpExt.TCPHPHits" -> n.
std::map<std::string, uint64_t> parse_snmp(const std::string &text);
// Both files as the namespace NETNS sees them ("" = the current one).
std::map<std::string, uint64_t> read_snmp(const std::string &netns);

// Interrupts of one IRQ on each CPU (/proc/interrupts).
std::vector<uint64_t> irq_counts(unsigned irq);

// ethtool -S of a device in NETNS, by name ("rx_queue_0_irqs" -> n).
std::map<std::string, uint64_t> read_ethtool_stats(const std::string &netns,
						   const std::string &dev);
// The sum of rx_queue_<q>_<field> over all queues.
uint64_t sum_queue_field(const std::map<std::string, uint64_t> &stats, const std::string &dir,
			 const std::string &field);

// after - before, 0 if a counter went backwards; a missing key counts 0.
uint64_t delta(const std::map<std::string, uint64_t> &before,
	       const std::map<std::string, uint64_t> &after, const std::string &key);

} // namespace nettune::exp
