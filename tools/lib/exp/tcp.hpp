// What the TCP experiments share: a veth path between two namespaces with
// tc netem (delay, loss, reordering, rate) on the sender's egress, iperf3
// for bulk transfers, and a TCP sink of ours that accepts every connection
// and counts what it reads.
#pragma once
#include "experiment.hpp"
#include "process.hpp"

#include <netinet/in.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace nettune::exp {

// veth "va" in namespace A (the sender) and "vb" in B (the receiver).
struct PathSpec {
	std::string a_addr = "10.80.0.1", b_addr = "10.80.0.2";
	// false: TSO, GSO and GRO off on both ends, so that every segment is
	// one MTU-sized packet as on a wire (netem then drops or reorders
	// segments, not 64 KB GSO bursts).
	bool offloads = true;
};

struct Path {
	std::string ns_a, ns_b;
	std::string a = "va", b = "vb";
	std::string a_addr, b_addr;
};

// Two namespaces (deleted at cleanup) and a veth pair between them, up
// and addressed (/24).
Path veth_path(Run &run, const PathSpec &spec);

// A -- R -- B: namespace R routes between two veth pairs, A's "va"
// (10.80.1.1) to R's "ra" and R's "rb" to B's "vb" (10.80.2.1), so that
// the path's impairment (a netem on rb, a small MTU) sits in the network
// and not in the sender's own qdisc. `mtu`, if set, is rb's MTU alone
// (vb keeps 1500, as behind a tunnel or a smaller-MTU hop).
// Both ends have tcp_no_metrics_save=1: every connection starts fresh,
// without the ssthresh or RTT the previous one cached for the route. The
// impairments belong in R (a drop is then a network drop the sender
// learns of from ACKs, not local qdisc back-pressure): rb carries the
// data towards B, ra the ACKs towards A.
struct RoutedSpec {
	unsigned hop_mtu = 0;
	bool offloads = true; // as PathSpec, on va and vb
};

struct RoutedPath {
	std::string ns_a, ns_r, ns_b;
	std::string a = "va", ra = "ra", rb = "rb", b = "vb";
	std::string a_addr = "10.80.1.1", b_addr = "10.80.2.1";
};

RoutedPath routed_path(Run &run, const RoutedSpec &spec);

// The netem of tc-netem(8); zero fields are left out.
struct Netem {
	double delay_ms = 0;
	double loss_pct = 0;
	double reorder_pct = 0; // with delay_ms: that share goes out at once
	double rate_mbit = 0;
	unsigned limit = 0; // packets; 0: netem's default (1000)
};
// "delay 10ms loss 1% ..." as tc wants it.
std::vector<std::string> netem_args(const Netem &n);
// tc qdisc replace dev DEV root netem ... in NETNS (the qdisc goes with
// the namespace).
void set_netem(const std::string &netns, const std::string &dev, const Netem &n);

// iperf3 -s bound to ADDR:PORT in NETNS, ready (listening) once
// constructed; killed when it goes away.
class Iperf3Server {
public:
	Iperf3Server(const std::string &netns, const std::string &addr, unsigned port = 5201);
	unsigned port() const { return port_; }

private:
	unsigned port_;
	std::unique_ptr<Child> child_;
};

// Waits until something listens on TCP `port` in NETNS; throws Error.
void wait_for_listener(const std::string &netns, unsigned port, double timeout_s = 10);

// One -i interval of the first stream.
struct IperfInterval {
	double start = 0, end = 0; // seconds
	double mbps = 0;
	uint64_t retransmits = 0;
	uint64_t cwnd_bytes = 0;
	double rtt_ms = 0;
};

// What iperf3 -J says of a client run.
struct IperfResult {
	double seconds = 0;
	double sent_mbps = 0, received_mbps = 0; // sum_sent, sum_received
	uint64_t bytes_received = 0;
	uint64_t retransmits = 0;
	// the sender's smoothed RTT: lowest, mean and highest sample
	double min_rtt_ms = 0, mean_rtt_ms = 0, max_rtt_ms = 0;
	std::string congestion; // the sender's algorithm
	std::vector<IperfInterval> intervals;
};
// The client's -J output; throws Error with iperf3's own "error" text.
IperfResult parse_iperf3_json(const std::string &json);

// A client run: a bulk transfer from `netns` to `server`.
struct IperfSpec {
	std::string netns, server;
	unsigned port = 5201;
	double seconds = 5;
	std::string congestion; // -C, "" = the namespace's default
	double interval = 1;    // -i
	std::vector<std::string> extra;
};
// ip netns exec NETNS iperf3 -c SERVER ... -J
std::vector<std::string> iperf3_argv(const IperfSpec &s);
// Runs the client to the end and parses it; throws Error with iperf3's
// own error and the command.
IperfResult iperf3(const IperfSpec &s);
// The same, after Run::check() (Ctrl-C stops the experiment first).
IperfResult run_iperf3(Run &run, const IperfSpec &s);

// A TCP server of ours in NETNS on ADDR:PORT, pinned to `cpu` (-1: not
// pinned): accepts every connection, reads everything, closes on EOF, and
// counts bytes and connections in memory shared with the runner.
class TcpSink {
public:
	TcpSink(const std::string &netns, const std::string &addr, unsigned port, int cpu = -1,
		int backlog = 4096);
	~TcpSink();
	TcpSink(const TcpSink &) = delete;
	TcpSink &operator=(const TcpSink &) = delete;
	uint64_t bytes() const;
	uint64_t accepted() const;

private:
	struct Counters {
		std::atomic<uint64_t> bytes{0}, accepted{0};
	};
	Counters *counters_ = nullptr;
	std::unique_ptr<Child> child_;
};

// addr and port as an IPv4 socket address; throws Error naming addr.
sockaddr_in ipv4_sockaddr(const std::string &addr, unsigned port);

// A blocking TCP connection from the calling thread's namespace; throws
// Error naming the address and errno.
int tcp_connect(const std::string &addr, unsigned port, int timeout_ms = 3000);

// Kernel counters by nstat name as NETNS sees them: read at
// construction (or reset()) and at read(); operator() is the difference.
class SnmpDelta {
public:
	explicit SnmpDelta(std::string netns);
	void reset();
	void read();
	double operator()(const std::string &name) const;

private:
	std::string netns_;
	std::map<std::string, uint64_t> before_, after_;
};

// The busy time of all CPUs since boot, in seconds: uptime x CPUs minus
// idle and iowait (/proc/stat, kept by the nohz idle clock).
double cpu_busy_seconds();

} // namespace nettune::exp
