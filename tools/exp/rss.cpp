// Experiment 4: RSS. The NIC hashes each flow's addresses and ports
// (Toeplitz, with the port's key) and looks the hash up in an indirection
// table to pick an RX queue, whose interrupt goes to one CPU: many flows
// spread over queues and CPUs, one flow stays on one queue and one CPU, and
// a new table (ethtool -X) moves exactly the flows it should.
#include "rss.hpp"
#include "error.hpp"
#include "ethtool.hpp"
#include "exp/counters.hpp"
#include "exp/experiment.hpp"
#include "exp/flood.hpp"
#include "exp/steering.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace exp_rss {
namespace {

using namespace nettune::exp;
namespace rss = nettune::rss;

constexpr unsigned queues = 4;
constexpr unsigned first_port = 10000; // flow i has UDP source port first_port + i
constexpr unsigned max_probed = 32;    // flows whose queue is predicted and checked
constexpr unsigned probe_datagrams = 8;
constexpr uint64_t spread_rate_pps = 5000;

// The queue B's key and table (as the device reports them) select for a
// flow from A to B.
unsigned predicted_queue(const Pair &p, unsigned sport, unsigned dport)
{
	nettune::ethtool::Rss table;
	{
		NetnsScope in(p.ns_b);
		table = nettune::ethtool::Device(p.b).rss();
	}
	rss::Flow f = rss::parse_flow(fmt::format("{}:{},{}:{}", p.a_addr, sport, p.b_addr, dport),
				      rss::Proto::udp);
	return rss::queue_for_hash(rss::flow_hash(table.key, f), table.indir);
}

std::vector<uint64_t> rx_queue_packets(const Pair &p)
{
	return queue_field(read_ethtool_stats(p.ns_b, p.b), "rx", "packets");
}

// Sends probe_datagrams from A's source port `sport` and returns the RX
// queue that received all of them, or -1 if they arrived split or not at
// all within a second.
int measured_queue(Run &run, const Pair &p, unsigned sport, unsigned dport)
{
	const auto before = rx_queue_packets(p);
	{
		NetnsScope in(p.ns_a);
		int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (s < 0)
			throw nettune::Error(nettune::errno_message("RSS probe socket", errno));
		int one = 1;
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		sockaddr_in src{}, dst{};
		src.sin_family = dst.sin_family = AF_INET;
		src.sin_port = htons(sport);
		dst.sin_port = htons(dport);
		inet_pton(AF_INET, p.a_addr.c_str(), &src.sin_addr);
		inet_pton(AF_INET, p.b_addr.c_str(), &dst.sin_addr);
		int err = bind(s, reinterpret_cast<sockaddr *>(&src), sizeof(src)) < 0 ? errno : 0;
		char payload[64] = {};
		for (unsigned i = 0; !err && i < probe_datagrams; i++)
			if (sendto(s, payload, sizeof(payload), 0,
				   reinterpret_cast<sockaddr *>(&dst), sizeof(dst)) < 0)
				err = errno;
		close(s);
		if (err)
			throw nettune::Error(nettune::errno_message(
				fmt::format("RSS probe from port {}", sport), err));
	}
	for (int i = 0; i < 100; i++) {
		const auto after = rx_queue_packets(p);
		uint64_t total = 0;
		int top = -1;
		uint64_t top_n = 0;
		for (size_t q = 0; q < after.size(); q++) {
			uint64_t d = q < before.size() && after[q] >= before[q]
					     ? after[q] - before[q]
					     : 0;
			total += d;
			if (d > top_n) {
				top_n = d;
				top = static_cast<int>(q);
			}
		}
		if (total >= probe_datagrams)
			return top_n == total ? top : -1;
		run.sleep(0.01);
	}
	return -1;
}

struct Placement {
	std::vector<unsigned> predicted;
	std::vector<int> measured;
	unsigned matches() const
	{
		unsigned n = 0;
		for (size_t i = 0; i < predicted.size(); i++)
			n += measured[i] == static_cast<int>(predicted[i]);
		return n;
	}
};

Placement place_flows(Run &run, const Pair &p, unsigned flows, unsigned dport)
{
	Placement pl;
	for (unsigned i = 0; i < std::min(flows, max_probed); i++) {
		run.check();
		pl.predicted.push_back(predicted_queue(p, first_port + i, dport));
		pl.measured.push_back(measured_queue(run, p, first_port + i, dport));
	}
	return pl;
}

std::vector<double> as_doubles(const std::vector<uint64_t> &v)
{
	return {v.begin(), v.end()};
}

Judgement judge(const Results &r)
{
	const Row &one = r.first(""), &many = r.last("");
	auto v = [](const Row &row, const char *k) { return row.values.at(k); };
	double pred_min = 100, moved_pred = 0, moved_meas = 0;
	for (const auto *row : r.series("")) {
		pred_min = std::min({pred_min, row->values.at("predicted_pct"),
				     row->values.at("predicted_after_pct")});
		moved_pred += row->values.at("moved_predicted");
		moved_meas += row->values.at("moved_measured");
	}
	std::string numbers = fmt::format(
		"{:.0f} flow(s): {:.0f}% of packets on the busiest queue, {:.0f}% of processing on "
		"the busiest CPU; {:.0f} flows: {:.0f} of {} queues used, fairness (Jain) {:.2f} "
		"over queues and {:.2f} over CPUs; flows on the predicted queue: at least "
		"{:.0f}% at every point, before and after ethtool -X equal 2, which was to move "
		"{:.0f} of the probed flows and moved {:.0f}",
		one.x, v(one, "top_queue_pct"), v(one, "top_cpu_pct"), many.x,
		v(many, "queues_used"), queues, v(many, "queue_fairness"), v(many, "cpu_fairness"),
		pred_min, moved_pred, moved_meas);
	const bool pinned = v(one, "top_queue_pct") >= 99 && v(one, "top_cpu_pct") >= 95;
	const bool spread = v(many, "queues_used") == queues && v(many, "queue_fairness") >= 0.8 &&
			    v(many, "cpu_fairness") >= 0.8;
	const bool predicted = pred_min >= 100 && moved_pred > 0 && moved_meas == moved_pred;
	std::vector<std::string> failed;
	if (!pinned)
		failed.push_back("one flow did not stay on one queue and CPU");
	if (!spread)
		failed.push_back("many flows did not spread evenly (all queues, fairness >= 0.8)");
	if (!predicted)
		failed.push_back("the measured queues did not all match the Toeplitz prediction");
	if (failed.empty())
		return {Verdict::reproduced, numbers};
	std::string why;
	for (const auto &f : failed)
		why += (why.empty() ? ": " : "; ") + f;
	return {failed.size() == 3 ? Verdict::not_reproduced : Verdict::partly, numbers + why};
}

Experiment make()
{
	Experiment e;
	e.name = "rss";
	e.order = 4;
	e.title = "RSS: flows over queues and CPUs, as the Toeplitz hash predicts";
	e.claim = "RSS spreads many flows over RX queues and CPUs, keeps one flow on one queue "
		  "and CPU, and a new indirection table (ethtool -X) moves the flows its "
		  "Toeplitz hash predicts";
	e.anchor = "Documentation/networking/scaling.rst, \"RSS: Receive Side Scaling\"; "
		   "Microsoft, \"RSS hashing types\" and \"Verifying the RSS Hash Calculation\"";
	e.setup =
		"An ntvnic pair with 4 queues, IPv6 off; the receiver's RX queue q interrupts "
		"CPU q mod 2. Spread: pktgen on CPU 0 sends 64-byte UDP at 5 kpps over N flows "
		"(source ports, in turn; the sweep); per-queue packets from ethtool -S and "
		"/proc/net/softnet_stat processed per CPU, with Jain's fairness index (1 = even). "
		"The ports are consecutive: Toeplitz is linear over GF(2), so an aligned block of "
		"2^k ports reaches the queues exactly evenly once the queue bits of the hash "
		"depend on enough of the port bits (random ports would spread less evenly). "
		"Prediction: for up to 32 of the flows, the queue the receiver's key and table "
		"(read back with ETHTOOL_GRSSH, as ethtool -x) select by libnettune's Toeplitz "
		"(nettune vnic rss), against the queue that counted 8 probe datagrams from that "
		"source port; then again after ethtool -X equal 2, and the table is set back "
		"to equal 4.";
	e.x = {"flows", "flows", 0};
	e.quick_points = {1, 4, 16, 64};
	e.full_points = {1, 2, 4, 8, 16, 32, 64, 256};
	e.columns = {{"queues_used", "queues used", 0},
		     {"queue_fairness", "queue fairness", 2},
		     {"cpu_fairness", "cpu fairness", 2},
		     {"top_queue_pct", "busiest queue %", 0},
		     {"top_cpu_pct", "busiest cpu %", 0},
		     {"predicted_pct", "on predicted queue %", 0},
		     {"moved_predicted", "to move", 0},
		     {"moved_measured", "moved", 0},
		     {"predicted_after_pct", "after -X on predicted %", 0}};
	e.plot = {"",
		  "flows (UDP source ports)",
		  "Jain's fairness index (1 = even)",
		  "flows on the predicted queue (%)",
		  {"queue_fairness", "cpu_fairness"},
		  {"predicted_pct", "predicted_after_pct"},
		  true};
	e.prepare = [](Run &run, const std::string &) {
		FloodSpec spec;
		spec.pair.queues = queues;
		spec.rx_cpu = 0;
		auto rig = make_flood_rig(run, spec);
		const Pair &p = rig->pair;
		quiet_ipv6(run, p);
		pin_rx_queue_irqs(run, p.ns_b, p.b, queues);
		pin_tx_queue_irqs(run, p.ns_a, p.a, queues, 0);
		auto drain = std::make_shared<UdpDrain>(p.ns_b, p.b_addr, spec.udp_port);
		const unsigned dport = spec.udp_port;
		return Measure([&run, rig, drain, dport](double x) {
			const Pair &p = rig->pair;
			const unsigned flows = std::max(1u, static_cast<unsigned>(x));
			rig->pktgen->set_udp_src(first_port, first_port + flows);
			auto f = measure_flood(run, *rig, spread_rate_pps, 0.5, run.quick ? 2 : 4);
			std::vector<double> per_cpu;
			for (const auto &c : f.softnet_cpus)
				per_cpu.push_back(double(c.processed));
			const auto per_queue = as_doubles(f.rx_queue_packets);
			double total = 0, used = 0;
			for (double q : per_queue)
				total += q;
			for (double q : per_queue)
				used += total > 0 && q >= 0.01 * total;
			run.sleep(0.2); // the flood's last packets drain before probing
			Placement before = place_flows(run, p, flows, dport);
			run.lab.exec(p.ns_b, {"ethtool", "-X", p.b, "equal", "2"});
			Placement after = place_flows(run, p, flows, dport);
			run.lab.exec(p.ns_b,
				     {"ethtool", "-X", p.b, "equal", std::to_string(queues)});
			double moved_pred = 0, moved_meas = 0;
			for (size_t i = 0; i < before.predicted.size(); i++) {
				moved_pred += before.predicted[i] != after.predicted[i];
				moved_meas += before.measured[i] != after.measured[i];
			}
			const double n = double(before.predicted.size());
			return Values{{"queues_used", used},
				      {"queue_fairness", jain_fairness(per_queue)},
				      {"cpu_fairness", jain_fairness(per_cpu)},
				      {"top_queue_pct", top_share_pct(per_queue)},
				      {"top_cpu_pct", top_share_pct(per_cpu)},
				      {"predicted_pct", 100 * before.matches() / n},
				      {"moved_predicted", moved_pred},
				      {"moved_measured", moved_meas},
				      {"predicted_after_pct", 100 * after.matches() / n}};
		});
	};
	e.judge = judge;
	return e;
}

} // namespace
} // namespace exp_rss

NETTUNE_EXPERIMENT(rss, exp_rss::make);
