#include "trace_names.hpp"

#include "sysfs.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace nettune::trace {

namespace {

uint32_t inode_of(const std::string &path)
{
	struct stat st {};
	if (stat(path.c_str(), &st) != 0)
		return 0;
	return static_cast<uint32_t>(st.st_ino);
}

std::string index_to_name(uint32_t ifindex)
{
	char name[IF_NAMESIZE] = {};
	if (!if_indextoname(ifindex, name))
		return "";
	return name;
}

// if_indextoname() inside another namespace: a thread joins it (setns
// changes only the calling thread) and asks there.
std::string index_to_name_in(const std::string &netns_path, uint32_t ifindex)
{
	std::string result;
	std::thread t([&] {
		int fd = open(netns_path.c_str(), O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return;
		if (setns(fd, CLONE_NEWNET) == 0)
			result = index_to_name(ifindex);
		close(fd);
	});
	t.join();
	return result;
}

} // namespace

uint32_t current_netns_inode()
{
	return inode_of("/proc/thread-self/ns/net");
}

DeviceNames::DeviceNames() : self_(current_netns_inode())
{
	scan_run_netns();
}

void DeviceNames::scan_run_netns() const
{
	for (const auto &name : list_dir("/run/netns")) {
		uint32_t ino = inode_of("/run/netns/" + name);
		if (ino)
			netns_names_.emplace(ino, name);
	}
}

// A namespace created after the trace started (or after the last look)
// is found by looking again, once per unknown inode.
std::map<uint32_t, std::string>::const_iterator DeviceNames::find_netns(uint32_t inode) const
{
	auto ns = netns_names_.find(inode);
	if (ns == netns_names_.end() && rescanned_for_.insert(inode).second) {
		scan_run_netns();
		ns = netns_names_.find(inode);
	}
	return ns;
}

std::string DeviceNames::device(uint32_t ifindex, uint32_t netns)
{
	if (ifindex == 0)
		return "-";
	auto key = std::make_pair(ifindex, netns);
	auto hit = cache_.find(key);
	if (hit != cache_.end())
		return hit->second;
	std::string name;
	if (netns == self_ || netns == 0) {
		name = index_to_name(ifindex);
	} else {
		auto ns = find_netns(netns);
		if (ns != netns_names_.end())
			name = index_to_name_in("/run/netns/" + ns->second, ifindex);
	}
	if (name.empty())
		name = fmt::format("if{}@{}", ifindex, netns);
	cache_.emplace(key, name);
	return name;
}

std::string DeviceNames::netns(uint32_t inode) const
{
	if (inode == 0 || inode == self_)
		return "-";
	auto ns = find_netns(inode);
	if (ns != netns_names_.end())
		return ns->second;
	return fmt::format("net:[{}]", inode);
}

std::string l3_name(uint16_t ethertype)
{
	switch (ethertype) {
	case 0x0800:
		return "ipv4";
	case 0x86dd:
		return "ipv6";
	case 0x0806:
		return "arp";
	case 0:
		return "-";
	}
	return fmt::format("{:#06x}", ethertype);
}

std::string l4_name(uint8_t proto)
{
	switch (proto) {
	case 0:
		return "";
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "icmp6";
	}
	return std::to_string(proto);
}

std::string protocol_name(uint16_t ethertype, uint8_t l4proto)
{
	std::string l3 = l3_name(ethertype), l4 = l4_name(l4proto);
	return l4.empty() ? l3 : l3 + "/" + l4;
}

std::string endpoint(uint16_t family, const uint8_t *addr, uint16_t port)
{
	char buf[INET6_ADDRSTRLEN] = "?";
	if (family == AF_INET6) {
		inet_ntop(AF_INET6, addr, buf, sizeof(buf));
		return fmt::format("[{}]:{}", buf, port);
	}
	inet_ntop(AF_INET, addr, buf, sizeof(buf));
	return fmt::format("{}:{}", buf, port);
}

} // namespace nettune::trace
