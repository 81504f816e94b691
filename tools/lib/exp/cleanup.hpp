// The undo stack of an experiment: every change to the system (a namespace,
// a device, a sysctl, a child process) pushes how to undo it, and the stack
// runs in reverse order when the experiment ends, fails or is interrupted.
#pragma once
#include <functional>
#include <string>
#include <vector>

namespace nettune::exp {

class CleanupStack {
public:
	CleanupStack() = default;
	~CleanupStack() { run_all(); }
	CleanupStack(const CleanupStack &) = delete;
	CleanupStack &operator=(const CleanupStack &) = delete;

	// `what` names the undo step in the error printed if it fails.
	void push(std::string what, std::function<void()> undo);
	// Runs every step, newest first; a failing step is reported on stderr
	// and the others still run. Safe to call twice.
	void run_all();
	size_t size() const { return steps_.size(); }
	// Steps pushed after `mark` run now (a per-variant scope).
	void run_down_to(size_t mark);

private:
	struct Step {
		std::string what;
		std::function<void()> undo;
	};
	std::vector<Step> steps_;
};

// Runs the steps pushed during its lifetime when it goes away.
class CleanupScope {
public:
	explicit CleanupScope(CleanupStack &s) : stack_(s), mark_(s.size()) {}
	~CleanupScope() { stack_.run_down_to(mark_); }
	CleanupScope(const CleanupScope &) = delete;
	CleanupScope &operator=(const CleanupScope &) = delete;

private:
	CleanupStack &stack_;
	size_t mark_;
};

} // namespace nettune::exp
