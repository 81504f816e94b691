// Names for what the trace programs report as numbers: a device's ifindex
// in some network namespace, that namespace's inode, protocols, flows.
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>

namespace nettune::trace {

// Inode of this thread's network namespace (/proc/thread-self/ns/net).
uint32_t current_netns_inode();

// Resolves (ifindex, netns inode) to names. The current namespace is
// asked directly; another one is found among /run/netns/* (ip netns,
// looked at again for an inode not seen there yet: namespaces made while
// a trace runs) and asked from a thread that joins it. Results are cached.
class DeviceNames {
public:
	DeviceNames();
	// "nt1", or "if5@4026532288" when the device or namespace is not found;
	// "-" for ifindex 0.
	std::string device(uint32_t ifindex, uint32_t netns);
	// "b" (its /run/netns name), "-" for this namespace and 0,
	// else "net:[4026532288]".
	std::string netns(uint32_t inode) const;

private:
	void scan_run_netns() const;
	std::map<uint32_t, std::string>::const_iterator find_netns(uint32_t inode) const;

	uint32_t self_;
	mutable std::map<uint32_t, std::string> netns_names_; // inode -> ip netns name
	mutable std::set<uint32_t> rescanned_for_;            // inodes looked for again
	std::map<std::pair<uint32_t, uint32_t>, std::string> cache_;
};

// "ipv4", "ipv6", "arp", or "0x88cc"
std::string l3_name(uint16_t ethertype);
// "tcp", "udp", "icmp", "icmp6", or the number; "" for 0
std::string l4_name(uint8_t proto);
// "ipv4/udp"
std::string protocol_name(uint16_t ethertype, uint8_t l4proto);
// "10.0.0.1:80", "[fd00::1]:80"
std::string endpoint(uint16_t family, const uint8_t *addr, uint16_t port);

} // namespace nettune::trace
