// nettune exp: the counter parsers and the table/JSON agreement of the runner.
#include "exp/counters.hpp"
#include "exp/experiment.hpp"
#include "exp/runner.hpp"

#include <catch2/catch.hpp>

using namespace nettune::exp;

TEST_CASE("softnet totals add up the CPUs of the 6.1 layout")
{
	const std::string text =
		"0000a2c1 00000003 0000001f 00000000 00000000 00000000 00000000 00000000 "
		"00000000 00000005 00000000 00000000 00000000\n"
		"00000010 00000000 00000002 00000000 00000000 00000000 00000000 00000000 "
		"00000000 00000000 00000001 00000000 00000001\n";
	auto t = softnet_total(nettune::observe::parse_softnet(text));
	CHECK(t.processed == 0xa2c1 + 0x10);
	CHECK(t.dropped == 3);
	CHECK(t.time_squeeze == 0x21);
	CHECK(t.received_rps == 5);
	CHECK(t.flow_limit == 1);
}

TEST_CASE("counter deltas: a missing or backward counter counts 0")
{
	const std::map<std::string, uint64_t> after{{"UdpNoPorts", 5}};
	CHECK(delta({{"UdpNoPorts", 3}}, after, "UdpNoPorts") == 2);
	CHECK(delta({{"UdpNoPorts", 9}}, after, "UdpNoPorts") == 0);
	CHECK(delta({}, after, "UdpInDatagrams") == 0);
}

TEST_CASE("ntvnic queue counters are summed over queues")
{
	std::map<std::string, uint64_t> s{{"rx_queue_0_irqs", 3},
					  {"rx_queue_1_irqs", 4},
					  {"rx_queue_1_packets", 9},
					  {"tx_queue_0_irqs", 100},
					  {"rx_queue_x_irqs", 100}};
	CHECK(sum_queue_field(s, "rx", "irqs") == 7);
	CHECK(sum_queue_field(s, "rx", "packets") == 9);
}

TEST_CASE("the table prints the JSON's numbers at the column's precision")
{
	nlohmann::json r = {{"x", {{"key", "rate"}, {"header", "rate"}, {"precision", 0}}},
			    {"columns",
			     {{{"key", "a"}, {"header", "a"}, {"precision", 2}},
			      {{"key", "b"}, {"header", "b"}, {"precision", 1}}}},
			    {"rows", {{{"variant", "napi"}, {"x", 10}, {"a", 0.25}, {"b", 3.0}}}}};
	auto cells = table_cells(r);
	REQUIRE(cells.size() == 1);
	CHECK(cells[0] == std::vector<std::string>{"napi", "10", "0.25", "3.0"});
	CHECK(table_header(r) == std::vector<std::string>{"variant", "rate", "a", "b"});
}

TEST_CASE("Results: series ends and lookups")
{
	Results r;
	r.rows = {{"a", 1, {{"v", 5}}}, {"a", 2, {{"v", 9}}}, {"b", 1, {{"v", 1}}}};
	CHECK(r.first("a").x == 1);
	CHECK(r.last("a").x == 2);
	CHECK(r.max_of("a", "v") == 9);
	CHECK(r.at("b", 1, "v") == 1);
	CHECK_THROWS(r.at("b", 2, "v"));
	CHECK(verdict_name(Verdict::not_reproduced) == "not reproduced");
}
