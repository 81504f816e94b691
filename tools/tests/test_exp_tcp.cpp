// nettune exp, the TCP helpers: iperf3's JSON (captured from iperf3 3.12,
// as Debian ships it) and the netem arguments the experiments build.
#include "error.hpp"
#include "exp/tcp.hpp"
#include "exp/tcp_load.hpp"
#include "sysfs.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace nettune::exp;

TEST_CASE("iperf3 -J: rates, bytes, retransmits, RTT and congestion control")
{
	auto r = parse_iperf3_json(nettune::read_file(NETTUNE_TEST_DATA "/iperf3-client.json"));
	CHECK(r.received_mbps == Approx(33887.61).epsilon(1e-4));
	CHECK(r.sent_mbps > 0);
	CHECK(r.bytes_received == 4247257088ull);
	CHECK(r.seconds == Approx(1.002669));
	CHECK(r.mean_rtt_ms == Approx(0.093));
	CHECK(r.congestion == "cubic");
}

TEST_CASE("iperf3 -J: its error becomes ours, with its words")
{
	auto text = nettune::read_file(NETTUNE_TEST_DATA "/iperf3-client-error.json");
	REQUIRE_THROWS_AS(parse_iperf3_json(text), nettune::Error);
	REQUIRE_THROWS_WITH(parse_iperf3_json(text), Catch::Contains("Connection refused"));
	REQUIRE_THROWS_WITH(parse_iperf3_json("iperf3: error - bad"), Catch::Contains("not JSON"));
}

TEST_CASE("netem arguments: only what is set, in tc's words")
{
	CHECK(netem_args(Netem{}).empty());
	Netem n;
	n.delay_ms = 100;
	n.loss_pct = 0.1;
	n.rate_mbit = 20;
	n.limit = 334;
	CHECK(netem_args(n) == std::vector<std::string>{"delay", "100ms", "loss", "random", "0.1%",
							"rate", "20mbit", "limit", "334"});
	Netem r;
	r.delay_ms = 1;
	r.reorder_pct = 5;
	CHECK(netem_args(r) == std::vector<std::string>{"delay", "1ms", "reorder", "5%"});
}

TEST_CASE("send modes by name")
{
	for (auto m : {SendMode::write, SendMode::sendfile, SendMode::splice, SendMode::zerocopy})
		CHECK(parse_send_mode(send_mode_name(m)) == m);
	CHECK_THROWS_AS(parse_send_mode("mmap"), nettune::Error);
}
