// Hidden experiments that test the runner itself (selftests/exp/):
//   selftest-false  a claim its own measurement contradicts: the verdict
//                   must be "not reproduced"
//   selftest-fail   changes the system (namespaces, a pair, a sysctl, an
//                   IRQ affinity, a child process), then a step fails:
//                   everything must be undone
//   selftest-slow   the same changes, then waits long at every point: for
//                   SIGINT in the middle of a run
#include "exp/experiment.hpp"
#include "exp/load.hpp"
#include "exp/topology.hpp"

#include <fmt/format.h>

namespace exp_selftest {
namespace {

using namespace nettune::exp;

Experiment base(const std::string &name)
{
	Experiment e;
	e.name = name;
	e.order = 1000;
	e.hidden = true;
	e.title = "runner selftest " + name;
	e.setup = "An ntvnic pair between two namespaces; ping from A to B.";
	e.x = {"count", "pings", 0};
	e.quick_points = {3, 5};
	e.full_points = {3, 5, 10};
	e.columns = {{"sent", "sent", 0},
		     {"received", "received", 0},
		     {"loss_pct", "loss %", 1},
		     {"rtt_us", "median rtt us", 0}};
	e.plot = {"", "pings", "loss %", "", {"loss_pct"}, {}, false};
	return e;
}

Measure ping_measure(Run &run, const Pair &p)
{
	return [&run, p](double x) {
		run.check();
		auto r = ping(p.ns_a, p.b_addr, static_cast<unsigned>(x), 0.05);
		return Values{{"sent", double(r.sent)},
			      {"received", double(r.received)},
			      {"loss_pct", 100.0 * (r.sent - r.received) / r.sent},
			      {"rtt_us", r.median_us()}};
	};
}

// Every kind of change the runner must undo.
Pair change_everything(Run &run)
{
	Pair p = run.lab.vnic_pair({});
	run.lab.set_sysctl("", "net.core.netdev_max_backlog", "1234");
	run.lab.set_sysctl(p.ns_b, "net.ipv4.ip_forward", "1");
	run.lab.pin_irq(run.lab.queue_irq(p.ns_b, p.b, 0), 0);
	auto sink = std::make_shared<UdpSink>(p.ns_b, p.b_addr, 9, 0);
	PktgenSpec ps;
	ps.netns = p.ns_a;
	ps.dev = p.a;
	ps.dst_ip = p.b_addr;
	ps.dst_mac = p.b_mac;
	ps.ratep = 1000;
	auto gen = std::make_shared<Pktgen>(run.cleanup, ps);
	gen->start();
	run.cleanup.push("stop pktgen", [gen]() mutable { gen.reset(); });
	run.cleanup.push("stop the UDP sink", [sink]() mutable { sink.reset(); });
	return p;
}

Experiment make_false()
{
	Experiment e = base("selftest-false");
	e.claim = "ping across an ntvnic pair loses every packet (false on purpose)";
	e.prepare = [](Run &run, const std::string &) {
		return ping_measure(run, run.lab.vnic_pair({}));
	};
	e.judge = [](const Results &r) {
		double worst = 100;
		for (const auto &row : r.rows)
			worst = std::min(worst, row.values.at("loss_pct"));
		if (worst >= 100)
			return Judgement{Verdict::reproduced, "every ping was lost"};
		return Judgement{Verdict::not_reproduced,
				 fmt::format("pings crossed: the lowest loss was {:.0f}%", worst)};
	};
	return e;
}

Experiment make_fail()
{
	Experiment e = base("selftest-fail");
	e.claim = "a step fails half-way (on purpose): everything set up is undone";
	e.prepare = [](Run &run, const std::string &) {
		Pair p = change_everything(run);
		auto m = ping_measure(run, p);
		return Measure([&run, m](double x) {
			if (x > 3) // the second point: a refused sysctl write
				run.lab.set_sysctl("", "net.core.netdev_max_backlog",
						   "not-a-number");
			return m(x);
		});
	};
	e.judge = [](const Results &) { return Judgement{Verdict::reproduced, "unreachable"}; };
	return e;
}

Experiment make_slow()
{
	Experiment e = base("selftest-slow");
	e.claim = "waits 60 s at every point (for SIGINT during a run)";
	e.prepare = [](Run &run, const std::string &) {
		Pair p = change_everything(run);
		auto m = ping_measure(run, p);
		return Measure([&run, m](double x) {
			run.sleep(60);
			return m(x);
		});
	};
	e.judge = [](const Results &) { return Judgement{Verdict::reproduced, "unreachable"}; };
	return e;
}

} // namespace
} // namespace exp_selftest

NETTUNE_EXPERIMENT(selftest_false, exp_selftest::make_false);
NETTUNE_EXPERIMENT(selftest_fail, exp_selftest::make_fail);
NETTUNE_EXPERIMENT(selftest_slow, exp_selftest::make_slow);
