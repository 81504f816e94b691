#include "observe_snapshot.hpp"

#include "error.hpp"
#include "sysfs.hpp"

#include <ctime>

namespace nettune::observe {

double monotonic_seconds()
{
	timespec ts{};
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

std::string sysctl_path(const std::string &name)
{
	std::string p = "/proc/sys/" + name;
	for (size_t i = 10; i < p.size(); i++)
		if (p[i] == '.')
			p[i] = '/';
	return p;
}

std::optional<std::string> read_sysctl(const std::string &name)
{
	auto text = try_read_file(sysctl_path(name));
	if (!text)
		return std::nullopt;
	// tcp_rmem and ip_local_port_range are tab separated: one space.
	auto w = split_whitespace(*text);
	std::string out;
	for (const auto &x : w)
		out += (out.empty() ? "" : " ") + x;
	return out;
}

std::optional<ConntrackSample> read_conntrack(std::string &why)
{
	auto count = try_read_file("/proc/sys/net/netfilter/nf_conntrack_count");
	if (!count) {
		why = "conntrack: nf_conntrack is not loaded (no "
		      "/proc/sys/net/netfilter/nf_conntrack_count); nothing is tracked";
		return std::nullopt;
	}
	ConntrackSample c;
	c.count = read_u64("/proc/sys/net/netfilter/nf_conntrack_count");
	c.max = read_u64("/proc/sys/net/netfilter/nf_conntrack_max");
	if (auto b = try_read_file("/proc/sys/net/netfilter/nf_conntrack_buckets"))
		c.buckets = read_u64("/proc/sys/net/netfilter/nf_conntrack_buckets");
	if (auto stat = try_read_file("/proc/net/stat/nf_conntrack"))
		c.totals = conntrack_totals(parse_conntrack_stat(*stat));
	else
		why = "conntrack: /proc/net/stat/nf_conntrack unreadable: no per-CPU statistics";
	return c;
}

std::vector<std::string> list_devices()
{
	std::vector<std::string> out;
	for (const auto &d : list_dir("/sys/class/net"))
		if (d != "lo" && d != "bonding_masters")
			out.push_back(d);
	return out;
}

namespace {

DeviceSample sample_device(const std::string &dev, std::vector<std::string> &notes)
{
	DeviceSample s;
	s.name = dev;
	const std::string base = "/sys/class/net/" + dev;
	if (list_dir(base).empty())
		throw Error(dev + ": no such network device in this namespace");
	for (const char *f :
	     {"rx_packets", "rx_dropped", "rx_missed_errors", "rx_fifo_errors", "rx_over_errors"})
		if (auto v = try_read_file(base + "/statistics/" + f))
			s.sysfs[f] = std::stoull(trim(*v).empty() ? "0" : trim(*v));
	for (const auto &q : list_dir(base + "/queues"))
		if (q.rfind("rx-", 0) == 0)
			s.rx_queues++;
	try {
		ethtool::Device d(dev);
		s.stats = d.stats();
		try {
			s.rings = d.rings();
		} catch (const Error &) {
			// no ethtool -g: the finding then names no ring size
		}
	} catch (const Error &e) {
		notes.push_back(std::string(e.what()));
	}
	return s;
}

} // namespace

Snapshot take_snapshot(const SnapshotOptions &o)
{
	Snapshot s;
	s.time_s = monotonic_seconds();
	s.mib = read_mib();
	s.softnet = parse_softnet(read_file("/proc/net/softnet_stat"));
	if (auto si = try_read_file("/proc/softirqs")) {
		auto all = parse_softirqs(*si);
		s.net_rx_softirqs = all["NET_RX"];
	}
	s.irqs = vnic::parse_proc_interrupts(read_file("/proc/interrupts"));
	std::string why;
	s.conntrack = read_conntrack(why);
	if (!why.empty())
		s.notes.push_back(why);
	for (const auto &d : o.devices.empty() ? list_devices() : o.devices)
		s.devices.push_back(sample_device(d, s.notes));
	try {
		s.listeners = tcp_listeners(o.port);
		s.retransmitting = retransmitting_connections();
	} catch (const Error &e) {
		s.notes.push_back(std::string("sockets: ") + e.what());
	}
	for (const char *k :
	     {"net.core.netdev_max_backlog", "net.core.netdev_budget",
	      "net.core.netdev_budget_usecs", "net.core.somaxconn", "net.core.rmem_max",
	      "net.core.rmem_default", "net.ipv4.tcp_rmem", "net.ipv4.tcp_max_syn_backlog",
	      "net.ipv4.tcp_mtu_probing", "net.ipv4.tcp_syncookies"})
		if (auto v = read_sysctl(k))
			s.sysctls[k] = *v;
	return s;
}

} // namespace nettune::observe
