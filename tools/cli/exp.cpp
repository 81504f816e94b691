// nettune exp: the experiments (list, run, report). The runner and the
// experiments live in libnettune (lib/exp/) and tools/exp/.
#include "command.hpp"
#include "error.hpp"
#include "exp/experiment.hpp"
#include "exp/runner.hpp"
#include "table.hpp"

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

namespace {

using nettune::cli::Globals;
namespace exp = nettune::exp;

struct ExpOptions {
	std::string name;
	bool quick = false;
	std::string out;
	std::string doc;
	std::string notes;
};

std::string out_dir(const ExpOptions &o)
{
	return o.out.empty() ? exp::default_out_dir() : o.out;
}

void list(const Globals &g, const ExpOptions &o)
{
	nlohmann::json arr = nlohmann::json::array();
	nettune::Table t({"name", "claim", "last verdict"});
	for (const auto &e : exp::experiments()) {
		if (e.hidden)
			continue;
		std::string verdict = "-";
		if (!e.waiting_for.empty())
			verdict = "waiting for " + e.waiting_for;
		else if (auto r = exp::last_result(out_dir(o), e.name))
			verdict = (*r)["verdict"].get<std::string>() +
				  ((*r)["quick"].get<bool>() ? " (quick, " : " (") +
				  (*r)["date"].get<std::string>() + ")";
		t.add_row({e.name, e.claim, verdict});
		arr.push_back({{"name", e.name},
			       {"claim", e.claim},
			       {"anchor", e.anchor},
			       {"last_verdict", verdict}});
	}
	if (g.json)
		std::cout << arr.dump(2) << '\n';
	else
		t.print(std::cout);
}

void run(const Globals &g, const ExpOptions &o)
{
	std::vector<const exp::Experiment *> todo;
	if (o.name == "all") {
		for (const auto &e : exp::experiments())
			if (!e.hidden && e.waiting_for.empty())
				todo.push_back(&e);
	} else {
		const auto &e = exp::find_experiment(o.name);
		if (!e.waiting_for.empty())
			throw nettune::Error("experiment " + e.name + " is waiting for " +
					     e.waiting_for);
		todo.push_back(&e);
	}
	exp::RunOptions ro;
	ro.quick = o.quick;
	ro.json = g.json;
	ro.out_dir = out_dir(o);
	ro.keep_running = nettune::cli::keep_running;
	nlohmann::json all = nlohmann::json::array();
	std::vector<std::string> failed;
	for (const auto *e : todo) {
		if (!nettune::cli::keep_running())
			break;
		auto r = exp::run_experiment(*e, ro, std::cout);
		if (r["status"] != "done")
			failed.push_back(e->name + " (" + r["error"].get<std::string>() + ")");
		all.push_back(std::move(r));
		if (!g.json && todo.size() > 1)
			std::cout << '\n';
	}
	if (g.json)
		std::cout << (o.name == "all" ? all : all.at(0)).dump(2) << '\n';
	if (!nettune::cli::keep_running())
		throw nettune::Error("exp run: interrupted; everything set up was undone");
	if (!failed.empty()) {
		std::string s;
		for (const auto &f : failed)
			s += (s.empty() ? "" : "; ") + f;
		throw nettune::Error("exp run: failed: " + s);
	}
}

void report(const Globals &g, const ExpOptions &o)
{
	std::string top = exp::source_top();
	std::string doc = o.doc.empty() ? top + "/Documentation/experiments.md" : o.doc;
	std::string svg_dir = std::filesystem::path(doc).parent_path() / "exp";
	std::string notes = o.notes.empty() ? svg_dir + "/run-notes.md" : o.notes;
	if (!o.notes.empty() && !std::filesystem::exists(notes))
		throw nettune::Error("exp report: notes " + notes + ": no such file");
	int n = exp::write_report(out_dir(o), doc, svg_dir, notes);
	if (g.json)
		std::cout << nlohmann::json{{"report", doc}, {"experiments_with_results", n}}.dump(
				     2)
			  << '\n';
	else
		std::cout << doc << ": " << n << " experiments with results (plots in " << svg_dir
			  << ")\n";
}

void add_exp(CLI::App &app, Globals &g)
{
	static ExpOptions o;
	auto *grp =
		app.add_subcommand("exp", "experiments: reproduce claims about the network stack");
	grp->require_subcommand(1);

	auto *l = grp->add_subcommand("list", "experiments, their claims and last verdicts");
	l->add_option("--out", o.out, "results directory (default: build/exp, or $NTVM_OUT/exp)");
	nettune::cli::on_run(l, g, [&g] { list(g, o); });

	auto *r = grp->add_subcommand("run", "run one experiment, or all");
	r->add_option("name", o.name, "experiment name, or all")->required();
	r->add_flag("--quick", o.quick, "fewer, shorter points (at most 2 minutes each)");
	r->add_option("--out", o.out, "results directory (default: build/exp, or $NTVM_OUT/exp)");
	nettune::cli::on_run(r, g, [&g] { run(g, o); });

	auto *rep = grp->add_subcommand("report",
					"write Documentation/experiments.md from the last results");
	rep->add_option("--out", o.out, "results directory to read");
	rep->add_option("--doc", o.doc,
			"markdown file to write (default: Documentation/experiments.md)");
	rep->add_option("--notes", o.notes,
			"markdown on how the run was made, put under the run's facts "
			"(default: exp/run-notes.md beside the report, if there is one)");
	nettune::cli::on_run(rep, g, [&g] { report(g, o); });
}

} // namespace

NETTUNE_COMMAND_GROUP(exp, 90, add_exp);
