// Experiment 1: receive livelock. Mogul and Ramakrishnan showed that an
// interrupt-driven kernel spends itself on receive interrupts once the
// offered load passes what it can deliver, and delivery to the
// application collapses; polling (NAPI) bounds the interrupt work.
#include "exp/experiment.hpp"
#include "exp/flood.hpp"

#include <fmt/format.h>

namespace exp_livelock {
namespace {

using namespace nettune::exp;

// Delivered at the heaviest load as a share of the best delivery.
double held_share(const Results &r, const std::string &v)
{
	double peak = r.max_of(v, "delivered_kpps");
	return peak > 0 ? r.last(v).values.at("delivered_kpps") / peak : 0;
}

Judgement judge(const Results &r)
{
	const double legacy = held_share(r, "legacy"), napi = held_share(r, "napi");
	const double lpeak = r.max_of("legacy", "delivered_kpps");
	const double npeak = r.max_of("napi", "delivered_kpps");
	const double loffer = r.last("legacy").values.at("offered_kpps");
	const double noffer = r.last("napi").values.at("offered_kpps");
	std::string numbers = fmt::format(
		"legacy delivered {:.1f} kpps at its best and {:.0f}% of that at the heaviest "
		"load ({:.1f} kpps offered); NAPI {:.1f} kpps best and {:.0f}% at {:.1f} kpps "
		"offered",
		lpeak, legacy * 100, loffer, npeak, napi * 100, noffer);
	if (loffer < 1.2 * lpeak || noffer < 1.2 * npeak)
		return {Verdict::not_reproduced,
			"the load never went far enough past saturation (offered < 1.2 x best "
			"delivery) to test the claim: " +
				numbers};
	const bool collapses = legacy <= 0.7, holds = napi >= 0.85;
	const double sock = r.last("napi").values.at("sock_drop_kpps");
	if (collapses && holds)
		return {Verdict::reproduced,
			numbers + ": legacy collapses past saturation, NAPI holds"};
	if (collapses)
		return {Verdict::partly,
			numbers +
				fmt::format(
					": interrupt-driven receive collapses as the paper found, "
					"but NAPI collapses too. NAPI bounds the interrupts, not "
					"the "
					"protocol work: softirq still carries every packet up to "
					"the "
					"socket on the application's CPU and drops it there "
					"({:.1f} kpps socket-buffer drops with NAPI at the "
					"heaviest load)",
					sock)};
	if (holds)
		return {Verdict::not_reproduced,
			numbers + ": legacy delivery does not collapse past saturation here"};
	return {Verdict::not_reproduced,
		numbers + ": neither legacy collapses nor NAPI holds as claimed"};
}

Experiment make()
{
	Experiment e;
	e.name = "livelock";
	e.order = 1;
	e.title = "Receive livelock: legacy interrupts against NAPI";
	e.claim = "Past saturation, interrupt-per-packet receive delivers less and less to "
		  "the application as load rises; NAPI keeps delivering";
	e.anchor = "J. Mogul, K. K. Ramakrishnan, \"Eliminating receive livelock in an "
		   "interrupt-driven kernel\", ACM TOCS 15(3), 1997: interrupt-driven "
		   "throughput collapses past the maximum loss-free receive rate";
	e.setup = "An ntvnic pair (1 queue) between two namespaces, in legacy mode (netif_rx "
		  "from every interrupt) or NAPI. pktgen (kpktgend_0, CPU 0) offers 64-byte UDP "
		  "at a swept rate (the last point is as fast as it can); the receiver's RX "
		  "interrupt and a UDP application of ours that reads and counts every datagram "
		  "are both on CPU 1; the application spends 200 us of its own CPU time on each "
		  "datagram (in this VM it read about 1 kpps at most, on an idle CPU). Measured "
		  "per point over a window: the "
		  "rate pktgen sent "
		  "(offered), the rate the application read (delivered), the driver's receive "
		  "rate, RX interrupts per packet, ring-full, backlog (softnet_stat) and socket "
		  "buffer (Udp RcvbufErrors) drops.";
	e.variants = {"legacy", "napi"};
	e.x = {"rate_kpps", "asked kpps", 0};
	// pktgen under emulation tops out near 10-15 kpps here: the application's
	// 200 us per datagram puts saturation (5 kpps) inside that range.
	e.quick_points = {1, 2, 4, 6, 9, 1000};
	e.full_points = {1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 1000};
	e.columns = {{"offered_kpps", "offered kpps", 2},
		     {"delivered_kpps", "delivered kpps", 2},
		     {"rx_kpps", "driver rx kpps", 1},
		     {"irqs_per_pkt", "irqs/pkt", 3},
		     {"ring_drop_kpps", "ring drops kpps", 1},
		     {"backlog_drop_kpps", "backlog drops kpps", 1},
		     {"sock_drop_kpps", "socket drops kpps", 1}};
	e.plot = {"offered_kpps",
		  "offered load (kpps, 64-byte UDP)",
		  "delivered to the application (kpps)",
		  "",
		  {"delivered_kpps"},
		  {},
		  false};
	e.prepare = [](Run &run, const std::string &variant) {
		FloodSpec spec;
		spec.pair.mode = variant == "legacy" ? nettune::vnic::Mode::legacy
						     : nettune::vnic::Mode::napi;
		spec.rx_cpu = 1;
		spec.sink_cpu = 1;
		spec.sink_work_us = 200;
		auto rig = make_flood_rig(run, spec);
		return Measure([&run, rig](double x) {
			const double window = run.quick ? 1.5 : 4;
			auto f = measure_flood(run, *rig, static_cast<uint64_t>(x * 1000), 0.7,
					       window);
			return Values{{"offered_kpps", f.sent_pps / 1e3},
				      {"delivered_kpps", f.app_pps / 1e3},
				      {"rx_kpps", f.rx_pps / 1e3},
				      {"irqs_per_pkt", f.irqs_per_pkt},
				      {"ring_drop_kpps", f.ring_full_pps / 1e3},
				      {"backlog_drop_kpps", f.backlog_drop_pps / 1e3},
				      {"sock_drop_kpps", f.sock_drop_pps / 1e3}};
		});
	};
	e.judge = judge;
	return e;
}

} // namespace
} // namespace exp_livelock

NETTUNE_EXPERIMENT(livelock, exp_livelock::make);
