// The wire's words: rate, delay and loss parsed into what the kernel takes
// (bit/s, microseconds, frames per million) and printed back.
#include "error.hpp"
#include "genl.hpp"
#include "run.hpp"
#include "vnic_wire.hpp"

#include <catch2/catch.hpp>
#include <cstring>
#include <linux/netlink.h>
#include <vector>

using namespace nettune::vnic;

TEST_CASE("wire rate: tc units, 0/off unlimited, bad words refused", "[vnic-wire]")
{
	CHECK(parse_wire_rate("100mbit") == 100000000ULL);
	CHECK(parse_wire_rate("1gbit") == 1000000000ULL);
	CHECK(parse_wire_rate("1.5mbit") == 1500000ULL);
	CHECK(parse_wire_rate("12.5mbps") == 100000000ULL);
	CHECK(parse_wire_rate("0") == 0);
	CHECK(parse_wire_rate("off") == 0);
	CHECK_THROWS_AS(parse_wire_rate("100"), nettune::UsageError);
	CHECK_THROWS_AS(parse_wire_rate("fast"), nettune::UsageError);
	CHECK(format_wire_rate(100000000) == "100mbit");
	CHECK(format_wire_rate(1500000) == "1.5mbit");
	CHECK(format_wire_rate(0) == "unlimited");
	CHECK(format_wire_rate(100000) == "100kbit");
}

TEST_CASE("wire delay: microseconds", "[vnic-wire]")
{
	CHECK(parse_wire_delay("10ms") == 10000);
	CHECK(parse_wire_delay("250us") == 250);
	CHECK(parse_wire_delay("1s") == 1000000);
	CHECK(parse_wire_delay("0") == 0);
	CHECK_THROWS_AS(parse_wire_delay("10"), nettune::UsageError);
	CHECK(format_wire_delay(10000) == "10ms");
	CHECK(format_wire_delay(250) == "250us");
	CHECK(format_wire_delay(1500) == "1.5ms");
	CHECK(format_wire_delay(0) == "0");
}

TEST_CASE("wire loss: a percentage into frames per million", "[vnic-wire]")
{
	CHECK(parse_wire_loss("0.1%") == 1000);
	CHECK(parse_wire_loss("100%") == 1000000);
	CHECK(parse_wire_loss("150%") == 1500000); // the kernel refuses it
	CHECK(parse_wire_loss("0") == 0);
	CHECK_THROWS_AS(parse_wire_loss("0.1"), nettune::UsageError);
	CHECK_THROWS_AS(parse_wire_loss("x%"), nettune::UsageError);
	CHECK(format_wire_loss(1000) == "0.1%");
	CHECK(format_wire_loss(0) == "0");
}

TEST_CASE("vnic set: a bad wire word exits 2 naming it", "[vnic-wire]")
{
	auto r = run_nettune({"vnic", "set", "nt0", "loss", "5"});
	CHECK(r.exit_code == 2);
	CHECK(r.err.find("loss '5'") != std::string::npos);
	r = run_nettune({"vnic", "set", "nt0", "rate", "fast"});
	CHECK(r.exit_code == 2);
	CHECK(r.err.find("rate 'fast'") != std::string::npos);
}

namespace {

void put_attr(std::vector<char> &buf, uint16_t type, const void *data, size_t len)
{
	nlattr a{};
	a.nla_len = (uint16_t)(NLA_HDRLEN + len);
	a.nla_type = type;
	const size_t at = buf.size();
	buf.resize(at + NLA_ALIGN(a.nla_len));
	std::memcpy(&buf[at], &a, sizeof(a));
	std::memcpy(&buf[at + NLA_HDRLEN], data, len);
}

} // namespace

TEST_CASE("extack detail: the offending attribute's offset and its policy range", "[vnic-wire]")
{
	// An error message as the kernel sends a policy refusal: capped (no
	// echoed request), MSG, OFFS and a POLICY nest with min and max.
	std::vector<char> policy;
	const uint64_t min = 0, max = 100000000000ULL;
	put_attr(policy, NL_POLICY_TYPE_ATTR_MIN_VALUE_U, &min, sizeof(min));
	put_attr(policy, NL_POLICY_TYPE_ATTR_MAX_VALUE_U, &max, sizeof(max));
	std::vector<char> tlvs;
	const char msg[] = "integer out of range";
	put_attr(tlvs, NLMSGERR_ATTR_MSG, msg, sizeof(msg));
	const uint32_t offs = 36;
	put_attr(tlvs, NLMSGERR_ATTR_OFFS, &offs, sizeof(offs));
	put_attr(tlvs, NLMSGERR_ATTR_POLICY, policy.data(), policy.size());

	std::vector<char> buf(NLMSG_HDRLEN + sizeof(nlmsgerr));
	buf.insert(buf.end(), tlvs.begin(), tlvs.end());
	auto *nlh = reinterpret_cast<nlmsghdr *>(buf.data());
	nlh->nlmsg_len = (uint32_t)buf.size();
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED | NLM_F_ACK_TLVS;
	auto *err = reinterpret_cast<nlmsgerr *>(buf.data() + NLMSG_HDRLEN);
	err->error = -34;
	err->msg.nlmsg_len = NLMSG_HDRLEN + 40;

	CHECK(nettune::extack_message(buf.data(), buf.size()) == std::string(msg));
	auto d = nettune::extack_detail(buf.data(), buf.size());
	REQUIRE(d.offset);
	CHECK(*d.offset == offs);
	REQUIRE(d.min);
	REQUIRE(d.max);
	CHECK(*d.min == 0);
	CHECK(*d.max == max);
}
