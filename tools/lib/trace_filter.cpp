#include "trace_filter.hpp"

#include "error.hpp"
#include "keywords.hpp"
#include "sysfs.hpp"

#include <arpa/inet.h>
#include <cstring>
#include <fmt/format.h>
#include <netinet/in.h>
#include <vector>

namespace nettune::trace {

namespace {

const char *const kWords = "tcp, udp, icmp, icmp6, proto, ip, ip6, host, port, src, dst, dev";

struct Proto {
	const char *name;
	uint8_t number;
	int family; // implied family, 0 if none
};

const Proto kProtos[] = {
	{"tcp", IPPROTO_TCP, 0},
	{"udp", IPPROTO_UDP, 0},
	{"icmp", IPPROTO_ICMP, 4},
	{"icmp6", IPPROTO_ICMPV6, 6},
};

const Proto *find_proto(const std::string &w)
{
	for (const auto &p : kProtos)
		if (w == p.name)
			return &p;
	return nullptr;
}

std::string proto_name(uint8_t n)
{
	for (const auto &p : kProtos)
		if (p.number == n)
			return p.name;
	return std::to_string(n);
}

std::string address_text(const IpAddress &a)
{
	char buf[INET6_ADDRSTRLEN];
	inet_ntop(a.family == 4 ? AF_INET : AF_INET6, a.bytes.data(), buf, sizeof(buf));
	return buf;
}

[[noreturn]] void fail(const std::string &why)
{
	throw UsageError("filter: " + why);
}

class Parser {
public:
	explicit Parser(const std::string &text) : words_(split_whitespace(text)) {}

	SkbFilter parse()
	{
		if (words_.empty())
			fail("empty; give one, e.g. 'icmp' or 'tcp and dst port 80'");
		primitive();
		while (pos_ < words_.size()) {
			const std::string w = next();
			if (w != "and" && w != "&&")
				fail(fmt::format(
					"expected 'and' before '{}' (primitives are joined "
					"by 'and'; 'or', 'not' and parentheses are not "
					"supported)",
					w));
			if (pos_ == words_.size())
				fail("'and' at the end needs a primitive after it");
			primitive();
		}
		check_family_consistency();
		return f_;
	}

private:
	std::vector<std::string> words_;
	size_t pos_ = 0;
	SkbFilter f_;

	std::string next() { return words_[pos_++]; }

	std::string value_of(const std::string &what)
	{
		if (pos_ == words_.size())
			fail("'" + what + "' needs a value");
		return next();
	}

	void set_proto(const std::string &w)
	{
		const Proto *p = find_proto(w);
		if (!p)
			fail("unknown protocol '" + w + "' (tcp, udp, icmp, icmp6)");
		if (f_.l4proto && f_.l4proto != p->number)
			fail("two protocols ('" + proto_name(f_.l4proto) + "' and '" + w +
			     "'): a packet has one");
		f_.l4proto = p->number;
		if (p->family)
			set_family(p->family, w);
	}

	void set_family(int family, const std::string &why)
	{
		if (f_.family && f_.family != family)
			fail(fmt::format("'{}' is IPv{} but the filter already asks for IPv{}", why,
					 family, f_.family));
		f_.family = family;
	}

	void set_host(std::optional<IpAddress> &slot, const std::string &dir)
	{
		const std::string v = value_of(dir + "host");
		auto a = parse_ip_address(v);
		if (!a)
			fail("'" + v + "' after '" + dir + "host' is not an IPv4 or IPv6 address");
		if (slot)
			fail("'" + dir + "host' given twice");
		set_family(a->family, v);
		slot = *a;
	}

	void set_port(uint16_t &slot, const std::string &dir)
	{
		const std::string v = value_of(dir + "port");
		uint16_t p = 0;
		try {
			p = static_cast<uint16_t>(parse_uint(v, 1, 65535, dir + "port"));
		} catch (const UsageError &e) {
			fail(e.what());
		}
		if (slot)
			fail("'" + dir + "port' given twice");
		slot = p;
	}

	void directed(const std::string &dir)
	{
		if (pos_ == words_.size())
			fail("'" + dir + "' needs 'host' or 'port' after it");
		const std::string w = next();
		const bool src = dir == "src";
		if (w == "host")
			set_host(src ? f_.src : f_.dst, dir + " ");
		else if (w == "port")
			set_port(src ? f_.sport : f_.dport, dir + " ");
		else
			fail("'" + dir + "' needs 'host' or 'port' after it, not '" + w + "'");
	}

	void primitive()
	{
		const std::string w = next();
		if (find_proto(w))
			set_proto(w);
		else if (w == "proto")
			set_proto(value_of("proto"));
		else if (w == "ip")
			set_family(4, w);
		else if (w == "ip6")
			set_family(6, w);
		else if (w == "host")
			set_host(f_.host, "");
		else if (w == "port")
			set_port(f_.port, "");
		else if (w == "src" || w == "dst")
			directed(w);
		else if (w == "dev") {
			const std::string v = value_of("dev");
			if (!f_.dev.empty())
				fail("'dev' given twice");
			if (v.size() >= 16)
				fail("device name '" + v + "' is longer than 15 characters");
			f_.dev = v;
		} else if (w == "or" || w == "||" || w == "not" || w == "!" || w.front() == '(')
			fail("'" + w + "' is not supported: primitives are joined by 'and' only");
		else if (w == "and" || w == "&&")
			fail("'" + w + "' needs a primitive before it");
		else
			fail("unknown word '" + w + "' (expected " + kWords + ")");
	}

	void check_family_consistency()
	{
		bool has_port = f_.sport || f_.dport || f_.port;
		if (has_port && f_.l4proto && f_.l4proto != IPPROTO_TCP &&
		    f_.l4proto != IPPROTO_UDP)
			fail("'port' needs tcp or udp, not " + proto_name(f_.l4proto));
	}
};

void copy_address(__u8 *dst, const IpAddress &a)
{
	std::memcpy(dst, a.bytes.data(), 16);
}

} // namespace

std::optional<IpAddress> parse_ip_address(const std::string &text)
{
	IpAddress a;
	if (inet_pton(AF_INET, text.c_str(), a.bytes.data()) == 1) {
		a.family = 4;
		return a;
	}
	if (inet_pton(AF_INET6, text.c_str(), a.bytes.data()) == 1) {
		a.family = 6;
		return a;
	}
	return std::nullopt;
}

SkbFilter parse_skb_filter(const std::string &text)
{
	return Parser(text).parse();
}

std::string SkbFilter::describe() const
{
	std::vector<std::string> parts;
	if (l4proto)
		parts.push_back(proto_name(l4proto));
	else if (family)
		parts.push_back(family == 4 ? "ip" : "ip6");
	if (host)
		parts.push_back("host " + address_text(*host));
	if (src)
		parts.push_back("src host " + address_text(*src));
	if (dst)
		parts.push_back("dst host " + address_text(*dst));
	if (port)
		parts.push_back(fmt::format("port {}", port));
	if (sport)
		parts.push_back(fmt::format("src port {}", sport));
	if (dport)
		parts.push_back(fmt::format("dst port {}", dport));
	if (!dev.empty())
		parts.push_back("dev " + dev);
	std::string out;
	for (const auto &p : parts)
		out += (out.empty() ? "" : " and ") + p;
	return out;
}

nt_skb_filter compile_skb_filter(const SkbFilter &f, uint32_t ifindex, uint32_t netns)
{
	nt_skb_filter c{};
	c.l4proto = f.l4proto;
	c.family = static_cast<__u8>(f.family);
	if (f.src) {
		c.src_set = 1;
		copy_address(c.saddr, *f.src);
	}
	if (f.dst) {
		c.dst_set = 1;
		copy_address(c.daddr, *f.dst);
	}
	if (f.host) {
		c.host_set = 1;
		copy_address(c.host, *f.host);
	}
	c.sport = f.sport;
	c.dport = f.dport;
	c.port = f.port;
	c.ifindex = ifindex;
	c.netns = netns;
	return c;
}

} // namespace nettune::trace
