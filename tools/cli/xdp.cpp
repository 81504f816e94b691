// nettune xdp: the XDP filter (bpf/xdp_filter.bpf.c): attach/detach per
// device, source-prefix blocks, port denies, a per-source SYN limit, and its
// per-verdict / per-reason counters.
//
// Rule commands act on the device given with `dev DEV`, or on the only
// device of the namespace that has the filter; with several, `dev` is
// required (usage error listing them).
#include "command.hpp"
#include "error.hpp"
#include "ethtool.hpp"
#include "keywords.hpp"
#include "table.hpp"
#include "xdp_filter.hpp"

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

namespace {

namespace xdp = nettune::xdp;
using nettune::cli::Globals;
using nlohmann::json;

struct XdpArgs {
	std::vector<std::string> words;
	bool force = false;
	bool stats = false;
	std::optional<std::string> watch; // --watch [S]
};

// Splits WORDS into `positional` leading words and keyword arguments.
nettune::KeywordArgs keywords(const std::vector<std::string> &words, size_t positional,
			      std::vector<std::string> value_keywords)
{
	nettune::KeywordArgs kw(std::move(value_keywords));
	kw.parse(std::vector<std::string>(words.begin() + long(positional), words.end()));
	return kw;
}

void need_words(const std::vector<std::string> &words, size_t n, const std::string &usage)
{
	if (words.size() < n)
		throw nettune::UsageError("missing argument; usage: nettune xdp " + usage);
}

void report(const Globals &g, const std::string &dev, const std::string &rule, bool changed,
	    const std::string &text)
{
	if (g.json)
		std::cout << json{{"device", dev}, {"rule", rule}, {"changed", changed}}.dump(2)
			  << '\n';
	else
		std::cout << dev << ": " << text << '\n';
}

// ---- attach / detach --------------------------------------------------------

void run_attach(const Globals &g, const XdpArgs &a)
{
	const std::string usage = "attach DEV [mode native|generic] [--force]";
	need_words(a.words, 1, usage);
	auto kw = keywords(a.words, 1, {"mode"});
	xdp::Mode mode = xdp::Mode::any;
	if (auto m = kw.get("mode"))
		mode = xdp::parse_mode(*m);
	auto res = xdp::attach(a.words[0], mode, a.force);
	const auto &att = res.att;
	if (g.json) {
		std::cout << json{{"device", att.dev},           {"mode", att.mode},
				  {"prog_id", att.prog_id},      {"link_id", att.link_id},
				  {"pin_dir", att.dir},          {"replaced", res.replaced},
				  {"kept_rules", res.kept_rules}}
				     .dump(2)
			  << '\n';
		return;
	}
	std::cout << att.dev << ": nettune xdp " << (res.replaced ? "replaced" : "attached") << ", "
		  << att.mode << " mode, program id " << att.prog_id << ", pinned at " << att.dir
		  << (res.kept_rules ? " (rules kept)" : "") << '\n';
}

void run_detach(const Globals &g, const XdpArgs &a)
{
	need_words(a.words, 1, "detach DEV");
	if (a.words.size() > 1)
		throw nettune::UsageError("detach: unexpected '" + a.words[1] + "'");
	auto att = xdp::detach(a.words[0]);
	if (g.json)
		std::cout << json{{"device", att.dev}, {"detached", true}}.dump(2) << '\n';
	else
		std::cout << att.dev << ": nettune xdp detached, pins removed (" << att.dir
			  << ")\n";
}

// ---- rules ------------------------------------------------------------------

void run_block(const Globals &g, const XdpArgs &a, bool block)
{
	const std::string cmd = block ? "block" : "unblock";
	need_words(a.words, 1, cmd + " PREFIX [dev DEV]");
	auto prefix = xdp::parse_block_prefix(a.words[0]);
	auto kw = keywords(a.words, 1, {"dev"});
	auto target = xdp::select_target(kw.get("dev"));
	xdp::Filter f(target);
	const std::string text = nettune::bypass::format_prefix(prefix);
	if (block) {
		bool added = f.block(prefix);
		report(g, target.dev, "block " + text, added,
		       added ? "blocked " + text : text + " was already blocked");
		return;
	}
	if (!f.unblock(prefix))
		throw nettune::Error(target.dev + ": " + text + " is not blocked");
	report(g, target.dev, "block " + text, true, "unblocked " + text);
}

void run_port(const Globals &g, const XdpArgs &a, bool deny)
{
	const std::string cmd = deny ? "deny" : "allow";
	need_words(a.words, 2, cmd + " tcp|udp PORT [dev DEV]");
	auto rule = xdp::parse_port_rule(a.words[0], a.words[1]);
	auto kw = keywords(a.words, 2, {"dev"});
	auto target = xdp::select_target(kw.get("dev"));
	xdp::Filter f(target);
	const std::string text = xdp::proto_name(rule.proto) + " " + std::to_string(rule.port);
	if (deny) {
		bool added = f.deny(rule);
		report(g, target.dev, "deny " + text, added,
		       added ? "denied " + text : text + " was already denied");
		return;
	}
	if (!f.allow(rule))
		throw nettune::Error(target.dev + ": " + text + " is not denied");
	report(g, target.dev, "deny " + text, true, "allowed " + text);
}

void run_synlimit(const Globals &g, const XdpArgs &a)
{
	const std::string usage = "synlimit RATE/s [burst N] [dev DEV] | synlimit off [dev DEV]";
	need_words(a.words, 1, usage);
	std::optional<xdp::SynLimit> limit;
	std::optional<std::string> dev;
	if (a.words[0] == "off") {
		dev = keywords(a.words, 1, {"dev"}).get("dev");
	} else {
		auto kw = keywords(a.words, 1, {"burst", "dev"});
		limit = xdp::parse_synlimit(a.words[0], kw.get("burst"));
		dev = kw.get("dev");
	}
	auto target = xdp::select_target(dev);
	xdp::Filter(target).set_synlimit(limit);
	const std::string rule =
		limit ? "synlimit " + xdp::format_synlimit(*limit) : "synlimit off";
	report(g, target.dev, rule, true, rule);
}

// ---- show -------------------------------------------------------------------

std::vector<xdp::Attachment> selected(const std::optional<std::string> &dev)
{
	if (dev)
		return {xdp::select_target(dev)};
	return xdp::attached();
}

json attachment_json(const xdp::Attachment &a)
{
	return {{"device", a.dev},      {"ifindex", a.ifindex}, {"mode", a.mode},
		{"prog_id", a.prog_id}, {"link_id", a.link_id}, {"pin_dir", a.dir}};
}

json rules_json(const xdp::RuleSet &rs, const xdp::Stats &st)
{
	json j;
	j["blocked"] = json::array();
	for (const auto &[p, hits] : rs.blocked)
		j["blocked"].push_back(
			{{"prefix", nettune::bypass::format_prefix(p)}, {"hits", hits}});
	j["denied"] = json::array();
	for (const auto &[r, hits] : rs.denied)
		j["denied"].push_back(
			{{"proto", xdp::proto_name(r.proto)}, {"port", r.port}, {"hits", hits}});
	j["synlimit"] = nullptr;
	if (rs.synlimit)
		j["synlimit"] = {{"rate", rs.synlimit->rate},
				 {"burst", rs.synlimit->burst},
				 {"sources", rs.syn_sources},
				 {"dropped", st.reason[XDPF_SYNLIMIT].packets}};
	return j;
}

void print_rules(const xdp::Attachment &a, const xdp::RuleSet &rs, const xdp::Stats &st)
{
	std::cout << a.dev << ": " << a.mode << " mode, program id " << a.prog_id << ", pinned at "
		  << a.dir << '\n';
	nettune::Table t({"RULE", "HITS"});
	for (const auto &[p, hits] : rs.blocked)
		t.add_row({"block " + nettune::bypass::format_prefix(p), std::to_string(hits)});
	for (const auto &[r, hits] : rs.denied)
		t.add_row({"deny " + xdp::proto_name(r.proto) + " " + std::to_string(r.port),
			   std::to_string(hits)});
	if (rs.synlimit)
		t.add_row({"synlimit " + xdp::format_synlimit(*rs.synlimit) + " (" +
				   std::to_string(rs.syn_sources) + " sources)",
			   std::to_string(st.reason[XDPF_SYNLIMIT].packets)});
	if (t.rows() == 0)
		std::cout << "  no rules\n";
	else
		t.print(std::cout);
}

void run_show(const Globals &g, const XdpArgs &a)
{
	auto dev = keywords(a.words, 0, {"dev"}).get("dev");
	json out = json::array();
	auto all = selected(dev);
	if (all.empty() && !g.json)
		std::cout
			<< "nettune xdp is not attached to any device in this network namespace\n";
	for (size_t i = 0; i < all.size(); i++) {
		xdp::Filter f(all[i]);
		auto rs = f.rules();
		auto st = f.stats();
		if (g.json) {
			json j = attachment_json(all[i]);
			j["rules"] = rules_json(rs, st);
			out.push_back(j);
			continue;
		}
		if (i)
			std::cout << '\n';
		print_rules(all[i], rs, st);
	}
	if (g.json)
		std::cout << out.dump(2) << '\n';
}

// ---- stats ------------------------------------------------------------------

xdp::QueueXdpStats queue_stats(const std::string &dev)
{
	try {
		return xdp::queue_xdp_stats(nettune::ethtool::Device(dev).stats());
	} catch (const std::exception &) {
		return {}; // no ethtool -S on this device: no per-queue table
	}
}

struct Snapshot {
	xdp::Attachment att;
	xdp::Stats stats;
	xdp::QueueXdpStats queues;
};

std::vector<Snapshot> snapshot(const std::vector<xdp::Attachment> &atts)
{
	std::vector<Snapshot> out;
	for (const auto &a : atts)
		out.push_back({a, xdp::Filter(a).stats(), queue_stats(a.dev)});
	return out;
}

void print_snapshot(const Snapshot &s, bool per_cpu)
{
	std::cout << s.att.dev << " (" << s.att.mode << " mode, program id " << s.att.prog_id
		  << ")\n";
	xdp::print_stats(std::cout, s.stats, per_cpu);
	if (!s.queues.empty()) {
		std::cout << "\nper RX queue (driver's ethtool -S)\n";
		xdp::print_queue_stats(std::cout, s.queues);
	}
}

json snapshot_json(const Snapshot &s, bool per_cpu)
{
	json j = attachment_json(s.att);
	j.update(xdp::stats_json(s.stats, per_cpu));
	if (!s.queues.empty())
		j["queues"] = xdp::queue_stats_json(s.queues);
	return j;
}

xdp::QueueXdpStats queue_rates(const xdp::QueueXdpStats &before, const xdp::QueueXdpStats &after,
			       double secs)
{
	// Same shape, values per second (rounded down).
	xdp::QueueXdpStats out;
	for (const auto &[q, counters] : after)
		for (const auto &[name, v] : counters) {
			uint64_t b = 0;
			if (auto qi = before.find(q); qi != before.end())
				if (auto ci = qi->second.find(name); ci != qi->second.end())
					b = ci->second;
			out[q][name + "/s"] = uint64_t(double(v >= b ? v - b : v) / secs);
		}
	return out;
}

void watch(const Globals &g, const std::vector<xdp::Attachment> &atts, double interval)
{
	auto prev = snapshot(atts);
	auto prev_t = std::chrono::steady_clock::now();
	while (nettune::cli::sleep_interval(interval)) {
		auto cur = snapshot(atts);
		const auto now = std::chrono::steady_clock::now();
		const double secs = std::chrono::duration<double>(now - prev_t).count();
		json line = {{"interval_s", secs}, {"devices", json::array()}};
		for (size_t i = 0; i < cur.size(); i++) {
			auto r = xdp::rates(prev[i].stats, cur[i].stats, secs);
			auto q = queue_rates(prev[i].queues, cur[i].queues, secs);
			if (g.json) {
				json d = {{"device", cur[i].att.dev}};
				d.update(xdp::rates_json(r));
				if (!q.empty())
					d["queues"] = xdp::queue_stats_json(q);
				line["devices"].push_back(d);
				continue;
			}
			std::cout << cur[i].att.dev << " (per second)\n";
			xdp::print_rates(std::cout, r);
			if (!q.empty())
				xdp::print_queue_stats(std::cout, q);
		}
		if (g.json)
			std::cout << line.dump() << std::endl;
		else
			std::cout << std::endl;
		prev = std::move(cur);
		prev_t = now;
	}
}

// `--watch` takes an optional number: in `--watch dev eth0` the word after
// it is not its value but the next argument.
std::optional<double> watch_interval(const std::optional<std::string> &text,
				     std::vector<std::string> &words)
{
	if (!text)
		return std::nullopt;
	char *end = nullptr;
	double v = std::strtod(text->c_str(), &end);
	if (text->empty() || *end != '\0') {
		words.insert(words.begin(), *text);
		return 1.0;
	}
	if (v < 0.1)
		throw nettune::UsageError("--watch: interval must be at least 0.1 s");
	return v;
}

void run_stats(const Globals &g, XdpArgs a)
{
	const auto interval = watch_interval(a.watch, a.words);
	auto dev = keywords(a.words, 0, {"dev"}).get("dev");
	auto atts = dev ? std::vector{xdp::select_target(dev)} : xdp::attached();
	if (atts.empty())
		throw nettune::Error("nothing attached: no device in this network namespace has "
				     "nettune xdp (nettune xdp attach DEV)");
	if (interval)
		return watch(g, atts, *interval);
	auto snaps = snapshot(atts);
	if (g.json) {
		json out = json::array();
		for (const auto &s : snaps)
			out.push_back(snapshot_json(s, a.stats));
		std::cout << out.dump(2) << '\n';
		return;
	}
	for (size_t i = 0; i < snaps.size(); i++) {
		if (i)
			std::cout << '\n';
		print_snapshot(snaps[i], a.stats);
	}
}

// ---- registration -----------------------------------------------------------

CLI::App *words(CLI::App *cmd, XdpArgs &a, const std::string &what)
{
	cmd->add_option("args", a.words, what)->expected(-1);
	return cmd;
}

void add_xdp(CLI::App &app, Globals &g)
{
	static XdpArgs a;
	auto *x = app.add_subcommand("xdp", "XDP filter: source prefixes, ports, SYN limit");
	x->require_subcommand(1);

	auto *attach = words(x->add_subcommand("attach", "load and attach the filter to DEV"), a,
			     "DEV [mode native|generic]");
	attach->add_flag("--force", a.force,
			 "replace a program already there (ours keeps its rules)");
	nettune::cli::on_run(attach, g, [&g] { run_attach(g, a); });

	auto *detach =
		words(x->add_subcommand("detach", "detach from DEV, remove its pins"), a, "DEV");
	nettune::cli::on_run(detach, g, [&g] { run_detach(g, a); });

	auto *block = words(x->add_subcommand("block", "drop packets from a source prefix"), a,
			    "PREFIX [dev DEV]");
	nettune::cli::on_run(block, g, [&g] { run_block(g, a, true); });
	auto *unblock =
		words(x->add_subcommand("unblock", "take a block back"), a, "PREFIX [dev DEV]");
	nettune::cli::on_run(unblock, g, [&g] { run_block(g, a, false); });

	auto *deny = words(x->add_subcommand("deny", "drop TCP or UDP to a destination port"), a,
			   "tcp|udp PORT [dev DEV]");
	nettune::cli::on_run(deny, g, [&g] { run_port(g, a, true); });
	auto *allow =
		words(x->add_subcommand("allow", "take a deny back"), a, "tcp|udp PORT [dev DEV]");
	nettune::cli::on_run(allow, g, [&g] { run_port(g, a, false); });

	auto *syn = words(x->add_subcommand("synlimit", "per-source TCP SYN token bucket"), a,
			  "RATE/s [burst N] [dev DEV] | off [dev DEV]");
	nettune::cli::on_run(syn, g, [&g] { run_synlimit(g, a); });

	auto *show = words(x->add_subcommand("show", "attached devices and their rules"), a,
			   "[dev DEV]");
	show->alias("list");
	nettune::cli::on_run(show, g, [&g] { run_show(g, a); });

	auto *stats = words(x->add_subcommand("stats", "counters per verdict, reason, RX queue"), a,
			    "[dev DEV]");
	stats->add_flag("-s,--stats", a.stats, "per-CPU packets for each reason");
	stats->add_option("--watch", a.watch, "rates every S seconds (default 1) until interrupted")
		->expected(0, 1)
		->default_str("1");
	nettune::cli::on_run(stats, g, [&g] { run_stats(g, a); });
}

} // namespace

NETTUNE_COMMAND_GROUP(xdp, 60, add_xdp);
