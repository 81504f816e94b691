#include "bypass_rule.hpp"

#include "error.hpp"
#include "keywords.hpp"
#include "sysfs.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <map>
#include <netinet/in.h>
#include <sys/socket.h>

namespace nettune::bypass {

namespace {

constexpr size_t kIfNameMax = 15; // IFNAMSIZ - 1

struct ProtoName {
	const char *name;
	uint8_t number;
};

constexpr ProtoName kProtoNames[] = {
	{"icmp", IPPROTO_ICMP},     {"tcp", IPPROTO_TCP},          {"udp", IPPROTO_UDP},
	{"icmpv6", IPPROTO_ICMPV6}, {"ipv6-icmp", IPPROTO_ICMPV6}, {"sctp", IPPROTO_SCTP},
	{"dccp", IPPROTO_DCCP},     {"udplite", IPPROTO_UDPLITE},
};

int address_bits(int family)
{
	return family == AF_INET ? 32 : 128;
}

// Clears every bit past `len`; returns true if one was set.
bool clear_host_bits(Prefix &p)
{
	bool was_set = false;
	int bytes = address_bits(p.family) / 8;
	for (int i = 0; i < bytes; i++) {
		int keep = std::clamp(int(p.len) - i * 8, 0, 8);
		auto mask = uint8_t(keep == 0 ? 0 : 0xff << (8 - keep));
		was_set |= (p.addr[i] & ~mask) != 0;
		p.addr[i] &= mask;
	}
	return was_set;
}

uint8_t parse_prefix_len(const std::string &text, int family, const std::string &keyword)
{
	auto max = uint64_t(address_bits(family));
	const char *fam = family == AF_INET ? "IPv4" : "IPv6";
	try {
		return uint8_t(parse_uint(text, 0, max, keyword));
	} catch (const UsageError &) {
		throw UsageError(keyword + ": prefix length '" + text + "' is not in [0, " +
				 std::to_string(max) + "] for " + fam);
	}
}

uint16_t parse_port(const std::string &text, const std::string &keyword)
{
	try {
		return uint16_t(parse_uint(text, 1, 65535, keyword));
	} catch (const UsageError &) {
		throw UsageError(keyword + ": port '" + text + "' is not in [1, 65535]");
	}
}

void check_ifname(const std::string &name, const std::string &keyword)
{
	bool bad_char = name.find_first_of("/ \t:") != std::string::npos;
	if (name.empty() || name.size() > kIfNameMax || bad_char || name == "." || name == "..")
		throw UsageError(keyword + ": '" + name + "' is not a valid interface name");
}

void check_ports_allowed(const Rule &r)
{
	const char *word = r.sport ? "sport" : "dport";
	if ((r.sport || r.dport) && !(r.proto && proto_has_ports(*r.proto)))
		throw UsageError(std::string(word) +
				 ": ports need proto tcp, udp, sctp, dccp or udplite");
}

void check_families(const Rule &r)
{
	if (r.src && r.dst && r.src->family != r.dst->family)
		throw UsageError("dst: " + format_prefix(*r.dst) +
				 " is not the same address family as src " + format_prefix(*r.src));
	int fam = r.family();
	if (r.proto == IPPROTO_ICMP && fam == AF_INET6)
		throw UsageError("proto: icmp never matches IPv6 (use icmpv6)");
	if (r.proto == IPPROTO_ICMPV6 && fam == AF_INET)
		throw UsageError("proto: icmpv6 never matches IPv4 (use icmp)");
}

void check_rule(const Rule &r)
{
	if (!r.proto && !r.sport && !r.dport && !r.src && !r.dst && r.iif.empty() && r.oif.empty())
		throw UsageError("empty rule: give at least one of proto, sport, dport, src, dst, "
				 "iif, oif");
	check_ports_allowed(r);
	check_families(r);
	if (!r.iif.empty() && !r.oif.empty())
		throw UsageError("oif: a rule with both iif and oif never matches (PRE_ROUTING "
				 "has no output device, LOCAL_OUT no input device)");
}

std::string strip_comment(const std::string &line)
{
	return trim(line.substr(0, line.find('#')));
}

} // namespace

int Rule::family() const
{
	if (src)
		return src->family;
	if (dst)
		return dst->family;
	return 0;
}

uint8_t parse_proto(const std::string &word)
{
	for (const auto &p : kProtoNames)
		if (word == p.name)
			return p.number;
	try {
		return uint8_t(parse_uint(word, 1, 255, "proto"));
	} catch (const UsageError &) {
		throw UsageError(
			"proto: '" + word +
			"' is not a protocol name (tcp udp sctp dccp udplite icmp icmpv6) or "
			"a number in [1, 255]");
	}
}

std::string proto_name(uint8_t proto)
{
	for (const auto &p : kProtoNames)
		if (p.number == proto)
			return p.name;
	return std::to_string(proto);
}

bool proto_has_ports(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP ||
	       proto == IPPROTO_DCCP || proto == IPPROTO_UDPLITE;
}

PortRange parse_port_range(const std::string &word, const std::string &keyword)
{
	auto dash = word.find('-');
	if (dash == std::string::npos) {
		uint16_t p = parse_port(word, keyword);
		return {p, p};
	}
	PortRange r{parse_port(word.substr(0, dash), keyword),
		    parse_port(word.substr(dash + 1), keyword)};
	if (r.lo > r.hi)
		throw UsageError(keyword + ": range '" + word + "' is upside down (low-high)");
	return r;
}

Prefix parse_prefix(const std::string &word, const std::string &keyword)
{
	auto slash = word.find('/');
	std::string addr = word.substr(0, slash);
	Prefix p;
	if (inet_pton(AF_INET, addr.c_str(), p.addr.data()) == 1)
		p.family = AF_INET;
	else if (inet_pton(AF_INET6, addr.c_str(), p.addr.data()) == 1)
		p.family = AF_INET6;
	else
		throw UsageError(keyword + ": '" + addr + "' is not an IPv4 or IPv6 address");
	p.len = slash == std::string::npos
			? uint8_t(address_bits(p.family))
			: parse_prefix_len(word.substr(slash + 1), p.family, keyword);
	Prefix network = p;
	if (clear_host_bits(network))
		throw UsageError(keyword + ": '" + word + "' has bits set past /" +
				 std::to_string(p.len) + " (the network is " +
				 format_prefix(network) + ")");
	return p;
}

std::string format_prefix(const Prefix &p)
{
	char buf[INET6_ADDRSTRLEN] = {};
	inet_ntop(p.family, p.addr.data(), buf, sizeof(buf));
	return std::string(buf) + "/" + std::to_string(p.len);
}

std::string format_ports(const PortRange &r)
{
	if (r.lo == r.hi)
		return std::to_string(r.lo);
	return std::to_string(r.lo) + "-" + std::to_string(r.hi);
}

bool prefixes_overlap(const Prefix &a, const Prefix &b)
{
	if (a.family != b.family)
		return false;
	Prefix shorter = a.len <= b.len ? a : b;
	Prefix longer = a.len <= b.len ? b : a;
	longer.len = shorter.len;
	clear_host_bits(longer);
	return longer.addr == shorter.addr;
}

bool ranges_overlap(const PortRange &a, const PortRange &b)
{
	return a.lo <= b.hi && b.lo <= a.hi;
}

Rule parse_rule(const std::vector<std::string> &words)
{
	KeywordArgs k({"proto", "sport", "dport", "src", "dst", "iif", "oif"}, {"both"});
	k.parse(words);
	Rule r;
	if (auto v = k.get("proto"))
		r.proto = parse_proto(*v);
	if (auto v = k.get("sport"))
		r.sport = parse_port_range(*v, "sport");
	if (auto v = k.get("dport"))
		r.dport = parse_port_range(*v, "dport");
	if (auto v = k.get("src"))
		r.src = parse_prefix(*v, "src");
	if (auto v = k.get("dst"))
		r.dst = parse_prefix(*v, "dst");
	for (const char *kw : {"iif", "oif"})
		if (auto v = k.get(kw))
			check_ifname(*v, kw);
	r.iif = k.get("iif").value_or("");
	r.oif = k.get("oif").value_or("");
	r.both = k.has("both");
	check_rule(r);
	return r;
}

std::string format_rule(const Rule &r)
{
	std::string out;
	auto add = [&out](const std::string &kw, const std::string &v) {
		out += (out.empty() ? "" : " ") + kw + (v.empty() ? "" : " " + v);
	};
	if (r.proto)
		add("proto", proto_name(*r.proto));
	if (r.sport)
		add("sport", format_ports(*r.sport));
	if (r.dport)
		add("dport", format_ports(*r.dport));
	if (r.src)
		add("src", format_prefix(*r.src));
	if (r.dst)
		add("dst", format_prefix(*r.dst));
	if (!r.iif.empty())
		add("iif", r.iif);
	if (!r.oif.empty())
		add("oif", r.oif);
	if (r.both)
		add("both", "");
	return out;
}

Rule mirror(const Rule &r)
{
	Rule m = r;
	std::swap(m.sport, m.dport);
	std::swap(m.src, m.dst);
	// As the kernel does: the mirror keeps no interface criteria, since a
	// forwarded reply arrives on a device the rule cannot name.
	m.iif.clear();
	m.oif.clear();
	m.both = false;
	return m;
}

std::vector<Rule> directions(const Rule &r)
{
	Rule forward = r;
	forward.both = false;
	if (!r.both)
		return {forward};
	return {forward, mirror(r)};
}

std::vector<FileRule> parse_rule_file(const std::string &text, const std::string &name)
{
	std::vector<FileRule> rules;
	std::map<std::string, int> seen; // canonical text -> line
	auto lines = split(text, '\n');
	for (size_t i = 0; i < lines.size(); i++) {
		int line = int(i) + 1;
		auto words = split_whitespace(strip_comment(lines[i]));
		if (words.empty())
			continue;
		auto where = name + ":" + std::to_string(line) + ": ";
		Rule r;
		try {
			r = parse_rule(words);
		} catch (const UsageError &e) {
			throw UsageError(where + e.what());
		}
		auto [it, fresh] = seen.emplace(format_rule(r), line);
		if (!fresh)
			throw UsageError(where + "duplicate of line " + std::to_string(it->second));
		rules.push_back({r, line});
	}
	return rules;
}

} // namespace nettune::bypass
