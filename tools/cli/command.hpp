// How a command group plugs into nettune: one cli/<group>.cpp per OBJECT,
// registering itself with NETTUNE_COMMAND_GROUP. No shared file is edited
// to add one.
//
//   static void add_vnic(CLI::App &app, nettune::cli::Globals &g)
//   {
//           auto *vnic = app.add_subcommand("vnic", "virtual NIC pairs");
//           auto *show = vnic->add_subcommand("show", "list devices");
//           nettune::cli::on_run(show, g, [&g] { ... print, honour g.json ... });
//   }
//   NETTUNE_COMMAND_GROUP(vnic, 20, add_vnic);
//
// Actions throw nettune::Error (exit 1) or nettune::UsageError (exit 2);
// main() prints "nettune: <message>" and exits with the code.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace nettune::cli {

struct Globals {
	bool json = false;
	std::string netns;
	int verbose = 0;
	// Set by the chosen subcommand's callback, run after parsing and after
	// entering --netns.
	std::function<void()> action;
};

using GroupRegistrar = void (*)(CLI::App &, Globals &);

bool register_group(const char *name, int order, GroupRegistrar fn);

// Makes `fn` the action run when `sub` is the command given.
void on_run(CLI::App *sub, Globals &g, std::function<void()> fn);

// For `--watch`-style loops: true until SIGINT/SIGTERM.
bool keep_running();

// Sleeps `seconds` in 50 ms steps; false as soon as SIGINT/SIGTERM came.
bool sleep_interval(double seconds);

} // namespace nettune::cli

#define NETTUNE_COMMAND_GROUP(name, order, fn)                                                     \
	static const bool nettune_group_registered_##name =                                        \
		nettune::cli::register_group(#name, order, fn)
