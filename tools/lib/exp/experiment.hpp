// An experiment reproduces one claim about the Linux network stack: it
// builds a topology, sweeps one variable over points (for each variant,
// e.g. NAPI and legacy), measures counters at each point and judges the
// claim from the rows. Adding one is one file in tools/exp/, its helpers
// in a namespace of the file's own (the experiments build as unity files,
// where every file's anonymous namespace is the same one):
//
//   namespace exp_livelock {
//   namespace {
//   using namespace nettune::exp;
//   Experiment make()
//   {
//           Experiment e;
//           e.name = "livelock"; e.claim = "..."; e.anchor = "...";
//           e.variants = {"legacy", "napi"};
//           e.x = {"offered_kpps", "offered kpps"};
//           e.quick_points = {...}; e.full_points = {...};
//           e.columns = {{"delivered_kpps", "delivered kpps", 1}, ...};
//           e.prepare = [](Run &run, const std::string &variant) {
//                   auto pair = run.lab.vnic_pair(...);   // undone after the variant
//                   return Measure([=, &run](double x) { ...; return Values{...}; });
//           };
//           e.judge = [](const Results &r) { return Judgement{...}; };
//           return e;
//   }
//   } // namespace
//   } // namespace exp_livelock
//   NETTUNE_EXPERIMENT(livelock, exp_livelock::make);
#pragma once
#include "cleanup.hpp"
#include "error.hpp"
#include "topology.hpp"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace nettune::exp {

// A measured column: JSON key, table header, decimals (the table and the
// JSON carry the same rounded number).
struct Column {
	std::string key, header;
	int precision = 1;
};

using Values = std::map<std::string, double>;

struct Row {
	std::string variant;
	double x = 0;
	Values values;
};

enum class Verdict { reproduced, partly, not_reproduced };
std::string verdict_name(Verdict v);

struct Judgement {
	Verdict verdict = Verdict::not_reproduced;
	std::string reason; // the numbers behind the verdict, in one or two sentences
};

// The rows of one run, with the lookups a judge needs.
struct Results {
	std::vector<Row> rows;
	bool quick = false;
	std::vector<const Row *> series(const std::string &variant) const;
	// The value of `key` in a variant's row at point x; throws Error.
	double at(const std::string &variant, double x, const std::string &key) const;
	// First and last row of a variant (the sweep's ends); throws Error.
	const Row &first(const std::string &variant) const;
	const Row &last(const std::string &variant) const;
	double max_of(const std::string &variant, const std::string &key) const;
};

// The plot: y columns against the x of the sweep (or another column), one
// line per (variant, y column). y2 keys go on the right axis.
struct PlotSpec {
	std::string x_key; // "" = the swept variable
	std::string x_label, y_label, y2_label;
	std::vector<std::string> y_keys, y2_keys;
	bool logx = false;
};

// Thrown by Run::check() once SIGINT/SIGTERM asked the runner to stop.
struct Interrupted : Error {
	Interrupted() : Error("interrupted") {}
};

// What an experiment's code gets while it runs.
class Run {
public:
	Run(CleanupStack &cleanup, const std::string &name, bool quick,
	    std::function<bool()> keep_running);
	const bool quick;
	CleanupStack &cleanup;
	Lab lab;
	// Throws Interrupted once a stop was asked for.
	void check() const;
	// Sleeps, waking every 50 ms to check(): Ctrl-C is never held up.
	void sleep(double seconds) const;
	// Number of CPUs the VM has.
	int cpus() const;

private:
	std::function<bool()> keep_running_;
};

using Measure = std::function<Values(double x)>;

struct Experiment {
	std::string name;        // as given to `exp run`
	int order = 100;         // place in `list` and `all` (the priority)
	std::string title;       // a few words
	std::string claim;       // one line
	std::string anchor;      // where the claim comes from
	std::string setup;       // topology, knobs and load in a paragraph
	bool hidden = false;     // runner selftests: not in `list` or `all`
	std::string waiting_for; // non-empty: listed, not runnable yet (why)
	std::vector<std::string> variants{""};
	Column x; // the swept variable
	std::vector<double> quick_points, full_points;
	std::vector<Column> columns;
	PlotSpec plot;
	// Builds one variant's topology (every change pushed on run.cleanup,
	// undone after the variant) and returns how to measure one point.
	std::function<Measure(Run &run, const std::string &variant)> prepare;
	std::function<Judgement(const Results &)> judge;
};

bool register_experiment(Experiment (*make)());
// All experiments in registration order of their priority.
const std::vector<Experiment> &experiments();
// By name (hidden ones too); throws UsageError listing the names.
const Experiment &find_experiment(const std::string &name);

} // namespace nettune::exp

#define NETTUNE_EXPERIMENT(id, make)                                                               \
	static const bool nettune_experiment_registered_##id =                                     \
		nettune::exp::register_experiment(make)
