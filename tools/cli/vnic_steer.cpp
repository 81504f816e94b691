// nettune vnic ntuple DEV: the ethtool ntuple rules and accelerated RFS
// filters of an ntvnic port with their hit counters. Rules are added and
// deleted with ethtool -N; this view adds what ethtool -n cannot show: how
// many packets each rule steered, and the filters aRFS installed.
#include "vnic_steer.hpp"
#include "command.hpp"
#include "table.hpp"

#include <iostream>
#include <nlohmann/json.hpp>

namespace {

using nettune::cli::Globals;
namespace vnic = nettune::vnic;

std::vector<std::string> entry_row(const vnic::SteerEntry &e)
{
	return {std::to_string(e.loc),
		e.flow_type,
		vnic::field_text(e.src, e.src_mask),
		vnic::field_text(e.dst, e.dst_mask),
		vnic::port_text(e.sport, e.sport_mask),
		vnic::port_text(e.dport, e.dport_mask),
		std::to_string(e.queue),
		std::to_string(e.hits)};
}

void print_entries(const char *title, const char *first, const std::vector<vnic::SteerEntry> &v)
{
	std::cout << title << '\n';
	nettune::Table t(
		{first, "FLOW", "SRC-IP", "DST-IP", "SRC-PORT", "DST-PORT", "QUEUE", "HITS"});
	for (const auto &e : v)
		t.add_row(entry_row(e));
	t.print(std::cout);
}

void print_steering(const vnic::SteerInfo &s)
{
	std::cout << s.name << ": ntuple " << (s.ntuple_on ? "on" : "off (rules inactive)") << ", "
		  << s.rules.size() << " rules, " << s.arfs.size() << " aRFS filters\n";
	print_entries("ntuple rules (ethtool -N), first match by location:", "LOC", s.rules);
	print_entries("aRFS filters (ndo_rx_flow_steer):", "ID", s.arfs);
	std::cout << "aRFS: " << s.arfs_steers << " steers, " << s.arfs_expired << " expired, "
		  << s.arfs_full << " refused (table full)\n";
}

void run_ntuple(const Globals &g, const std::string &dev)
{
	const auto s = vnic::get_steering(dev);
	if (g.json)
		std::cout << vnic::steering_json(s).dump(2) << '\n';
	else
		print_steering(s);
}

void add_vnic_ntuple(CLI::App &app, Globals &g)
{
	auto *vnic_cmd = app.get_subcommand("vnic");
	auto dev = std::make_shared<std::string>();
	auto *cmd = vnic_cmd->add_subcommand(
		"ntuple", "ntuple rules (ethtool -N) and aRFS filters of DEV, with hit counters");
	cmd->add_option("dev", *dev, "the receiving port")->required();
	nettune::cli::on_run(cmd, g, [&g, dev] { run_ntuple(g, *dev); });
}

} // namespace

// After the vnic group (order 20), which creates the "vnic" command.
NETTUNE_COMMAND_GROUP(vnic_ntuple, 21, add_vnic_ntuple);
