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
