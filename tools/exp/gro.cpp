// Experiment 7: GRO. Generic receive offload merges the segments of a TCP
// stream that one NAPI poll finds into one large skb, so the stack above
// the driver runs once per merged skb instead of once per segment.
#include "exp/counters.hpp"
#include "exp/cpu.hpp"
#include "exp/experiment.hpp"
#include "exp/steering.hpp"
#include "exp/tcp_bulk.hpp"

#include <chrono>
#include <fmt/format.h>

namespace exp_gro {
namespace {

using namespace nettune::exp;

constexpr int rx_cpu = 1, tx_cpu = 0;

struct Snapshot {
	std::chrono::steady_clock::time_point t;
	std::map<std::string, uint64_t> nic, snmp;
	std::vector<CpuTime> cpu;
};

Snapshot snapshot(const Pair &p)
{
	return {std::chrono::steady_clock::now(), read_ethtool_stats(p.ns_b, p.b),
		read_snmp(p.ns_b), read_cpu_times()};
}

// Segments the IP layer saw: every IPv4 packet is counted once per
// segment by its ECN class (ip_rcv_finish_core adds gso_segs), while
// IpInReceives counts it once per skb.
uint64_t ip_segments(const Snapshot &a, const Snapshot &b)
{
	uint64_t n = 0;
	for (const char *k :
	     {"IpExtInNoECTPkts", "IpExtInECT0Pkts", "IpExtInECT1Pkts", "IpExtInCEPkts"})
		n += delta(a.snmp, b.snmp, k);
	return n;
}

// Counters are read while the link is quiet, before the client starts and
// after it ended: under emulation the runner can be descheduled for a
// long while between reading /proc/net/snmp and /proc/net/netstat, which
// skews ratios taken from a moving stream.
Values measure(Run &run, const Pair &p, Iperf3 &iperf, double mbit_s)
{
	const double seconds = run.quick ? 3 : 6;
	Snapshot a = snapshot(p);
	iperf.start_client(seconds, mbit_s);
	iperf.wait_client();
	run.sleep(0.2); // in-flight segments and their ACKs
	Snapshot b = snapshot(p);
	const double t = std::chrono::duration<double>(b.t - a.t).count();
	const double bytes = double(sum_queue_field(b.nic, "rx", "bytes") -
				    sum_queue_field(a.nic, "rx", "bytes"));
	const double frames = double(sum_queue_field(b.nic, "rx", "packets") -
				     sum_queue_field(a.nic, "rx", "packets"));
	const double skbs = double(delta(a.snmp, b.snmp, "IpInReceives"));
	const double segs = double(ip_segments(a, b));
	const CpuTime rx = cpu_of(cpu_time_delta(a.cpu, b.cpu), rx_cpu);
	const double softirq_ms = rx.softirq * 1e3;
	const double busy = rx.busy();
	const double all = busy + rx.idle + rx.iowait;
	const double mb = bytes / 1e6;
	return Values{{"mbit_s", bytes * 8 / t / 1e6},
		      {"mb", mb},
		      {"wire_kpps", frames / t / 1e3},
		      {"segs_per_skb", skbs > 0 ? segs / skbs : 0},
		      {"frames_per_skb", skbs > 0 ? frames / skbs : 0},
		      {"softirq_ms_per_mb", mb > 0 ? softirq_ms / mb : 0},
		      {"rx_cpu_ms_per_mb", mb > 0 ? busy * 1e3 / mb : 0},
		      {"rx_cpu_busy_pct", all > 0 ? 100 * busy / all : 0}};
}

Judgement judge(const Results &r)
{
	const Row &on = r.last("gro-on"), &off = r.last("gro-off");
	auto v = [](const Row &row, const char *k) { return row.values.at(k); };
	double off_max = 0;
	for (const auto *row : r.series("gro-off"))
		off_max = std::max(off_max, row->values.at("segs_per_skb"));
	// The CPU claim over the whole sweep, pooled: softirq time over bytes of
	// all the variant's runs (tick-sampled time is noisy run by run).
	auto pooled = [&](const std::string &variant) {
		double ms = 0, mb = 0;
		for (const auto *row : r.series(variant)) {
			ms += row->values.at("softirq_ms_per_mb") * row->values.at("mb");
			mb += row->values.at("mb");
		}
		return mb > 0 ? ms / mb : 0;
	};
	const double pooled_on = pooled("gro-on"), pooled_off = pooled("gro-off");
	const double ratio = pooled_on > 0 ? pooled_off / pooled_on : 0;
	const double cpu_on = v(on, "softirq_ms_per_mb"), cpu_off = v(off, "softirq_ms_per_mb");
	std::string numbers = fmt::format(
		"at {:.0f} Mbit/s asked: GRO on {:.1f} segments per skb, {:.1f} ms of softirq per "
		"MB on the receiving CPU, {:.0f} Mbit/s; GRO off {:.2f} segments per skb, {:.1f} "
		"ms per MB, {:.0f} Mbit/s; over all rates, {:.1f} ms of softirq per MB with GRO "
		"and "
		"{:.1f} without ({:.2f}x)",
		on.x, v(on, "segs_per_skb"), cpu_on, v(on, "mbit_s"), v(off, "segs_per_skb"),
		cpu_off, v(off, "mbit_s"), pooled_on, pooled_off, ratio);
	if (v(on, "mbit_s") <= 0 || v(off, "mbit_s") <= 0)
		return {Verdict::not_reproduced, "the stream carried nothing: " + numbers};
	if (off_max > 1.05)
		return {Verdict::not_reproduced,
			numbers + fmt::format(": with GRO off skbs still carried {:.2f} segments "
					      "(the wire delivers merged frames, so GRO is not "
					      "what merges them)",
					      off_max)};
	const bool merges = v(on, "segs_per_skb") >= 2;
	const bool cheaper = ratio >= 1.25;
	if (merges && cheaper)
		return {Verdict::reproduced, numbers};
	if (merges)
		return {Verdict::partly,
			numbers + ": GRO merges segments, but the softirq time per byte without "
				  "it is not 1.25x higher"};
	return {Verdict::not_reproduced,
		numbers + ": GRO on did not merge 2 or more segments per skb on average"};
}

Experiment make()
{
	Experiment e;
	e.name = "gro";
	e.order = 7;
	e.title = "GRO: segments per skb and receive CPU time";
	e.claim = "GRO merges a TCP stream's segments into fewer, larger skbs and cuts the "
		  "receive CPU time per byte; with GRO off every segment is its own skb";
	e.anchor = "Documentation/networking/segmentation-offloads.rst (Generic Receive "
		   "Offload); Documentation/networking/scaling.rst";
	e.setup = "An ntvnic pair (1 queue). The sender's TSO is off (ethtool -K tso off), so "
		  "the wire carries MSS-sized frames as a real link does; the receiver's GRO is on "
		  "or off (ethtool -K gro). iperf3 sends one TCP stream at a swept rate (-b; the "
		  "last point is 10 Gbit/s, as fast as it can here) from CPU 0 to an iperf3 "
		  "server on CPU 1, where the receiver's RX interrupt is too. Per window: "
		  "segments per skb = the IP layer's per-segment count (IpExtIn*ECT*Pkts, which "
		  "ip_rcv adds gso_segs to) over its per-skb count (IpInReceives), and as a check "
		  "the driver's received frames over IpInReceives; receive CPU time = CPU 1's "
		  "softirq and busy time in /proc/stat (tick-sampled) per MB received. Counters "
		  "are read with the link quiet, before each iperf3 run (3 s; 6 s in the full "
		  "run; -w 128K, so that little is left to drain when its time is up) and after "
		  "it, so Mbit/s is an average over the run and its start-up.";
	e.variants = {"gro-on", "gro-off"};
	e.x = {"asked_mbit_s", "asked Mbit/s", 0};
	e.quick_points = {10, 50, 10000};
	e.full_points = {5, 10, 20, 50, 100, 200, 10000};
	e.columns = {{"mbit_s", "Mbit/s", 0},
		     {"mb", "MB", 2},
		     {"wire_kpps", "wire kpps", 1},
		     {"segs_per_skb", "segs/skb", 2},
		     {"frames_per_skb", "frames/skb", 2},
		     {"softirq_ms_per_mb", "softirq ms/MB", 2},
		     {"rx_cpu_ms_per_mb", "rx cpu ms/MB", 2},
		     {"rx_cpu_busy_pct", "rx cpu busy %", 0}};
	e.plot = {"mbit_s",
		  "received (Mbit/s, one TCP stream)",
		  "segments per skb",
		  "softirq ms per MB on the receiving CPU",
		  {"segs_per_skb"},
		  {"softirq_ms_per_mb"},
		  false};
	e.prepare = [](Run &run, const std::string &variant) {
		PairSpec ps;
		Pair p = run.lab.vnic_pair(ps);
		quiet_ipv6(run, p);
		set_offload(run.lab, p.ns_a, p.a, "tso", false);
		set_offload(run.lab, p.ns_b, p.b, "gro", variant == "gro-on");
		run.lab.pin_irq(run.lab.queue_irq(p.ns_b, p.b, 0), rx_cpu % run.cpus());
		pin_tx_queue_irqs(run, p.ns_b, p.b, 1, rx_cpu);
		run.lab.pin_irq(run.lab.queue_irq(p.ns_a, p.a, 0), tx_cpu);
		pin_tx_queue_irqs(run, p.ns_a, p.a, 1, tx_cpu);
		auto iperf = std::make_shared<Iperf3>(Iperf3Spec{p.ns_b, p.b_addr, p.ns_a, 5201,
								 rx_cpu % run.cpus(), tx_cpu, 128});
		return Measure([&run, p, iperf](double x) { return measure(run, p, *iperf, x); });
	};
	e.judge = judge;
	return e;
}

} // namespace
} // namespace exp_gro

NETTUNE_EXPERIMENT(gro, exp_gro::make);
