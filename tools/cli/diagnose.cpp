// nettune diagnose: samples every counter on the receive path twice and
// names what went wrong, ranked, with evidence, cause and fix.
#include "command.hpp"
#include "error.hpp"
#include "observe_diagnose.hpp"

#include <chrono>
#include <fmt/format.h>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

namespace {

using nettune::cli::Globals;
namespace obs = nettune::observe;

struct DiagnoseArgs {
	std::vector<std::string> devs;
	uint16_t port = 0;
	double interval = 2;
};

void print_finding(size_t rank, const obs::Finding &f, double secs)
{
	std::cout << fmt::format("{}. [{}] {}\n", rank, obs::severity_name(f.severity), f.title);
	std::cout << "   evidence:\n";
	for (const auto &e : f.evidence) {
		std::string rate = secs > 0 && e.note.rfind("gauge", 0) != 0
					   ? fmt::format(" ({:.1f}/s)", e.delta / secs)
					   : "";
		std::cout << fmt::format("     {:<44} {:>10}{}", e.counter, e.delta, rate);
		if (!e.note.empty())
			std::cout << "  " << e.note;
		std::cout << '\n';
	}
	std::cout << "   cause: " << f.cause << '\n';
	std::cout << "   fix:\n";
	for (const auto &x : f.fix)
		std::cout << "     " << x << '\n';
}

void run_diagnose(const Globals &g, const DiagnoseArgs &a)
{
	if (!(a.interval >= 0.2) || a.interval > 600)
		throw nettune::UsageError("--interval: 0.2 to 600 seconds");
	obs::SnapshotOptions so{a.devs, a.port};
	const obs::Snapshot before = obs::take_snapshot(so);
	// Ctrl-C (SIGINT/SIGTERM) ends the interval early: the second sample
	// is taken at once and the report covers what happened so far.
	if (g.verbose)
		std::cerr << fmt::format("diagnose: first sample taken; the second in {} s or at "
					 "Ctrl-C\n",
					 a.interval)
			  << std::flush;
	const auto end =
		std::chrono::steady_clock::now() + std::chrono::duration<double>(a.interval);
	while (nettune::cli::keep_running() && std::chrono::steady_clock::now() < end)
		std::this_thread::sleep_for(std::chrono::milliseconds(20));
	const obs::Snapshot after = obs::take_snapshot(so);
	if (g.verbose)
		std::cerr << "diagnose: second sample taken\n";
	const double secs = after.time_s - before.time_s;
	const auto findings = obs::diagnose(before, after, {a.port});
	if (g.json) {
		nlohmann::json arr = nlohmann::json::array();
		for (const auto &f : findings)
			arr.push_back(obs::finding_json(f, secs));
		std::cout << nlohmann::json{{"interval_s", secs},
					    {"findings", arr},
					    {"notes", after.notes}}
				     .dump(2)
			  << '\n';
		return;
	}
	std::cout << fmt::format("sampled {:.1f} s: {} devices, {} CPUs, conntrack {}\n", secs,
				 after.devices.size(), after.softnet.size(),
				 after.conntrack ? "loaded" : "not loaded");
	for (const auto &n : after.notes)
		std::cout << "note: " << n << '\n';
	if (findings.empty()) {
		std::cout << "no finding: nothing on the path dropped, overflowed or retransmitted "
			     "beyond the thresholds\n";
		return;
	}
	for (size_t i = 0; i < findings.size(); i++) {
		std::cout << '\n';
		print_finding(i + 1, findings[i], secs);
	}
}

void add_diagnose(CLI::App &app, Globals &g)
{
	auto a = std::make_shared<DiagnoseArgs>();
	auto *cmd = app.add_subcommand(
		"diagnose", "sample the receive path twice and rank what went wrong: ring "
			    "overflow, CPU hotspot, backlog, conntrack, listen queue, socket "
			    "buffers, retransmissions, PMTU black holes");
	cmd->add_option("--dev", a->devs, "only these devices (default: all but lo)");
	cmd->add_option("--port", a->port, "listen queue of this TCP port")
		->check(CLI::Range(1, 65535));
	cmd->add_option("--interval", a->interval,
			"seconds between the two samples (default 2; Ctrl-C ends it early)");
	nettune::cli::on_run(cmd, g, [&g, a] { run_diagnose(g, *a); });
}

} // namespace

NETTUNE_COMMAND_GROUP(diagnose, 62, add_diagnose);
