// Experiment 5: RPS. On a port with one RX queue every packet's protocol
// processing runs on the CPU of that queue's interrupt; rps_cpus hands each
// flow (by its hash) to a CPU of the mask, through that CPU's backlog and
// an IPI.
#include "exp/counters.hpp"
#include "exp/experiment.hpp"
#include "exp/flood.hpp"
#include "exp/steering.hpp"

#include <fmt/format.h>

namespace exp_rps {
namespace {

using namespace nettune::exp;

constexpr int irq_cpu = 1;

Judgement judge(const Results &r)
{
	const Row &off = r.last("rps-off"), &on = r.last("rps-on");
	auto v = [](const Row &row, const char *k) { return row.values.at(k); };
	double off_min = 100;
	for (const auto *row : r.series("rps-off"))
		off_min = std::min(off_min, row->values.at("irq_cpu_pct"));
	std::string numbers = fmt::format(
		"at the heaviest load (offered {:.1f} / {:.1f} kpps): RPS off processed {:.0f}% "
		"on the interrupt's CPU, {:.2f} k RPS IPIs/s, delivered {:.1f} kpps; RPS on "
		"(rps_cpus all CPUs) {:.0f}% on the other CPUs, {:.2f} k IPIs/s, delivered {:.1f} "
		"kpps",
		v(off, "offered_kpps"), v(on, "offered_kpps"), v(off, "irq_cpu_pct"),
		v(off, "rps_ipi_kps"), v(off, "delivered_kpps"), v(on, "other_cpu_pct"),
		v(on, "rps_ipi_kps"), v(on, "delivered_kpps"));
	if (v(off, "rx_kpps") <= 0 || v(on, "rx_kpps") <= 0)
		return {Verdict::not_reproduced, "nothing was received: " + numbers};
	if (off_min < 90)
		return {Verdict::not_reproduced,
			numbers + fmt::format(": without RPS only {:.0f}% was processed on the "
					      "interrupt's CPU, so the control does not hold",
					      off_min)};
	const bool spreads = v(on, "other_cpu_pct") >= 25 && v(on, "rps_ipi_kps") > 0;
	if (!spreads)
		return {Verdict::not_reproduced,
			numbers + ": with rps_cpus set the processing stayed on the interrupt's "
				  "CPU"};
	// Delivery as a share of what was offered: with 2 vCPUs the CPU RPS
	// hands flows to is also pktgen's, which then offers less, so the
	// absolute rates of the two variants are not at the same load.
	auto share = [&](const Row &row) {
		return v(row, "offered_kpps") > 0
			       ? v(row, "delivered_kpps") / v(row, "offered_kpps")
			       : 0;
	};
	const double s_off = share(off), s_on = share(on);
	const std::string delivery = fmt::format("; the application got {:.0f}% of the offered "
						 "load with RPS off and {:.0f}% with it "
						 "on",
						 100 * s_off, 100 * s_on);
	if (s_on < 0.8 * s_off)
		return {Verdict::partly,
			numbers + delivery +
				": RPS spreads the processing, but delivers a smaller share: the "
				"IPIs and cross-CPU wake-ups cost more than the spread saves here"};
	return {Verdict::reproduced, numbers + delivery};
}

Experiment make()
{
	Experiment e;
	e.name = "rps";
	e.order = 5;
	e.title = "RPS: one RX queue, protocol processing over CPUs";
	e.claim = "On a single-queue port, rps_cpus spreads protocol processing from the "
		  "interrupt's CPU over the CPUs of the mask";
	e.anchor = "Documentation/networking/scaling.rst, \"RPS: Receive Packet Steering\"";
	e.setup = "An ntvnic pair with one queue; the receiver's RX interrupt and a UDP "
		  "application of ours (reads and counts) on CPU 1. pktgen on CPU 0 sends "
		  "64-byte UDP over 999 flows (source ports 10000-10998) at a swept rate (the last "
		  "point as "
		  "fast as it can). RPS off, or rps_cpus of rx-0 set to every CPU. Per window: "
		  "/proc/net/softnet_stat per CPU (processed: where __netif_receive_skb ran; "
		  "received_rps: RPS IPIs), the driver's and the application's rates.";
	e.variants = {"rps-off", "rps-on"};
	e.x = {"rate_kpps", "asked kpps", 0};
	e.quick_points = {3, 8, 1000};
	e.full_points = {2, 4, 6, 8, 10, 15, 1000};
	e.columns = {
		{"offered_kpps", "offered kpps", 1},           {"rx_kpps", "driver rx kpps", 1},
		{"delivered_kpps", "delivered kpps", 1},       {"irq_cpu_pct", "irq cpu %", 0},
		{"other_cpu_pct", "other cpus %", 0},          {"rps_ipi_kps", "rps ipis k/s", 2},
		{"backlog_drop_kpps", "backlog drops kpps", 1}};
	e.plot = {"offered_kpps",
		  "offered load (kpps, 64-byte UDP, 999 flows)",
		  "processed on the other CPUs (%)",
		  "delivered to the application (kpps)",
		  {"other_cpu_pct"},
		  {"delivered_kpps"},
		  false};
	e.prepare = [](Run &run, const std::string &variant) {
		FloodSpec spec;
		spec.rx_cpu = irq_cpu;
		spec.sink_cpu = irq_cpu;
		auto rig = make_flood_rig(run, spec);
		quiet_ipv6(run, rig->pair);
		if (variant == "rps-on")
			write_queue_sysfs(run.lab, rig->pair.ns_b, rig->pair.b, "rx-0", "rps_cpus",
					  cpu_mask_all(run.cpus()));
		const int cpu = irq_cpu % run.cpus();
		return Measure([&run, rig, cpu](double x) {
			auto f = measure_flood(run, *rig, static_cast<uint64_t>(x * 1000), 0.5,
					       run.quick ? 1.5 : 3);
			const double on_irq = processed_pct_on(f.softnet_cpus, cpu);
			const double others = processed_pct_off(f.softnet_cpus, cpu);
			const double t = f.seconds > 0 ? f.seconds : 1;
			return Values{
				{"offered_kpps", f.sent_pps / 1e3},
				{"rx_kpps", f.rx_pps / 1e3},
				{"delivered_kpps", f.app_pps / 1e3},
				{"irq_cpu_pct", on_irq},
				{"other_cpu_pct", others},
				{"rps_ipi_kps",
				 double(softnet_total(f.softnet_cpus).received_rps) / t / 1e3},
				{"backlog_drop_kpps", f.backlog_drop_pps / 1e3}};
		});
	};
	e.judge = judge;
	return e;
}

} // namespace
} // namespace exp_rps

NETTUNE_EXPERIMENT(rps, exp_rps::make);
