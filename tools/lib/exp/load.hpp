// Load for experiments: the kernel's pktgen (/proc/net/pktgen), a UDP sink
// application of ours that counts what it reads, and ping for latency.
#pragma once
#include "cleanup.hpp"
#include "process.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nettune::exp {

struct PktgenSpec {
	std::string netns, dev; // the sending device and its namespace
	std::string dst_ip, dst_mac;
	unsigned pkt_size = 64;
	uint64_t ratep = 0; // packets per second; 0: as fast as it can
	unsigned udp_dst = 9;
	unsigned udp_src_min = 10000, udp_src_max = 10999;
	int thread = 0; // kpktgend_<thread> (bound to that CPU)
};

// One pktgen device on one kernel thread. Configured at construction;
// the device is removed from the thread at cleanup.
class Pktgen {
public:
	Pktgen(CleanupStack &cleanup, PktgenSpec spec);
	~Pktgen();
	// "start" blocks its writer until stopped: a child writes it.
	void start();
	void stop();
	// Packets sent so far (pkts-sofar) since the last start.
	uint64_t sent() const;
	// Changes the rate while stopped.
	void set_ratep(uint64_t ratep);
	// Changes the UDP source port range (one flow per port, in turn) while
	// stopped.
	void set_udp_src(unsigned min, unsigned max);

private:
	void write(const std::string &file, const std::string &cmd) const;
	PktgenSpec spec_;
	std::unique_ptr<Child> runner_;
};

// An application: a child pinned to one CPU in a namespace, bound to a UDP
// port, reading datagrams as fast as it can and counting them in memory
// shared with the runner. With work_us, it then spends that much of its own
// CPU time (CLOCK_THREAD_CPUTIME_ID) on each datagram, as a server would.
struct UdpSinkSpec {
	std::string netns, addr; // bound to addr:port in netns
	unsigned port = 9;
	int cpu = 0;
	int rcvbuf = 0; // SO_RCVBUF; 0: the default
	unsigned work_us = 0;
	// Non-empty: connect() to peer_addr:peer_port, so that the socket
	// takes only that flow and records it for RFS (the kernel records a
	// socket's flow only in state ESTABLISHED, i.e. connected UDP).
	std::string peer_addr;
	unsigned peer_port = 0;
};

class UdpSink {
public:
	UdpSink(const std::string &netns, const std::string &addr, unsigned port, int cpu,
		int rcvbuf = 0, unsigned work_us = 0);
	explicit UdpSink(const UdpSinkSpec &spec);
	~UdpSink();
	UdpSink(const UdpSink &) = delete;
	UdpSink &operator=(const UdpSink &) = delete;
	uint64_t received() const;
	// Moves the reading process to another CPU (sched_setaffinity).
	void move_to_cpu(int cpu);

private:
	std::atomic<uint64_t> *count_ = nullptr;
	std::unique_ptr<Child> child_;
};

// A UDP socket bound in NETNS that nobody reads: datagrams to it are
// dropped at the socket (UdpRcvbufErrors) without the ICMP port
// unreachable a closed port would send back, so the receive path is the
// only traffic. Closed when this goes away.
class UdpDrain {
public:
	UdpDrain(const std::string &netns, const std::string &addr, unsigned port);
	~UdpDrain();
	UdpDrain(const UdpDrain &) = delete;
	UdpDrain &operator=(const UdpDrain &) = delete;

private:
	int fd_ = -1;
};

// Round-trip times of `count` pings, `interval` s apart, from NETNS (none
// answered: empty, median NaN). Throws Error if ping cannot run.
struct PingResult {
	std::vector<double> rtt_us;
	unsigned sent = 0, received = 0;
	double median_us() const;
	double percentile_us(double p) const;
};
PingResult ping(const std::string &netns, const std::string &dst, unsigned count, double interval);

double median(std::vector<double> v);
double percentile(std::vector<double> v, double p);

} // namespace nettune::exp
