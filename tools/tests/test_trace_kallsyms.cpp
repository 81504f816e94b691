#include "error.hpp"
#include "sysfs.hpp"
#include "trace_kallsyms.hpp"
#include "trace_names.hpp"

#include <catch2/catch.hpp>
#include <netinet/in.h>

using nettune::trace::Kallsyms;

namespace {

const std::string kFixture = std::string(NETTUNE_TEST_DATA) + "/trace-kallsyms.txt";

} // namespace

// tools/tests/data/trace-kallsyms.txt: grep of /proc/kallsyms in the VM
// (Debian 6.1.0-57, ntvnic loaded), data symbol init_net included.
TEST_CASE("kallsyms excerpt from the VM: places and functions are named")
{
	auto k = Kallsyms::load(kFixture);
	REQUIRE(k.size() > 10);
	auto ip_rcv = k.unique_address("ip_rcv");
	REQUIRE(ip_rcv);
	CHECK(k.symbolize(*ip_rcv) == "ip_rcv+0x0");
	CHECK(k.symbolize(*ip_rcv + 0x4a) == "ip_rcv+0x4a");
	CHECK(k.function(*ip_rcv + 0x4a) == "ip_rcv");
	auto xmit = k.unique_address("ntvnic_open");
	REQUIRE(xmit);
	CHECK(k.symbolize(*xmit + 0x10) == "ntvnic_open+0x10 [ntvnic]");
	CHECK(k.function(*xmit) == "ntvnic_open");
	// data symbols (d, b, D) are not functions
	CHECK_FALSE(k.unique_address("init_net"));
	// below every symbol
	CHECK(k.symbolize(0x1000) == "0x1000");
}

TEST_CASE("kallsyms: names defined twice have no unique address")
{
	auto k = Kallsyms::parse("ffffffff81000000 T _stext\n"
				 "ffffffff81001000 t cleanup_module\n"
				 "ffffffffc0001000 t cleanup_module\t[mod_a]\n"
				 "ffffffff81002000 T only_once\n"
				 "garbage line\n"
				 "zzzz T bad_address\n");
	CHECK(k.size() == 4);
	CHECK_FALSE(k.unique_address("cleanup_module"));
	CHECK(k.unique_address("only_once") == 0xffffffff81002000ull);
	CHECK(k.symbolize(0xffffffffc0001004ull) == "cleanup_module+0x4 [mod_a]");
}

TEST_CASE("kallsyms read without privilege (all zero) is refused with the reason")
{
	try {
		Kallsyms::parse("0000000000000000 T _stext\n0000000000000000 t ip_rcv\n");
		FAIL("no error");
	} catch (const nettune::Error &e) {
		CHECK(std::string(e.what()).find("kptr_restrict") != std::string::npos);
	}
}

TEST_CASE("protocol and endpoint names")
{
	using namespace nettune::trace;
	CHECK(protocol_name(0x0800, IPPROTO_UDP) == "ipv4/udp");
	CHECK(protocol_name(0x86dd, IPPROTO_ICMPV6) == "ipv6/icmp6");
	CHECK(protocol_name(0x0806, 0) == "arp");
	CHECK(protocol_name(0x88cc, 0) == "0x88cc");
	CHECK(protocol_name(0, 0) == "-");
	const uint8_t v4[16] = {10, 0, 0, 1};
	CHECK(endpoint(AF_INET, v4, 80) == "10.0.0.1:80");
	uint8_t v6[16] = {0xfd};
	v6[15] = 1;
	CHECK(endpoint(AF_INET6, v6, 443) == "[fd00::1]:443");
}
