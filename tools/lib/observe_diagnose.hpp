// diagnose: compares two snapshots and walks the receive path bottom-up
// (NIC ring, interrupts and CPUs, softnet backlog, conntrack, sockets,
// listen queue, TCP retransmissions), producing ranked findings with the
// counters that prove them, the likely cause and the command that fixes it.
#pragma once
#include "observe_snapshot.hpp"

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace nettune::observe {

// Thresholds (all counted over the sampling interval). A quiet machine
// moves none of the drop counters and stays below the rest.
//
// Any packet dropped at a ring, the backlog, conntrack, a listener or a
// socket buffer is a finding: those counters do not move on a healthy box.
constexpr uint64_t min_drops = 1;
// time_squeeze: net_rx_action stopped with work left (budget or 2 ms).
// A few per second are normal under load.
constexpr uint64_t min_time_squeeze = 20;
// One CPU takes at least this share of all NET_RX softirqs...
constexpr double hot_cpu_share = 0.9;
// ...with 2 or more CPUs online, and is busy receiving: it ran this many
// NET_RX softirqs per second, or processed this many packets per second
// (softnet_stat). The softirq count alone misses a loaded CPU: under load
// NAPI keeps polling and one softirq run takes up to netdev_budget
// packets (measured in the VM: 139 Mbit/s of TCP on two ntvnic queues
// pinned to one CPU ran 115 NET_RX softirqs/s there).
constexpr double hot_cpu_min_softirq_rate = 2000;
constexpr double hot_cpu_min_packet_rate = 1000;
// Conntrack fill level that counts as full.
constexpr double conntrack_full_ratio = 0.9;
// Retransmission storm: this many data retransmits (SYN retransmits not
// counted) and this share of the segments sent; or this many RTOs with as
// many retransmits (each RTO stalls a flow for 200 ms or more, whatever
// its volume: a fast flow whose ACKs vanish for a while retransmits little
// but stalls).
constexpr uint64_t retrans_storm_min = 10;
constexpr double retrans_storm_ratio = 0.02;
constexpr uint64_t retrans_storm_min_timeouts = 4;
// D-SACKs received for at least this share of the retransmits: the peer
// had the data already, the retransmits were spurious (ACKs lost/late).
constexpr double dsack_spurious_share = 0.3;
// PMTU black hole: at least this many RTOs, no fast retransmit, no D-SACK,
// no ICMP destination-unreachable / packet-too-big received, and segments
// still arriving (the peer is alive: small packets get through).
constexpr uint64_t blackhole_min_timeouts = 2;

enum class Severity { load = 1, degraded = 2, drops = 3 };
const char *severity_name(Severity s);

struct Evidence {
	std::string counter; // "TcpExtListenOverflows", "vb rx_queue_0_ring_full", "cpu0 dropped"
	int64_t delta = 0;   // over the interval (or the value, for a gauge)
	std::string note;    // meaning, or "gauge"
};

struct Finding {
	std::string id;    // rx_ring_overflow, softnet_backlog_drops, ...
	std::string layer; // nic, cpu, softnet, conntrack, socket, listen, tcp
	Severity severity = Severity::load;
	uint64_t events = 0; // the number ranking findings of one severity
	std::string title;
	std::vector<Evidence> evidence;
	std::string cause;
	std::vector<std::string> fix;
};

struct DiagnoseOptions {
	uint16_t port = 0; // listen queue of this port only
};

// Findings, most severe first, then most events; a tie keeps the path's
// bottom-up order.
std::vector<Finding> diagnose(const Snapshot &before, const Snapshot &after,
			      const DiagnoseOptions &o = {});

nlohmann::json finding_json(const Finding &f, double seconds);

// Names of the ethtool -S counters diagnose reads as RX overflow
// (ring full, missed, fifo, no buffer): matched case-insensitively.
bool is_rx_overflow_counter(const std::string &name);

} // namespace nettune::observe
