#include "tcp_path.hpp"

#include "error.hpp"
#include "observe_sockdiag.hpp"
#include "sysfs.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace nettune::exp {

namespace {

bool is_number(const std::string &s)
{
	if (s.empty())
		return false;
	char *end = nullptr;
	std::strtod(s.c_str(), &end);
	return end && *end == '\0';
}

} // namespace

std::vector<std::string> words(const std::string &s)
{
	return split_whitespace(s);
}

std::vector<std::string> in_netns(const std::string &netns, std::vector<std::string> args)
{
	std::vector<std::string> argv{"ip", "netns", "exec", netns};
	argv.insert(argv.end(), args.begin(), args.end());
	return argv;
}

void qdisc(Run &run, const std::string &netns, const std::string &dev,
	   const std::vector<std::string> &args)
{
	std::vector<std::string> argv{"tc", "-n", netns, "qdisc", "replace", "dev", dev};
	argv.insert(argv.end(), args.begin(), args.end());
	run.lab.exec("", argv);
}

void qdisc_clear(Run &, const std::string &netns, const std::string &dev)
{
	run_cmd({"tc", "-n", netns, "qdisc", "del", "dev", dev, "root"}); // none: fine
}

QdiscStats parse_qdisc_stats(const std::string &text)
{
	// " Sent 123 bytes 45 pkt (dropped 6, overlimits 7 requeues 0)"
	QdiscStats s;
	for (const auto &line : split(text, '\n')) {
		auto w = split_whitespace(line);
		if (w.size() < 11 || w[0] != "Sent")
			continue;
		auto num = [](std::string t) {
			while (!t.empty() && (t.back() == ',' || t.back() == ')'))
				t.pop_back();
			return is_number(t) ? std::stoull(t) : 0ULL;
		};
		s.sent_pkts += num(w[3]);
		s.dropped += num(w[6]);
		s.overlimits += num(w[8]);
		s.requeues += num(w[10]);
	}
	return s;
}

QdiscStats qdisc_stats(const std::string &netns, const std::string &dev)
{
	return parse_qdisc_stats(must_run({"tc", "-n", netns, "-s", "qdisc", "show", "dev", dev}));
}

Background::Background(std::vector<std::string> argv) : argv_(std::move(argv))
{
	out_ = std::tmpfile();
	if (!out_)
		throw Error(errno_message("temporary file for " + join_argv(argv_), errno));
	const int fd = fileno(out_);
	pid_ = fork();
	if (pid_ < 0)
		throw Error(errno_message("fork for " + join_argv(argv_), errno));
	if (pid_ == 0) {
		signal(SIGINT, SIG_DFL);
		dup2(fd, 1);
		dup2(fd, 2);
		int null = open("/dev/null", O_RDONLY);
		if (null >= 0)
			dup2(null, 0);
		std::vector<char *> args;
		for (auto &a : argv_)
			args.push_back(a.data());
		args.push_back(nullptr);
		execvp(args[0], args.data());
		_exit(127);
	}
}

Background::~Background()
{
	if (pid_ > 0 && status_ < 0) {
		kill(pid_, SIGKILL);
		int st;
		while (waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
		}
	}
	if (out_)
		fclose(out_);
}

CmdResult Background::collect(int st)
{
	pid_ = -1;
	CmdResult r;
	r.status = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : -1;
	std::rewind(out_);
	char buf[4096];
	size_t n;
	while ((n = std::fread(buf, 1, sizeof(buf), out_)) > 0)
		r.output.append(buf, n);
	return r;
}

bool Background::done()
{
	if (pid_ <= 0 || status_ >= 0)
		return true;
	int st = 0;
	if (waitpid(pid_, &st, WNOHANG) != pid_)
		return false;
	status_ = st;
	return true;
}

CmdResult Background::wait()
{
	if (pid_ <= 0)
		throw Error(join_argv(argv_) + ": already collected");
	if (status_ >= 0)
		return collect(status_);
	int st = 0;
	while (waitpid(pid_, &st, 0) < 0) {
		if (errno != EINTR)
			throw Error(errno_message("waiting for " + argv_[0], errno));
	}
	return collect(st);
}

CmdResult Background::stop(int sig)
{
	if (pid_ > 0 && status_ < 0)
		kill(pid_, sig);
	return wait();
}

std::vector<SsInfo> parse_ss_tcp_info(const std::string &text)
{
	std::vector<SsInfo> out;
	for (const auto &line : split(text, '\n')) {
		if (trim(line).empty())
			continue;
		auto w = split_whitespace(line);
		if (line[0] != ' ' && line[0] != '\t') {
			// "ESTAB 0 0 10.81.0.1:40000 10.81.1.2:5201"
			SsInfo c;
			if (w.size() >= 5) {
				auto port = [](const std::string &ep) {
					auto p = ep.rfind(':');
					return p == std::string::npos
						       ? 0.0
						       : std::atof(ep.c_str() + p + 1);
				};
				c["sport"] = port(w[3]);
				c["dport"] = port(w[4]);
			}
			out.push_back(c);
			continue;
		}
		if (out.empty())
			continue;
		for (const auto &t : w) {
			auto colon = t.find(':');
			if (colon == std::string::npos || colon == 0)
				continue;
			std::string v = t.substr(colon + 1);
			auto slash = v.find_first_of("/,");
			if (slash != std::string::npos)
				v = v.substr(0, slash);
			if (is_number(v))
				out.back()[t.substr(0, colon)] = std::strtod(v.c_str(), nullptr);
		}
	}
	return out;
}

std::vector<SsInfo> ss_tcp_info(const std::string &netns, const std::string &dst, unsigned port)
{
	auto r = run_cmd(in_netns(netns, {"ss", "-tinH", "dst", dst + ":" + std::to_string(port)}));
	if (r.status != 0)
		throw Error("ss -tin in " + netns + ": exit " + std::to_string(r.status) + ": " +
			    r.output);
	return parse_ss_tcp_info(r.output);
}

} // namespace nettune::exp
