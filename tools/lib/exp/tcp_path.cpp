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

void link_up(const std::string &ns, const std::string &dev, const std::string &addr)
{
	must_run({"ip", "-n", ns, "addr", "add", addr, "dev", dev});
	must_run({"ip", "-n", ns, "link", "set", dev, "up"});
}

void veth(const std::string &ns1, const std::string &d1, const std::string &ns2,
	  const std::string &d2)
{
	must_run({"ip", "link", "add", d1, "netns", ns1, "type", "veth", "peer", "name", d2,
		  "netns", ns2});
}

void load_qdisc_modules()
{
	for (const char *m : {"sch_netem", "sch_tbf", "tcp_bbr"})
		run_cmd({"modprobe", m}); // built in or missing: the tc call says so
}

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

VethPair veth_pair(Run &run)
{
	VethPair p;
	p.ns_a = run.lab.netns("a");
	p.ns_b = run.lab.netns("b");
	veth(p.ns_a, p.a, p.ns_b, p.b);
	link_up(p.ns_a, p.a, p.a_addr + "/24");
	link_up(p.ns_b, p.b, p.b_addr + "/24");
	load_qdisc_modules();
	return p;
}

RoutedPath routed_path(Run &run)
{
	RoutedPath p;
	p.ns_a = run.lab.netns("a");
	p.ns_r = run.lab.netns("r");
	p.ns_b = run.lab.netns("b");
	veth(p.ns_a, p.a, p.ns_r, p.r_to_a);
	veth(p.ns_b, p.b, p.ns_r, p.r_to_b);
	link_up(p.ns_a, p.a, p.a_addr + "/24");
	link_up(p.ns_r, p.r_to_a, "10.81.0.254/24");
	link_up(p.ns_r, p.r_to_b, "10.81.1.254/24");
	link_up(p.ns_b, p.b, p.b_addr + "/24");
	must_run({"ip", "-n", p.ns_a, "route", "add", "default", "via", "10.81.0.254"});
	must_run({"ip", "-n", p.ns_b, "route", "add", "default", "via", "10.81.1.254"});
	run.lab.set_sysctl(p.ns_r, "net.ipv4.ip_forward", "1");
	run.lab.set_sysctl(p.ns_a, "net.ipv4.tcp_no_metrics_save", "1");
	run.lab.set_sysctl(p.ns_b, "net.ipv4.tcp_no_metrics_save", "1");
	load_qdisc_modules();
	return p;
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

void wait_for_listener(const std::string &netns, unsigned port, double timeout_s)
{
	const auto end = std::chrono::steady_clock::now() +
			 std::chrono::milliseconds(static_cast<int>(timeout_s * 1000));
	while (std::chrono::steady_clock::now() < end) {
		{
			NetnsScope in(netns);
			if (!observe::tcp_listeners(static_cast<uint16_t>(port)).empty())
				return;
		}
		std::this_thread::sleep_for(std::chrono::milliseconds(20));
	}
	throw Error("nothing listens on TCP port " + std::to_string(port) + " in " + netns +
		    " after " + std::to_string(timeout_s) + " s");
}

Iperf3Server::Iperf3Server(const std::string &netns, const std::string &addr, unsigned port)
{
	child_ = std::make_unique<Child>("iperf3 server", [=] {
		NetnsScope in(netns);
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
		}
		std::string p = std::to_string(port);
		execlp("iperf3", "iperf3", "-s", "-B", addr.c_str(), "-p", p.c_str(),
		       static_cast<char *>(nullptr));
		return 127;
	});
	wait_for_listener(netns, port);
}

Iperf3Server::~Iperf3Server() = default;

std::vector<std::string> iperf3_argv(const IperfSpec &s)
{
	char secs[32], iv[32];
	snprintf(secs, sizeof(secs), "%.1f", s.seconds);
	snprintf(iv, sizeof(iv), "%.2f", s.interval);
	std::vector<std::string> a{"iperf3", "-c", s.server, "-p", std::to_string(s.port),
				   "-t",     secs, "-i",     iv,   "-J"};
	if (!s.congestion.empty()) {
		a.push_back("-C");
		a.push_back(s.congestion);
	}
	a.insert(a.end(), s.extra.begin(), s.extra.end());
	return in_netns(s.netns, a);
}

IperfResult parse_iperf3_json(const std::string &text)
{
	nlohmann::json j;
	try {
		j = nlohmann::json::parse(text);
	} catch (const std::exception &e) {
		throw Error(std::string("iperf3: output is not JSON: ") + e.what());
	}
	if (j.contains("error"))
		throw Error("iperf3: " + j["error"].get<std::string>());
	IperfResult r;
	const auto &end = j.at("end");
	r.mbps = end.at("sum_sent").at("bits_per_second").get<double>() / 1e6;
	r.retransmits = end.at("sum_sent").value("retransmits", 0ULL);
	if (end.contains("streams") && !end["streams"].empty()) {
		const auto &snd = end["streams"][0].at("sender");
		r.min_rtt_ms = snd.value("min_rtt", 0.0) / 1000;
		r.mean_rtt_ms = snd.value("mean_rtt", 0.0) / 1000;
		r.max_rtt_ms = snd.value("max_rtt", 0.0) / 1000;
	}
	r.congestion = end.value("sender_tcp_congestion", std::string());
	for (const auto &iv : j.value("intervals", nlohmann::json::array())) {
		if (!iv.contains("streams") || iv["streams"].empty())
			continue;
		const auto &s = iv["streams"][0];
		IperfInterval i;
		i.start = s.value("start", 0.0);
		i.end = s.value("end", 0.0);
		i.mbps = s.value("bits_per_second", 0.0) / 1e6;
		i.retransmits = s.value("retransmits", 0ULL);
		i.cwnd_bytes = s.value("snd_cwnd", 0ULL);
		i.rtt_ms = s.value("rtt", 0.0) / 1000;
		r.intervals.push_back(i);
	}
	return r;
}

IperfResult iperf3(const IperfSpec &s)
{
	auto r = run_cmd(iperf3_argv(s));
	try {
		return parse_iperf3_json(r.output);
	} catch (const Error &e) {
		throw Error(std::string(e.what()) + " (" + join_argv(iperf3_argv(s)) + ", exit " +
			    std::to_string(r.status) + ")");
	}
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
