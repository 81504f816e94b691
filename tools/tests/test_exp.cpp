// nettune exp: the counter parsers and the table/JSON agreement of the runner.
#include "exp/counters.hpp"
#include "exp/experiment.hpp"
#include "exp/runner.hpp"
#include "exp/steering.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

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

TEST_CASE("fairness and shares of per-queue counts")
{
	CHECK(jain_fairness({5, 5, 5, 5}) == Approx(1.0));
	CHECK(jain_fairness({8, 0, 0, 0}) == Approx(0.25));
	CHECK(jain_fairness({}) == 0);
	CHECK(top_share_pct({1, 3}) == Approx(75));
	CHECK(top_share_pct({0, 0}) == 0);
}

TEST_CASE("softnet deltas per CPU and the share processed on one CPU")
{
	std::vector<SoftnetCpu> a(2), b(2);
	a[0].cpu = b[0].cpu = 0;
	a[1].cpu = b[1].cpu = 1;
	a[0].processed = 10;
	b[0].processed = 40;
	a[1].processed = 5;
	b[1].processed = 95;
	b[1].received_rps = 3;
	auto d = softnet_delta(a, b);
	REQUIRE(d.size() == 2);
	CHECK(d[0].processed == 30);
	CHECK(d[1].received_rps == 3);
	CHECK(processed_pct_on(d, 1) == Approx(75));
	CHECK(processed_pct_off(d, 1) == Approx(25));
	CHECK(processed_pct_on(d, 7) == 0);
}

TEST_CASE("ntvnic per-queue counters in queue order")
{
	std::map<std::string, uint64_t> s{
		{"rx_queue_0_packets", 3}, {"rx_queue_1_packets", 4}, {"rx_queue_10_packets", 9}};
	CHECK(queue_field(s, "rx", "packets") == std::vector<uint64_t>{3, 4});
}

TEST_CASE("CPU masks for rps_cpus")
{
	CHECK(cpu_mask_all(1) == "1");
	CHECK(cpu_mask_all(2) == "3");
	CHECK(cpu_mask_all(8) == "ff");
	CHECK(cpu_mask_all(32) == "ffffffff");
	CHECK(cpu_mask_all(36) == "f,ffffffff");
}
