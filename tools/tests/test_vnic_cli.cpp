// nettune vnic on the host, without the module: usage errors exit 2 naming
// the word, a missing module exits 1 saying so, offline RSS prediction works.
#include "run.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace {

bool module_loaded()
{
	return access("/sys/module/ntvnic", F_OK) == 0;
}

void check_usage_error(const std::vector<std::string> &args, const std::string &word)
{
	auto r = run_nettune(args);
	INFO("stderr: " << r.err);
	CHECK(r.exit_code == 2);
	CHECK(r.err.find(word) != std::string::npos);
}

const char *ms_flow = "66.9.149.187:2794,161.142.100.80:1766";

} // namespace

TEST_CASE("vnic add/set: unknown keywords and bad numbers exit 2 naming the word", "[vnic-cli]")
{
	check_usage_error({"vnic", "add", "nt0", "queus", "4"}, "'queus'");
	check_usage_error({"vnic", "add", "nt0", "queues", "four"}, "queues: 'four'");
	check_usage_error({"vnic", "add", "nt0", "rx-ring", "-1"}, "rx-ring");
	check_usage_error({"vnic", "add", "nt0", "tx-ring", "4294967296"}, "tx-ring");
	check_usage_error({"vnic", "add", "nt0", "peer"}, "'peer' needs a value");
	check_usage_error({"vnic", "add", "nt0", "queues", "2", "queues", "3"}, "given twice");
	check_usage_error({"vnic", "add", "nt0", "mode", "turbo"}, "mode: 'turbo'");
	check_usage_error({"vnic", "add", "a-name-much-too-long"}, "a-name-much-too-long");
	check_usage_error({"vnic", "set", "nt0", "weight", "x"}, "weight: 'x'");
	check_usage_error({"vnic", "set", "nt0", "peer", "nt1"}, "'peer'");
	check_usage_error({"vnic", "set", "nt0"}, "nothing to change");
	check_usage_error({"vnic", "set", "nt0", "rx-usecs", "soon"}, "rx-usecs: 'soon'");
	check_usage_error({"vnic", "add", "nt0", "tx-frames", "-8"}, "tx-frames");
	check_usage_error({"vnic", "add"}, "name");
	check_usage_error({"vnic", "frobnicate"}, "frobnicate");
	check_usage_error({"vnic", "show", "--watch", "0.01"}, "--watch");
	check_usage_error({"vnic", "show", "--watch", "often"}, "--watch");
}

TEST_CASE("vnic commands without the module exit 1 saying it is not loaded", "[vnic-cli]")
{
	if (module_loaded())
		return; // this check is for machines without ntvnic
	for (auto args : {std::vector<std::string>{"vnic", "show"},
			  {"vnic", "show", "-s", "nt0"},
			  {"vnic", "add", "nt0", "queues", "4"},
			  {"vnic", "del", "nt0"},
			  {"vnic", "set", "nt0", "mode", "legacy"}}) {
		auto r = run_nettune(args);
		INFO("args: " << args[1] << " stderr: " << r.err);
		CHECK(r.exit_code == 1);
		CHECK(r.err.find("ntvnic module not loaded") != std::string::npos);
	}
}

TEST_CASE("vnic rss offline predicts the Microsoft vector's hash and queue", "[vnic-cli]")
{
	auto r = run_nettune({"vnic", "rss", "--flow", ms_flow, "--queues", "4", "--json"});
	REQUIRE(r.exit_code == 0);
	auto j = nlohmann::json::parse(r.out);
	CHECK(j["hash"] == 0x51ccc178u);
	CHECK(j["hash_hex"] == "0x51ccc178");
	CHECK(j["indir_index"] == 0x51ccc178u % 128);
	CHECK(j["queue"] == (0x51ccc178u % 128) % 4);
	CHECK(j["input"] == "4-tuple");

	auto two = run_nettune({"vnic", "rss", "--flow", ms_flow, "--queues", "3", "--proto",
				"other", "--indir-size", "64", "--json"});
	REQUIRE(two.exit_code == 0);
	auto j2 = nlohmann::json::parse(two.out);
	CHECK(j2["hash"] == 0x323e8fc2u);
	CHECK(j2["queue"] == (0x323e8fc2u % 64) % 3);
}

TEST_CASE("vnic rss offline handles IPv6 and a given key", "[vnic-cli]")
{
	auto r = run_nettune({"vnic", "rss", "--flow",
			      "[3ffe:2501:200:1fff::7]:2794,[3ffe:2501:200:3::1]:1766", "--queues",
			      "8", "--proto", "udp"});
	REQUIRE(r.exit_code == 0);
	CHECK(r.out.find("hash   0x40207d3d") != std::string::npos);
	CHECK(r.out.find("[3ffe:2501:200:1fff::7]:2794") != std::string::npos);

	// An all-zero key hashes everything to 0: queue 0.
	auto z = run_nettune({"vnic", "rss", "--flow", ms_flow, "--queues", "4", "--key",
			      std::string(80, '0'), "--json"});
	REQUIRE(z.exit_code == 0);
	CHECK(nlohmann::json::parse(z.out)["hash"] == 0);
}

TEST_CASE("vnic rss: bad flows exit 2 naming the bad part", "[vnic-cli]")
{
	auto rss = [](const std::string &flow) {
		return std::vector<std::string>{"vnic", "rss", "--flow", flow, "--queues", "4"};
	};
	check_usage_error(rss("10.0.0.1:80"), "SRC:PORT,DST:PORT");
	check_usage_error(rss("10.0.0.300:80,10.0.0.2:80"), "source address '10.0.0.300'");
	check_usage_error(rss("10.0.0.1:80,10.0.0.2:99999"), "destination port");
	check_usage_error(rss("10.0.0.1:80,[::1]:80"), "mix IPv4 and IPv6");
	check_usage_error(rss("[::1:80,[::2]:80"), "missing ']'");
	check_usage_error({"vnic", "rss", "--flow", ms_flow, "--queues", "4", "--proto", "sctp"},
			  "'sctp'");
	check_usage_error({"vnic", "rss", "--flow", ms_flow, "--queues", "4", "--key", "6d:zz"},
			  "'zz'");
	check_usage_error({"vnic", "rss", "--flow", ms_flow}, "--queues");
	check_usage_error({"vnic", "rss", "--queues", "4"}, "--flow");
	check_usage_error({"vnic", "rss", "--flow", ms_flow, "--queues", "0"}, "--queues");
	check_usage_error({"vnic", "rss", "--flow", ms_flow, "--queues", "2", "--indir-size", "0"},
			  "--indir-size");
	check_usage_error({"vnic", "rss", "eth0", "--flow", ms_flow, "--queues", "2"},
			  "offline mode");
}

TEST_CASE("vnic rss on a device without RSS fails naming the device and request", "[vnic-cli]")
{
	auto r = run_nettune({"vnic", "rss", "lo", "--flow", ms_flow});
	CHECK(r.exit_code == 1);
	CHECK(r.err.find("lo: read RSS") != std::string::npos);
	auto missing = run_nettune({"vnic", "rss", "nt-nosuchdev", "--flow", ms_flow});
	CHECK(missing.exit_code == 1);
	CHECK(missing.err.find("nt-nosuchdev") != std::string::npos);
}
