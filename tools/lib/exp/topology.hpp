// What an experiment builds and changes, each change undone through the
// experiment's CleanupStack: network namespaces, ntvnic pairs between
// them, sysctls, IRQ affinities, ethtool settings.
#pragma once
#include "cleanup.hpp"
#include "vnic.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace nettune::exp {

// An ntvnic pair: `a` in namespace A (the sender), `b` in B (the receiver).
struct PairSpec {
	uint32_t queues = 1;
	vnic::Mode mode = vnic::Mode::napi;
	std::optional<uint32_t> rx_ring;
	std::optional<uint32_t> rx_usecs, rx_frames;
	std::string a_addr = "10.79.0.1", b_addr = "10.79.0.2";
	std::string tag; // namespaces "<tag>a" and "<tag>b": several pairs in one lab
};

struct Pair {
	std::string ns_a, ns_b; // namespace names
	std::string a, b;       // device names
	std::string a_addr, b_addr, b_mac;
};

class Lab {
public:
	// `tag` (the experiment's name) goes into namespace names, with the
	// runner's pid so that two runs never collide.
	Lab(CleanupStack &cleanup, const std::string &tag);

	// A new namespace with lo up, deleted at cleanup.
	std::string netns(const std::string &role);
	// Two namespaces and an ntvnic pair between them, addressed (/24), up,
	// with a permanent neighbour entry in A for B (pktgen needs none, ping
	// and sockets then need no ARP).
	Pair vnic_pair(const PairSpec &spec);
	// ntvnic settings (as nettune vnic set) on a device in a namespace.
	void vnic_set(const std::string &netns, const std::string &dev, const vnic::Settings &s);
	// The IRQ of queue `q` of `dev` (ntvnic's genl view); throws Error.
	unsigned queue_irq(const std::string &netns, const std::string &dev, unsigned q,
			   vnic::IrqDir dir = vnic::IrqDir::rx);
	// smp_affinity_list of an IRQ; the old value is restored if the IRQ
	// still exists at cleanup.
	void pin_irq(unsigned irq, int cpu);
	// A sysctl ("net.core.netdev_budget") as seen from NETNS ("" = the
	// runner's own), restored at cleanup.
	void set_sysctl(const std::string &netns, const std::string &key, const std::string &value);
	// Runs `ip netns exec NETNS ARGS...` (or ARGS alone for ""); throws.
	std::string exec(const std::string &netns, const std::vector<std::string> &args);
	CleanupStack &cleanup() { return cleanup_; }

private:
	CleanupStack &cleanup_;
	std::string prefix_;
};

// Reads a sysctl as NETNS sees it; throws Error naming it.
std::string read_sysctl(const std::string &netns, const std::string &key);
// Writes one; throws Error naming it and the errno the kernel returned.
void write_sysctl(const std::string &netns, const std::string &key, const std::string &value);

} // namespace nettune::exp
