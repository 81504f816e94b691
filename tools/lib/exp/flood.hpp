// The rig most receive-path experiments share: an ntvnic pair A -> B,
// pktgen on CPU 0 flooding 64-byte UDP from A, B's RX interrupt on a
// chosen CPU, optionally a UDP application on B, and one measurement
// window that reads every counter before and after.
#pragma once
#include "counters.hpp"
#include "cpu.hpp"
#include "experiment.hpp"
#include "load.hpp"
#include "topology.hpp"

#include <memory>

namespace nettune::exp {

struct FloodSpec {
	PairSpec pair;
	int rx_cpu = 1;    // B's RX queue 0 interrupt
	int sink_cpu = -1; // a UDP application on B pinned here; -1: none (NoPorts)
	unsigned udp_port = 9;
	// pktgen's source ports [min, max): one flow per port, in turn
	unsigned udp_src_min = 10000, udp_src_max = 10999;
	unsigned sink_work_us = 0; // CPU time the application spends per datagram
};

struct FloodRig {
	Pair pair;
	unsigned rx_irq = 0;
	std::unique_ptr<Pktgen> pktgen;
	std::unique_ptr<UdpSink> sink;
};

std::shared_ptr<FloodRig> make_flood_rig(Run &run, const FloodSpec &spec);
// Several rigs can live in one lab (PairSpec::tag): pktgen is per network
// namespace, each rig's sender has its own kpktgend_0.

// Rates over one window (per second unless named otherwise).
struct FloodSample {
	double seconds = 0;
	double sent_pps = 0;         // pktgen
	double rx_pps = 0;           // B's driver took from its ring
	double app_pps = 0;          // the UDP application read (0 without one)
	double udp_in_pps = 0;       // Udp.InDatagrams (queued to a socket)
	double noports_pps = 0;      // Udp.NoPorts
	double sock_drop_pps = 0;    // Udp.RcvbufErrors
	double ring_full_pps = 0;    // RX ring full (the "NIC" dropped)
	double backlog_drop_pps = 0; // softnet_stat dropped (all CPUs)
	double squeeze_ps = 0;       // softnet_stat time_squeeze (all CPUs)
	double irqs_per_pkt = 0;     // RX interrupts per received packet
	double polls_per_pkt = 0;    // NAPI polls per received packet
	double irq_ps = 0;           // RX interrupts per second
	// softnet_stat deltas per CPU (indexed by CPU)
	std::vector<SoftnetCpu> softnet_cpus;
	// B's driver: packets per RX queue
	std::vector<uint64_t> rx_queue_packets;
	// CPU time each CPU spent in the window (s)
	std::vector<CpuTime> cpu;
};

// Starts pktgen at `ratep` (0: flat out), lets it settle for `warmup` s,
// measures for `seconds`, stops it.
FloodSample measure_flood(Run &run, FloodRig &rig, uint64_t ratep, double warmup, double seconds);

} // namespace nettune::exp
