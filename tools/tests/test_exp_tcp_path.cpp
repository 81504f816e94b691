// The parsers the TCP experiments read their tools with: ss -tin, tc -s
// qdisc, iperf3 -J.
#include "error.hpp"
#include "exp/tcp_path.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace nettune::exp;

TEST_CASE("ss -tinH: one map per connection, name:value pairs of tcp_info", "[exp]")
{
	const std::string text =
		"ESTAB 0      0      10.81.0.1:42110 10.81.1.2:5201\n"
		"\t cubic wscale:7,7 rto:228 rtt:24.51/1.73 ato:40 mss:1448 pmtu:1500 rcvmss:536 "
		"advmss:1448 cwnd:10 bytes_sent:172 bytes_acked:173 segs_out:8 segs_in:6 "
		"data_segs_out:4 send 4.73Mbps lastsnd:5036 pacing_rate 9.45Mbps "
		"delivery_rate 1.39Mbps delivered:5 app_limited busy:40ms rcv_space:14480 "
		"rcv_ssthresh:64088 minrtt:22.34\n"
		"ESTAB 0      1258440 10.81.0.1:42112 10.81.1.2:5201\n"
		"\t cubic wscale:7,7 rto:236 rtt:33.1/2.5 mss:1448 cwnd:211 ssthresh:146 "
		"bytes_acked:389120000 retrans:0/57 reordering:42 reord_seen:318 dsack_dups:12\n";
	auto conns = parse_ss_tcp_info(text);
	REQUIRE(conns.size() == 2);
	CHECK(conns[0].at("sport") == 42110);
	CHECK(conns[0].at("dport") == 5201);
	CHECK(conns[0].at("rtt") == Approx(24.51));
	CHECK(conns[0].count("reordering") == 0); // ss omits the default 3
	CHECK(conns[1].at("cwnd") == 211);
	CHECK(conns[1].at("reordering") == 42);
	CHECK(conns[1].at("reord_seen") == 318);
	CHECK(conns[1].at("bytes_acked") == 389120000);
	CHECK(conns[1].at("retrans") == 0); // "0/57": the first figure
	CHECK(conns[1].count("cubic") == 0);
}

TEST_CASE("tc -s qdisc: sent packets and drops summed over the qdiscs listed", "[exp]")
{
	const std::string text =
		"qdisc tbf 1: root refcnt 2 rate 10Mbit burst 10Kb lat 80.0ms \n"
		" Sent 4561234 bytes 3210 pkt (dropped 17, overlimits 4400 requeues 0) \n"
		" backlog 0b 0p requeues 0\n"
		"qdisc fq_codel 10: parent 1:1 limit 660p flows 1024 quantum 1514 target 5ms\n"
		" Sent 4561234 bytes 3210 pkt (dropped 3, overlimits 0 requeues 2) \n"
		" backlog 0b 0p requeues 2\n";
	auto s = parse_qdisc_stats(text);
	CHECK(s.sent_pkts == 6420);
	CHECK(s.dropped == 20);
	CHECK(s.overlimits == 4400);
	CHECK(s.requeues == 2);
}

TEST_CASE("iperf3 -J: throughput, retransmits, RTTs and intervals of the sender", "[exp]")
{
	const std::string text = R"({
	  "start": {"tcp_mss_default": 1448},
	  "intervals": [
	    {"streams": [{"socket": 5, "start": 0, "end": 0.2, "bits_per_second": 8e6,
	                  "retransmits": 0, "snd_cwnd": 144800, "rtt": 41000}],
	     "sum": {}},
	    {"streams": [{"socket": 5, "start": 0.2, "end": 0.4, "bits_per_second": 2e7,
	                  "retransmits": 31, "snd_cwnd": 289600, "rtt": 52000}],
	     "sum": {}}
	  ],
	  "end": {
	    "streams": [{"sender": {"bits_per_second": 1.9e7, "retransmits": 31,
	                            "max_rtt": 60000, "min_rtt": 40100, "mean_rtt": 47000}}],
	    "sum_sent": {"bits_per_second": 1.9e7, "retransmits": 31},
	    "sender_tcp_congestion": "ntcubic"
	  }
	})";
	auto r = parse_iperf3_json(text);
	CHECK(r.sent_mbps == Approx(19));
	CHECK(r.retransmits == 31);
	CHECK(r.mean_rtt_ms == Approx(47));
	CHECK(r.max_rtt_ms == Approx(60));
	CHECK(r.congestion == "ntcubic");
	REQUIRE(r.intervals.size() == 2);
	CHECK(r.intervals[1].retransmits == 31);
	CHECK(r.intervals[1].cwnd_bytes == 289600);
	CHECK(r.intervals[1].rtt_ms == Approx(52));
}

TEST_CASE("iperf3 -J: its own error and non-JSON output are errors", "[exp]")
{
	CHECK_THROWS_WITH(parse_iperf3_json(R"({"error": "unable to connect to server"})"),
			  Catch::Contains("unable to connect"));
	CHECK_THROWS_AS(parse_iperf3_json("iperf3: error"), nettune::Error);
}
