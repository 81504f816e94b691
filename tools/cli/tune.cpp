// nettune tune: buffer sizes for a path (bdp) and the classic sysctl
// pitfalls (audit), each with the current value, the advice and why;
// --apply writes them.
#include "command.hpp"
#include "error.hpp"
#include "observe_proc.hpp"
#include "observe_snapshot.hpp"
#include "observe_tune.hpp"
#include "sysfs.hpp"
#include "table.hpp"

#include <fmt/format.h>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sys/utsname.h>
#include <unistd.h>

namespace {

using nettune::cli::Globals;
namespace obs = nettune::observe;

nlohmann::json advice_json(const std::vector<obs::Advice> &items)
{
	nlohmann::json arr = nlohmann::json::array();
	for (const auto &a : items)
		arr.push_back({{"sysctl", a.sysctl},
			       {"current", a.current},
			       {"advised", a.advised},
			       {"status", a.status},
			       {"why", a.why}});
	return arr;
}

void print_advice(const std::vector<obs::Advice> &items)
{
	nettune::Table t({"SYSCTL", "CURRENT", "ADVISED", "STATUS", "WHY"});
	for (const auto &a : items)
		t.add_row({a.sysctl, a.current.empty() ? "-" : a.current,
			   a.advised.empty() ? "-" : a.advised, a.status, a.why});
	t.print(std::cout);
}

bool sysctl_writable(const std::string &name)
{
	// proc_sys_permission checks the sysctl's own mode, even for root: a
	// global sysctl a namespace shows read-only (nf_conntrack_max) is
	// refused here.
	return ::access(obs::sysctl_path(name).c_str(), W_OK) == 0;
}

// Writes every item whose status is "change"; returns what was written.
// Refuses them all, writing nothing, if one advised value cannot be
// written (obs::apply_refusals). A write the kernel refuses stops there,
// naming what was written before it.
std::vector<std::string> apply(const std::vector<obs::Advice> &items)
{
	if (auto why = obs::apply_refusals(items); !why.empty()) {
		std::string msg = "nothing applied: ";
		for (size_t i = 0; i < why.size(); i++)
			msg += (i ? "; " : "") + why[i];
		throw nettune::Error(msg);
	}
	std::vector<std::string> done;
	for (const auto &a : items) {
		if (a.status != "change" || a.advised.empty())
			continue;
		try {
			nettune::write_file(obs::sysctl_path(a.sysctl), a.advised);
		} catch (const nettune::Error &e) {
			std::string before;
			for (const auto &d : done)
				before += (before.empty() ? "" : ", ") + d;
			throw nettune::Error(fmt::format(
				"{}: {}{}", a.sysctl, e.what(),
				before.empty() ? "" : "; applied before it: " + before));
		}
		done.push_back(a.sysctl + " = " + a.advised);
	}
	return done;
}

void report_applied(const Globals &g, nlohmann::json &j, const std::vector<std::string> &done)
{
	if (g.json) {
		j["applied"] = done;
		return;
	}
	if (done.empty())
		std::cout << "nothing to apply\n";
	for (const auto &d : done)
		std::cout << "applied: " << d << '\n';
}

struct BdpArgs {
	std::string rate, rtt;
	bool apply = false;
};

void run_bdp(const Globals &g, const BdpArgs &a)
{
	const double rate = obs::parse_rate(a.rate);
	const double rtt = obs::parse_duration(a.rtt);
	auto plan = obs::plan_bdp(rate, rtt, obs::read_sysctl);
	obs::mark_read_only(plan.items, sysctl_writable);
	nlohmann::json j = {{"rate_bps", rate},
			    {"rtt_s", rtt},
			    {"bdp_bytes", plan.bdp},
			    {"rcvbuf_bytes", plan.rcvbuf},
			    {"sndbuf_bytes", plan.sndbuf},
			    {"items", advice_json(plan.items)}};
	if (!g.json) {
		std::cout << fmt::format("rate {} bit/s x rtt {} s = BDP {} bytes ({:.1f} MiB)\n",
					 nettune::human_count(rate), rtt, plan.bdp,
					 plan.bdp / 1048576.0);
		std::cout << fmt::format(
			"receive buffer for that window: {} bytes; send buffer: {} "
			"bytes\n\n",
			plan.rcvbuf, plan.sndbuf);
		print_advice(plan.items);
	}
	if (a.apply)
		report_applied(g, j, apply(plan.items));
	if (g.json)
		std::cout << j.dump(2) << '\n';
}

obs::AuditFacts audit_facts()
{
	obs::AuditFacts f;
	if (auto text = nettune::try_read_file("/proc/net/softnet_stat"))
		for (const auto &c : obs::parse_softnet(*text)) {
			f.softnet_dropped += c.dropped;
			f.time_squeeze += c.time_squeeze;
		}
	f.conntrack_loaded = obs::read_sysctl("net.netfilter.nf_conntrack_count").has_value();
	const auto avail =
		obs::read_sysctl("net.ipv4.tcp_available_congestion_control").value_or("");
	utsname u{};
	uname(&u);
	f.bbr_available = avail.find("bbr") != std::string::npos ||
			  nettune::try_read_file(std::string("/lib/modules/") + u.release +
						 "/kernel/net/ipv4/tcp_bbr.ko")
				  .has_value();
	return f;
}

void run_audit(const Globals &g, bool do_apply)
{
	auto items = obs::audit(obs::read_sysctl, audit_facts());
	obs::mark_read_only(items, sysctl_writable);
	nlohmann::json j = {{"items", advice_json(items)}};
	if (!g.json)
		print_advice(items);
	if (do_apply)
		report_applied(g, j, apply(items));
	if (g.json)
		std::cout << j.dump(2) << '\n';
}

void add_tune(CLI::App &app, Globals &g)
{
	auto *tune = app.add_subcommand("tune", "buffer sizes for a path (bdp) and the classic "
						"sysctl pitfalls (audit)");
	tune->require_subcommand(1);
	auto b = std::make_shared<BdpArgs>();
	auto *bdp = tune->add_subcommand("bdp", "bandwidth-delay product and the tcp_rmem/wmem, "
						"rmem_max/wmem_max it needs");
	bdp->add_option("--rate", b->rate, "path rate: 10gbit, 100mbit, 125mbps (bytes/s)")
		->required();
	bdp->add_option("--rtt", b->rtt, "round-trip time: 100ms, 0.5s, 250us")->required();
	bdp->add_flag("--apply", b->apply, "write the sysctls that are too small");
	nettune::cli::on_run(bdp, g, [&g, b] { run_bdp(g, *b); });

	auto apply_audit = std::make_shared<bool>(false);
	auto *audit = tune->add_subcommand("audit", "socket buffers, somaxconn, SYN backlog, "
						    "syncookies, tw_reuse, port range, "
						    "mtu_probing, conntrack, fq/bbr, netdev "
						    "budget/backlog: current, advised, why");
	audit->add_flag("--apply", *apply_audit, "write the values marked 'change'");
	nettune::cli::on_run(audit, g, [&g, apply_audit] { run_audit(g, *apply_audit); });
}

} // namespace

NETTUNE_COMMAND_GROUP(tune, 64, add_tune);
