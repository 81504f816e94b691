// Packet filters and connection tracking for experiments, each change
// undone through the experiment's CleanupStack: conntrack switched on in a
// namespace, iptables and nft rules, ntbypass rules, the nettune xdp filter,
// and conntrack's own counters and table.
#pragma once
#include "topology.hpp"
#include "xdp_filter.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace nettune::exp {

// An nft table with one base chain of type filter and its rules (each rule
// one string of nft words). Deleted at cleanup.
struct NftChain {
	std::string family = "ip";
	std::string table, chain;
	std::string hook;     // "prerouting", "input", ...
	std::string priority; // "raw", "filter", "-300", ...
	std::vector<std::string> rules;
};
void add_nft_chain(Lab &lab, const std::string &netns, const NftChain &c);

// Conntrack on in NETNS: conntrack registers its hooks in a namespace only
// once a rule needs them, so this adds an nft table "ntx_ct" whose input
// chain drops "ct state invalid" (as a stateful firewall would).
void enable_conntrack(Lab &lab, const std::string &netns);

// `iptables -t TABLE -A CHAIN RULE...` in NETNS, deleted (-D) at cleanup.
void add_iptables_rule(Lab &lab, const std::string &netns, const std::string &table,
		       const std::string &chain, const std::vector<std::string> &rule);

// An ntbypass rule ("proto udp dport 9 both") in NETNS, deleted at cleanup.
// Throws Error if ntbypass.ko is not loaded.
void add_bypass_rule(Lab &lab, const std::string &netns, const std::string &rule);

// nettune xdp attached to DEV in NETNS in `mode`, denying PROTO PORT
// (IPPROTO_UDP/IPPROTO_TCP); detached and its bpffs pins removed at cleanup.
void xdp_deny_port(Lab &lab, const std::string &netns, const std::string &dev, xdp::Mode mode,
		   uint8_t proto, uint16_t port);

// /proc/net/stat/nf_conntrack of NETNS summed over CPUs ("drop",
// "early_drop", "insert_failed", ...); empty if conntrack is not loaded.
std::map<std::string, uint64_t> conntrack_stats(const std::string &netns);
// net.netfilter.nf_conntrack_count of NETNS (0 if conntrack is not loaded).
uint64_t conntrack_entries(const std::string &netns);
// `conntrack -F` in NETNS: empties the namespace's table.
void flush_conntrack(const std::string &netns);

// Lines of the kernel log (dmesg) that contain `needle`.
size_t kernel_log_count(const std::string &needle);

} // namespace nettune::exp
