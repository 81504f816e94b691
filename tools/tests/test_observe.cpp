// Parsers of /proc/net files (recorded from the 6.1 VM, the 6.18 build
// host and a hand-written 11-column file for kernels before 5.10), the
// diagnose rules on synthetic snapshots, and the BDP arithmetic.
#include "error.hpp"
#include "observe_diagnose.hpp"
#include "observe_meanings.hpp"
#include "observe_proc.hpp"
#include "observe_tune.hpp"
#include "sysfs.hpp"

#include <catch2/catch.hpp>

namespace obs = nettune::observe;

static std::string data(const std::string &name)
{
	return nettune::read_file(std::string(NETTUNE_TEST_DATA) + "/" + name);
}

TEST_CASE("snmp and netstat parse into nstat names, and agree with nstat -az")
{
	auto mib = obs::parse_snmp_pairs(data("observe-snmp.txt"));
	CHECK(mib.at("IpInReceives") == 3);
	CHECK(mib.at("TcpMaxConn") == -1);
	CHECK(mib.at("IcmpMsgInType8") == 3);
	auto ext = obs::parse_snmp_pairs(data("observe-netstat.txt"));
	CHECK(ext.count("TcpExtListenOverflows"));
	CHECK(ext.count("IpExtInOctets"));
	auto v6 = obs::parse_snmp6(data("observe-snmp6.txt"));
	CHECK(v6.count("Ip6InReceives"));
	mib.merge(ext);
	mib.merge(v6);
	// Every counter nstat printed has our value.
	size_t compared = 0;
	for (const auto &line : nettune::split(data("observe-nstat-az.txt"), '\n')) {
		auto w = nettune::split_whitespace(line);
		if (w.size() < 2 || w[0][0] == '#')
			continue;
		INFO(w[0]);
		REQUIRE(mib.count(w[0]));
		CHECK(mib.at(w[0]) == std::stoll(w[1]));
		compared++;
	}
	CHECK(compared > 300);
}

TEST_CASE("a MIB line pair of different lengths is refused with its name")
{
	CHECK_THROWS_WITH(obs::parse_snmp_pairs("Tcp: A B\nTcp: 1\n"),
			  Catch::Contains("Tcp") && Catch::Contains("2 names"));
}

TEST_CASE("softnet_stat: the 6.1 layout (13 columns, CPU index last)")
{
	auto cpus = obs::parse_softnet(data("observe-softnet_stat-6.1.txt"));
	REQUIRE(cpus.size() == 2);
	CHECK(cpus[0].columns == 13);
	CHECK(cpus[0].processed == 3);
	CHECK(cpus[0].time_squeeze == 1);
	CHECK(cpus[1].cpu == 1);
	REQUIRE(cpus[1].backlog_len);
	CHECK(!cpus[1].input_qlen);
}

TEST_CASE("softnet_stat: the 6.4+ layout (15 columns, two queue lengths)")
{
	auto cpus = obs::parse_softnet(data("observe-softnet_stat-15col.txt"));
	REQUIRE(cpus.size() == 2);
	CHECK(cpus[0].columns == 15);
	CHECK(cpus[1].cpu == 1);
	CHECK(cpus[1].processed == 0x201c);
	REQUIRE(cpus[1].input_qlen);
	REQUIRE(cpus[1].process_qlen);
}

TEST_CASE("softnet_stat: the old 11-column layout numbers CPUs by line")
{
	auto cpus = obs::parse_softnet(data("observe-softnet_stat-5.4.txt"));
	REQUIRE(cpus.size() == 2);
	CHECK(cpus[0].processed == 123456);
	CHECK(cpus[0].dropped == 7);
	CHECK(cpus[0].time_squeeze == 3);
	CHECK(cpus[0].received_rps == 2);
	CHECK(cpus[0].flow_limit == 1);
	CHECK(cpus[1].cpu == 1);
	CHECK(!cpus[0].backlog_len);
	CHECK_THROWS_WITH(obs::parse_softnet("0001 0002\n"), Catch::Contains("expected 11"));
	CHECK_THROWS_WITH(obs::parse_softnet("zz 0 0 0 0 0 0 0 0 0 0\n"), Catch::Contains("hex"));
}

TEST_CASE("sockstat parses protocol lines")
{
	auto s = obs::parse_sockstat(data("observe-sockstat.txt"));
	CHECK(s.at("TCP").at("inuse") == 0);
	CHECK(s.at("sockets").at("used") == 0);
	CHECK(s.at("FRAG").count("memory"));
	auto s6 = obs::parse_sockstat(data("observe-sockstat6.txt"));
	CHECK(s6.count("TCP6"));
}

TEST_CASE("nf_conntrack stat is hex per CPU and agrees with conntrack -S")
{
	auto cpus = obs::parse_conntrack_stat(data("observe-stat-nf_conntrack.txt"));
	REQUIRE(cpus.size() == 2);
	CHECK(cpus[0].counters.at("entries") == 1);
	auto tool = obs::parse_conntrack_tool(data("observe-conntrack-S.txt"));
	REQUIRE(tool.size() == 2);
	for (size_t i = 0; i < 2; i++)
		for (auto [mine, theirs] : {std::pair{"drop", "drop"},
					    {"early_drop", "early_drop"},
					    {"insert_failed", "insert_failed"},
					    {"icmp_error", "error"},
					    {"clashres", "clash_resolve"},
					    {"chainlength", "chaintoolong"}})
			CHECK(cpus[i].counters.at(mine) == tool[i].counters.at(theirs));
	auto totals = obs::conntrack_totals(cpus);
	CHECK(totals.at("entries") == 1); // a gauge, not summed
	CHECK(obs::parse_conntrack_stat("entries drop\n00000001 0000000a\n00000001 00000005\n")[1]
		      .counters.at("drop") == 5);
}

TEST_CASE("a device's IRQs are matched by name in /proc/interrupts")
{
	auto lines = nettune::vnic::parse_proc_interrupts(data("observe-interrupts-ntvnic.txt"));
	auto vb = obs::device_irqs(lines, "vb");
	REQUIRE(vb.size() == 4);
	CHECK(vb[0].name == "vb-rx-0");
	CHECK(vb[0].irq == 34);
	CHECK(obs::device_irqs(lines, "v").empty()); // a prefix alone is not a match
	auto va = obs::device_irqs(lines, "va");
	CHECK(va[2].per_cpu.at(1) == 3);
	nettune::vnic::IrqLine l{90, {1, 2}, {"PCI-MSI", "524288-edge", "eth0-TxRx-3"}};
	CHECK(obs::device_irqs({l}, "eth0").size() == 1);
}

TEST_CASE("nstat globs")
{
	CHECK(obs::glob_match("TcpExt*Listen*", "TcpExtListenOverflows"));
	CHECK(obs::glob_match("Udp?RcvbufErrors", "Udp6RcvbufErrors"));
	CHECK_FALSE(obs::glob_match("Tcp*", "UdpInErrors"));
}

TEST_CASE("every counter diagnose names has a meaning")
{
	for (const char *n :
	     {"TcpExtListenOverflows", "TcpExtListenDrops", "UdpRcvbufErrors", "TcpExtTCPRcvQDrop",
	      "TcpExtPruneCalled", "TcpRetransSegs", "TcpExtTCPTimeouts", "TcpExtTCPFastRetrans",
	      "TcpExtTCPLossProbes", "TcpExtTCPDSACKRecv", "TcpExtTCPMTUPFail",
	      "IcmpInDestUnreachs", "TcpExtTCPSynRetrans", "TcpInSegs", "TcpOutSegs"})
		CHECK(!obs::counter_meaning(n).empty());
	CHECK(obs::counter_meaning("NoSuch").empty());
}

TEST_CASE("rates and times with units; refusals name the problem")
{
	CHECK(obs::parse_rate("10gbit") == 10e9);
	CHECK(obs::parse_rate("100mbit") == 100e6);
	CHECK(obs::parse_rate("1.5Gbit") == 1.5e9);
	CHECK(obs::parse_rate("125mbps") == 1e9);
	CHECK_THROWS_AS(obs::parse_rate("10"), nettune::UsageError);
	CHECK_THROWS_WITH(obs::parse_rate("10"), Catch::Contains("give a unit"));
	CHECK_THROWS_WITH(obs::parse_rate("10furlongs"), Catch::Contains("unknown unit"));
	CHECK_THROWS_WITH(obs::parse_rate("0gbit"), Catch::Contains("above zero"));
	CHECK_THROWS_WITH(obs::parse_rate("-1gbit"), Catch::Contains("not a number"));
	CHECK_THROWS_WITH(obs::parse_rate("20tbit"), Catch::Contains("10 Tbit"));
	CHECK(obs::parse_duration("100ms") == Approx(0.1));
	CHECK(obs::parse_duration("250us") == Approx(250e-6));
	CHECK(obs::parse_duration("2s") == 2);
	CHECK_THROWS_WITH(obs::parse_duration("100"), Catch::Contains("give a unit"));
	CHECK_THROWS_WITH(obs::parse_duration("2h"), Catch::Contains("unknown unit"));
	CHECK_THROWS_WITH(obs::parse_duration("7200s"), Catch::Contains("hour"));
}

TEST_CASE("BDP arithmetic and the buffers it needs")
{
	CHECK(obs::bdp_bytes(10e9, 0.1) == 125000000);
	CHECK(obs::bdp_bytes(1e9, 0.001) == 125000);
	CHECK(obs::bdp_bytes(100e6, 0.05) == 625000);
	// tcp_adv_win_scale 1 (6.1): half the buffer is window.
	CHECK(obs::rcvbuf_for_window(1000, 1) == 2000);
	CHECK(obs::rcvbuf_for_window(3000, 2) == 4000);
	CHECK(obs::rcvbuf_for_window(1000, -2) == 4000);
	CHECK(obs::rcvbuf_for_window(1000, std::nullopt) == 2000);
	CHECK(obs::round_up_mib(1) == 1048576);
	CHECK(obs::round_up_mib(1048576) == 1048576);

	std::map<std::string, std::string> sys = {{"net.ipv4.tcp_rmem", "4096 131072 6291456"},
						  {"net.ipv4.tcp_wmem", "4096 16384 4194304"},
						  {"net.core.rmem_max", "212992"},
						  {"net.core.wmem_max", "212992"},
						  {"net.ipv4.tcp_adv_win_scale", "1"}};
	auto read = [&sys](const std::string &k) -> std::optional<std::string> {
		auto it = sys.find(k);
		return it == sys.end() ? std::nullopt : std::optional{it->second};
	};
	auto p = obs::plan_bdp(1e9, 0.1, read);
	CHECK(p.bdp == 12500000);
	CHECK(p.rcvbuf == 25165824); // 2 x 12.5 MB = 25000000, rounded up to 24 MiB
	REQUIRE(p.items.size() == 4);
	CHECK(p.items[0].status == "change");
	CHECK(p.items[0].advised == "4096 131072 25165824");
	auto small = obs::plan_bdp(10e6, 0.01, read);
	CHECK(small.items[0].status == "ok");
}

TEST_CASE("tune apply refuses values the kernel cannot take, and read-only sysctls")
{
	std::map<std::string, std::string> sys = {{"net.ipv4.tcp_rmem", "4096 131072 6291456"},
						  {"net.ipv4.tcp_wmem", "4096 16384 4194304"},
						  {"net.core.rmem_max", "212992"},
						  {"net.core.wmem_max", "212992"},
						  {"net.ipv4.tcp_adv_win_scale", "1"}};
	auto read = [&sys](const std::string &k) -> std::optional<std::string> {
		auto it = sys.find(k);
		return it == sys.end() ? std::nullopt : std::optional{it->second};
	};
	CHECK(obs::apply_refusals(obs::plan_bdp(1e9, 0.1, read).items).empty());
	// 10 Tbit/s x 1 s: a 2.5 TB buffer; tcp_rmem holds C ints
	auto huge = obs::plan_bdp(10e12, 1, read).items;
	auto why = obs::apply_refusals(huge);
	REQUIRE(why.size() == 4);
	CHECK(why[0].find("net.ipv4.tcp_rmem: ") == 0);
	CHECK(why[0].find("above the largest value the kernel takes, 2147483647") !=
	      std::string::npos);

	auto items = obs::plan_bdp(1e9, 0.1, read).items;
	obs::mark_read_only(items, [](const std::string &n) { return n != "net.core.rmem_max"; });
	CHECK(items[0].status == "change");
	CHECK(items[2].sysctl == "net.core.rmem_max");
	CHECK(items[2].status == "read-only");
	CHECK(items[2].why.find("initial namespace") != std::string::npos);
}

TEST_CASE("audit advises and explains")
{
	std::map<std::string, std::string> sys = {{"net.core.somaxconn", "128"},
						  {"net.ipv4.tcp_mtu_probing", "0"},
						  {"net.ipv4.tcp_syncookies", "1"},
						  {"net.core.netdev_max_backlog", "1000"},
						  {"net.core.default_qdisc", "fq_codel"},
						  {"net.ipv4.ip_local_port_range", "40000 41000"}};
	auto read = [&sys](const std::string &k) -> std::optional<std::string> {
		auto it = sys.find(k);
		return it == sys.end() ? std::nullopt : std::optional{it->second};
	};
	obs::AuditFacts f;
	f.softnet_dropped = 5;
	auto items = obs::audit(read, f);
	auto find = [&items](const std::string &k) {
		for (const auto &a : items)
			if (a.sysctl == k)
				return a;
		FAIL("no item " << k);
		return obs::Advice{};
	};
	CHECK(find("net.core.somaxconn").status == "change");
	CHECK(find("net.core.somaxconn").advised == "4096");
	CHECK(find("net.ipv4.tcp_syncookies").status == "ok");
	CHECK(find("net.ipv4.tcp_mtu_probing").advised == "1");
	CHECK(find("net.core.netdev_max_backlog").advised == "4096");
	CHECK(find("net.ipv4.ip_local_port_range").status == "change");
	CHECK(find("net.core.default_qdisc").status == "consider");
	CHECK(find("net.netfilter.nf_conntrack_max").status == "unavailable");
	CHECK(find("net.core.rmem_max").status == "unavailable");
}

// ---- diagnose on synthetic snapshots --------------------------------------------

static obs::Snapshot quiet(double t)
{
	obs::Snapshot s;
	s.time_s = t;
	s.mib = {{"TcpRetransSegs", 0},
		 {"TcpOutSegs", 1000},
		 {"TcpInSegs", 1000},
		 {"TcpExtListenOverflows", 0},
		 {"UdpRcvbufErrors", 0}};
	s.softnet = {obs::SoftnetCpu{0, 100, 0, 0}, obs::SoftnetCpu{1, 100, 0, 0}};
	s.net_rx_softirqs = {10, 10};
	obs::DeviceSample d;
	d.name = "eth0";
	d.stats = {{"rx_queue_0_packets", 10}, {"rx_queue_0_ring_full", 0}, {"tx_fifo_errors", 0}};
	d.rings = nettune::ethtool::Rings{4096, 4096, 256, 256};
	s.devices = {d};
	return s;
}

TEST_CASE("a quiet machine gives no finding")
{
	auto a = quiet(0), b = quiet(2);
	b.mib["TcpOutSegs"] += 500;
	b.mib["TcpRetransSegs"] += 1; // one retransmit is no storm
	CHECK(obs::diagnose(a, b).empty());
}

TEST_CASE("ring overflow ranks above softirq load, with the ring fix")
{
	auto a = quiet(0), b = quiet(1);
	b.devices[0].stats[1].second = 96;
	b.devices[0].stats[2].second = 50; // a tx counter is not an RX overflow
	b.net_rx_softirqs = {10 + 5000, 10};
	auto f = obs::diagnose(a, b);
	REQUIRE(f.size() == 2);
	CHECK(f[0].id == "rx_ring_overflow");
	CHECK(f[0].events == 96);
	CHECK(f[0].fix[0].find("ethtool -G eth0 rx 1024") == 0);
	CHECK(f[1].id == "cpu_softirq_hotspot");
}

TEST_CASE("one CPU receiving in few softirqs (NAPI polling under load) is a hotspot")
{
	auto a = quiet(0), b = quiet(2);
	b.net_rx_softirqs = {10 + 230, 10 + 1}; // 115/s: below the softirq rate
	b.softnet[0].processed += 20000;        // but 10000 packets/s on CPU 0
	auto f = obs::diagnose(a, b);
	REQUIRE(f.size() == 1);
	CHECK(f[0].id == "cpu_softirq_hotspot");
	CHECK(f[0].title.find("CPU 0") == 0);
	bool processed = false;
	for (const auto &e : f[0].evidence)
		processed |= e.counter == "cpu0 processed" && e.delta == 20000;
	CHECK(processed);
	CHECK(f[0].fix[0].find("smp_affinity_list") != std::string::npos);
	CHECK(f[0].fix[1].find("rps_cpus") != std::string::npos);

	b.softnet[0].processed = a.softnet[0].processed + 1000; // 500/s: not busy
	CHECK(obs::diagnose(a, b).empty());

	// an emulated or slow CPU: few packets, but its softirq runs out of budget
	b.softnet[0].time_squeeze += 26;
	f = obs::diagnose(a, b);
	REQUIRE(f.size() == 2);
	CHECK(f[0].id == "cpu_softirq_hotspot"); // more events than the squeezes
	CHECK(f[0].severity == obs::Severity::load);
	CHECK(f[1].id == "softnet_time_squeeze");
}

TEST_CASE("retransmissions: data loss, ACK loss and a PMTU black hole told apart")
{
	auto a = quiet(0);
	a.mib.merge(obs::Mib{{"TcpExtTCPTimeouts", 0},
			     {"TcpExtTCPFastRetrans", 0},
			     {"TcpExtTCPDSACKRecv", 0},
			     {"IcmpInDestUnreachs", 0},
			     {"TcpExtTCPSynRetrans", 0},
			     {"TcpExtTCPLossProbes", 0}});
	auto data_loss = a;
	data_loss.time_s = 2;
	data_loss.mib["TcpOutSegs"] += 2000;
	data_loss.mib["TcpRetransSegs"] += 60;
	data_loss.mib["TcpExtTCPFastRetrans"] += 55;
	data_loss.mib["TcpExtTCPTimeouts"] += 2;
	auto f = obs::diagnose(a, data_loss);
	REQUIRE(f.size() == 1);
	CHECK(f[0].id == "retrans_storm");
	CHECK(f[0].cause.find("forward") != std::string::npos);

	auto ack_loss = data_loss;
	ack_loss.mib["TcpExtTCPDSACKRecv"] += 40;
	f = obs::diagnose(a, ack_loss);
	REQUIRE(f.size() == 1);
	CHECK(f[0].cause.find("ACK path loss") != std::string::npos);

	auto syn_only = a;
	syn_only.mib["TcpRetransSegs"] += 30;
	syn_only.mib["TcpExtTCPSynRetrans"] += 30;
	CHECK(obs::diagnose(a, syn_only).empty());

	auto hole = a;
	hole.time_s = 2;
	hole.mib["TcpRetransSegs"] += 4;
	hole.mib["TcpExtTCPTimeouts"] += 3;
	hole.mib["TcpInSegs"] += 5;
	obs::TcpConn c;
	c.retransmits = 3;
	c.unacked = 10;
	c.snd_mss = 1448;
	hole.retransmitting = {c};
	f = obs::diagnose(a, hole);
	REQUIRE(f.size() == 1);
	CHECK(f[0].id == "pmtu_blackhole");
	hole.mib["IcmpInDestUnreachs"] += 1; // the ICMP came back: no black hole
	CHECK(obs::diagnose(a, hole).empty());
}

TEST_CASE("conntrack full, listen overflow and UDP drops are drop findings")
{
	auto a = quiet(0), b = quiet(1);
	a.conntrack = obs::ConntrackSample{10, 16, 1024, {{"drop", 0}, {"early_drop", 0}}};
	b.conntrack = obs::ConntrackSample{16, 16, 1024, {{"drop", 80}, {"early_drop", 4}}};
	b.mib["TcpExtListenOverflows"] += 8;
	b.mib["UdpRcvbufErrors"] += 100;
	b.listeners = {{"10.0.0.2:8080", 8080, 2, 1}};
	auto f = obs::diagnose(a, b);
	REQUIRE(f.size() == 3);
	CHECK(f[0].id == "udp_rcvbuf_drops");
	CHECK(f[1].id == "conntrack_table_full");
	CHECK(f[1].events == 84);
	CHECK(f[2].id == "listen_queue_overflow");
	CHECK(f[2].title.find("10.0.0.2:8080 (2 of 1)") != std::string::npos);
}

TEST_CASE("RX overflow counter names of common drivers")
{
	for (const char *n : {"rx_queue_0_ring_full", "rx_missed_errors", "rx_fifo_errors",
			      "rx_no_buffer_count", "rx_out_of_buffer", "rx_over_errors"})
		CHECK(obs::is_rx_overflow_counter(n));
	for (const char *n : {"tx_fifo_errors", "rx_queue_0_packets", "rx_queue_0_drops"})
		CHECK_FALSE(obs::is_rx_overflow_counter(n));
}

// ---- the commands on the host -----------------------------------------------------

#include "run.hpp"
#include <nlohmann/json.hpp>

TEST_CASE("stat, diagnose and tune: usage errors exit 2 naming the problem")
{
	auto r = run_nettune({"tune", "bdp", "--rate", "10", "--rtt", "100ms"});
	CHECK(r.exit_code == 2);
	CHECK(r.err.find("give a unit") != std::string::npos);
	r = run_nettune({"tune", "bdp", "--rate", "1gbit", "--rtt", "5 parsecs"});
	CHECK(r.exit_code == 2);
	r = run_nettune({"stat", "NoSuchCounter*"});
	CHECK(r.exit_code == 2);
	CHECK(r.err.find("NoSuchCounter*") != std::string::npos);
	r = run_nettune({"stat", "--watch", "0"});
	CHECK(r.exit_code == 2);
	r = run_nettune({"diagnose", "--interval", "0"});
	CHECK(r.exit_code == 2);
	r = run_nettune({"stat", "dev"});
	CHECK(r.exit_code == 2);
	r = run_nettune({"stat", "dev", "ntnosuchdev"});
	CHECK(r.exit_code == 1);
	CHECK(r.err.find("ntnosuchdev") != std::string::npos);
}

TEST_CASE("tune bdp --json gives the arithmetic")
{
	auto r = run_nettune({"--json", "tune", "bdp", "--rate", "1gbit", "--rtt", "10ms"});
	REQUIRE(r.exit_code == 0);
	auto j = nlohmann::json::parse(r.out);
	CHECK(j["bdp_bytes"] == 1250000);
	CHECK(j["items"].size() == 4);
}

TEST_CASE("stat --json: MIB counters with meanings")
{
	auto r = run_nettune({"--json", "stat", "-z", "TcpRetransSegs"});
	REQUIRE(r.exit_code == 0);
	auto j = nlohmann::json::parse(r.out);
	REQUIRE(j["counters"].size() == 1);
	CHECK(j["counters"][0]["meaning"].get<std::string>().find("retransmitted") !=
	      std::string::npos);
}
