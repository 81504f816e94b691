// nettune cc: argument checking on the real binary (no kernel needed) and
// the library's parsing and decoding on fixtures captured in the VM.
#include "cc.hpp"
#include "error.hpp"
#include "run.hpp"

#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace cc = nettune::cc;
static const std::string cc_data = NETTUNE_TEST_DATA "/cc";

TEST_CASE("cc usage errors exit 2 and name the offending word")
{
	struct Case {
		std::vector<std::string> args;
		std::string word;
	} cases[] = {
		{{"cc", "params", "hystart"}, "'hystart': expected NAME=VALUE"},
		{{"cc", "params", "=1"}, "'=1': expected NAME=VALUE"},
		{{"cc", "params", "nosuch=1"}, "unknown tcp_ntcubic parameter 'nosuch'"},
		{{"cc", "params", "c=abc"}, "parameter c: 'abc' is not an unsigned integer"},
		{{"cc", "params", "c=-1"}, "parameter c: '-1'"},
		{{"cc", "params", "beta=700", "c="}, "parameter c: ''"},
		{{"cc", "set", "not valid!"}, "'not valid!' is not a congestion control name"},
		{{"cc", "set", "averyveryverylongname"}, "'averyveryverylongname'"},
		{{"cc", "set"}, "ALGO"},
		{{"cc", "frobnicate"}, "frobnicate"},
	};
	for (const auto &c : cases) {
		auto r = run_nettune(c.args);
		CAPTURE(c.args, r.err);
		CHECK(r.exit_code == 2);
		CHECK(r.err.find(c.word) != std::string::npos);
	}
}

TEST_CASE("cc params checks every assignment before writing any")
{
	// The second one is malformed: nothing may be written, and the error
	// is a usage error even where tcp_ntcubic is not loaded.
	auto r = run_nettune({"cc", "params", "c=500", "beta"});
	CHECK(r.exit_code == 2);
	CHECK(r.err.find("'beta': expected NAME=VALUE") != std::string::npos);
}

TEST_CASE("algorithm lists are read from procfs")
{
	auto a = cc::read_algorithms(cc_data + "/proc");
	CHECK(a.available == std::vector<std::string>{"reno", "cubic", "ntcubic"});
	CHECK(a.allowed == std::vector<std::string>{"reno", "cubic"});
	CHECK(a.current == "cubic");
	CHECK_THROWS_AS(cc::read_algorithms(cc_data + "/nonexistent"), nettune::Error);
}

TEST_CASE("set_default writes the name in one write")
{
	auto dir =
		std::filesystem::temp_directory_path() / ("nettune-cc-" + std::to_string(getpid()));
	std::filesystem::create_directories(dir);
	std::ofstream(dir / "tcp_congestion_control") << "cubic\n";
	cc::set_default("ntcubic", dir.string());
	std::ifstream in(dir / "tcp_congestion_control");
	std::string s;
	std::getline(in, s);
	CHECK(s == "ntcubic");
	CHECK_THROWS_AS(cc::set_default("a/b", dir.string()), nettune::UsageError);
	std::filesystem::remove_all(dir);
}

TEST_CASE("module parameters are read with their names, and the spec matches the module")
{
	auto p = cc::read_params(cc_data + "/parameters");
	REQUIRE(p.size() == cc::param_specs().size());
	for (const auto &s : cc::param_specs()) {
		CAPTURE(s.name);
		REQUIRE(p.count(s.name) == 1);
		// the fixture holds the module's defaults, captured in the VM
		CHECK(p[s.name] == s.def);
		CHECK(s.min <= s.def);
		CHECK(s.def <= s.max);
	}
	CHECK_THROWS_WITH(cc::read_params(cc_data + "/nonexistent"),
			  Catch::Contains("tcp_ntcubic is not loaded"));
}

TEST_CASE("parse_assignment accepts NAME=VALUE for known names")
{
	auto a = cc::parse_assignment("hystart_css_rounds=7");
	CHECK(a.name == "hystart_css_rounds");
	CHECK(a.value == 7);
	// the range is the kernel's to enforce; the parser passes it on
	CHECK(cc::parse_assignment("c=5000").value == 5000);
}

namespace {

ntcubic_sock_record sample_record()
{
	ntcubic_sock_record r{};
	r.family = 2; // AF_INET
	r.sport = 43210;
	r.dport = 5201;
	r.tcp_state = 1;
	r.ca_state = 3;
	const uint8_t s[4] = {10, 9, 0, 1}, d[4] = {10, 9, 0, 2};
	std::memcpy(r.saddr, s, 4);
	std::memcpy(r.daddr, d, 4);
	r.snd_cwnd = 70;
	r.snd_ssthresh = 70;
	r.srtt_us = 40500;
	r.total_retrans = 3;
	r.now_us = 5'000'000;
	r.ca.layout = NTCUBIC_LAYOUT_VERSION;
	r.ca.w_max = 100;
	r.ca.k = 4318; // cbrt(75) s in 2^-10 s
	r.ca.epoch_start = 3'500'000;
	r.ca.hs_state = NTCUBIC_HS_DONE;
	r.ca.c = 400;
	r.ca.beta = 700;
	r.ca.flags = NTCUBIC_F_HYSTART | NTCUBIC_F_FAST_CONV;
	r.ca.last_round_min_rtt = 0xffffffffu;
	r.ca.delay_min = 40100;
	r.ca.hs_ack_delta = 2000;
	return r;
}

} // namespace

TEST_CASE("iterator records decode into sockets with the module's state")
{
	auto r = sample_record();
	std::string bytes(reinterpret_cast<const char *>(&r), sizeof(r));
	bytes += bytes;
	auto socks = cc::decode_records(bytes);
	REQUIRE(socks.size() == 2);
	CHECK(socks[0].local == "10.9.0.1:43210");
	CHECK(socks[0].peer == "10.9.0.2:5201");
	auto j = cc::to_json(socks[0]);
	CHECK(j["state"] == "ESTAB");
	CHECK(j["ca_state"] == "recovery");
	CHECK(j["w_max"] == 100);
	CHECK(j["k_ms"] == 4216);
	CHECK(j["epoch_age_s"].get<double>() == Approx(1.5));
	CHECK(j["hystart"]["state"] == "done");
	CHECK(j["hystart"]["last_round_min_rtt_us"].is_null());
	CHECK(j["params"]["hystart"] == true);
	CHECK(j["params"]["reno_friendly"] == false);
	CHECK(j["params"]["hystart_ack_train"] == false);
	CHECK(j["hystart"]["delay_min_us"] == 40100);
	CHECK(j["params"]["hystart_ack_delta_us"] == 2000);

	CHECK_THROWS_WITH(cc::decode_records(bytes.substr(1)),
			  Catch::Contains("not a whole number"));
	r.ca.layout = NTCUBIC_LAYOUT_VERSION + 1;
	std::string other(reinterpret_cast<const char *>(&r), sizeof(r));
	CHECK_THROWS_WITH(cc::decode_records(other), Catch::Contains("different versions"));
}
