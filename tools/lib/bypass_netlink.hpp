// Talking to ntbypass.ko over its generic netlink family "ntbypass"
// (kmod/include/uapi/linux/ntbypass.h), in the caller's network namespace.
#pragma once
#include "bypass_rule.hpp"
#include "genl.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nettune::bypass {

struct Counters {
	uint64_t packets = 0;
	uint64_t bytes = 0;
	uint64_t reply_packets = 0; // matched by the `both` mirror
	uint64_t reply_bytes = 0;
};

struct RuleEntry {
	uint32_t id = 0;
	Rule rule;
	Counters counters;
};

struct Status {
	uint32_t rule_count = 0;
	bool hooked = false;
	uint64_t packets = 0; // everything bypassed in the namespace
	uint64_t bytes = 0;
	// rules the kernel dropped because a device they named (iif/oif) was
	// unregistered; nullopt from a module without the attribute
	std::optional<uint32_t> dev_gone_rules;
};

class Client {
public:
	Client();

	RuleEntry add(const Rule &rule);
	void del(uint32_t id);
	void del(const Rule &rule);
	// Atomic replace of the whole set; an empty set is a flush.
	void replace(const std::vector<Rule> &rules);
	void flush();
	std::vector<RuleEntry> list();
	Status status();

private:
	GenlSocket sock_;
};

// Attribute encoding, exposed for tests.
void put_rule(nl_msg *msg, const Rule &rule);
RuleEntry rule_from_attrs(const GenlAttrs &attrs);
// REPLACE's payload: one NTBYPASS_A_RULES nest, or, when that would pass the
// 64 KiB a nest can hold, NTBYPASS_A_RULE nests repeated at top level.
// Not for an empty set (libnl drops empty nests): Client::replace flushes.
void put_rule_set(nl_msg *msg, const std::vector<Rule> &rules);

} // namespace nettune::bypass
