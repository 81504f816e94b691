#include "trace_bpf.hpp"

#include "error.hpp"

#include <bpf/libbpf.h>
#include <cstdarg>
#include <cstdio>
#include <deque>
#include <iostream>
#include <mutex>
#include <sys/resource.h>

namespace nettune::trace {

namespace {

std::mutex log_mutex;
std::deque<std::string> log_lines;
bool log_verbose = false;

int capture(enum libbpf_print_level level, const char *fmt, va_list args)
{
	char buf[1024];
	vsnprintf(buf, sizeof(buf), fmt, args);
	std::lock_guard<std::mutex> lock(log_mutex);
	if (log_verbose)
		std::cerr << buf;
	(void)level;
	std::string line(buf);
	while (!line.empty() && line.back() == '\n')
		line.pop_back();
	log_lines.push_back(line);
	if (log_lines.size() > 200)
		log_lines.pop_front();
	return 0;
}

} // namespace

LibbpfLog::LibbpfLog(bool verbose)
{
	std::lock_guard<std::mutex> lock(log_mutex);
	log_lines.clear();
	log_verbose = verbose;
	libbpf_set_print(capture);
}

LibbpfLog::~LibbpfLog()
{
	libbpf_set_print([](enum libbpf_print_level, const char *, va_list) { return 0; });
}

std::string LibbpfLog::tail(size_t lines) const
{
	std::lock_guard<std::mutex> lock(log_mutex);
	std::string out;
	size_t from = log_lines.size() > lines ? log_lines.size() - lines : 0;
	for (size_t i = from; i < log_lines.size(); i++)
		out += "\n  libbpf: " + log_lines[i];
	return out;
}

void throw_bpf_error(const std::string &what, int err, const LibbpfLog &log)
{
	if (err < 0)
		err = -err;
	if (err == EPERM || err == EACCES)
		throw Error(errno_message(what, err) +
			    " (BPF tracing needs CAP_BPF and CAP_PERFMON, or root)");
	throw Error(errno_message(what, err) + log.tail());
}

size_t raise_nofile_limit(size_t want)
{
	struct rlimit rl {};
	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur >= want)
		return rl.rlim_cur;
	struct rlimit up = rl;
	up.rlim_cur = want;
	if (up.rlim_max < want)
		up.rlim_max = want; // root may raise the hard limit too
	if (setrlimit(RLIMIT_NOFILE, &up) == 0)
		return want;
	up.rlim_max = rl.rlim_max;
	up.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &up);
	getrlimit(RLIMIT_NOFILE, &rl);
	return rl.rlim_cur;
}

bool RunClock::running() const
{
	if (!stop_.keep_going())
		return false;
	return stop_.seconds <= 0 || elapsed() < stop_.seconds;
}

double RunClock::elapsed() const
{
	return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

} // namespace nettune::trace
