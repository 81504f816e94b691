// TCP experiment 1: the receive fast path. tcp_rcv_established() takes an
// in-order segment that matches the predicted header (flags, window,
// sequence = rcv_nxt) without the general state machine and counts it in
// TcpExtTCPHPHits. The prediction is switched off while the out-of-order
// queue holds data, so loss and reordering push segments to the slow path.
#include "exp/experiment.hpp"
#include "exp/tcp.hpp"

#include <fmt/format.h>

namespace exp_tcp_fastpath {
namespace {

using namespace nettune::exp;

double share_at_end(const Results &r, const std::string &variant)
{
	return r.last(variant).values.at("hp_pct");
}

Judgement judge(const Results &r)
{
	const double clean =
		(r.first("loss").values.at("hp_pct") + r.first("reorder").values.at("hp_pct")) / 2;
	const double loss = share_at_end(r, "loss"), reorder = share_at_end(r, "reorder");
	const double lx = r.last("loss").x, rx = r.last("reorder").x;
	std::string numbers = fmt::format(
		"header prediction took {:.1f}% of received segments on the clean path, {:.1f}% "
		"with {:g}% loss and {:.1f}% with {:g}% reordering",
		clean, loss, lx, reorder, rx);
	const bool fast = clean >= 80;
	const bool loss_falls = loss <= 0.75 * clean, reorder_falls = reorder <= 0.75 * clean;
	if (fast && loss_falls && reorder_falls)
		return {Verdict::reproduced, numbers};
	const std::string falls =
		loss_falls && reorder_falls ? "loss and reordering both push at least a quarter of "
					      "it to the slow path"
		: loss_falls ? "loss pushes at least a quarter of it to the slow path, reordering "
			       "does not"
		: reorder_falls ? "reordering pushes at least a quarter of it to the slow path, "
				  "loss does not"
				: "neither loss nor reordering pushes a quarter of it to the slow "
				  "path";
	if (!fast)
		return {Verdict::not_reproduced,
			numbers +
				": even the clean path does not run mostly on the fast path "
				"(below 80%; a predicted segment also leaves it when its "
				"truesize exceeds the socket's sk_forward_alloc, in "
				"tcp_rcv_established; the clean path also lost packets to the "
				"emulated machine, see its retransmissions); " +
				falls};
	return {Verdict::partly, numbers + ": the fast path carries the clean path, but " + falls};
}

Experiment make()
{
	Experiment e;
	e.name = "tcp-fastpath";
	e.order = 21;
	e.title = "TCP header prediction: the fast path and what breaks it";
	e.claim = "On a clean path nearly every received data segment takes TCP's "
		  "header-prediction fast path; loss and reordering push segments to the slow "
		  "path";
	e.anchor = "V. Jacobson, \"4BSD TCP header prediction\", ACM CCR 20(2), 1990; Linux "
		   "tcp_rcv_established() (net/ipv4/tcp_input.c): the fast path runs only while "
		   "the out-of-order queue is empty (tcp_fast_path_check)";
	e.setup = "A veth pair between two namespaces with TSO, GSO and GRO off on both ends "
		  "(every segment one 1500-byte packet). netem on the sender's egress: 1 ms "
		  "delay and a queue (limit 10000) no window fills, plus random loss (variant "
		  "loss) or sending that share of packets "
		  "without the delay (variant reorder, netem reorder). An iperf3 bulk transfer "
		  "(CUBIC) per point; the receiver's TcpExtTCPHPHits against its Tcp InSegs "
		  "(nstat names, the receiver's namespace), TCPOFOQueue and the sender's "
		  "retransmissions.";
	e.variants = {"loss", "reorder"};
	e.x = {"impair_pct", "loss or reorder %", 1};
	e.quick_points = {0, 1, 5};
	e.full_points = {0, 0.1, 0.5, 1, 2, 5, 10};
	e.columns = {{"mbps", "Mbit/s", 1},
		     {"in_segs_k", "InSegs k", 1},
		     {"hp_pct", "HPHits % of InSegs", 1},
		     {"ofo_pct", "OFO-queued %", 1},
		     {"retrans", "retransmits", 0}};
	e.plot = {"",
		  "random loss or reordering (% of packets)",
		  "segments taken by header prediction (%)",
		  "",
		  {"hp_pct"},
		  {},
		  false};
	e.prepare = [](Run &run, const std::string &variant) {
		PathSpec spec;
		spec.offloads = false;
		auto path = std::make_shared<Path>(veth_path(run, spec));
		auto server = std::make_shared<Iperf3Server>(path->ns_b, path->b_addr);
		return Measure([&run, path, server, variant](double x) {
			Netem n;
			n.delay_ms = 1;
			n.limit = 10000; // above any window: no drops but the asked ones
			(variant == "loss" ? n.loss_pct : n.reorder_pct) = x;
			set_netem(path->ns_a, path->a, n);
			SnmpDelta rx(path->ns_b);
			IperfSpec c;
			c.netns = path->ns_a;
			c.server = path->b_addr;
			c.seconds = run.quick ? 2 : 5;
			c.congestion = "cubic";
			auto res = run_iperf3(run, c);
			rx.read();
			const double in = rx("TcpInSegs");
			return Values{{"mbps", res.received_mbps},
				      {"in_segs_k", in / 1e3},
				      {"hp_pct", in > 0 ? 100 * rx("TcpExtTCPHPHits") / in : 0},
				      {"ofo_pct", in > 0 ? 100 * rx("TcpExtTCPOFOQueue") / in : 0},
				      {"retrans", static_cast<double>(res.retransmits)}};
		});
	};
	e.judge = judge;
	return e;
}

} // namespace
} // namespace exp_tcp_fastpath

NETTUNE_EXPERIMENT(tcp_fastpath, exp_tcp_fastpath::make);
