// nettune trace: BPF tracing of the network stack on any Linux machine.
//
//   nettune trace drops [--dev DEV] [--duration S] [--top N] [--json]
//   nettune trace retrans [--duration S] [--json]
//   nettune trace skb FILTER [--count N] [--duration S] [--functions REGEX] [--json]
//
// Each runs until --duration seconds passed or Ctrl-C. See
// Documentation/trace.rst for what each attaches to and what it costs.
#include "command.hpp"
#include "error.hpp"
#include "table.hpp"
#include "trace_drops.hpp"
#include "trace_retrans.hpp"
#include "trace_skb.hpp"

#include <fmt/format.h>
#include <iostream>
#include <nlohmann/json.hpp>

namespace {

using nettune::cli::Globals;
namespace trace = nettune::trace;

struct TraceArgs {
	double duration = 0;
	std::string dev;
	size_t top = 0;
	std::string filter;
	uint32_t count = 0;
	std::string functions;
	std::string backend = "auto";
};

std::string how_long(double seconds)
{
	return seconds > 0 ? fmt::format("for {} s", seconds) : "until Ctrl-C";
}

// Stops at --duration or Ctrl-C; says on stderr when the trace is live
// (scripts wait for that line before making traffic).
trace::StopCondition stop_after(double seconds, const std::string &what)
{
	trace::StopCondition s;
	s.seconds = seconds;
	s.keep_going = [] { return nettune::cli::keep_running(); };
	s.on_started = [what, seconds] {
		std::cerr << "tracing " << what << " " << how_long(seconds) << '\n' << std::flush;
	};
	return s;
}

void cmd_drops(const Globals &g, const TraceArgs &a)
{
	trace::DropsOptions opts;
	opts.dev = a.dev;
	opts.verbose = g.verbose > 0;
	auto report = trace::trace_drops(opts, stop_after(a.duration, "skb:kfree_skb"));
	size_t n = a.top ? std::min(a.top, report.rows.size()) : report.rows.size();
	uint64_t total = 0;
	for (const auto &r : report.rows)
		total += r.count;
	if (g.json) {
		nlohmann::json j = {{"seconds", report.seconds},
				    {"total", total},
				    {"lost", report.lost},
				    {"drops", nlohmann::json::array()}};
		for (size_t i = 0; i < n; i++)
			j["drops"].push_back(trace::to_json(report.rows[i]));
		std::cout << j.dump(2) << '\n';
		return;
	}
	nettune::Table t({"COUNT", "BYTES", "REASON", "PLACE", "DEVICE", "NETNS", "PROTOCOL"});
	for (size_t i = 0; i < n; i++) {
		const auto &r = report.rows[i];
		t.add_row({std::to_string(r.count), std::to_string(r.bytes), r.reason, r.place,
			   r.device, r.netns, r.protocol});
	}
	t.print(std::cout);
	std::cout << fmt::format("{} skbs freed by kfree_skb in {:.1f} s", total, report.seconds);
	if (n < report.rows.size())
		std::cout << fmt::format(" ({} more rows, see --top)", report.rows.size() - n);
	std::cout << '\n';
	if (report.lost)
		std::cout << report.lost << " drops not counted: the table was full\n";
}

void cmd_retrans(const Globals &g, const TraceArgs &a)
{
	trace::RetransOptions opts;
	opts.verbose = g.verbose > 0;
	nlohmann::json events = nlohmann::json::array();
	bool header = false;
	auto print = [&](const trace::RetransEvent &e) {
		if (g.json) {
			events.push_back(trace::to_json(e));
			return;
		}
		if (!header) {
			std::cout << fmt::format("{:>9} {:<6} {:<22} {:<22} {:<11} {:<8} {:>5} "
						 "{:>8} {:>9}\n",
						 "TIME", "KIND", "LOCAL", "PEER", "STATE", "CA",
						 "CWND", "SSTHRESH", "SRTT_US");
			header = true;
		}
		std::cout << fmt::format("{:>9.3f} {:<6} {:<22} {:<22} {:<11} {:<8} {:>5} {:>8} "
					 "{:>9}\n",
					 e.t, e.kind, e.local, e.peer, e.state, e.ca_state, e.cwnd,
					 e.ssthresh >= 0x7fffffff ? std::string("inf")
								  : std::to_string(e.ssthresh),
					 e.srtt_us)
			  << std::flush;
	};
	auto report =
		trace::trace_retrans(opts, stop_after(a.duration, "TCP retransmissions"), print);
	if (g.json) {
		nlohmann::json j = {{"seconds", report.seconds},
				    {"retransmissions", report.events},
				    {"lost", report.lost},
				    {"events", events},
				    {"flows", nlohmann::json::array()}};
		for (const auto &f : report.flows)
			j["flows"].push_back(trace::to_json(f));
		std::cout << j.dump(2) << '\n';
		return;
	}
	std::cout << fmt::format("\n{} retransmissions in {:.1f} s\n", report.events,
				 report.seconds);
	if (report.flows.empty())
		return;
	nettune::Table t({"COUNT", "LOCAL", "PEER", "NETNS", "KINDS", "STATE", "CWND", "SRTT_US"});
	for (const auto &f : report.flows) {
		std::string kinds;
		for (const auto &[k, c] : f.kinds)
			kinds += (kinds.empty() ? "" : ",") + fmt::format("{}={}", k, c);
		t.add_row({std::to_string(f.count), f.local, f.peer, f.netns, kinds, f.last_state,
			   std::to_string(f.last_cwnd), std::to_string(f.last_srtt_us)});
	}
	t.print(std::cout);
	if (report.lost)
		std::cout << report.lost << " events lost (ring buffer full)\n";
}

void cmd_skb(const Globals &g, const TraceArgs &a)
{
	trace::SkbOptions opts;
	opts.filter = trace::parse_skb_filter(a.filter);
	opts.count = a.count;
	opts.functions = a.functions;
	opts.backend = a.backend;
	opts.verbose = g.verbose > 0;
	nlohmann::json steps = nlohmann::json::array();
	if (!g.json)
		std::cerr
			<< "attaching to the kernel's sk_buff functions (one kprobe each where the "
			   "kernel has no kprobe-multi: seconds to minutes; --functions "
			   "narrows)...\n";
	auto attached = [&](const trace::SkbAttachInfo &info) {
		if (g.json)
			return;
		if (!info.note.empty())
			std::cerr << "note: " << info.note << '\n';
		std::cerr << fmt::format("attached to {} functions ({}; {} refused) in {:.1f} s\n",
					 info.attached, info.backend, info.failed, info.seconds);
		std::cout << fmt::format("{:>10} {:>3} {:>4} {:<18} {:<10} {:>5} {}\n", "TIME",
					 "CPU", "PKT", "SKB", "DEVICE", "LEN", "FUNCTION")
			  << std::flush;
	};
	auto print = [&](const trace::SkbStep &s) {
		if (g.json) {
			steps.push_back(trace::to_json(s));
			return;
		}
		std::string what = s.function;
		if (s.event == "drop")
			what = "kfree_skb: dropped (" + s.reason + ") at " + s.function;
		else if (s.event == "consume")
			what = "consume_skb: freed after use";
		else if (s.event == "free")
			what += " (freed)";
		std::cout << fmt::format("{:>10.6f} {:>3} {:>4} {:#018x} {:<10} {:>5} {}\n", s.t,
					 s.cpu, s.packet, s.skb, s.device, s.len, what)
			  << std::flush;
	};
	auto report = trace::trace_skb(
		opts, stop_after(a.duration, "'" + opts.filter.describe() + "'"), attached, print);
	if (g.json) {
		nlohmann::json j = {{"filter", opts.filter.describe()},
				    {"attach", trace::to_json(report.attach)},
				    {"packets", report.packets},
				    {"lost", report.lost},
				    {"steps", steps}};
		std::cout << j.dump(2) << '\n';
		return;
	}
	std::cout << fmt::format("{} packets, {} steps in {:.1f} s\n", report.packets, report.steps,
				 report.seconds);
	if (report.lost)
		std::cout << report.lost << " steps lost (ring buffer full)\n";
}

void add_duration(CLI::App *sub, TraceArgs &a)
{
	sub->add_option("--duration", a.duration, "stop after S seconds (default: at Ctrl-C)")
		->check(CLI::Range(0.0, 86400.0));
}

void add_trace(CLI::App &app, Globals &g)
{
	static TraceArgs a;
	auto *tr = app.add_subcommand(
		"trace", "BPF tracing: packet drops by reason, TCP retransmissions, an skb's walk");
	tr->require_subcommand(0, 1);
	tr->allow_extras();
	tr->callback([tr] {
		if (!tr->get_subcommands().empty())
			return;
		auto extra = tr->remaining();
		if (extra.empty())
			throw nettune::UsageError("trace: missing command (drops, retrans, skb)");
		throw nettune::UsageError("trace: unknown command '" + extra.front() +
					  "' (drops, retrans, skb)");
	});

	auto *drops = tr->add_subcommand(
		"drops", "freed skbs (skb:kfree_skb) counted by reason, place, device, protocol");
	drops->add_option("--dev", a.dev, "only skbs on device DEV (of this namespace)");
	drops->add_option("--top", a.top, "print the N largest rows only");
	add_duration(drops, a);
	nettune::cli::on_run(drops, g, [&g] { cmd_drops(g, a); });

	auto *retrans = tr->add_subcommand(
		"retrans", "each TCP retransmission: flow, kind (rto, fast, probe, syn, synack), "
			   "state, cwnd, srtt");
	add_duration(retrans, a);
	nettune::cli::on_run(retrans, g, [&g] { cmd_retrans(g, a); });

	auto *skb = tr->add_subcommand(
		"skb",
		"follow packets matching FILTER through every kernel function taking an skb");
	skb->add_option("FILTER", a.filter,
			"tcp|udp|icmp|icmp6, ip|ip6, [src|dst] host A, [src|dst] port P, dev D, "
			"joined by 'and'")
		->required();
	skb->add_option("--count", a.count, "stop after N packets");
	skb->add_option("--functions", a.functions,
			"only functions matching this regular expression (default: all)");
	skb->add_option("--backend", a.backend,
			"auto (kprobe-multi, else one kprobe per function), kprobe-multi, kprobe")
		->check(CLI::IsMember({"auto", "kprobe-multi", "kprobe"}));
	add_duration(skb, a);
	nettune::cli::on_run(skb, g, [&g] { cmd_skb(g, a); });
}

} // namespace

NETTUNE_COMMAND_GROUP(trace, 60, add_trace);
