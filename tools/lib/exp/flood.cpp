#include "flood.hpp"

#include "counters.hpp"

#include <chrono>

namespace nettune::exp {

std::shared_ptr<FloodRig> make_flood_rig(Run &run, const FloodSpec &spec)
{
	auto rig = std::make_shared<FloodRig>();
	rig->pair = run.lab.vnic_pair(spec.pair);
	const Pair &p = rig->pair;
	rig->rx_irq = run.lab.queue_irq(p.ns_b, p.b, 0);
	run.lab.pin_irq(rig->rx_irq, spec.rx_cpu % run.cpus());
	// The sender's TX completion stays with pktgen on CPU 0.
	run.lab.pin_irq(run.lab.queue_irq(p.ns_a, p.a, 0, vnic::IrqDir::tx), 0);
	PktgenSpec ps;
	ps.netns = p.ns_a;
	ps.dev = p.a;
	ps.dst_ip = p.b_addr;
	ps.dst_mac = p.b_mac;
	ps.udp_dst = spec.udp_port;
	ps.udp_src_min = spec.udp_src_min;
	ps.udp_src_max = spec.udp_src_max;
	rig->pktgen = std::make_unique<Pktgen>(run.cleanup, ps);
	if (spec.sink_cpu >= 0)
		rig->sink =
			std::make_unique<UdpSink>(p.ns_b, p.b_addr, spec.udp_port,
						  spec.sink_cpu % run.cpus(), 0, spec.sink_work_us);
	return rig;
}

namespace {

struct Snapshot {
	std::chrono::steady_clock::time_point t;
	uint64_t sent = 0, app = 0;
	std::map<std::string, uint64_t> nic, snmp;
	std::vector<SoftnetCpu> softnet;
	std::vector<CpuTime> cpu;
};

Snapshot snapshot(FloodRig &rig)
{
	Snapshot s;
	s.t = std::chrono::steady_clock::now();
	s.sent = rig.pktgen->sent();
	s.app = rig.sink ? rig.sink->received() : 0;
	s.snmp = read_snmp(rig.pair.ns_b);
	s.softnet = read_softnet_stat();
	s.cpu = read_cpu_times();
	s.nic = read_ethtool_stats(rig.pair.ns_b, rig.pair.b);
	return s;
}

} // namespace

FloodSample measure_flood(Run &run, FloodRig &rig, uint64_t ratep, double warmup, double seconds)
{
	rig.pktgen->set_ratep(ratep);
	rig.pktgen->start();
	run.sleep(warmup);
	Snapshot a = snapshot(rig);
	run.sleep(seconds);
	Snapshot b = snapshot(rig);
	rig.pktgen->stop();

	FloodSample f;
	f.seconds = std::chrono::duration<double>(b.t - a.t).count();
	const double t = f.seconds > 0 ? f.seconds : 1;
	auto nic = [&](const char *field) {
		uint64_t x = sum_queue_field(b.nic, "rx", field),
			 y = sum_queue_field(a.nic, "rx", field);
		return x >= y ? static_cast<double>(x - y) : 0.0;
	};
	f.sent_pps = (b.sent - a.sent) / t;
	f.app_pps = (b.app - a.app) / t;
	f.udp_in_pps = delta(a.snmp, b.snmp, "UdpInDatagrams") / t;
	f.noports_pps = delta(a.snmp, b.snmp, "UdpNoPorts") / t;
	f.sock_drop_pps = delta(a.snmp, b.snmp, "UdpRcvbufErrors") / t;
	const double rx = nic("packets");
	f.rx_pps = rx / t;
	f.ring_full_pps = nic("ring_full") / t;
	f.irq_ps = nic("irqs") / t;
	f.irqs_per_pkt = rx > 0 ? nic("irqs") / rx : 0;
	f.polls_per_pkt = rx > 0 ? nic("polls") / rx : 0;
	f.softnet_cpus = softnet_delta(a.softnet, b.softnet);
	const auto qa = queue_field(a.nic, "rx", "packets"),
		   qb = queue_field(b.nic, "rx", "packets");
	for (size_t q = 0; q < qb.size(); q++)
		f.rx_queue_packets.push_back(q < qa.size() && qb[q] >= qa[q] ? qb[q] - qa[q] : 0);
	const SoftnetCpu sn = softnet_total(f.softnet_cpus);
	f.backlog_drop_pps = sn.dropped / t;
	f.squeeze_ps = sn.time_squeeze / t;
	f.cpu = cpu_time_delta(a.cpu, b.cpu);
	return f;
}

} // namespace nettune::exp
