// nettune: configure and observe the nettune kernel lab.
#include "command.hpp"
#include "error.hpp"
#include "netns.hpp"

#include <algorithm>
#include <csignal>
#include <iostream>
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

	auto &gs = cli::groups();
	std::sort(gs.begin(), gs.end(), [](auto &a, auto &b) { return a.order < b.order; });
	for (auto &grp : gs)
		grp.fn(app, g);

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
