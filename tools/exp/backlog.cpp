// Experiment 8: the softnet backlog and the receive budget. A driver that
// hands packets to netif_rx() (here ntvnic in legacy mode, as non-NAPI
// drivers, veth and RPS do) queues them on the CPU's backlog, at most
// netdev_max_backlog of them; the rest are dropped and counted in
// softnet_stat's second column. net_rx_action() stops after netdev_budget
// packets or netdev_budget_usecs with work left and counts a time_squeeze.
#include "exp/cpu.hpp"
#include "exp/flood.hpp"

#include <fmt/format.h>

namespace exp_backlog {
namespace {

using namespace nettune::exp;

constexpr int rx_cpu = 1;

// The knob each variant sweeps; the others keep their defaults.
// netdev_budget_usecs is not swept: 6.1 refuses values below two jiffies
// (netdev_budget_usecs_min = 2 * USEC_PER_SEC / HZ, 8000 us at HZ=250),
// which is also its default, so it cannot be made small.
const char *knob_of(const std::string &variant)
{
	return variant == "max_backlog" ? "net.core.netdev_max_backlog" : "net.core.netdev_budget";
}

Judgement judge(const Results &r)
{
	const Row &bs = r.first("max_backlog"), &bl = r.last("max_backlog");
	const Row &us = r.first("budget"), &ul = r.last("budget");
	auto v = [](const Row &row, const char *k) { return row.values.at(k); };
	const std::string numbers = fmt::format(
		"netdev_max_backlog {:.0f}: {:.1f}% of received packets dropped at the backlog "
		"({:.0f}% of the drops on the RX CPU); {:.0f}: {:.1f}%. netdev_budget {:.0f}: "
		"{:.1f} time_squeeze/s; {:.0f}: {:.1f}/s (offered {:.1f}-{:.1f} kpps)",
		bs.x, v(bs, "drop_pct"), v(bs, "rx_cpu_drop_share"), bl.x, v(bl, "drop_pct"), us.x,
		v(us, "squeeze_ps"), ul.x, v(ul, "squeeze_ps"),
		std::min(v(bs, "offered_kpps"), v(bl, "offered_kpps")),
		std::max(v(bs, "offered_kpps"), v(bl, "offered_kpps")));
	const bool drops = v(bs, "drop_pct") >= 5 && v(bl, "drop_pct") <= 1 &&
			   v(bl, "drop_pct") * 5 <= v(bs, "drop_pct");
	const bool squeezes =
		v(us, "squeeze_ps") >= 1 && v(us, "squeeze_ps") >= 5 * v(ul, "squeeze_ps");
	const std::string usecs =
		". netdev_budget_usecs was not swept: 6.1 refuses values below two jiffies "
		"(8000 us at HZ=250), its default";
	if (drops && squeezes)
		return {Verdict::reproduced, numbers + usecs};
	if (drops)
		return {Verdict::partly,
			numbers +
				": the small backlog drops as claimed, but a small budget did not "
				"raise time_squeeze five-fold" +
				usecs};
	if (squeezes)
		return {Verdict::partly,
			numbers +
				": a small budget squeezes as claimed, but backlog drops did not "
				"go from some (>= 5%) to none (<= 1%) across the sweep" +
				usecs};
	return {Verdict::not_reproduced, numbers + usecs};
}

Experiment make()
{
	Experiment e;
	e.name = "backlog";
	e.order = 8;
	e.title = "softnet backlog and the receive budget";
	e.claim = "A netdev_max_backlog smaller than the bursts a CPU takes in drops packets "
		  "(softnet_stat dropped) that a larger one queues; a small netdev_budget makes "
		  "net_rx_action stop with work left (time_squeeze)";
	e.anchor = "Documentation/admin-guide/sysctl/net.rst (netdev_max_backlog, netdev_budget, "
		   "netdev_budget_usecs); net/core/dev.c enqueue_to_backlog() and "
		   "net_rx_action(); the usual tuning advice: raise netdev_max_backlog when "
		   "softnet_stat's 2nd column grows, netdev_budget when its 3rd does";
	e.setup = "An ntvnic pair (1 queue) in legacy mode: the receiver's interrupt handler "
		  "empties its RX ring into netif_rx(), i.e. onto the backlog of CPU 1 (its "
		  "interrupt's CPU), where process_backlog() takes them in NET_RX softirq. "
		  "pktgen (CPU 0) sends 64-byte UDP at 3 kpps (full run 4 kpps) to a port "
		  "without a socket. Each variant sweeps one sysctl, the others at their "
		  "defaults: max_backlog (net.core.netdev_max_backlog), budget "
		  "(net.core.netdev_budget). net.core.netdev_budget_usecs cannot be swept "
		  "down: 6.1 refuses values below two jiffies (netdev_budget_usecs_min = "
		  "2 * USEC_PER_SEC / HZ, 8000 us at HZ=250; writing 1 returns EINVAL), "
		  "which is also its default. Per "
		  "point from /proc/net/softnet_stat, per CPU: dropped (as a share of the "
		  "packets the driver received, and the RX CPU's share of it) and time_squeeze "
		  "per second; the UDP rate delivered (Udp NoPorts) and CPU 1's busy share.";
	e.variants = {"max_backlog", "budget"};
	e.x = {"value", "sysctl value", 0};
	e.quick_points = {1, 16, 256, 4096};
	e.full_points = {1, 4, 16, 64, 256, 1024, 4096};
	e.columns = {{"offered_kpps", "offered kpps", 1},     {"rx_kpps", "driver rx kpps", 1},
		     {"delivered_kpps", "delivered kpps", 1}, {"drop_pct", "backlog drop %", 1},
		     {"rx_cpu_drop_share", "on RX CPU %", 0}, {"squeeze_ps", "squeeze/s", 1},
		     {"rx_cpu_pct", "RX CPU busy %", 0}};
	e.plot = {"",
		  "sysctl value (netdev_max_backlog or netdev_budget)",
		  "packets dropped at the backlog (%)",
		  "time_squeeze per second",
		  {"drop_pct"},
		  {"squeeze_ps"},
		  true};
	e.prepare = [](Run &run, const std::string &variant) {
		pin_runner(run.cleanup, 0);
		FloodSpec spec;
		spec.pair.mode = nettune::vnic::Mode::legacy;
		spec.rx_cpu = rx_cpu;
		auto rig = make_flood_rig(run, spec);
		const std::string knob = knob_of(variant);
		// Restored once, at the end of the variant.
		run.lab.set_sysctl("", knob, read_sysctl("", knob));
		return Measure([&run, rig, knob](double x) {
			write_sysctl("", knob, fmt::format("{:.0f}", x));
			const double rate = run.quick ? 3000 : 4000;
			auto f = measure_flood(run, *rig, static_cast<uint64_t>(rate), 0.7,
					       run.quick ? 2 : 4);
			const double rx_pkts = f.rx_pps * f.seconds;
			const double dropped = f.backlog_drop_pps * f.seconds;
			double on_rx_cpu = 0;
			for (const auto &c : f.softnet_cpus)
				if (static_cast<int>(c.cpu) == rx_cpu % run.cpus())
					on_rx_cpu = static_cast<double>(c.dropped);
			return Values{{"offered_kpps", f.sent_pps / 1e3},
				      {"rx_kpps", f.rx_pps / 1e3},
				      {"delivered_kpps", f.noports_pps / 1e3},
				      {"drop_pct", rx_pkts > 0 ? 100 * dropped / rx_pkts : 0},
				      {"rx_cpu_drop_share",
				       dropped > 0 ? 100 * on_rx_cpu / dropped : NAN},
				      {"squeeze_ps", f.squeeze_ps},
				      {"rx_cpu_pct",
				       100 * busy_seconds(f.cpu, rx_cpu, f.seconds) / f.seconds}};
		});
	};
	e.judge = judge;
	return e;
}

} // namespace
} // namespace exp_backlog

NETTUNE_EXPERIMENT(backlog, exp_backlog::make);
