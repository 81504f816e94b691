#include "bypass_netlink.hpp"

#include "error.hpp"

#include <net/if.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <uapi/linux/ntbypass.h>

namespace nettune::bypass {

namespace {

size_t address_bytes(int family)
{
	return family == AF_INET ? 4 : 16;
}

void put_ports(nl_msg *msg, const PortRange &r, int min_attr, int max_attr)
{
	nla_put_u16(msg, min_attr, r.lo);
	if (r.hi != r.lo)
		nla_put_u16(msg, max_attr, r.hi);
}

void put_prefix(nl_msg *msg, const Prefix &p, int addr_attr, int plen_attr)
{
	nla_put(msg, addr_attr, int(address_bytes(p.family)), p.addr.data());
	nla_put_u8(msg, plen_attr, p.len);
}

std::optional<PortRange> ports_from(const GenlAttrs &a, int min_attr, int max_attr)
{
	if (!a.has(min_attr))
		return std::nullopt;
	uint16_t lo = a.u16(min_attr);
	return PortRange{lo, a.has(max_attr) ? a.u16(max_attr) : lo};
}

std::optional<Prefix> prefix_from(const GenlAttrs &a, int family, int addr_attr, int plen_attr)
{
	if (!a.has(addr_attr))
		return std::nullopt;
	auto bytes = a.bytes(addr_attr);
	if (bytes.size() != address_bytes(family))
		throw Error("kernel reply has a " + std::to_string(bytes.size()) +
			    "-byte address for family " + std::to_string(family));
	Prefix p;
	p.family = family;
	std::copy(bytes.begin(), bytes.end(), p.addr.begin());
	p.len = a.has(plen_attr) ? a.u8(plen_attr) : uint8_t(bytes.size() * 8);
	return p;
}

std::string ifname_from(const GenlAttrs &a, int name_attr, int index_attr)
{
	if (a.has(name_attr))
		return a.str(name_attr);
	if (!a.has(index_attr))
		return "";
	char buf[IF_NAMESIZE] = {};
	uint32_t index = a.u32(index_attr);
	return if_indextoname(index, buf) ? buf : "if" + std::to_string(index);
}

uint64_t u64_or_zero(const GenlAttrs &a, int attr)
{
	return a.has(attr) ? a.u64(attr) : 0;
}

} // namespace

void put_rule(nl_msg *msg, const Rule &r)
{
	if (int fam = r.family())
		nla_put_u8(msg, NTBYPASS_A_FAMILY, uint8_t(fam));
	if (r.proto)
		nla_put_u8(msg, NTBYPASS_A_PROTO, *r.proto);
	if (r.sport)
		put_ports(msg, *r.sport, NTBYPASS_A_SPORT_MIN, NTBYPASS_A_SPORT_MAX);
	if (r.dport)
		put_ports(msg, *r.dport, NTBYPASS_A_DPORT_MIN, NTBYPASS_A_DPORT_MAX);
	if (r.src)
		put_prefix(msg, *r.src, NTBYPASS_A_SRC_ADDR, NTBYPASS_A_SRC_PLEN);
	if (r.dst)
		put_prefix(msg, *r.dst, NTBYPASS_A_DST_ADDR, NTBYPASS_A_DST_PLEN);
	if (!r.iif.empty())
		nla_put_string(msg, NTBYPASS_A_IIFNAME, r.iif.c_str());
	if (!r.oif.empty())
		nla_put_string(msg, NTBYPASS_A_OIFNAME, r.oif.c_str());
	if (r.both)
		nla_put_u32(msg, NTBYPASS_A_FLAGS, NTBYPASS_F_BOTH);
}

RuleEntry rule_from_attrs(const GenlAttrs &a)
{
	RuleEntry e;
	e.id = a.has(NTBYPASS_A_RULE_ID) ? a.u32(NTBYPASS_A_RULE_ID) : 0;
	Rule &r = e.rule;
	int family = a.has(NTBYPASS_A_FAMILY) ? a.u8(NTBYPASS_A_FAMILY) : 0;
	if (a.has(NTBYPASS_A_PROTO))
		r.proto = a.u8(NTBYPASS_A_PROTO);
	r.sport = ports_from(a, NTBYPASS_A_SPORT_MIN, NTBYPASS_A_SPORT_MAX);
	r.dport = ports_from(a, NTBYPASS_A_DPORT_MIN, NTBYPASS_A_DPORT_MAX);
	r.src = prefix_from(a, family, NTBYPASS_A_SRC_ADDR, NTBYPASS_A_SRC_PLEN);
	r.dst = prefix_from(a, family, NTBYPASS_A_DST_ADDR, NTBYPASS_A_DST_PLEN);
	r.iif = ifname_from(a, NTBYPASS_A_IIFNAME, NTBYPASS_A_IIF);
	r.oif = ifname_from(a, NTBYPASS_A_OIFNAME, NTBYPASS_A_OIF);
	r.both = a.has(NTBYPASS_A_FLAGS) && (a.u32(NTBYPASS_A_FLAGS) & NTBYPASS_F_BOTH);
	e.counters = {u64_or_zero(a, NTBYPASS_A_PACKETS), u64_or_zero(a, NTBYPASS_A_BYTES),
		      u64_or_zero(a, NTBYPASS_A_MIRROR_PACKETS),
		      u64_or_zero(a, NTBYPASS_A_MIRROR_BYTES)};
	return e;
}

Client::Client() : sock_(NTBYPASS_GENL_NAME, "ntbypass") {}

RuleEntry Client::add(const Rule &rule)
{
	auto msg = sock_.message(NTBYPASS_CMD_ADD);
	put_rule(msg.get(), rule);
	RuleEntry added;
	sock_.request_with_reply(msg, "add " + format_rule(rule), NTBYPASS_A_MAX,
				 [&added](const GenlAttrs &a) { added = rule_from_attrs(a); });
	return added;
}

void Client::del(uint32_t id)
{
	auto msg = sock_.message(NTBYPASS_CMD_DEL);
	nla_put_u32(msg.get(), NTBYPASS_A_RULE_ID, id);
	sock_.request(msg, "delete rule " + std::to_string(id));
}

void Client::del(const Rule &rule)
{
	auto msg = sock_.message(NTBYPASS_CMD_DEL);
	put_rule(msg.get(), rule);
	sock_.request(msg, "delete " + format_rule(rule));
}

namespace {

constexpr size_t kMaxNestLen = 0xffff; // nlattr.nla_len is 16 bits

void put_rule_nests(nl_msg *msg, const std::vector<Rule> &rules)
{
	for (const auto &r : rules) {
		nlattr *one = nla_nest_start(msg, NTBYPASS_A_RULE);
		put_rule(msg, r);
		nla_nest_end(msg, one);
	}
}

} // namespace

void put_rule_set(nl_msg *msg, const std::vector<Rule> &rules)
{
	nlattr *set = nla_nest_start(msg, NTBYPASS_A_RULES);
	put_rule_nests(msg, rules);
	auto len = size_t(static_cast<char *>(nlmsg_tail(nlmsg_hdr(msg))) -
			  reinterpret_cast<char *>(set));
	if (len <= kMaxNestLen) {
		nla_nest_end(msg, set);
		return;
	}
	nla_nest_cancel(msg, set);
	put_rule_nests(msg, rules);
}

void Client::replace(const std::vector<Rule> &rules)
{
	// libnl drops an empty nest, and REPLACE without rules is refused:
	// an empty set is a flush.
	if (rules.empty()) {
		flush();
		return;
	}
	// About 100 bytes per rule at most; keep a page of slack for headers.
	sock_.set_buffer_size(int(std::max<size_t>(rules.size() * 128 + 4096, 32768)));
	auto msg = sock_.message(NTBYPASS_CMD_REPLACE);
	put_rule_set(msg.get(), rules);
	sock_.request(msg, "replace rule set");
}

void Client::flush()
{
	auto msg = sock_.message(NTBYPASS_CMD_FLUSH);
	sock_.request(msg, "flush");
}

std::vector<RuleEntry> Client::list()
{
	std::vector<RuleEntry> out;
	sock_.dump(
		sock_.message(NTBYPASS_CMD_GET), NTBYPASS_A_MAX,
		[&out](const GenlAttrs &a) { out.push_back(rule_from_attrs(a)); }, "list rules");
	return out;
}

Status Client::status()
{
	Status s;
	auto msg = sock_.message(NTBYPASS_CMD_STATUS);
	sock_.request_with_reply(msg, "status", NTBYPASS_A_MAX, [&s](const GenlAttrs &a) {
		s.rule_count = a.has(NTBYPASS_A_RULE_COUNT) ? a.u32(NTBYPASS_A_RULE_COUNT) : 0;
		s.hooked = a.has(NTBYPASS_A_HOOKED) && a.u8(NTBYPASS_A_HOOKED);
		s.packets = u64_or_zero(a, NTBYPASS_A_PACKETS);
		s.bytes = u64_or_zero(a, NTBYPASS_A_BYTES);
		if (a.has(NTBYPASS_A_DEV_GONE_RULES))
			s.dev_gone_rules = a.u32(NTBYPASS_A_DEV_GONE_RULES);
	});
	return s;
}

} // namespace nettune::bypass
