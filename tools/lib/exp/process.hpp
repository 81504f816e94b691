// Processes and namespaces for experiments: run a tool (ip, ethtool,
// ping) and collect its output, fork a helper (a load generator, a UDP
// sink) that dies with the experiment, and act inside a namespace.
#pragma once
#include <functional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace nettune::exp {

struct CmdResult {
	int status = -1;    // exit status, or 128 + signal
	std::string output; // stdout and stderr together
};

// Runs argv[0] (searched in PATH) and waits. Never throws for a non-zero
// exit: the caller decides.
CmdResult run_cmd(const std::vector<std::string> &argv);
// As run_cmd; throws Error "CMD: exit N: OUTPUT" unless it exits 0.
std::string must_run(const std::vector<std::string> &argv);
std::string join_argv(const std::vector<std::string> &argv);

// The calling thread enters /run/netns/NAME and returns to the namespace it
// came from when this goes away (sockets and ethtool::Device made inside
// stay in NAME; /proc/self/net shows NAME). Throws Error naming NAME.
class NetnsScope {
public:
	explicit NetnsScope(const std::string &name);
	~NetnsScope();
	NetnsScope(const NetnsScope &) = delete;
	NetnsScope &operator=(const NetnsScope &) = delete;

private:
	int home_ = -1;
};

// A forked helper running `body` (its return value is the exit status).
// The destructor kills it (SIGKILL) and reaps it.
class Child {
public:
	Child(std::string what, std::function<int()> body);
	~Child();
	Child(const Child &) = delete;
	Child &operator=(const Child &) = delete;
	pid_t pid() const { return pid_; }
	// Sends `sig` and waits; returns the exit status (128 + signal).
	int stop(int sig);
	// Waits for it to exit on its own; returns the exit status.
	int wait();
	const std::string &what() const { return what_; }

private:
	std::string what_;
	pid_t pid_ = -1;
};

// Pins the calling thread (a child's body) to one CPU; throws Error.
void pin_to_cpu(int cpu);

} // namespace nettune::exp
