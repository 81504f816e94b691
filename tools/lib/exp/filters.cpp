#include "filters.hpp"

#include "bypass_netlink.hpp"
#include "bypass_rule.hpp"
#include "error.hpp"
#include "observe_proc.hpp"
#include "process.hpp"
#include "sysfs.hpp"

#include <unistd.h>

namespace nettune::exp {

namespace {

bool netns_exists(const std::string &netns)
{
	return netns.empty() || access(("/run/netns/" + netns).c_str(), F_OK) == 0;
}

} // namespace

void add_nft_chain(Lab &lab, const std::string &netns, const NftChain &c)
{
	lab.exec(netns, {"nft", "add", "table", c.family, c.table});
	const std::string fam = c.family, table = c.table;
	lab.cleanup().push("nft delete table " + fam + " " + table + " in " + netns,
			   [&lab, netns, fam, table] {
				   if (netns_exists(netns))
					   lab.exec(netns, {"nft", "delete", "table", fam, table});
			   });
	lab.exec(netns, {"nft", "add chain " + c.family + " " + c.table + " " + c.chain +
					" { type filter hook " + c.hook + " priority " +
					c.priority + "; }"});
	for (const auto &r : c.rules)
		lab.exec(netns,
			 {"nft", "add rule " + c.family + " " + c.table + " " + c.chain + " " + r});
}

void enable_conntrack(Lab &lab, const std::string &netns)
{
	add_nft_chain(lab, netns,
		      {"inet", "ntx_ct", "in", "input", "filter", {"ct state invalid drop"}});
}

void add_iptables_rule(Lab &lab, const std::string &netns, const std::string &table,
		       const std::string &chain, const std::vector<std::string> &rule)
{
	std::vector<std::string> add{"iptables", "-w", "-t", table, "-A", chain};
	add.insert(add.end(), rule.begin(), rule.end());
	lab.exec(netns, add);
	std::vector<std::string> del{"iptables", "-w", "-t", table, "-D", chain};
	del.insert(del.end(), rule.begin(), rule.end());
	lab.cleanup().push(join_argv(del) + " in " + netns, [&lab, netns, del] {
		if (netns_exists(netns))
			lab.exec(netns, del);
	});
}

void add_bypass_rule(Lab &lab, const std::string &netns, const std::string &rule)
{
	if (access("/sys/module/ntbypass", F_OK) != 0)
		throw Error("ntbypass.ko is not loaded (scripts/vm-run --modules all, or insmod "
			    "kmod/bypass/ntbypass.ko)");
	const bypass::Rule r = bypass::parse_rule(split_whitespace(rule));
	uint32_t id = 0;
	{
		NetnsScope in(netns);
		id = bypass::Client().add(r).id;
	}
	lab.cleanup().push("ntbypass: delete rule " + rule + " in " + netns, [netns, id] {
		if (!netns_exists(netns))
			return;
		NetnsScope in(netns);
		bypass::Client().del(id);
	});
}

void xdp_deny_port(Lab &lab, const std::string &netns, const std::string &dev, xdp::Mode mode,
		   uint8_t proto, uint16_t port)
{
	NetnsScope in(netns);
	xdp::ensure_bpffs();
	auto res = xdp::attach(dev, mode, false);
	lab.cleanup().push("nettune xdp detach " + dev + " in " + netns, [netns, dev] {
		if (!netns_exists(netns))
			return;
		NetnsScope back(netns);
		xdp::detach(dev);
	});
	xdp::PortRule rule;
	rule.proto = proto;
	rule.port = port;
	xdp::Filter(res.att).deny(rule);
}

std::map<std::string, uint64_t> conntrack_stats(const std::string &netns)
{
	NetnsScope in(netns);
	auto text = try_read_file("/proc/thread-self/net/stat/nf_conntrack");
	if (!text)
		return {};
	return observe::conntrack_totals(observe::parse_conntrack_stat(*text));
}

uint64_t conntrack_entries(const std::string &netns)
{
	NetnsScope in(netns);
	auto text = try_read_file("/proc/sys/net/netfilter/nf_conntrack_count");
	return text ? std::stoull(trim(*text)) : 0;
}

void flush_conntrack(const std::string &netns)
{
	auto r = run_cmd({"ip", "netns", "exec", netns, "conntrack", "-F"});
	// conntrack -F exits 1 with "0 flow entries" on some versions when empty.
	if (r.status != 0 && r.output.find("flow entries have been deleted") == std::string::npos)
		throw Error("conntrack -F in " + netns + ": exit " + std::to_string(r.status) +
			    ": " + trim(r.output));
}

size_t kernel_log_count(const std::string &needle)
{
	size_t n = 0;
	for (const auto &line : split(must_run({"dmesg"}), '\n'))
		if (line.find(needle) != std::string::npos)
			n++;
	return n;
}

} // namespace nettune::exp
