// TCP paths for experiments: namespaces joined by veth pairs, directly or
// through a router namespace that carries the impairments (tc netem, tbf,
// fq_codel), and the real tools that load and watch them: iperf3 (server
// and client, its JSON read), ss -ti (tcp_info of live connections) and
// commands left running in the background while the runner measures.
#pragma once
#include "experiment.hpp"
#include "process.hpp"

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace nettune::exp {

// Two namespaces and a veth pair: `a` in ns_a (the client / sender), `b`
// in ns_b (the server / receiver), addressed in one /24, up.
struct VethPair {
	std::string ns_a, ns_b, a = "vta", b = "vtb";
	std::string a_addr = "10.81.0.1", b_addr = "10.81.0.2";
};
VethPair veth_pair(Run &run);

// sender ns_a -- router ns_r -- receiver ns_b. Impairments belong in the
// router (so a drop is a network drop the sender learns of from ACKs, not
// local qdisc back-pressure): r_to_b carries the data, r_to_a the ACKs.
// Both ends have tcp_no_metrics_save=1: every connection starts fresh,
// without the ssthresh or RTT the previous one cached for the route.
struct RoutedPath {
	std::string ns_a, ns_r, ns_b;
	std::string a = "vta", r_to_a = "vtra", r_to_b = "vtrb", b = "vtb";
	std::string a_addr = "10.81.0.1", b_addr = "10.81.1.2";
};
RoutedPath routed_path(Run &run);

// `tc qdisc replace dev DEV ARGS...` in NETNS ("root netem delay 20ms").
// Qdiscs die with their namespace at cleanup.
void qdisc(Run &run, const std::string &netns, const std::string &dev,
	   const std::vector<std::string> &args);
// Back to the device's default root qdisc.
void qdisc_clear(Run &run, const std::string &netns, const std::string &dev);
// tc -s qdisc counters of the root qdisc: sent packets, drops, overlimits.
struct QdiscStats {
	uint64_t sent_pkts = 0, dropped = 0, overlimits = 0, requeues = 0;
};
QdiscStats qdisc_stats(const std::string &netns, const std::string &dev);
// Parses `tc -s qdisc show` text (summed over all qdiscs listed).
QdiscStats parse_qdisc_stats(const std::string &text);

// Splits "10ms" style words, e.g. netem("delay 20ms limit 10000").
std::vector<std::string> words(const std::string &s);

// A command running in the background (its own process), output kept.
class Background {
public:
	explicit Background(std::vector<std::string> argv);
	~Background();
	Background(const Background &) = delete;
	Background &operator=(const Background &) = delete;
	// Waits for it to end; status and output as run_cmd.
	CmdResult wait();
	// Has it ended? (does not wait; wait() then returns at once)
	bool done();
	// Sends `sig` (SIGINT lets ping and hping3 print their summary), waits.
	CmdResult stop(int sig);

private:
	CmdResult collect(int status);
	std::vector<std::string> argv_;
	FILE *out_ = nullptr;
	pid_t pid_ = -1;
	int status_ = -1; // waitpid status once done() saw it end
};

// `ip netns exec NETNS ARGS...`
std::vector<std::string> in_netns(const std::string &netns, std::vector<std::string> args);

// An iperf3 server (iperf3 -s) in a namespace until destroyed.
class Iperf3Server {
public:
	Iperf3Server(const std::string &netns, const std::string &addr, unsigned port = 5201);
	~Iperf3Server();
	Iperf3Server(const Iperf3Server &) = delete;
	Iperf3Server &operator=(const Iperf3Server &) = delete;

private:
	std::unique_ptr<Child> child_;
};

// Waits until something listens on TCP `port` in NETNS; throws Error.
void wait_for_listener(const std::string &netns, unsigned port, double timeout_s = 10);

struct IperfInterval {
	double start = 0, end = 0; // seconds
	double mbps = 0;
	uint64_t retransmits = 0;
	uint64_t cwnd_bytes = 0;
	double rtt_ms = 0;
};

struct IperfResult {
	double mbps = 0; // sender's average
	uint64_t retransmits = 0;
	double min_rtt_ms = 0, mean_rtt_ms = 0, max_rtt_ms = 0;
	std::string congestion; // the sender's algorithm
	std::vector<IperfInterval> intervals;
};

struct IperfSpec {
	std::string netns, server;
	unsigned port = 5201;
	double seconds = 5;
	std::string congestion; // -C, "" = the namespace's default
	double interval = 1;    // -i
	std::vector<std::string> extra;
};
std::vector<std::string> iperf3_argv(const IperfSpec &s);
// Runs the client to the end; throws Error with iperf3's own error.
IperfResult iperf3(const IperfSpec &s);
// Parses `iperf3 -J` output; throws Error.
IperfResult parse_iperf3_json(const std::string &text);

// Connections as `ss -tinH` prints them: every "name:value" of tcp_info
// ("cwnd" -> 10, "rtt" -> 20.5 (the first of rtt:20.5/3), "reordering"
// -> 12, "bytes_acked" -> ...), plus "dport"/"sport" of the peer/local.
using SsInfo = std::map<std::string, double>;
std::vector<SsInfo> parse_ss_tcp_info(const std::string &text);
// ss -tinH in NETNS for connections to DST:PORT.
std::vector<SsInfo> ss_tcp_info(const std::string &netns, const std::string &dst, unsigned port);

} // namespace nettune::exp
