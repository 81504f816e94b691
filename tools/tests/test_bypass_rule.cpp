// The ntbypass rule grammar, its validation messages and the rule file format.
#include "bypass_rule.hpp"
#include "error.hpp"
#include "sysfs.hpp"

#include <catch2/catch.hpp>
#include <netinet/in.h>
#include <sys/socket.h>

using namespace nettune::bypass;
using nettune::UsageError;

namespace {

Rule rule(const std::string &text)
{
	return parse_rule(nettune::split_whitespace(text));
}

std::string error_of(const std::string &text)
{
	try {
		rule(text);
	} catch (const UsageError &e) {
		return e.what();
	}
	return "no error";
}

std::string file_error_of(const std::string &text)
{
	try {
		parse_rule_file(text, "rules.conf");
	} catch (const UsageError &e) {
		return e.what();
	}
	return "no error";
}

} // namespace

TEST_CASE("bypass rules parse every keyword")
{
	Rule r = rule("proto tcp sport 1024-65535 dport 80 src 10.0.0.0/8 dst 192.0.2.1 iif eth0 "
		      "both");
	REQUIRE(r.proto == IPPROTO_TCP);
	CHECK(r.sport == PortRange{1024, 65535});
	CHECK(r.dport == PortRange{80, 80});
	CHECK(format_prefix(*r.src) == "10.0.0.0/8");
	CHECK(format_prefix(*r.dst) == "192.0.2.1/32");
	CHECK(r.iif == "eth0");
	CHECK(r.oif.empty());
	CHECK(r.both);
	CHECK(r.family() == AF_INET);
}

TEST_CASE("bypass protocols by name and number")
{
	CHECK(*rule("proto udp").proto == IPPROTO_UDP);
	CHECK(*rule("proto sctp dport 9").proto == IPPROTO_SCTP);
	CHECK(*rule("proto udplite dport 9").proto == IPPROTO_UDPLITE);
	CHECK(*rule("proto icmp").proto == IPPROTO_ICMP);
	CHECK(*rule("proto icmpv6").proto == IPPROTO_ICMPV6);
	CHECK(*rule("proto 47").proto == 47);
	CHECK(rule("proto 17 dport 53").dport == PortRange{53, 53});
	CHECK(proto_name(47) == "47");
}

TEST_CASE("bypass IPv6 prefixes; a bare address is a host")
{
	Rule r = rule("src 2001:db8::/32 dst 2001:db8::1");
	CHECK(format_prefix(*r.src) == "2001:db8::/32");
	CHECK(r.dst->len == 128);
	CHECK(r.family() == AF_INET6);
	CHECK(rule("dst ::/0").dst->len == 0);
}

TEST_CASE("bypass rule errors name the bad word")
{
	CHECK(error_of("proto tcp dport 0") == "dport: port '0' is not in [1, 65535]");
	CHECK(error_of("proto tcp dport 65536") == "dport: port '65536' is not in [1, 65535]");
	CHECK(error_of("proto udp sport 90-80") ==
	      "sport: range '90-80' is upside down (low-high)");
	CHECK(error_of("proto tcp sport 80-") == "sport: port '' is not in [1, 65535]");
	CHECK(error_of("proto tcp dport http") == "dport: port 'http' is not in [1, 65535]");
	CHECK(error_of("dport 80") == "dport: ports need proto tcp, udp, sctp, dccp or udplite");
	CHECK(error_of("proto icmp sport 7") ==
	      "sport: ports need proto tcp, udp, sctp, dccp or udplite");
	CHECK(error_of("proto gre") ==
	      "proto: 'gre' is not a protocol name (tcp udp sctp dccp udplite icmp icmpv6) or a "
	      "number in [1, 255]");
	CHECK(error_of("proto 256") ==
	      "proto: '256' is not a protocol name (tcp udp sctp dccp udplite icmp icmpv6) or a "
	      "number in [1, 255]");
	CHECK(error_of("src 10.0.0.300") == "src: '10.0.0.300' is not an IPv4 or IPv6 address");
	CHECK(error_of("dst 10.0.0.0/33") == "dst: prefix length '33' is not in [0, 32] for IPv4");
	CHECK(error_of("dst 2001:db8::/129") ==
	      "dst: prefix length '129' is not in [0, 128] for IPv6");
	CHECK(error_of("src 10.1.2.3/8") ==
	      "src: '10.1.2.3/8' has bits set past /8 (the network is 10.0.0.0/8)");
	CHECK(error_of("src 2001:db8::1/64") ==
	      "src: '2001:db8::1/64' has bits set past /64 (the network is 2001:db8::/64)");
	CHECK(error_of("src 10.0.0.1 dst ::1") ==
	      "dst: ::1/128 is not the same address family as src 10.0.0.1/32");
	CHECK(error_of("proto icmp src ::1") == "proto: icmp never matches IPv6 (use icmpv6)");
	CHECK(error_of("iif eth0 oif eth1").starts_with("oif: a rule with both iif and oif"));
	CHECK(error_of("iif averyveryverylongname") ==
	      "iif: 'averyveryverylongname' is not a valid interface name");
	CHECK(error_of("oif a/b") == "oif: 'a/b' is not a valid interface name");
	CHECK(error_of("both").starts_with("empty rule"));
	CHECK(error_of("").starts_with("empty rule"));
	CHECK(error_of("proto tcp color red") == "unknown keyword 'color'");
	CHECK(error_of("proto tcp dport") == "keyword 'dport' needs a value");
	CHECK(error_of("proto tcp proto udp") == "keyword 'proto' given twice");
}

TEST_CASE("bypass rule text round-trips in canonical order")
{
	for (std::string text : {"proto tcp dport 80 both", "proto udp sport 53 src 10.0.0.0/8",
				 "proto sctp sport 1-2 dport 3-4 dst 2001:db8::/48 oif veth0",
				 "proto 47 iif eth1", "dst 192.0.2.0/24"})
		CHECK(format_rule(rule(text)) == text);
	CHECK(format_rule(rule("both dport 80 proto tcp")) == "proto tcp dport 80 both");
	CHECK(format_rule(rule("src 10.0.0.1")) == "src 10.0.0.1/32");
}

TEST_CASE("bypass mirror swaps the directions")
{
	Rule r = rule("proto tcp dport 80 src 10.0.0.0/8 iif eth0 both");
	Rule m = mirror(r);
	CHECK(format_rule(m) == "proto tcp sport 80 dst 10.0.0.0/8");
	auto d = directions(r);
	REQUIRE(d.size() == 2);
	CHECK(format_rule(d[0]) == "proto tcp dport 80 src 10.0.0.0/8 iif eth0");
	CHECK(d[1] == m);
	CHECK(directions(rule("proto udp")).size() == 1);
}

TEST_CASE("bypass overlap helpers")
{
	auto p = [](const char *s) { return parse_prefix(s, "x"); };
	CHECK(prefixes_overlap(p("10.0.0.0/8"), p("10.1.2.3")));
	CHECK(prefixes_overlap(p("10.1.2.3"), p("10.0.0.0/8")));
	CHECK_FALSE(prefixes_overlap(p("10.0.0.0/8"), p("11.0.0.0/8")));
	CHECK(prefixes_overlap(p("0.0.0.0/0"), p("192.0.2.1")));
	CHECK_FALSE(prefixes_overlap(p("::/0"), p("192.0.2.1")));
	CHECK(prefixes_overlap(p("2001:db8::/32"), p("2001:db8:1::/48")));
	CHECK_FALSE(prefixes_overlap(p("2001:db8::/33"), p("2001:db8:8000::/33")));
	CHECK(ranges_overlap({80, 80}, {1, 1024}));
	CHECK(ranges_overlap({1000, 2000}, {2000, 3000}));
	CHECK_FALSE(ranges_overlap({80, 80}, {81, 90}));
}

TEST_CASE("bypass rule files: comments, blank lines, line numbers")
{
	auto rules = parse_rule_file("# web\n"
				     "proto tcp dport 80 both   # http\n"
				     "\n"
				     "   \t\n"
				     "proto udp dport 53 both\n",
				     "rules.conf");
	REQUIRE(rules.size() == 2);
	CHECK(rules[0].line == 2);
	CHECK(format_rule(rules[0].rule) == "proto tcp dport 80 both");
	CHECK(rules[1].line == 5);
	CHECK(parse_rule_file("# nothing\n\n", "empty").empty());
}

TEST_CASE("bypass rule files refuse the whole file at the first bad line")
{
	CHECK(file_error_of("proto tcp dport 80\n"
			    "# fine\n"
			    "proto tcp dport 0\n"
			    "proto tcp dport 99999\n") ==
	      "rules.conf:3: dport: port '0' is not in [1, 65535]");
	CHECK(file_error_of("proto udp dport 53\nproto tcp\nproto  udp   dport 53 # again\n") ==
	      "rules.conf:3: duplicate of line 1");
	CHECK(file_error_of("\n\nbogus\n") == "rules.conf:3: unknown keyword 'bogus'");
}
