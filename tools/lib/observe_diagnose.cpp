#include "observe_diagnose.hpp"

#include "observe_meanings.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace nettune::observe {

const char *severity_name(Severity s)
{
	switch (s) {
	case Severity::drops:
		return "drops";
	case Severity::degraded:
		return "degraded";
	case Severity::load:
		return "load";
	}
	return "?";
}

bool is_rx_overflow_counter(const std::string &name)
{
	std::string n = name;
	std::transform(n.begin(), n.end(), n.begin(),
		       [](unsigned char c) { return std::tolower(c); });
	if (n.rfind("tx", 0) == 0 || n.find("_tx_") != std::string::npos)
		return false;
	for (const char *pat : {"ring_full", "missed", "fifo", "no_buf", "nobuf", "out_of_buffer",
				"rx_over", "rx_discards"})
		if (n.find(pat) != std::string::npos)
			return true;
	return false;
}

namespace {

// Counters only grow; one that went back (device re-created, wrap) is 0.
uint64_t grew(uint64_t before, uint64_t after)
{
	return after > before ? after - before : 0;
}

struct Walk {
	const Snapshot &a, &b;
	const DiagnoseOptions &o;
	double seconds;
	std::vector<Finding> out;

	uint64_t mib(const std::string &name) const
	{
		auto ia = a.mib.find(name), ib = b.mib.find(name);
		if (ia == a.mib.end() || ib == b.mib.end())
			return 0;
		return ib->second > ia->second ? static_cast<uint64_t>(ib->second - ia->second) : 0;
	}

	Evidence mib_evidence(const std::string &name) const
	{
		return {name, static_cast<int64_t>(mib(name)), counter_meaning(name)};
	}

	// Adds the counters of `names` that moved as evidence; returns their sum.
	uint64_t add_moved(Finding &f, std::initializer_list<const char *> names) const
	{
		uint64_t sum = 0;
		for (const char *n : names)
			if (uint64_t d = mib(n)) {
				f.evidence.push_back(mib_evidence(n));
				sum += d;
			}
		return sum;
	}

	std::string sysctl(const std::string &k, const std::string &fallback) const
	{
		auto it = b.sysctls.find(k);
		return it == b.sysctls.end() ? fallback : it->second;
	}

	uint64_t sysctl_u64(const std::string &k, uint64_t fallback) const
	{
		auto it = b.sysctls.find(k);
		if (it == b.sysctls.end())
			return fallback;
		try {
			return std::stoull(it->second);
		} catch (...) {
			return fallback;
		}
	}

	void nic_rings();
	void cpu_load();
	void softnet();
	void conntrack();
	void listen_queue();
	void socket_buffers();
	void retransmissions();
};

const DeviceSample *find_device(const Snapshot &s, const std::string &name)
{
	for (const auto &d : s.devices)
		if (d.name == name)
			return &d;
	return nullptr;
}

uint64_t stat_value(const ethtool::StatList &l, const std::string &name, bool &found)
{
	for (const auto &[n, v] : l)
		if (n == name) {
			found = true;
			return v;
		}
	found = false;
	return 0;
}

void Walk::nic_rings()
{
	for (const auto &dev : b.devices) {
		const DeviceSample *before = find_device(a, dev.name);
		if (!before)
			continue;
		Finding f;
		f.id = "rx_ring_overflow";
		f.layer = "nic";
		f.severity = Severity::drops;
		uint64_t from_ethtool = 0, from_sysfs = 0;
		std::vector<unsigned> queues;
		for (const auto &[name, v] : dev.stats) {
			if (!is_rx_overflow_counter(name))
				continue;
			bool found = false;
			uint64_t old = stat_value(before->stats, name, found);
			uint64_t d = found ? grew(old, v) : 0;
			if (!d)
				continue;
			from_ethtool += d;
			f.evidence.push_back(
				{dev.name + " " + name, static_cast<int64_t>(d),
				 "ethtool -S: packets the NIC could not place in the RX ring"});
			auto g = ethtool::group_by_queue({{name, v}});
			for (const auto &[q, qs] : g.queues)
				queues.push_back(q);
		}
		for (const char *name : {"rx_missed_errors", "rx_fifo_errors", "rx_over_errors"}) {
			auto ia = before->sysfs.find(name), ib = dev.sysfs.find(name);
			if (ia == before->sysfs.end() || ib == dev.sysfs.end())
				continue;
			// Drivers often count one drop in several of these: the
			// largest is the number of packets.
			if (uint64_t d = grew(ia->second, ib->second)) {
				from_sysfs = std::max(from_sysfs, d);
				f.evidence.push_back({dev.name + " statistics/" + name,
						      static_cast<int64_t>(d),
						      "device RX overflow"});
			}
		}
		f.events = std::max(from_ethtool, from_sysfs);
		if (f.events < min_drops)
			continue;
		std::string qs;
		for (unsigned q : queues)
			qs += (qs.empty() ? "" : ",") + std::to_string(q);
		f.title = fmt::format("{}: RX ring overflow, {} packets dropped{}", dev.name,
				      f.events, qs.empty() ? "" : " on queue " + qs);
		f.cause = "packets arrived faster than the NAPI poll emptied the RX ring: the ring "
			  "is too small for the bursts, or the CPU taking the queue's interrupt is "
			  "busy";
		if (dev.rings && dev.rings->rx_max > dev.rings->rx) {
			const uint32_t want =
				std::min(dev.rings->rx_max, std::max(dev.rings->rx * 4, 256u));
			f.fix.push_back(fmt::format("ethtool -G {} rx {}   # ring now {}, max {}",
						    dev.name, want, dev.rings->rx,
						    dev.rings->rx_max));
		} else if (dev.rings) {
			f.fix.push_back(
				fmt::format("ring already at its maximum ({}): spread the load "
					    "instead",
					    dev.rings->rx));
		} else {
			f.fix.push_back(
				fmt::format("ethtool -G {} rx N   # a larger RX ring", dev.name));
		}
		f.fix.push_back(fmt::format(
			"ethtool -L {} combined N   # more queues, spread by RSS", dev.name));
		f.fix.push_back(
			"echo CPU > /proc/irq/IRQ/smp_affinity_list   # the queue's interrupt "
			"on a CPU that is not busy (nettune stat irq " +
			dev.name + ")");
		out.push_back(std::move(f));
	}
}

// The hot CPU's interrupts after the first, one per other CPU in turn
// (IRQ affinity); and RPS for the first device's queue 0 over the other
// CPUs. `hot` lists (device, IRQ name, IRQ number) counted on `top_cpu`.
template <typename HotIrqs>
void add_spread_fixes(Finding &f, size_t top_cpu, size_t ncpus, const HotIrqs &hot)
{
	std::vector<size_t> others;
	for (size_t c = 0; c < ncpus; c++)
		if (c != top_cpu)
			others.push_back(c);
	if (hot.empty() || others.empty()) {
		f.fix.push_back(fmt::format("echo OTHER_CPU > /proc/irq/N/smp_affinity_list   # "
					    "the RX IRQs on cpu{} (nettune stat irq DEV)",
					    top_cpu));
		f.fix.push_back("echo MASK > /sys/class/net/DEV/queues/rx-N/rps_cpus   # RPS: "
				"protocol work of a queue on other CPUs");
		return;
	}
	for (size_t i = 1; i < hot.size(); i++)
		f.fix.push_back(fmt::format("echo {} > /proc/irq/{}/smp_affinity_list   # {} off "
					    "cpu{}",
					    others[(i - 1) % others.size()], hot[i].irq,
					    hot[i].name, top_cpu));
	if (ncpus <= 32) {
		uint32_t mask = 0;
		for (size_t c : others)
			mask |= 1u << c;
		f.fix.push_back(fmt::format("echo {:x} > /sys/class/net/{}/queues/rx-0/rps_cpus   "
					    "# RPS: {}'s queue 0 protocol work on the other CPUs",
					    mask, hot[0].dev, hot[0].dev));
	} else {
		f.fix.push_back(fmt::format("echo MASK > /sys/class/net/{}/queues/rx-N/rps_cpus   "
					    "# RPS: protocol work on other CPUs",
					    hot[0].dev));
	}
}

void Walk::cpu_load()
{
	const auto &sa = a.net_rx_softirqs, &sb = b.net_rx_softirqs;
	if (sb.size() < 2 || sa.size() != sb.size() || seconds <= 0)
		return;
	uint64_t total = 0, top = 0;
	size_t top_cpu = 0;
	for (size_t c = 0; c < sb.size(); c++) {
		uint64_t d = grew(sa[c], sb[c]);
		total += d;
		if (d > top) {
			top = d;
			top_cpu = c;
		}
	}
	uint64_t top_processed = 0, all_processed = 0, squeeze = 0;
	for (const auto &c : b.softnet)
		for (const auto &p : a.softnet)
			if (p.cpu == c.cpu) {
				all_processed += grew(p.processed, c.processed);
				if (c.cpu == top_cpu) {
					top_processed = grew(p.processed, c.processed);
					squeeze = grew(p.time_squeeze, c.time_squeeze);
				}
			}
	// Busy: many softirqs, many packets, or softirq work that did not fit
	// its budget on that CPU (time_squeeze: the CPU is the limit, whatever
	// the rate it reaches).
	const bool busy = total / seconds >= hot_cpu_min_softirq_rate ||
			  top_processed / seconds >= hot_cpu_min_packet_rate ||
			  squeeze >= min_time_squeeze;
	if (!busy || top < hot_cpu_share * total)
		return;
	Finding f;
	f.id = "cpu_softirq_hotspot";
	f.layer = "cpu";
	f.severity = Severity::load;
	f.events = top;
	f.title = fmt::format("CPU {} runs {:.0f}% of the NET_RX softirqs ({:.0f}/s, {:.0f} "
			      "packets/s)",
			      top_cpu, 100.0 * top / total, top / seconds, top_processed / seconds);
	f.evidence.push_back({fmt::format("cpu{} NET_RX softirqs", top_cpu),
			      static_cast<int64_t>(top), "/proc/softirqs"});
	f.evidence.push_back(
		{"all CPUs NET_RX softirqs", static_cast<int64_t>(total), "/proc/softirqs"});
	f.evidence.push_back({fmt::format("cpu{} processed", top_cpu),
			      static_cast<int64_t>(top_processed),
			      fmt::format("softnet_stat: packets received on it, of {} on all "
					  "CPUs",
					  all_processed)});
	// Which device interrupts land there.
	struct HotIrq {
		std::string dev, name;
		unsigned irq;
	};
	std::vector<HotIrq> hot;
	for (const auto &dev : b.devices)
		for (const auto &irq : device_irqs(b.irqs, dev.name)) {
			uint64_t before = 0;
			for (const auto &l : a.irqs)
				if (l.irq == irq.irq && top_cpu < l.per_cpu.size())
					before = l.per_cpu[top_cpu];
			if (top_cpu < irq.per_cpu.size())
				if (uint64_t d = grew(before, irq.per_cpu[top_cpu])) {
					f.evidence.push_back(
						{fmt::format("irq {} {} on cpu{}", irq.irq,
							     irq.name, top_cpu),
						 static_cast<int64_t>(d), "/proc/interrupts"});
					hot.push_back({dev.name, irq.name, irq.irq});
				}
		}
	// Load, even with squeezes: nothing was lost here (a drop would show as
	// ring overflow or backlog drops, which rank above).
	if (squeeze) {
		f.evidence.push_back({fmt::format("cpu{} time_squeeze", top_cpu),
				      static_cast<int64_t>(squeeze),
				      "softnet_stat: NAPI budget ran out"});
	}
	f.cause = "one CPU receives for the whole machine: the RX interrupts (and so NAPI and the "
		  "stack) are pinned to it, or one queue takes all flows";
	add_spread_fixes(f, top_cpu, sb.size(), hot);
	f.fix.push_back("ethtool -L DEV combined N   # more queues, RSS spreads flows");
	out.push_back(std::move(f));
}

void Walk::softnet()
{
	Finding drops, squeeze;
	drops.id = "softnet_backlog_drops";
	drops.layer = "softnet";
	drops.severity = Severity::drops;
	squeeze.id = "softnet_time_squeeze";
	squeeze.layer = "softnet";
	// Load, not loss: the work is deferred to ksoftirqd, nothing dropped
	// (drops show as ring overflow or backlog drops).
	squeeze.severity = Severity::load;
	for (const auto &c : b.softnet)
		for (const auto &p : a.softnet) {
			if (p.cpu != c.cpu)
				continue;
			if (uint64_t d = grew(p.dropped, c.dropped)) {
				drops.events += d;
				drops.evidence.push_back({fmt::format("cpu{} dropped", c.cpu),
							  static_cast<int64_t>(d),
							  "softnet_stat: backlog queue full"});
			}
			if (uint64_t d = grew(p.flow_limit, c.flow_limit)) {
				drops.events += d;
				drops.evidence.push_back(
					{fmt::format("cpu{} flow_limit_count", c.cpu),
					 static_cast<int64_t>(d),
					 "softnet_stat: dropped by the flow limit"});
			}
			if (uint64_t d = grew(p.time_squeeze, c.time_squeeze)) {
				squeeze.events += d;
				squeeze.evidence.push_back(
					{fmt::format("cpu{} time_squeeze", c.cpu),
					 static_cast<int64_t>(d),
					 "softnet_stat: net_rx_action out of budget/time"});
			}
		}
	// netdev_max_backlog is global: /proc/sys/net/core shows it only in
	// the initial namespace.
	const bool known = b.sysctls.count("net.core.netdev_max_backlog");
	const uint64_t backlog = sysctl_u64("net.core.netdev_max_backlog", 1000);
	if (drops.events >= min_drops) {
		drops.title = fmt::format("softnet backlog drops: {} packets ({})", drops.events,
					  known ? fmt::format("netdev_max_backlog {}", backlog)
						: "netdev_max_backlog is global, not visible here");
		drops.cause =
			"packets queued to a CPU's backlog (non-NAPI drivers, veth, RPS, "
			"loopback) faster than that CPU processed them, past netdev_max_backlog";
		drops.fix.push_back(
			known ? fmt::format("sysctl -w net.core.netdev_max_backlog={}",
					    std::max<uint64_t>(backlog * 4, 4096))
			      : "sysctl -w net.core.netdev_max_backlog=N   # in the initial "
				"namespace: 4x the current value");
		drops.fix.push_back(
			"echo f > /sys/class/net/DEV/queues/rx-0/rps_cpus   # spread the "
			"backlog work over more CPUs");
		out.push_back(std::move(drops));
	}
	if (squeeze.events >= min_time_squeeze) {
		const uint64_t budget = sysctl_u64("net.core.netdev_budget", 300);
		squeeze.title = fmt::format("time_squeeze: softirq ran out of budget {} times",
					    squeeze.events);
		squeeze.cause =
			"net_rx_action stopped with packets still waiting (netdev_budget "
			"packets or netdev_budget_usecs spent): receive work is deferred to "
			"ksoftirqd and latency grows";
		squeeze.fix.push_back(
			fmt::format("sysctl -w net.core.netdev_budget={}", budget * 2));
		squeeze.fix.push_back(
			fmt::format("sysctl -w net.core.netdev_budget_usecs={}",
				    sysctl_u64("net.core.netdev_budget_usecs", 2000) * 2));
		squeeze.fix.push_back("spread RX over more CPUs (IRQ affinity, RPS)");
		out.push_back(std::move(squeeze));
	}
}

void Walk::conntrack()
{
	if (!a.conntrack || !b.conntrack)
		return;
	const auto &ca = a.conntrack->totals, &cb = b.conntrack->totals;
	auto d = [&](const char *k) {
		auto ia = ca.find(k), ib = cb.find(k);
		return ia == ca.end() || ib == cb.end() ? 0 : grew(ia->second, ib->second);
	};
	Finding f;
	f.id = "conntrack_table_full";
	f.layer = "conntrack";
	const uint64_t drop = d("drop"), early = d("early_drop"), failed = d("insert_failed");
	for (auto [k, v] :
	     {std::pair{"drop", drop}, {"early_drop", early}, {"insert_failed", failed}})
		if (v)
			f.evidence.push_back({std::string("nf_conntrack ") + k,
					      static_cast<int64_t>(v),
					      "/proc/net/stat/nf_conntrack (conntrack -S)"});
	const auto &c = *b.conntrack;
	const bool full = c.max && c.count >= conntrack_full_ratio * c.max;
	if (full)
		f.evidence.push_back(
			{"nf_conntrack_count", static_cast<int64_t>(c.count),
			 fmt::format("gauge: {} of nf_conntrack_max {}", c.count, c.max)});
	f.events = drop + early + failed;
	if (drop + failed >= min_drops)
		f.severity = Severity::drops;
	else if (early || full)
		f.severity = Severity::degraded;
	else
		return;
	f.title = fmt::format("conntrack table full: {} of {} entries, {} new flows dropped, {} "
			      "evicted",
			      c.count, c.max, drop, early);
	f.cause = "more flows than nf_conntrack_max: new connections are dropped (the kernel "
		  "logs 'nf_conntrack: table full, dropping packet')";
	f.fix.push_back(fmt::format("sysctl -w net.netfilter.nf_conntrack_max={}",
				    std::max<uint64_t>(c.max * 4, 262144)));
	if (c.buckets)
		f.fix.push_back(
			fmt::format("echo {} > /sys/module/nf_conntrack/parameters/hashsize   "
				    "# keep chains short",
				    std::max<uint64_t>(c.max, 65536)));
	f.fix.push_back("nettune bypass add proto udp dport PORT both   # untrack flows that need "
			"no state (see nettune-bypass(8))");
	out.push_back(std::move(f));
}

void Walk::listen_queue()
{
	Finding f;
	f.id = "listen_queue_overflow";
	f.layer = "listen";
	f.severity = Severity::drops;
	const uint64_t overflows = mib("TcpExtListenOverflows");
	const uint64_t drops = mib("TcpExtListenDrops");
	const uint64_t synq = mib("TcpExtTCPReqQFullDrop");
	add_moved(f, {"TcpExtListenOverflows", "TcpExtListenDrops", "TcpExtTCPReqQFullDrop",
		      "TcpExtTCPReqQFullDoCookies", "TcpExtSyncookiesSent"});
	f.events = std::max(overflows, drops) + synq;
	if (f.events < min_drops)
		return;
	std::string worst;
	for (const auto &l : b.listeners) {
		if (o.port && l.port != o.port)
			continue;
		if (l.accept_queue == 0 && !o.port)
			continue;
		f.evidence.push_back({"listener " + l.local + " accept queue",
				      static_cast<int64_t>(l.accept_queue),
				      fmt::format("gauge: {} waiting of backlog {}", l.accept_queue,
						  l.backlog)});
		if (worst.empty() || l.accept_queue >= l.backlog)
			worst = fmt::format("{} ({} of {})", l.local, l.accept_queue, l.backlog);
	}
	f.title = fmt::format("listen queue overflow: {} handshakes dropped{}", f.events,
			      worst.empty() ? "" : ", listener " + worst);
	f.cause = "the accept queue of a listener was full: the application calls accept() too "
		  "slowly for the connection rate, or its listen() backlog is small";
	const uint64_t somax = sysctl_u64("net.core.somaxconn", 4096);
	f.fix.push_back("make the application accept faster (more acceptor threads, "
			"SO_REUSEPORT listeners)");
	f.fix.push_back(fmt::format("raise its listen(fd, backlog); the kernel caps it at "
				    "net.core.somaxconn (now {}): sysctl -w net.core.somaxconn={}",
				    somax, std::max<uint64_t>(somax * 2, 4096)));
	if (synq)
		f.fix.push_back(fmt::format("sysctl -w net.ipv4.tcp_max_syn_backlog={}",
					    sysctl_u64("net.ipv4.tcp_max_syn_backlog", 128) * 4));
	out.push_back(std::move(f));
}

void Walk::socket_buffers()
{
	Finding udp;
	udp.id = "udp_rcvbuf_drops";
	udp.layer = "socket";
	udp.severity = Severity::drops;
	udp.events = add_moved(
		udp, {"UdpRcvbufErrors", "Udp6RcvbufErrors", "UdpMemErrors", "Udp6MemErrors"});
	const uint64_t rmem_max = sysctl_u64("net.core.rmem_max", 212992);
	if (udp.events >= min_drops) {
		udp.title =
			fmt::format("UDP receive buffer full: {} datagrams dropped", udp.events);
		udp.cause = "a UDP socket's receive queue reached its SO_RCVBUF: the reader is "
			    "too slow for the rate or bursts, or its buffer is small";
		udp.fix.push_back("read faster (batch with recvmmsg, more reader threads with "
				  "SO_REUSEPORT)");
		udp.fix.push_back(fmt::format("setsockopt(SO_RCVBUF) larger; the kernel caps it at "
					      "net.core.rmem_max (now {}): sysctl -w "
					      "net.core.rmem_max={}",
					      rmem_max,
					      std::max<uint64_t>(rmem_max * 4, 8u << 20)));
		udp.fix.push_back("sysctl -w net.core.rmem_default=N   # for readers that set no "
				  "buffer");
		out.push_back(std::move(udp));
	}
	Finding tcp;
	tcp.id = "tcp_rcvbuf_drops";
	tcp.layer = "socket";
	tcp.severity = Severity::drops;
	tcp.events = add_moved(tcp, {"TcpExtTCPRcvQDrop", "TcpExtRcvPruned", "TcpExtTCPOFODrop",
				     "TcpExtTCPZeroWindowDrop", "TcpExtTCPBacklogDrop"});
	const uint64_t pruned = add_moved(tcp, {"TcpExtPruneCalled", "TcpExtOfoPruned"});
	if (tcp.events < min_drops && pruned >= min_drops) {
		tcp.severity = Severity::degraded;
		tcp.events = pruned;
	}
	if (tcp.events >= min_drops) {
		tcp.title = fmt::format("TCP receive buffer pressure: {} segments dropped or "
					"pruned",
					tcp.events);
		tcp.cause = "data arrived beyond what the socket's receive buffer could hold: the "
			    "application reads slowly, or tcp_rmem's maximum is too small for the "
			    "bandwidth-delay product";
		tcp.fix.push_back(fmt::format("sysctl -w net.ipv4.tcp_rmem='{}'   # raise the "
					      "maximum; see nettune tune bdp",
					      sysctl("net.ipv4.tcp_rmem", "4096 131072 6291456")));
		tcp.fix.push_back("read faster; avoid small SO_RCVBUF (it disables autotuning)");
		out.push_back(std::move(tcp));
	}
}

void Walk::retransmissions()
{
	const uint64_t retrans = mib("TcpRetransSegs");
	const uint64_t syn = mib("TcpExtTCPSynRetrans");
	const uint64_t data = retrans > syn ? retrans - syn : 0;
	const uint64_t sent = mib("TcpOutSegs");
	const uint64_t timeouts = mib("TcpExtTCPTimeouts");
	const uint64_t fast = mib("TcpExtTCPFastRetrans");
	const uint64_t probes = mib("TcpExtTCPLossProbes");
	const uint64_t dsack = mib("TcpExtTCPDSACKRecv") + mib("TcpExtTCPDSACKOfoRecv");
	const uint64_t icmp = mib("IcmpInDestUnreachs") + mib("Icmp6InPktTooBigs");
	const uint64_t in = mib("TcpInSegs");
	const uint64_t mtup_fail = mib("TcpExtTCPMTUPFail");

	const bool blackhole = mtup_fail > 0 || (timeouts >= blackhole_min_timeouts && fast == 0 &&
						 dsack == 0 && icmp == 0 && in > 0);
	if (blackhole) {
		// Stuck sockets sending full-size segments make the case.
		std::vector<const TcpConn *> stuck;
		for (const auto &c : b.retransmitting)
			if (c.retransmits > 0 && c.unacked > 0)
				stuck.push_back(&c);
		if (mtup_fail > 0 || !stuck.empty()) {
			Finding f;
			f.id = "pmtu_blackhole";
			f.layer = "tcp";
			f.severity = Severity::drops;
			f.events = timeouts + mtup_fail;
			add_moved(f, {"TcpExtTCPTimeouts", "TcpExtTCPLossProbes", "TcpRetransSegs",
				      "TcpExtTCPMTUPFail", "TcpInSegs"});
			f.evidence.push_back({"IcmpInDestUnreachs + Icmp6InPktTooBigs",
					      static_cast<int64_t>(icmp),
					      "no ICMP frag-needed / packet-too-big came back"});
			for (const auto *c : stuck)
				f.evidence.push_back(
					{fmt::format("socket {} -> {}", c->local, c->remote),
					 c->retransmits,
					 fmt::format("consecutive RTOs; mss {}, path mtu {}, {} "
						     "unacked",
						     c->snd_mss, c->pmtu, c->unacked)});
			f.title = fmt::format("PMTU black hole likely: {} retransmission timeouts, "
					      "no ICMP, peer still answering",
					      timeouts);
			f.cause =
				"full-size segments vanish on the path (a hop with a smaller MTU) "
				"and the ICMP 'fragmentation needed' that would lower the path "
				"MTU is filtered: small packets (ACKs, handshakes) pass, data "
				"times out again and again. Heuristic: RTOs with no fast "
				"retransmit, no D-SACK and no ICMP while segments still arrive";
			f.fix.push_back(
				"sysctl -w net.ipv4.tcp_mtu_probing=1   # TCP lowers its MSS "
				"when it detects a black hole");
			f.fix.push_back(
				"iptables -A INPUT -p icmp --icmp-type fragmentation-needed -j "
				"ACCEPT   # on every hop: let PMTU discovery work");
			f.fix.push_back(
				"iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN "
				"-j TCPMSS --clamp-mss-to-pmtu   # on the router before the "
				"small hop");
			out.push_back(std::move(f));
			return;
		}
	}
	const bool by_volume = data >= retrans_storm_min && data >= retrans_storm_ratio * sent;
	const bool by_timeouts =
		timeouts >= retrans_storm_min_timeouts && data >= retrans_storm_min_timeouts;
	if (!by_volume && !by_timeouts)
		return;
	Finding f;
	f.id = "retrans_storm";
	f.layer = "tcp";
	f.severity = Severity::degraded;
	f.events = data;
	add_moved(f, {"TcpRetransSegs", "TcpOutSegs", "TcpExtTCPTimeouts", "TcpExtTCPFastRetrans",
		      "TcpExtTCPLossProbes", "TcpExtTCPDSACKRecv", "TcpExtTCPDSACKOfoRecv",
		      "TcpExtTCPSpuriousRTOs", "TcpExtTCPLossUndo", "TcpExtTCPDSACKUndo",
		      "TcpExtTCPSynRetrans", "TcpExtTCPLostRetransmit"});
	const bool timeouts_dominate = timeouts > fast;
	const double pct = sent ? 100.0 * data / sent : 100.0;
	if (dsack >= dsack_spurious_share * data) {
		f.cause = fmt::format(
			"ACK path loss (reverse direction): the peer reported {} D-SACKs for {} "
			"retransmits, so it had the data already; the ACKs were lost or late and "
			"the sender retransmitted needlessly ({} timeouts, {} fast retransmits, {} "
			"loss probes)",
			dsack, data, timeouts, fast, probes);
	} else if (timeouts_dominate) {
		f.cause = fmt::format(
			"ACK path loss or whole flights lost: retransmission timeouts dominate ({} "
			"RTOs vs {} fast retransmits), so no duplicate ACKs or SACKs came back "
			"to trigger fast recovery: the ACKs vanished (reverse path) or everything "
			"sent did (an outage); D-SACKs ({}) after the fact mean the data had "
			"arrived",
			timeouts, fast, dsack);
	} else {
		f.cause = fmt::format(
			"forward (data) loss: fast retransmits dominate ({} vs {} timeouts): the "
			"peer's SACKs show holes, segments are dropped on the way to it (a lossy "
			"link, a full queue or policer); no D-SACKs ({}), so the retransmits were "
			"needed",
			fast, timeouts, dsack);
	}
	f.title = fmt::format("TCP retransmission storm: {} retransmits ({:.1f}% of segments "
			      "sent), {} dominate",
			      data, pct, timeouts_dominate ? "timeouts" : "fast retransmits");
	f.fix.push_back("find the lossy hop: ip -s link, tc -s qdisc, ethtool -S on each "
			"device of the path; nettune trace retrans shows the flows");
	f.fix.push_back("to tell data loss from ACK loss for sure, run diagnose (or nettune stat "
			"TcpExtTCPOFOQueue TcpExtTCPDSACKOldSent) at the receiver: out-of-order "
			"queueing there means data was lost; D-SACKs sent mean duplicates, i.e. "
			"the ACKs were lost");
	f.fix.push_back("nettune trace drops   # where the kernel drops packets, by reason");
	f.fix.push_back("sysctl -w net.ipv4.tcp_congestion_control=bbr   # with default_qdisc "
			"fq: less sensitive to random loss");
	out.push_back(std::move(f));
}

} // namespace

std::vector<Finding> diagnose(const Snapshot &before, const Snapshot &after,
			      const DiagnoseOptions &o)
{
	Walk w{before, after, o, after.time_s - before.time_s, {}};
	// Bottom-up: the order ties keep.
	w.nic_rings();
	w.cpu_load();
	w.softnet();
	w.conntrack();
	w.socket_buffers();
	w.listen_queue();
	w.retransmissions();
	std::stable_sort(w.out.begin(), w.out.end(), [](const Finding &x, const Finding &y) {
		if (x.severity != y.severity)
			return x.severity > y.severity;
		return x.events > y.events;
	});
	return w.out;
}

nlohmann::json finding_json(const Finding &f, double seconds)
{
	nlohmann::json ev = nlohmann::json::array();
	for (const auto &e : f.evidence)
		ev.push_back({{"counter", e.counter},
			      {"delta", e.delta},
			      {"per_second", seconds > 0 ? e.delta / seconds : 0.0},
			      {"note", e.note}});
	return {{"id", f.id},         {"layer", f.layer}, {"severity", severity_name(f.severity)},
		{"events", f.events}, {"title", f.title}, {"evidence", ev},
		{"cause", f.cause},   {"fix", f.fix}};
}

} // namespace nettune::observe
