// Experiment: forward (data) loss against ACK loss. Both make a sender
// retransmit, but differently: lost data comes back as SACK holes (fast
// retransmits, out-of-order queueing at the receiver); lost ACKs leave the
// sender without feedback (timeouts, spurious retransmits the receiver
// reports as D-SACKs). nettune diagnose's retransmission finding reads
// these counters: does it tell the two apart?
#include "exp/counters.hpp"
#include "exp/experiment.hpp"
#include "exp/tcp_path.hpp"
#include "observe_diagnose.hpp"
#include "observe_snapshot.hpp"

#include <fmt/format.h>

namespace exp_loss_signature {
namespace {

using namespace nettune::exp;
namespace observe = nettune::observe;

// What diagnose concluded, as a number for the table and plot.
enum Diagnosis { none = 0, forward = 1, ack_timeouts = 2, ack_dsack = 3, blackhole = 4 };

const char *diagnosis_name(double d)
{
	switch (static_cast<int>(d)) {
	case forward:
		return "forward loss";
	case ack_timeouts:
		return "ACK loss (timeouts)";
	case ack_dsack:
		return "ACK loss (D-SACKs)";
	case blackhole:
		return "PMTU black hole";
	default:
		return "no finding";
	}
}

Diagnosis read_diagnosis(const std::vector<observe::Finding> &findings)
{
	for (const auto &f : findings) {
		if (f.id == "pmtu_blackhole")
			return blackhole;
		if (f.id != "retrans_storm")
			continue;
		if (f.cause.rfind("forward", 0) == 0)
			return forward;
		if (f.cause.rfind("ACK path loss (reverse", 0) == 0)
			return ack_dsack;
		return ack_timeouts;
	}
	return none;
}

observe::Snapshot snapshot_in(const std::string &ns)
{
	NetnsScope in(ns);
	return observe::take_snapshot({});
}

Values measure_point(Run &run, const RoutedPath &p, const std::string &variant, double loss)
{
	const std::string l = fmt::format("loss {}%", loss);
	const std::string base = "delay 10ms limit 20000";
	qdisc(run, p.ns_r, p.rb,
	      words("root netem " + base + (variant == "data-loss" ? " " + l : "")));
	qdisc(run, p.ns_r, p.ra,
	      words("root netem " + base + (variant == "ack-loss" ? " " + l : "")));
	const auto softnet0 = softnet_total(read_softnet_stat());
	auto snd0 = read_snmp(p.ns_a);
	auto rcv0 = read_snmp(p.ns_b);
	auto s0 = snapshot_in(p.ns_a);
	IperfSpec is;
	is.netns = p.ns_a;
	is.server = p.b_addr;
	is.seconds = run.quick ? 4 : 10;
	is.congestion = "cubic";
	// At most 10 Mbit/s (-b): no congestion, and no drops of the emulated
	// host's own, so the only loss is the one asked for.
	is.extra = {"-b", "10M"};
	auto res = iperf3(is);
	auto s1 = snapshot_in(p.ns_a);
	auto snd1 = read_snmp(p.ns_a);
	const auto softnet1 = softnet_total(read_softnet_stat());
	auto rcv1 = read_snmp(p.ns_b);
	auto d = [&](const char *k) { return double(delta(snd0, snd1, k)); };
	auto rd = [&](const char *k) { return double(delta(rcv0, rcv1, k)); };
	const double retrans = d("TcpRetransSegs") - d("TcpExtTCPSynRetrans");
	return Values{
		{"mbps", res.sent_mbps},
		{"retrans", retrans},
		{"retrans_pct", d("TcpOutSegs") ? 100 * retrans / d("TcpOutSegs") : 0},
		{"fast", d("TcpExtTCPFastRetrans")},
		{"timeouts", d("TcpExtTCPTimeouts")},
		{"probes", d("TcpExtTCPLossProbes")},
		{"spurious_rto", d("TcpExtTCPSpuriousRTOs")},
		{"dsack_recv", d("TcpExtTCPDSACKRecv") + d("TcpExtTCPDSACKOfoRecv")},
		{"undo", d("TcpExtTCPLossUndo") + d("TcpExtTCPDSACKUndo")},
		{"rx_ofo", rd("TcpExtTCPOFOQueue")},
		{"rx_dsack_sent", rd("TcpExtTCPDSACKOldSent") + rd("TcpExtTCPDSACKOfoSent")},
		{"stack_drops", double(softnet1.dropped - softnet0.dropped)},
		{"diagnosis", double(read_diagnosis(observe::diagnose(s0, s1)))},
	};
}

// The signature of each kind of loss, from one row.
bool looks_like_data_loss(const Values &v)
{
	return v.at("rx_ofo") > 0 && v.at("fast") >= v.at("timeouts") &&
	       v.at("dsack_recv") < 0.3 * std::max(1.0, v.at("retrans"));
}

// Not "no out-of-order queueing at the receiver": the emulated path drops
// a few segments of its own at high rates (stack_drops), ACK loss or not.
bool looks_like_ack_loss(const Values &v)
{
	return v.at("dsack_recv") >= 0.3 * v.at("retrans") || v.at("timeouts") > v.at("fast");
}

Judgement judge(const Results &r)
{
	unsigned sig_ok = 0, rows = 0, diag_right = 0, diag_wrong = 0, diag_none = 0;
	std::string diag;
	for (const auto &row : r.rows) {
		const bool data = row.variant == "data-loss";
		rows++;
		sig_ok += data ? looks_like_data_loss(row.values) : looks_like_ack_loss(row.values);
		const int dg = static_cast<int>(row.values.at("diagnosis"));
		const bool right = data ? dg == forward : (dg == ack_timeouts || dg == ack_dsack);
		if (dg == none)
			diag_none++;
		else if (right)
			diag_right++;
		else
			diag_wrong++;
		diag += fmt::format("{}{} {}%: {}", diag.empty() ? "" : ", ", row.variant, row.x,
				    diagnosis_name(dg));
	}
	const auto &dl = r.last("data-loss"), &al = r.last("ack-loss");
	std::string numbers = fmt::format(
		"at {}% loss: data loss gave {:.0f} retransmits ({:.0f} fast, {:.0f} timeouts, "
		"{:.0f} D-SACKs received, {:.0f} segments queued out of order at the receiver); "
		"ACK loss gave {:.0f} retransmits ({:.0f} fast, {:.0f} timeouts, {:.0f} spurious "
		"RTOs, {:.0f} D-SACKs, {:.0f} out-of-order). {} of {} rows show their kind's "
		"signature. diagnose said: {}",
		dl.x, dl.values.at("retrans"), dl.values.at("fast"), dl.values.at("timeouts"),
		dl.values.at("dsack_recv"), dl.values.at("rx_ofo"), al.values.at("retrans"),
		al.values.at("fast"), al.values.at("timeouts"), al.values.at("spurious_rto"),
		al.values.at("dsack_recv"), al.values.at("rx_ofo"), sig_ok, rows, diag);
	if (sig_ok < rows)
		return {sig_ok * 2 >= rows ? Verdict::partly : Verdict::not_reproduced,
			numbers + ": the signatures are not distinct at every point"};
	if (diag_wrong == 0 && diag_none == 0)
		return {Verdict::reproduced,
			numbers + ": distinct signatures, and diagnose names each correctly"};
	const double ack_max_pct = r.max_of("ack-loss", "retrans_pct");
	return {Verdict::partly,
		numbers + fmt::format(
				  ": the counter signatures are distinct, but diagnose "
				  "misreads {} and misses {} of {} rows. Lost ACKs cost at most "
				  "{:.2f}% of segments in retransmissions here (cumulative ACKs "
				  "cover for the lost ones; what is retransmitted is mostly "
				  "loss probes that D-SACKs then show were spurious), below "
				  "diagnose's retransmission-storm threshold ({} retransmits and "
				  "{:.0f}% of segments), so it has nothing to tell apart",
				  diag_wrong, diag_none, rows, ack_max_pct,
				  observe::retrans_storm_min, observe::retrans_storm_ratio * 100)};
}

Experiment make()
{
	Experiment e;
	e.name = "loss-signature";
	e.order = 29;
	e.title = "Forward loss against ACK loss: counter signatures and diagnose";
	e.claim = "Data loss and ACK loss leave different counter signatures (fast retransmits "
		  "and receiver out-of-order queueing, against timeouts, spurious retransmits "
		  "and D-SACKs), and nettune diagnose's retransmission finding tells them apart";
	e.anchor = "RFC 6675 (SACK loss recovery), RFC 2883 (D-SACK), RFC 5682 (F-RTO, "
		   "spurious RTOs), RFC 8985 (RACK-TLP); the TcpExt counters in "
		   "include/uapi/linux/snmp.h; tools/lib/observe_diagnose.cpp";
	e.setup = "sender -- router -- receiver namespaces joined by veth pairs; the router "
		  "delays each direction by 10 ms (netem, limit 20000 packets, no rate limit) "
		  "and drops the swept share of the data (data-loss: egress toward the "
		  "receiver) or of the ACKs (ack-loss: egress toward the sender). One iperf3 "
		  "CUBIC flow of at most 10 Mbit/s (-b 10M) (4 s quick, 10 s full); TcpExt "
		  "counters of the sender and the "
		  "receiver before and after, softnet_stat backlog drops (the emulated path's own "
		  "incidental loss), and diagnose() run on the sender's two snapshots "
		  "as `nettune -n SENDER diagnose` would. diagnosis column: 0 no finding, 1 "
		  "forward loss, 2 ACK loss (timeouts dominate), 3 ACK loss (D-SACKs), 4 PMTU "
		  "black hole.";
	e.variants = {"data-loss", "ack-loss"};
	e.x = {"loss_pct", "loss %", 1};
	e.quick_points = {5, 30};
	e.full_points = {1, 2, 5, 10, 20, 30, 50};
	e.columns = {{"mbps", "Mbit/s", 1},
		     {"retrans", "retrans", 0},
		     {"retrans_pct", "retrans %", 2},
		     {"fast", "fast retrans", 0},
		     {"timeouts", "RTOs", 0},
		     {"probes", "TLPs", 0},
		     {"spurious_rto", "spurious RTOs", 0},
		     {"dsack_recv", "D-SACKs rcvd", 0},
		     {"undo", "undos", 0},
		     {"rx_ofo", "rx OFO queued", 0},
		     {"rx_dsack_sent", "rx D-SACKs sent", 0},
		     {"stack_drops", "backlog drops", 0},
		     {"diagnosis", "diagnosis", 0}};
	e.plot = {"",
		  "loss on the path (%)",
		  "retransmitted segments",
		  "",
		  {"retrans", "fast", "timeouts", "dsack_recv"},
		  {},
		  true};
	e.prepare = [](Run &run, const std::string &variant) {
		auto p = std::make_shared<RoutedPath>(routed_path(run, RoutedSpec{}));
		// one iperf3 server for the variant (kept alive by the measure)
		auto server = std::make_shared<Iperf3Server>(p->ns_b, p->b_addr);
		return Measure([&run, p, variant, server](double x) {
			return measure_point(run, *p, variant, x);
		});
	};
	e.judge = judge;
	return e;
}

} // namespace
} // namespace exp_loss_signature

NETTUNE_EXPERIMENT(loss_signature, exp_loss_signature::make);
