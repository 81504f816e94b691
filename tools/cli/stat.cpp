// nettune stat: the kernel's network counters, named and explained, with
// deltas and rates: MIB counters (as nstat), softnet per CPU, a device's
// queue IRQs, per-queue ethtool counters, conntrack, socket memory.
#include "command.hpp"
#include "error.hpp"
#include "ethtool.hpp"
#include "observe_meanings.hpp"
#include "observe_proc.hpp"
#include "observe_snapshot.hpp"
#include "sysfs.hpp"
#include "table.hpp"

#include <chrono>
#include <cmath>
#include <fmt/format.h>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <unistd.h>

namespace {

using nettune::cli::Globals;
namespace obs = nettune::observe;

// ---- watching ----------------------------------------------------------------

// --watch [S]: the value is optional, so in `stat --watch 'Tcp*'` CLI11
// hands the pattern to --watch; a word that is not a number goes back to
// the positionals (take_positional).
struct WatchArg {
	std::vector<std::string> values;
	CLI::Option *opt = nullptr;
	bool on() const { return opt && opt->count() > 0; }
	static bool numeric(const std::string &v)
	{
		char *end = nullptr;
		std::strtod(v.c_str(), &end);
		return !v.empty() && end && *end == '\0';
	}
	std::optional<std::string> take_positional()
	{
		if (values.empty() || numeric(values[0]))
			return std::nullopt;
		std::string v = values[0];
		values.clear();
		return v;
	}
	double seconds() const
	{
		const double s = values.empty() ? 1.0 : std::strtod(values[0].c_str(), nullptr);
		if (!(s >= 0.1) || s > 3600)
			throw nettune::UsageError("--watch: interval must be 0.1 to 3600 seconds");
		return s;
	}
};

void add_watch(CLI::App *cmd, WatchArg &w)
{
	w.opt = cmd->add_option("--watch", w.values,
				"redraw rates every S seconds (default 1) until Ctrl-C")
			->expected(0, 1)
			->allow_extra_args(false);
}

bool sleep_for(double seconds)
{
	const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
	while (nettune::cli::keep_running() && std::chrono::steady_clock::now() < end)
		std::this_thread::sleep_for(std::chrono::milliseconds(50));
	return nettune::cli::keep_running();
}

void clear_screen(const Globals &g)
{
	if (!g.json && isatty(STDOUT_FILENO))
		std::cout << "\033[H\033[2J";
}

std::string rate_text(double r)
{
	if (r == 0)
		return "0";
	if (r < 10)
		return fmt::format("{:.1f}", r);
	return nettune::human_count(r);
}

// ---- generic tables of counters ------------------------------------------------

// A table of counters: rows (CPU, queue, IRQ, protocol) by columns.
// Gauge columns are printed as values even when watching.
struct Rows {
	std::string title;
	std::string key = "name";
	std::vector<std::string> columns;
	std::set<std::string> gauges;
	std::vector<std::pair<std::string, std::map<std::string, int64_t>>> rows;
};
using Sample = std::vector<Rows>;

const std::map<std::string, int64_t> *find_row(const Rows &r, const std::string &name)
{
	for (const auto &[n, v] : r.rows)
		if (n == name)
			return &v;
	return nullptr;
}

double rate_of(const Rows *prev, const std::string &row, const std::string &col, int64_t now,
	       double secs)
{
	if (!prev || secs <= 0)
		return 0;
	const auto *p = find_row(*prev, row);
	if (!p || !p->count(col))
		return 0;
	const int64_t d = now - p->at(col);
	return d > 0 ? d / secs : 0;
}

void print_rows(const Rows &r, const Rows *prev, double secs)
{
	if (!r.title.empty())
		std::cout << r.title << (prev ? " (per second; gauges as values)" : "") << '\n';
	std::vector<std::string> head = {r.key};
	for (const auto &c : r.columns)
		head.push_back(prev && !r.gauges.count(c) ? c + "/s" : c);
	nettune::Table t(head);
	for (const auto &[name, vals] : r.rows) {
		std::vector<std::string> row = {name};
		for (const auto &c : r.columns) {
			auto it = vals.find(c);
			if (it == vals.end())
				row.push_back("-");
			else if (prev && !r.gauges.count(c))
				row.push_back(rate_text(rate_of(prev, name, c, it->second, secs)));
			else
				row.push_back(std::to_string(it->second));
		}
		t.add_row(row);
	}
	t.print(std::cout);
}

nlohmann::json rows_json(const Rows &r, const Rows *prev, double secs)
{
	nlohmann::json rows = nlohmann::json::array();
	for (const auto &[name, vals] : r.rows) {
		nlohmann::json j = {{r.key, name}};
		for (const auto &[c, v] : vals) {
			j[c] = v;
			if (prev && !r.gauges.count(c))
				j[c + "_per_s"] = rate_of(prev, name, c, v, secs);
		}
		rows.push_back(j);
	}
	return rows;
}

nlohmann::json sample_json(const Sample &s, const Sample *prev, double secs)
{
	nlohmann::json j = nlohmann::json::object();
	for (size_t i = 0; i < s.size(); i++) {
		const Rows *p = prev && i < prev->size() ? &(*prev)[i] : nullptr;
		j[s[i].title.empty() ? "rows" : s[i].title] = rows_json(s[i], p, secs);
	}
	if (prev)
		j["interval_s"] = secs;
	return j;
}

void show_sample(const Globals &g, const Sample &s, const Sample *prev, double secs)
{
	if (g.json) {
		std::cout << (prev ? sample_json(s, prev, secs).dump()
				   : sample_json(s, nullptr, 0).dump(2))
			  << std::endl;
		return;
	}
	for (size_t i = 0; i < s.size(); i++) {
		if (i)
			std::cout << '\n';
		print_rows(s[i], prev && i < prev->size() ? &(*prev)[i] : nullptr, secs);
	}
	std::cout.flush();
}

void run_view(const Globals &g, const WatchArg &w, const std::function<Sample()> &take)
{
	if (!w.on())
		return show_sample(g, take(), nullptr, 0);
	const double interval = w.seconds();
	Sample prev = take();
	double t0 = obs::monotonic_seconds();
	while (sleep_for(interval)) {
		Sample cur = take();
		const double t1 = obs::monotonic_seconds();
		clear_screen(g);
		show_sample(g, cur, &prev, t1 - t0);
		if (!g.json)
			std::cout << '\n';
		prev = std::move(cur);
		t0 = t1;
	}
}

// ---- views ----------------------------------------------------------------------

Sample softnet_sample()
{
	Rows r;
	r.title = "softnet";
	r.key = "cpu";
	r.columns = {"processed", "dropped", "time_squeeze", "received_rps", "flow_limit_count"};
	const auto cpus = obs::parse_softnet(nettune::read_file("/proc/net/softnet_stat"));
	bool backlog = false, split = false;
	for (const auto &c : cpus) {
		std::map<std::string, int64_t> v = {{"processed", c.processed},
						    {"dropped", c.dropped},
						    {"time_squeeze", c.time_squeeze},
						    {"received_rps", c.received_rps},
						    {"flow_limit_count", c.flow_limit}};
		if (c.backlog_len) {
			v["backlog_len"] = *c.backlog_len;
			backlog = true;
		}
		if (c.input_qlen) {
			v["input_qlen"] = *c.input_qlen;
			v["process_qlen"] = *c.process_qlen;
			split = true;
		}
		r.rows.push_back({std::to_string(c.cpu), v});
	}
	if (backlog)
		r.columns.push_back("backlog_len");
	if (split) {
		r.columns.push_back("input_qlen");
		r.columns.push_back("process_qlen");
	}
	r.gauges = {"backlog_len", "input_qlen", "process_qlen"};
	return {r};
}

Sample irq_sample(const std::string &dev)
{
	const auto lines =
		nettune::vnic::parse_proc_interrupts(nettune::read_file("/proc/interrupts"));
	Rows r;
	r.title = "interrupts";
	r.key = "irq";
	size_t ncpu = 0;
	auto add = [&](const std::string &name, const std::vector<uint64_t> &per_cpu) {
		std::map<std::string, int64_t> v;
		int64_t total = 0;
		for (size_t c = 0; c < per_cpu.size(); c++) {
			v["cpu" + std::to_string(c)] = per_cpu[c];
			total += per_cpu[c];
		}
		v["total"] = total;
		ncpu = std::max(ncpu, per_cpu.size());
		r.rows.push_back({name, v});
	};
	if (dev.empty()) {
		for (const auto &l : lines) {
			std::string name = l.labels.empty() ? "" : l.labels.back();
			add(std::to_string(l.irq) + " " + name, l.per_cpu);
		}
	} else {
		const auto irqs = obs::device_irqs(lines, dev);
		if (irqs.empty())
			throw nettune::Error(
				dev + ": no interrupt named after it in /proc/interrupts (drivers "
				      "name their IRQs DEV-rx-N, DEV-TxRx-N...; virtio_net uses "
				      "virtioN-input.M; a veth or a non-NAPI device has none)");
		for (const auto &i : irqs)
			add(std::to_string(i.irq) + " " + i.name, i.per_cpu);
	}
	if (auto si = nettune::try_read_file("/proc/softirqs")) {
		auto all = obs::parse_softirqs(*si);
		add("NET_RX softirq", all["NET_RX"]);
		add("NET_TX softirq", all["NET_TX"]);
	}
	for (size_t c = 0; c < ncpu; c++)
		r.columns.push_back("cpu" + std::to_string(c));
	r.columns.push_back("total");
	return {r};
}

Sample dev_sample(const std::string &dev)
{
	if (dev.empty())
		throw nettune::UsageError("stat dev: which device? (nettune stat dev DEV)");
	nettune::ethtool::Device d(dev);
	const auto stats = d.stats();
	const auto g = nettune::ethtool::group_by_queue(stats);
	Rows rx, tx, device;
	rx.title = "receive";
	rx.key = "queue";
	tx.title = "transmit";
	tx.key = "queue";
	device.title = "device";
	device.key = "counter";
	device.columns = {"value"};
	std::set<std::string> rx_cols, tx_cols;
	for (const auto &[q, qs] : g.queues) {
		std::map<std::string, int64_t> rv, tv;
		for (const auto &[k, v] : qs.rx) {
			rv[k] = v;
			if (!rx_cols.count(k)) {
				rx_cols.insert(k);
				rx.columns.push_back(k);
			}
		}
		for (const auto &[k, v] : qs.tx) {
			tv[k] = v;
			if (!tx_cols.count(k)) {
				tx_cols.insert(k);
				tx.columns.push_back(k);
			}
		}
		if (!rv.empty())
			rx.rows.push_back({std::to_string(q), rv});
		if (!tv.empty())
			tx.rows.push_back({std::to_string(q), tv});
	}
	for (const auto &[k, v] : g.device)
		device.rows.push_back({k, {{"value", static_cast<int64_t>(v)}}});
	Sample s;
	for (auto *r : {&rx, &tx, &device})
		if (!r->rows.empty())
			s.push_back(*r);
	if (s.empty())
		throw nettune::Error(dev +
				     ": the driver reports no ethtool statistics (ethtool -S)");
	return s;
}

Sample conntrack_sample()
{
	std::string why;
	auto c = obs::read_conntrack(why);
	if (!c)
		throw nettune::Error(why);
	Rows table;
	table.title = "table";
	table.key = "table";
	table.columns = {"count", "max", "buckets"};
	table.gauges = {"count", "max", "buckets"};
	table.rows.push_back(
		{"conntrack", {{"count", c->count}, {"max", c->max}, {"buckets", c->buckets}}});
	Rows cpus;
	cpus.title = "per_cpu";
	cpus.key = "cpu";
	cpus.gauges = {"entries"};
	if (auto text = nettune::try_read_file("/proc/net/stat/nf_conntrack")) {
		const auto parsed = obs::parse_conntrack_stat(*text);
		for (const auto &cpu : parsed) {
			std::map<std::string, int64_t> v;
			for (const auto &[k, x] : cpu.counters) {
				if (k == "entries")
					continue;
				v[k] = x;
			}
			cpus.rows.push_back({std::to_string(cpu.cpu), v});
		}
		if (!parsed.empty())
			for (const auto &[k, x] : parsed[0].counters)
				if (k != "entries")
					cpus.columns.push_back(k);
	}
	return {table, cpus};
}

Sample sockets_sample()
{
	Rows r;
	r.title = "sockstat";
	r.key = "proto";
	std::set<std::string> cols;
	for (const char *f : {"/proc/net/sockstat", "/proc/net/sockstat6"}) {
		auto text = nettune::try_read_file(f);
		if (!text)
			continue;
		for (const auto &[proto, fields] : obs::parse_sockstat(*text)) {
			for (const auto &[k, v] : fields)
				if (!cols.count(k)) {
					cols.insert(k);
					r.columns.push_back(k);
				}
			r.rows.push_back({proto, fields});
		}
	}
	if (r.rows.empty())
		throw nettune::Error("cannot read /proc/net/sockstat");
	r.gauges = cols; // all are gauges (mem is in pages)
	return {r};
}

// ---- MIB counters ---------------------------------------------------------------

struct MibArgs {
	std::vector<std::string> patterns;
	bool zeros = false;
	WatchArg watch;
};

bool selected(const MibArgs &a, const std::string &name)
{
	if (a.patterns.empty())
		return true;
	for (const auto &p : a.patterns)
		if (obs::glob_match(p, name))
			return true;
	return false;
}

void check_patterns(const MibArgs &a, const obs::Mib &m)
{
	for (const auto &p : a.patterns) {
		bool any = false;
		for (const auto &[k, v] : m)
			any = any || obs::glob_match(p, k);
		if (!any)
			throw nettune::UsageError("stat: no counter matches '" + p +
						  "' (names as nstat prints them, e.g. "
						  "TcpExtListenOverflows, 'Udp*')");
	}
}

void print_mib_once(const Globals &g, const MibArgs &a, const obs::Mib &m)
{
	if (g.json) {
		nlohmann::json arr = nlohmann::json::array();
		for (const auto &[k, v] : m)
			if (selected(a, k) && (v || a.zeros || !a.patterns.empty()))
				arr.push_back({{"name", k},
					       {"value", v},
					       {"meaning", obs::counter_meaning(k)}});
		std::cout << nlohmann::json{{"counters", arr}}.dump(2) << '\n';
		return;
	}
	nettune::Table t({"COUNTER", "VALUE", "MEANING"});
	for (const auto &[k, v] : m)
		if (selected(a, k) && (v || a.zeros || !a.patterns.empty()))
			t.add_row({k, std::to_string(v), obs::counter_meaning(k)});
	t.print(std::cout);
}

void print_mib_delta(const Globals &g, const MibArgs &a, const obs::Mib &prev, const obs::Mib &cur,
		     double secs)
{
	nlohmann::json arr = nlohmann::json::array();
	nettune::Table t({"COUNTER", "VALUE", "DELTA", "RATE/S", "MEANING"});
	for (const auto &[k, v] : cur) {
		if (!selected(a, k))
			continue;
		auto it = prev.find(k);
		const int64_t d = it == prev.end() ? 0 : v - it->second;
		if (!d && !a.zeros)
			continue;
		const double r = secs > 0 ? d / secs : 0;
		if (g.json)
			arr.push_back({{"name", k},
				       {"value", v},
				       {"delta", d},
				       {"per_second", r},
				       {"meaning", obs::counter_meaning(k)}});
		else
			t.add_row({k, std::to_string(v), std::to_string(d), rate_text(r),
				   obs::counter_meaning(k)});
	}
	if (g.json) {
		std::cout << nlohmann::json{{"interval_s", secs}, {"counters", arr}}.dump()
			  << std::endl;
		return;
	}
	std::cout << fmt::format("counters that moved in {:.1f} s\n", secs);
	t.print(std::cout);
	std::cout.flush();
}

void run_mib(const Globals &g, MibArgs a)
{
	if (auto p = a.watch.take_positional())
		a.patterns.push_back(*p);
	obs::Mib prev = obs::read_mib();
	check_patterns(a, prev);
	if (!a.watch.on())
		return print_mib_once(g, a, prev);
	const double interval = a.watch.seconds();
	double t0 = obs::monotonic_seconds();
	while (sleep_for(interval)) {
		obs::Mib cur = obs::read_mib();
		const double t1 = obs::monotonic_seconds();
		clear_screen(g);
		print_mib_delta(g, a, prev, cur, t1 - t0);
		if (!g.json)
			std::cout << '\n';
		prev = std::move(cur);
		t0 = t1;
	}
}

// ---- registration ---------------------------------------------------------------

void add_stat(CLI::App &app, Globals &g)
{
	auto *stat = app.add_subcommand(
		"stat",
		"network counters with meanings, deltas and rates: MIB counters (as nstat), "
		"softnet, irq, dev, conntrack, sockets");
	auto mib = std::make_shared<MibArgs>();
	stat->add_option("pattern", mib->patterns,
			 "counter names or globs as nstat takes them ('TcpExt*Listen*')");
	stat->add_flag("-z,--zeros", mib->zeros, "also counters that are zero (did not move)");
	add_watch(stat, mib->watch);
	// The parent's callback runs after a subcommand's: act only when none
	// was given.
	stat->callback([&g, mib, stat] {
		if (stat->get_subcommands().empty())
			g.action = [&g, mib] { run_mib(g, *mib); };
	});

	auto view = [&](const char *name, const char *help, auto take, CLI::App *&cmd) {
		cmd = stat->add_subcommand(name, help);
		auto w = std::make_shared<WatchArg>();
		add_watch(cmd, *w);
		nettune::cli::on_run(cmd, g, [&g, w, take] { run_view(g, *w, take); });
		return w;
	};
	CLI::App *softnet = nullptr, *conntrack = nullptr, *sockets = nullptr, *irq = nullptr,
		 *dev = nullptr;
	view(
		"softnet", "per CPU: processed, backlog drops, time_squeeze, RPS, flow limit",
		[] { return softnet_sample(); }, softnet);
	view(
		"conntrack", "conntrack count/max/buckets and per-CPU statistics (conntrack -S)",
		[] { return conntrack_sample(); }, conntrack);
	view(
		"sockets", "sockets in use and socket memory per protocol (sockstat)",
		[] { return sockets_sample(); }, sockets);
	auto irq_dev = std::make_shared<std::string>();
	irq = stat->add_subcommand("irq", "interrupts per CPU: DEV's queue IRQs (by name) or all, "
					  "and NET_RX/NET_TX softirqs");
	irq->add_option("dev", *irq_dev, "device whose queue interrupts to show");
	auto irq_w = std::make_shared<WatchArg>();
	add_watch(irq, *irq_w);
	nettune::cli::on_run(irq, g, [&g, irq_w, irq_dev] {
		if (auto p = irq_w->take_positional(); p && irq_dev->empty())
			*irq_dev = *p;
		run_view(g, *irq_w, [irq_dev] { return irq_sample(*irq_dev); });
	});
	auto dev_name = std::make_shared<std::string>();
	dev = stat->add_subcommand("dev", "DEV's ethtool -S counters per queue, any driver");
	dev->add_option("dev", *dev_name, "device");
	auto dev_w = std::make_shared<WatchArg>();
	add_watch(dev, *dev_w);
	// (DEV is checked at run time: `stat dev --watch DEV` parses DEV as
	// the watch value first.)
	nettune::cli::on_run(dev, g, [&g, dev_w, dev_name] {
		if (auto p = dev_w->take_positional(); p && dev_name->empty())
			*dev_name = *p;
		run_view(g, *dev_w, [dev_name] { return dev_sample(*dev_name); });
	});
}

} // namespace

NETTUNE_COMMAND_GROUP(stat, 60, add_stat);
