// Experiment: HyStart++ (RFC 9406) in tcp_ntcubic against standard slow
// start and against the kernel's cubic (HyStart: ACK train and delay), on a
// shallow bottleneck queue where slow start overshoots into losses.
#include "error.hpp"
#include "exp/counters.hpp"
#include "exp/experiment.hpp"
#include "exp/tcp_path.hpp"
#include "sysfs.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

namespace exp_hystart {
namespace {

using namespace nettune::exp;

constexpr double rate_mbit = 5, rtt_ms = 40;
constexpr double mss_bytes = 1448;

// A module parameter, restored at cleanup.
void set_param(Run &run, const std::string &module, const std::string &name,
	       const std::string &value)
{
	const std::string path = "/sys/module/" + module + "/parameters/" + name;
	if (access(path.c_str(), F_OK) != 0)
		throw nettune::Error(path + " is missing (module " + module + " not loaded?)");
	const std::string old = nettune::read_line(path);
	nettune::write_file(path, value);
	run.cleanup.push("restore " + path + "=" + old,
			 [path, old] { nettune::write_file_errno(path, old); });
}

// The ntcubic:ntcubic_update tracepoint in a tracefs instance of our own,
// events other than "ack" only: when HyStart++ entered CSS, when the first
// loss came, each with its cwnd.
class NtcubicTrace {
public:
	explicit NtcubicTrace(Run &run)
	{
		std::string root = "/sys/kernel/tracing";
		if (access((root + "/instances").c_str(), F_OK) != 0)
			run_cmd({"mount", "-t", "tracefs", "nodev", root});
		if (access((root + "/instances").c_str(), F_OK) != 0)
			throw nettune::Error("tracefs is not available at " + root);
		dir_ = root + "/instances/ntx" + std::to_string(getpid()) + "-hystart";
		if (mkdir(dir_.c_str(), 0700) != 0)
			throw nettune::Error(nettune::errno_message("mkdir " + dir_, errno));
		const std::string d = dir_;
		run.cleanup.push("remove trace instance " + d, [d] {
			nettune::write_file_errno(d + "/events/ntcubic/ntcubic_update/enable", "0");
			rmdir(d.c_str());
		});
		const std::string ev = dir_ + "/events/ntcubic/ntcubic_update/";
		nettune::write_file(ev + "filter", "event != 0");
		nettune::write_file(ev + "enable", "1");
	}
	// Opening the trace file with O_TRUNC empties the buffer.
	void clear()
	{
		int fd = open((dir_ + "/trace").c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
		if (fd < 0)
			throw nettune::Error(
				nettune::errno_message("clear " + dir_ + "/trace", errno));
		close(fd);
	}
	std::string read() const { return nettune::read_file(dir_ + "/trace"); }

private:
	std::string dir_;
};

// cwnd of the first "event=NAME" line of a trace (NaN if none); `order`
// gets its position among the events.
double first_event_cwnd(const std::string &trace, const std::string &name, double *order)
{
	double i = 0;
	for (const auto &line : nettune::split(trace, '\n')) {
		if (line.empty() || line[0] == '#')
			continue;
		i++;
		if (line.find(" event=" + name + " ") == std::string::npos)
			continue;
		auto c = line.find(" cwnd=");
		*order = i;
		return c == std::string::npos ? NAN : std::atof(line.c_str() + c + 6);
	}
	return NAN;
}

struct VariantSpec {
	std::string algo;
	std::vector<std::pair<std::string, std::string>> params; // module parameters
	std::string module;
};

VariantSpec variant_spec(const std::string &v)
{
	if (v == "ntcubic-hystart++")
		return {"ntcubic", {{"hystart", "1"}}, "tcp_ntcubic"};
	if (v == "ntcubic-plain")
		return {"ntcubic", {{"hystart", "0"}}, "tcp_ntcubic"};
	if (v == "cubic")
		return {"cubic", {{"hystart", "1"}, {"hystart_detect", "3"}}, "tcp_cubic"};
	if (v == "cubic-delay-only")
		return {"cubic", {{"hystart", "1"}, {"hystart_detect", "2"}}, "tcp_cubic"};
	throw nettune::Error("unknown variant " + v);
}

Values measure_point(Run &run, const RoutedPath &p, const std::string &algo, double queue_kb,
		     NtcubicTrace *trace)
{
	qdisc(run, p.ns_r, p.rb,
	      words(fmt::format("root tbf rate {}mbit burst 10kb limit {:.0f}", rate_mbit,
				queue_kb * 1000)));
	qdisc(run, p.ns_r, p.ra, words(fmt::format("root netem delay {}ms", rtt_ms)));
	const int reps = run.quick ? 1 : 3;
	Values sum;
	for (int i = 0; i < reps; i++) {
		auto snd0 = read_snmp(p.ns_a);
		IperfSpec is;
		is.netns = p.ns_a;
		is.server = p.b_addr;
		is.seconds = run.quick ? 6 : 10;
		is.interval = 0.2;
		is.congestion = algo;
		if (trace)
			trace->clear();
		auto res = iperf3(is);
		if (res.congestion != algo)
			throw nettune::Error("iperf3 ran " + res.congestion + ", not " + algo);
		auto snd1 = read_snmp(p.ns_a);
		// Slow start and its recovery: the first 2 s (50 RTTs; slow start
		// to the path's capacity takes under 10).
		double early_retrans = 0, peak_cwnd = 0, first_loss_s = 2;
		for (const auto &iv : res.intervals) {
			if (iv.start >= 2.0)
				break;
			early_retrans += double(iv.retransmits);
			peak_cwnd = std::max(peak_cwnd, double(iv.cwnd_bytes));
			if (iv.retransmits && first_loss_s >= 2)
				first_loss_s = iv.end;
		}
		const double capacity = (rate_mbit * 1e6 / 8 * rtt_ms / 1000) + queue_kb * 1000;
		Values v{
			{"mbps", res.sent_mbps},
			{"retrans", double(res.retransmits)},
			{"early_retrans", early_retrans},
			{"peak_cwnd_pkts", peak_cwnd / mss_bytes},
			{"overshoot", peak_cwnd / capacity},
			{"first_loss_s", first_loss_s},
			{"timeouts", double(delta(snd0, snd1, "TcpExtTCPTimeouts"))},
			{"mean_rtt_ms", res.mean_rtt_ms},
		};
		if (trace) {
			// HyStart++'s own view: did it enter CSS before the first loss?
			const std::string t = trace->read();
			double css_at = INFINITY, loss_at = INFINITY;
			v["css_cwnd"] = first_event_cwnd(t, "css", &css_at);
			v["loss_cwnd"] = first_event_cwnd(t, "loss", &loss_at);
			v["css_before_loss"] = css_at < loss_at ? 1 : 0;
		}
		for (const auto &[k, x] : v)
			sum[k] += x / reps; // the mean of the repetitions
	}
	return sum;
}

double ratio(double a, double b)
{
	return b > 0 ? a / b : (a > 0 ? INFINITY : 1);
}

Judgement judge(const Results &r)
{
	const double q = r.first("ntcubic-hystart++").x; // the shallowest queue
	auto at = [&](const std::string &v, const char *k) { return r.at(v, q, k); };
	auto sum = [&](const std::string &v, const char *k) {
		double s = 0;
		for (const auto *row : r.series(v))
			s += row->values.at(k);
		return s;
	};
	const double hs = at("ntcubic-hystart++", "early_retrans"),
		     plain = at("ntcubic-plain", "early_retrans"),
		     cub = at("cubic", "early_retrans"),
		     cdel = at("cubic-delay-only", "early_retrans");
	const double tot_nt = sum("ntcubic-hystart++", "retrans"), tot_cu = sum("cubic", "retrans");
	const double mb_nt = sum("ntcubic-hystart++", "mbps"), mb_cu = sum("cubic", "mbps");
	std::string numbers = fmt::format(
		"{:.0f} KB queue: slow-start retransmissions (first 2 s) ntcubic HyStart++ {:.0f}, "
		"plain slow start {:.0f}, kernel cubic {:.0f} (HyStart delay-only {:.0f}); peak "
		"cwnd / (BDP + queue) {:.2f}, {:.2f}, {:.2f}, {:.2f}. Over all queues ntcubic "
		"retransmitted {:.2f}x cubic ({:.0f} vs {:.0f}) at {:.2f}x its throughput",
		q, hs, plain, cub, cdel, at("ntcubic-hystart++", "overshoot"),
		at("ntcubic-plain", "overshoot"), at("cubic", "overshoot"),
		at("cubic-delay-only", "overshoot"), ratio(tot_nt, tot_cu), tot_nt, tot_cu,
		ratio(mb_nt, mb_cu));
	numbers += fmt::format(". HyStart++ entered CSS before the first loss in {:.0f}% of its "
			       "runs on the {:.0f} KB queue (cwnd {:.0f} at CSS, {:.0f} at the "
			       "first loss); with the ACK-train test off, kernel cubic lost {:.0f} "
			       "against {:.0f}",
			       100 * at("ntcubic-hystart++", "css_before_loss"), q,
			       at("ntcubic-hystart++", "css_cwnd"),
			       at("ntcubic-hystart++", "loss_cwnd"), cdel, cub);
	const bool hs_cuts = hs <= 0.67 * plain;
	const bool like_cubic = hs <= 1.2 * std::max(cub, 1.0);
	if (hs_cuts && like_cubic)
		return {Verdict::reproduced, numbers};
	if (hs_cuts)
		return {Verdict::partly,
			numbers + ": HyStart++ cuts ntcubic's slow-start losses against plain slow "
				  "start, but still loses more than the kernel cubic's HyStart"};
	return {Verdict::not_reproduced,
		numbers + ": HyStart++ does not cut slow-start retransmissions to 2/3 of plain "
			  "slow start on this shallow queue"};
}

Experiment make()
{
	Experiment e;
	e.name = "hystart";
	e.order = 34;
	e.title = "HyStart++: slow-start overshoot of ntcubic against slow start and cubic";
	e.claim = "On a shallow-queue path, HyStart++ ends slow start before it overshoots into "
		  "losses: fewer slow-start retransmissions than standard slow start, as the "
		  "kernel cubic's HyStart";
	e.anchor = "RFC 9406 (HyStart++); S. Ha, I. Rhee, \"Taming the elephants: new TCP slow "
		   "start\", Computer Networks 2011 (HyStart: ACK train and delay); "
		   "net/ipv4/tcp_cubic.c; nettune Documentation/cc.rst; issue 15 (ntcubic "
		   "retransmits ~1.6x cubic)";
	e.setup = fmt::format(
		"sender -- router -- receiver namespaces joined by veth pairs; the router's "
		"egress toward the receiver is a tbf bottleneck of {} Mbit/s with the swept queue "
		"(limit, KB), its egress toward the sender delays ACKs {} ms (BDP {:.0f} KB, about "
		"{:.0f} packets). tcp_no_metrics_save=1 at both ends: every connection starts "
		"without a cached ssthresh. One iperf3 flow per point ({} s; quick: one run, "
		"full: the mean of 3; 0.2 s intervals): throughput and retransmissions, "
		"retransmissions and the "
		"largest cwnd iperf3 sampled in the first 2 s (slow start and its recovery), "
		"as a share of what the path holds (BDP + queue), and when the first loss came "
		"(2: none in the first 2 s). Variants: tcp_ntcubic with "
		"hystart=1 (HyStart++) or 0 (standard slow start), and the kernel's cubic with "
		"its HyStart detecting by ACK train and delay (hystart_detect=3, the default) "
		"or by delay only (2). Module parameters are restored afterwards. For ntcubic "
		"the tcp_ntcubic tracepoint (events other than ack) tells whether HyStart++ "
		"entered Conservative Slow Start before the first loss (the share of runs), "
		"and the cwnd at each.",
		rate_mbit, rtt_ms, rate_mbit * 1e3 / 8 * rtt_ms / 1000,
		rate_mbit * 1e6 / 8 * rtt_ms / 1000 / mss_bytes, 6);
	e.variants = {"ntcubic-hystart++", "ntcubic-plain", "cubic", "cubic-delay-only"};
	e.x = {"queue_kb", "queue KB", 0};
	// quick: the shallow queue the claim is about (the verdict reads it)
	e.quick_points = {16};
	e.full_points = {8, 16, 32, 64, 128};
	e.columns = {{"mbps", "Mbit/s", 2},
		     {"retrans", "retrans", 0},
		     {"early_retrans", "retrans 0-2 s", 0},
		     {"peak_cwnd_pkts", "peak cwnd 0-2 s", 0},
		     {"overshoot", "cwnd/(BDP+q)", 2},
		     {"first_loss_s", "first loss s", 1},
		     {"timeouts", "RTOs", 0},
		     {"mean_rtt_ms", "mean rtt ms", 1},
		     {"css_before_loss", "CSS before loss", 1},
		     {"css_cwnd", "cwnd at CSS", 0},
		     {"loss_cwnd", "cwnd at 1st loss", 0}};
	e.plot = {"",  "bottleneck queue (KB)", "retransmissions in the first 2 s",
		  "",  {"early_retrans"},       {},
		  true};
	e.prepare = [](Run &run, const std::string &variant) {
		auto p = std::make_shared<RoutedPath>(routed_path(run, RoutedSpec{}));
		const VariantSpec vs = variant_spec(variant);
		for (const auto &[k, v] : vs.params)
			set_param(run, vs.module, k, v);
		const std::string algo = vs.algo;
		std::shared_ptr<NtcubicTrace> trace;
		if (algo == "ntcubic")
			trace = std::make_shared<NtcubicTrace>(run);
		// one iperf3 server for the variant (kept alive by the measure)
		auto server = std::make_shared<Iperf3Server>(p->ns_b, p->b_addr);
		return Measure([&run, p, algo, trace, server](double x) {
			return measure_point(run, *p, algo, x, trace.get());
		});
	};
	e.judge = judge;
	return e;
}

} // namespace
} // namespace exp_hystart

NETTUNE_EXPERIMENT(hystart, exp_hystart::make);
