// Experiment 12: XDP drop against iptables drop. The same pktgen flood
// into an ntvnic port, dropped by nettune xdp in the driver (native XDP,
// before any sk_buff of the receiver's), by an iptables raw PREROUTING
// rule, or by nft at the same hook, side by side in every round; the cost
// is the receiving CPU's busy time per dropped packet.
#include "exp/cpu.hpp"
#include "exp/filters.hpp"
#include "exp/flood.hpp"
#include "exp/paired.hpp"

#include <fmt/format.h>
#include <map>
#include <netinet/in.h>

namespace exp_xdp_drop {
namespace {

using namespace nettune::exp;

constexpr int rx_cpu = 1;
constexpr unsigned port = 9;

Judgement judge(const Results &r)
{
	const double ipt = median_over_rows(r, "", "ipt_ratio");
	const double nft = median_over_rows(r, "", "nft_ratio");
	const auto [lo, hi] = range_over_rows(r, "", "ipt_ratio");
	const double rate =
		median_over_rows(r, "", "ipt_kpps") / median_over_rows(r, "", "xdp_kpps");
	const std::string numbers = fmt::format(
		"receive CPU per dropped packet (median of {} rounds): XDP {:.1f} us, iptables "
		"raw {:.1f} us, nft {:.1f} us, the stack up to UDP {:.1f} us: iptables costs "
		"{:.2f}x XDP (rounds {:.2f}-{:.2f}), nft {:.2f}x; drop rate iptables/XDP {:.2f} "
		"({:.1f} against {:.1f} kpps, medians; the receiving CPU was {:.0f}% busy with "
		"XDP, {:.0f}% with iptables)",
		r.series("").size(), median_over_rows(r, "", "xdp_us"),
		median_over_rows(r, "", "ipt_us"), median_over_rows(r, "", "nft_us"),
		median_over_rows(r, "", "stack_us"), ipt, lo, hi, nft, rate,
		median_over_rows(r, "", "ipt_kpps"), median_over_rows(r, "", "xdp_kpps"),
		median_over_rows(r, "", "xdp_cpu_pct"), median_over_rows(r, "", "ipt_cpu_pct"));
	const std::string why =
		". Why not 10-100x here: the claim is about a NIC, where XDP runs on the "
		"DMA buffer and a drop saves allocating, filling and freeing an sk_buff plus "
		"the IP layer and netfilter. On ntvnic the frame's sk_buff already exists "
		"before the receiver sees it (pktgen made it on CPU 0, the wire forwards it); "
		"with XDP the wire copies it into a page on the sender's CPU instead. The "
		"receiving CPU saves only the stack walk (GRO, ip_rcv, the raw hook) "
		"against running the program and recycling the page, while the per-interrupt "
		"and per-poll costs, which are large under emulation, stay the same";
	// Cheaper: the median ratio and every round agree (single rounds carry
	// tens of % of noise: the receive CPU is lightly loaded and gets few
	// tick samples in a short window).
	if (ipt >= 10 && lo >= 1)
		return {Verdict::reproduced, numbers};
	if (ipt >= 1.25 && lo >= 1)
		return {Verdict::partly,
			numbers + ": XDP drops for less CPU, but not 10x less" + why};
	return {Verdict::not_reproduced,
		numbers +
			": XDP is not measurably cheaper than iptables here (a median "
			"ratio of at least 1.25 with every round agreeing)" +
			why};
}

Values measure_one(Run &run, FloodRig &rig, const std::string &name)
{
	const double window = run.quick ? 1.5 : 4;
	auto f = measure_flood(run, rig, 0, 0.7, window);
	// What the receiver took off its ring and did not deliver to UDP:
	// dropped by the program or the rule ("stack": delivered, Udp NoPorts).
	// A filter that did not drop would show as ~0 here.
	const double reached_udp = f.noports_pps + f.udp_in_pps;
	const double handled = name == "stack" ? reached_udp : f.rx_pps - reached_udp;
	Values v{{"kpps", handled / 1e3},
		 {"us", busy_us_per_packet(f.cpu, rx_cpu, f.seconds, handled * f.seconds)},
		 {"offered_kpps", f.sent_pps / 1e3},
		 {"cpu_pct", 100 * busy_seconds(f.cpu, rx_cpu, f.seconds) / f.seconds},
		 {"irqs_per_pkt", f.irqs_per_pkt},
		 {"ring_drop_kpps", f.ring_full_pps / 1e3}};
	return v;
}

Experiment make()
{
	Experiment e;
	e.name = "xdp-drop";
	e.order = 12;
	e.title = "XDP drop against iptables drop";
	e.claim = "Dropping in XDP costs a fraction of dropping in iptables (commonly said "
		  "10-100x fewer cycles per packet)";
	e.anchor = "Høiland-Jørgensen et al., \"The eXpress Data Path: fast programmable packet "
		   "processing in the operating system kernel\", CoNEXT 2018 (packet drop "
		   "benchmark against the Linux stack dropping in the iptables raw table); "
		   "Documentation/networking/xdp (the 10-100x figure is folklore around it)";
	e.setup = "Four ntvnic pairs (1 queue, NAPI), one per configuration with its filter, "
		  "set up once; in each round pktgen (CPU 0) floods each pair in turn, in a random "
		  "order, with 64-byte UDP to port 9 as fast as it can, 1000 source ports; the "
		  "receivers' RX interrupts are on CPU 1. Configurations: xdp (nettune xdp "
		  "attached in "
		  "native mode, 'deny udp 9': the driver runs it in its NAPI poll before any "
		  "sk_buff of its own), ipt (iptables -t raw -A PREROUTING -p udp --dport 9 -j "
		  "DROP), nft (an nft prerouting chain at priority raw, 'udp dport 9 drop'), and "
		  "stack (no filter: the packets reach UDP and find no socket, for scale). Cost: "
		  "CPU 1's busy time (/proc/stat) per dropped "
		  "(stack: delivered) packet; ratio: "
		  "iptables' (nft's) cost over XDP's in the same round. Generic XDP is left out: "
		  "ntvnic hands pktgen's shared skbs to the stack, and generic XDP on a shared "
		  "skb hits a kernel BUG on 6.1 (Documentation/bench-xdp.md).";
	e.x = {"round", "round", 0};
	e.quick_points = {1, 2, 3};
	e.full_points = {1, 2, 3, 4, 5, 6, 7, 8};
	e.columns = {{"xdp_kpps", "xdp kpps", 1},
		     {"ipt_kpps", "ipt kpps", 1},
		     {"nft_kpps", "nft kpps", 1},
		     {"stack_kpps", "stack kpps", 1},
		     {"xdp_us", "xdp us/pkt", 1},
		     {"ipt_us", "ipt us/pkt", 1},
		     {"nft_us", "nft us/pkt", 1},
		     {"stack_us", "stack us/pkt", 1},
		     {"ipt_ratio", "ipt/xdp cost", 2},
		     {"nft_ratio", "nft/xdp cost", 2},
		     {"xdp_cpu_pct", "xdp RX CPU %", 0},
		     {"ipt_cpu_pct", "ipt RX CPU %", 0},
		     {"xdp_irqs_per_pkt", "xdp irqs/pkt", 3},
		     {"ipt_irqs_per_pkt", "ipt irqs/pkt", 3}};
	e.plot = {"",
		  "round (the four configurations measured side by side)",
		  "receive CPU per dropped packet (us)",
		  "",
		  {"xdp_us", "ipt_us", "nft_us", "stack_us"},
		  {},
		  false};
	e.prepare = [](Run &run, const std::string &) {
		pin_runner(run.cleanup, 0);
		// One pair per configuration with its filter, set up once (loading
		// the XDP program takes seconds under emulation); pktgen floods
		// one pair at a time.
		auto rigs = std::make_shared<std::map<std::string, std::shared_ptr<FloodRig>>>();
		const std::string p = std::to_string(port);
		for (const std::string name : {"xdp", "ipt", "nft", "stack"}) {
			FloodSpec spec;
			spec.rx_cpu = rx_cpu;
			spec.udp_port = port;
			spec.pair.tag = name.substr(0, 2);
			auto rig = make_flood_rig(run, spec);
			const std::string ns = rig->pair.ns_b;
			if (name == "xdp")
				xdp_deny_port(run.lab, ns, rig->pair.b, nettune::xdp::Mode::native,
					      IPPROTO_UDP, port);
			if (name == "ipt")
				add_iptables_rule(run.lab, ns, "raw", "PREROUTING",
						  {"-p", "udp", "--dport", p, "-j", "DROP"});
			if (name == "nft")
				add_nft_chain(run.lab, ns,
					      {"ip",
					       "ntx_drop",
					       "pre",
					       "prerouting",
					       "raw",
					       {"udp dport " + p + " drop"}});
			(*rigs)[name] = rig;
		}
		auto configs = std::make_shared<std::vector<Config>>(std::vector<Config>{
			{"xdp", nullptr}, {"ipt", nullptr}, {"nft", nullptr}, {"stack", nullptr}});
		return Measure([&run, rigs, configs](double) {
			Values v =
				measure_side_by_side(run, *configs, [&](const std::string &name) {
					return measure_one(run, *rigs->at(name), name);
				});
			v["ipt_ratio"] = v["ipt_us"] / v["xdp_us"];
			v["nft_ratio"] = v["nft_us"] / v["xdp_us"];
			return v;
		});
	};
	e.judge = judge;
	return e;
}

} // namespace
} // namespace exp_xdp_drop

NETTUNE_EXPERIMENT(xdp_drop, exp_xdp_drop::make);
