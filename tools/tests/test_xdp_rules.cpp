// nettune xdp: argument parsing and refusals, map key encoding (must match
// bpf/xdp_filter.h and what the program looks up), pin directory names.
#include "xdp_filter.hpp"
#include "xdp_rules.hpp"

#include "error.hpp"

#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <cstring>
#include <netinet/in.h>

using namespace nettune::xdp;

TEST_CASE("xdp block: prefixes, v4 and v6, host bits refused")
{
	auto p = parse_block_prefix("198.51.100.0/24");
	CHECK(p.family == AF_INET);
	CHECK(p.len == 24);
	CHECK(nettune::bypass::format_prefix(p) == "198.51.100.0/24");

	auto h = parse_block_prefix("10.1.2.3");
	CHECK(h.len == 32);

	auto v6 = parse_block_prefix("2001:db8::/32");
	CHECK(v6.family == AF_INET6);
	CHECK(v6.len == 32);

	try {
		parse_block_prefix("198.51.100.7/24");
		FAIL("host bits accepted");
	} catch (const nettune::UsageError &e) {
		CHECK(std::string(e.what()) ==
		      "prefix: '198.51.100.7/24' has bits set past /24 (the network is "
		      "198.51.100.0/24)");
	}
	CHECK_THROWS_AS(parse_block_prefix("2001:db8::1/32"), nettune::UsageError);
	CHECK_THROWS_WITH(parse_block_prefix("10.0.0.0/33"),
			  Catch::Contains("prefix length '33' is not in [0, 32]"));
	CHECK_THROWS_WITH(parse_block_prefix("example.com"),
			  Catch::Contains("not an IPv4 or IPv6 address"));
}

TEST_CASE("xdp deny/allow: protocol and port refusals")
{
	CHECK(parse_port_rule("tcp", "23") == PortRule{IPPROTO_TCP, 23});
	CHECK(parse_port_rule("udp", "65535") == PortRule{IPPROTO_UDP, 65535});
	CHECK_THROWS_WITH(parse_port_rule("udp", "0"), "port '0' is not in [1, 65535]");
	CHECK_THROWS_WITH(parse_port_rule("udp", "65536"), "port '65536' is not in [1, 65535]");
	CHECK_THROWS_WITH(parse_port_rule("tcp", "http"), "port 'http' is not in [1, 65535]");
	CHECK_THROWS_WITH(parse_port_rule("sctp", "9"), "protocol 'sctp' is not tcp or udp");
}

TEST_CASE("xdp synlimit: rate, burst, refusals")
{
	CHECK(parse_synlimit("2000/s", std::string("100")) == SynLimit{2000, 100});
	CHECK(parse_synlimit("50", std::nullopt) == SynLimit{50, 50}); // burst: one second
	CHECK(parse_synlimit("5000000/s", std::nullopt) == SynLimit{5000000, kMaxSynBurst});
	CHECK_THROWS_WITH(parse_synlimit("0/s", std::string("10")),
			  Catch::Contains("a rate of 0/s would drop every SYN; 'synlimit off'"));
	CHECK_THROWS_WITH(parse_synlimit("fast", std::nullopt),
			  Catch::Contains("rate 'fast' is not N/s"));
	CHECK_THROWS_WITH(parse_synlimit("/s", std::nullopt), Catch::Contains("rate '/s'"));
	CHECK_THROWS_WITH(parse_synlimit("10/s", std::string("0")),
			  Catch::Contains("burst '0' is not in [1, 1000000]"));
	CHECK_THROWS_AS(parse_synlimit("100000001/s", std::nullopt), nettune::UsageError);
	CHECK(format_synlimit({2000, 100}) == "2000/s burst 100");
}

TEST_CASE("xdp synlimit: the configuration the program reads")
{
	auto c = make_config({2000, 100});
	CHECK(c.syn_rate == 2000);
	CHECK(c.syn_burst == 100);
	CHECK(c.syn_capacity == 100 * XDPF_NANOTOKENS);
	// An empty bucket is full again after burst/rate seconds (50 ms here).
	CHECK(c.syn_fill_ns == 50'000'000);
	CHECK(c.syn_fill_ns * c.syn_rate >= c.syn_capacity);
	auto odd = make_config({3, 1});
	CHECK(odd.syn_fill_ns * odd.syn_rate >= odd.syn_capacity); // rounded up
	CHECK(config_synlimit(c) == SynLimit{2000, 100});
	auto off = make_config({});
	CHECK(off.syn_rate == 0);
	CHECK_FALSE(config_synlimit(off).has_value());
}

TEST_CASE("xdp key encoding matches the program's layout")
{
	STATIC_REQUIRE(sizeof(xdpf_v4_key) == 8);
	STATIC_REQUIRE(sizeof(xdpf_v6_key) == 20);
	STATIC_REQUIRE(sizeof(xdpf_syn_key) == 16);
	STATIC_REQUIRE(sizeof(xdpf_config) == 32);
	STATIC_REQUIRE(sizeof(xdpf_counter) == 16);

	auto k = v4_key(parse_block_prefix("198.51.100.0/24"));
	CHECK(k.prefixlen == 24);
	const uint8_t want4[] = {198, 51, 100, 0};
	CHECK(std::memcmp(k.addr, want4, 4) == 0); // network byte order, as in the IP header
	CHECK(decode_v4_key(k) == parse_block_prefix("198.51.100.0/24"));

	auto k6 = v6_key(parse_block_prefix("2001:db8::/32"));
	CHECK(k6.prefixlen == 32);
	CHECK(k6.addr[0] == 0x20);
	CHECK(k6.addr[1] == 0x01);
	CHECK(k6.addr[2] == 0x0d);
	CHECK(k6.addr[3] == 0xb8);
	CHECK(decode_v6_key(k6) == parse_block_prefix("2001:db8::/32"));

	// proto << 16 | port, the port in host order (the program converts).
	CHECK(port_key({IPPROTO_TCP, 23}) == ((6u << 16) | 23));
	CHECK(port_key({IPPROTO_UDP, 9000}) == ((17u << 16) | 9000));
	CHECK(decode_port_key(port_key({IPPROTO_UDP, 65535})) == PortRule{IPPROTO_UDP, 65535});
	CHECK(proto_name(IPPROTO_TCP) == "tcp");
	CHECK(proto_name(IPPROTO_UDP) == "udp");
}

TEST_CASE("xdp pin directories: per netns inode and ifindex")
{
	CHECK(pin_dir("/sys/fs/bpf", 4026532001, 7) == "/sys/fs/bpf/nettune/xdp/4026532001-7");
	auto id = parse_pin_dir_name("4026532001-7");
	REQUIRE(id);
	CHECK(id->first == 4026532001u);
	CHECK(id->second == 7);
	CHECK_FALSE(parse_pin_dir_name("foo"));
	CHECK_FALSE(parse_pin_dir_name("-7"));
	CHECK_FALSE(parse_pin_dir_name("12-"));
	CHECK_FALSE(parse_pin_dir_name("12-x"));
	CHECK(parse_mode("native") == Mode::native);
	CHECK(parse_mode("generic") == Mode::generic);
	CHECK_THROWS_WITH(parse_mode("offload"), "mode 'offload' is not native or generic");
}
