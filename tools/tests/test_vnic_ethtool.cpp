// ethtool helper: `ethtool -S` text captured from real devices grouped into
// per-queue counters, and the ioctl path's error reporting.
#include "error.hpp"
#include "ethtool.hpp"
#include "sysfs.hpp"

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <sched.h>
#include <thread>
#include <unistd.h>

using namespace nettune;

namespace {

ethtool::StatList fixture(const std::string &name)
{
	return ethtool::parse_ethtool_s_text(
		read_file(std::string(NETTUNE_TEST_DATA) + "/" + name));
}

} // namespace

TEST_CASE("ethtool -S text of a 4-queue veth parses into name/value pairs", "[ethtool]")
{
	auto stats = fixture("vnic-ethtool-S-veth.txt");
	REQUIRE(stats.size() == 37);
	CHECK(stats.front() == ethtool::Stat{"peer_ifindex", 2});
	CHECK(stats[1].first == "rx_queue_0_xdp_packets");
}

TEST_CASE("veth counters group into 4 rx queues and one device counter", "[ethtool]")
{
	auto g = ethtool::group_by_queue(fixture("vnic-ethtool-S-veth.txt"));
	REQUIRE(g.device.size() == 1);
	CHECK(g.device[0].first == "peer_ifindex");
	REQUIRE(g.queues.size() == 4);
	for (unsigned q = 0; q < 4; q++) {
		INFO("queue " << q);
		CHECK(g.queues[q].rx.size() == 7);
		CHECK(g.queues[q].rx.count("xdp_packets") == 1);
		CHECK(g.queues[q].rx.count("drops") == 1);
	}
	// veth 6.x also reports tx_queue_N_xdp_xmit per TX queue.
	CHECK(g.queues[0].tx.count("xdp_xmit") == 1);
}

TEST_CASE("virtio_net's rxN_/txN_ names group by queue, the rest stay on the device", "[ethtool]")
{
	auto stats = fixture("vnic-ethtool-S-virtio_net.txt");
	auto g = ethtool::group_by_queue(stats);
	REQUIRE(g.queues.size() == 1);
	CHECK(g.queues[0].rx.at("kicks") == 1341);
	CHECK(g.queues[0].tx.at("kicks") == 3575);
	CHECK(g.queues[0].rx.size() == 6);
	CHECK(g.queues[0].tx.size() == 4);
	CHECK(g.device.size() == 10);
	CHECK(g.device[0] == ethtool::Stat{"rx_drops", 0});
}

TEST_CASE("queue names with several digits and dashes are recognised", "[ethtool]")
{
	ethtool::StatList s = {{"rx_queue_12_packets", 5},
			       {"tx_queue_63_bytes", 7},
			       {"rx-2.packets", 9},
			       {"rx_64_bytes", 11},
			       {"rx_queue_x_packets", 13}};
	auto g = ethtool::group_by_queue(s);
	CHECK(g.queues.at(12).rx.at("packets") == 5);
	CHECK(g.queues.at(63).tx.at("bytes") == 7);
	CHECK(g.queues.at(2).rx.at("packets") == 9);
	REQUIRE(g.device.size() == 2);
	CHECK(g.device[0].first == "rx_64_bytes");
	CHECK(g.device[1].first == "rx_queue_x_packets");
}

TEST_CASE("ethtool -S text ignores headers and non-numeric lines", "[ethtool]")
{
	auto s = ethtool::parse_ethtool_s_text("NIC statistics:\n     a: 1\n  b: x\nc:  "
					       "18446744073709551615\n\n");
	REQUIRE(s.size() == 2);
	CHECK(s[1] == ethtool::Stat{"c", 18446744073709551615ull});
}

TEST_CASE("ethtool ioctls on a missing device name it and the request", "[ethtool]")
{
	ethtool::Device dev("nt-nosuchdev");
	CHECK_THROWS_WITH(dev.driver_info(), Catch::Contains("nt-nosuchdev") &&
						     Catch::Contains("ETHTOOL_GDRVINFO") &&
						     Catch::Contains("No such device"));
	CHECK_THROWS_WITH(dev.rss(), Catch::Contains("ETHTOOL_GRSSH"));
	CHECK_THROWS_AS(ethtool::Device("a-name-that-is-far-too-long"), UsageError);
}

TEST_CASE("loopback has no ethtool statistics and that is not an error", "[ethtool]")
{
	ethtool::Device lo("lo");
	CHECK(lo.stats().empty());
}

namespace {

std::string command_output(const std::string &cmd)
{
	std::string out;
	FILE *p = popen(cmd.c_str(), "r");
	if (!p)
		return out;
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		out.append(buf, n);
	pclose(p);
	return out;
}

struct LiveVeth {
	bool made = false;
	ethtool::DriverInfo info;
	ethtool::Channels channels;
	ethtool::StatList stats;
	std::string ethtool_s;
	std::string rss_error;
};

// In a thread of its own inside a new network namespace (unshare affects
// only the calling thread), so the host's devices are untouched; the
// namespace and the veth pair go away when the thread ends.
LiveVeth probe_veth()
{
	LiveVeth r;
	std::thread t([&r] {
		if (unshare(CLONE_NEWNET) != 0)
			return;
		if (std::system("ip link add va numtxqueues 3 numrxqueues 3 type veth peer vb "
				"numtxqueues 3 numrxqueues 3 2>/dev/null") != 0)
			return;
		r.made = true;
		ethtool::Device dev("va");
		r.info = dev.driver_info();
		r.channels = dev.channels();
		r.stats = dev.stats();
		r.ethtool_s = command_output("ethtool -S va 2>/dev/null");
		try {
			dev.rss();
		} catch (const Error &e) {
			r.rss_error = e.what();
		}
	});
	t.join();
	return r;
}

} // namespace

TEST_CASE("live: the ioctls read a veth's driver info, channels and every ethtool -S counter",
	  "[ethtool]")
{
	if (geteuid() != 0) {
		WARN("needs root (a veth pair in a private network namespace): not run");
		return;
	}
	auto r = probe_veth();
	if (!r.made) {
		WARN("cannot create a veth pair here: not run");
		return;
	}
	CHECK(r.info.driver == "veth");
	CHECK(r.channels.rx == 3);
	CHECK(r.channels.tx == 3);
	CHECK(r.stats == ethtool::parse_ethtool_s_text(r.ethtool_s));
	CHECK(ethtool::group_by_queue(r.stats).queues.size() == 3);
	CHECK_THAT(r.rss_error, Catch::Contains("va: read RSS"));
}
