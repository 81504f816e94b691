// Experiment 6: RFS. With a socket flow table (rps_sock_flow_entries) and
// a per-queue flow table (rps_flow_cnt), the kernel records the CPU where
// a flow's reader last called recvmsg and steers the flow's protocol
// processing there; without them, processing stays on the CPU of the RX
// interrupt whatever CPU the reader runs on.
#include "exp/counters.hpp"
#include "exp/experiment.hpp"
#include "exp/flood.hpp"
#include "exp/steering.hpp"

#include <fmt/format.h>

namespace exp_rfs {
namespace {

using namespace nettune::exp;

constexpr int irq_cpu = 1;
constexpr unsigned flow_src_port = 10000; // the one flow's source port
constexpr uint64_t rate_pps = 4000;

Judgement judge(const Results &r)
{
	auto min_of = [&](const std::string &variant, const char *key) {
		double m = 1e9;
		for (const auto *row : r.series(variant))
			m = std::min(m, row->values.at(key));
		return m;
	};
	std::string numbers;
	for (const auto &v : {"no-rfs", "rfs"})
		for (const auto *row : r.series(v))
			numbers += fmt::format("{}{}: reader on CPU {:.0f}, {:.0f}% processed on "
					       "the reader's CPU, {:.0f}% on the interrupt's",
					       numbers.empty() ? "" : "; ", v, row->x,
					       row->values.at("reader_cpu_pct"),
					       row->values.at("irq_cpu_pct"));
	if (min_of("no-rfs", "delivered_kpps") <= 0 || min_of("rfs", "delivered_kpps") <= 0)
		return {Verdict::not_reproduced,
			"the reader received nothing at some point: " + numbers};
	const bool control = min_of("no-rfs", "irq_cpu_pct") >= 80;
	const bool follows = min_of("rfs", "reader_cpu_pct") >= 80;
	if (!control)
		return {Verdict::not_reproduced,
			numbers + ": without RFS the processing did not stay on the interrupt's "
				  "CPU, so the control does not hold"};
	if (follows)
		return {Verdict::reproduced, numbers};
	if (r.max_of("rfs", "rps_ipi_kps") > 0)
		return {Verdict::partly,
			numbers + ": RFS steered part of the flow (RPS IPIs were sent), but less "
				  "than 80% followed the reader at some point"};
	return {Verdict::not_reproduced, numbers + ": with RFS the processing did not follow "
						   "the reader"};
}

Experiment make()
{
	Experiment e;
	e.name = "rfs";
	e.order = 6;
	e.title = "RFS: a flow processed on its reader's CPU";
	e.claim = "With RFS a flow's protocol processing runs on the CPU where its reader "
		  "runs, and moves when the reader moves; without RFS it stays on the "
		  "interrupt's CPU";
	e.anchor = "Documentation/networking/scaling.rst, \"RFS: Receive Flow Steering\"";
	e.setup = "An ntvnic pair with one queue, its RX interrupt on CPU 1, IPv6 off. pktgen "
		  "on CPU 0 sends one UDP flow (64 bytes, 4 kpps) to a connected UDP socket (the "
		  "kernel records a socket's flow for RFS only when it is connected) whose "
		  "reader is pinned to CPU 0, then moved to CPU 1 (the sweep). RFS: "
		  "net.core.rps_sock_flow_entries 32768 and rx-0/rps_flow_cnt 32768, no "
		  "rps_cpus; no-rfs: neither. Per window: /proc/net/softnet_stat processed per "
		  "CPU (where __netif_receive_skb ran) and received_rps (RPS/RFS IPIs).";
	e.variants = {"no-rfs", "rfs"};
	e.x = {"reader_cpu", "reader cpu", 0};
	e.quick_points = {0, 1};
	e.full_points = {0, 1};
	e.columns = {{"offered_kpps", "offered kpps", 1},
		     {"delivered_kpps", "delivered kpps", 1},
		     {"reader_cpu_pct", "on reader cpu %", 0},
		     {"irq_cpu_pct", "on irq cpu %", 0},
		     {"rps_ipi_kps", "rps ipis k/s", 2}};
	e.plot = {"",
		  "CPU the reader runs on (the RX interrupt is on CPU 1)",
		  "processed on the reader's CPU (%)",
		  "",
		  {"reader_cpu_pct"},
		  {},
		  false};
	e.prepare = [](Run &run, const std::string &variant) {
		FloodSpec spec;
		spec.rx_cpu = irq_cpu;
		spec.udp_src_min = spec.udp_src_max = flow_src_port;
		auto rig = make_flood_rig(run, spec);
		const Pair &p = rig->pair;
		quiet_ipv6(run, p);
		if (variant == "rfs")
			enable_rfs(run, p.ns_b, p.b, 32768, 32768);
		UdpSinkSpec sink;
		sink.netns = p.ns_b;
		sink.addr = p.b_addr;
		sink.port = spec.udp_port;
		sink.cpu = 0;
		sink.peer_addr = p.a_addr;
		sink.peer_port = flow_src_port;
		rig->sink = std::make_unique<UdpSink>(sink);
		const int icpu = irq_cpu % run.cpus();
		return Measure([&run, rig, icpu](double x) {
			const int reader = static_cast<int>(x) % run.cpus();
			rig->sink->move_to_cpu(reader);
			auto f = measure_flood(run, *rig, rate_pps, 0.7, run.quick ? 2 : 5);
			const double t = f.seconds > 0 ? f.seconds : 1;
			return Values{
				{"offered_kpps", f.sent_pps / 1e3},
				{"delivered_kpps", f.app_pps / 1e3},
				{"reader_cpu_pct", processed_pct_on(f.softnet_cpus, reader)},
				{"irq_cpu_pct", processed_pct_on(f.softnet_cpus, icpu)},
				{"rps_ipi_kps",
				 double(softnet_total(f.softnet_cpus).received_rps) / t / 1e3}};
		});
	};
	e.judge = judge;
	return e;
}

} // namespace
} // namespace exp_rfs

NETTUNE_EXPERIMENT(rfs, exp_rfs::make);
