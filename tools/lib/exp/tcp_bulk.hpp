// A TCP bulk stream for experiments: iperf3's server and client, each in a
// namespace and pinned to a CPU, their output discarded (experiments read
// kernel counters, not iperf3's report). Both die with the experiment.
#pragma once
#include "process.hpp"

#include <memory>
#include <string>

namespace nettune::exp {

struct Iperf3Spec {
	std::string server_netns, server_addr;
	std::string client_netns;
	unsigned port = 5201;
	int server_cpu = 1, client_cpu = 0; // iperf3 -A
	// iperf3 -w: socket buffers on both ends; 0 keeps the defaults. A
	// bound keeps what is still queued when the client's time is up (and
	// must drain before it exits) small on a slow, emulated link.
	unsigned window_kb = 0;
};

class Iperf3 {
public:
	// Starts the server and waits until it listens; throws Error.
	explicit Iperf3(Iperf3Spec spec);
	~Iperf3();
	Iperf3(const Iperf3 &) = delete;
	Iperf3 &operator=(const Iperf3 &) = delete;
	// Starts a client for `seconds` at `mbit_s` (0: as fast as it can).
	void start_client(double seconds, double mbit_s);
	// Waits for the client to end; throws Error if it failed.
	void wait_client();

private:
	Iperf3Spec spec_;
	std::unique_ptr<Child> server_, client_;
};

// True once a TCP socket listens on PORT (IPv4 or IPv6) in NETNS.
bool tcp_listening(const std::string &netns, unsigned port);

} // namespace nettune::exp
