// NAT-overlap warnings for bypass rules, against NAT rule listings captured
// in the VM (tools/tests/data/bypass-nat-capture.sh made them).
#include "bypass_rule.hpp"
#include "nat_overlap.hpp"
#include "sysfs.hpp"

#include <catch2/catch.hpp>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>

using namespace nettune::bypass;

namespace {

std::string fixture(const std::string &name)
{
	return nettune::read_file(std::string(NETTUNE_TEST_DATA) + "/" + name);
}

std::vector<NatRule> iptables_rules()
{
	return parse_iptables_save(fixture("bypass-nat-iptables-save.txt"), AF_INET,
				   "iptables-save");
}

std::vector<NatRule> ip6tables_rules()
{
	return parse_iptables_save(fixture("bypass-nat-ip6tables-save.txt"), AF_INET6,
				   "ip6tables-save");
}

std::vector<NatRule> nft_rules()
{
	return parse_nft_json(fixture("bypass-nat-nft.json"));
}

size_t warnings_for(const std::string &spec, const std::vector<NatRule> &nat)
{
	return overlap_warnings({parse_rule(nettune::split_whitespace(spec))}, nat).size();
}

} // namespace

TEST_CASE("bypass NAT: iptables-save keeps only rules jumping to a NAT target")
{
	auto nat = iptables_rules();
	REQUIRE(nat.size() == 5); // not the jump to WEB, not RETURN, not filter
	CHECK(nat[0].family == AF_INET);
	CHECK(nat[0].proto == IPPROTO_TCP);
	CHECK(nat[0].dports == std::vector<PortRange>{{8080, 8080}});
	CHECK(nat[0].origin ==
	      "iptables-save: -A PREROUTING -p tcp -m tcp --dport 8080 -j DNAT --to-destination "
	      "10.0.0.2:80");
	CHECK(format_prefix(*nat[1].dst) == "127.0.0.1/32");
	CHECK(format_prefix(*nat[2].src) == "10.0.0.0/8");
	CHECK(nat[2].oif.empty()); // "! -o eth1" constrains nothing we can use
	CHECK(nat[3].oif == "eth+");
	CHECK(nat[4].proto == IPPROTO_UDP);
	CHECK(nat[4].dports == std::vector<PortRange>{{5000, 5010}, {6000, 6000}});
	CHECK(parse_iptables_save(fixture("bypass-nat-iptables-save-empty.txt"), AF_INET, "x")
		      .empty());
	CHECK(parse_iptables_save(fixture("bypass-nat-iptables-legacy-save.txt"), AF_INET, "x")
		      .size() == 1);
}

TEST_CASE("bypass NAT: ip6tables-save")
{
	auto nat = ip6tables_rules();
	REQUIRE(nat.size() == 2);
	CHECK(nat[0].family == AF_INET6);
	CHECK(format_prefix(*nat[0].dst) == "2001:db8::1/128");
	CHECK(format_prefix(*nat[1].src) == "fd00::/8");
	CHECK(nat[1].oif == "eth0");
}

TEST_CASE("bypass NAT: nft JSON keeps native NAT rules, skips iptables-nft ones")
{
	auto nat = nft_rules();
	REQUIRE(nat.size() == 6); // inet natx: 4 in pre (not the accept), 2 in post
	CHECK(nat[0].origin == "nft: table inet natx chain pre handle 4");
	CHECK(nat[0].family == 0);
	CHECK(nat[0].dports == std::vector<PortRange>{{80, 80}, {443, 443}, {1000, 2000}});
	CHECK(nat[1].iif == "eth0");
	CHECK(nat[1].proto == IPPROTO_UDP);
	CHECK(nat[2].family == AF_INET6);
	CHECK(format_prefix(*nat[2].dst) == "2001:db8:1::/48");
	CHECK(nat[2].proto == IPPROTO_UDP);
	CHECK(format_prefix(*nat[3].src) == "10.9.0.0/16");
	CHECK(nat[3].sports == std::vector<PortRange>{{7000, 7100}});
	CHECK(nat[4].oif == "eth0");
	CHECK_FALSE(nat[5].dst); // "ip daddr != 10.0.0.0/8": negation, any address
	CHECK(nat[5].dports == std::vector<PortRange>{{123, 123}});
	CHECK(parse_nft_json(fixture("bypass-nat-nft-empty.json")).empty());
	CHECK_THROWS(parse_nft_json("not json"));
}

TEST_CASE("bypass NAT: same port, or a NAT rule without ports, overlaps")
{
	auto nat = iptables_rules();
	// DNAT 8080 + MASQUERADE (no ports, any dst) + SNAT (no ports)
	CHECK(warnings_for("proto tcp dport 8080", nat) == 3);
	CHECK(warnings_for("proto tcp dport 8081", nat) == 2);
	// a source outside both SNAT/MASQUERADE prefixes
	CHECK(warnings_for("proto tcp dport 8081 src 172.16.0.0/12", nat) == 0);
	CHECK(warnings_for("proto tcp dport 8080 src 172.16.0.0/12", nat) == 1);
	CHECK(warnings_for("proto udp dport 5005 src 172.16.0.0/12", nat) == 1);
	CHECK(warnings_for("proto udp dport 5011 src 172.16.0.0/12", nat) == 0);
	CHECK(warnings_for("proto udp dport 5999-6000 src 172.16.0.0/12", nat) == 1);
	// prefix overlap: 10.1.0.0/16 lies inside the MASQUERADE's 10.0.0.0/8
	CHECK(warnings_for("proto icmp src 10.1.0.0/16", nat) == 1);
	CHECK(warnings_for("proto icmp src 0.0.0.0/0 dst 198.51.100.0/24", nat) == 1);
}

TEST_CASE("bypass NAT: interfaces, families and directions")
{
	auto nat = iptables_rules();
	CHECK(warnings_for("proto udp dport 7 oif eth7 src 192.168.1.5", nat) == 1); // eth+
	CHECK(warnings_for("proto udp dport 7 oif wlan0 src 192.168.1.5", nat) == 0);
	// no port: the udp DNAT to 5000-5010,6000 overlaps too
	CHECK(warnings_for("proto udp oif eth7 src 192.168.1.5", nat) == 2);
	CHECK(warnings_for("proto tcp dport 8080 src 2001:db8::/32", nat) == 0);

	auto nat6 = ip6tables_rules();
	CHECK(warnings_for("proto tcp dport 443 dst 2001:db8::1", nat6) == 2);
	CHECK(warnings_for("proto tcp dport 443 src 2001:db8:ffff::1 dst 2001:db8::1", nat6) == 1);
	CHECK(warnings_for("proto tcp dport 443 dst 192.0.2.1", nat6) == 0);

	auto nft = nft_rules();
	CHECK(warnings_for("proto tcp dport 443 src 172.16.0.1", nft) == 1);
	CHECK(warnings_for("proto tcp dport 1500 src 172.16.0.1", nft) == 1);
	CHECK(warnings_for("proto tcp dport 2001 src 172.16.0.1", nft) == 0);
	CHECK(warnings_for("proto tcp dport 80 dst 2001:db8::5", nft) == 1);         // inet table
	CHECK(warnings_for("proto udp dport 53 iif eth0 src 172.16.0.1", nft) == 1); // redirect
	CHECK(warnings_for("proto udp dport 53 iif eth1 src 172.16.0.1", nft) == 0);
}

TEST_CASE("bypass NAT: `both` checks the reply direction and says so")
{
	auto nft = nft_rules();
	std::string spec = "proto tcp sport 1-50 dport 7050 src 172.16.0.1 dst 10.9.0.1";
	CHECK(warnings_for(spec, nft) == 0);
	auto w = overlap_warnings({parse_rule(nettune::split_whitespace(spec + " both"))}, nft);
	REQUIRE(w.size() == 1);
	CHECK(w[0] == "bypass rule 'proto tcp sport 1-50 dport 7050 src 172.16.0.1/32 dst "
		      "10.9.0.1/32 both' (reply direction) may match packets of NAT rule [nft: "
		      "table inet natx chain pre "
		      "handle 7]: untracked packets skip NAT");
}
