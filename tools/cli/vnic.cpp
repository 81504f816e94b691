// nettune vnic: ntvnic pairs (add, del, show, set) and RSS prediction (rss);
// the ntuple view is in vnic_steer.cpp.
#include "vnic.hpp"
#include "command.hpp"
#include "error.hpp"
#include "ethtool.hpp"
#include "keywords.hpp"
#include "rss.hpp"
#include "sysfs.hpp"
#include "table.hpp"
#include "vnic_wire.hpp"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>
#include <uapi/linux/ntvnic.h>

namespace {

using nettune::cli::Globals;
namespace rss = nettune::rss;
namespace vnic = nettune::vnic;
namespace ethtool = nettune::ethtool;

constexpr uint64_t u32_max = 0xffffffffu;

// ---- rss -------------------------------------------------------------------

struct RssOptions {
	std::string dev;
	std::string flow;
	std::string proto = "tcp";
	std::string key;
	uint32_t indir_size = 0; // 0: not given (offline default 128)
	uint32_t queues = 0;
};

struct RssTable {
	rss::Key key;
	std::vector<uint32_t> indir;
	std::string source; // where key and table came from
};

RssTable device_table(const std::string &dev)
{
	ethtool::Device d(dev);
	auto r = d.rss();
	if (r.hfunc && !(r.hfunc & ethtool::rss_hash_toeplitz))
		throw nettune::Error(dev + ": RSS hash function is not Toeplitz (hfunc " +
				     std::to_string(r.hfunc) + ")");
	if (r.key.empty())
		throw nettune::Error(dev + ": the driver reports no RSS key");
	if (r.indir.empty())
		r.indir = rss::default_indir(NTVNIC_RSS_INDIR_SIZE, d.channels().combined);
	return {r.key, r.indir, dev};
}

RssTable offline_table(const RssOptions &o)
{
	if (o.queues == 0)
		throw nettune::UsageError("rss: give a device, or --queues N for offline mode");
	RssTable t;
	t.key = o.key.empty() ? rss::default_key() : rss::parse_key(o.key);
	t.indir = rss::default_indir(o.indir_size ? o.indir_size : NTVNIC_RSS_INDIR_SIZE, o.queues);
	t.source = o.key.empty() ? "default key" : "given key";
	return t;
}

struct RssResult {
	uint32_t hash;
	size_t index;
	uint32_t queue;
	std::string hash_hex;
	const char *input;
};

RssResult compute_rss(const rss::Flow &f, const RssTable &t)
{
	RssResult r;
	r.hash = rss::flow_hash(t.key, f);
	r.index = r.hash % t.indir.size();
	r.queue = t.indir[r.index];
	char hex[16];
	snprintf(hex, sizeof(hex), "0x%08x", r.hash);
	r.hash_hex = hex;
	r.input = f.proto != rss::Proto::other ? "4-tuple" : "2-tuple";
	return r;
}

nlohmann::json rss_json(const rss::Flow &f, const RssTable &t, const RssResult &r)
{
	return {{"proto", rss::proto_name(f.proto)},
		{"src", rss::address_string(f, true)},
		{"sport", f.sport},
		{"dst", rss::address_string(f, false)},
		{"dport", f.dport},
		{"input", r.input},
		{"key", rss::format_key(t.key)},
		{"key_source", t.source},
		{"hash", r.hash},
		{"hash_hex", r.hash_hex},
		{"indir_index", r.index},
		{"indir_size", t.indir.size()},
		{"queue", r.queue}};
}

void print_rss(const Globals &g, const rss::Flow &f, const RssTable &t)
{
	const RssResult r = compute_rss(f, t);
	if (g.json) {
		std::cout << rss_json(f, t, r).dump(2) << '\n';
		return;
	}
	auto ep = [&f](bool src) {
		std::string a = rss::address_string(f, src);
		return (f.ipv6 ? "[" + a + "]" : a) + ":" + std::to_string(src ? f.sport : f.dport);
	};
	std::cout << "flow   " << rss::proto_name(f.proto) << " " << ep(true) << " -> " << ep(false)
		  << " (" << r.input << ")\n"
		  << "key    " << rss::format_key(t.key) << " (" << t.source << ")\n"
		  << "hash   " << r.hash_hex << "\n"
		  << "index  " << r.index << " of " << t.indir.size() << "\n"
		  << "queue  " << r.queue << "\n";
}

void run_rss(const Globals &g, const RssOptions &o)
{
	rss::Flow f = rss::parse_flow(o.flow, rss::parse_proto(o.proto));
	if (!o.dev.empty() && (o.queues || o.indir_size))
		throw nettune::UsageError("rss: --queues and --indir-size are for offline mode; " +
					  o.dev + "'s own table is used");
	RssTable t = o.dev.empty() ? offline_table(o) : device_table(o.dev);
	if (!o.dev.empty() && !o.key.empty()) {
		t.key = rss::parse_key(o.key);
		t.source = "given key, " + o.dev + "'s table";
	}
	print_rss(g, f, t);
}

void add_rss(CLI::App *vnic, Globals &g)
{
	auto o = std::make_shared<RssOptions>();
	auto *cmd = vnic->add_subcommand(
		"rss", "RSS hash and RX queue of a flow, with DEV's key and table (ethtool -x) "
		       "or offline with --queues");
	cmd->add_option("dev", o->dev, "receiving device (omit for offline mode)");
	cmd->add_option("--flow", o->flow, "SRC:PORT,DST:PORT ([v6addr]:port for IPv6)")
		->required();
	cmd->add_option("--proto", o->proto, "tcp | udp (4-tuple) or other (2-tuple)");
	cmd->add_option("--key", o->key, "Toeplitz key in hex (default: Microsoft test key)");
	cmd->add_option("--indir-size", o->indir_size, "offline table size (default 128)")
		->check(CLI::Range(1u, 65536u));
	cmd->add_option("--queues", o->queues, "offline: RX queues, table is i % N")
		->check(CLI::Range(1u, 65536u));
	nettune::cli::on_run(cmd, g, [&g, o] { run_rss(g, *o); });
}

// ---- add / del / set ---------------------------------------------------------

const std::vector<std::string> setting_keywords = {"queues",    "rx-ring",  "tx-ring",   "mode",
						   "weight",    "rx-usecs", "rx-frames", "tx-usecs",
						   "tx-frames", "rate",     "delay",     "loss"};

// Numbers are only checked for being numbers: the kernel owns the ranges and
// explains a refusal (extack), which is printed as it is.
vnic::Settings parse_settings(const nettune::KeywordArgs &kw)
{
	vnic::Settings s;
	s.queues = kw.get_uint("queues", 0, u32_max);
	s.rx_ring = kw.get_uint("rx-ring", 0, u32_max);
	s.tx_ring = kw.get_uint("tx-ring", 0, u32_max);
	s.napi_weight = kw.get_uint("weight", 0, u32_max);
	s.rx_usecs = kw.get_uint("rx-usecs", 0, u32_max);
	s.rx_frames = kw.get_uint("rx-frames", 0, u32_max);
	s.tx_usecs = kw.get_uint("tx-usecs", 0, u32_max);
	s.tx_frames = kw.get_uint("tx-frames", 0, u32_max);
	if (auto m = kw.get("mode"))
		s.mode = vnic::parse_mode(*m);
	if (auto r = kw.get("rate"))
		s.wire_rate = vnic::parse_wire_rate(*r);
	if (auto d = kw.get("delay"))
		s.wire_delay_us = vnic::parse_wire_delay(*d);
	if (auto l = kw.get("loss"))
		s.wire_loss_ppm = vnic::parse_wire_loss(*l);
	return s;
}

std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string> &b)
{
	a.insert(a.end(), b.begin(), b.end());
	return a;
}

void print_device_line(const vnic::DeviceInfo &d);

void run_add(const Globals &g, const std::string &name, const std::vector<std::string> &args)
{
	nettune::KeywordArgs kw(with({"peer", "netns", "peer-netns"}, setting_keywords));
	kw.parse(args);
	vnic::CreateRequest req;
	req.name = name;
	req.peer = kw.get("peer").value_or("");
	req.netns = kw.get("netns").value_or("");
	req.peer_netns = kw.get("peer-netns").value_or("");
	req.settings = parse_settings(kw);
	vnic::check_ifname(req.name, "device name");
	if (!req.peer.empty())
		vnic::check_ifname(req.peer, "peer name");
	vnic::Client client;
	auto d = client.create(req);
	if (g.json)
		std::cout << vnic::device_json(d).dump(2) << '\n';
	else if (g.verbose)
		print_device_line(d);
}

void run_set(const std::string &name, const std::vector<std::string> &args)
{
	nettune::KeywordArgs kw(setting_keywords);
	kw.parse(args);
	if (args.empty())
		throw nettune::UsageError("set " + name +
					  ": nothing to change (mode, weight, queues, rx-ring, "
					  "tx-ring, rx-usecs, rx-frames, tx-usecs, tx-frames, "
					  "rate, delay, loss)");
	const vnic::Settings settings = parse_settings(kw);
	vnic::check_ifname(name, "device name");
	vnic::Client client;
	client.change(name, settings);
}

void add_change_commands(CLI::App *vnic, Globals &g)
{
	struct Args {
		std::string name;
		std::vector<std::string> rest;
	};
	auto add_args = std::make_shared<Args>();
	auto *add = vnic->add_subcommand(
		"add", "create a pair: NAME [peer NAME] [queues N] [rx-ring N] [tx-ring N] "
		       "[netns A] [peer-netns B] [mode napi|legacy] [weight N] "
		       "[rx-usecs N] [rx-frames N] [tx-usecs N] [tx-frames N] "
		       "[rate RATE] [delay TIME] [loss PCT%]");
	add->add_option("name", add_args->name, "device name")->required();
	add->add_option("args", add_args->rest, "keyword value ...");
	nettune::cli::on_run(add, g,
			     [&g, add_args] { run_add(g, add_args->name, add_args->rest); });

	auto del_name = std::make_shared<std::string>();
	auto *del = vnic->add_subcommand("del", "delete the pair DEV belongs to");
	del->add_option("dev", *del_name, "device name")->required();
	nettune::cli::on_run(del, g, [del_name] {
		vnic::check_ifname(*del_name, "device name");
		vnic::Client().remove(*del_name);
	});

	auto set_args = std::make_shared<Args>();
	auto *set = vnic->add_subcommand(
		"set", "change a port: DEV [mode napi|legacy] [weight N] [queues N] [rx-ring N] "
		       "[tx-ring N] [rx-usecs N] [rx-frames N] [tx-usecs N] [tx-frames N] "
		       "[rate RATE] [delay TIME] [loss PCT%]");
	set->add_option("dev", set_args->name, "device name")->required();
	set->add_option("args", set_args->rest, "keyword value ...");
	nettune::cli::on_run(set, g, [set_args] { run_set(set_args->name, set_args->rest); });
}

// ---- show ------------------------------------------------------------------

void print_device_line(const vnic::DeviceInfo &d)
{
	std::cout << d.name << ": peer " << (d.peer.empty() ? "-" : d.peer);
	if (d.peer_netnsid)
		std::cout << " (netnsid " << *d.peer_netnsid << ")";
	std::cout << "  queues " << d.queues << "  rx-ring " << d.rx_ring << "  tx-ring "
		  << d.tx_ring << "  mode " << vnic::mode_name(d.mode) << "  weight "
		  << d.napi_weight << "  " << vnic::operstate_name(d.operstate) << '\n';
	std::cout << "  coalesce rx-usecs " << d.rx_usecs << " rx-frames " << d.rx_frames
		  << "  tx-usecs " << d.tx_usecs << " tx-frames " << d.tx_frames << '\n';
	std::cout << "  wire rate " << vnic::format_wire_rate(d.wire_rate) << " delay "
		  << vnic::format_wire_delay(d.wire_delay_us) << " loss "
		  << vnic::format_wire_loss(d.wire_loss_ppm) << "  speed " << d.speed << "Mb/s\n";
	if (d.xdp_prog_id)
		std::cout << "  xdp native prog id " << *d.xdp_prog_id << '\n';
}

void print_device_table(const std::vector<vnic::DeviceInfo> &devs)
{
	nettune::Table t({"DEVICE", "IFINDEX", "PEER", "QUEUES", "RX-RING", "TX-RING", "MODE",
			  "WEIGHT", "MTU", "STATE", "XDP", "RATE", "DELAY", "LOSS"});
	for (const auto &d : devs)
		t.add_row({d.name, std::to_string(d.ifindex), d.peer.empty() ? "-" : d.peer,
			   std::to_string(d.queues), std::to_string(d.rx_ring),
			   std::to_string(d.tx_ring), vnic::mode_name(d.mode),
			   std::to_string(d.napi_weight), std::to_string(d.mtu),
			   vnic::operstate_name(d.operstate),
			   d.xdp_prog_id ? "native id " + std::to_string(*d.xdp_prog_id) : "-",
			   vnic::format_wire_rate(d.wire_rate),
			   vnic::format_wire_delay(d.wire_delay_us),
			   vnic::format_wire_loss(d.wire_loss_ppm)});
	t.print(std::cout);
}

std::string counter(const std::map<std::string, uint64_t> &m, const char *name)
{
	auto it = m.find(name);
	return it == m.end() ? "-" : std::to_string(it->second);
}

// One cell per CPU: the interrupts `irq` took there.
void append_cpu_counts(std::vector<std::string> &row, const std::optional<vnic::QueueIrq> &irq,
		       unsigned cpus)
{
	for (unsigned c = 0; c < cpus; c++)
		row.push_back(irq && c < irq->per_cpu.size() ? std::to_string(irq->per_cpu[c])
							     : "-");
}

std::vector<std::string> rx_queue_row(const vnic::QueueReport &q, unsigned cpus)
{
	const auto f = vnic::napi_figures(q);
	char ppp[32];
	snprintf(ppp, sizeof(ppp), "%.1f", f.packets_per_poll);
	std::vector<std::string> row = {std::to_string(q.index),
					q.irq ? std::to_string(q.irq->irq) : "-",
					q.irq && !q.irq->affinity.empty() ? q.irq->affinity : "-",
					counter(q.rx, "packets"),
					counter(q.rx, "bytes"),
					counter(q.rx, "drops"),
					std::to_string(f.ring_full),
					std::to_string(f.irqs),
					std::to_string(f.polls),
					ppp,
					std::to_string(f.budget_exhausted)};
	append_cpu_counts(row, q.irq, cpus);
	return row;
}

std::vector<std::string> tx_queue_row(const vnic::QueueReport &q, unsigned cpus)
{
	std::vector<std::string> row = {std::to_string(q.index),
					q.tx_irq ? std::to_string(q.tx_irq->irq) : "-",
					q.tx_irq && !q.tx_irq->affinity.empty() ? q.tx_irq->affinity
										: "-",
					counter(q.tx, "packets"),
					counter(q.tx, "bytes"),
					counter(q.tx, "drops"),
					counter(q.tx, "irqs"),
					counter(q.tx, "polls"),
					counter(q.tx, "kicks"),
					counter(q.tx, "stops"),
					counter(q.tx, "wakes")};
	append_cpu_counts(row, q.tx_irq, cpus);
	return row;
}

std::vector<std::string> xdp_queue_row(const vnic::QueueReport &q, unsigned)
{
	const auto x = vnic::xdp_figures(q);
	return {std::to_string(q.index),      std::to_string(x.pass),
		std::to_string(x.drop),       std::to_string(x.tx),
		std::to_string(x.redirect),   std::to_string(x.aborted),
		std::to_string(x.tx_errors),  std::to_string(x.xmit),
		std::to_string(x.xmit_errors)};
}

// Shown while a program is loaded, or once any queue has XDP counts.
bool xdp_table_wanted(const vnic::DeviceReport &r)
{
	if (r.info.xdp_prog_id)
		return true;
	for (const auto &q : r.queues) {
		const auto x = vnic::xdp_figures(q);
		if (x.pass || x.drop || x.tx || x.redirect || x.aborted || x.tx_errors || x.xmit ||
		    x.xmit_errors)
			return true;
	}
	return false;
}

void print_xdp_table(const vnic::DeviceReport &r)
{
	nettune::Table t({"QUEUE", "XDP-PASS", "XDP-DROP", "XDP-TX", "XDP-REDIRECT", "XDP-ABORTED",
			  "XDP-TX-ERR", "XDP-XMIT", "XDP-XMIT-ERR"});
	for (const auto &q : r.queues)
		t.add_row(xdp_queue_row(q, r.cpus));
	t.print(std::cout);
}

std::vector<std::string> wire_queue_row(const vnic::QueueReport &q, unsigned)
{
	return {std::to_string(q.index),        counter(q.tx, "wire_lost"),
		counter(q.tx, "wire_waits"),    counter(q.tx, "wire_delayed"),
		counter(q.tx, "wire_dropped"),  counter(q.tx, "ring_full_us"),
		counter(q.tx, "bql_limited_us")};
}

// Shown while the port's wire has a rate, delay or loss.
bool wire_table_wanted(const vnic::DeviceReport &r)
{
	return r.info.wire_rate || r.info.wire_delay_us || r.info.wire_loss_ppm;
}

// Shown once a socket has busy polled any queue.
bool busy_poll_table_wanted(const vnic::DeviceReport &r)
{
	for (const auto &q : r.queues) {
		auto it = q.rx.find("busy_polls");
		if (it != q.rx.end() && it->second)
			return true;
	}
	return false;
}

void print_queue_table(std::vector<std::string> head, const vnic::DeviceReport &r,
		       std::vector<std::string> (*row)(const vnic::QueueReport &, unsigned))
{
	for (unsigned c = 0; c < r.cpus; c++)
		head.push_back("CPU" + std::to_string(c));
	nettune::Table t(head);
	for (const auto &q : r.queues)
		t.add_row(row(q, r.cpus));
	t.print(std::cout);
}

bool offload_table_wanted(const vnic::DeviceReport &r)
{
	for (const auto &q : r.queues)
		if (vnic::offload_figures(q).present)
			return true;
	return false;
}

std::string on_off_word(bool on)
{
	return on ? "on" : "off";
}

// ethtool -k and what each offload did (ethtool -S *_csum_*, tso_*, gro_*).
void print_offload_table(const vnic::DeviceReport &r)
{
	std::cout << "offloads";
	if (r.offloads) {
		const auto &o = *r.offloads;
		std::cout << " (tx-checksum " << on_off_word(o.tx_checksum) << ", sg "
			  << on_off_word(o.sg) << ", tso " << on_off_word(o.tso) << ", rx-checksum "
			  << on_off_word(o.rx_checksum) << ", gro " << on_off_word(o.gro) << ")";
	}
	std::cout << '\n';
	nettune::Table t({"QUEUE", "TX-CSUM", "TSO-PKTS", "TSO-SEGS", "SEGS/TSO", "SG-PKTS",
			  "RX-CSUM-OK", "RX-CSUM-BAD", "RX-CSUM-NONE", "GRO-MERGED", "GSO-SPLIT"});
	for (const auto &q : r.queues) {
		const auto f = vnic::offload_figures(q);
		char spt[32];
		std::snprintf(spt, sizeof(spt), "%.1f", f.segs_per_tso);
		t.add_row({std::to_string(q.index), std::to_string(f.tx_csum),
			   std::to_string(f.tso_packets), std::to_string(f.tso_segs),
			   f.tso_packets ? spt : "-", std::to_string(f.sg_packets),
			   std::to_string(f.rx_csum_ok), std::to_string(f.rx_csum_bad),
			   std::to_string(f.rx_csum_none), std::to_string(f.gro_merged),
			   std::to_string(f.gso_split)});
	}
	t.print(std::cout);
}

// Adaptive coalescing on: the moderation each queue's DIM chose now.
void print_moderation_table(const vnic::DeviceInfo &d)
{
	auto on_off = [](bool on) { return on ? "on" : "off"; };
	std::cout << "moderation (adaptive-rx " << on_off(d.adaptive_rx) << ", adaptive-tx "
		  << on_off(d.adaptive_tx) << ", lib/dim)\n";
	nettune::Table t({"QUEUE", "RX-USECS", "RX-FRAMES", "RX-DIM-CHANGES", "TX-USECS",
			  "TX-FRAMES", "TX-DIM-CHANGES"});
	for (const auto &q : d.queue_list) {
		if (!q.moderation)
			continue;
		const auto &m = *q.moderation;
		t.add_row({std::to_string(q.index), std::to_string(m.rx_usecs),
			   std::to_string(m.rx_frames), std::to_string(m.rx_changes),
			   std::to_string(m.tx_usecs), std::to_string(m.tx_frames),
			   std::to_string(m.tx_changes)});
	}
	t.print(std::cout);
}

void print_report(const vnic::DeviceReport &r)
{
	print_device_line(r.info);
	std::cout << "receive\n";
	print_queue_table({"QUEUE", "IRQ", "AFFINITY", "RX-PKTS", "RX-BYTES", "DROPS", "RING-FULL",
			   "IRQS", "POLLS", "PKT/POLL", "BUDGET-EX"},
			  r, rx_queue_row);
	std::cout << "transmit\n";
	print_queue_table({"QUEUE", "IRQ", "AFFINITY", "TX-PKTS", "TX-BYTES", "DROPS", "IRQS",
			   "POLLS", "KICKS", "STOPS", "WAKES"},
			  r, tx_queue_row);
	if (wire_table_wanted(r)) {
		std::cout << "wire (rate " << vnic::format_wire_rate(r.info.wire_rate) << ", delay "
			  << vnic::format_wire_delay(r.info.wire_delay_us) << ", loss "
			  << vnic::format_wire_loss(r.info.wire_loss_ppm) << ")\n";
		nettune::Table t({"QUEUE", "LOST", "CLOCK-WAITS", "DELAYED", "DROPPED",
				  "RING-FULL-US", "BQL-LIMITED-US"});
		for (const auto &q : r.queues)
			t.add_row(wire_queue_row(q, r.cpus));
		t.print(std::cout);
	}
	if (busy_poll_table_wanted(r)) {
		std::cout << "busy polling (SO_BUSY_POLL, net.core.busy_read/busy_poll)\n";
		nettune::Table t({"QUEUE", "NAPI-ID", "BUSY-POLLS", "BUSY-POLL-PKTS"});
		for (const auto &q : r.queues)
			t.add_row({std::to_string(q.index),
				   q.napi_id ? std::to_string(*q.napi_id) : "-",
				   counter(q.rx, "busy_polls"),
				   counter(q.rx, "busy_poll_packets")});
		t.print(std::cout);
	}
	if (xdp_table_wanted(r)) {
		std::cout << "xdp";
		if (r.info.xdp_prog_id)
			std::cout << " (native, prog id " << *r.info.xdp_prog_id << ")";
		std::cout << '\n';
		print_xdp_table(r);
	}
	if (offload_table_wanted(r))
		print_offload_table(r);
	if (r.info.adaptive_rx || r.info.adaptive_tx)
		print_moderation_table(r.info);
	std::cout << "(CPUn: interrupts of the queue's IRQ on CPU n, from /proc/interrupts)\n";
}

vnic::DeviceReport report_for(const vnic::DeviceInfo &d, const std::vector<vnic::IrqLine> &irqs)
{
	ethtool::Device dev(d.name);
	auto r = vnic::build_report(d, dev.stats(), irqs);
	r.offloads = dev.offloads();
	return r;
}

std::vector<vnic::DeviceInfo> devices(vnic::Client &client, const std::string &dev)
{
	if (dev.empty())
		return client.list();
	return {client.get(dev)};
}

void show_devices(const Globals &g, const std::vector<vnic::DeviceInfo> &devs)
{
	if (!g.json) {
		print_device_table(devs);
		return;
	}
	nlohmann::json j = nlohmann::json::array();
	for (const auto &d : devs)
		j.push_back(vnic::device_json(d));
	std::cout << j.dump(2) << '\n';
}

void show_stats(const Globals &g, const std::vector<vnic::DeviceInfo> &devs)
{
	const auto irqs = vnic::parse_proc_interrupts(nettune::read_file("/proc/interrupts"));
	nlohmann::json j = nlohmann::json::array();
	for (size_t i = 0; i < devs.size(); i++) {
		auto r = report_for(devs[i], irqs);
		if (g.json) {
			j.push_back(vnic::report_json(r));
			continue;
		}
		if (i)
			std::cout << '\n';
		print_report(r);
	}
	if (g.json)
		std::cout << j.dump(2) << '\n';
}

// ---- show -s --watch --------------------------------------------------------

std::vector<vnic::DeviceReport> snapshot(vnic::Client &client, const std::string &dev)
{
	const auto irqs = vnic::parse_proc_interrupts(nettune::read_file("/proc/interrupts"));
	std::vector<vnic::DeviceReport> out;
	for (const auto &d : devices(client, dev))
		out.push_back(report_for(d, irqs));
	return out;
}

const vnic::DeviceReport *find_report(const std::vector<vnic::DeviceReport> &v,
				      const std::string &name)
{
	for (const auto &r : v)
		if (r.info.name == name)
			return &r;
	return nullptr;
}

void print_rates(const vnic::DeviceReport &r, const std::vector<vnic::QueueRates> &rates)
{
	using nettune::human_count;
	std::vector<std::string> head = {
		"QUEUE",    "RX-PPS",      "RX-BIT/S", "DROPS/S",  "RFULL/S",   "IRQS/S", "POLLS/S",
		"PKT/POLL", "BUDGET-EX/S", "TX-PPS",   "TX-BIT/S", "TX-IRQS/S", "STOPS/S"};
	for (unsigned c = 0; c < r.cpus; c++)
		head.push_back("CPU" + std::to_string(c) + "/S");
	nettune::Table t(head);
	for (const auto &q : rates) {
		char ppp[32];
		snprintf(ppp, sizeof(ppp), "%.1f", q.packets_per_poll);
		std::vector<std::string> row = {std::to_string(q.index),
						human_count(q.rx_pps),
						human_count(q.rx_bps),
						human_count(q.drops),
						human_count(q.ring_full),
						human_count(q.irqs),
						human_count(q.polls),
						ppp,
						human_count(q.budget_exhausted),
						human_count(q.tx_pps),
						human_count(q.tx_bps),
						human_count(q.tx_irqs),
						human_count(q.tx_stops)};
		for (unsigned c = 0; c < r.cpus; c++)
			row.push_back(c < q.cpu_interrupts.size() ? human_count(q.cpu_interrupts[c])
								  : "-");
		t.add_row(row);
	}
	std::cout << r.info.name << " (per second)\n";
	t.print(std::cout);
}

void watch_stats(const Globals &g, vnic::Client &client, const std::string &dev, double interval)
{
	auto prev = snapshot(client, dev);
	auto prev_t = std::chrono::steady_clock::now();
	while (nettune::cli::sleep_interval(interval)) {
		auto cur = snapshot(client, dev);
		const auto now = std::chrono::steady_clock::now();
		const double secs = std::chrono::duration<double>(now - prev_t).count();
		nlohmann::json line = {{"interval_s", secs}, {"devices", nlohmann::json::array()}};
		for (const auto &r : cur) {
			const auto *before = find_report(prev, r.info.name);
			auto rates = vnic::queue_rates(before ? *before : r, r, secs);
			if (g.json)
				line["devices"].push_back({{"device", r.info.name},
							   {"queues", vnic::rates_json(rates)}});
			else
				print_rates(r, rates);
		}
		if (g.json)
			std::cout << line.dump() << std::endl;
		else
			std::cout << std::endl;
		prev = std::move(cur);
		prev_t = now;
	}
}

void run_show(const Globals &g, const std::string &dev, bool stats, double watch)
{
	if (!dev.empty())
		vnic::check_ifname(dev, "device name");
	if (watch < 0 || (watch > 0 && watch < 0.1))
		throw nettune::UsageError("--watch: interval must be at least 0.1 s");
	vnic::Client client;
	if (watch > 0)
		return watch_stats(g, client, dev, watch);
	const auto devs = devices(client, dev);
	if (stats)
		show_stats(g, devs);
	else
		show_devices(g, devs);
}

void add_show(CLI::App *vnic, Globals &g)
{
	struct Args {
		std::string dev;
		bool stats = false;
		double watch = 0;
	};
	auto a = std::make_shared<Args>();
	auto *show = vnic->add_subcommand("show", "list pairs; -s: per-queue, per-CPU statistics");
	show->add_option("dev", a->dev, "only this device");
	show->add_flag("-s,--stats", a->stats, "per-queue counters, IRQs and per-CPU interrupts");
	show->add_option("--watch", a->watch,
			 "print per-second rates every SECONDS until interrupted (implies -s)");
	nettune::cli::on_run(show, g, [&g, a] { run_show(g, a->dev, a->stats, a->watch); });
}

void add_vnic(CLI::App &app, Globals &g)
{
	auto *vnic = app.add_subcommand("vnic", "ntvnic virtual multi-queue NIC pairs");
	auto unknown = std::make_shared<std::string>();
	vnic->add_option("command", *unknown, "add | del | show | set | rss | ntuple");
	vnic->callback([vnic, unknown] {
		if (!vnic->get_subcommands().empty())
			return;
		if (unknown->empty())
			throw nettune::UsageError(
				"vnic: missing command (add, del, show, set, rss, ntuple)");
		throw nettune::UsageError("vnic: unknown command '" + *unknown + "'");
	});
	add_change_commands(vnic, g);
	add_show(vnic, g);
	add_rss(vnic, g);
}

} // namespace

NETTUNE_COMMAND_GROUP(vnic, 20, add_vnic);
