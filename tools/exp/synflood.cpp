// Experiment: SYN flood. Spoofed SYNs fill a listener's queue of half-open
// connections; without syncookies legitimate clients are then dropped,
// with them the listener keeps serving; a per-source SYN limit in XDP
// (nettune xdp synlimit) keeps the flood out of the queue altogether.
#include "exp/counters.hpp"
#include "exp/experiment.hpp"
#include "exp/load.hpp"
#include "exp/tcp_apps.hpp"
#include "exp/tcp_path.hpp"
#include "sysfs.hpp"
#include "xdp_filter.hpp"
#include "xdp_rules.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fmt/format.h>
#include <unistd.h>

namespace exp_synflood {
namespace {

using namespace nettune::exp;
namespace xdp = nettune::xdp;

constexpr int backlog = 128;
constexpr unsigned legit_clients = 10;
const char spoofed_source[] = "10.79.5.66"; // routed via A, which drops the SYN-ACKs
constexpr uint64_t synlimit_rate = 1, synlimit_burst = 4;

std::vector<std::string> legit_sources()
{
	std::vector<std::string> v;
	for (unsigned i = 0; i < legit_clients; i++)
		v.push_back(fmt::format("10.79.0.{}", 100 + i));
	return v;
}

uint64_t synlimit_drops(const Pair &p)
{
	NetnsScope in(p.ns_b);
	for (const auto &a : xdp::attached())
		if (a.dev == p.b)
			return xdp::Filter(a).stats().reason[XDPF_SYNLIMIT].packets;
	return 0;
}

unsigned syn_recv_sockets(const std::string &ns, unsigned port)
{
	auto out = must_run(in_netns(
		ns, {"ss", "-Htn", "state", "syn-recv", "sport", "=", ":" + std::to_string(port)}));
	unsigned n = 0;
	for (const auto &l : nettune::split(out, '\n'))
		n += !nettune::trim(l).empty();
	return n;
}

// Packets A's device sent (the flood, and a few of the clients').
uint64_t a_sent(const Pair &p)
{
	return sum_queue_field(read_ethtool_stats(p.ns_a, p.a), "tx", "packets");
}

// hping3 takes a while to start under emulation: wait for its packets.
void wait_for_flood(Run &run, const Pair &p)
{
	const uint64_t start = a_sent(p);
	for (int i = 0; i < 200; i++) {
		run.sleep(0.05);
		if (a_sent(p) >= start + 100)
			return;
	}
	throw nettune::Error("hping3 sent no SYN flood from " + p.ns_a + " within 10 s");
}

// `ip -batch`: one process for all the addresses (each `ip` costs a
// noticeable fraction of a second under emulation).
void add_addresses(const std::string &ns, const std::string &dev,
		   const std::vector<std::string> &addrs)
{
	char path[] = "/tmp/nettune-synflood-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		throw nettune::Error(nettune::errno_message("mkstemp", errno));
	std::string batch;
	for (const auto &a : addrs)
		batch += "addr add " + a + "/24 dev " + dev + "\n";
	const bool written = write(fd, batch.data(), batch.size()) == ssize_t(batch.size());
	close(fd);
	auto r = run_cmd({"ip", "-n", ns, "-batch", path});
	unlink(path);
	if (!written || r.status != 0)
		throw nettune::Error("ip -n " + ns + " -batch (addresses): " + r.output);
}

std::vector<std::string> hping3_argv(const Pair &p, double kpps, unsigned port)
{
	std::vector<std::string> a{"hping3", "-q",          "-S", "-p", std::to_string(port),
				   "-a",     spoofed_source};
	if (kpps >= 1000) {
		a.push_back("--flood");
	} else {
		a.push_back("-i");
		a.push_back(fmt::format("u{:.0f}", 1000.0 / kpps));
	}
	a.push_back(p.b_addr);
	return in_netns(p.ns_a, a);
}

Values measure_point(Run &run, const Pair &p, double kpps, unsigned port)
{
	TcpServerSpec spec;
	spec.netns = p.ns_b;
	spec.addr = p.b_addr;
	spec.port = port;
	spec.backlog = backlog;
	TcpServer server(spec);
	// The clients are new to the server: a peer with an RTT in tcp_metrics
	// is "proven" and may still take the last quarter of the SYN queue
	// without syncookies (tcp_conn_request()).
	must_run({"ip", "-n", p.ns_b, "tcp_metrics", "flush", "all"});
	std::unique_ptr<Background> flood;
	if (kpps > 0) {
		flood = std::make_unique<Background>(hping3_argv(p, kpps, port));
		wait_for_flood(run, p);
		run.sleep(1.0); // the queue fills
	}
	auto before = read_snmp(p.ns_b);
	const uint64_t sent0 = a_sent(p);
	const uint64_t xdp0 = synlimit_drops(p);
	const auto t0 = std::chrono::steady_clock::now();
	const unsigned half_open = syn_recv_sockets(p.ns_b, port);
	TransactionSpec ts;
	ts.netns = p.ns_a;
	ts.dst = p.b_addr;
	ts.port = port;
	ts.sources = legit_sources();
	ts.count = legit_clients;
	ts.concurrency = 10;
	ts.timeout_s = 3;
	auto tr = run_transactions(ts);
	const double secs =
		std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
	auto after = read_snmp(p.ns_b);
	const uint64_t sent1 = a_sent(p);
	const uint64_t xdp1 = synlimit_drops(p);
	if (flood)
		flood->stop(SIGINT);
	return Values{
		{"syn_kpps", double(sent1 - sent0) / secs / 1e3},
		{"half_open", double(half_open)},
		{"served_pct", 100.0 * tr.ok / legit_clients},
		{"response_ms", median(tr.response_ms)},
		{"response_p90_ms", percentile(tr.response_ms, 90)},
		{"cookies_sent", double(delta(before, after, "TcpExtSyncookiesSent"))},
		{"listen_drops", double(delta(before, after, "TcpExtListenDrops"))},
		{"reqq_full_drop", double(delta(before, after, "TcpExtTCPReqQFullDrop"))},
		{"xdp_syn_drops", double(xdp1 - xdp0)},
	};
}

Judgement judge(const Results &r)
{
	auto served = [&](const std::string &v) { return r.last(v).values.at("served_pct"); };
	auto clean = [&](const std::string &v) { return r.first(v).values.at("served_pct"); };
	const auto &off = r.last("cookies-0").values, &on = r.last("cookies-1").values,
		   &x = r.last("xdp-synlimit").values;
	std::string numbers = fmt::format(
		"under a flood of {:.1f} kpps SYNs: without syncookies {:.0f}% of {} legitimate "
		"clients were served within 3 s ({:.0f} half-open connections, {:.0f} "
		"ListenDrops); with syncookies {:.0f}% (median {:.1f} ms, {:.0f} cookies sent); "
		"with XDP synlimit {}/s burst {} and no syncookies {:.0f}% ({:.0f} SYNs dropped "
		"in XDP, {:.0f} half-open); without a flood {:.0f}/{:.0f}/{:.0f}%",
		off.at("syn_kpps"), served("cookies-0"), legit_clients, off.at("half_open"),
		off.at("listen_drops"), served("cookies-1"), on.at("response_ms"),
		on.at("cookies_sent"), synlimit_rate, synlimit_burst, served("xdp-synlimit"),
		x.at("xdp_syn_drops"), x.at("half_open"), clean("cookies-0"), clean("cookies-1"),
		clean("xdp-synlimit"));
	if (clean("cookies-0") < 90 || clean("cookies-1") < 90)
		return {Verdict::not_reproduced,
			"the listener did not serve its clients even without a flood: " + numbers};
	const bool starves = served("cookies-0") <= 50 && off.at("listen_drops") > 0;
	const bool cookies_serve = served("cookies-1") >= 90 && on.at("cookies_sent") > 0;
	const bool xdp_serves = served("xdp-synlimit") >= 90 && x.at("xdp_syn_drops") > 0;
	if (starves && cookies_serve && xdp_serves)
		return {Verdict::reproduced, numbers};
	if (starves && (cookies_serve || xdp_serves))
		return {Verdict::partly, numbers + (cookies_serve ? ": XDP synlimit did not keep "
								    "the listener serving"
								  : ": syncookies did not keep "
								    "the listener serving")};
	if (!starves)
		return {Verdict::not_reproduced,
			numbers + ": the flood did not fill the SYN queue and starve the "
				  "listener without syncookies"};
	return {Verdict::not_reproduced, numbers};
}

Experiment make()
{
	Experiment e;
	e.name = "synflood";
	e.order = 31;
	e.title = "SYN flood: the SYN queue, syncookies and an XDP SYN limit";
	e.claim = "A SYN flood fills the listener's SYN queue and legitimate clients are "
		  "dropped; syncookies keep the listener serving (SyncookiesSent), and so does "
		  "a per-source SYN limit in XDP";
	e.anchor = "RFC 4987 (TCP SYN flooding attacks and common mitigations); D. J. "
		   "Bernstein, SYN cookies (cr.yp.to/syncookies.html); "
		   "Documentation/networking/ip-sysctl.rst tcp_syncookies; nettune "
		   "Documentation/xdp.rst (synlimit)";
	e.setup = fmt::format(
		"An ntvnic pair (1 queue, NAPI) between two namespaces. A server of ours on B "
		"listens with backlog {} and serves every request; hping3 in A sends SYNs to it "
		"from one spoofed source ({}, routed back through A, which drops the SYN-ACKs, "
		"so every SYN leaves a half-open connection that B retransmits to for about a "
		"minute) at the swept rate (the last point: --flood). After 1 s of flood, {} "
		"legitimate clients (each from its own address, all at once) connect, send a "
		"request and wait up to 3 s for the reply; B's tcp_metrics are flushed before each "
		"point, so none of them is a peer the kernel has seen ('proven' peers may use "
		"the last quarter of the SYN queue even without syncookies). Variants: "
		"net.ipv4.tcp_syncookies 0 "
		"or 1 in B, or 0 with nettune xdp synlimit {}/s burst {} on B's device (native "
		"XDP in ntvnic): a per-source bucket lets the flood's source hold at most "
		"burst + rate x (SYN-ACK retry time, ~63 s) < backlog half-open connections. "
		"A flood from random sources would defeat a per-source limit (xdp.rst). Read in "
		"B: SYN-RECV sockets (ss), TcpExtSyncookiesSent, ListenDrops, TCPReqQFullDrop, "
		"the filter's synlimit drops; the flood's rate from A's transmit counters (ethtool "
		"-S). Measurement starts once the flood flows (hping3 is slow to start here).",
		backlog, spoofed_source, legit_clients, synlimit_rate, synlimit_burst);
	e.variants = {"cookies-0", "cookies-1", "xdp-synlimit"};
	e.x = {"syn_rate", "asked SYN kpps (1000: flood)", 1};
	// hping3 --flood reaches only 1-3 kpps here and swamps the VM (each
	// point then takes a minute): quick runs at 1 kpps, which fills the
	// SYN queue in a tenth of a second all the same.
	e.quick_points = {0, 1};
	e.full_points = {0, 0.2, 1, 1000};
	e.columns = {{"syn_kpps", "SYN kpps sent", 1},
		     {"half_open", "half-open", 0},
		     {"served_pct", "served %", 0},
		     {"response_ms", "median ms", 1},
		     {"response_p90_ms", "p90 ms", 1},
		     {"cookies_sent", "SyncookiesSent", 0},
		     {"listen_drops", "ListenDrops", 0},
		     {"reqq_full_drop", "ReqQFullDrop", 0},
		     {"xdp_syn_drops", "XDP synlimit drops", 0}};
	e.plot = {"",
		  "asked SYN rate (kpps; 1000 = hping3 --flood)",
		  "legitimate clients served within 3 s (%)",
		  "",
		  {"served_pct"},
		  {},
		  true};
	e.prepare = [](Run &run, const std::string &variant) {
		PairSpec ps;
		auto p = std::make_shared<Pair>(run.lab.vnic_pair(ps));
		add_addresses(p->ns_a, p->a, legit_sources());
		must_run({"ip", "-n", p->ns_b, "route", "add", "default", "via", p->a_addr});
		run.lab.set_sysctl(p->ns_b, "net.ipv4.tcp_syncookies",
				   variant == "cookies-1" ? "1" : "0");
		if (variant == "xdp-synlimit") {
			NetnsScope in(p->ns_b);
			xdp::ensure_bpffs();
			auto res = xdp::attach(p->b, xdp::Mode::native, false);
			const std::string ns = p->ns_b, dev = p->b;
			run.cleanup.push("detach XDP from " + dev, [ns, dev] {
				NetnsScope in(ns);
				xdp::detach(dev);
			});
			xdp::Filter(res.att).set_synlimit(
				xdp::SynLimit{synlimit_rate, synlimit_burst});
		}
		auto port = std::make_shared<unsigned>(80);
		return Measure(
			[&run, p, port](double x) { return measure_point(run, *p, x, (*port)++); });
	};
	e.judge = judge;
	return e;
}

} // namespace
} // namespace exp_synflood

NETTUNE_EXPERIMENT(synflood, exp_synflood::make);
