// TCP experiment 4: TIME_WAIT and ephemeral ports. The side that closes
// first keeps each connection in TIME_WAIT for 60 s, holding its 4-tuple:
// a client that opens and closes short connections to one server runs out
// of local ports (connect() fails with EADDRNOTAVAIL) once the whole
// ip_local_port_range is in TIME_WAIT. tcp_tw_reuse=1 lets connect() take
// a TIME_WAIT port older than a second (timestamps protect the new
// connection); a wider range raises the ceiling to range/60 s per second.
#include "exp/experiment.hpp"
#include "exp/tcp.hpp"
#include "exp/tcp_load.hpp"
#include "observe_sockdiag.hpp"

#include <chrono>
#include <fmt/format.h>

namespace exp_time_wait {
namespace {

using namespace nettune::exp;
using clock_type = std::chrono::steady_clock;

constexpr unsigned server_port = 8080;
constexpr int time_wait_state = 6; // TCP_TIME_WAIT, include/net/tcp_states.h
const std::string narrow_range = "40000 40127";
constexpr double narrow_ports = 128;
const std::string wide_range = "10000 60999";

double sum_of(const Results &r, const std::string &variant, const std::string &key)
{
	double s = 0;
	for (const auto *row : r.series(variant))
		s += row->values.at(key);
	return s;
}

// Connections per second over the second half of the storm.
double late_rate(const Results &r, const std::string &variant)
{
	auto rows = r.series(variant);
	double s = 0;
	size_t n = 0;
	for (size_t i = rows.size() / 2; i < rows.size(); i++, n++)
		s += rows[i]->values.at("conn_ps");
	return n ? s / static_cast<double>(n) : 0;
}

Judgement judge(const Results &r)
{
	const Row &narrow = r.last("narrow"), &wide = r.last("wide");
	const double narrow_end = narrow.values.at("conn_ps");
	const double reuse_late = late_rate(r, "tw-reuse"), wide_late = late_rate(r, "wide");
	const double narrow_err = sum_of(r, "narrow", "eaddrnotavail_ps");
	const double wide_err = sum_of(r, "wide", "eaddrnotavail_ps");
	const double narrow_tw = narrow.values.at("time_wait");
	std::string numbers = fmt::format(
		"{:.0f} ports (\"{}\"): {:.0f} connections in the last second of the storm, "
		"{:.0f} EADDRNOTAVAIL, {:.0f} sockets in TIME_WAIT at the end; with "
		"tcp_tw_reuse=1 {:.0f} connections/s in the second half; with \"{}\" {:.0f} "
		"connections/s and {:.0f} EADDRNOTAVAIL",
		narrow_ports, narrow_range, narrow_end, narrow_err, narrow_tw, reuse_late,
		wide_range, wide_late, wide_err);
	const bool exhausted = narrow_err > 0 && narrow_tw >= 0.9 * narrow_ports &&
			       narrow_end <= 0.05 * narrow_ports;
	const bool reuse_ends = reuse_late >= std::max(3 * narrow_end, 0.1 * narrow_ports);
	const bool wide_ends = wide_err == 0 && wide.values.at("conn_ps") > narrow_end;
	if (exhausted && reuse_ends && wide_ends)
		return {Verdict::reproduced,
			numbers + ". tcp_tw_reuse hands a port back once its TIME_WAIT is a "
				  "second old, so it sustains at most about the range per second "
				  "(connect() still fails in between); the wide range only lasts "
				  "longer: its ceiling is 51000 ports / 60 s"};
	if (!exhausted)
		return {Verdict::not_reproduced,
			numbers + ": the narrow range did not run out within the storm (it may "
				  "be too slow here to fill it)"};
	return {Verdict::partly, numbers + (!reuse_ends ? ": tcp_tw_reuse did not end it"
							: ": the wide range did not end it")};
}

Experiment make()
{
	Experiment e;
	e.name = "time-wait";
	e.order = 24;
	e.title = "TIME_WAIT exhausts ephemeral ports";
	e.claim = "A storm of short connections to one server puts every ephemeral port in "
		  "TIME_WAIT and connect() fails with EADDRNOTAVAIL; tcp_tw_reuse=1 or a wider "
		  "ip_local_port_range ends it";
	e.anchor = "RFC 9293 section 3.6.1 (TIME-WAIT, 2 MSL); Documentation/networking/"
		   "ip-sysctl.rst tcp_tw_reuse, ip_local_port_range; include/net/tcp.h "
		   "TCP_TIMEWAIT_LEN (60 s)";
	e.setup = fmt::format(
		"A veth pair between two namespaces. A TCP server of ours in B accepts, reads "
		"to EOF and closes; a client of ours in A connects and closes at once (the "
		"client closes first and keeps TIME_WAIT), in a loop, counting connect() "
		"failures by errno (1 ms pause after each). Client namespace: variant narrow: "
		"ip_local_port_range \"{0}\" and the default tcp_tw_reuse (2: loopback only); "
		"tw-reuse: the same range with tcp_tw_reuse=1; wide: \"{1}\". Per second of the "
		"storm: connections and EADDRNOTAVAIL per second and the client's sockets in "
		"TIME_WAIT (INET_DIAG, as ss -tan state time-wait).",
		narrow_range, wide_range);
	e.variants = {"narrow", "tw-reuse", "wide"};
	e.x = {"second", "second", 0};
	e.quick_points = {1, 2, 3, 4, 5, 6, 7, 8};
	e.full_points = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
	e.columns = {{"conn_ps", "connections/s", 0},
		     {"eaddrnotavail_ps", "EADDRNOTAVAIL/s", 0},
		     {"other_err_ps", "other errors/s", 0},
		     {"time_wait", "TIME_WAIT sockets", 0}};
	e.plot = {"",
		  "second of the connection storm",
		  "connections per second",
		  "sockets in TIME_WAIT",
		  {"conn_ps"},
		  {"time_wait"},
		  false};
	e.prepare = [](Run &run, const std::string &variant) {
		auto path = std::make_shared<Path>(veth_path(run, PathSpec{}));
		run.lab.set_sysctl(path->ns_a, "net.ipv4.ip_local_port_range",
				   variant == "wide" ? wide_range : narrow_range);
		if (variant == "tw-reuse")
			run.lab.set_sysctl(path->ns_a, "net.ipv4.tcp_tw_reuse", "1");
		auto sink = std::make_shared<TcpSink>(path->ns_b, path->b_addr, server_port, 1);
		auto storm =
			std::make_shared<ConnectStorm>(path->ns_a, path->b_addr, server_port, 0);
		auto start = clock_type::now();
		auto last = std::make_shared<StormStats>();
		return Measure([&run, path, sink, storm, start, last](double second) {
			auto until = start + std::chrono::duration_cast<clock_type::duration>(
						     std::chrono::duration<double>(second));
			run.sleep(std::chrono::duration<double>(until - clock_type::now()).count());
			StormStats now = storm->stats();
			size_t tw = 0;
			{
				nettune::exp::NetnsScope in(path->ns_a);
				tw = nettune::observe::count_tcp_sockets(time_wait_state);
			}
			Values v{{"conn_ps", static_cast<double>(now.connected - last->connected)},
				 {"eaddrnotavail_ps",
				  static_cast<double>(now.eaddrnotavail - last->eaddrnotavail)},
				 {"other_err_ps",
				  static_cast<double>(now.other_errors - last->other_errors)},
				 {"time_wait", static_cast<double>(tw)}};
			*last = now;
			return v;
		});
	};
	e.judge = judge;
	return e;
}

} // namespace
} // namespace exp_time_wait

NETTUNE_EXPERIMENT(time_wait, exp_time_wait::make);
