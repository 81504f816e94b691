// ntbypass rules in userspace: the grammar shared by `nettune bypass add`,
// `del SPEC` and rule files, its validation, and the canonical text form.
//
//   proto tcp|udp|sctp|dccp|udplite|icmp|icmpv6|N   sport P[-Q]   dport P[-Q]
//   src PREFIX   dst PREFIX   iif DEV   oif DEV   both
//
// A prefix is IPv4 or IPv6; a bare address means /32 or /128. A prefix with
// bits set past its length is refused (the message gives the network it
// probably meant) rather than silently normalised: 10.1.2.3/8 is more often
// a typo for 10.1.2.3/32 than a wish for 10.0.0.0/8.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nettune::bypass {

struct PortRange {
	uint16_t lo = 0;
	uint16_t hi = 0;
	bool operator==(const PortRange &) const = default;
};

struct Prefix {
	int family = 0; // AF_INET or AF_INET6
	std::array<uint8_t, 16> addr{};
	uint8_t len = 0;
	bool operator==(const Prefix &) const = default;
};

struct Rule {
	std::optional<uint8_t> proto;
	std::optional<PortRange> sport;
	std::optional<PortRange> dport;
	std::optional<Prefix> src;
	std::optional<Prefix> dst;
	std::string iif;
	std::string oif;
	bool both = false;

	bool operator==(const Rule &) const = default;
	// Address family the rule is limited to (AF_INET/AF_INET6), 0 if any.
	int family() const;
};

// Parses one rule from its words; throws UsageError naming the bad word.
Rule parse_rule(const std::vector<std::string> &words);
// Canonical text, parseable by parse_rule: "proto tcp dport 80 both".
std::string format_rule(const Rule &rule);
// The reply direction: sport<->dport, src<->dst; no iif/oif (as in the
// kernel: a reply may arrive on any device); `both` cleared.
Rule mirror(const Rule &rule);
// Every direction the rule matches: itself, plus its mirror with `both`.
std::vector<Rule> directions(const Rule &rule);

// A rule file: one rule per line, `#` starts a comment, blank lines ignored.
// Throws UsageError "NAME:LINE: message" for the first bad line; nothing of
// the file is returned then. Two lines with the same rule are refused.
struct FileRule {
	Rule rule;
	int line = 0;
};
std::vector<FileRule> parse_rule_file(const std::string &text, const std::string &name);

// Pieces, exposed for tests and the NAT overlap check.
uint8_t parse_proto(const std::string &word);
std::string proto_name(uint8_t proto);
bool proto_has_ports(uint8_t proto);
PortRange parse_port_range(const std::string &word, const std::string &keyword);
Prefix parse_prefix(const std::string &word, const std::string &keyword);
std::string format_prefix(const Prefix &p);
std::string format_ports(const PortRange &r);
bool prefixes_overlap(const Prefix &a, const Prefix &b);
bool ranges_overlap(const PortRange &a, const PortRange &b);

} // namespace nettune::bypass
