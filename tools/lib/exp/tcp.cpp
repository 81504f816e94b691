#include "tcp.hpp"

#include "counters.hpp"
#include "error.hpp"
#include "observe_sockdiag.hpp"
#include "sysfs.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace nettune::exp {

namespace {

void load_qdisc_modules()
{
	for (const char *m : {"sch_netem", "sch_tbf", "tcp_bbr"})
		run_cmd({"modprobe", m}); // built in or missing: the tc call says so
}

} // namespace

Path veth_path(Run &run, const PathSpec &spec)
{
	Path p;
	p.ns_a = run.lab.netns("a");
	p.ns_b = run.lab.netns("b");
	p.a_addr = spec.a_addr;
	p.b_addr = spec.b_addr;
	must_run({"ip", "-n", p.ns_a, "link", "add", p.a, "type", "veth", "peer", "name", p.b,
		  "netns", p.ns_b});
	must_run({"ip", "-n", p.ns_a, "addr", "add", p.a_addr + "/24", "dev", p.a});
	must_run({"ip", "-n", p.ns_b, "addr", "add", p.b_addr + "/24", "dev", p.b});
	if (!spec.offloads)
		for (const auto &[ns, dev] : {std::pair{p.ns_a, p.a}, std::pair{p.ns_b, p.b}})
			must_run({"ip", "netns", "exec", ns, "ethtool", "-K", dev, "tso", "off",
				  "gso", "off", "gro", "off"});
	must_run({"ip", "-n", p.ns_a, "link", "set", p.a, "up"});
	must_run({"ip", "-n", p.ns_b, "link", "set", p.b, "up"});
	load_qdisc_modules();
	return p;
}

RoutedPath routed_path(Run &run, const RoutedSpec &spec)
{
	RoutedPath p;
	p.ns_a = run.lab.netns("a");
	p.ns_r = run.lab.netns("r");
	p.ns_b = run.lab.netns("b");
	must_run({"ip", "-n", p.ns_a, "link", "add", p.a, "type", "veth", "peer", "name", p.ra,
		  "netns", p.ns_r});
	must_run({"ip", "-n", p.ns_b, "link", "add", p.b, "type", "veth", "peer", "name", p.rb,
		  "netns", p.ns_r});
	must_run({"ip", "-n", p.ns_a, "addr", "add", p.a_addr + "/24", "dev", p.a});
	must_run({"ip", "-n", p.ns_r, "addr", "add", "10.80.1.254/24", "dev", p.ra});
	must_run({"ip", "-n", p.ns_r, "addr", "add", "10.80.2.254/24", "dev", p.rb});
	must_run({"ip", "-n", p.ns_b, "addr", "add", p.b_addr + "/24", "dev", p.b});
	if (spec.hop_mtu)
		must_run({"ip", "-n", p.ns_r, "link", "set", p.rb, "mtu",
			  std::to_string(spec.hop_mtu)});
	if (!spec.offloads)
		for (const auto &[ns, dev] : {std::pair{p.ns_a, p.a}, std::pair{p.ns_b, p.b},
					      std::pair{p.ns_r, p.ra}, std::pair{p.ns_r, p.rb}})
			must_run({"ip", "netns", "exec", ns, "ethtool", "-K", dev, "tso", "off",
				  "gso", "off", "gro", "off"});
	for (const auto &[ns, dev] : {std::pair{p.ns_a, p.a}, std::pair{p.ns_r, p.ra},
				      std::pair{p.ns_r, p.rb}, std::pair{p.ns_b, p.b}})
		must_run({"ip", "-n", ns, "link", "set", dev, "up"});
	must_run({"ip", "-n", p.ns_a, "route", "add", "default", "via", "10.80.1.254"});
	must_run({"ip", "-n", p.ns_b, "route", "add", "default", "via", "10.80.2.254"});
	write_sysctl(p.ns_r, "net.ipv4.ip_forward", "1"); // dies with the namespace
	write_sysctl(p.ns_a, "net.ipv4.tcp_no_metrics_save", "1");
	write_sysctl(p.ns_b, "net.ipv4.tcp_no_metrics_save", "1");
	load_qdisc_modules();
	return p;
}

std::vector<std::string> netem_args(const Netem &n)
{
	std::vector<std::string> a;
	auto num = [](double v) { return fmt::format("{:g}", v); };
	if (n.delay_ms > 0)
		a.insert(a.end(), {"delay", num(n.delay_ms) + "ms"});
	if (n.reorder_pct > 0)
		a.insert(a.end(), {"reorder", num(n.reorder_pct) + "%"});
	if (n.loss_pct > 0)
		a.insert(a.end(), {"loss", "random", num(n.loss_pct) + "%"});
	if (n.rate_mbit > 0)
		a.insert(a.end(), {"rate", num(n.rate_mbit) + "mbit"});
	if (n.limit > 0)
		a.insert(a.end(), {"limit", std::to_string(n.limit)});
	return a;
}

void set_netem(const std::string &netns, const std::string &dev, const Netem &n)
{
	std::vector<std::string> argv = {"tc",  "-n", netns,  "qdisc", "replace",
					 "dev", dev,  "root", "netem"};
	auto args = netem_args(n);
	argv.insert(argv.end(), args.begin(), args.end());
	must_run(argv);
}

sockaddr_in ipv4_sockaddr(const std::string &addr, unsigned port)
{
	sockaddr_in sa{};
	sa.sin_family = AF_INET;
	sa.sin_port = htons(static_cast<uint16_t>(port));
	if (inet_pton(AF_INET, addr.c_str(), &sa.sin_addr) != 1)
		throw Error("'" + addr + "' is not an IPv4 address");
	return sa;
}

Iperf3Server::Iperf3Server(const std::string &netns, const std::string &addr, unsigned port)
    : port_(port)
{
	child_ = std::make_unique<Child>("iperf3 server", [=] {
		NetnsScope in(netns);
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		const std::string p = std::to_string(port);
		execlp("iperf3", "iperf3", "-s", "-B", addr.c_str(), "-p", p.c_str(),
		       static_cast<char *>(nullptr));
		fprintf(stderr, "nettune: cannot run iperf3: %s\n", strerror(errno));
		return 127;
	});
	wait_for_listener(netns, port, 5);
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
	throw Error(fmt::format("nothing listens on TCP port {} in {} after {:g} s", port, netns,
				timeout_s));
}

IperfResult parse_iperf3_json(const std::string &text)
{
	nlohmann::json j;
	try {
		j = nlohmann::json::parse(text);
	} catch (const std::exception &e) {
		throw Error("iperf3: output is not JSON: " + text.substr(0, 200));
	}
	if (j.contains("error"))
		throw Error("iperf3: " + j["error"].get<std::string>());
	IperfResult r;
	const auto &end = j.at("end");
	const auto &sent = end.at("sum_sent");
	const auto recv = end.value("sum_received", nlohmann::json::object());
	r.seconds = recv.value("seconds", 0.0);
	r.sent_mbps = sent.value("bits_per_second", 0.0) / 1e6;
	r.received_mbps = recv.value("bits_per_second", 0.0) / 1e6;
	r.bytes_received = recv.value("bytes", uint64_t{0});
	r.retransmits = sent.value("retransmits", uint64_t{0});
	if (end.contains("streams") && !end["streams"].empty() &&
	    end["streams"][0].contains("sender")) {
		const auto &snd = end["streams"][0]["sender"];
		r.min_rtt_ms = snd.value("min_rtt", 0.0) / 1e3;
		r.mean_rtt_ms = snd.value("mean_rtt", 0.0) / 1e3;
		r.max_rtt_ms = snd.value("max_rtt", 0.0) / 1e3;
	}
	r.congestion = end.value("sender_tcp_congestion", "");
	for (const auto &iv : j.value("intervals", nlohmann::json::array())) {
		if (!iv.contains("streams") || iv["streams"].empty())
			continue;
		const auto &s = iv["streams"][0];
		IperfInterval i;
		i.start = s.value("start", 0.0);
		i.end = s.value("end", 0.0);
		i.mbps = s.value("bits_per_second", 0.0) / 1e6;
		i.retransmits = s.value("retransmits", uint64_t{0});
		i.cwnd_bytes = s.value("snd_cwnd", uint64_t{0});
		i.rtt_ms = s.value("rtt", 0.0) / 1e3;
		r.intervals.push_back(i);
	}
	return r;
}

std::vector<std::string> iperf3_argv(const IperfSpec &s)
{
	std::vector<std::string> a{"ip",
				   "netns",
				   "exec",
				   s.netns,
				   "iperf3",
				   "-c",
				   s.server,
				   "-p",
				   std::to_string(s.port),
				   "-t",
				   fmt::format("{:.1f}", s.seconds),
				   "-i",
				   fmt::format("{:.2f}", s.interval),
				   "-J",
				   "--connect-timeout",
				   "3000"};
	if (!s.congestion.empty())
		a.insert(a.end(), {"-C", s.congestion});
	a.insert(a.end(), s.extra.begin(), s.extra.end());
	return a;
}

IperfResult iperf3(const IperfSpec &s)
{
	const auto argv = iperf3_argv(s);
	auto r = run_cmd(argv);
	try {
		return parse_iperf3_json(r.output);
	} catch (const Error &e) {
		throw Error(fmt::format("{} ({}, exit {})", e.what(), join_argv(argv), r.status));
	}
}

IperfResult run_iperf3(Run &run, const IperfSpec &s)
{
	run.check();
	return iperf3(s);
}

TcpSink::TcpSink(const std::string &netns, const std::string &addr, unsigned port, int cpu,
		 int backlog)
{
	void *mem = mmap(nullptr, sizeof(Counters), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		throw Error(errno_message("TCP sink: shared counters", errno));
	counters_ = new (mem) Counters;
	auto *cnt = counters_;
	child_ = std::make_unique<Child>("TCP sink", [=] {
		NetnsScope in(netns);
		if (cpu >= 0)
			pin_to_cpu(cpu);
		int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		int one = 1;
		setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		sockaddr_in sa = ipv4_sockaddr(addr, port);
		if (bind(ls, reinterpret_cast<sockaddr *>(&sa), sizeof(sa)) < 0 ||
		    listen(ls, backlog) < 0)
			throw Error(errno_message(
				fmt::format("TCP sink: listen on {}:{}", addr, port), errno));
		int ep = epoll_create1(0);
		epoll_event ev{};
		ev.events = EPOLLIN;
		ev.data.fd = ls;
		epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
		std::vector<char> buf(256 * 1024);
		epoll_event evs[64];
		for (;;) {
			int n = epoll_wait(ep, evs, 64, -1);
			for (int i = 0; i < n; i++) {
				const int fd = evs[i].data.fd;
				if (fd == ls) {
					int c;
					while ((c = accept4(ls, nullptr, nullptr, SOCK_NONBLOCK)) >=
					       0) {
						cnt->accepted.fetch_add(1);
						epoll_event ce{};
						ce.events = EPOLLIN;
						ce.data.fd = c;
						epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce);
					}
					continue;
				}
				ssize_t r = read(fd, buf.data(), buf.size());
				if (r > 0)
					cnt->bytes.fetch_add(static_cast<uint64_t>(r));
				else if (r == 0 || (errno != EAGAIN && errno != EINTR))
					close(fd); // closing removes it from the epoll set
			}
		}
		return 0;
	});
	wait_for_listener(netns, port, 5);
}

TcpSink::~TcpSink()
{
	child_.reset();
	munmap(counters_, sizeof(Counters));
}

uint64_t TcpSink::bytes() const
{
	return counters_->bytes.load();
}

uint64_t TcpSink::accepted() const
{
	return counters_->accepted.load();
}

int tcp_connect(const std::string &addr, unsigned port, int timeout_ms)
{
	sockaddr_in sa = ipv4_sockaddr(addr, port);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0)
		throw Error(errno_message("socket", errno));
	int rc = connect(s, reinterpret_cast<sockaddr *>(&sa), sizeof(sa));
	if (rc < 0 && errno == EINPROGRESS) {
		pollfd p{s, POLLOUT, 0};
		rc = poll(&p, 1, timeout_ms);
		int err = 0;
		socklen_t len = sizeof(err);
		getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
		if (rc == 0)
			err = ETIMEDOUT;
		errno = err;
		rc = err ? -1 : 0;
	}
	if (rc < 0) {
		int err = errno;
		close(s);
		throw Error(errno_message(fmt::format("connect to {}:{}", addr, port), err));
	}
	fcntl(s, F_SETFL, fcntl(s, F_GETFL) & ~O_NONBLOCK);
	return s;
}

SnmpDelta::SnmpDelta(std::string netns) : netns_(std::move(netns))
{
	reset();
}

void SnmpDelta::reset()
{
	before_ = after_ = read_snmp(netns_);
}

void SnmpDelta::read()
{
	after_ = read_snmp(netns_);
}

double SnmpDelta::operator()(const std::string &name) const
{
	return static_cast<double>(delta(before_, after_, name));
}

double cpu_busy_seconds()
{
	// Not the sum of user, system, softirq...: those are sampled at the
	// tick, which an emulated machine sharing its host loses. Idle and
	// iowait come from the nohz idle clock: busy = uptime x CPUs - idle.
	auto cols = split_whitespace(split(read_file("/proc/stat"), '\n').at(0));
	const auto up = split_whitespace(read_file("/proc/uptime"));
	if (cols.size() < 6 || cols[0] != "cpu" || up.empty())
		throw Error("/proc/stat or /proc/uptime: unexpected format");
	const double idle = (std::stod(cols[4]) + std::stod(cols[5])) /
			    static_cast<double>(sysconf(_SC_CLK_TCK));
	return std::stod(up[0]) * static_cast<double>(sysconf(_SC_NPROCESSORS_ONLN)) - idle;
}

} // namespace nettune::exp
