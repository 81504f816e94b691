// Experiment 2: under NAPI, receive interrupts per packet fall as the load
// rises: the interrupt stays masked while a poll finds more packets.
#include "exp/experiment.hpp"
#include "exp/flood.hpp"

#include <fmt/format.h>

namespace exp_napi_irqs {
namespace {

using namespace nettune::exp;

Judgement judge(const Results &r)
{
	const Row &lo = r.first("napi"), &hi = r.last("napi");
	const double a = lo.values.at("irqs_per_pkt"), b = hi.values.at("irqs_per_pkt");
	const double la = r.first("legacy").values.at("irqs_per_pkt");
	const double lb = r.last("legacy").values.at("irqs_per_pkt");
	std::string numbers = fmt::format(
		"NAPI: {:.3f} interrupts per packet at {:.1f} kpps, {:.3f} at {:.1f} kpps; "
		"legacy: {:.3f} and {:.3f}",
		a, lo.values.at("rx_kpps"), b, hi.values.at("rx_kpps"), la, lb);
	if (a <= 0 || hi.values.at("rx_kpps") < 2 * lo.values.at("rx_kpps"))
		return {Verdict::not_reproduced,
			"the received rate did not rise enough: " + numbers};
	if (lb <= 0.5 * la)
		numbers += "; legacy falls too, because ntvnic's legacy handler empties the whole "
			   "ring per interrupt and raises coalesce while one is pending";
	if (b <= 0.5 * a)
		return {Verdict::reproduced,
			numbers + fmt::format(" (NAPI {:.1f}x fewer per packet at the "
					      "high load)",
					      a / b)};
	if (b <= 0.8 * a)
		return {Verdict::partly, numbers + ": fewer, but by less than half"};
	return {Verdict::not_reproduced, numbers + ": NAPI takes as many interrupts per packet "
						   "at high load as at low load"};
}

Experiment make()
{
	Experiment e;
	e.name = "napi-irqs";
	e.order = 2;
	e.title = "Interrupts per packet under NAPI";
	e.claim = "Under NAPI, receive interrupts per packet fall as the load rises (one "
		  "interrupt starts a poll that takes many packets)";
	e.anchor = "the NAPI design (Salim, Olsson, Kuznetsov, \"Beyond Softnet\", "
		   "USENIX ALS 2001); Documentation/networking/napi.rst";
	e.setup = "An ntvnic pair (1 queue, no coalescing), NAPI and, for contrast, legacy "
		  "mode. pktgen on CPU 0 sends 64-byte UDP to a port without a socket at a swept "
		  "rate; the receiver's RX interrupt is on CPU 1. Per point: received packets, "
		  "RX interrupts and NAPI polls from ntvnic's ethtool -S counters.";
	e.variants = {"napi", "legacy"};
	e.x = {"rate_kpps", "asked kpps", 0};
	e.quick_points = {2, 10, 30, 1000};
	e.full_points = {1, 2, 5, 10, 20, 30, 50, 80, 1000};
	e.columns = {{"rx_kpps", "received kpps", 1},
		     {"irqs_per_pkt", "irqs/pkt", 3},
		     {"polls_per_pkt", "polls/pkt", 3},
		     {"irq_kps", "irqs k/s", 2}};
	e.plot = {"rx_kpps", "received (kpps)", "RX interrupts per packet",
		  "",        {"irqs_per_pkt"},  {},
		  false};
	e.prepare = [](Run &run, const std::string &variant) {
		FloodSpec spec;
		spec.pair.mode = variant == "legacy" ? nettune::vnic::Mode::legacy
						     : nettune::vnic::Mode::napi;
		auto rig = make_flood_rig(run, spec);
		return Measure([&run, rig](double x) {
			auto f = measure_flood(run, *rig, static_cast<uint64_t>(x * 1000), 0.5,
					       run.quick ? 1.5 : 3);
			return Values{{"rx_kpps", f.rx_pps / 1e3},
				      {"irqs_per_pkt", f.irqs_per_pkt},
				      {"polls_per_pkt", f.polls_per_pkt},
				      {"irq_kps", f.irq_ps / 1e3}};
		});
	};
	e.judge = judge;
	return e;
}

} // namespace
} // namespace exp_napi_irqs

NETTUNE_EXPERIMENT(napi_irqs, exp_napi_irqs::make);
