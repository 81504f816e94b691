// Runs an experiment: the sweep with a table row per point (and a progress
// line), then results JSON, a gnuplot plot (PNG and SVG) and the verdict,
// all under OUT/NAME/. Cleanup is total, on success, failure or Ctrl-C.
#pragma once
#include "experiment.hpp"

#include <functional>
#include <iosfwd>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

namespace nettune::exp {

struct RunOptions {
	bool quick = false;
	bool json = false;   // no table; the caller prints the result JSON
	std::string out_dir; // results go to out_dir/NAME/
	std::function<bool()> keep_running;
};

// The result JSON (also in out_dir/NAME/result.json). "status" is "done",
// "failed" (with "error") or "interrupted"; "verdict" and "reason" when done.
nlohmann::json run_experiment(const Experiment &e, const RunOptions &o, std::ostream &out);

// $NTVM_OUT/exp inside the VM harness, else build/exp beside the binary.
std::string default_out_dir();
// The repository the binary was built in (for report and git commit).
std::string source_top();
std::string git_commit();

// out_dir/NAME/result.json, if there is one.
std::optional<nlohmann::json> last_result(const std::string &out_dir, const std::string &name);

// The table as printed: header cells and one line of cells per row.
std::vector<std::string> table_header(const nlohmann::json &result);
std::vector<std::vector<std::string>> table_cells(const nlohmann::json &result);

// Writes the gnuplot data and script into dir and renders NAME.png and
// NAME.svg; returns false (with a message on stderr) if gnuplot failed.
bool render_plot(const Experiment &e, const nlohmann::json &result, const std::string &dir);

// Documentation/experiments.md from the last results: the facts of the
// run (dates, commits, kernel, mode), the markdown of notes_path if it
// exists (how the run was made), a summary table (verdict, duration),
// then per experiment its claim, set-up, run, table, plot (SVG copied to
// svg_dir) and verdict. An experiment whose last run failed after its
// last good result says so. Returns how many experiments had results.
int write_report(const std::string &out_dir, const std::string &doc_path,
		 const std::string &svg_dir, const std::string &notes_path = "");

} // namespace nettune::exp
