// TCP experiment 3: the bandwidth-delay product. A sender cannot have more
// than a window in flight, so throughput <= window / RTT: with tcp_rmem and
// tcp_wmem too small for the path, a long path runs far below its rate,
// and the limits `nettune tune bdp` computes (observe_tune: plan_bdp)
// restore it.
#include "exp/experiment.hpp"
#include "exp/tcp.hpp"
#include "observe_tune.hpp"
#include "sysfs.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace exp_bdp {
namespace {

using namespace nettune::exp;
namespace obs = nettune::observe;

constexpr double rate_mbit = 20;
// The too-small limits: 128 KB at most for either buffer.
const std::string small_rmem = "4096 65536 131072";
const std::string small_wmem = "4096 16384 131072";

// The window a receive buffer of `space` bytes advertises
// (tcp_adv_win_scale, as tcp_win_from_space on 6.1).
double window_of(double space, int scale)
{
	return scale <= 0 ? std::ldexp(space, scale) : space - std::ldexp(space, -scale);
}

std::string triple_max(const std::string &triple)
{
	auto w = nettune::split_whitespace(triple);
	return w.size() == 3 ? w[2] : "?";
}

Judgement judge(const Results &r)
{
	const Row &small = r.last("small"), &tuned = r.last("bdp");
	const double rtt = small.x;
	const double s = small.values.at("mbps"), cap = small.values.at("cap_mbps");
	const double t = tuned.values.at("mbps");
	std::string numbers =
		fmt::format("at {:g} ms RTT on a {:g} Mbit/s path: {:.1f} Mbit/s with tcp_rmem/"
			    "tcp_wmem max 128 KB (window/RTT predicts {:.1f}), {:.1f} Mbit/s with "
			    "the limits nettune tune bdp advises ({:.0f} KB)",
			    rtt, rate_mbit, s, cap, t, tuned.values.at("rmem_max_kb"));
	const bool capped = s <= 1.3 * cap && s <= 0.6 * rate_mbit;
	const bool restored = t >= 0.75 * rate_mbit;
	if (capped && restored)
		return {Verdict::reproduced, numbers};
	if (capped)
		return {Verdict::partly,
			numbers + ": small buffers cap throughput at window/RTT, but the advised "
				  "limits do not bring it to 75% of the path rate"};
	if (restored)
		return {Verdict::partly,
			numbers + ": the advised limits fill the path, but the small buffers do "
				  "not cap it near window/RTT"};
	return {Verdict::not_reproduced, numbers};
}

Experiment make()
{
	Experiment e;
	e.name = "bdp";
	e.order = 23;
	e.title = "Bandwidth-delay product: buffer limits cap throughput";
	e.claim = "With tcp_rmem/tcp_wmem smaller than the bandwidth-delay product, throughput "
		  "is capped near window/RTT; the limits nettune tune bdp computes restore the "
		  "path rate";
	e.anchor = "RFC 7323 section 1 (window/RTT bounds throughput; the BDP); "
		   "Documentation/networking/ip-sysctl.rst tcp_rmem, tcp_adv_win_scale";
	e.setup = fmt::format(
		"A veth pair between two namespaces (TSO/GSO/GRO off), netem on the sender's "
		"egress: {:g} Mbit/s with the swept delay as the RTT (the ACK path has none). "
		"Variant small: tcp_rmem \"{}\" and tcp_wmem \"{}\" in both namespaces; variant "
		"bdp: the tcp_rmem and tcp_wmem that observe::plan_bdp (nettune tune bdp --rate "
		"{:g}mbit --rtt RTT) advises. One iperf3 transfer per point (the first second "
		"omitted); the predicted cap is the advertised window of a full tcp_rmem max "
		"(tcp_adv_win_scale) over the RTT.",
		rate_mbit, small_rmem, small_wmem, rate_mbit);
	e.variants = {"small", "bdp"};
	e.x = {"rtt_ms", "RTT ms", 0};
	e.quick_points = {10, 50, 100};
	e.full_points = {5, 10, 20, 50, 100, 200};
	e.columns = {{"mbps", "Mbit/s", 2},
		     {"cap_mbps", "window/RTT Mbit/s", 2},
		     {"rmem_max_kb", "tcp_rmem max KB", 0},
		     {"wmem_max_kb", "tcp_wmem max KB", 0},
		     {"srtt_ms", "mean rtt ms", 1}};
	e.plot = {"",
		  fmt::format("RTT (ms), {:g} Mbit/s path", rate_mbit),
		  "throughput (Mbit/s)",
		  "",
		  {"mbps", "cap_mbps"},
		  {},
		  false};
	e.prepare = [](Run &run, const std::string &variant) {
		PathSpec spec;
		spec.offloads = false;
		auto path = std::make_shared<Path>(veth_path(run, spec));
		auto server = std::make_shared<Iperf3Server>(path->ns_b, path->b_addr);
		return Measure([&run, path, server, variant](double rtt_ms) {
			std::string rmem = small_rmem, wmem = small_wmem;
			for (const auto &ns : {path->ns_a, path->ns_b}) {
				run.lab.set_sysctl(ns, "net.ipv4.tcp_rmem", small_rmem);
				run.lab.set_sysctl(ns, "net.ipv4.tcp_wmem", small_wmem);
			}
			if (variant == "bdp") {
				auto plan = obs::plan_bdp(
					rate_mbit * 1e6, rtt_ms / 1e3,
					[&](const std::string &key) -> std::optional<std::string> {
						try {
							return read_sysctl(path->ns_b, key);
						} catch (const std::exception &) {
							return std::nullopt;
						}
					});
				for (const auto &item : plan.items) {
					if (item.status != "change" ||
					    item.sysctl.rfind("net.ipv4.", 0) != 0)
						continue; // net.core.*mem_max: not per namespace
					for (const auto &ns : {path->ns_a, path->ns_b})
						run.lab.set_sysctl(ns, item.sysctl, item.advised);
					(item.sysctl == "net.ipv4.tcp_rmem" ? rmem : wmem) =
						item.advised;
				}
			}
			Netem n;
			n.delay_ms = rtt_ms;
			n.rate_mbit = rate_mbit;
			set_netem(path->ns_a, path->a, n);
			IperfSpec c;
			c.netns = path->ns_a;
			c.server = path->b_addr;
			c.seconds = run.quick ? 3 : 6;
			c.extra = {"-O", "1"};
			auto res = run_iperf3(run, c);
			const double rmax = std::stod(triple_max(rmem));
			int scale = 1; // kernels without the sysctl (6.6+) keep about half
			try {
				scale = std::stoi(
					read_sysctl(path->ns_b, "net.ipv4.tcp_adv_win_scale"));
			} catch (const std::exception &) {
			}
			const double cap = std::min(rate_mbit, window_of(rmax, scale) * 8 /
								       (rtt_ms / 1e3) / 1e6);
			return Values{{"mbps", res.received_mbps},
				      {"cap_mbps", cap},
				      {"rmem_max_kb", rmax / 1024},
				      {"wmem_max_kb", std::stod(triple_max(wmem)) / 1024},
				      {"srtt_ms", res.mean_rtt_ms}};
		});
	};
	e.judge = judge;
	return e;
}

} // namespace
} // namespace exp_bdp

NETTUNE_EXPERIMENT(bdp, exp_bdp::make);
