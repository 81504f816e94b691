// Many TCP connections at once, for experiments about connection state
// (conntrack entries, accept queues): a server that accepts and holds every
// connection, and a burst of non-blocking connects that counts how many
// completed their handshake within a deadline.
#pragma once
#include "cleanup.hpp"
#include "process.hpp"

#include <memory>
#include <string>

namespace nettune::exp {

// Raises this process's open-file limit to at least `n` (root may raise
// the hard limit); the old limit is restored at cleanup.
void raise_open_files(CleanupStack &cleanup, unsigned n);

// A child in NETNS listening on addr:port that accepts every connection
// and keeps it open (never reads, never closes) until it is killed.
class HoldingServer {
public:
	HoldingServer(const std::string &netns, const std::string &addr, unsigned port);
	~HoldingServer() = default;

private:
	std::unique_ptr<Child> child_;
};

struct ConnectBurst {
	unsigned attempted = 0;
	unsigned established = 0; // handshake completed within the deadline
	unsigned refused = 0;     // an error came back (RST, unreachable)
	double seconds = 0;       // until the last one completed, or the deadline
};

// Held connections: closed with RST (SO_LINGER 0) when this goes away.
class ConnectionSet {
public:
	ConnectionSet() = default;
	~ConnectionSet();
	ConnectionSet(const ConnectionSet &) = delete;
	ConnectionSet &operator=(const ConnectionSet &) = delete;
	ConnectBurst result;
	std::vector<int> fds;
};

// From NETNS, `count` non-blocking connects to addr:port started together;
// waits until each has completed or failed, or `deadline` seconds passed
// (the SYN retransmitted after 1 s counts if it got through). The sockets
// stay open in the returned set.
std::unique_ptr<ConnectionSet> connect_burst(const std::string &netns, const std::string &addr,
					     unsigned port, unsigned count, double deadline);

} // namespace nettune::exp
