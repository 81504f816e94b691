// nettune version: tool version, kernel, and which project modules are loaded.
#include "command.hpp"
#include "modules.hpp"
#include "table.hpp"

#include <iostream>
#include <nlohmann/json.hpp>

namespace {

using nettune::cli::Globals;

void print_version(const Globals &g)
{
	const std::string release = nettune::kernel_release();
	if (g.json) {
		nlohmann::json j;
		j["version"] = NETTUNE_VERSION;
		j["kernel"] = release;
		j["modules"] = nlohmann::json::array();
		for (const auto &name : nettune::project_modules()) {
			auto st = nettune::module_state(name);
			nlohmann::json m = {{"name", name}, {"loaded", st.loaded}};
			if (st.loaded) {
				m["version"] = st.version;
				m["srcversion"] = st.srcversion;
				m["refcount"] = st.refcount;
			}
			j["modules"].push_back(m);
		}
		std::cout << j.dump(2) << '\n';
		return;
	}
	std::cout << "nettune " << NETTUNE_VERSION << "\nkernel  " << release << "\n\n";
	nettune::Table t({"MODULE", "STATE", "VERSION", "SRCVERSION", "REFS"});
	for (const auto &name : nettune::project_modules()) {
		auto st = nettune::module_state(name);
		if (st.loaded)
			t.add_row({name, "loaded", st.version.empty() ? "-" : st.version,
				   st.srcversion, std::to_string(st.refcount)});
		else
			t.add_row({name, "not loaded", "-", "-", "-"});
	}
	t.print(std::cout);
}

void add_version(CLI::App &app, Globals &g)
{
	auto *cmd =
		app.add_subcommand("version", "tool version, kernel and loaded nettune modules");
	nettune::cli::on_run(cmd, g, [&g] { print_version(g); });
}

} // namespace

NETTUNE_COMMAND_GROUP(version, 0, add_version);
