// Experiment: TCP Fast Open. A client that holds a cookie from an earlier
// connection sends its request in the SYN, and the server answers it
// before the handshake completes: a repeat connection gets its first
// response byte one round trip sooner.
#include "exp/counters.hpp"
#include "exp/experiment.hpp"
#include "exp/load.hpp"
#include "exp/tcp_apps.hpp"
#include "exp/tcp_path.hpp"

#include <cmath>
#include <fmt/format.h>

namespace exp_tfo {
namespace {

using namespace nettune::exp;

Values measure_point(Run &run, const Path &p, bool tfo, double rtt_ms, unsigned port)
{
	const std::string half = fmt::format("{}ms", rtt_ms / 2);
	qdisc(run, p.ns_a, p.a, {"root", "netem", "delay", half});
	qdisc(run, p.ns_b, p.b, {"root", "netem", "delay", half});
	TcpServerSpec spec;
	spec.netns = p.ns_b;
	spec.addr = p.b_addr;
	spec.port = port;
	spec.fastopen_qlen = tfo ? 16 : 0;
	TcpServer server(spec);
	// The client forgets the cookie (kept in tcp_metrics) of the last point.
	must_run({"ip", "-n", p.ns_a, "tcp_metrics", "flush", "all"});
	auto c0 = read_snmp(p.ns_a);
	auto s0 = read_snmp(p.ns_b);
	TransactionSpec ts;
	ts.netns = p.ns_a;
	ts.dst = p.b_addr;
	ts.port = port;
	ts.count = run.quick ? 8 : 16;
	ts.concurrency = 1; // one after the other: the first fetches the cookie
	ts.timeout_s = 3;
	ts.fastopen = tfo;
	auto tr = run_transactions(ts);
	auto c1 = read_snmp(p.ns_a);
	auto s1 = read_snmp(p.ns_b);
	if (tr.failed || tr.response_ms.size() != ts.count)
		throw nettune::Error(
			fmt::format("{} of {} transactions failed", tr.failed, ts.count));
	std::vector<double> repeat(tr.response_ms.begin() + 1, tr.response_ms.end());
	// The path's RTT: the fastest of 10 pings (the first may wait for ARP).
	auto ping_rtt = ping(p.ns_a, p.b_addr, 10, 0.1);
	return Values{
		{"ping_ms", ping_rtt.percentile_us(0) / 1000},
		{"first_ms", tr.response_ms.front()},
		{"repeat_ms", median(repeat)},
		{"repeat_min_ms", percentile(repeat, 0)},
		{"repeat_rtts", median(repeat) / rtt_ms},
		{"tfo_active", double(delta(c0, c1, "TcpExtTCPFastOpenActive"))},
		{"tfo_passive", double(delta(s0, s1, "TcpExtTCPFastOpenPassive"))},
		{"tfo_fail", double(delta(c0, c1, "TcpExtTCPFastOpenActiveFail") +
				    delta(s0, s1, "TcpExtTCPFastOpenPassiveFail"))},
	};
}

Judgement judge(const Results &r)
{
	// Saved time against the path's RTT: a fixed cost of this emulated
	// host (one less wakeup and send() on the client) adds a constant, one
	// round trip adds a slope of 1.
	std::vector<std::pair<double, double>> saved; // (rtt, saved) ms
	std::string numbers;
	bool cookies_used = true;
	unsigned saves = 0;
	for (const auto *on : r.series("tfo-on")) {
		// The fastest repeat: this host's scheduling noise only adds delay.
		const double off = r.at("tfo-off", on->x, "repeat_min_ms");
		const double s = off - on->values.at("repeat_min_ms");
		saved.emplace_back(on->x, s);
		saves += s >= 0.7 * on->x;
		cookies_used = cookies_used && on->values.at("tfo_passive") > 0;
		numbers += fmt::format("{}{:.0f} ms RTT: repeat connection to first response byte "
				       "(fastest) {:.1f} ms without TFO, {:.1f} ms with ({:.0f} "
				       "requests in the SYN), saved {:.1f} ms",
				       numbers.empty() ? "" : "; ", on->x, off,
				       on->values.at("repeat_min_ms"), on->values.at("tfo_passive"),
				       s);
	}
	if (saved.size() < 2)
		return {Verdict::not_reproduced, numbers + ": needs two RTTs or more"};
	// least-squares slope of saved against RTT
	double mx = 0, my = 0;
	for (auto [x, y] : saved) {
		mx += x / saved.size();
		my += y / saved.size();
	}
	double sxy = 0, sxx = 0;
	for (auto [x, y] : saved) {
		sxy += (x - mx) * (y - my);
		sxx += (x - mx) * (x - mx);
	}
	const double slope = sxx > 0 ? sxy / sxx : 0, fixed = my - slope * mx;
	numbers += fmt::format(". Saved = {:.2f} x RTT + {:.1f} ms", slope, fixed);
	if (!cookies_used)
		return {Verdict::not_reproduced, numbers + ": no request went in a SYN"};
	const bool one_rtt = slope >= 0.7 && slope <= 1.3;
	if (one_rtt && saves == saved.size())
		return {Verdict::reproduced, numbers};
	if (one_rtt || saves * 2 >= saved.size())
		return {Verdict::partly,
			numbers + fmt::format(": the saving grows {} one RTT per RTT; at least 0.7 "
					      "RTT saved at {} of {} RTTs",
					      one_rtt ? "by" : "not by", saves, saved.size())};
	return {Verdict::not_reproduced, numbers};
}

Experiment make()
{
	Experiment e;
	e.name = "tfo";
	e.order = 33;
	e.title = "TCP Fast Open: one round trip saved on repeat connections";
	e.claim = "With TCP Fast Open a repeat connection gets its first response byte one round "
		  "trip sooner: the request rides in the SYN (the time saved grows one for one "
		  "with the RTT)";
	e.anchor = "RFC 7413 (TCP Fast Open); Radhakrishnan et al., \"TCP Fast Open\", CoNEXT "
		   "2011; Documentation/networking/ip-sysctl.rst tcp_fastopen";
	e.setup = "A veth pair between two namespaces, each end delaying its egress by half the "
		  "swept RTT (netem). A server of ours answers a 64-byte request with 64 bytes "
		  "and closes; a client of ours makes 8 (quick) or 16 connections one after the "
		  "other and times each from socket() to the first response byte. tfo-on: "
		  "client namespace tcp_fastopen=1, server namespace 2, TCP_FASTOPEN on the "
		  "listener, sendto(MSG_FASTOPEN) on the client (the first connection fetches "
		  "the cookie); tfo-off: the server namespace has tcp_fastopen=0 and the client "
		  "uses connect(). The first connection is reported apart; repeat = median and "
		  "fastest of the others (the verdict compares the fastest: scheduling noise on "
		  "this shared emulated host only ever adds delay); the path RTT is the fastest of "
		  "10 pings. tcp_metrics of the client "
		  "are "
		  "flushed before each point (it keeps the cookie there). TcpExtTCPFastOpenActive "
		  "(client) and Passive (server) count data "
		  "accepted in a SYN.";
	e.variants = {"tfo-off", "tfo-on"};
	e.x = {"rtt_ms", "path RTT ms", 0};
	// Large RTTs: this shared, emulated VM adds tens of ms of scheduling
	// noise to any one connection.
	e.quick_points = {50, 100, 200};
	e.full_points = {25, 50, 100, 200, 400};
	e.columns = {{"ping_ms", "ping ms", 1},
		     {"first_ms", "first conn ms", 1},
		     {"repeat_ms", "repeat conn ms", 1},
		     {"repeat_min_ms", "fastest repeat ms", 1},
		     {"repeat_rtts", "repeat / RTT", 2},
		     {"tfo_active", "FastOpenActive", 0},
		     {"tfo_passive", "FastOpenPassive", 0},
		     {"tfo_fail", "TFO fails", 0}};
	e.plot = {"",   "path RTT (ms)",   "repeat connection: time to first response byte (ms)",
		  "",   {"repeat_min_ms"}, {},
		  false};
	e.prepare = [](Run &run, const std::string &variant) {
		const bool tfo = variant == "tfo-on";
		auto p = std::make_shared<Path>(veth_path(run, PathSpec{}));
		run.lab.set_sysctl(p->ns_a, "net.ipv4.tcp_fastopen", tfo ? "1" : "0");
		run.lab.set_sysctl(p->ns_b, "net.ipv4.tcp_fastopen", tfo ? "2" : "0");
		auto port = std::make_shared<unsigned>(8080);
		return Measure([&run, p, port, tfo](double x) {
			return measure_point(run, *p, tfo, x, (*port)++);
		});
	};
	e.judge = judge;
	return e;
}

} // namespace
} // namespace exp_tfo

NETTUNE_EXPERIMENT(tfo, exp_tfo::make);
