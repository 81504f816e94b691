#include "topology.hpp"

#include "error.hpp"
#include "process.hpp"
#include "sysfs.hpp"

#include <algorithm>
#include <memory>
#include <unistd.h>

namespace nettune::exp {

namespace {

std::string sysctl_path(const std::string &key)
{
	std::string p = key;
	std::replace(p.begin(), p.end(), '.', '/');
	return "/proc/sys/" + p;
}

} // namespace

std::string read_sysctl(const std::string &netns, const std::string &key)
{
	std::unique_ptr<NetnsScope> in;
	if (!netns.empty())
		in = std::make_unique<NetnsScope>(netns);
	return trim(read_file(sysctl_path(key)));
}

void write_sysctl(const std::string &netns, const std::string &key, const std::string &value)
{
	std::unique_ptr<NetnsScope> in;
	if (!netns.empty())
		in = std::make_unique<NetnsScope>(netns);
	int err = write_file_errno(sysctl_path(key), value);
	if (err)
		throw Error(errno_message("sysctl " + key + "=" + value, err));
}

Lab::Lab(CleanupStack &cleanup, const std::string &tag)
    : cleanup_(cleanup), prefix_("ntx" + std::to_string(getpid()) + "-" + tag.substr(0, 12))
{
}

std::string Lab::netns(const std::string &role)
{
	std::string name = prefix_ + "-" + role;
	must_run({"ip", "netns", "add", name});
	cleanup_.push("delete namespace " + name, [name] {
		must_run({"ip", "netns", "del", name});
	});
	must_run({"ip", "-n", name, "link", "set", "lo", "up"});
	return name;
}

Pair Lab::vnic_pair(const PairSpec &spec)
{
	Pair p;
	p.ns_a = netns(spec.tag + "a");
	p.ns_b = netns(spec.tag + "b");
	p.a = "nxa";
	p.b = "nxb";
	p.a_addr = spec.a_addr;
	p.b_addr = spec.b_addr;
	vnic::CreateRequest req;
	req.name = p.a;
	req.peer = p.b;
	req.netns = p.ns_a;
	req.peer_netns = p.ns_b;
	req.settings.queues = spec.queues;
	req.settings.mode = spec.mode;
	req.settings.rx_ring = spec.rx_ring;
	vnic::Client().create(req);
	// The devices die with their namespaces; deleting them first makes
	// the order explicit (NAPI and IRQs gone before the namespace).
	const std::string ns_a = p.ns_a, a = p.a;
	cleanup_.push("delete ntvnic " + a, [ns_a, a] {
		NetnsScope in(ns_a);
		vnic::Client().remove(a);
	});
	if (spec.rx_usecs || spec.rx_frames) {
		vnic::Settings s;
		s.rx_usecs = spec.rx_usecs;
		s.rx_frames = spec.rx_frames;
		vnic_set(p.ns_b, p.b, s);
	}
	must_run({"ip", "-n", p.ns_a, "addr", "add", p.a_addr + "/24", "dev", p.a});
	must_run({"ip", "-n", p.ns_b, "addr", "add", p.b_addr + "/24", "dev", p.b});
	must_run({"ip", "-n", p.ns_a, "link", "set", p.a, "up"});
	must_run({"ip", "-n", p.ns_b, "link", "set", p.b, "up"});
	auto cols =
		split_whitespace(must_run({"ip", "-n", p.ns_b, "-br", "link", "show", "dev", p.b}));
	if (cols.size() < 3)
		throw Error("cannot read the MAC address of " + p.b);
	p.b_mac = cols[2];
	must_run({"ip", "-n", p.ns_a, "neigh", "replace", p.b_addr, "lladdr", p.b_mac, "dev", p.a,
		  "nud", "permanent"});
	return p;
}

void Lab::vnic_set(const std::string &netns, const std::string &dev, const vnic::Settings &s)
{
	NetnsScope in(netns);
	vnic::Client().change(dev, s);
}

unsigned Lab::queue_irq(const std::string &netns, const std::string &dev, unsigned q,
			vnic::IrqDir dir)
{
	vnic::DeviceInfo info;
	{
		NetnsScope in(netns);
		info = vnic::Client().get(dev);
	}
	for (const auto &qi : info.queue_list) {
		if (qi.index != q)
			continue;
		auto irq = dir == vnic::IrqDir::rx ? qi.rx_irq : qi.tx_irq;
		if (irq)
			return *irq;
	}
	throw Error(dev + ": no IRQ reported for queue " + std::to_string(q));
}

void Lab::pin_irq(unsigned irq, int cpu)
{
	const std::string path = "/proc/irq/" + std::to_string(irq) + "/smp_affinity_list";
	const std::string old = read_line(path);
	write_file(path, std::to_string(cpu));
	cleanup_.push("restore " + path, [path, old] {
		if (access(path.c_str(), F_OK) == 0)
			write_file_errno(path, old);
	});
}

void Lab::set_sysctl(const std::string &netns, const std::string &key, const std::string &value)
{
	const std::string old = read_sysctl(netns, key);
	write_sysctl(netns, key, value);
	cleanup_.push("restore sysctl " + key + "=" + old, [netns, key, old] {
		if (netns.empty() || access(("/run/netns/" + netns).c_str(), F_OK) == 0)
			write_sysctl(netns, key, old);
	});
}

std::string Lab::exec(const std::string &netns, const std::vector<std::string> &args)
{
	std::vector<std::string> argv;
	if (!netns.empty())
		argv = {"ip", "netns", "exec", netns};
	argv.insert(argv.end(), args.begin(), args.end());
	return must_run(argv);
}

} // namespace nettune::exp
