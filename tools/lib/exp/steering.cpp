#include "steering.hpp"

#include "sysfs.hpp"

#include <algorithm>
#include <cstdint>
#include <fmt/format.h>

namespace nettune::exp {

namespace {

std::string queue_path(const std::string &dev, const std::string &queue, const std::string &file)
{
	return "/sys/class/net/" + dev + "/queues/" + queue + "/" + file;
}

} // namespace

void write_queue_sysfs(Lab &lab, const std::string &netns, const std::string &dev,
		       const std::string &queue, const std::string &file, const std::string &value)
{
	// The path and value are passed as arguments, never spliced into the
	// script.
	lab.exec(netns, {"sh", "-c", "printf '%s\\n' \"$1\" > \"$2\"", "sh", value,
			 queue_path(dev, queue, file)});
}

std::string read_queue_sysfs(Lab &lab, const std::string &netns, const std::string &dev,
			     const std::string &queue, const std::string &file)
{
	return trim(lab.exec(netns, {"cat", queue_path(dev, queue, file)}));
}

std::string cpu_mask_all(int cpus)
{
	// 32-bit groups, most significant first, as sysfs prints them.
	std::string hex;
	const int groups = std::max(1, (cpus + 31) / 32);
	for (int g = groups - 1; g >= 0; g--) {
		const int bits = std::clamp(cpus - g * 32, 0, 32);
		const uint32_t v = bits == 32 ? 0xffffffffu : (1u << bits) - 1;
		hex += g == groups - 1 ? fmt::format("{:x}", v) : fmt::format(",{:08x}", v);
	}
	return hex;
}

void pin_rx_queue_irqs(Run &run, const std::string &netns, const std::string &dev, unsigned queues)
{
	for (unsigned q = 0; q < queues; q++)
		run.lab.pin_irq(run.lab.queue_irq(netns, dev, q), static_cast<int>(q) % run.cpus());
}

void pin_tx_queue_irqs(Run &run, const std::string &netns, const std::string &dev, unsigned queues,
		       int cpu)
{
	for (unsigned q = 0; q < queues; q++)
		run.lab.pin_irq(run.lab.queue_irq(netns, dev, q, vnic::IrqDir::tx),
				cpu % run.cpus());
}

void quiet_ipv6(Run &run, const Pair &p)
{
	for (const auto &ns : {p.ns_a, p.ns_b})
		run.lab.set_sysctl(ns, "net.ipv6.conf.all.disable_ipv6", "1");
}

void enable_rfs(Run &run, const std::string &netns, const std::string &dev, unsigned flow_cnt,
		unsigned sock_flow_entries)
{
	run.lab.set_sysctl("", "net.core.rps_sock_flow_entries", std::to_string(sock_flow_entries));
	write_queue_sysfs(run.lab, netns, dev, "rx-0", "rps_flow_cnt", std::to_string(flow_cnt));
}

void set_offload(Lab &lab, const std::string &netns, const std::string &dev,
		 const std::string &feature, bool on)
{
	lab.exec(netns, {"ethtool", "-K", dev, feature, on ? "on" : "off"});
}

} // namespace nettune::exp
