// What the three `nettune trace` sessions share around libbpf: capturing
// its messages for an error, naming a missing privilege, the run loop.
#pragma once
#include <chrono>
#include <functional>
#include <string>

namespace nettune::trace {

// While alive, libbpf's messages go to a buffer instead of stderr (or to
// stderr too with verbose); tail() gives the last lines for an error.
class LibbpfLog {
public:
	explicit LibbpfLog(bool verbose = false);
	~LibbpfLog();
	LibbpfLog(const LibbpfLog &) = delete;
	LibbpfLog &operator=(const LibbpfLog &) = delete;
	std::string tail(size_t lines = 12) const;
};

// Throws Error for a failed load or attach of `what`: EPERM/EACCES name
// the capabilities (CAP_BPF and CAP_PERFMON, or root), anything else the
// errno and libbpf's last messages.
[[noreturn]] void throw_bpf_error(const std::string &what, int err, const LibbpfLog &log);

// Raises RLIMIT_NOFILE (one fd per kprobe) as far as allowed; returns it.
size_t raise_nofile_limit(size_t want);

// When a trace stops: after `seconds` (0: never) or when keep_going() says so.
struct StopCondition {
	double seconds = 0;
	std::function<bool()> keep_going = [] { return true; };
	// Called once everything is attached and the trace starts.
	std::function<void()> on_started;
};

class RunClock {
public:
	explicit RunClock(const StopCondition &stop)
	    : stop_(stop), start_(std::chrono::steady_clock::now())
	{
		if (stop_.on_started)
			stop_.on_started();
	}
	bool running() const;
	double elapsed() const;

private:
	StopCondition stop_;
	std::chrono::steady_clock::time_point start_;
};

} // namespace nettune::trace
