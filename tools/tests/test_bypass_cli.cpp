// `nettune bypass` usage errors, observed on the real binary (no module
// needed: they are refused before any netlink request).
#include "run.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

namespace {

const std::string data = NETTUNE_TEST_DATA;

} // namespace

TEST_CASE("bypass add: a bad rule is a usage error naming the word")
{
	auto r = run_nettune({"bypass", "add", "proto", "tcp", "dport", "0"});
	CHECK(r.exit_code == 2);
	CHECK(r.err == "nettune: dport: port '0' is not in [1, 65535]\n");

	r = run_nettune({"bypass", "add", "dport", "80"});
	CHECK(r.exit_code == 2);
	CHECK(r.err.find("dport: ports need proto") != std::string::npos);

	r = run_nettune({"bypass", "add"});
	CHECK(r.exit_code == 2);
	CHECK(r.err.find("empty rule") != std::string::npos);
}

TEST_CASE("bypass del needs an ID or a valid spec")
{
	auto r = run_nettune({"bypass", "del"});
	CHECK(r.exit_code == 2);
	r = run_nettune({"bypass", "del", "proto", "tcp", "sport", "9-1"});
	CHECK(r.exit_code == 2);
	CHECK(r.err.find("sport: range '9-1' is upside down") != std::string::npos);
}

TEST_CASE("bypass load refuses the whole file with FILE:LINE")
{
	auto file = data + "/bypass-rules-bad.conf";
	auto r = run_nettune({"bypass", "load", file});
	CHECK(r.exit_code == 2);
	CHECK(r.err ==
	      "nettune: " + file + ":6: dport: range '4430-443' is upside down (low-high)\n");

	r = run_nettune({"bypass", "load", data + "/no-such-file"});
	CHECK(r.exit_code == 1);
	CHECK(r.err.find("cannot read") != std::string::npos);
}

TEST_CASE("bypass status reports conntrack even without the module")
{
	auto r = run_nettune({"--json", "bypass", "status"});
	REQUIRE(r.exit_code == 0);
	auto j = nlohmann::json::parse(r.out);
	CHECK(j["conntrack"].contains("loaded"));
	CHECK(j["ntbypass"].contains("loaded"));
}

TEST_CASE("bypass load names the line of a missing interface")
{
	auto file = data + "/bypass-rules-noif.conf";
	auto r = run_nettune({"bypass", "load", file});
	CHECK(r.exit_code == 1);
	CHECK(r.err == "nettune: " + file + ":3: iif: no device 'nt-no-such0' in this namespace\n");
}
