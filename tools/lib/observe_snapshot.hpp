// One reading of every counter on the receive path, taken by diagnose
// twice over an interval (and by stat --watch): devices (ethtool -S and
// /sys statistics), interrupts and NET_RX softirqs per CPU, softnet_stat,
// conntrack, the MIB counters, listeners and retransmitting sockets.
#pragma once
#include "ethtool.hpp"
#include "observe_proc.hpp"
#include "observe_sockdiag.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nettune::observe {

struct DeviceSample {
	std::string name;
	ethtool::StatList stats;               // ethtool -S (empty if the driver has none)
	std::map<std::string, uint64_t> sysfs; // /sys/class/net/DEV/statistics/rx_*
	std::optional<ethtool::Rings> rings;   // ethtool -g, if the driver has it
	unsigned rx_queues = 0;                // /sys/class/net/DEV/queues/rx-*
};

struct ConntrackSample {
	uint64_t count = 0, max = 0, buckets = 0;
	std::map<std::string, uint64_t> totals; // /proc/net/stat/nf_conntrack summed
};

struct Snapshot {
	double time_s = 0; // CLOCK_MONOTONIC
	Mib mib;
	std::vector<SoftnetCpu> softnet;
	std::vector<uint64_t> net_rx_softirqs; // per CPU
	std::vector<vnic::IrqLine> irqs;
	std::optional<ConntrackSample> conntrack;
	std::vector<DeviceSample> devices;
	std::vector<Listener> listeners;
	std::vector<TcpConn> retransmitting;
	std::map<std::string, std::string> sysctls; // "net.core.somaxconn" -> "4096"
	std::vector<std::string> notes;             // what could not be read, and why
};

struct SnapshotOptions {
	std::vector<std::string> devices; // empty: every device but lo
	uint16_t port = 0;                // listeners: 0 all
};

// Reads everything it can; what it cannot read goes to notes (a missing
// conntrack module is a note, not an error).
Snapshot take_snapshot(const SnapshotOptions &o);

// A sysctl by dotted name ("net.core.somaxconn"), or nullopt.
std::optional<std::string> read_sysctl(const std::string &name);
// /proc/sys path of a dotted name.
std::string sysctl_path(const std::string &name);

// Conntrack of the current namespace, or nullopt with `why` set.
std::optional<ConntrackSample> read_conntrack(std::string &why);

// Every network device of the current namespace but lo.
std::vector<std::string> list_devices();

double monotonic_seconds();

} // namespace nettune::observe
