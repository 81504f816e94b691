// Experiment: bufferbloat. A loss-based sender (CUBIC) fills whatever
// queue sits at the bottleneck, so the RTT under load grows by the queue's
// depth in time; BBR paces at the bottleneck rate and keeps the queue
// short; fq_codel at the bottleneck keeps it short for any sender (CoDel)
// and lets a sparse flow such as ping bypass it (flow queueing).
#include "exp/counters.hpp"
#include "exp/experiment.hpp"
#include "exp/load.hpp"
#include "exp/tcp_path.hpp"

#include <algorithm>
#include <chrono>
#include <fmt/format.h>

namespace exp_bufferbloat {
namespace {

using namespace nettune::exp;

constexpr double rate_mbit = 2, base_rtt_ms = 20;

struct VariantSpec {
	std::string algo;
	bool fq_codel;
};

VariantSpec variant_spec(const std::string &v)
{
	if (v == "cubic")
		return {"cubic", false};
	if (v == "bbr")
		return {"bbr", false};
	return {"cubic", true}; // cubic-fq_codel
}

// The queue's depth in time at the bottleneck rate.
double queue_ms(double queue_kb)
{
	return queue_kb * 1000 * 8 / (rate_mbit * 1e6) * 1000;
}

// Waits until the flow has been sending through the bottleneck for a
// second's worth of packets at its rate (iperf3's start and slow start are
// behind it, and the queue had time to fill), at most 10 s. The pings must
// measure the RTT of a loaded path: a fixed delay after launching iperf3
// was not enough on a loaded, emulated host (the pings went out before the
// flow ran).
void wait_for_bottleneck(Run &run, const RoutedPath &p, const QdiscStats &before)
{
	const double second_of_packets = rate_mbit * 1e6 / 8 / 1514;
	for (int i = 0; i < 100; i++) {
		if (double(qdisc_stats(p.ns_r, p.rb).sent_pkts - before.sent_pkts) >=
		    second_of_packets)
			return;
		run.sleep(0.1);
	}
}

Values measure_point(Run &run, const RoutedPath &p, const VariantSpec &v, double queue_kb)
{
	qdisc(run, p.ns_r, p.rb,
	      words(fmt::format("root handle 1: tbf rate {}mbit burst 10kb limit {:.0f}", rate_mbit,
				queue_kb * 1000)));
	if (v.fq_codel)
		qdisc(run, p.ns_r, p.rb,
		      words(fmt::format("parent 1:1 handle 10: fq_codel limit {:.0f}",
					std::max(64.0, queue_kb * 1000 / 1514))));
	qdisc(run, p.ns_r, p.ra, words(fmt::format("root netem delay {}ms", base_rtt_ms)));
	const auto idle = ping(p.ns_a, p.b_addr, 5, 0.05);
	auto q0 = qdisc_stats(p.ns_r, p.rb);
	IperfSpec is;
	is.netns = p.ns_a;
	is.server = p.b_addr;
	is.seconds = run.quick ? 6 : 15;
	is.congestion = v.algo;
	Background client(iperf3_argv(is));
	const auto started = std::chrono::steady_clock::now();
	wait_for_bottleneck(run, p, q0);
	// Ping for the rest of the transfer, less a second of margin.
	const double waited =
		std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
	const unsigned pings =
		static_cast<unsigned>(std::max(10.0, (is.seconds - waited - 1) / 0.1));
	const auto loaded = ping(p.ns_a, p.b_addr, pings, 0.1);
	auto out = client.wait();
	auto res = parse_iperf3_json(out.output);
	if (res.congestion != v.algo)
		throw nettune::Error("iperf3 ran " + res.congestion + ", not " + v.algo);
	auto q1 = qdisc_stats(p.ns_r, p.rb);
	return Values{
		{"mbps", res.sent_mbps},
		{"idle_rtt_ms", idle.median_us() / 1000},
		{"ping_ms", loaded.median_us() / 1000},
		{"ping_p90_ms", loaded.percentile_us(90) / 1000},
		{"flow_rtt_ms", res.mean_rtt_ms},
		{"retrans", double(res.retransmits)},
		{"queue_drops", double(q1.dropped - q0.dropped)},
	};
}

Judgement judge(const Results &r)
{
	const auto &c = r.last("cubic").values, &b = r.last("bbr").values,
		   &f = r.last("cubic-fq_codel").values;
	const double q = r.last("cubic").x, qms = queue_ms(q);
	const double base = c.at("idle_rtt_ms");
	std::string numbers = fmt::format(
		"{:.0f} KB queue ({:.0f} ms at {} Mbit/s), idle RTT {:.1f} ms: under load CUBIC "
		"ping {:.0f} ms (its own RTT {:.0f} ms), BBR {:.0f} ms ({:.0f}), CUBIC with "
		"fq_codel {:.0f} ms ({:.0f}); throughput {:.1f} / {:.1f} / {:.1f} Mbit/s",
		q, qms, rate_mbit, base, c.at("ping_ms"), c.at("flow_rtt_ms"), b.at("ping_ms"),
		b.at("flow_rtt_ms"), f.at("ping_ms"), f.at("flow_rtt_ms"), c.at("mbps"),
		b.at("mbps"), f.at("mbps"));
	const bool bloats = c.at("ping_ms") - base >= 0.5 * qms;
	const bool bbr_short = b.at("ping_ms") - base <= 0.25 * qms;
	const bool codel_short =
		f.at("ping_ms") - base <= 0.1 * qms && f.at("flow_rtt_ms") - base <= 0.25 * qms;
	const bool rates_kept =
		b.at("mbps") >= 0.8 * c.at("mbps") && f.at("mbps") >= 0.8 * c.at("mbps");
	if (!bloats)
		return {Verdict::not_reproduced,
			numbers + ": CUBIC did not fill half of the deep queue"};
	if (bbr_short && codel_short && rates_kept)
		return {Verdict::reproduced, numbers};
	std::string miss;
	if (!bbr_short)
		miss += ": BBR's RTT under load is more than a quarter of the queue above idle";
	if (!codel_short)
		miss += ": fq_codel did not keep the RTT near idle";
	if (!rates_kept)
		miss += ": BBR or fq_codel lost more than 20% of CUBIC's throughput";
	return {bbr_short || codel_short ? Verdict::partly : Verdict::not_reproduced,
		numbers + miss};
}

Experiment make()
{
	Experiment e;
	e.name = "bufferbloat";
	e.order = 28;
	e.title = "Bufferbloat: RTT under load on a deep queue, CUBIC, BBR, fq_codel";
	e.claim = "On a deep bottleneck queue CUBIC fills the queue and the RTT under load grows "
		  "by its depth; BBR keeps it near the idle RTT, and so does fq_codel at the "
		  "bottleneck, at about the same throughput";
	e.anchor = "J. Gettys, K. Nichols, \"Bufferbloat: dark buffers in the Internet\", ACM "
		   "Queue 2011; RFC 8289 (CoDel), RFC 8290 (FQ-CoDel); N. Cardwell et al., "
		   "\"BBR: congestion-based congestion control\", ACM Queue 2016";
	e.setup = fmt::format(
		"sender -- router -- receiver namespaces joined by veth pairs; the router's "
		"egress toward the receiver is a tbf bottleneck of {} Mbit/s whose queue (limit) "
		"is swept, its egress toward the sender delays ACKs {} ms. One iperf3 flow (6 s "
		"quick, 15 s full) with CUBIC or BBR (tcp_bbr, its own pacing), or CUBIC with "
		"fq_codel as tbf's child qdisc (default target 5 ms, interval 100 ms; limit "
		"in packets from the swept bytes). Pings (every 100 ms, from 2 s after the start "
		"to 1 s before the end) share the bottleneck: their median RTT is the RTT under "
		"load a second flow sees; the bulk flow's own mean RTT is iperf3's (tcp_info). "
		"Idle RTT: 5 pings before the flow.",
		rate_mbit, base_rtt_ms);
	e.variants = {"cubic", "bbr", "cubic-fq_codel"};
	e.x = {"queue_kb", "queue KB", 0};
	// quick: one deep queue only (the verdict reads it; the full run sweeps).
	// 250 KB (1 s at 2 Mbit/s) was more than a 6 s CUBIC flow filled here
	// (it reached 240 ms): 125 KB (500 ms).
	e.quick_points = {125};
	e.full_points = {12, 25, 50, 125, 250, 500};
	e.columns = {{"mbps", "Mbit/s", 2},
		     {"idle_rtt_ms", "idle rtt ms", 1},
		     {"ping_ms", "ping ms (load)", 1},
		     {"ping_p90_ms", "ping p90 ms", 1},
		     {"flow_rtt_ms", "flow rtt ms", 1},
		     {"retrans", "retrans", 0},
		     {"queue_drops", "queue drops", 0}};
	e.plot = {"",
		  "bottleneck queue (KB)",
		  "ping RTT under load (ms, median)",
		  "",
		  {"ping_ms"},
		  {},
		  true};
	e.prepare = [](Run &run, const std::string &variant) {
		auto p = std::make_shared<RoutedPath>(routed_path(run, RoutedSpec{}));
		const VariantSpec v = variant_spec(variant);
		// one iperf3 server for the variant (kept alive by the measure)
		auto server = std::make_shared<Iperf3Server>(p->ns_b, p->b_addr);
		return Measure(
			[&run, p, v, server](double x) { return measure_point(run, *p, v, x); });
	};
	e.judge = judge;
	return e;
}

} // namespace
} // namespace exp_bufferbloat

NETTUNE_EXPERIMENT(bufferbloat, exp_bufferbloat::make);
