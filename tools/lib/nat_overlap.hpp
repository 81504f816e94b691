// Bypass rules versus the namespace's NAT rules. An untracked packet skips
// NAT entirely, so a bypass rule that can match a packet some NAT rule
// would translate silently breaks that NAT: `nettune bypass add/load`
// warns about it (and still applies the rule).
//
// NAT rules are read from `nft -j list ruleset` (every rule with a
// dnat/snat/masquerade/redirect statement) and from `iptables-save -t nat`
// / `ip6tables-save -t nat` (every rule jumping to DNAT, SNAT, MASQUERADE,
// REDIRECT or NETMAP). A match this code does not understand, or a negated
// one, is treated as "could match anything": the check errs on the side of
// warning.
#pragma once
#include "bypass_rule.hpp"

#include <optional>
#include <string>
#include <vector>

namespace nettune::bypass {

struct NatRule {
	int family = 0; // AF_INET, AF_INET6, 0 = both (nft inet)
	std::optional<uint8_t> proto;
	std::vector<PortRange> sports; // empty: any port
	std::vector<PortRange> dports;
	std::optional<Prefix> src;
	std::optional<Prefix> dst;
	std::string iif; // may end in '+' (iptables wildcard) or '*' (nft)
	std::string oif;
	std::string origin; // where it came from, for the warning text
};

// `iptables-save -t nat` (family AF_INET) or `ip6tables-save -t nat`
// (AF_INET6) output; `tool` names the source in NatRule::origin.
std::vector<NatRule> parse_iptables_save(const std::string &text, int family,
					 const std::string &tool);
// `nft -j list ruleset` output. Rules holding iptables-nft "xt" expressions
// are skipped: iptables-save reports those. Throws Error on invalid JSON.
std::vector<NatRule> parse_nft_json(const std::string &text);

// True if some packet could match both (one direction of the bypass rule).
bool could_overlap(const Rule &direction, const NatRule &nat);

// One line per overlapping pair: "bypass rule '...' overlaps NAT rule ...".
std::vector<std::string> overlap_warnings(const std::vector<Rule> &rules,
					  const std::vector<NatRule> &nat);

// Runs nft / iptables-save / ip6tables-save in the current namespace; a
// tool that is missing or fails contributes nothing.
std::vector<NatRule> read_namespace_nat_rules();

} // namespace nettune::bypass
