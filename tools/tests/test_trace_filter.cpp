#include "error.hpp"
#include "trace_filter.hpp"

#include <catch2/catch.hpp>
#include <netinet/in.h>

using nettune::UsageError;
using nettune::trace::parse_ip_address;
using nettune::trace::parse_skb_filter;

namespace {

std::string error_of(const std::string &text)
{
	try {
		parse_skb_filter(text);
	} catch (const UsageError &e) {
		return e.what();
	}
	return "no error";
}

} // namespace

TEST_CASE("trace skb filters parse into the fields the BPF side checks")
{
	auto f = parse_skb_filter("udp and dst port 53");
	CHECK(f.l4proto == IPPROTO_UDP);
	CHECK(f.dport == 53);
	CHECK(f.sport == 0);
	CHECK(f.family == 0);
	CHECK(f.describe() == "udp and dst port 53");

	f = parse_skb_filter("icmp");
	CHECK(f.l4proto == IPPROTO_ICMP);
	CHECK(f.family == 4);

	f = parse_skb_filter("proto icmp6 && host fd00::2");
	CHECK(f.l4proto == IPPROTO_ICMPV6);
	CHECK(f.family == 6);
	REQUIRE(f.host);
	CHECK(*f.host == *parse_ip_address("fd00::2"));

	f = parse_skb_filter("  tcp and src host 10.0.0.1 and dst host 10.0.0.2 and port 80 "
			     "and dev nt1 ");
	CHECK(f.l4proto == IPPROTO_TCP);
	CHECK(f.family == 4);
	CHECK(f.src->bytes[0] == 10);
	CHECK(f.dst->bytes[3] == 2);
	CHECK(f.port == 80);
	CHECK(f.dev == "nt1");
	CHECK(f.describe() ==
	      "tcp and src host 10.0.0.1 and dst host 10.0.0.2 and port 80 and dev nt1");

	f = parse_skb_filter("ip6");
	CHECK(f.family == 6);
	CHECK(f.l4proto == 0);
}

TEST_CASE("trace skb filters compile into struct nt_skb_filter")
{
	auto f = parse_skb_filter("tcp and src host 10.1.2.3 and src port 4000 and dev x");
	nt_skb_filter c = nettune::trace::compile_skb_filter(f, 7, 4026531840u);
	CHECK(c.l4proto == IPPROTO_TCP);
	CHECK(c.family == 4);
	CHECK(c.src_set == 1);
	CHECK(c.dst_set == 0);
	CHECK(c.host_set == 0);
	CHECK(c.saddr[0] == 10);
	CHECK(c.saddr[3] == 3);
	CHECK(c.saddr[4] == 0);
	CHECK(c.sport == 4000);
	CHECK(c.ifindex == 7);
	CHECK(c.netns == 4026531840u);
}

TEST_CASE("trace skb filter errors name the word and why")
{
	CHECK(error_of("") == "filter: empty; give one, e.g. 'icmp' or 'tcp and dst port 80'");
	CHECK(error_of("udp or tcp") ==
	      "filter: expected 'and' before 'or' (primitives are joined by 'and'; 'or', 'not' "
	      "and parentheses are not supported)");
	CHECK(error_of("not udp") ==
	      "filter: 'not' is not supported: primitives are joined by 'and' only");
	CHECK(error_of("(udp)") ==
	      "filter: '(udp)' is not supported: primitives are joined by 'and' only");
	CHECK(error_of("sctp") == "filter: unknown word 'sctp' (expected tcp, udp, icmp, icmp6, "
				  "proto, ip, ip6, host, port, src, dst, dev)");
	CHECK(error_of("proto gre") == "filter: unknown protocol 'gre' (tcp, udp, icmp, icmp6)");
	CHECK(error_of("proto") == "filter: 'proto' needs a value");
	CHECK(error_of("tcp and udp") ==
	      "filter: two protocols ('tcp' and 'udp'): a packet has one");
	CHECK(error_of("port 0") == "filter: port: 0 is out of range [1, 65535]");
	CHECK(error_of("dst port 70000") == "filter: dst port: 70000 is out of range [1, 65535]");
	CHECK(error_of("port http") == "filter: port: 'http' is not a number");
	CHECK(error_of("dst host 10.0.0.300") ==
	      "filter: '10.0.0.300' after 'dst host' is not an IPv4 or IPv6 address");
	CHECK(error_of("src") == "filter: 'src' needs 'host' or 'port' after it");
	CHECK(error_of("src net 10.0.0.0/8") ==
	      "filter: 'src' needs 'host' or 'port' after it, not 'net'");
	CHECK(error_of("icmp and host fd00::1") ==
	      "filter: 'fd00::1' is IPv6 but the filter already asks for IPv4");
	CHECK(error_of("icmp and port 80") == "filter: 'port' needs tcp or udp, not icmp");
	CHECK(error_of("tcp and") == "filter: 'and' at the end needs a primitive after it");
	CHECK(error_of("and tcp") == "filter: 'and' needs a primitive before it");
	CHECK(error_of("port 1 and port 2") == "filter: 'port' given twice");
	CHECK(error_of("dev a and dev b") == "filter: 'dev' given twice");
	CHECK(error_of("dev abcdefghijklmnopq") ==
	      "filter: device name 'abcdefghijklmnopq' is longer than 15 characters");
}
