#include "process.hpp"

#include "error.hpp"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <sched.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace nettune::exp {

namespace {

int decode_status(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return -1;
}

pid_t wait_retry(pid_t pid, int *st)
{
	pid_t r;
	do
		r = waitpid(pid, st, 0);
	while (r < 0 && errno == EINTR);
	return r;
}

} // namespace

std::string join_argv(const std::vector<std::string> &argv)
{
	std::string s;
	for (const auto &a : argv)
		s += (s.empty() ? "" : " ") + a;
	return s;
}

CmdResult run_cmd(const std::vector<std::string> &argv)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		throw Error(errno_message("pipe for " + join_argv(argv), errno));
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	std::vector<char *> args;
	for (const auto &a : argv)
		args.push_back(const_cast<char *>(a.c_str()));
	args.push_back(nullptr);
	pid_t pid;
	int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (rc != 0) {
		close(fds[0]);
		throw Error(errno_message("cannot run " + argv[0], rc));
	}
	CmdResult res;
	char buf[4096];
	for (;;) {
		ssize_t n = read(fds[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		res.output.append(buf, n);
	}
	close(fds[0]);
	int st = 0;
	if (wait_retry(pid, &st) < 0)
		throw Error(errno_message("waiting for " + argv[0], errno));
	res.status = decode_status(st);
	return res;
}

std::string must_run(const std::vector<std::string> &argv)
{
	CmdResult r = run_cmd(argv);
	if (r.status != 0) {
		std::string out = r.output;
		while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
			out.pop_back();
		throw Error(join_argv(argv) + ": exit " + std::to_string(r.status) +
			    (out.empty() ? "" : ": " + out));
	}
	return r.output;
}

NetnsScope::NetnsScope(const std::string &name)
{
	home_ = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home_ < 0)
		throw Error(errno_message("/proc/thread-self/ns/net", errno));
	const std::string path = "/run/netns/" + name;
	int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
		int err = errno;
		if (fd >= 0)
			close(fd);
		close(home_);
		throw Error(errno_message("network namespace '" + name + "'", err));
	}
	close(fd);
}

NetnsScope::~NetnsScope()
{
	if (setns(home_, CLONE_NEWNET) < 0)
		std::abort(); // would leave the runner in a deleted namespace
	close(home_);
}

Child::Child(std::string what, std::function<int()> body) : what_(std::move(what))
{
	pid_ = fork();
	if (pid_ < 0)
		throw Error(errno_message("fork for " + what_, errno));
	if (pid_ == 0) {
		// The runner handles SIGINT and stops us; a terminal's Ctrl-C
		// must not kill a helper before the runner reads its counters.
		signal(SIGINT, SIG_IGN);
		int rc = 1;
		try {
			rc = body();
		} catch (const std::exception &e) {
			fprintf(stderr, "nettune: %s: %s\n", what_.c_str(), e.what());
		}
		_exit(rc);
	}
}

Child::~Child()
{
	if (pid_ > 0)
		stop(SIGKILL);
}

int Child::stop(int sig)
{
	if (pid_ <= 0)
		return -1;
	kill(pid_, sig);
	return wait();
}

int Child::wait()
{
	if (pid_ <= 0)
		return -1;
	int st = 0;
	pid_t r = wait_retry(pid_, &st);
	pid_ = -1;
	return r < 0 ? -1 : decode_status(st);
}

void pin_to_cpu(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		throw Error(errno_message("pin to CPU " + std::to_string(cpu), errno));
}

} // namespace nettune::exp
