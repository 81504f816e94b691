// Experiment: reordering without loss, and RACK. A sender that infers loss
// from three duplicate ACKs (or SACKed segments above a hole) retransmits
// spuriously when segments are merely reordered; Linux learns the degree
// of reordering (tcp_info reordering, TCPSACKReorder) and raises its
// threshold; RACK (RFC 8985) judges loss by time and adapts its window to
// D-SACKs, and should retransmit less.
#include "exp/counters.hpp"
#include "exp/experiment.hpp"
#include "exp/tcp_path.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <fmt/format.h>

namespace exp_reorder {
namespace {

using namespace nettune::exp;

constexpr double rate_mbit = 10;

struct Sampled {
	double reordering = 0, reord_seen = 0;
};

// tcp_info of the bulk connection (the one that moved the most) while
// iperf3 runs.
Sampled sample_tcp_info(Run &run, const RoutedPath &p, Background &client)
{
	Sampled s{NAN, NAN};
	while (!client.done()) {
		run.sleep(0.5);
		const SsInfo *bulk = nullptr;
		double most = -1;
		auto conns = ss_tcp_info(p.ns_a, p.b_addr, 5201);
		for (const auto &c : conns)
			if (auto it = c.find("bytes_acked"); it != c.end() && it->second > most) {
				most = it->second;
				bulk = &c;
			}
		if (!bulk)
			continue;
		// ss prints reordering only when it is not the default 3
		auto r = bulk->find("reordering");
		const double reo = r == bulk->end() ? 3.0 : r->second;
		s.reordering = std::isnan(s.reordering) ? reo : std::max(s.reordering, reo);
		auto rs = bulk->find("reord_seen");
		const double seen = rs == bulk->end() ? 0.0 : rs->second;
		s.reord_seen = std::isnan(s.reord_seen) ? seen : std::max(s.reord_seen, seen);
	}
	return s;
}

Values measure_point(Run &run, const RoutedPath &p, double reorder_pct)
{
	std::string netem = "root netem delay 10ms limit 20000";
	if (reorder_pct > 0)
		netem += fmt::format(" reorder {}% 50%", reorder_pct);
	qdisc(run, p.ns_r, p.rb, words(netem));
	qdisc(run, p.ns_r, p.ra, words("root netem delay 10ms limit 20000"));
	auto snd0 = read_snmp(p.ns_a);
	auto q0 = qdisc_stats(p.ns_r, p.rb);
	IperfSpec is;
	is.netns = p.ns_a;
	is.server = p.b_addr;
	is.seconds = run.quick ? 4 : 10;
	// Application-limited at a rate this emulated VM sustains: no
	// congestion, no drops of its own, the same load in every run.
	is.extra = {"-b", fmt::format("{}M", rate_mbit)};
	is.congestion = "cubic";
	Background client(iperf3_argv(is));
	Sampled tcpi = sample_tcp_info(run, p, client);
	auto out = client.wait();
	auto res = parse_iperf3_json(out.output);
	auto snd1 = read_snmp(p.ns_a);
	auto q1 = qdisc_stats(p.ns_r, p.rb);
	auto d = [&](const char *k) { return double(delta(snd0, snd1, k)); };
	const double retrans = d("TcpRetransSegs") - d("TcpExtTCPSynRetrans");
	return Values{
		{"mbps", res.sent_mbps},
		{"retrans", retrans},
		{"retrans_per_1k", d("TcpOutSegs") ? 1000 * retrans / d("TcpOutSegs") : 0},
		{"path_drops", double(q1.dropped - q0.dropped)},
		{"sack_reorder", d("TcpExtTCPSACKReorder")},
		{"ts_reorder", d("TcpExtTCPTSReorder")},
		{"dsack_recv", d("TcpExtTCPDSACKRecv") + d("TcpExtTCPDSACKOfoRecv")},
		{"undo", d("TcpExtTCPDSACKUndo") + d("TcpExtTCPLossUndo") +
				 d("TcpExtTCPPartialUndo") + d("TcpExtTCPFullUndo")},
		{"reordering", tcpi.reordering},
		{"reord_seen", tcpi.reord_seen},
	};
}

Judgement judge(const Results &r)
{
	const auto &rack = r.last("rack").values, &dup = r.last("no-rack").values;
	const double top = r.last("rack").x;
	// Each variant against its own run without reordering: this emulated
	// host retransmits a little even then.
	const double clean_rack = r.first("rack").values.at("retrans_per_1k");
	const double clean_dup = r.first("no-rack").values.at("retrans_per_1k");
	const double drops = r.max_of("rack", "path_drops") + r.max_of("no-rack", "path_drops");
	std::string numbers = fmt::format(
		"at {}% of segments reordered (none lost: {:.0f} drops on the path): RACK "
		"retransmitted {:.1f} per 1000 segments, duplicate-ACK threshold (tcp_recovery=0) "
		"{:.1f}; reordering degree learned {:.0f} and {:.0f} (tcp_info; default 3), "
		"TCPSACKReorder {:.0f} and {:.0f}, D-SACKs {:.0f} and {:.0f}; throughput {:.0f} "
		"and {:.0f} Mbit/s; without reordering {:.2f} and {:.2f} per 1000",
		top, drops, rack.at("retrans_per_1k"), dup.at("retrans_per_1k"),
		rack.at("reordering"), dup.at("reordering"), rack.at("sack_reorder"),
		dup.at("sack_reorder"), rack.at("dsack_recv"), dup.at("dsack_recv"),
		rack.at("mbps"), dup.at("mbps"), clean_rack, clean_dup);
	if (drops > 0)
		return {Verdict::not_reproduced,
			numbers + ": the path dropped packets, so not every retransmission was "
				  "spurious"};
	// Spurious retransmissions from reordering: at least twice the
	// variant's own rate without it, in either variant.
	auto more = [](double reordered, double clean) {
		return reordered > 0 && reordered >= 2 * clean;
	};
	const bool spurious = more(dup.at("retrans_per_1k"), clean_dup) ||
			      more(rack.at("retrans_per_1k"), clean_rack);
	const bool learned = std::max(rack.at("reordering"), dup.at("reordering")) > 3;
	const bool rack_better = rack.at("retrans_per_1k") <= 0.67 * dup.at("retrans_per_1k");
	if (spurious && learned && rack_better)
		return {Verdict::reproduced, numbers};
	if (spurious && learned)
		return {Verdict::partly,
			numbers + ": reordering causes spurious retransmissions and the stack "
				  "learns its degree, but RACK does not retransmit clearly less "
				  "(less than 2/3) than the duplicate-ACK threshold here"};
	return {Verdict::not_reproduced,
		numbers + (spurious ? ": the stack did not report a learned reordering degree"
				    : ": reordering caused no spurious retransmissions")};
}

Experiment make()
{
	Experiment e;
	e.name = "reorder";
	e.order = 30;
	e.title = "Reordering without loss: spurious retransmissions, RACK off and on";
	e.claim = "Reordering without loss makes TCP retransmit spuriously; the stack learns the "
		  "reordering degree (tcp_info reordering, TCPSACKReorder), and RACK retransmits "
		  "less than the duplicate-ACK threshold";
	e.anchor = "RFC 8985 (RACK-TLP); RFC 4653 (TCP-NCR); Documentation/networking/"
		   "ip-sysctl.rst: tcp_recovery, tcp_reordering, tcp_max_reordering";
	e.setup = "sender -- router -- receiver namespaces joined by veth pairs. The router "
		  "delays data by 10 ms with netem and sends the swept share of segments at once "
		  "instead (reorder P% 50%: those overtake 10 ms of traffic), limit 20000 "
		  "packets so that nothing is dropped (the netem drop count is checked); ACKs "
		  "are delayed 10 ms. One iperf3 CUBIC flow at 10 Mbit/s (-b 10M: application "
		  "limited, so the path never congests and the emulated host drops nothing; 10 ms "
		  "is then about 9 segments), 4 s quick, 10 s full; the "
		  "sender's TcpExt counters before and after, and ss -ti every 0.5 s for the "
		  "connection's learned reordering (highest seen) and reord_seen. Variants: "
		  "net.ipv4.tcp_recovery=1 (RACK, the default) or 0 (duplicate-ACK / SACK "
		  "threshold) in the sender. Every retransmission counted is spurious.";
	e.variants = {"rack", "no-rack"};
	e.x = {"reorder_pct", "reordered %", 1};
	e.quick_points = {0, 10};
	e.full_points = {0, 0.5, 1, 2, 5, 10, 25};
	e.columns = {{"mbps", "Mbit/s", 1},
		     {"retrans", "retrans", 0},
		     {"retrans_per_1k", "retrans/1k segs", 2},
		     {"path_drops", "path drops", 0},
		     {"sack_reorder", "SACKReorder", 0},
		     {"ts_reorder", "TSReorder", 0},
		     {"dsack_recv", "D-SACKs", 0},
		     {"undo", "undos", 0},
		     {"reordering", "tcpi reordering", 0},
		     {"reord_seen", "reord_seen", 0}};
	e.plot = {"",
		  "segments reordered (%)",
		  "spurious retransmissions per 1000 segments",
		  "learned reordering degree (tcp_info)",
		  {"retrans_per_1k"},
		  {"reordering"},
		  false};
	e.prepare = [](Run &run, const std::string &variant) {
		auto p = std::make_shared<RoutedPath>(routed_path(run, RoutedSpec{}));
		run.lab.set_sysctl(p->ns_a, "net.ipv4.tcp_recovery", variant == "rack" ? "1" : "0");
		// one iperf3 server for the variant (kept alive by the measure)
		auto server = std::make_shared<Iperf3Server>(p->ns_b, p->b_addr);
		return Measure([&run, p, server](double x) { return measure_point(run, *p, x); });
	};
	e.judge = judge;
	return e;
}

} // namespace
} // namespace exp_reorder

NETTUNE_EXPERIMENT(reorder, exp_reorder::make);
