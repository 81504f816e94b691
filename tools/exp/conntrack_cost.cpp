// Experiment 11: what connection tracking costs per packet. The same UDP
// flood into a namespace where conntrack is on, untracked by an iptables
// raw-table NOTRACK rule, or by ntbypass, side by side in every round.
#include "exp/cpu.hpp"
#include "exp/filters.hpp"
#include "exp/flood.hpp"
#include "exp/paired.hpp"

#include <fmt/format.h>

namespace exp_conntrack_cost {
namespace {

using namespace nettune::exp;

constexpr int rx_cpu = 1;
constexpr unsigned port = 9;

Judgement judge(const Results &r)
{
	const double notrack = median_over_rows(r, "", "notrack_gain");
	const double bypass = median_over_rows(r, "", "bypass_gain");
	const auto [nlo, nhi] = range_over_rows(r, "", "notrack_gain");
	const auto [blo, bhi] = range_over_rows(r, "", "bypass_gain");
	const double ct_us = median_over_rows(r, "", "ct_us"),
		     nt_us = median_over_rows(r, "", "notrack_us"),
		     bp_us = median_over_rows(r, "", "bypass_us");
	const double ct_k = median_over_rows(r, "", "ct_kpps"),
		     nt_k = median_over_rows(r, "", "notrack_kpps"),
		     bp_k = median_over_rows(r, "", "bypass_kpps");
	const std::string numbers = fmt::format(
		"receive CPU per packet (median of {} rounds): conntrack {:.1f} us, NOTRACK "
		"{:.1f} us, ntbypass {:.1f} us; conntrack costs {:.2f}x NOTRACK's (rounds "
		"{:.2f}-{:.2f}) and {:.2f}x ntbypass's ({:.2f}-{:.2f}); delivered {:.1f} / {:.1f} "
		"/ {:.1f} kpps; the receive CPU was {:.0f}% busy with conntrack",
		r.series("").size(), ct_us, nt_us, bp_us, notrack, nlo, nhi, bypass, blo, bhi, ct_k,
		nt_k, bp_k, median_over_rows(r, "", "ct_cpu_pct"));
	// A saving: the median ratio at least 1.1 and no round the other way
	// (single rounds carry tens of % of noise here: a lightly loaded
	// receive CPU gets few tick samples in a short window).
	const bool nt_saves = notrack >= 1.1 && nlo >= 1.0, bp_saves = bypass >= 1.1 && blo >= 1.0;
	const double bp_vs_nt = bypass / notrack;
	const bool level = bp_vs_nt >= 0.8 && bp_vs_nt <= 1.25;
	if (nt_saves && bp_saves && level)
		return {Verdict::reproduced,
			numbers + ": untracking saves conntrack's share of the receive path, and "
				  "ntbypass saves as much as NOTRACK"};
	if (nt_saves || bp_saves)
		return {Verdict::partly,
			numbers +
				fmt::format(
					": only {} saves 10% or more in the median with no "
					"round the other way, ntbypass/NOTRACK saving ratio {:.2f}",
					nt_saves && bp_saves ? "both, not level,"
					: nt_saves           ? "NOTRACK"
							     : "ntbypass",
					bp_vs_nt)};
	return {Verdict::not_reproduced,
		numbers + ": conntrack's per-packet cost is not above what this run resolves "
			  "(a 10% median saving with every round agreeing); on this emulated "
			  "machine the rest of the receive path "
			  "(the emulated interrupt, NAPI, IP, the UDP lookup and its ICMP "
			  "port-unreachable) dominates"};
}

Values measure_one(Run &run, FloodRig &rig)
{
	const double window = run.quick ? 1.5 : 4;
	auto f = measure_flood(run, rig, 0, 0.7, window);
	// Each packet that crossed PREROUTING, conntrack and INPUT reaches UDP
	// and finds no socket (Udp NoPorts): that is the delivered rate.
	const double delivered = f.noports_pps;
	return Values{{"kpps", delivered / 1e3},
		      {"us", busy_us_per_packet(f.cpu, rx_cpu, f.seconds, delivered * f.seconds)},
		      {"offered_kpps", f.sent_pps / 1e3},
		      {"cpu_pct", 100 * busy_seconds(f.cpu, rx_cpu, f.seconds) / f.seconds},
		      {"entries", static_cast<double>(conntrack_entries(rig.pair.ns_b))}};
}

Experiment make()
{
	Experiment e;
	e.name = "conntrack-cost";
	e.order = 11;
	e.title = "Conntrack cost: tracked, NOTRACK and ntbypass";
	e.claim = "Connection tracking costs every packet CPU time; untracking the flow "
		  "(iptables raw NOTRACK, or ntbypass) saves it, and ntbypass saves as much as "
		  "NOTRACK";
	e.anchor = "iptables-extensions(8) CT --notrack and the raw table (\"used mainly for "
		   "configuring exemptions from connection tracking\"); "
		   "Documentation/networking/nf_conntrack-sysctl.rst; Documentation/bypass.rst";
	e.setup =
		"Three ntvnic pairs (1 queue, NAPI), one per configuration, set up once; "
		"in each round pktgen (CPU 0) floods each pair in turn, in a random order, 64-byte "
		"UDP to port 9 of the receiver, source ports 10000-10999 (1000 flows), as fast as "
		"it can; the "
		"receiver's RX interrupt is on CPU 1 and it has no socket on the port, so each "
		"packet that crossed PREROUTING, conntrack and INPUT ends in Udp NoPorts "
		"(the delivered rate). Conntrack is on in every receiver (an nft input chain "
		"with 'ct state invalid drop'). Configurations: ct (tracked), notrack (iptables -t "
		"raw -A PREROUTING -p udp --dport 9 -j CT "
		"--notrack), bypass (nettune bypass rule 'proto udp dport 9'). Cost: CPU 1's "
		"busy time (/proc/stat) per delivered packet; "
		"gain: conntrack's cost over the "
		"untracked one's, in the same round.";
	e.x = {"round", "round", 0};
	e.quick_points = {1, 2, 3};
	e.full_points = {1, 2, 3, 4, 5, 6, 7, 8};
	e.columns = {{"ct_kpps", "ct kpps", 1},           {"notrack_kpps", "notrack kpps", 1},
		     {"bypass_kpps", "bypass kpps", 1},   {"ct_us", "ct us/pkt", 1},
		     {"notrack_us", "notrack us/pkt", 1}, {"bypass_us", "bypass us/pkt", 1},
		     {"notrack_gain", "ct/notrack", 2},   {"bypass_gain", "ct/bypass", 2},
		     {"ct_entries", "ct entries", 0},     {"ct_cpu_pct", "ct RX CPU %", 0}};
	e.plot = {"",
		  "round (the three configurations measured side by side)",
		  "receive CPU per delivered packet (us)",
		  "",
		  {"ct_us", "notrack_us", "bypass_us"},
		  {},
		  false};
	e.prepare = [](Run &run, const std::string &) {
		pin_runner(run.cleanup, 0);
		// One pair per configuration, set up once (rules and modules
		// loaded outside the rounds); pktgen floods one at a time.
		auto rigs = std::make_shared<std::map<std::string, std::shared_ptr<FloodRig>>>();
		for (const std::string name : {"ct", "notrack", "bypass"}) {
			FloodSpec spec;
			spec.rx_cpu = rx_cpu;
			spec.udp_port = port;
			spec.pair.tag = name.substr(0, 2);
			auto rig = make_flood_rig(run, spec);
			const std::string ns = rig->pair.ns_b;
			enable_conntrack(run.lab, ns);
			if (name == "notrack")
				add_iptables_rule(run.lab, ns, "raw", "PREROUTING",
						  {"-p", "udp", "--dport", std::to_string(port),
						   "-j", "CT", "--notrack"});
			if (name == "bypass")
				add_bypass_rule(run.lab, ns,
						"proto udp dport " + std::to_string(port));
			(*rigs)[name] = rig;
		}
		auto configs = std::make_shared<std::vector<Config>>(std::vector<Config>{
			{"ct", nullptr}, {"notrack", nullptr}, {"bypass", nullptr}});
		return Measure([&run, rigs, configs](double) {
			Values v =
				measure_side_by_side(run, *configs, [&](const std::string &name) {
					return measure_one(run, *rigs->at(name));
				});
			v["notrack_gain"] = v["ct_us"] / v["notrack_us"];
			v["bypass_gain"] = v["ct_us"] / v["bypass_us"];
			return v;
		});
	};
	e.judge = judge;
	return e;
}

} // namespace
} // namespace exp_conntrack_cost

NETTUNE_EXPERIMENT(conntrack_cost, exp_conntrack_cost::make);
