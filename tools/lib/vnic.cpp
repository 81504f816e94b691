#include "vnic.hpp"

#include "error.hpp"
#include "genl.hpp"
#include "netns.hpp"
#include "sysfs.hpp"
#include "vnic_wire.hpp"

#include <cstring>
#include <linux/if.h>
#include <netlink/attr.h>
#include <nlohmann/json.hpp>
#include <uapi/linux/ntvnic.h>

namespace nettune::vnic {

std::string mode_name(uint32_t mode)
{
	switch (mode) {
	case NTVNIC_MODE_NAPI:
		return "napi";
	case NTVNIC_MODE_LEGACY:
		return "legacy";
	default:
		return "mode" + std::to_string(mode);
	}
}

Mode parse_mode(const std::string &text)
{
	if (text == "napi")
		return Mode::napi;
	if (text == "legacy")
		return Mode::legacy;
	throw UsageError("mode: '" + text + "' is not napi or legacy");
}

std::string operstate_name(uint8_t state)
{
	static const char *names[] = {"unknown", "notpresent", "down", "lowerlayerdown",
				      "testing", "dormant",    "up"};
	return state < 7 ? names[state] : "state" + std::to_string(state);
}

namespace {

void put_queue_counter(QueueInfo &q, const GenlAttrs &a, int type, const char *name)
{
	if (a.has(type))
		q.counters[name] = a.u64(type);
}

std::optional<uint32_t> opt_u32(const GenlAttrs &a, int type)
{
	return a.has(type) ? std::optional<uint32_t>(a.u32(type)) : std::nullopt;
}

QueueInfo parse_queue(const nlattr *nest)
{
	auto a = GenlAttrs::parse_nested(nest, NTVNIC_QA_MAX);
	QueueInfo q;
	q.index = a.has(NTVNIC_QA_INDEX) ? a.u32(NTVNIC_QA_INDEX) : 0;
	q.rx_irq = opt_u32(a, NTVNIC_QA_RX_IRQ);
	q.irq_cpu = opt_u32(a, NTVNIC_QA_IRQ_CPU);
	q.napi_id = opt_u32(a, NTVNIC_QA_NAPI_ID);
	q.ring_used = opt_u32(a, NTVNIC_QA_RING_USED);
	q.tx_irq = opt_u32(a, NTVNIC_QA_TX_IRQ);
	q.tx_irq_cpu = opt_u32(a, NTVNIC_QA_TX_IRQ_CPU);
	q.tx_ring_used = opt_u32(a, NTVNIC_QA_TX_RING_USED);
	put_queue_counter(q, a, NTVNIC_QA_RX_PACKETS, "rx_packets");
	put_queue_counter(q, a, NTVNIC_QA_RX_BYTES, "rx_bytes");
	put_queue_counter(q, a, NTVNIC_QA_RX_DROPS, "rx_drops");
	put_queue_counter(q, a, NTVNIC_QA_RX_RING_FULL, "rx_ring_full");
	put_queue_counter(q, a, NTVNIC_QA_RX_IRQS, "rx_irqs");
	put_queue_counter(q, a, NTVNIC_QA_RX_POLLS, "rx_polls");
	put_queue_counter(q, a, NTVNIC_QA_RX_BUDGET_EXHAUSTED, "rx_budget_exhausted");
	put_queue_counter(q, a, NTVNIC_QA_TX_PACKETS, "tx_packets");
	put_queue_counter(q, a, NTVNIC_QA_TX_BYTES, "tx_bytes");
	put_queue_counter(q, a, NTVNIC_QA_TX_DROPS, "tx_drops");
	put_queue_counter(q, a, NTVNIC_QA_TX_IRQS, "tx_irqs");
	put_queue_counter(q, a, NTVNIC_QA_TX_POLLS, "tx_polls");
	put_queue_counter(q, a, NTVNIC_QA_TX_KICKS, "tx_kicks");
	put_queue_counter(q, a, NTVNIC_QA_TX_STOPS, "tx_stops");
	put_queue_counter(q, a, NTVNIC_QA_TX_WAKES, "tx_wakes");
	put_queue_counter(q, a, NTVNIC_QA_RX_XDP_PASS, "rx_xdp_pass");
	put_queue_counter(q, a, NTVNIC_QA_RX_XDP_DROP, "rx_xdp_drop");
	put_queue_counter(q, a, NTVNIC_QA_RX_XDP_TX, "rx_xdp_tx");
	put_queue_counter(q, a, NTVNIC_QA_RX_XDP_REDIRECT, "rx_xdp_redirect");
	put_queue_counter(q, a, NTVNIC_QA_RX_XDP_ABORTED, "rx_xdp_aborted");
	put_queue_counter(q, a, NTVNIC_QA_RX_XDP_TX_ERRORS, "rx_xdp_tx_errors");
	put_queue_counter(q, a, NTVNIC_QA_TX_XDP_XMIT, "tx_xdp_xmit");
	put_queue_counter(q, a, NTVNIC_QA_TX_XDP_XMIT_ERRORS, "tx_xdp_xmit_errors");
	put_queue_counter(q, a, NTVNIC_QA_TX_WIRE_LOST, "tx_wire_lost");
	put_queue_counter(q, a, NTVNIC_QA_TX_WIRE_WAITS, "tx_wire_waits");
	put_queue_counter(q, a, NTVNIC_QA_TX_WIRE_DELAYED, "tx_wire_delayed");
	put_queue_counter(q, a, NTVNIC_QA_TX_WIRE_DROPPED, "tx_wire_dropped");
	put_queue_counter(q, a, NTVNIC_QA_TX_RING_FULL_US, "tx_ring_full_us");
	put_queue_counter(q, a, NTVNIC_QA_TX_BQL_LIMITED_US, "tx_bql_limited_us");
	put_queue_counter(q, a, NTVNIC_QA_RX_BUSY_POLLS, "rx_busy_polls");
	put_queue_counter(q, a, NTVNIC_QA_RX_BUSY_POLL_PACKETS, "rx_busy_poll_packets");
	put_queue_counter(q, a, NTVNIC_QA_RX_CSUM_VERIFIED, "rx_csum_verified");
	put_queue_counter(q, a, NTVNIC_QA_RX_CSUM_BAD, "rx_csum_bad");
	put_queue_counter(q, a, NTVNIC_QA_RX_CSUM_NONE, "rx_csum_none");
	put_queue_counter(q, a, NTVNIC_QA_RX_GRO_MERGED, "rx_gro_merged");
	put_queue_counter(q, a, NTVNIC_QA_RX_GSO_SPLIT, "rx_gso_split");
	put_queue_counter(q, a, NTVNIC_QA_TX_CSUM_OFFLOAD, "tx_csum_offload");
	put_queue_counter(q, a, NTVNIC_QA_TX_TSO_PACKETS, "tx_tso_packets");
	put_queue_counter(q, a, NTVNIC_QA_TX_TSO_SEGS, "tx_tso_segs");
	put_queue_counter(q, a, NTVNIC_QA_TX_SG_PACKETS, "tx_sg_packets");
	if (a.has(NTVNIC_QA_RX_COAL_USECS)) {
		Moderation m;
		m.rx_usecs = a.u32(NTVNIC_QA_RX_COAL_USECS);
		m.rx_frames = opt_u32(a, NTVNIC_QA_RX_COAL_FRAMES).value_or(0);
		m.tx_usecs = opt_u32(a, NTVNIC_QA_TX_COAL_USECS).value_or(0);
		m.tx_frames = opt_u32(a, NTVNIC_QA_TX_COAL_FRAMES).value_or(0);
		m.rx_changes =
			a.has(NTVNIC_QA_RX_DIM_CHANGES) ? a.u64(NTVNIC_QA_RX_DIM_CHANGES) : 0;
		m.tx_changes =
			a.has(NTVNIC_QA_TX_DIM_CHANGES) ? a.u64(NTVNIC_QA_TX_DIM_CHANGES) : 0;
		q.moderation = m;
	}
	return q;
}

// Every NTVNIC_A_QUEUE of a reply. The kernel repeats the attribute once per
// queue at the top level, but a tb[] array keeps only the last occurrence;
// the attributes of one message are contiguous, so the stream runs from the
// lowest attribute seen (NTVNIC_A_IFINDEX, put first and once) to the end of
// the last one, and is walked again here for all occurrences.
std::vector<const nlattr *> repeated_attrs(const GenlAttrs &attrs, int maxattr, int type)
{
	const char *begin = nullptr, *end = nullptr;
	for (int t = 1; t <= maxattr; t++) {
		const auto *a = reinterpret_cast<const char *>(attrs.raw(t));
		if (!a)
			continue;
		const char *a_end = a + NLA_ALIGN(nla_total_size(nla_len(attrs.raw(t))));
		begin = !begin || a < begin ? a : begin;
		end = !end || a_end > end ? a_end : end;
	}
	std::vector<const nlattr *> out;
	if (!begin)
		return out;
	nlattr *pos;
	int rem;
	nla_for_each_attr(pos, reinterpret_cast<nlattr *>(const_cast<char *>(begin)),
			  (int)(end - begin), rem)
	{
		if (nla_type(pos) == type)
			out.push_back(pos);
	}
	return out;
}

// NTVNIC_A_QUEUE holds one queue's attributes (repeated per queue), or, if
// the driver ever nests them, a list of per-queue nests: a queue's own
// NTVNIC_QA_INDEX is a 4-byte u32, a list entry is a nest.
std::vector<QueueInfo> parse_queues(const GenlAttrs &attrs)
{
	std::vector<QueueInfo> out;
	const nlattr *top = attrs.raw(NTVNIC_A_QUEUE);
	if (!top)
		return out;
	auto inner = GenlAttrs::parse_nested(top, NTVNIC_QA_MAX);
	const nlattr *idx = inner.raw(NTVNIC_QA_INDEX);
	if (idx && nla_len(idx) == sizeof(uint32_t)) {
		for (const nlattr *q : repeated_attrs(attrs, NTVNIC_A_MAX, NTVNIC_A_QUEUE))
			out.push_back(parse_queue(q));
		return out;
	}
	for (const nlattr *entry : attrs.nested_list(NTVNIC_A_QUEUE))
		out.push_back(parse_queue(entry));
	return out;
}

std::vector<uint32_t> parse_indir(const GenlAttrs &a)
{
	std::vector<uint32_t> indir;
	if (!a.has(NTVNIC_A_RSS_INDIR))
		return indir;
	auto bytes = a.bytes(NTVNIC_A_RSS_INDIR);
	indir.resize(bytes.size() / sizeof(uint32_t));
	std::memcpy(indir.data(), bytes.data(), indir.size() * sizeof(uint32_t));
	return indir;
}

} // namespace

DeviceInfo parse_device(const GenlAttrs &a)
{
	DeviceInfo d;
	d.ifindex = a.has(NTVNIC_A_IFINDEX) ? a.u32(NTVNIC_A_IFINDEX) : 0;
	d.name = a.has(NTVNIC_A_IFNAME) ? a.str(NTVNIC_A_IFNAME) : "";
	d.peer = a.has(NTVNIC_A_PEER_IFNAME) ? a.str(NTVNIC_A_PEER_IFNAME) : "";
	d.peer_ifindex = opt_u32(a, NTVNIC_A_PEER_IFINDEX).value_or(0);
	if (a.has(NTVNIC_A_PEER_NETNSID))
		d.peer_netnsid = (int32_t)a.u32(NTVNIC_A_PEER_NETNSID);
	d.queues = opt_u32(a, NTVNIC_A_QUEUES).value_or(0);
	d.rx_ring = opt_u32(a, NTVNIC_A_RX_RING).value_or(0);
	d.tx_ring = opt_u32(a, NTVNIC_A_TX_RING).value_or(0);
	d.mode = opt_u32(a, NTVNIC_A_MODE).value_or(0);
	d.napi_weight = opt_u32(a, NTVNIC_A_NAPI_WEIGHT).value_or(0);
	d.rx_usecs = opt_u32(a, NTVNIC_A_RX_USECS).value_or(0);
	d.rx_frames = opt_u32(a, NTVNIC_A_RX_FRAMES).value_or(0);
	d.tx_usecs = opt_u32(a, NTVNIC_A_TX_USECS).value_or(0);
	d.tx_frames = opt_u32(a, NTVNIC_A_TX_FRAMES).value_or(0);
	d.xdp_prog_id = opt_u32(a, NTVNIC_A_XDP_PROG_ID);
	d.wire_rate = a.has(NTVNIC_A_WIRE_RATE) ? a.u64(NTVNIC_A_WIRE_RATE) : 0;
	d.wire_delay_us = opt_u32(a, NTVNIC_A_WIRE_DELAY).value_or(0);
	d.wire_loss_ppm = opt_u32(a, NTVNIC_A_WIRE_LOSS).value_or(0);
	d.adaptive_rx = a.has(NTVNIC_A_ADAPTIVE_RX) && a.u8(NTVNIC_A_ADAPTIVE_RX);
	d.adaptive_tx = a.has(NTVNIC_A_ADAPTIVE_TX) && a.u8(NTVNIC_A_ADAPTIVE_TX);
	d.speed = opt_u32(a, NTVNIC_A_LINK_SPEED).value_or(0);
	d.mtu = opt_u32(a, NTVNIC_A_MTU).value_or(0);
	d.operstate = a.has(NTVNIC_A_OPERSTATE) ? a.u8(NTVNIC_A_OPERSTATE) : 0;
	if (a.has(NTVNIC_A_RSS_KEY))
		d.rss_key = a.bytes(NTVNIC_A_RSS_KEY);
	d.rss_indir = parse_indir(a);
	d.queue_list = parse_queues(a);
	return d;
}

namespace {

void put_settings(nl_msg *msg, const Settings &s)
{
	if (s.queues)
		nla_put_u32(msg, NTVNIC_A_QUEUES, *s.queues);
	if (s.rx_ring)
		nla_put_u32(msg, NTVNIC_A_RX_RING, *s.rx_ring);
	if (s.tx_ring)
		nla_put_u32(msg, NTVNIC_A_TX_RING, *s.tx_ring);
	if (s.mode)
		nla_put_u32(msg, NTVNIC_A_MODE, (uint32_t)*s.mode);
	if (s.napi_weight)
		nla_put_u32(msg, NTVNIC_A_NAPI_WEIGHT, *s.napi_weight);
	const std::pair<int, const std::optional<uint32_t> &> coalescing[] = {
		{NTVNIC_A_RX_USECS, s.rx_usecs},
		{NTVNIC_A_RX_FRAMES, s.rx_frames},
		{NTVNIC_A_TX_USECS, s.tx_usecs},
		{NTVNIC_A_TX_FRAMES, s.tx_frames}};
	for (const auto &[attr, value] : coalescing)
		if (value)
			nla_put_u32(msg, attr, *value);
	if (s.wire_rate)
		nla_put_u64(msg, NTVNIC_A_WIRE_RATE, *s.wire_rate);
	if (s.wire_delay_us)
		nla_put_u32(msg, NTVNIC_A_WIRE_DELAY, *s.wire_delay_us);
	if (s.wire_loss_ppm)
		nla_put_u32(msg, NTVNIC_A_WIRE_LOSS, *s.wire_loss_ppm);
}

} // namespace

void check_ifname(const std::string &name, const char *what)
{
	if (name.empty() || name.size() >= IFNAMSIZ || name.find('/') != std::string::npos)
		throw UsageError(std::string(what) + " '" + name +
				 "' is not a valid interface name (1-15 characters, no '/')");
}

Client::Client()
{
	try {
		sock_ = std::make_unique<GenlSocket>(NTVNIC_GENL_NAME, "ntvnic");
	} catch (const Error &) {
		throw Error("ntvnic module not loaded: generic netlink family '" NTVNIC_GENL_NAME
			    "' not found (modprobe ntvnic, or insmod kmod/vnic/ntvnic.ko)");
	}
	sock_->set_attr_names({{NTVNIC_A_WIRE_RATE, "rate (bit/s)"},
			       {NTVNIC_A_WIRE_DELAY, "delay (microseconds)"},
			       {NTVNIC_A_WIRE_LOSS, "loss (frames per million)"}});
}

Client::~Client() = default;

DeviceInfo Client::create(const CreateRequest &req)
{
	check_ifname(req.name, "device name");
	if (!req.peer.empty())
		check_ifname(req.peer, "peer name");
	NetnsFd ns(req.netns), peer_ns(req.peer_netns);
	auto msg = sock_->message(NTVNIC_CMD_NEW);
	nla_put_string(msg.get(), NTVNIC_A_IFNAME, req.name.c_str());
	if (!req.peer.empty())
		nla_put_string(msg.get(), NTVNIC_A_PEER_IFNAME, req.peer.c_str());
	if (ns.fd() >= 0)
		nla_put_s32(msg.get(), NTVNIC_A_NETNS_FD, ns.fd());
	if (peer_ns.fd() >= 0)
		nla_put_s32(msg.get(), NTVNIC_A_PEER_NETNS_FD, peer_ns.fd());
	put_settings(msg.get(), req.settings);
	DeviceInfo out;
	sock_->request_with_reply(msg, "create " + req.name, NTVNIC_A_MAX,
				  [&out](const GenlAttrs &a) { out = parse_device(a); });
	return out;
}

void Client::remove(const std::string &name)
{
	check_ifname(name, "device name");
	auto msg = sock_->message(NTVNIC_CMD_DEL);
	nla_put_string(msg.get(), NTVNIC_A_IFNAME, name.c_str());
	sock_->request(msg, "delete " + name);
}

void Client::change(const std::string &name, const Settings &s)
{
	check_ifname(name, "device name");
	auto msg = sock_->message(NTVNIC_CMD_SET);
	nla_put_string(msg.get(), NTVNIC_A_IFNAME, name.c_str());
	put_settings(msg.get(), s);
	sock_->request(msg, "change " + name);
}

DeviceInfo Client::get(const std::string &name)
{
	check_ifname(name, "device name");
	auto msg = sock_->message(NTVNIC_CMD_GET);
	nla_put_string(msg.get(), NTVNIC_A_IFNAME, name.c_str());
	std::optional<DeviceInfo> out;
	sock_->request_with_reply(msg, "show " + name, NTVNIC_A_MAX,
				  [&out](const GenlAttrs &a) { out = parse_device(a); });
	if (!out)
		throw Error("show " + name + ": the kernel sent no reply");
	return *out;
}

std::vector<DeviceInfo> Client::list()
{
	std::vector<DeviceInfo> out;
	sock_->dump(
		sock_->message(NTVNIC_CMD_GET), NTVNIC_A_MAX,
		[&out](const GenlAttrs &a) { out.push_back(parse_device(a)); },
		"list ntvnic devices");
	return out;
}

std::vector<IrqLine> parse_proc_interrupts(const std::string &text)
{
	auto lines = split(text, '\n');
	if (lines.empty())
		return {};
	const size_t ncpu = split_whitespace(lines[0]).size();
	std::vector<IrqLine> out;
	for (size_t i = 1; i < lines.size(); i++) {
		auto tok = split_whitespace(lines[i]);
		if (tok.empty() || tok[0].back() != ':' ||
		    tok[0].find_first_not_of("0123456789:") != std::string::npos)
			continue;
		IrqLine l;
		l.irq = std::stoul(tok[0]);
		size_t t = 1;
		for (; t < tok.size() && l.per_cpu.size() < ncpu; t++)
			l.per_cpu.push_back(std::stoull(tok[t]));
		// chip name, hwirq-type, then the action names ("a, b" if shared):
		// chip names vary in shape, so every remaining word is kept.
		for (size_t k = t; k < tok.size(); k++) {
			std::string name = tok[k];
			if (!name.empty() && name.back() == ',')
				name.pop_back();
			l.labels.push_back(name);
		}
		out.push_back(std::move(l));
	}
	return out;
}

namespace {

const IrqLine *find_irq_line(const std::vector<IrqLine> &lines, const std::string &name,
			     std::optional<uint32_t> irq_hint)
{
	for (const auto &l : lines) {
		if (irq_hint && l.irq != *irq_hint)
			continue;
		for (const auto &a : l.labels)
			if (a == name)
				return &l;
	}
	return nullptr;
}

} // namespace

std::optional<QueueIrq> find_queue_irq(const std::vector<IrqLine> &lines, const std::string &dev,
				       unsigned queue, std::optional<uint32_t> irq_hint,
				       const std::string &proc_irq_dir, IrqDir dir)
{
	const std::string name =
		dev + (dir == IrqDir::rx ? "-rx-" : "-tx-") + std::to_string(queue);
	const IrqLine *l = find_irq_line(lines, name, irq_hint);
	if (!l && irq_hint)
		l = find_irq_line(lines, name, std::nullopt);
	if (!l)
		return std::nullopt;
	QueueIrq q;
	q.irq = l->irq;
	q.name = name;
	q.per_cpu = l->per_cpu;
	const std::string irq_dir = proc_irq_dir + "/" + std::to_string(l->irq) + "/";
	q.affinity = trim(try_read_file(irq_dir + "smp_affinity_list").value_or(""));
	q.effective = trim(try_read_file(irq_dir + "effective_affinity_list").value_or(""));
	return q;
}

namespace {

// Splits "rx_queue_3_packets"-style counters of queue `q` off the list.
void fill_counters(QueueReport &r, const ethtool::GroupedStats &g)
{
	auto it = g.queues.find(r.index);
	if (it == g.queues.end())
		return;
	r.rx = it->second.rx;
	r.tx = it->second.tx;
}

const QueueInfo *genl_queue(const DeviceInfo &info, unsigned index)
{
	for (const auto &q : info.queue_list)
		if (q.index == index)
			return &q;
	return nullptr;
}

unsigned count_cpus(const std::vector<IrqLine> &irqs)
{
	return irqs.empty() ? 0 : irqs.front().per_cpu.size();
}

} // namespace

DeviceReport build_report(const DeviceInfo &info, const ethtool::StatList &stats,
			  const std::vector<IrqLine> &irqs, const std::string &proc_irq_dir)
{
	DeviceReport r;
	r.info = info;
	r.cpus = count_cpus(irqs);
	auto g = ethtool::group_by_queue(stats);
	r.device_stats = g.device;
	unsigned nq = info.queues;
	if (nq == 0 && !g.queues.empty())
		nq = g.queues.rbegin()->first + 1;
	for (unsigned i = 0; i < nq; i++) {
		QueueReport q;
		q.index = i;
		fill_counters(q, g);
		const QueueInfo *gq = genl_queue(info, i);
		q.napi_id = gq ? gq->napi_id : std::nullopt;
		q.irq = find_queue_irq(irqs, info.name, i, gq ? gq->rx_irq : std::nullopt,
				       proc_irq_dir, IrqDir::rx);
		q.tx_irq = find_queue_irq(irqs, info.name, i, gq ? gq->tx_irq : std::nullopt,
					  proc_irq_dir, IrqDir::tx);
		r.queues.push_back(std::move(q));
	}
	return r;
}

namespace {

uint64_t pick(const std::map<std::string, uint64_t> &m, std::initializer_list<const char *> names)
{
	for (const char *n : names) {
		auto it = m.find(n);
		if (it != m.end())
			return it->second;
	}
	return 0;
}

} // namespace

NapiFigures napi_figures(const QueueReport &q)
{
	NapiFigures f;
	f.rx_packets = pick(q.rx, {"packets"});
	f.irqs = pick(q.rx, {"irqs", "interrupts", "irq"});
	f.polls = pick(q.rx, {"polls", "napi_polls", "poll"});
	f.budget_exhausted = pick(q.rx, {"budget_exhausted", "poll_budget_exhausted",
					 "napi_budget_exhausted", "full_polls"});
	f.ring_full = pick(q.rx, {"ring_full", "ring_full_drops", "missed", "fifo_errors"});
	f.packets_per_poll = f.polls ? (double)f.rx_packets / (double)f.polls : 0.0;
	return f;
}

XdpFigures xdp_figures(const QueueReport &q)
{
	XdpFigures x;
	x.present = q.rx.count("xdp_pass") != 0;
	x.pass = pick(q.rx, {"xdp_pass"});
	x.drop = pick(q.rx, {"xdp_drop"});
	x.tx = pick(q.rx, {"xdp_tx"});
	x.redirect = pick(q.rx, {"xdp_redirect"});
	x.aborted = pick(q.rx, {"xdp_aborted"});
	x.tx_errors = pick(q.rx, {"xdp_tx_errors"});
	x.xmit = pick(q.tx, {"xdp_xmit"});
	x.xmit_errors = pick(q.tx, {"xdp_xmit_errors"});
	return x;
}

namespace {

double rate(uint64_t before, uint64_t after, double seconds)
{
	return after > before && seconds > 0 ? (double)(after - before) / seconds : 0.0;
}

uint64_t counter_or_zero(const std::map<std::string, uint64_t> &m, const char *name)
{
	auto it = m.find(name);
	return it == m.end() ? 0 : it->second;
}

std::vector<double> cpu_rates(const QueueReport &a, const QueueReport &b, double seconds)
{
	std::vector<double> out;
	if (!a.irq || !b.irq || a.irq->irq != b.irq->irq)
		return out;
	for (size_t c = 0; c < b.irq->per_cpu.size() && c < a.irq->per_cpu.size(); c++)
		out.push_back(rate(a.irq->per_cpu[c], b.irq->per_cpu[c], seconds));
	return out;
}

QueueRates rates_between(const QueueReport &a, const QueueReport &b, double seconds)
{
	const NapiFigures fa = napi_figures(a), fb = napi_figures(b);
	QueueRates r;
	r.index = b.index;
	r.rx_pps = rate(fa.rx_packets, fb.rx_packets, seconds);
	r.rx_bps =
		8 * rate(counter_or_zero(a.rx, "bytes"), counter_or_zero(b.rx, "bytes"), seconds);
	r.drops = rate(counter_or_zero(a.rx, "drops"), counter_or_zero(b.rx, "drops"), seconds);
	r.ring_full = rate(fa.ring_full, fb.ring_full, seconds);
	r.irqs = rate(fa.irqs, fb.irqs, seconds);
	r.polls = rate(fa.polls, fb.polls, seconds);
	r.budget_exhausted = rate(fa.budget_exhausted, fb.budget_exhausted, seconds);
	r.tx_pps =
		rate(counter_or_zero(a.tx, "packets"), counter_or_zero(b.tx, "packets"), seconds);
	r.tx_bps =
		8 * rate(counter_or_zero(a.tx, "bytes"), counter_or_zero(b.tx, "bytes"), seconds);
	r.tx_irqs = rate(counter_or_zero(a.tx, "irqs"), counter_or_zero(b.tx, "irqs"), seconds);
	r.tx_stops = rate(counter_or_zero(a.tx, "stops"), counter_or_zero(b.tx, "stops"), seconds);
	r.packets_per_poll = r.polls > 0 ? r.rx_pps / r.polls : 0.0;
	r.cpu_interrupts = cpu_rates(a, b, seconds);
	return r;
}

} // namespace

std::vector<QueueRates> queue_rates(const DeviceReport &before, const DeviceReport &after,
				    double seconds)
{
	std::vector<QueueRates> out;
	for (const auto &b : after.queues) {
		QueueReport zero;
		const QueueReport *a = &zero;
		for (const auto &q : before.queues)
			if (q.index == b.index)
				a = &q;
		out.push_back(rates_between(*a, b, seconds));
	}
	return out;
}

nlohmann::json rates_json(const std::vector<QueueRates> &rates)
{
	nlohmann::json j = nlohmann::json::array();
	for (const auto &r : rates)
		j.push_back({{"queue", r.index},
			     {"rx_pps", r.rx_pps},
			     {"rx_bps", r.rx_bps},
			     {"drops_per_s", r.drops},
			     {"ring_full_per_s", r.ring_full},
			     {"irqs_per_s", r.irqs},
			     {"polls_per_s", r.polls},
			     {"packets_per_poll", r.packets_per_poll},
			     {"budget_exhausted_per_s", r.budget_exhausted},
			     {"tx_pps", r.tx_pps},
			     {"tx_bps", r.tx_bps},
			     {"tx_irqs_per_s", r.tx_irqs},
			     {"tx_stops_per_s", r.tx_stops},
			     {"cpu_interrupts_per_s", r.cpu_interrupts}});
	return j;
}

nlohmann::json device_json(const DeviceInfo &d)
{
	nlohmann::json j = {{"device", d.name},
			    {"ifindex", d.ifindex},
			    {"peer", d.peer},
			    {"peer_ifindex", d.peer_ifindex},
			    {"num_queues", d.queues},
			    {"rx_ring", d.rx_ring},
			    {"tx_ring", d.tx_ring},
			    {"mode", mode_name(d.mode)},
			    {"napi_weight", d.napi_weight},
			    {"coalesce",
			     {{"rx_usecs", d.rx_usecs},
			      {"rx_frames", d.rx_frames},
			      {"tx_usecs", d.tx_usecs},
			      {"tx_frames", d.tx_frames},
			      {"adaptive_rx", d.adaptive_rx},
			      {"adaptive_tx", d.adaptive_tx}}},
			    {"wire", wire_json(d.wire_rate, d.wire_delay_us, d.wire_loss_ppm)},
			    {"speed_mbps", d.speed},
			    {"mtu", d.mtu},
			    {"operstate", operstate_name(d.operstate)}};
	if (d.peer_netnsid)
		j["peer_netnsid"] = *d.peer_netnsid;
	j["xdp"] = d.xdp_prog_id ? nlohmann::json{{"mode", "native"}, {"prog_id", *d.xdp_prog_id}}
				 : nlohmann::json(nullptr);
	return j;
}

namespace {

nlohmann::json irq_json(const QueueIrq &irq)
{
	return {{"number", irq.irq},
		{"name", irq.name},
		{"affinity", irq.affinity},
		{"effective_affinity", irq.effective},
		{"per_cpu", irq.per_cpu}};
}

nlohmann::json queue_json(const QueueReport &q)
{
	const NapiFigures f = napi_figures(q);
	nlohmann::json j = {{"queue", q.index},
			    {"rx", q.rx},
			    {"tx", q.tx},
			    {"irqs", f.irqs},
			    {"polls", f.polls},
			    {"packets_per_poll", f.packets_per_poll},
			    {"budget_exhausted", f.budget_exhausted},
			    {"ring_full_drops", f.ring_full}};
	j["irq"] = q.irq ? irq_json(*q.irq) : nlohmann::json(nullptr);
	j["tx_irq"] = q.tx_irq ? irq_json(*q.tx_irq) : nlohmann::json(nullptr);
	if (q.napi_id)
		j["napi_id"] = *q.napi_id;
	const OffloadFigures o = offload_figures(q);
	if (o.present)
		j["offloads"] = {{"tx_csum_offload", o.tx_csum}, {"tso_packets", o.tso_packets},
				 {"tso_segs", o.tso_segs},       {"segs_per_tso", o.segs_per_tso},
				 {"sg_packets", o.sg_packets},   {"rx_csum_verified", o.rx_csum_ok},
				 {"rx_csum_bad", o.rx_csum_bad}, {"rx_csum_none", o.rx_csum_none},
				 {"gro_merged", o.gro_merged},   {"gso_split", o.gso_split}};
	const XdpFigures x = xdp_figures(q);
	if (x.present)
		j["xdp"] = {{"pass", x.pass},       {"drop", x.drop},
			    {"tx", x.tx},           {"redirect", x.redirect},
			    {"aborted", x.aborted}, {"tx_errors", x.tx_errors},
			    {"xmit", x.xmit},       {"xmit_errors", x.xmit_errors}};
	return j;
}

} // namespace

nlohmann::json moderation_json(const Moderation &m)
{
	return {{"rx_usecs", m.rx_usecs},         {"rx_frames", m.rx_frames},
		{"rx_dim_changes", m.rx_changes}, {"tx_usecs", m.tx_usecs},
		{"tx_frames", m.tx_frames},       {"tx_dim_changes", m.tx_changes}};
}

OffloadFigures offload_figures(const QueueReport &q)
{
	OffloadFigures o;
	auto get = [](const std::map<std::string, uint64_t> &m, const char *name, bool &seen) {
		auto it = m.find(name);
		if (it == m.end())
			return uint64_t{0};
		seen = true;
		return it->second;
	};
	o.tx_csum = get(q.tx, "csum_offload", o.present);
	o.tso_packets = get(q.tx, "tso_packets", o.present);
	o.tso_segs = get(q.tx, "tso_segs", o.present);
	o.sg_packets = get(q.tx, "sg_packets", o.present);
	o.rx_csum_ok = get(q.rx, "csum_verified", o.present);
	o.rx_csum_bad = get(q.rx, "csum_bad", o.present);
	o.rx_csum_none = get(q.rx, "csum_none", o.present);
	o.gro_merged = get(q.rx, "gro_merged", o.present);
	o.gso_split = get(q.rx, "gso_split", o.present);
	o.segs_per_tso = o.tso_packets ? double(o.tso_segs) / double(o.tso_packets) : 0;
	return o;
}

nlohmann::json offloads_json(const ethtool::Offloads &o)
{
	return {{"rx_checksum", o.rx_checksum},
		{"tx_checksum", o.tx_checksum},
		{"scatter_gather", o.sg},
		{"tso", o.tso},
		{"gso", o.gso},
		{"gro", o.gro}};
}

nlohmann::json report_json(const DeviceReport &r)
{
	nlohmann::json j = device_json(r.info);
	j["cpus"] = r.cpus;
	if (r.offloads)
		j["offloads"] = offloads_json(*r.offloads);
	j["stats"] = nlohmann::json::object();
	for (const auto &[name, value] : r.device_stats)
		j["stats"][name] = value;
	j["queues"] = nlohmann::json::array();
	for (const auto &q : r.queues)
		j["queues"].push_back(queue_json(q));
	for (auto &jq : j["queues"])
		for (const auto &qi : r.info.queue_list)
			if (qi.index == jq["queue"] && qi.moderation)
				jq["moderation"] = moderation_json(*qi.moderation);
	return j;
}

} // namespace nettune::vnic
