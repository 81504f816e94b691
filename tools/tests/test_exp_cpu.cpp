// nettune exp: per-CPU time from /proc/stat and the side-by-side medians.
#include "exp/cpu.hpp"
#include "exp/paired.hpp"

#include <catch2/catch.hpp>
#include <cmath>

using namespace nettune::exp;

TEST_CASE("/proc/stat: per-CPU lines in seconds, the total line left out")
{
	const std::string text = "cpu  300 0 200 1000 10 0 50 0 0 0\n"
				 "cpu0 100 0 100 500 5 0 0 0 0 0\n"
				 "cpu1 200 0 100 500 5 20 30 0 0 0\n"
				 "intr 12345 0 0\n"
				 "ctxt 999\n";
	auto t = parse_proc_stat(text, 100);
	REQUIRE(t.size() == 2);
	CHECK(t[1].cpu == 1);
	CHECK(t[1].user == Approx(2.0));
	CHECK(t[1].softirq == Approx(0.3));
	CHECK(t[1].busy() == Approx(2.0 + 1.0 + 0.2 + 0.3));
	CHECK_THROWS(parse_proc_stat("cpu0 1 2 3\n", 100));
}

TEST_CASE("CPU time deltas and busy time per packet")
{
	auto a = parse_proc_stat("cpu0 0 0 0 0 0 0 0 0\ncpu1 0 0 0 0 0 0 0 0\n", 100);
	auto b = parse_proc_stat("cpu0 0 0 0 200 0 0 0 0\ncpu1 0 0 50 100 0 0 50 0\n", 100);
	auto d = cpu_time_delta(a, b);
	REQUIRE(d.size() == 2);
	CHECK(cpu_of(d, 1).busy() == Approx(1.0));
	CHECK(busy_seconds(d, 1, 2.0) == Approx(1.0));
	CHECK(busy_seconds(d, 1, 0.5) == Approx(0.5)); // clamped to the window
	CHECK(busy_seconds(d, 0, 2.0) == Approx(0.0));
	CHECK(busy_us_per_packet(d, 1, 2.0, 1000) == Approx(1000.0));
	CHECK(std::isnan(busy_us_per_packet(d, 1, 2.0, 0)));
	CHECK(cpu_of(d, 7).busy() == 0);
}

TEST_CASE("side-by-side rounds: median and range over rows")
{
	Results r;
	r.rows = {{"", 1, {{"gain", 1.5}}},
		  {"", 2, {{"gain", 3.0}}},
		  {"", 3, {{"gain", 1.0}}},
		  {"", 4, {{"gain", NAN}}},
		  {"other", 1, {{"gain", 100}}}};
	CHECK(median_over_rows(r, "", "gain") == Approx(1.5));
	auto [lo, hi] = range_over_rows(r, "", "gain");
	CHECK(lo == Approx(1.0));
	CHECK(hi == Approx(3.0));
	CHECK(std::isnan(median_over_rows(r, "", "missing")));
}
