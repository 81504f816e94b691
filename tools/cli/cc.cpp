// nettune cc: congestion control. The kernel's algorithms and this
// namespace's default, tcp_ntcubic's tunables and its live sockets.
//
//   nettune cc list
//   nettune [-n NS] cc set ALGO
//   nettune cc params [NAME=VALUE...]
//   nettune [-n NS] cc sockets [--json]
#include "cc.hpp"
#include "command.hpp"
#include "error.hpp"
#include "table.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <iostream>
#include <nlohmann/json.hpp>

namespace {

using nettune::cli::Globals;
namespace cc = nettune::cc;

bool contains(const std::vector<std::string> &v, const std::string &s)
{
	return std::find(v.begin(), v.end(), s) != v.end();
}

void cmd_list(const Globals &g)
{
	auto a = cc::read_algorithms();
	auto names = a.available;
	// ours is listed even before its module is loaded
	if (!contains(names, cc::ours))
		names.push_back(cc::ours);
	if (g.json) {
		nlohmann::json j = {{"default", a.current},
				    {"algorithms", nlohmann::json::array()}};
		for (const auto &n : names)
			j["algorithms"].push_back({{"name", n},
						   {"loaded", contains(a.available, n)},
						   {"default", n == a.current},
						   {"allowed", contains(a.allowed, n)},
						   {"ours", n == cc::ours}});
		std::cout << j.dump(2) << '\n';
		return;
	}
	nettune::Table t({"ALGORITHM", "LOADED", "DEFAULT", "ALLOWED", "OURS"});
	for (const auto &n : names)
		t.add_row({n, contains(a.available, n) ? "yes" : "no (module tcp_" + n + ")",
			   n == a.current ? "*" : "", contains(a.allowed, n) ? "yes" : "no",
			   n == cc::ours ? "yes" : ""});
	t.print(std::cout);
}

void cmd_set(const Globals &g, const std::string &algo)
{
	cc::set_default(algo);
	auto now = cc::read_algorithms().current;
	if (g.json)
		std::cout << nlohmann::json{{"default", now}}.dump(2) << '\n';
	else
		std::cout << "default congestion control: " << now << '\n';
}

void cmd_params(const Globals &g, const std::vector<std::string> &args)
{
	std::vector<cc::ParamAssignment> sets;
	for (const auto &a : args)
		sets.push_back(cc::parse_assignment(a));
	for (const auto &s : sets)
		cc::write_param(s);
	auto values = cc::read_params();
	if (g.json) {
		nlohmann::json j = nlohmann::json::object();
		for (const auto &[name, v] : values)
			j[name] = v;
		std::cout << j.dump(2) << '\n';
		return;
	}
	nettune::Table t({"PARAMETER", "VALUE", "DEFAULT", "RANGE", "UNIT", "MEANING"});
	for (const auto &[name, v] : values) {
		const cc::ParamSpec *s = cc::find_param(name);
		t.add_row({name, std::to_string(v), s ? std::to_string(s->def) : "?",
			   s ? fmt::format("{}..{}", s->min, s->max) : "?", s ? s->unit : "",
			   s ? s->description : ""});
	}
	t.print(std::cout);
	std::cout << "(new values apply to sockets that start using ntcubic afterwards)\n";
}

void cmd_sockets(const Globals &g)
{
	auto socks = cc::list_sockets();
	if (g.json) {
		nlohmann::json j = nlohmann::json::array();
		for (const auto &s : socks)
			j.push_back(cc::to_json(s));
		std::cout << j.dump(2) << '\n';
		return;
	}
	nettune::Table t({"LOCAL", "PEER", "STATE", "CA", "CWND", "SSTHRESH", "W_MAX", "K_MS",
			  "EPOCH_S", "W_EST", "HYSTART", "SRTT_MS", "RETRANS"});
	for (const auto &s : socks) {
		const auto &r = s.rec;
		auto age = cc::epoch_age(r);
		t.add_row({s.local, s.peer, cc::tcp_state_name(r.tcp_state),
			   cc::ca_state_name(r.ca_state), std::to_string(r.snd_cwnd),
			   r.snd_ssthresh >= 0x7fffffff ? "inf" : std::to_string(r.snd_ssthresh),
			   std::to_string(r.ca.w_max),
			   std::to_string((uint64_t(r.ca.k) * 1000) >> 10),
			   age ? fmt::format("{:.2f}", *age) : "-", std::to_string(r.ca.w_est),
			   cc::hystart_state_name(r.ca.hs_state),
			   fmt::format("{:.1f}", r.srtt_us / 1000.0),
			   std::to_string(r.total_retrans)});
	}
	t.print(std::cout);
	if (socks.empty())
		std::cout << "(no sockets use ntcubic in this namespace)\n";
}

void add_cc(CLI::App &app, Globals &g)
{
	auto *cc_cmd = app.add_subcommand(
		"cc", "congestion control: algorithms, ntcubic tunables and sockets");
	cc_cmd->require_subcommand(0, 1);
	cc_cmd->allow_extras();
	cc_cmd->callback([cc_cmd] {
		if (!cc_cmd->get_subcommands().empty())
			return;
		auto extra = cc_cmd->remaining();
		if (extra.empty())
			throw nettune::UsageError(
				"cc: missing command (list, set, params, sockets)");
		throw nettune::UsageError("cc: unknown command '" + extra.front() +
					  "' (list, set, params, sockets)");
	});

	auto *list =
		cc_cmd->add_subcommand("list", "available algorithms, the default, which are ours");
	nettune::cli::on_run(list, g, [&g] { cmd_list(g); });

	static std::string algo;
	auto *set =
		cc_cmd->add_subcommand("set", "make ALGO the default of this network namespace");
	set->add_option("ALGO", algo, "congestion control name (cubic, bbr, ntcubic, ...)")
		->required();
	nettune::cli::on_run(set, g, [&g] { cmd_set(g, algo); });

	static std::vector<std::string> assignments;
	auto *params = cc_cmd->add_subcommand("params", "show or set tcp_ntcubic tunables");
	params->add_option("NAME=VALUE", assignments, "parameters to set");
	nettune::cli::on_run(params, g, [&g] { cmd_params(g, assignments); });

	auto *sockets = cc_cmd->add_subcommand(
		"sockets", "live ntcubic sockets and their CUBIC/HyStart++ state");
	nettune::cli::on_run(sockets, g, [&g] { cmd_sockets(g); });
}

} // namespace

NETTUNE_COMMAND_GROUP(cc, 50, add_cc);
