// nettune: configure and observe the nettune kernel lab.
#include "command.hpp"
#include "error.hpp"
#include "netns.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

namespace nettune::cli {

namespace {

struct Group {
	const char *name;
	int order;
	GroupRegistrar fn;
};

std::vector<Group> &groups()
{
	static std::vector<Group> g;
	return g;
}

volatile std::sig_atomic_t stop_requested = 0;

void request_stop(int)
{
	stop_requested = 1;
}

} // namespace

bool register_group(const char *name, int order, GroupRegistrar fn)
{
	groups().push_back({name, order, fn});
	return true;
}

void on_run(CLI::App *sub, Globals &g, std::function<void()> fn)
{
	sub->callback([&g, fn = std::move(fn)] { g.action = fn; });
}

bool keep_running()
{
	return !stop_requested;
}

bool sleep_interval(double seconds)
{
	const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
	while (keep_running() && std::chrono::steady_clock::now() < end)
		std::this_thread::sleep_for(std::chrono::milliseconds(50));
	return keep_running();
}

namespace {

// The command group argv names: its first word that is neither a global
// option nor the value of -n/--netns; "" if there is none.
std::string group_word(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const std::string a = argv[i];
		if (a == "-n" || a == "--netns") {
			i++;
			continue;
		}
		if (!a.empty() && a[0] == '-')
			continue;
		return a;
	}
	return "";
}

// A group belongs to the command `word` if it is named so, or extends it
// (vnic_ntuple adds to vnic).
bool group_of(const std::string &group, const std::string &word)
{
	return group == word || group.rfind(word + "_", 0) == 0;
}

} // namespace

// Registers the groups the command line needs: only the named group's when
// argv names one (building the whole command tree is most of a short
// command's CPU time: about 45% of `nettune version`, and the selftests
// run nettune hundreds of times under emulation), every group otherwise
// (nettune --help, a mistyped group, which then gets CLI11's message).
void register_groups(CLI::App &app, Globals &g, int argc, char **argv)
{
	auto &gs = groups();
	std::sort(gs.begin(), gs.end(), [](auto &a, auto &b) { return a.order < b.order; });
	const std::string word = group_word(argc, argv);
	const bool known = std::any_of(gs.begin(), gs.end(),
				       [&](const Group &grp) { return group_of(grp.name, word); });
	for (auto &grp : gs)
		if (!known || group_of(grp.name, word))
			grp.fn(app, g);
}

} // namespace nettune::cli

int main(int argc, char **argv)
{
	using namespace nettune;
	cli::Globals g;
	CLI::App app{"nettune: configure and observe the nettune kernel networking lab"};
	app.require_subcommand(0, 1);
	app.fallthrough();
	app.add_flag("-j,--json", g.json, "JSON output");
	app.add_option("-n,--netns", g.netns, "act inside network namespace NAME (as ip -n)");
	app.add_flag("-v,--verbose", g.verbose, "more detail");

	cli::register_groups(app, g, argc, argv);

	try {
		app.parse(argc, argv);
	} catch (const CLI::CallForHelp &e) {
		return app.exit(e);
	} catch (const CLI::CallForAllHelp &e) {
		return app.exit(e);
	} catch (const CLI::ParseError &e) {
		app.exit(e, std::cerr, std::cerr);
		return 2;
	} catch (const UsageError &e) {
		std::cerr << "nettune: " << e.what() << '\n';
		return 2;
	}
	if (!g.action) {
		std::cerr << "nettune: missing command; see nettune --help\n";
		return 2;
	}

	std::signal(SIGINT, cli::request_stop);
	std::signal(SIGTERM, cli::request_stop);
	try {
		if (!g.netns.empty())
			enter_netns(g.netns);
		g.action();
	} catch (const UsageError &e) {
		std::cerr << "nettune: " << e.what() << '\n';
		return 2;
	} catch (const std::exception &e) {
		std::cerr << "nettune: " << e.what() << '\n';
		return 1;
	}
	return 0;
}
