// Small TCP applications of ours for experiments where no tool fits: a
// request/response server whose accept() the runner can hold back (a slow
// application), with TCP Fast Open on request; clients that time each
// transaction (connect, first response byte) with many in flight; and a
// burst of connections held open.
#pragma once
#include "process.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace nettune::exp {

struct TcpServerSpec {
	std::string netns, addr;
	unsigned port = 8080;
	int backlog = 128;     // listen()'s argument (capped by net.core.somaxconn)
	bool accepting = true; // false: connections wait in the accept queue
	int fastopen_qlen = 0; // > 0: TCP_FASTOPEN on the listener
	unsigned reply_bytes = 64;
};

// A forked server in a namespace: accepts (while allowed), reads a
// request, writes `reply_bytes`, closes. Counts in memory it shares with
// the runner.
class TcpServer {
public:
	explicit TcpServer(const TcpServerSpec &spec);
	~TcpServer();
	TcpServer(const TcpServer &) = delete;
	TcpServer &operator=(const TcpServer &) = delete;
	void set_accepting(bool on);
	uint64_t accepted() const;
	uint64_t served() const;

private:
	struct Shared {
		std::atomic<bool> accepting;
		std::atomic<uint64_t> accepted, served;
	};
	Shared *shared_ = nullptr;
	std::unique_ptr<Child> child_;
};

struct TransactionSpec {
	std::string netns, dst;
	unsigned port = 8080;
	std::vector<std::string> sources; // bind to these in turn (empty: any)
	unsigned count = 10;              // transactions
	unsigned concurrency = 1;         // in flight at once
	double timeout_s = 3;             // per transaction
	bool fastopen = false;            // sendto(MSG_FASTOPEN): data in the SYN with a cookie
	unsigned request_bytes = 64;
};

struct TransactionResult {
	std::vector<double> connect_ms;  // SYN sent -> connected (completed ones)
	std::vector<double> response_ms; // socket() -> first response byte
	unsigned ok = 0, failed = 0;     // failed: refused, reset or timed out
};

// Runs in the calling thread inside NETNS. Throws Error only when a socket
// cannot be made; a connection that fails is counted, not thrown.
TransactionResult run_transactions(const TransactionSpec &spec);

// `count` connections opened at once from NETNS and held open (no data)
// until this goes away; `established` counts those whose connect()
// completed within the timeout (the client's view: the server may still
// have dropped the final ACK of the handshake).
class ConnectionBurst {
public:
	ConnectionBurst(const std::string &netns, const std::string &dst, unsigned port,
			unsigned count, double timeout_s);
	~ConnectionBurst();
	ConnectionBurst(const ConnectionBurst &) = delete;
	ConnectionBurst &operator=(const ConnectionBurst &) = delete;
	unsigned established = 0;

private:
	std::vector<int> fds_;
};

} // namespace nettune::exp
