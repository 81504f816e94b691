// TCP load of ours for experiments where iperf3 does not show what the
// claim is about: a bulk sender with a choice of send call (write,
// sendfile, splice, MSG_ZEROCOPY) that counts its calls, zero-copy
// completions and the connection's MSS, and a connect/close storm that
// counts failures by errno. Each runs as a child in a namespace, with its
// counters in memory shared with the runner.
#pragma once
#include "process.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace nettune::exp {

enum class SendMode { write, sendfile, splice, zerocopy };
SendMode parse_send_mode(const std::string &name); // throws Error
std::string send_mode_name(SendMode m);

struct SenderSpec {
	std::string netns, dst;
	unsigned port = 0;
	SendMode mode = SendMode::write;
	size_t chunk = 65536;   // bytes per call
	int cpu = -1;           // pin the sender; -1: not pinned
	std::string file;       // sendfile and splice read this file, round and round
	std::string congestion; // TCP_CONGESTION; "": the namespace's default
};

// What the sender did so far (a snapshot of its shared counters).
struct SenderStats {
	uint64_t bytes = 0, calls = 0;
	uint64_t zc_sends = 0;                   // MSG_ZEROCOPY sends (each one notification id)
	uint64_t zc_completed = 0;               // ids reported complete on the error queue
	uint64_t zc_copied = 0;                  // ... of which with SO_EE_CODE_ZEROCOPY_COPIED
	uint32_t snd_mss = 0, total_retrans = 0; // TCP_INFO, at most 50 ms old
	uint32_t rtt_us = 0;                     // smoothed RTT (TCP_INFO)
	int error = 0;                           // errno that stopped it (0: running)
};

class TcpSender {
public:
	explicit TcpSender(const SenderSpec &spec);
	~TcpSender();
	TcpSender(const TcpSender &) = delete;
	TcpSender &operator=(const TcpSender &) = delete;
	SenderStats stats() const;
	// CPU time the sender process has used (/proc/PID/schedstat), seconds.
	double cpu_seconds() const;
	pid_t pid() const { return child_->pid(); }
	struct Shared; // the counters the child writes

private:
	Shared *shared_ = nullptr;
	std::unique_ptr<Child> child_;
};

// A file of `bytes` (pattern-filled, in the page cache) for sendfile and
// splice; removed when this goes away.
class ScratchFile {
public:
	ScratchFile(const std::string &path, size_t bytes);
	~ScratchFile();
	ScratchFile(const ScratchFile &) = delete;
	ScratchFile &operator=(const ScratchFile &) = delete;
	const std::string &path() const { return path_; }

private:
	std::string path_;
};

// Connects to DST:PORT from NETNS and closes at once, as fast as it can,
// from one child. A failed connect() is counted by errno and followed by
// a 1 ms pause (so that failures do not spin the CPU).
struct StormStats {
	uint64_t connected = 0, eaddrnotavail = 0, other_errors = 0;
	int last_errno = 0;
};

class ConnectStorm {
public:
	ConnectStorm(const std::string &netns, const std::string &dst, unsigned port, int cpu = -1);
	~ConnectStorm();
	ConnectStorm(const ConnectStorm &) = delete;
	ConnectStorm &operator=(const ConnectStorm &) = delete;
	StormStats stats() const;

private:
	struct Shared;
	Shared *shared_ = nullptr;
	std::unique_ptr<Child> child_;
};

} // namespace nettune::exp
