// nettune bypass: ntbypass rules (take flows out of conntrack) and status.
#include "bypass_netlink.hpp"
#include "bypass_rule.hpp"
#include "bypass_status.hpp"
#include "command.hpp"
#include "error.hpp"
#include "modules.hpp"
#include "nat_overlap.hpp"
#include "sysfs.hpp"
#include "table.hpp"

#include <charconv>
#include <fmt/format.h>
#include <iostream>
#include <net/if.h>
#include <nlohmann/json.hpp>

namespace {

using namespace nettune::bypass;
using nettune::cli::Globals;
using nlohmann::json;

constexpr size_t kMaxWarnings = 10;

struct BypassArgs {
	std::vector<std::string> words;
	std::string file;
	bool stats = false;
};

void warn_nat_overlaps(const std::vector<Rule> &rules)
{
	auto warnings = overlap_warnings(rules, read_namespace_nat_rules());
	for (size_t i = 0; i < warnings.size() && i < kMaxWarnings; i++)
		std::cerr << "warning: " << warnings[i] << '\n';
	if (warnings.size() > kMaxWarnings)
		std::cerr << "warning: ... and " << warnings.size() - kMaxWarnings
			  << " more overlaps with NAT rules\n";
}

json ports_json(const PortRange &r)
{
	return {{"min", r.lo}, {"max", r.hi}};
}

json rule_json(const Rule &r)
{
	json j;
	j["rule"] = format_rule(r);
	if (r.proto)
		j["proto"] = proto_name(*r.proto);
	if (r.sport)
		j["sport"] = ports_json(*r.sport);
	if (r.dport)
		j["dport"] = ports_json(*r.dport);
	if (r.src)
		j["src"] = format_prefix(*r.src);
	if (r.dst)
		j["dst"] = format_prefix(*r.dst);
	if (!r.iif.empty())
		j["iif"] = r.iif;
	if (!r.oif.empty())
		j["oif"] = r.oif;
	j["both"] = r.both;
	return j;
}

json entry_json(const RuleEntry &e, bool stats)
{
	json j = {{"id", e.id}};
	j.update(rule_json(e.rule));
	if (stats)
		j["stats"] = {{"packets", e.counters.packets},
			      {"bytes", e.counters.bytes},
			      {"reply_packets", e.counters.reply_packets},
			      {"reply_bytes", e.counters.reply_bytes}};
	return j;
}

void run_add(const Globals &g, const BypassArgs &a)
{
	Rule rule = parse_rule(a.words);
	RuleEntry added = Client().add(rule);
	warn_nat_overlaps({rule});
	if (g.json)
		std::cout << entry_json(added, false).dump(2) << '\n';
	else
		std::cout << "rule " << added.id << ": " << format_rule(added.rule) << '\n';
}

std::optional<uint32_t> rule_id(const std::vector<std::string> &words)
{
	if (words.size() != 1)
		return std::nullopt;
	uint32_t id = 0;
	const auto &w = words[0];
	auto [p, ec] = std::from_chars(w.data(), w.data() + w.size(), id);
	if (ec != std::errc() || p != w.data() + w.size())
		return std::nullopt;
	return id;
}

void run_del(const BypassArgs &a)
{
	if (a.words.empty())
		throw nettune::UsageError("del: give a rule ID or a rule specification");
	if (auto id = rule_id(a.words)) {
		Client().del(*id);
		return;
	}
	Rule rule = parse_rule(a.words); // usage errors before any netlink
	Client().del(rule);
}

void print_table(const std::vector<RuleEntry> &entries, bool stats)
{
	std::vector<std::string> headers = {"ID"};
	if (stats)
		headers.insert(headers.end(), {"PACKETS", "BYTES", "REPLY-PKTS", "REPLY-BYTES"});
	headers.push_back("RULE");
	nettune::Table t(headers);
	for (const auto &e : entries) {
		std::vector<std::string> row = {std::to_string(e.id)};
		if (stats)
			for (uint64_t v : {e.counters.packets, e.counters.bytes,
					   e.counters.reply_packets, e.counters.reply_bytes})
				row.push_back(std::to_string(v));
		row.push_back(format_rule(e.rule));
		t.add_row(row);
	}
	t.print(std::cout);
}

void run_list(const Globals &g, const BypassArgs &a)
{
	Client client;
	auto entries = client.list();
	if (!g.json) {
		print_table(entries, a.stats);
		if (auto gone = client.status().dev_gone_rules; gone && *gone)
			std::cout << fmt::format(
				"({} rules dropped since ntbypass loaded: the device "
				"their iif/oif named was unregistered; nettune "
				"bypass status)\n",
				*gone);
		return;
	}
	json j = json::array();
	for (const auto &e : entries)
		j.push_back(entry_json(e, a.stats));
	std::cout << j.dump(2) << '\n';
}

// The kernel resolves interface names when the set is installed; checking
// them here lets a refusal name the file's line.
void check_interfaces(const FileRule &fr, const std::string &file)
{
	for (const auto &[kw, name] : {std::pair{"iif", fr.rule.iif}, {"oif", fr.rule.oif}})
		if (!name.empty() && if_nametoindex(name.c_str()) == 0)
			throw nettune::Error(file + ":" + std::to_string(fr.line) + ": " + kw +
					     ": no device '" + name + "' in this namespace");
}

void run_load(const Globals &g, const BypassArgs &a)
{
	auto text = nettune::try_read_file(a.file);
	if (!text)
		throw nettune::Error(nettune::errno_message("cannot read " + a.file, errno));
	std::vector<Rule> rules;
	for (const auto &fr : parse_rule_file(*text, a.file)) {
		check_interfaces(fr, a.file);
		rules.push_back(fr.rule);
	}
	Client().replace(rules);
	warn_nat_overlaps(rules);
	if (g.json)
		std::cout << json{{"file", a.file}, {"rules", rules.size()}}.dump(2) << '\n';
	else
		std::cout << "loaded " << rules.size() << " rules from " << a.file << '\n';
}

std::string optional_number(const std::optional<uint64_t> &v)
{
	return v ? std::to_string(*v) : "-";
}

json status_json(const ConntrackState &ct, const std::optional<Status> &st)
{
	json j = {{"conntrack", {{"loaded", ct.loaded}}}};
	if (ct.count)
		j["conntrack"]["count"] = *ct.count;
	if (ct.max)
		j["conntrack"]["max"] = *ct.max;
	j["ntbypass"] = {{"loaded", st.has_value()}};
	if (st)
		j["ntbypass"].update({{"rules", st->rule_count},
				      {"hooked", st->hooked},
				      {"bypassed_packets", st->packets},
				      {"bypassed_bytes", st->bytes}});
	if (st && st->dev_gone_rules)
		j["ntbypass"]["dev_gone_rules"] = *st->dev_gone_rules;
	return j;
}

void print_status(const ConntrackState &ct, const std::optional<Status> &st)
{
	std::cout << "conntrack:        " << (ct.loaded ? "loaded" : "not loaded") << '\n'
		  << "conntrack table:  " << optional_number(ct.count) << " / "
		  << optional_number(ct.max) << " entries\n";
	if (!st) {
		std::cout << "ntbypass:         not loaded\n";
		return;
	}
	std::cout << "rules:            " << st->rule_count
		  << (st->hooked ? " (hooks registered)" : " (no hooks)") << '\n'
		  << "bypassed:         " << st->packets << " packets, " << st->bytes << " bytes\n";
	if (st->dev_gone_rules)
		std::cout << "dropped rules:    " << *st->dev_gone_rules
			  << " (their iif/oif device was unregistered)\n";
}

void run_status(const Globals &g)
{
	auto ct = read_conntrack_state();
	std::optional<Status> st;
	if (nettune::module_state("ntbypass").loaded)
		st = Client().status();
	if (g.json)
		std::cout << status_json(ct, st).dump(2) << '\n';
	else
		print_status(ct, st);
}

CLI::App *add_words(CLI::App *cmd, BypassArgs &a, const std::string &what)
{
	cmd->add_option("spec", a.words, what)->expected(-1);
	return cmd;
}

void add_bypass(CLI::App &app, Globals &g)
{
	static BypassArgs a;
	auto *bypass = app.add_subcommand("bypass", "conntrack bypass rules (ntbypass.ko)");
	bypass->require_subcommand(1);
	const std::string grammar = "proto P | sport P[-Q] | dport P[-Q] | src PREFIX | "
				    "dst PREFIX | iif DEV | oif DEV | both";

	auto *add = add_words(bypass->add_subcommand("add", "add one rule"), a, grammar);
	nettune::cli::on_run(add, g, [&g] { run_add(g, a); });

	auto *del = add_words(bypass->add_subcommand("del", "delete a rule by ID or by its spec"),
			      a, "ID or " + grammar);
	nettune::cli::on_run(del, g, [] { run_del(a); });

	auto *list = bypass->add_subcommand("list", "list rules");
	list->add_flag("-s,--stats", a.stats, "per-rule packet and byte counters");
	nettune::cli::on_run(list, g, [&g] { run_list(g, a); });

	auto *flush = bypass->add_subcommand("flush", "delete every rule");
	nettune::cli::on_run(flush, g, [] { Client().flush(); });

	auto *load =
		bypass->add_subcommand("load", "replace all rules with a rule file, atomically");
	load->add_option("file", a.file, "one rule per line, # comments")->required();
	nettune::cli::on_run(load, g, [&g] { run_load(g, a); });

	auto *status = bypass->add_subcommand("status", "conntrack table and bypassed traffic");
	nettune::cli::on_run(status, g, [&g] { run_status(g); });
}

} // namespace

NETTUNE_COMMAND_GROUP(bypass, 40, add_bypass);
