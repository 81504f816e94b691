// TCP experiment 5: the PMTU black hole. Path MTU discovery (RFC 1191)
// needs the router's ICMP "fragmentation needed"; where a firewall drops
// it, full-size segments vanish without a trace while small packets pass:
// the handshake and small requests work, a bulk transfer stalls.
// Packetization-layer PMTU discovery (RFC 4821, tcp_mtu_probing=1) takes
// repeated timeouts as a hint, drops to tcp_base_mss and recovers.
#include "exp/experiment.hpp"
#include "exp/tcp.hpp"
#include "exp/tcp_load.hpp"

#include <chrono>
#include <cmath>
#include <fmt/format.h>
#include <unistd.h>

namespace exp_pmtu {
namespace {

using namespace nettune::exp;
using clock_type = std::chrono::steady_clock;

constexpr unsigned sink_port = 8090;
constexpr uint64_t bulk_target = 1 << 20; // "recovered": 1 MiB delivered

double seconds_since(clock_type::time_point t)
{
	return std::chrono::duration<double>(clock_type::now() - t).count();
}

// Sends `bytes` on a new connection; seconds until the sink had them all,
// NaN if not within `timeout`.
double small_request(Run &run, const RoutedPath &p, TcpSink &sink, size_t bytes, double timeout)
{
	const uint64_t before = sink.bytes();
	const auto t0 = clock_type::now();
	int s;
	{
		NetnsScope in(p.ns_a);
		s = tcp_connect(p.b_addr, sink_port);
	}
	std::string req(bytes, 'q');
	ssize_t n = write(s, req.data(), req.size());
	double took = NAN;
	while (n == static_cast<ssize_t>(bytes) && seconds_since(t0) < timeout) {
		if (sink.bytes() >= before + bytes) {
			took = seconds_since(t0);
			break;
		}
		run.sleep(0.01);
	}
	close(s);
	return took;
}

Judgement judge(const Results &r)
{
	bool small_ok = true, stalls = true, recovers = true;
	double worst = 0;
	for (const auto &row : r.rows) {
		small_ok = small_ok && row.values.at("small_ok") > 0;
		const double t = row.values.at("recover_s");
		if (row.variant == "probing-0")
			stalls = stalls && std::isnan(t);
		else {
			recovers = recovers && !std::isnan(t);
			if (!std::isnan(t))
				worst = std::max(worst, t);
		}
	}
	const Row &p1 = r.last("probing-1");
	std::string numbers = fmt::format(
		"small requests {} on every path; with tcp_mtu_probing=0 bulk transfer {}; with "
		"tcp_mtu_probing=1 it {} (at hop MTU {:.0f}: 1 MiB after {:.1f} s, the sender's "
		"MSS then {:.0f})",
		small_ok ? "got through" : "did not always get through",
		stalls ? "never delivered 1 MiB" : "did deliver 1 MiB on some path",
		recovers ? fmt::format("recovered within {:.1f} s", worst)
			 : "did not always recover",
		p1.x, p1.values.at("recover_s"), p1.values.at("snd_mss"));
	if (small_ok && stalls && recovers)
		return {Verdict::reproduced,
			numbers + ": black-hole detection waits for tcp_retries1 (3) timeouts "
				  "before it lowers the MSS to tcp_base_mss"};
	if (small_ok && stalls)
		return {Verdict::partly, numbers};
	return {Verdict::not_reproduced, numbers};
}

Experiment make()
{
	Experiment e;
	e.name = "pmtu";
	e.order = 25;
	e.title = "PMTU black hole and tcp_mtu_probing";
	e.claim = "Behind a smaller-MTU hop whose ICMP fragmentation-needed is dropped, small "
		  "requests work but bulk transfer stalls; tcp_mtu_probing=1 recovers after a "
		  "few timeouts";
	e.anchor = "RFC 2923 section 2.1 (PMTUD black holes); RFC 4821 (packetization-layer "
		   "PMTUD); Documentation/networking/ip-sysctl.rst tcp_mtu_probing, "
		   "tcp_base_mss";
	e.setup = "Sender A and receiver B (MTU 1500 both, so B announces MSS 1460) in "
		  "namespaces routed through R, whose device towards B has the swept smaller "
		  "MTU; R drops the ICMP fragmentation-needed it would send (iptables OUTPUT "
		  "icmp-type fragmentation-needed DROP). A TCP server of ours in B counts what "
		  "it reads. Per point, on fresh connections from A: a 200-byte request (its "
		  "time), then a bulk sender of ours (64 KB writes) watched for up to 20 s "
		  "(quick: 12 s): the time until 1 MiB arrived, and the sender's MSS "
		  "(TCP_INFO). Variants: tcp_mtu_probing 0 (the default) or 1 in A's "
		  "namespace.";
	e.variants = {"probing-0", "probing-1"};
	e.x = {"hop_mtu", "hop MTU", 0};
	e.quick_points = {1400, 1280};
	e.full_points = {1480, 1400, 1280, 1100};
	e.columns = {{"small_ok", "small request ok", 0}, {"small_ms", "small request ms", 1},
		     {"recover_s", "1 MiB after s", 2},   {"delivered_kb", "bulk KB in window", 0},
		     {"snd_mss", "sender MSS", 0},        {"retrans", "retransmits", 0}};
	e.plot = {"",
		  "MTU of the hop whose ICMP is dropped",
		  "seconds until 1 MiB arrived",
		  "",
		  {"recover_s"},
		  {},
		  false};
	e.prepare = [](Run &run, const std::string &variant) {
		auto rig = std::make_shared<RoutedPath>(routed_path(run, RoutedSpec{}));
		run.lab.exec(rig->ns_r, {"iptables", "-A", "OUTPUT", "-p", "icmp", "--icmp-type",
					 "fragmentation-needed", "-j", "DROP"});
		run.lab.set_sysctl(rig->ns_a, "net.ipv4.tcp_mtu_probing",
				   variant == "probing-1" ? "1" : "0");
		auto sink = std::make_shared<TcpSink>(rig->ns_b, rig->b_addr, sink_port);
		return Measure([&run, rig, sink](double mtu) {
			must_run({"ip", "-n", rig->ns_r, "link", "set", rig->rb, "mtu",
				  fmt::format("{:.0f}", mtu)});
			// No route in A may remember a PMTU from the last point.
			must_run({"ip", "-n", rig->ns_a, "route", "flush", "cache"});
			const double small = small_request(run, *rig, *sink, 200, 3);
			const double window = run.quick ? 12 : 20;
			SenderSpec spec;
			spec.netns = rig->ns_a;
			spec.dst = rig->b_addr;
			spec.port = sink_port;
			const uint64_t before = sink->bytes();
			TcpSender sender(spec);
			const auto t0 = clock_type::now();
			double recovered = NAN;
			while (seconds_since(t0) < window) {
				if (std::isnan(recovered) &&
				    sink->bytes() - before >= bulk_target) {
					recovered = seconds_since(t0);
					break;
				}
				run.sleep(0.05);
			}
			run.sleep(0.2); // a last TCP_INFO from the sender
			auto st = sender.stats();
			return Values{{"small_ok", std::isnan(small) ? 0.0 : 1.0},
				      {"small_ms", small * 1e3},
				      {"recover_s", recovered},
				      {"delivered_kb", (sink->bytes() - before) / 1024.0},
				      {"snd_mss", static_cast<double>(st.snd_mss)},
				      {"retrans", static_cast<double>(st.total_retrans)}};
		});
	};
	e.judge = judge;
	return e;
}

} // namespace
} // namespace exp_pmtu

NETTUNE_EXPERIMENT(pmtu, exp_pmtu::make);
