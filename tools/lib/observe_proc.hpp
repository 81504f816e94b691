// Parsers for the counters the kernel prints under /proc/net, each from the
// text so that tests feed them recorded files (tools/tests/data/observe-*).
//
// Names follow nstat(8): the MIB prefix and the counter glued together
// ("TcpRetransSegs", "TcpExtListenOverflows", "Udp6RcvbufErrors").
#pragma once
#include "vnic.hpp" // IrqLine, parse_proc_interrupts

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nettune::observe {

// MIB counter name -> value. Signed: TcpMaxConn is -1.
using Mib = std::map<std::string, int64_t>;

// /proc/net/snmp and /proc/net/netstat: pairs of lines, "Tcp: Name Name..."
// then "Tcp: 1 2...". A pair whose lengths differ throws Error naming it.
Mib parse_snmp_pairs(const std::string &text);
// /proc/net/snmp6: "Ip6InReceives   12" lines.
Mib parse_snmp6(const std::string &text);

// One CPU of /proc/net/softnet_stat. Layouts (hex, one line per online CPU):
//   up to 5.9   11 columns: processed dropped time_squeeze 0 x5 cpu_collision
//               received_rps flow_limit_count (the CPU is the line number,
//               wrong once a CPU is offline)
//   5.10-6.3    13 columns: ... softnet_backlog_len, CPU index (6.1)
//   6.4-        15 columns: ... input_pkt_queue length, process_queue length
struct SoftnetCpu {
	unsigned cpu = 0;
	uint64_t processed = 0;              // packets taken off this CPU's backlog/NAPI
	uint64_t dropped = 0;                // backlog full (netdev_max_backlog) drops
	uint64_t time_squeeze = 0;           // net_rx_action ran out of budget or time
	uint64_t received_rps = 0;           // RPS/RFS IPIs received to process a backlog
	uint64_t flow_limit = 0;             // drops by the flow limit (flow_limit_cpu_bitmap)
	std::optional<uint64_t> backlog_len; // gauge, 13+ columns
	std::optional<uint64_t> input_qlen, process_qlen; // gauges, 15 columns
	unsigned columns = 0;
};
// Throws Error on a line with fewer than 11 columns or a non-hex word.
std::vector<SoftnetCpu> parse_softnet(const std::string &text);

// /proc/net/sockstat(6): "TCP: inuse 3 orphan 0 tw 1 alloc 4 mem 2".
// Key "TCP" -> {"inuse": 3, ...}; "sockets: used N" becomes "sockets".
using Sockstat = std::map<std::string, std::map<std::string, int64_t>>;
Sockstat parse_sockstat(const std::string &text);

// /proc/net/stat/nf_conntrack: a header, then one hex line per CPU.
// "entries" is the global table size repeated on every line (a gauge).
struct ConntrackCpu {
	unsigned cpu = 0;
	std::map<std::string, uint64_t> counters; // "drop" -> n, by header name
};
std::vector<ConntrackCpu> parse_conntrack_stat(const std::string &text);
// Sums the per-CPU counters ("entries" is taken once, not summed).
std::map<std::string, uint64_t> conntrack_totals(const std::vector<ConntrackCpu> &cpus);

// `conntrack -S` text: "cpu=0 found=0 invalid=3 ..." per line (for tests
// comparing with conntrack-tools, whose names differ: error=icmp_error,
// clash_resolve=clashres, chaintoolong=chainlength).
std::vector<ConntrackCpu> parse_conntrack_tool(const std::string &text);

// /proc/softirqs: "NET_RX: 10 20" -> {"NET_RX": {10, 20}}.
std::map<std::string, std::vector<uint64_t>> parse_softirqs(const std::string &text);

// The interrupt lines that belong to a device, matched by name: an action
// named DEV or starting with DEV followed by '-', '_' or '@' (ntvnic
// "vb-rx-0", ixgbe/i40e "eth0-TxRx-3", mlx4 "eth0-3").
struct DeviceIrq {
	unsigned irq = 0;
	std::string name;
	std::vector<uint64_t> per_cpu;
};
std::vector<DeviceIrq> device_irqs(const std::vector<vnic::IrqLine> &lines, const std::string &dev);

// nstat-style glob (shell wildcards * ? [..]) on a counter name;
// case-sensitive as nstat.
bool glob_match(const std::string &pattern, const std::string &name);

// Reads and merges /proc/net/snmp, netstat and snmp6 of the current
// namespace; a missing file (IPv6 disabled) is skipped.
Mib read_mib();

} // namespace nettune::observe
