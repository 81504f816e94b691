// Experiment 10: a full conntrack table drops new connections. Once a
// namespace holds nf_conntrack_max entries, conntrack cannot insert the
// entry for a new flow's first packet and drops it ("nf_conntrack: table
// full, dropping packet"), unless early_drop finds an entry that is not
// ASSURED to evict; a connection that has completed its handshake is.
#include "exp/connections.hpp"
#include "exp/counters.hpp"
#include "exp/experiment.hpp"
#include "exp/filters.hpp"
#include "exp/topology.hpp"

#include <fmt/format.h>

namespace exp_conntrack_full {
namespace {

using namespace nettune::exp;

constexpr unsigned port = 5001;
constexpr unsigned small_table = 256, large_table = 65536;

// Kernel log lines "table full, dropping packet" since `before` of them.
size_t log_growth(size_t before)
{
	const size_t now = kernel_log_count("table full, dropping packet");
	return now > before ? now - before : 0;
}

Judgement judge(const Results &r)
{
	const Row &small = r.last("small"), &large = r.last("large"), &bypass = r.last("bypass");
	auto v = [](const Row &row, const char *k) { return row.values.at(k); };
	auto worst = [&](const std::string &variant) {
		double w = 100;
		for (const Row *row : r.series(variant))
			w = std::min(w, row->values.at("success_pct"));
		return w;
	};
	const std::string numbers = fmt::format(
		"{:.0f} connections held at once: with nf_conntrack_max {} {:.1f}% completed "
		"(conntrack drop {:.0f}, early_drop {:.0f}, insert_failed {:.0f}, {:.0f} 'table "
		"full' log lines); with nf_conntrack_max {} {:.1f}%; with the small table and "
		"an ntbypass rule {:.1f}% ({:.0f} conntrack entries)",
		small.x, small_table, v(small, "success_pct"), v(small, "ct_drop"),
		v(small, "early_drop"), v(small, "insert_failed"), v(small, "log_lines"),
		large_table, v(large, "success_pct"), v(bypass, "success_pct"),
		v(bypass, "entries"));
	const bool full_drops = v(small, "success_pct") < 90 &&
				(v(small, "ct_drop") > 0 || v(small, "log_lines") > 0);
	const bool larger_ends = worst("large") >= 99, bypass_ends = worst("bypass") >= 99;
	if (!full_drops)
		return {Verdict::not_reproduced,
			numbers + ": the small table did not drop new connections"};
	if (larger_ends && bypass_ends)
		return {Verdict::reproduced, numbers};
	return {Verdict::partly,
		numbers + fmt::format(": the full table drops connections, but {} did not end it "
				      "(worst point {:.1f}%)",
				      larger_ends ? "the bypass rule" : "the larger table",
				      larger_ends ? worst("bypass") : worst("large"))};
}

Experiment make()
{
	Experiment e;
	e.name = "conntrack-full";
	e.order = 10;
	e.title = "Conntrack table full";
	e.claim = "New connections beyond nf_conntrack_max are dropped (\"nf_conntrack: table "
		  "full, dropping packet\"); a larger table or a conntrack bypass rule ends it";
	e.anchor = "Documentation/networking/nf_conntrack-sysctl.rst (nf_conntrack_max); "
		   "net/netfilter/nf_conntrack_core.c __nf_conntrack_alloc() and early_drop(); "
		   "Documentation/bypass.rst";
	e.setup = fmt::format(
		"An ntvnic pair: the client namespace opens N TCP connections to port {} at once "
		"(non-blocking connects, 3 s deadline: the SYN retransmitted after 1 s counts) "
		"and holds them; the server namespace accepts and holds every one, and has "
		"conntrack on (an nft input chain 'ct state invalid drop'), so each connection "
		"is one ASSURED entry that early_drop cannot evict. Variants: small "
		"(nf_conntrack_max {}), large (nf_conntrack_max {}), bypass (max {} and the "
		"ntbypass rule 'proto tcp dport {} both' in the server namespace). Per point: "
		"connections established, the namespace's conntrack entries, its "
		"/proc/net/stat/nf_conntrack drop, early_drop and insert_failed, and the "
		"kernel log lines 'table full, dropping packet'; the table is flushed "
		"(conntrack -F) between points.",
		port, small_table, large_table, small_table, port);
	e.variants = {"small", "large", "bypass"};
	e.x = {"connections", "connections", 0};
	e.quick_points = {128, 384, 768};
	e.full_points = {64, 128, 192, 256, 384, 512, 768, 1024};
	e.columns = {{"success_pct", "established %", 1},
		     {"entries", "ct entries", 0},
		     {"ct_drop", "ct drop", 0},
		     {"early_drop", "early_drop", 0},
		     {"insert_failed", "insert_failed", 0},
		     {"log_lines", "table-full logs", 0},
		     {"connect_s", "seconds", 1}};
	e.plot = {"",
		  "connections opened at once",
		  "connections established (%)",
		  "",
		  {"success_pct"},
		  {},
		  false};
	e.prepare = [](Run &run, const std::string &variant) {
		auto pair = run.lab.vnic_pair(PairSpec{});
		const std::string server_ns = pair.ns_b;
		enable_conntrack(run.lab, server_ns); // loads nf_conntrack: the sysctl exists now
		const unsigned table = variant == "large" ? large_table : small_table;
		run.lab.set_sysctl("", "net.netfilter.nf_conntrack_max", std::to_string(table));
		if (variant == "bypass")
			add_bypass_rule(run.lab, server_ns,
					fmt::format("proto tcp dport {} both", port));
		raise_open_files(run.cleanup, 4096);
		return Measure([&run, pair](double x) {
			flush_conntrack(pair.ns_b);
			const auto before = conntrack_stats(pair.ns_b);
			const size_t logs = log_growth(0);
			HoldingServer server(pair.ns_b, pair.b_addr, port);
			auto conns = connect_burst(pair.ns_a, pair.b_addr, port,
						   static_cast<unsigned>(x), 3.0);
			run.check();
			const double entries = static_cast<double>(conntrack_entries(pair.ns_b));
			const auto after = conntrack_stats(pair.ns_b);
			auto grew = [&](const char *k) {
				return static_cast<double>(delta(before, after, k));
			};
			const auto &res = conns->result;
			return Values{{"success_pct", 100.0 * res.established / res.attempted},
				      {"entries", entries},
				      {"ct_drop", grew("drop")},
				      {"early_drop", grew("early_drop")},
				      {"insert_failed", grew("insert_failed")},
				      {"log_lines", static_cast<double>(log_growth(logs))},
				      {"connect_s", res.seconds}};
		});
	};
	e.judge = judge;
	return e;
}

} // namespace
} // namespace exp_conntrack_full

NETTUNE_EXPERIMENT(conntrack_full, exp_conntrack_full::make);
