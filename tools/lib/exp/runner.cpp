#include "runner.hpp"

#include "process.hpp"
#include "sysfs.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sys/utsname.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace nettune::exp {

namespace {

double round_to(double v, int precision)
{
	double scale = std::pow(10.0, precision);
	return std::round(v * scale) / scale;
}

std::string format_number(double v, int precision)
{
	if (std::isnan(v))
		return "-";
	return fmt::format("{:.{}f}", v, precision);
}

std::string now_utc()
{
	char buf[32];
	std::time_t t = std::time(nullptr);
	std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M UTC", std::gmtime(&t));
	return buf;
}

std::string kernel_release()
{
	utsname u{};
	uname(&u);
	return u.release;
}

// Prints the rows as they come, in columns as wide as their headers.
class StreamTable {
public:
	StreamTable(std::ostream &out, std::vector<std::string> headers, size_t variant_width)
	    : out_(out), headers_(std::move(headers))
	{
		for (size_t i = 0; i < headers_.size(); i++)
			widths_.push_back(
				std::max<size_t>(headers_[i].size(), i == 0 ? variant_width : 8));
	}
	void header() { line(headers_); }
	void line(const std::vector<std::string> &cells)
	{
		std::string s;
		for (size_t i = 0; i < cells.size(); i++) {
			if (i)
				s += "  ";
			s += i == 0 ? fmt::format("{:<{}}", cells[i], widths_[i])
				    : fmt::format("{:>{}}", cells[i], widths_[i]);
		}
		s.erase(s.find_last_not_of(' ') + 1);
		out_ << s << std::endl;
	}

private:
	std::ostream &out_;
	std::vector<std::string> headers_;
	std::vector<size_t> widths_;
};

nlohmann::json describe(const Experiment &e, const RunOptions &o)
{
	nlohmann::json j;
	j["name"] = e.name;
	j["title"] = e.title;
	j["claim"] = e.claim;
	j["anchor"] = e.anchor;
	j["setup"] = e.setup;
	j["quick"] = o.quick;
	j["date"] = now_utc();
	j["commit"] = git_commit();
	j["kernel"] = kernel_release();
	j["cpus"] = sysconf(_SC_NPROCESSORS_ONLN);
	j["x"] = {{"key", e.x.key}, {"header", e.x.header}, {"precision", e.x.precision}};
	j["columns"] = nlohmann::json::array();
	for (const auto &c : e.columns)
		j["columns"].push_back(
			{{"key", c.key}, {"header", c.header}, {"precision", c.precision}});
	j["rows"] = nlohmann::json::array();
	return j;
}

nlohmann::json row_json(const Row &r)
{
	nlohmann::json j = {{"variant", r.variant}, {"x", r.x}};
	for (const auto &[k, v] : r.values)
		j[k] = v;
	return j;
}

void write_json(const nlohmann::json &j, const std::string &path)
{
	std::ofstream f(path);
	f << j.dump(2) << '\n';
	if (!f)
		throw Error("cannot write " + path);
}

} // namespace

std::vector<std::string> table_header(const nlohmann::json &result)
{
	std::vector<std::string> h{"variant", result["x"]["header"].get<std::string>()};
	for (const auto &c : result["columns"])
		h.push_back(c["header"].get<std::string>());
	return h;
}

std::vector<std::vector<std::string>> table_cells(const nlohmann::json &result)
{
	std::vector<std::vector<std::string>> out;
	for (const auto &r : result["rows"]) {
		std::vector<std::string> cells{
			r["variant"].get<std::string>(),
			format_number(r["x"].get<double>(), result["x"]["precision"].get<int>())};
		for (const auto &c : result["columns"]) {
			auto key = c["key"].get<std::string>();
			cells.push_back(r.contains(key) && r[key].is_number()
						? format_number(r[key].get<double>(),
								c["precision"].get<int>())
						: "-");
		}
		out.push_back(std::move(cells));
	}
	return out;
}

std::string source_top()
{
	std::error_code ec;
	fs::path exe = fs::read_symlink("/proc/self/exe", ec);
	// build/tools/nettune -> the repository
	if (!ec) {
		fs::path top = exe.parent_path().parent_path().parent_path();
		if (fs::exists(top / "Documentation", ec))
			return top.string();
	}
	return fs::current_path().string();
}

std::string default_out_dir()
{
	if (const char *o = getenv("NTVM_OUT"); o && *o)
		return std::string(o) + "/exp";
	std::error_code ec;
	fs::path exe = fs::read_symlink("/proc/self/exe", ec);
	if (!ec)
		return (exe.parent_path().parent_path() / "exp").string();
	return "exp-results";
}

std::string git_commit()
{
	if (const char *c = getenv("NETTUNE_COMMIT"); c && *c)
		return c;
	try {
		auto r = run_cmd({"git", "-c", "safe.directory=*", "-C", source_top(), "rev-parse",
				  "--short=10", "HEAD"});
		if (r.status == 0)
			return trim(r.output);
	} catch (const std::exception &) {
	}
	return "unknown";
}

std::optional<nlohmann::json> last_result(const std::string &out_dir, const std::string &name)
{
	auto text = try_read_file(out_dir + "/" + name + "/result.json");
	if (!text)
		return std::nullopt;
	try {
		return nlohmann::json::parse(*text);
	} catch (const std::exception &) {
		return std::nullopt;
	}
}

bool render_plot(const Experiment &e, const nlohmann::json &result, const std::string &dir)
{
	const auto &p = e.plot;
	auto col_index = [&](const std::string &key) -> int {
		for (size_t i = 0; i < e.columns.size(); i++)
			if (e.columns[i].key == key)
				return static_cast<int>(i) + 3;
		throw Error(e.name + ": plot names an unknown column " + key);
	};
	std::ofstream dat(dir + "/" + e.name + ".dat");
	dat << "# plot-x x";
	for (const auto &c : e.columns)
		dat << ' ' << c.key;
	dat << '\n';
	bool first = true;
	for (const auto &v : e.variants) {
		if (!first)
			dat << "\n\n";
		first = false;
		dat << "# variant " << (v.empty() ? "-" : v) << '\n';
		// In order of the plot's x (a measured x need not rise with the
		// sweep), so that lines do not zigzag.
		std::vector<nlohmann::json> rows;
		for (const auto &r : result["rows"])
			if (r["variant"] == v)
				rows.push_back(r);
		const std::string xk = p.x_key.empty() ? "x" : p.x_key;
		std::stable_sort(rows.begin(), rows.end(), [&](const auto &a, const auto &b) {
			return a.value(xk, 0.0) < b.value(xk, 0.0);
		});
		for (const auto &r : rows) {
			auto num = [&](const std::string &k) {
				return r.contains(k) && r[k].is_number()
					       ? fmt::format("{}", r[k].get<double>())
					       : std::string("NaN");
			};
			dat << (p.x_key.empty() ? num("x") : num(p.x_key)) << ' ' << num("x");
			for (const auto &c : e.columns)
				dat << ' ' << num(c.key);
			dat << '\n';
		}
	}
	dat.close();

	auto header_of = [&](const std::string &key) {
		for (const auto &c : e.columns)
			if (c.key == key)
				return c.header;
		return key;
	};
	std::string plots;
	int idx = 0;
	for (const auto &v : e.variants) {
		auto add = [&](const std::string &key, bool y2) {
			std::string title = (v.empty() ? "" : v + ": ") + header_of(key);
			plots += fmt::format("{}'{}.dat' index {} using 1:{} with linespoints lw 2 "
					     "title '{}'{}",
					     plots.empty() ? "" : ", ", e.name, idx, col_index(key),
					     title, y2 ? " axes x1y2" : "");
		};
		for (const auto &k : p.y_keys)
			add(k, false);
		for (const auto &k : p.y2_keys)
			add(k, true);
		idx++;
	}
	std::string title = e.title + (result.value("quick", false) ? " (quick run)" : "");
	std::string gp =
		fmt::format("set title \"{}\" noenhanced\n"
			    "set xlabel \"{}\" noenhanced\nset ylabel \"{}\" noenhanced\n"
			    "set grid\nset key outside bottom center horizontal noenhanced\n"
			    "set yrange [0:*]\n",
			    title, p.x_label, p.y_label);
	if (p.logx)
		gp += "set logscale x\n";
	if (!p.y2_keys.empty())
		gp += fmt::format("set y2label \"{}\" noenhanced\nset y2tics\nset ytics nomirror\n"
				  "set y2range [0:*]\n",
				  p.y2_label);
	gp += fmt::format("set terminal svg size 820,560 dynamic font 'sans,12'\n"
			  "set output '{0}.svg'\nplot {1}\n"
			  "set terminal pngcairo size 820,560 font 'sans,10'\n"
			  "set output '{0}.png'\nplot {1}\n",
			  e.name, plots);
	std::ofstream(dir + "/" + e.name + ".gp") << gp;
	auto r = run_cmd({"sh", "-c", "cd '" + dir + "' && gnuplot " + e.name + ".gp"});
	if (r.status != 0) {
		std::cerr << "nettune: gnuplot " << dir << "/" << e.name << ".gp: " << r.output;
		return false;
	}
	return true;
}

nlohmann::json run_experiment(const Experiment &e, const RunOptions &o, std::ostream &out)
{
	const auto t0 = std::chrono::steady_clock::now();
	const std::string dir = o.out_dir + "/" + e.name;
	fs::create_directories(dir);
	nlohmann::json result = describe(e, o);
	Results results;
	results.quick = o.quick;
	const auto &points = o.quick ? e.quick_points : e.full_points;

	std::vector<std::string> headers{"variant", e.x.header};
	size_t vw = 7;
	for (const auto &v : e.variants)
		vw = std::max(vw, v.size());
	for (const auto &c : e.columns)
		headers.push_back(c.header);
	StreamTable table(out, headers, vw);
	if (!o.json) {
		out << "== " << e.name << ": " << e.claim << '\n';
		table.header();
	}
	const size_t total = points.size() * e.variants.size();
	size_t done = 0;
	const char *term = getenv("TERM");
	const bool tty = isatty(2) && !o.json && term && std::string(term) != "dumb";

	CleanupStack cleanup;
	try {
		Run run(cleanup, e.name, o.quick, o.keep_running);
		for (const auto &variant : e.variants) {
			CleanupScope scope(cleanup);
			Measure measure = e.prepare(run, variant);
			for (double x : points) {
				run.check();
				if (tty)
					std::cerr << fmt::format("\r# {}/{}: {} at {} ({:.0f} s)",
								 done + 1, total,
								 variant.empty() ? e.name : variant,
								 x,
								 std::chrono::duration<double>(
									 std::chrono::steady_clock::
										 now() -
									 t0)
									 .count())
						  << std::flush;
				Values v = measure(x);
				if (tty)
					std::cerr << "\r\033[K" << std::flush;
				Row row{variant, x, {}};
				for (const auto &c : e.columns)
					if (auto it = v.find(c.key); it != v.end())
						row.values[c.key] =
							round_to(it->second, c.precision);
				results.rows.push_back(row);
				result["rows"].push_back(row_json(row));
				if (!o.json)
					table.line(table_cells(result).back());
				done++;
			}
			measure = nullptr; // its load stops before the scope undoes the topology
		}
		cleanup.run_all();
		Judgement j = e.judge(results);
		result["status"] = "done";
		result["verdict"] = verdict_name(j.verdict);
		result["reason"] = j.reason;
	} catch (const Interrupted &) {
		cleanup.run_all();
		result["status"] = "interrupted";
		result["error"] = "interrupted (SIGINT/SIGTERM): everything it set up was undone";
	} catch (const std::exception &ex) {
		cleanup.run_all();
		result["status"] = "failed";
		result["error"] = ex.what();
	}
	if (tty)
		std::cerr << "\r\033[K" << std::flush;
	result["duration_s"] = std::round(
		std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
	if (result["status"] == "done" && render_plot(e, result, dir)) {
		result["plot"] = {{"svg", dir + "/" + e.name + ".svg"},
				  {"png", dir + "/" + e.name + ".png"}};
	}
	// A failed or interrupted run keeps the previous result.json (the last
	// good one); its own goes beside it.
	write_json(result,
		   dir + (result["status"] == "done" ? "/result.json" : "/last-error.json"));
	if (!o.json) {
		if (result["status"] == "done") {
			out << "verdict: " << result["verdict"].get<std::string>() << ": "
			    << result["reason"].get<std::string>() << '\n';
			if (result.contains("plot"))
				out << "plot: " << result["plot"]["svg"].get<std::string>() << '\n';
		} else {
			out << e.name << ": " << result["error"].get<std::string>() << '\n';
		}
		out << "results: " << dir << "/" << '\n';
	}
	return result;
}

namespace {

// What the report knows of one experiment: its last good result and, if
// the last run of it failed after that, the failure.
struct ReportEntry {
	const Experiment *e;
	std::optional<nlohmann::json> result, failure;
};

std::optional<nlohmann::json> last_failure(const std::string &out_dir, const std::string &name)
{
	fs::path err = fs::path(out_dir) / name / "last-error.json";
	fs::path ok = fs::path(out_dir) / name / "result.json";
	std::error_code ec;
	if (!fs::exists(err, ec))
		return std::nullopt;
	if (fs::exists(ok, ec) && fs::last_write_time(ok, ec) >= fs::last_write_time(err, ec))
		return std::nullopt;
	try {
		return nlohmann::json::parse(read_file(err.string()));
	} catch (const std::exception &) {
		return std::nullopt;
	}
}

std::string duration_text(const nlohmann::json &r)
{
	double s = r.value("duration_s", 0.0);
	return s >= 60 ? fmt::format("{:.0f} min {:02.0f} s", std::floor(s / 60), std::fmod(s, 60))
		       : fmt::format("{:.0f} s", s);
}

std::string summary_verdict(const ReportEntry &en)
{
	if (!en.e->waiting_for.empty())
		return "waiting: " + en.e->waiting_for;
	if (en.failure)
		return "failed (" + en.failure->value("date", std::string("?")) + ")" +
		       (en.result ? ", last result: " + (*en.result)["verdict"].get<std::string>()
				  : "");
	return en.result ? (*en.result)["verdict"].get<std::string>() : "not run yet";
}

// "Verdicts: 3 reproduced, 1 partly, ..." over the summary's verdicts.
std::string verdict_tally(const std::vector<ReportEntry> &entries)
{
	std::map<std::string, int> count;
	for (const auto &en : entries)
		count[!en.e->waiting_for.empty() ? "waiting"
		      : en.failure               ? "failed"
		      : en.result                ? (*en.result)["verdict"].get<std::string>()
						 : "not run yet"]++;
	std::string s;
	for (const char *v :
	     {"reproduced", "partly", "not reproduced", "failed", "waiting", "not run yet"})
		if (count[v])
			s += fmt::format("{}{} {}", s.empty() ? "Verdicts: " : ", ", count[v], v);
	return s + ".";
}

// The facts of the run the results come from: dates, commits, kernels,
// mode, CPUs and the time they took, as the results recorded them.
std::string run_facts(const std::vector<ReportEntry> &entries)
{
	std::set<std::string> commits, kernels, modes;
	std::string first, last;
	double seconds = 0;
	int n = 0, cpus = 0;
	for (const auto &en : entries) {
		if (!en.result)
			continue;
		const auto &r = *en.result;
		auto date = r["date"].get<std::string>();
		first = first.empty() || date < first ? date : first;
		last = std::max(last, date);
		commits.insert(r["commit"].get<std::string>());
		kernels.insert(r["kernel"].get<std::string>());
		modes.insert(r["quick"].get<bool>() ? "quick" : "full");
		cpus = r["cpus"].get<int>();
		seconds += r.value("duration_s", 0.0);
		n++;
	}
	if (!n)
		return "No results yet: run `make exp`, then `nettune exp report`.\n\n";
	auto join = [](const std::set<std::string> &s) {
		std::string out;
		for (const auto &x : s)
			out += (out.empty() ? "" : ", ") + x;
		return out;
	};
	return fmt::format("**The results.** {} experiments, {} run{}, from {} to {}; commit{} {}; "
			   "kernel {}; {} CPUs; {:.0f} min of experiment time in all. {}\n\n",
			   n, join(modes), modes.size() > 1 ? "s" : "", first, last,
			   commits.size() > 1 ? "s" : "", join(commits), join(kernels), cpus,
			   seconds / 60, verdict_tally(entries));
}

// The table as printed, without the variant column when the experiment
// has a single unnamed variant.
std::string markdown_table(const nlohmann::json &r)
{
	auto h = table_header(r);
	auto rows = table_cells(r);
	const bool unnamed = std::all_of(rows.begin(), rows.end(),
					 [](const auto &row) { return row[0].empty(); });
	const size_t first = unnamed ? 1 : 0;
	std::string md = "|";
	for (size_t i = first; i < h.size(); i++)
		md += " " + h[i] + " |";
	md += "\n|";
	for (size_t i = first; i < h.size(); i++)
		md += i ? "---:|" : "---|";
	md += "\n";
	for (const auto &row : rows) {
		md += "|";
		for (size_t i = first; i < row.size(); i++)
			md += " " + row[i] + " |";
		md += "\n";
	}
	return md + "\n";
}

// The plot's SVG copied beside the report; its markdown image, or "".
std::string copy_plot(const Experiment &e, const std::string &out_dir, const std::string &doc_path,
		      const std::string &svg_dir)
{
	std::error_code ec;
	fs::path svg = fs::path(out_dir) / e.name / (e.name + ".svg");
	if (!fs::exists(svg, ec))
		return "";
	fs::create_directories(svg_dir);
	fs::copy_file(svg, fs::path(svg_dir) / (e.name + ".svg"),
		      fs::copy_options::overwrite_existing, ec);
	if (ec)
		throw Error("cannot copy " + svg.string() + " to " + svg_dir + ": " + ec.message());
	fs::path rel = fs::relative(fs::path(svg_dir) / (e.name + ".svg"),
				    fs::path(doc_path).parent_path(), ec);
	return fmt::format("![{}]({})\n\n", e.title, rel.string());
}

std::string experiment_section(int n, const ReportEntry &en, const std::string &out_dir,
			       const std::string &doc_path, const std::string &svg_dir)
{
	const Experiment &e = *en.e;
	std::string md =
		fmt::format("<a id=\"{}\"></a>\n## {}. {} (`{}`)\n\n", e.name, n, e.title, e.name);
	md += "**Claim.** " + e.claim + "\n\n";
	if (!e.anchor.empty())
		md += "**Anchor.** " + e.anchor + "\n\n";
	md += "**Set-up.** " + e.setup + "\n\n";
	if (!e.waiting_for.empty())
		return md + "**Status.** Waiting for " + e.waiting_for + ".\n\n";
	if (en.failure)
		md += fmt::format("**Last run failed** ({}, commit {}, after {}): {}{}\n\n",
				  en.failure->value("date", std::string("?")),
				  en.failure->value("commit", std::string("?")),
				  duration_text(*en.failure),
				  en.failure->value("error", std::string("?")),
				  en.result ? ". The result below is the last good one." : "");
	if (!en.result)
		return md + (en.failure ? "" : "**Status.** Not run yet.\n\n");
	const auto &r = *en.result;
	md += fmt::format("**Run.** `nettune exp run {}{}` on {}, commit {}, kernel {}, "
			  "{} CPUs, {}.\n\n",
			  e.name, r["quick"].get<bool>() ? " --quick" : "",
			  r["date"].get<std::string>(), r["commit"].get<std::string>(),
			  r["kernel"].get<std::string>(), r["cpus"].get<int>(), duration_text(r));
	md += markdown_table(r);
	md += copy_plot(e, out_dir, doc_path, svg_dir);
	md += fmt::format("**Verdict: {}.** {}\n\n", r["verdict"].get<std::string>(),
			  r["reason"].get<std::string>());
	return md;
}

} // namespace

int write_report(const std::string &out_dir, const std::string &doc_path,
		 const std::string &svg_dir, const std::string &notes_path)
{
	std::vector<ReportEntry> entries;
	for (const auto &e : experiments())
		if (!e.hidden)
			entries.push_back(
				{&e, last_result(out_dir, e.name), last_failure(out_dir, e.name)});

	std::string md =
		"# Experiments\n\n"
		"Each experiment reproduces one claim about the Linux receive path or\n"
		"TCP on the project's VM (QEMU without KVM, 2 vCPUs) and says whether it\n"
		"held. A negative verdict, with its reason, is a result. Written by\n"
		"`nettune exp report` from the last results of `nettune exp run` (here:\n"
		"`make exp`, quick runs); see man/nettune-exp.8.rst. The absolute rates\n"
		"are those of an emulated machine shared with other work: only the shapes\n"
		"and ratios within one run mean anything, and a quick run on a loaded host\n"
		"is noisy: read each verdict with the numbers it gives.\n\n";
	md += run_facts(entries);
	if (!notes_path.empty())
		if (auto notes = try_read_file(notes_path))
			md += *notes + (notes->ends_with('\n') ? "\n" : "\n\n");
	md += "| # | experiment | claim | verdict | took | run |\n|---:|---|---|---|---:|---|\n";
	std::string body;
	int n = 0, found = 0;
	for (const auto &en : entries) {
		n++;
		found += en.result ? 1 : 0;
		md += fmt::format("| {} | [{}](#{}) | {} | {} | {} | {} |\n", n, en.e->name,
				  en.e->name, en.e->claim, summary_verdict(en),
				  en.result ? duration_text(*en.result) : "-",
				  en.result ? (*en.result)["date"].get<std::string>() : "-");
		body += experiment_section(n, en, out_dir, doc_path, svg_dir);
	}
	md += "\n" + body;
	std::ofstream f(doc_path);
	f << md;
	if (!f)
		throw Error("cannot write " + doc_path);
	return found;
}

} // namespace nettune::exp
