// Experiment 9: RX ring size. A small ring drops a burst that arrives
// faster than NAPI can run; a large one absorbs it, and under sustained
// overload a large ring is a standing queue that every packet waits in.
#include "exp/counters.hpp"
#include "exp/experiment.hpp"
#include "exp/flood.hpp"

#include <arpa/inet.h>
#include <chrono>
#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace exp_ring {
namespace {

using namespace nettune::exp;

constexpr unsigned burst_segments = 64; // UDP GSO's limit per send
constexpr unsigned bursts = 3;

// `bursts` UDP GSO sends of 64 x 1000-byte datagrams from CPU 0: with
// tx-udp-segmentation off they are segmented in software and cross the
// pair back to back with bottom halves off, so B's NAPI (on CPU 0 too)
// cannot run before a burst is in its ring.
void send_bursts(const Pair &p)
{
	Child c("UDP burst sender", [p] {
		NetnsScope in(p.ns_a);
		pin_to_cpu(0);
		int s = socket(AF_INET, SOCK_DGRAM, 0);
		int seg = 1000;
		if (s < 0 || setsockopt(s, SOL_UDP, UDP_SEGMENT, &seg, sizeof(seg)) < 0)
			return 1;
		sockaddr_in dst{};
		dst.sin_family = AF_INET;
		dst.sin_port = htons(9);
		inet_pton(AF_INET, p.b_addr.c_str(), &dst.sin_addr);
		static char buf[burst_segments * 1000];
		for (unsigned i = 0; i < bursts; i++) {
			if (sendto(s, buf, sizeof(buf), 0, reinterpret_cast<sockaddr *>(&dst),
				   sizeof(dst)) < 0)
				return 1;
			usleep(200000);
		}
		return 0;
	});
	if (c.wait() != 0)
		throw nettune::Error("UDP burst sender failed (UDP_SEGMENT send)");
}

Judgement judge(const Results &r)
{
	const Row &small = r.first(""), &large = r.last("");
	const double ds = small.values.at("burst_drop_pct"), dl = large.values.at("burst_drop_pct");
	const double rs = small.values.at("flood_rtt_ms"), rl = large.values.at("flood_rtt_ms");
	std::string numbers = fmt::format(
		"{:.0f}-entry ring: {:.0f}% of the bursts dropped, median ping RTT under a flood "
		"{:.1f} ms; {:.0f}-entry ring: {:.0f}% dropped, RTT {:.1f} ms",
		small.x, ds, rs, large.x, dl, rl);
	const bool absorbs = ds > 0 && dl == 0;
	const bool delays = rl >= 3 * rs;
	if (absorbs && delays)
		return {Verdict::reproduced, numbers};
	if (absorbs)
		return {Verdict::partly, numbers + ": the large ring absorbs the bursts, but adds "
						   "less than 3x the queueing delay"};
	if (delays)
		return {Verdict::partly, numbers + ": the large ring adds delay, but the burst "
						   "drops do not go from some to none"};
	return {Verdict::not_reproduced, numbers};
}

Experiment make()
{
	Experiment e;
	e.name = "ring";
	e.order = 9;
	e.title = "RX ring size: burst drops against queueing delay";
	e.claim = "A small RX ring drops bursts that a large one absorbs, and the large one "
		  "adds queueing delay under overload";
	e.anchor = "ethtool(8) -G; the bufferbloat argument applied to NIC rings (e.g. "
		   "Documentation/networking/scaling.rst, BQL for the TX side)";
	e.setup = "An ntvnic pair (1 queue, NAPI), the receiver's RX ring set with nettune "
		  "vnic set rx-ring (as ethtool -G). Bursts: 3 UDP GSO sends of 64 x 1000-byte "
		  "datagrams from CPU 0 with tx-udp-segmentation off, the RX interrupt also on "
		  "CPU 0 so NAPI cannot run during a burst; the ring-full counter gives the share "
		  "dropped. Delay: pktgen floods 64-byte UDP from CPU 0 as fast as it can, the RX "
		  "interrupt and a UDP application (200 us of CPU per datagram) on CPU 1, so the "
		  "ring stays full; 10 pings cross it (100 ms apart), median RTT.";
	e.x = {"rx_ring", "rx ring", 0};
	e.quick_points = {8, 32, 256, 2048};
	e.full_points = {8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096};
	e.columns = {{"burst_drop_pct", "burst drops %", 0},
		     {"flood_rtt_ms", "rtt under flood ms", 1},
		     {"flood_ping_loss_pct", "ping loss %", 0},
		     {"flood_ring_drop_kpps", "ring drops kpps", 1}};
	e.plot = {"",
		  "RX ring entries",
		  "burst datagrams dropped (%)",
		  "median ping RTT under a flood (ms)",
		  {"burst_drop_pct"},
		  {"flood_rtt_ms"},
		  true};
	e.prepare = [](Run &run, const std::string &) {
		FloodSpec spec;
		spec.sink_cpu = 1;
		spec.sink_work_us = 200;
		spec.udp_port = 7;
		auto rig = make_flood_rig(run, spec);
		run.lab.exec(rig->pair.ns_a,
			     {"ethtool", "-K", rig->pair.a, "tx-udp-segmentation", "off"});
		return Measure([&run, rig](double x) {
			const Pair &p = rig->pair;
			nettune::vnic::Settings s;
			s.rx_ring = static_cast<uint32_t>(x);
			run.lab.vnic_set(p.ns_b, p.b, s);
			// Bursts: RX interrupt with the sender on CPU 0.
			run.lab.pin_irq(run.lab.queue_irq(p.ns_b, p.b, 0), 0);
			auto before = read_ethtool_stats(p.ns_b, p.b);
			send_bursts(p);
			run.sleep(0.3);
			auto after = read_ethtool_stats(p.ns_b, p.b);
			const double dropped = double(delta(before, after, "rx_queue_0_ring_full"));
			// Standing queue: RX interrupt with the busy application on CPU 1.
			run.lab.pin_irq(run.lab.queue_irq(p.ns_b, p.b, 0), 1);
			rig->pktgen->set_ratep(0);
			rig->pktgen->start();
			run.sleep(1);
			auto b0 = read_ethtool_stats(p.ns_b, p.b);
			auto t0 = std::chrono::steady_clock::now();
			auto pr = ping(p.ns_a, p.b_addr, 10, 0.1);
			auto b1 = read_ethtool_stats(p.ns_b, p.b);
			double secs =
				std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
					.count();
			rig->pktgen->stop();
			run.sleep(0.5);
			return Values{
				{"burst_drop_pct", 100.0 * dropped / (bursts * burst_segments)},
				{"flood_rtt_ms", pr.median_us() / 1000},
				{"flood_ping_loss_pct", 100.0 * (pr.sent - pr.received) / pr.sent},
				{"flood_ring_drop_kpps",
				 delta(b0, b1, "rx_queue_0_ring_full") / secs / 1e3}};
		});
	};
	e.judge = judge;
	return e;
}

} // namespace
} // namespace exp_ring

NETTUNE_EXPERIMENT(ring, exp_ring::make);
