// RSS reference hash against Microsoft's "Verifying the RSS Hash Calculation"
// tables (key 6d5a56da255b0ec2..., every row, IPv4 and IPv6, with and
// without ports), plus indirection, key and flow parsing.
#include "error.hpp"
#include "rss.hpp"

#include <catch2/catch.hpp>

using namespace nettune;

namespace {

struct Vector {
	const char *dst;
	uint16_t dport;
	const char *src;
	uint16_t sport;
	uint32_t hash_2tuple;
	uint32_t hash_4tuple;
};

// Columns as Microsoft prints them: destination first, then source.
const Vector ipv4_vectors[] = {
	{"161.142.100.80", 1766, "66.9.149.187", 2794, 0x323e8fc2, 0x51ccc178},
	{"65.69.140.83", 4739, "199.92.111.2", 14230, 0xd718262a, 0xc626b0ea},
	{"12.22.207.184", 38024, "24.19.198.95", 12898, 0xd2d0a5de, 0x5c2b394a},
	{"209.142.163.6", 2217, "38.27.205.30", 48228, 0x82989176, 0xafc7327f},
	{"202.188.127.2", 1303, "153.39.163.191", 44251, 0x5d1809c5, 0x10e828a2},
};

const Vector ipv6_vectors[] = {
	{"3ffe:2501:200:3::1", 1766, "3ffe:2501:200:1fff::7", 2794, 0x2cc18cd5, 0x40207d3d},
	{"ff02::1", 4739, "3ffe:501:8::260:97ff:fe40:efab", 14230, 0x0f0c461c, 0xdde51bbf},
	{"fe80::200:f8ff:fe21:67cf", 38024, "3ffe:1900:4545:3:200:f8ff:fe21:67cf", 44251,
	 0x4b61e985, 0x02d1feef},
};

std::string flow_text(const Vector &v, bool ipv6)
{
	auto ep = [ipv6](const char *a, uint16_t p) {
		std::string s = ipv6 ? "[" + std::string(a) + "]" : std::string(a);
		return s + ":" + std::to_string(p);
	};
	return ep(v.src, v.sport) + "," + ep(v.dst, v.dport);
}

void check_vector(const Vector &v, bool ipv6)
{
	INFO("flow " << flow_text(v, ipv6));
	auto tcp = rss::parse_flow(flow_text(v, ipv6), rss::Proto::tcp);
	CHECK(tcp.ipv6 == ipv6);
	CHECK(rss::flow_hash(rss::default_key(), tcp) == v.hash_4tuple);
	auto udp = rss::parse_flow(flow_text(v, ipv6), rss::Proto::udp);
	CHECK(rss::flow_hash(rss::default_key(), udp) == v.hash_4tuple);
	auto other = rss::parse_flow(flow_text(v, ipv6), rss::Proto::other);
	CHECK(rss::flow_hash(rss::default_key(), other) == v.hash_2tuple);
}

} // namespace

TEST_CASE("Toeplitz matches every IPv4 row of the Microsoft verification table", "[rss]")
{
	for (const auto &v : ipv4_vectors)
		check_vector(v, false);
}

TEST_CASE("Toeplitz matches every IPv6 row of the Microsoft verification table", "[rss]")
{
	for (const auto &v : ipv6_vectors)
		check_vector(v, true);
}

TEST_CASE("the hash input is src, dst, sport, dport in network order", "[rss]")
{
	auto f = rss::parse_flow("1.2.3.4:258,5.6.7.8:772", rss::Proto::tcp);
	CHECK(rss::hash_input(f, true) == std::vector<uint8_t>{1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4});
	CHECK(rss::hash_input(f, false).size() == 8);
	auto f6 = rss::parse_flow("[::1]:1,[::2]:2", rss::Proto::udp);
	CHECK(rss::hash_input(f6, true).size() == 36);
	CHECK(rss::hash_input(f6, false).size() == 32);
}

TEST_CASE("the default key is Microsoft's 40-byte verification key", "[rss]")
{
	const auto &k = rss::default_key();
	REQUIRE(k.size() == 40);
	CHECK(rss::format_key(k).substr(0, 23) == "6d:5a:56:da:25:5b:0e:c2");
	CHECK(rss::format_key(k).substr(rss::format_key(k).size() - 5) == "01:fa");
	CHECK(rss::parse_key(rss::format_key(k)) == k);
	CHECK(rss::parse_key("6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c"
			     "6a42b73bbeac01fa") == k);
}

TEST_CASE("a key too short for the input is refused, a longer key changes nothing", "[rss]")
{
	auto f6 = rss::parse_flow("[::1]:1,[::2]:2", rss::Proto::tcp);
	rss::Key short_key(rss::default_key().begin(), rss::default_key().begin() + 39);
	CHECK_THROWS_AS(rss::flow_hash(short_key, f6), Error);
	CHECK_THROWS_WITH(rss::flow_hash(short_key, f6), Catch::Contains("too short"));
	// An IPv4 4-tuple needs only 16 bytes of key.
	auto f4 = rss::parse_flow("66.9.149.187:2794,161.142.100.80:1766", rss::Proto::tcp);
	rss::Key k16(rss::default_key().begin(), rss::default_key().begin() + 16);
	CHECK(rss::flow_hash(k16, f4) == 0x51ccc178);
	// The kernel's netdev_rss_key is 52 bytes: trailing bytes are unused.
	rss::Key k52 = rss::default_key();
	k52.resize(52, 0xff);
	CHECK(rss::flow_hash(k52, f6) == rss::flow_hash(rss::default_key(), f6));
}

TEST_CASE("indirection: queue = indir[hash % size], default table is round robin", "[rss]")
{
	auto indir = rss::default_indir(128, 4);
	REQUIRE(indir.size() == 128);
	CHECK(indir[0] == 0);
	CHECK(indir[5] == 1);
	CHECK(indir[127] == 3);
	CHECK(rss::queue_for_hash(0x51ccc178, indir) == (0x51ccc178u % 128) % 4);
	std::vector<uint32_t> custom = {7, 9, 11};
	CHECK(rss::queue_for_hash(0, custom) == 7);
	CHECK(rss::queue_for_hash(4, custom) == 9);
	CHECK(rss::queue_for_hash(0xffffffff, custom) == custom[0xffffffffu % 3]);
	CHECK_THROWS_AS(rss::queue_for_hash(1, {}), Error);
	CHECK_THROWS_AS(rss::default_indir(128, 0), Error);
}

TEST_CASE("bad flows are refused naming the part that is wrong", "[rss]")
{
	auto msg = [](const std::string &flow) {
		try {
			rss::parse_flow(flow, rss::Proto::tcp);
		} catch (const UsageError &e) {
			return std::string(e.what());
		}
		return std::string("accepted");
	};
	CHECK_THAT(msg("1.2.3.4:80"), Catch::Contains("SRC:PORT,DST:PORT"));
	CHECK_THAT(msg("1.2.3:80,5.6.7.8:90"), Catch::Contains("source address '1.2.3'"));
	CHECK_THAT(msg("1.2.3.4:80,5.6.7.300:90"),
		   Catch::Contains("destination address '5.6.7.300'"));
	CHECK_THAT(msg("1.2.3.4:65536,5.6.7.8:90"), Catch::Contains("source port"));
	CHECK_THAT(msg("1.2.3.4:80,5.6.7.8:x"), Catch::Contains("destination port: 'x'"));
	CHECK_THAT(msg("1.2.3.4,5.6.7.8:90"), Catch::Contains("source '1.2.3.4': missing ':PORT'"));
	CHECK_THAT(msg("1.2.3.4:1,[::1]:2"), Catch::Contains("mix IPv4 and IPv6"));
	CHECK_THAT(msg("1.2.3.4:1,::1:2"), Catch::Contains("[ADDR]:PORT"));
	CHECK_THAT(msg("1.2.3.4:1,[::1:2"), Catch::Contains("missing ']'"));
	CHECK(msg("[fe80::1]:1,[::1]:2") == "accepted");
}

TEST_CASE("bad keys and protocols are refused naming the bad part", "[rss]")
{
	CHECK_THROWS_WITH(rss::parse_key("6d:5a:zz"), Catch::Contains("'zz'"));
	CHECK_THROWS_WITH(rss::parse_key("6d5"), Catch::Contains("even number"));
	CHECK_THROWS_AS(rss::parse_key(""), UsageError);
	CHECK(rss::parse_proto("udp") == rss::Proto::udp);
	CHECK_THROWS_WITH(rss::parse_proto("sctp"), Catch::Contains("'sctp'"));
}
