// Receive steering knobs, as Documentation/networking/scaling.rst names
// them: RSS (one IRQ per RX queue, ethtool -X), RPS (rps_cpus), RFS
// (rps_flow_cnt and net.core.rps_sock_flow_entries); and offloads
// (ethtool -K). Everything set on a device dies with it; global knobs are
// restored through the run's cleanup.
#pragma once
#include "experiment.hpp"
#include "topology.hpp"

#include <string>

namespace nettune::exp {

// /sys/class/net/DEV/queues/QUEUE/FILE ("rx-0", "rps_cpus") as NETNS sees
// it: sysfs shows a namespace's devices only when mounted from inside it,
// so this goes through `ip netns exec`. Throws Error naming the file.
void write_queue_sysfs(Lab &lab, const std::string &netns, const std::string &dev,
		       const std::string &queue, const std::string &file, const std::string &value);
std::string read_queue_sysfs(Lab &lab, const std::string &netns, const std::string &dev,
			     const std::string &queue, const std::string &file);

// The hex CPU mask sysfs takes for CPUs 0..cpus-1 ("3" for two).
std::string cpu_mask_all(int cpus);

// Pins RX queue q's IRQ of DEV to CPU q % cpus, for queues 0..queues-1.
void pin_rx_queue_irqs(Run &run, const std::string &netns, const std::string &dev, unsigned queues);
// Pins TX queue q's IRQ of DEV (completions, and ntvnic's wire) to `cpu`.
void pin_tx_queue_irqs(Run &run, const std::string &netns, const std::string &dev, unsigned queues,
		       int cpu);

// IPv6 off in both namespaces of a pair: no router solicitations, DAD or
// MLD reports cross the wire while an experiment counts per queue or CPU.
void quiet_ipv6(Run &run, const Pair &p);

// RFS on RX queue 0 of DEV: rps_flow_cnt there, and the global socket flow
// table (net.core.rps_sock_flow_entries, restored at cleanup).
void enable_rfs(Run &run, const std::string &netns, const std::string &dev, unsigned flow_cnt,
		unsigned sock_flow_entries);

// ethtool -K DEV FEATURE on|off in NETNS.
void set_offload(Lab &lab, const std::string &netns, const std::string &dev,
		 const std::string &feature, bool on);

} // namespace nettune::exp
