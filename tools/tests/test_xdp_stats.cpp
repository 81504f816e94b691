// nettune xdp stats: per-CPU aggregation, verdict totals, rates, per-queue
// counters from ethtool -S names, and the table and JSON saying the same.
#include "run.hpp"
#include "xdp_rules.hpp"

#include "sysfs.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace nettune::xdp;

namespace {

using PerCpu = std::vector<std::array<Counter, XDPF_NR_REASONS>>;

PerCpu sample()
{
	PerCpu cpus(2);
	cpus[0][XDPF_PASSED] = {10, 1000};
	cpus[1][XDPF_PASSED] = {5, 500};
	cpus[0][XDPF_NON_IP] = {2, 84};
	cpus[1][XDPF_MALFORMED] = {1, 20};
	cpus[0][XDPF_BLOCKED_PREFIX] = {7, 700};
	cpus[1][XDPF_DENIED_PORT] = {100, 6000};
	cpus[0][XDPF_SYNLIMIT] = {3, 180};
	cpus[1][XDPF_SYNLIMIT] = {4, 240};
	return cpus;
}

// "name  verdict  packets  bytes ..." rows of the reason table, by name.
std::map<std::string, std::vector<std::string>> table_rows(const std::string &text)
{
	std::map<std::string, std::vector<std::string>> rows;
	for (const auto &line : nettune::split(text, '\n')) {
		auto w = nettune::split_whitespace(line);
		if (!w.empty())
			rows[w[0]] = w;
	}
	return rows;
}

} // namespace

TEST_CASE("xdp stats: per-CPU counters add up per reason and per verdict")
{
	auto s = aggregate(sample());
	CHECK(s.reason[XDPF_PASSED] == Counter{15, 1500});
	CHECK(s.reason[XDPF_SYNLIMIT] == Counter{7, 420});
	CHECK(s.verdict(Verdict::pass) == Counter{18, 1604});
	CHECK(s.verdict(Verdict::drop) == Counter{114, 7120});
	CHECK(s.total() == Counter{132, 8724});
	CHECK(s.per_cpu.size() == 2);
	// Every reason has one verdict, the drops are the last three.
	for (const auto &r : reasons())
		CHECK((r.verdict == Verdict::drop) == (r.reason >= XDPF_BLOCKED_PREFIX));
}

TEST_CASE("xdp stats: rates over an interval, a reset counter counts from 0")
{
	auto before = aggregate(sample());
	auto cpus = sample();
	cpus[1][XDPF_DENIED_PORT] = {300, 18000}; // +200 packets, +12000 bytes
	auto after = aggregate(cpus);
	auto r = rates(before, after, 2.0);
	CHECK(r.reason[XDPF_DENIED_PORT].pps == Approx(100));
	CHECK(r.reason[XDPF_DENIED_PORT].bps == Approx(48000));
	CHECK(r.drop.pps == Approx(100));
	CHECK(r.pass.pps == Approx(0));
	auto reset = rates(after, aggregate(PerCpu(2)), 1.0);
	CHECK(reset.drop.pps == Approx(0));
	CHECK(rates(before, after, 0).drop.pps == 0);
}

TEST_CASE("xdp stats: the table and the JSON give the same numbers")
{
	auto s = aggregate(sample());
	std::ostringstream out;
	print_stats(out, s, true);
	auto rows = table_rows(out.str());
	auto j = stats_json(s, true);
	for (const auto &r : reasons()) {
		INFO(r.name);
		REQUIRE(rows.count(r.name));
		const auto &row = rows[r.name];
		REQUIRE(row.size() == 6); // name verdict packets bytes cpu0 cpu1
		const auto &jr = j["reasons"][r.name];
		CHECK(row[1] == jr["verdict"].get<std::string>());
		CHECK(row[2] == std::to_string(jr["packets"].get<uint64_t>()));
		CHECK(row[3] == std::to_string(jr["bytes"].get<uint64_t>()));
		CHECK(row[4] == std::to_string(jr["per_cpu_packets"][0].get<uint64_t>()));
		CHECK(row[5] == std::to_string(jr["per_cpu_packets"][1].get<uint64_t>()));
	}
	for (const char *v : {"pass", "drop"}) {
		INFO(v);
		REQUIRE(rows.count(v));
		CHECK(rows[v][1] == std::to_string(j["verdicts"][v]["packets"].get<uint64_t>()));
		CHECK(rows[v][2] == std::to_string(j["verdicts"][v]["bytes"].get<uint64_t>()));
	}
	CHECK(j["verdicts"]["drop"]["packets"] == 114);
	CHECK_FALSE(stats_json(s, false)["reasons"]["passed"].contains("per_cpu_packets"));
}

TEST_CASE("xdp stats: per-queue XDP counters from ethtool -S names")
{
	// veth's names (6.1) and the rx_queue_N_xdp_{pass,drop,...} style.
	std::vector<std::pair<std::string, uint64_t>> stats = {
		{"peer_ifindex", 5},         {"rx_queue_0_xdp_packets", 12},
		{"rx_queue_0_xdp_drops", 7}, {"rx_queue_0_drops", 1},
		{"rx_queue_1_xdp_pass", 3},  {"rx_queue_1_xdp_drop", 9},
		{"tx_queue_0_xdp_xmit", 4},
	};
	auto q = queue_xdp_stats(stats);
	REQUIRE(q.size() == 2);
	CHECK(q[0] == std::map<std::string, uint64_t>{{"xdp_drops", 7}, {"xdp_packets", 12}});
	CHECK(q[1] == std::map<std::string, uint64_t>{{"xdp_drop", 9}, {"xdp_pass", 3}});
	CHECK(queue_xdp_stats({{"rx_queue_0_packets", 5}}).empty());

	std::ostringstream out;
	print_queue_stats(out, q);
	auto rows = table_rows(out.str());
	REQUIRE(rows.count("RX-QUEUE"));
	CHECK(rows["RX-QUEUE"] == std::vector<std::string>{"RX-QUEUE", "XDP-DROPS", "XDP-PACKETS",
							   "XDP-DROP", "XDP-PASS"});
	CHECK(rows["0"] == std::vector<std::string>{"0", "7", "12", "-", "-"});
	CHECK(rows["1"] == std::vector<std::string>{"1", "-", "-", "9", "3"});
	auto j = queue_stats_json(q);
	CHECK(j[1]["queue"] == 1);
	CHECK(j[1]["xdp_drop"] == 9);
}

TEST_CASE("nettune xdp: bad input is a usage error naming it, before any kernel access")
{
	auto r = run_nettune({"xdp", "block", "198.51.100.7/24"});
	CHECK(r.exit_code == 2);
	CHECK(r.err.find("has bits set past /24 (the network is 198.51.100.0/24)") !=
	      std::string::npos);

	r = run_nettune({"xdp", "deny", "tcp", "70000"});
	CHECK(r.exit_code == 2);
	CHECK(r.err == "nettune: port '70000' is not in [1, 65535]\n");

	r = run_nettune({"xdp", "synlimit", "0/s", "burst", "5"});
	CHECK(r.exit_code == 2);
	CHECK(r.err.find("rate of 0/s") != std::string::npos);

	r = run_nettune({"xdp", "attach", "lo", "mode", "turbo"});
	CHECK(r.exit_code == 2);
	CHECK(r.err == "nettune: mode 'turbo' is not native or generic\n");

	r = run_nettune({"xdp", "block", "10.0.0.0/8", "device", "x"});
	CHECK(r.exit_code == 2);
	CHECK(r.err == "nettune: unknown keyword 'device'\n");

	r = run_nettune({"xdp", "deny", "tcp"});
	CHECK(r.exit_code == 2);
	CHECK(r.err.find("usage: nettune xdp deny tcp|udp PORT [dev DEV]") != std::string::npos);

	// --watch takes an optional interval: a word after it that is no
	// number is the next argument.
	r = run_nettune({"xdp", "stats", "--watch", "dev", "nt-no-such-dev0"});
	CHECK(r.exit_code == 1);
	CHECK(r.err == "nettune: no device 'nt-no-such-dev0' in this network namespace\n");

	r = run_nettune({"xdp", "stats", "--watch", "0.01"});
	CHECK(r.exit_code == 2);
	CHECK(r.err == "nettune: --watch: interval must be at least 0.1 s\n");

	r = run_nettune({"xdp", "attach", "nt-no-such-dev0"});
	CHECK(r.exit_code == 1);
	CHECK(r.err == "nettune: no device 'nt-no-such-dev0' in this network namespace\n");
}
