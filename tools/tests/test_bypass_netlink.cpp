// ntbypass rules survive the trip through their netlink attributes.
#include "bypass_netlink.hpp"
#include "sysfs.hpp"

#include <catch2/catch.hpp>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <uapi/linux/ntbypass.h>
#include <vector>

using namespace nettune::bypass;

namespace {

nettune::GenlAttrs encode_and_parse(const Rule &r, nettune::NlMsgPtr &msg)
{
	genlmsg_put(msg.get(), NL_AUTO_PORT, NL_AUTO_SEQ, 0x20, 0, 0, NTBYPASS_CMD_ADD, 1);
	put_rule(msg.get(), r);
	std::vector<nlattr *> tb(NTBYPASS_A_MAX + 1, nullptr);
	REQUIRE(genlmsg_parse(nlmsg_hdr(msg.get()), 0, tb.data(), NTBYPASS_A_MAX, nullptr) == 0);
	return nettune::GenlAttrs(tb.data(), NTBYPASS_A_MAX);
}

} // namespace

TEST_CASE("bypass rules round-trip through netlink attributes")
{
	for (std::string text :
	     {"proto tcp dport 80 both", "proto udp sport 1000-2000 dst 10.0.0.0/8",
	      "src 2001:db8::/32 dst 2001:db8::1 proto sctp dport 9-10", "proto 47 iif eth0",
	      "oif veth1 proto icmp"}) {
		nettune::NlMsgPtr msg(nlmsg_alloc(), nlmsg_free);
		Rule r = parse_rule(nettune::split_whitespace(text));
		auto a = encode_and_parse(r, msg);
		CHECK(rule_from_attrs(a).rule == r);
	}
}

TEST_CASE("bypass netlink encoding follows the UAPI")
{
	nettune::NlMsgPtr msg(nlmsg_alloc(), nlmsg_free);
	auto a = encode_and_parse(
		parse_rule({"proto", "tcp", "dport", "80", "src", "10.1.0.0/16", "both"}), msg);
	CHECK(a.u8(NTBYPASS_A_FAMILY) == AF_INET);
	CHECK(a.u8(NTBYPASS_A_PROTO) == IPPROTO_TCP);
	CHECK(a.u16(NTBYPASS_A_DPORT_MIN) == 80);
	CHECK_FALSE(a.has(NTBYPASS_A_DPORT_MAX)); // single port: MAX absent
	CHECK(a.bytes(NTBYPASS_A_SRC_ADDR) == std::vector<uint8_t>{10, 1, 0, 0});
	CHECK(a.u8(NTBYPASS_A_SRC_PLEN) == 16);
	CHECK(a.u32(NTBYPASS_A_FLAGS) == NTBYPASS_F_BOTH);
	CHECK_FALSE(a.has(NTBYPASS_A_SPORT_MIN));
}

namespace {

// Rules of a REPLACE message: (in a NTBYPASS_A_RULES nest?, rules found).
std::pair<bool, size_t> decode_rule_set(const std::vector<Rule> &rules)
{
	nettune::NlMsgPtr msg(nlmsg_alloc_size(1 << 20), nlmsg_free);
	genlmsg_put(msg.get(), NL_AUTO_PORT, NL_AUTO_SEQ, 0x20, 0, 0, NTBYPASS_CMD_REPLACE, 1);
	put_rule_set(msg.get(), rules);
	auto *gh = static_cast<const genlmsghdr *>(nlmsg_data(nlmsg_hdr(msg.get())));
	nlattr *attrs = genlmsg_attrdata(gh, 0);
	int len = genlmsg_attrlen(gh, 0);
	bool nested = false;
	size_t found = 0;
	nlattr *a;
	int rem;
	nla_for_each_attr(a, attrs, len, rem)
	{
		if (nla_type(a) == NTBYPASS_A_RULES) {
			nested = true;
			nlattr *r;
			int rrem;
			nla_for_each_nested(r, a, rrem) found += nla_type(r) == NTBYPASS_A_RULE;
		} else if (nla_type(a) == NTBYPASS_A_RULE) {
			found++;
		}
	}
	return {nested, found};
}

std::vector<Rule> port_rules(int n)
{
	std::vector<Rule> rules;
	for (int i = 1; i <= n; i++)
		rules.push_back(parse_rule(
			{"proto", "udp", "dport", std::to_string(i), "src", "10.0.0.0/8"}));
	return rules;
}

} // namespace

TEST_CASE("bypass REPLACE nests small sets and flattens sets past 64 KiB")
{
	CHECK(decode_rule_set(port_rules(1000)) == std::pair<bool, size_t>{true, 1000});
	CHECK(decode_rule_set(port_rules(5000)) == std::pair<bool, size_t>{false, 5000});
}
