// The exit-code convention and global options, observed on the real binary.
#include "run.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

TEST_CASE("nettune version prints the tool version and the project modules")
{
	auto r = run_nettune({"version"});
	REQUIRE(r.exit_code == 0);
	CHECK(r.out.find("nettune " NETTUNE_VERSION) != std::string::npos);
	CHECK(r.out.find("ntvnic") != std::string::npos);
	CHECK(r.out.find("tcp_ntcubic") != std::string::npos);
}

TEST_CASE("the json flag works before and after the subcommand")
{
	for (auto args : {std::vector<std::string>{"--json", "version"}, {"version", "--json"}}) {
		auto r = run_nettune(args);
		REQUIRE(r.exit_code == 0);
		auto j = nlohmann::json::parse(r.out);
		CHECK(j["version"] == NETTUNE_VERSION);
		CHECK(j["modules"].size() == 3);
	}
}

TEST_CASE("usage errors exit 2 and name what was wrong")
{
	auto r = run_nettune({"no-such-object"});
	CHECK(r.exit_code == 2);
	CHECK(r.err.find("no-such-object") != std::string::npos);

	auto none = run_nettune({});
	CHECK(none.exit_code == 2);
}

TEST_CASE("a failed operation exits 1 and names the namespace")
{
	auto r = run_nettune({"-n", "nettune-no-such-ns", "version"});
	CHECK(r.exit_code == 1);
	CHECK(r.err.find("nettune-no-such-ns") != std::string::npos);
}
