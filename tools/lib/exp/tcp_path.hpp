// TCP paths for experiments: namespaces joined by veth pairs, directly or
// through a router namespace that carries the impairments (tc netem, tbf,
// fq_codel), and the real tools that load and watch them: iperf3 (server
// and client, its JSON read), ss -ti (tcp_info of live connections) and
// commands left running in the background while the runner measures.
#pragma once
#include "experiment.hpp"
#include "process.hpp"
#include "tcp.hpp"

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace nettune::exp {

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

// Connections as `ss -tinH` prints them: every "name:value" of tcp_info
// ("cwnd" -> 10, "rtt" -> 20.5 (the first of rtt:20.5/3), "reordering"
// -> 12, "bytes_acked" -> ...), plus "dport"/"sport" of the peer/local.
using SsInfo = std::map<std::string, double>;
std::vector<SsInfo> parse_ss_tcp_info(const std::string &text);
// ss -tinH in NETNS for connections to DST:PORT.
std::vector<SsInfo> ss_tcp_info(const std::string &netns, const std::string &dst, unsigned port);

} // namespace nettune::exp
