// Experiment: accept-queue overflow. A listener whose application does
// not accept() holds at most min(backlog, net.core.somaxconn) + 1
// established connections; the handshakes beyond that are dropped and
// counted (ListenOverflows, ListenDrops), whatever the client believes.
#include "exp/counters.hpp"
#include "exp/experiment.hpp"
#include "exp/tcp_apps.hpp"
#include "exp/tcp_path.hpp"
#include "observe_sockdiag.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace exp_accept_queue {
namespace {

using namespace nettune::exp;

constexpr unsigned burst_quick = 200, burst_full = 400;

double somaxconn_of(const std::string &variant)
{
	return std::stod(variant.substr(variant.find('-') + 1));
}

// The accept queue's expected size: the kernel admits one more than the
// limit (sk_acceptq_is_full() tests ack_backlog > max_ack_backlog).
double expected_queue(double backlog, double somaxconn, double burst)
{
	return std::min(std::min(backlog, somaxconn) + 1, burst);
}

Judgement judge(const Results &r)
{
	unsigned rows = 0, queue_ok = 0, overflow_ok = 0;
	std::string misses;
	for (const auto &row : r.rows) {
		const double som = somaxconn_of(row.variant);
		const double burst = row.values.at("burst");
		const double want = expected_queue(row.x, som, burst);
		const double got = row.values.at("queue");
		const bool overflow_expected = burst > want;
		const bool overflowed = row.values.at("overflows") > 0;
		rows++;
		if (got == want)
			queue_ok++;
		else
			misses += fmt::format("; {} backlog {:.0f}: queue {:.0f}, expected {:.0f}",
					      row.variant, row.x, got, want);
		if (overflow_expected == overflowed)
			overflow_ok++;
		else
			misses += fmt::format("; {} backlog {:.0f}: {:.0f} overflows, {} expected",
					      row.variant, row.x, row.values.at("overflows"),
					      overflow_expected ? "some" : "none");
	}
	const auto &lo = r.last("somaxconn-4096"), &cap = r.last(r.rows.back().variant);
	std::string numbers = fmt::format(
		"{} of {} points held exactly min(backlog, somaxconn)+1 connections in the accept "
		"queue and {} of {} overflowed exactly when the burst exceeded that; at backlog "
		"{:.0f}: somaxconn 4096 queued {:.0f} with {:.0f} ListenOverflows, {} queued "
		"{:.0f} "
		"with {:.0f} ListenOverflows ({:.0f} ListenDrops)",
		queue_ok, rows, overflow_ok, rows, lo.x, lo.values.at("queue"),
		lo.values.at("overflows"), cap.variant, cap.values.at("queue"),
		cap.values.at("overflows"), cap.values.at("drops"));
	if (queue_ok == rows && overflow_ok == rows)
		return {Verdict::reproduced, numbers};
	if (queue_ok + overflow_ok >= rows)
		return {Verdict::partly, numbers + misses};
	return {Verdict::not_reproduced, numbers + misses};
}

Values measure_point(Run &run, const Path &p, double backlog, unsigned port)
{
	const unsigned burst = run.quick ? burst_quick : burst_full;
	TcpServerSpec spec;
	spec.netns = p.ns_b;
	spec.addr = p.b_addr;
	spec.port = port;
	spec.backlog = static_cast<int>(backlog);
	spec.accepting = false; // the application is busy: nothing is accepted
	TcpServer server(spec);
	auto before = read_snmp(p.ns_b);
	ConnectionBurst clients(p.ns_a, p.b_addr, port, burst, 1.5);
	run.sleep(0.2);
	auto after = read_snmp(p.ns_b);
	nettune::observe::Listener l;
	{
		NetnsScope in(p.ns_b);
		auto ls = nettune::observe::tcp_listeners(static_cast<uint16_t>(port));
		if (ls.empty())
			throw nettune::Error("the listener on port " + std::to_string(port) +
					     " is gone");
		l = ls.front();
	}
	// The application catches up: what it gets within a second.
	server.set_accepting(true);
	run.sleep(1.0);
	return Values{
		{"burst", double(burst)},
		{"client_established", double(clients.established)},
		{"queue", double(l.accept_queue)},
		{"limit", double(l.backlog)},
		{"overflows", double(delta(before, after, "TcpExtListenOverflows"))},
		{"drops", double(delta(before, after, "TcpExtListenDrops"))},
		{"cookies", double(delta(before, after, "TcpExtSyncookiesSent"))},
		{"accepted_1s", double(server.accepted())},
	};
}

Experiment make()
{
	Experiment e;
	e.name = "accept-queue";
	e.order = 32;
	e.title = "Accept-queue overflow: backlog, somaxconn, ListenOverflows";
	e.claim = "An application that does not accept() holds at most min(backlog, somaxconn)+1 "
		  "connections in the accept queue; further handshakes are dropped and counted "
		  "in ListenOverflows and ListenDrops";
	e.anchor = "listen(2): the backlog is silently truncated to net.core.somaxconn; "
		   "Documentation/networking/ip-sysctl.rst (somaxconn, tcp_abort_on_overflow); "
		   "net/ipv4/tcp_ipv4.c tcp_v4_syn_recv_sock() and sk_acceptq_is_full()";
	e.setup = "A veth pair between two namespaces. A server of ours listens with the swept "
		  "backlog and does not accept(); a client opens a burst of connections at once "
		  "(200 quick, 400 full; non-blocking, 1.5 s to complete) and holds them. Read "
		  "then: the listener's accept queue and its limit (INET_DIAG, as ss -lnt Recv-Q "
		  "and Send-Q), the server namespace's TcpExtListenOverflows, ListenDrops and "
		  "SyncookiesSent, and how many connect() calls completed on the client. Then "
		  "the server accepts for one second. net.core.somaxconn (per namespace) is 4096 "
		  "(the 6.1 default) or 64; syncookies and tcp_abort_on_overflow at their "
		  "defaults (1, 0).";
	e.variants = {"somaxconn-4096", "somaxconn-64"};
	e.x = {"backlog", "listen backlog", 0};
	e.quick_points = {16, 128, 1024};
	e.full_points = {8, 16, 32, 64, 128, 256, 512, 1024};
	e.columns = {{"burst", "burst", 0},
		     {"client_established", "client connected", 0},
		     {"queue", "accept queue", 0},
		     {"limit", "queue limit", 0},
		     {"overflows", "ListenOverflows", 0},
		     {"drops", "ListenDrops", 0},
		     {"cookies", "SyncookiesSent", 0},
		     {"accepted_1s", "accepted in 1 s", 0}};
	e.plot = {"",
		  "listen() backlog",
		  "connections in the accept queue",
		  "ListenOverflows",
		  {"queue"},
		  {"overflows"},
		  true};
	e.prepare = [](Run &run, const std::string &variant) {
		auto p = std::make_shared<Path>(veth_path(run, PathSpec{}));
		run.lab.set_sysctl(p->ns_b, "net.core.somaxconn",
				   fmt::format("{:.0f}", somaxconn_of(variant)));
		auto port = std::make_shared<unsigned>(8000);
		return Measure(
			[&run, p, port](double x) { return measure_point(run, *p, x, (*port)++); });
	};
	e.judge = judge;
	return e;
}

} // namespace
} // namespace exp_accept_queue

NETTUNE_EXPERIMENT(accept_queue, exp_accept_queue::make);
