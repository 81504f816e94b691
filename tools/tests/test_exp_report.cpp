// nettune exp report: what Documentation/experiments.md says of a set of
// results (a good one, one whose last run failed, none), written by the
// binary from a results directory of ours.
#include "run.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

nlohmann::json fake_result(const std::string &name, const std::string &verdict)
{
	return {{"name", name},
		{"status", "done"},
		{"quick", true},
		{"date", "2026-12-03 07:00 UTC"},
		{"commit", "abcdef1234"},
		{"kernel", "6.1.0-test"},
		{"cpus", 2},
		{"duration_s", 125.0},
		{"x", {{"key", "x"}, {"header", "load"}, {"precision", 0}}},
		{"columns", {{{"key", "rate"}, {"header", "rate kpps"}, {"precision", 2}}}},
		{"rows", {{{"variant", "napi"}, {"x", 4.0}, {"rate", 1.234}}}},
		{"verdict", verdict},
		{"reason", "because of the numbers of " + name}};
}

void write(const fs::path &p, const std::string &text)
{
	fs::create_directories(p.parent_path());
	std::ofstream(p) << text;
}

std::string slurp(const fs::path &p)
{
	std::ifstream f(p);
	std::ostringstream ss;
	ss << f.rdbuf();
	return ss.str();
}

} // namespace

TEST_CASE("exp report: facts of the run, notes, summary with durations, failures")
{
	fs::path dir =
		fs::temp_directory_path() / ("nettune-exp-report-" + std::to_string(getpid()));
	fs::remove_all(dir);
	fs::path out = dir / "results", doc = dir / "doc" / "experiments.md";
	write(out / "livelock" / "result.json", fake_result("livelock", "partly").dump());
	// napi-irqs: a good result, then a failed run after it
	write(out / "napi-irqs" / "result.json", fake_result("napi-irqs", "reproduced").dump());
	fs::last_write_time(out / "napi-irqs" / "result.json",
			    fs::file_time_type::clock::now() - std::chrono::hours(1));
	write(out / "napi-irqs" / "last-error.json",
	      nlohmann::json{{"status", "failed"},
			     {"error", "iperf3 died"},
			     {"date", "2026-12-03 07:05 UTC"},
			     {"commit", "abcdef1234"},
			     {"duration_s", 3.0}}
		      .dump());
	// rss: one unnamed variant, so no variant column
	auto rss = fake_result("rss", "reproduced");
	rss["rows"] = {{{"variant", ""}, {"x", 16.0}, {"rate", 2.5}}};
	write(out / "rss" / "result.json", rss.dump());
	write(dir / "doc" / "exp" / "run-notes.md", "Made on a loaded host.\n");

	auto r = run_nettune({"exp", "report", "--out", out.string(), "--doc", doc.string()});
	INFO(r.err);
	REQUIRE(r.exit_code == 0);
	auto md = slurp(doc);
	CHECK(md.find("**The results.** 3 experiments, quick run, from 2026-12-03 07:00 UTC to "
		      "2026-12-03 07:00 UTC; commit abcdef1234; kernel 6.1.0-test; 2 CPUs; 6 min "
		      "of experiment time in all. Verdicts: 1 reproduced, 1 partly, 1 failed, ") !=
	      std::string::npos);
	CHECK(md.find("Made on a loaded host.") != std::string::npos);
	CHECK(md.find("| [livelock](#livelock) |") != std::string::npos);
	CHECK(md.find("| partly | 2 min 05 s | 2026-12-03 07:00 UTC |") != std::string::npos);
	CHECK(md.find("| failed (2026-12-03 07:05 UTC), last result: reproduced |") !=
	      std::string::npos);
	CHECK(md.find("**Last run failed** (2026-12-03 07:05 UTC, commit abcdef1234, after 3 s): "
		      "iperf3 died. The result below is the last good one.") != std::string::npos);
	CHECK(md.find("| variant | load | rate kpps |\n|---|---:|---:|\n| napi | 4 | 1.23 |") !=
	      std::string::npos);
	CHECK(md.find("| load | rate kpps |\n|---:|---:|\n| 16 | 2.50 |") != std::string::npos);
	CHECK(md.find("**Verdict: partly.** because of the numbers of livelock") !=
	      std::string::npos);
	// every experiment has its section, run or not
	CHECK(md.find("(`hystart`)") != std::string::npos);
	CHECK(md.find("**Status.** Not run yet.") != std::string::npos);

	auto bad = run_nettune({"exp", "report", "--out", out.string(), "--doc", doc.string(),
				"--notes", (dir / "none.md").string()});
	CHECK(bad.exit_code == 1);
	CHECK(bad.err.find("none.md: no such file") != std::string::npos);
	fs::remove_all(dir);
}
