// Experiment 3: interrupt coalescing trades latency for interrupts: the
// longer an interrupt may wait (rx-usecs), the fewer interrupts per packet
// and the longer a lone packet waits; rx-frames caps the wait under load
// but not for a lone packet.
#include "exp/experiment.hpp"
#include "exp/flood.hpp"

#include <fmt/format.h>

namespace exp_coalesce {
namespace {

using namespace nettune::exp;

Judgement judge(const Results &r)
{
	const Row &lo = r.first("frames-0"), &hi = r.last("frames-0");
	const double ia = lo.values.at("irqs_per_pkt"), ib = hi.values.at("irqs_per_pkt");
	const double la = lo.values.at("rtt_us"), lb = hi.values.at("rtt_us");
	const double usecs = hi.x - lo.x;
	const double fb = r.last("frames-8").values.at("irqs_per_pkt");
	const double flb = r.last("frames-8").values.at("rtt_us");
	std::string numbers = fmt::format(
		"rx-usecs {:.0f} -> {:.0f}: interrupts per packet {:.3f} -> {:.3f}, median ping "
		"RTT "
		"{:.0f} -> {:.0f} us; with rx-frames 8 at rx-usecs {:.0f}: {:.3f} interrupts per "
		"packet, RTT {:.0f} us",
		lo.x, hi.x, ia, ib, la, lb, hi.x, fb, flb);
	const bool fewer = ib <= 0.5 * ia;
	const bool slower = lb - la >= 0.5 * usecs;
	if (fewer && slower)
		return {Verdict::reproduced, numbers};
	if (fewer || slower)
		return {Verdict::partly,
			numbers + (fewer ? ": interrupts fall, but the RTT grows by less than half "
					   "the added delay"
					 : ": the RTT grows, but interrupts per packet do not "
					   "halve")};
	return {Verdict::not_reproduced, numbers};
}

Experiment make()
{
	Experiment e;
	e.name = "coalesce";
	e.order = 3;
	e.title = "Interrupt coalescing: latency against interrupt rate";
	e.claim = "Raising rx-usecs lowers interrupts per packet and adds up to rx-usecs of "
		  "latency; rx-frames bounds the wait under load, not for a lone packet";
	e.anchor = "ethtool(8) -C rx-usecs / rx-frames; NIC interrupt moderation (e.g. "
		   "Intel's \"Interrupt Moderation\" application notes)";
	e.setup = "An ntvnic pair (1 queue, NAPI); the receiver's RX coalescing is set with "
		  "nettune vnic set (as ethtool -C) to rx-usecs from the sweep and rx-frames 0 "
		  "(time only) or 8. Interrupts: pktgen on CPU 0 sends 64-byte UDP at 3 kpps to "
		  "a port without a socket, the RX interrupt on CPU 1, ethtool -S counters. "
		  "Latency: 20 pings (50 ms apart, no other load), median RTT.";
	e.variants = {"frames-0", "frames-8"};
	e.x = {"rx_usecs", "rx-usecs", 0};
	e.quick_points = {0, 50, 200, 1000};
	e.full_points = {0, 10, 25, 50, 100, 200, 500, 1000, 2000};
	e.columns = {{"rx_kpps", "received kpps", 1},
		     {"irqs_per_pkt", "irqs/pkt", 3},
		     {"irq_kps", "irqs k/s", 2},
		     {"rtt_us", "median rtt us", 0},
		     {"rtt_p90_us", "p90 rtt us", 0}};
	e.plot = {"",
		  "rx-usecs",
		  "RX interrupts per packet (3 kpps)",
		  "median ping RTT (us)",
		  {"irqs_per_pkt"},
		  {"rtt_us"},
		  false};
	e.prepare = [](Run &run, const std::string &variant) {
		FloodSpec spec;
		auto rig = make_flood_rig(run, spec);
		const uint32_t frames = variant == "frames-8" ? 8 : 0;
		return Measure([&run, rig, frames](double x) {
			nettune::vnic::Settings s;
			s.rx_usecs = static_cast<uint32_t>(x);
			s.rx_frames = frames;
			run.lab.vnic_set(rig->pair.ns_b, rig->pair.b, s);
			auto f = measure_flood(run, *rig, 3000, 0.5, run.quick ? 1.5 : 3);
			run.check();
			auto p = ping(rig->pair.ns_a, rig->pair.b_addr, run.quick ? 20 : 50, 0.05);
			return Values{{"rx_kpps", f.rx_pps / 1e3},
				      {"irqs_per_pkt", f.irqs_per_pkt},
				      {"irq_kps", f.irq_ps / 1e3},
				      {"rtt_us", p.median_us()},
				      {"rtt_p90_us", p.percentile_us(90)}};
		});
	};
	e.judge = judge;
	return e;
}

} // namespace
} // namespace exp_coalesce

NETTUNE_EXPERIMENT(coalesce, exp_coalesce::make);
