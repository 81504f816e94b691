#include "xdp_rules.hpp"

#include "error.hpp"
#include "ethtool.hpp"
#include "keywords.hpp"
#include "table.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <cstring>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <ostream>

namespace nettune::xdp {

// ---- rules ------------------------------------------------------------------

Prefix parse_block_prefix(const std::string &word)
{
	return bypass::parse_prefix(word, "prefix");
}

PortRule parse_port_rule(const std::string &proto, const std::string &port)
{
	PortRule r;
	if (proto == "tcp")
		r.proto = IPPROTO_TCP;
	else if (proto == "udp")
		r.proto = IPPROTO_UDP;
	else
		throw UsageError("protocol '" + proto + "' is not tcp or udp");
	try {
		r.port = uint16_t(parse_uint(port, 1, 65535, "port"));
	} catch (const UsageError &) {
		throw UsageError("port '" + port + "' is not in [1, 65535]");
	}
	return r;
}

std::string proto_name(uint8_t proto)
{
	if (proto == IPPROTO_TCP)
		return "tcp";
	if (proto == IPPROTO_UDP)
		return "udp";
	return std::to_string(proto);
}

uint32_t port_key(const PortRule &r)
{
	return XDPF_PORT_KEY(r.proto, r.port);
}

PortRule decode_port_key(uint32_t key)
{
	return {uint8_t(key >> 16), uint16_t(key & 0xffff)};
}

SynLimit parse_synlimit(const std::string &rate, const std::optional<std::string> &burst)
{
	std::string number = rate;
	if (number.size() > 2 && number.ends_with("/s"))
		number.resize(number.size() - 2);
	SynLimit s;
	try {
		s.rate = parse_uint(number, 0, kMaxSynRate, "rate");
	} catch (const UsageError &) {
		throw UsageError("synlimit: rate '" + rate + "' is not N/s with N in [1, " +
				 std::to_string(kMaxSynRate) + "]");
	}
	if (s.rate == 0)
		throw UsageError("synlimit: a rate of 0/s would drop every SYN; 'synlimit off' "
				 "turns the limit off");
	if (!burst) {
		s.burst = std::min(s.rate, kMaxSynBurst);
		return s;
	}
	try {
		s.burst = parse_uint(*burst, 1, kMaxSynBurst, "burst");
	} catch (const UsageError &) {
		throw UsageError("synlimit: burst '" + *burst + "' is not in [1, " +
				 std::to_string(kMaxSynBurst) + "]");
	}
	return s;
}

xdpf_config make_config(const SynLimit &s)
{
	xdpf_config c{};
	if (s.rate == 0)
		return c;
	c.syn_rate = s.rate;
	c.syn_burst = s.burst;
	c.syn_capacity = s.burst * XDPF_NANOTOKENS;
	c.syn_fill_ns = (c.syn_capacity + s.rate - 1) / s.rate;
	return c;
}

std::optional<SynLimit> config_synlimit(const xdpf_config &c)
{
	if (c.syn_rate == 0)
		return std::nullopt;
	return SynLimit{c.syn_rate, c.syn_burst};
}

std::string format_synlimit(const SynLimit &s)
{
	return std::to_string(s.rate) + "/s burst " + std::to_string(s.burst);
}

xdpf_v4_key v4_key(const Prefix &p)
{
	xdpf_v4_key k{};
	k.prefixlen = p.len;
	std::memcpy(k.addr, p.addr.data(), sizeof(k.addr));
	return k;
}

xdpf_v6_key v6_key(const Prefix &p)
{
	xdpf_v6_key k{};
	k.prefixlen = p.len;
	std::memcpy(k.addr, p.addr.data(), sizeof(k.addr));
	return k;
}

Prefix decode_v4_key(const xdpf_v4_key &k)
{
	Prefix p;
	p.family = AF_INET;
	p.len = uint8_t(k.prefixlen);
	std::memcpy(p.addr.data(), k.addr, sizeof(k.addr));
	return p;
}

Prefix decode_v6_key(const xdpf_v6_key &k)
{
	Prefix p;
	p.family = AF_INET6;
	p.len = uint8_t(k.prefixlen);
	std::memcpy(p.addr.data(), k.addr, sizeof(k.addr));
	return p;
}

// ---- counters ---------------------------------------------------------------

const std::array<ReasonInfo, XDPF_NR_REASONS> &reasons()
{
	static const std::array<ReasonInfo, XDPF_NR_REASONS> all = {{
		{XDPF_PASSED, "passed", Verdict::pass},
		{XDPF_NON_IP, "non_ip", Verdict::pass},
		{XDPF_MALFORMED, "malformed", Verdict::pass},
		{XDPF_BLOCKED_PREFIX, "blocked_prefix", Verdict::drop},
		{XDPF_DENIED_PORT, "denied_port", Verdict::drop},
		{XDPF_SYNLIMIT, "synlimit", Verdict::drop},
	}};
	return all;
}

const char *verdict_name(Verdict v)
{
	return v == Verdict::pass ? "pass" : "drop";
}

Counter Stats::verdict(Verdict v) const
{
	Counter c;
	for (const auto &r : reasons())
		if (r.verdict == v) {
			c.packets += reason[r.reason].packets;
			c.bytes += reason[r.reason].bytes;
		}
	return c;
}

Counter Stats::total() const
{
	Counter p = verdict(Verdict::pass), d = verdict(Verdict::drop);
	return {p.packets + d.packets, p.bytes + d.bytes};
}

Stats aggregate(std::vector<std::array<Counter, XDPF_NR_REASONS>> per_cpu)
{
	Stats s;
	for (const auto &cpu : per_cpu)
		for (size_t r = 0; r < XDPF_NR_REASONS; r++) {
			s.reason[r].packets += cpu[r].packets;
			s.reason[r].bytes += cpu[r].bytes;
		}
	s.per_cpu = std::move(per_cpu);
	return s;
}

static Rate rate_of(const Counter &before, const Counter &after, double seconds)
{
	if (seconds <= 0)
		return {};
	// A counter that went backwards was reset (detach + attach): count from 0.
	auto delta = [](uint64_t b, uint64_t a) { return a >= b ? double(a - b) : double(a); };
	return {delta(before.packets, after.packets) / seconds,
		delta(before.bytes, after.bytes) * 8 / seconds};
}

StatsRates rates(const Stats &before, const Stats &after, double seconds)
{
	StatsRates r;
	for (size_t i = 0; i < XDPF_NR_REASONS; i++)
		r.reason[i] = rate_of(before.reason[i], after.reason[i], seconds);
	r.pass = rate_of(before.verdict(Verdict::pass), after.verdict(Verdict::pass), seconds);
	r.drop = rate_of(before.verdict(Verdict::drop), after.verdict(Verdict::drop), seconds);
	return r;
}

QueueXdpStats queue_xdp_stats(const std::vector<std::pair<std::string, uint64_t>> &ethtool_stats)
{
	QueueXdpStats out;
	for (const auto &[queue, qs] : ethtool::group_by_queue(ethtool_stats).queues)
		for (const auto &[name, value] : qs.rx)
			if (name.starts_with("xdp_"))
				out[queue][name] = value;
	return out;
}

static std::string fmt_rate(double v)
{
	return human_count(v);
}

void print_stats(std::ostream &out, const Stats &s, bool per_cpu)
{
	Table verdicts({"VERDICT", "PACKETS", "BYTES"});
	for (Verdict v : {Verdict::pass, Verdict::drop}) {
		Counter c = s.verdict(v);
		verdicts.add_row(
			{verdict_name(v), std::to_string(c.packets), std::to_string(c.bytes)});
	}
	verdicts.print(out);
	out << '\n';
	std::vector<std::string> head = {"REASON", "VERDICT", "PACKETS", "BYTES"};
	if (per_cpu)
		for (size_t c = 0; c < s.per_cpu.size(); c++)
			head.push_back("CPU" + std::to_string(c));
	Table t(head);
	for (const auto &r : reasons()) {
		std::vector<std::string> row = {r.name, verdict_name(r.verdict),
						std::to_string(s.reason[r.reason].packets),
						std::to_string(s.reason[r.reason].bytes)};
		if (per_cpu)
			for (const auto &cpu : s.per_cpu)
				row.push_back(std::to_string(cpu[r.reason].packets));
		t.add_row(row);
	}
	t.print(out);
}

static nlohmann::json counter_json(const Counter &c)
{
	return {{"packets", c.packets}, {"bytes", c.bytes}};
}

nlohmann::json stats_json(const Stats &s, bool per_cpu)
{
	nlohmann::json j;
	for (Verdict v : {Verdict::pass, Verdict::drop})
		j["verdicts"][verdict_name(v)] = counter_json(s.verdict(v));
	for (const auto &r : reasons()) {
		auto c = counter_json(s.reason[r.reason]);
		c["verdict"] = verdict_name(r.verdict);
		if (per_cpu) {
			c["per_cpu_packets"] = nlohmann::json::array();
			for (const auto &cpu : s.per_cpu)
				c["per_cpu_packets"].push_back(cpu[r.reason].packets);
		}
		j["reasons"][r.name] = c;
	}
	return j;
}

void print_rates(std::ostream &out, const StatsRates &r)
{
	Table t({"REASON", "VERDICT", "PPS", "BIT/S"});
	for (const auto &info : reasons())
		t.add_row({info.name, verdict_name(info.verdict),
			   fmt_rate(r.reason[info.reason].pps),
			   fmt_rate(r.reason[info.reason].bps)});
	t.add_row({"(all)", "pass", fmt_rate(r.pass.pps), fmt_rate(r.pass.bps)});
	t.add_row({"(all)", "drop", fmt_rate(r.drop.pps), fmt_rate(r.drop.bps)});
	t.print(out);
}

nlohmann::json rates_json(const StatsRates &r)
{
	auto rate = [](const Rate &x) { return nlohmann::json{{"pps", x.pps}, {"bps", x.bps}}; };
	nlohmann::json j;
	j["verdicts"]["pass"] = rate(r.pass);
	j["verdicts"]["drop"] = rate(r.drop);
	for (const auto &info : reasons())
		j["reasons"][info.name] = rate(r.reason[info.reason]);
	return j;
}

void print_queue_stats(std::ostream &out, const QueueXdpStats &q)
{
	std::vector<std::string> names;
	for (const auto &[queue, counters] : q)
		for (const auto &[name, value] : counters)
			if (std::find(names.begin(), names.end(), name) == names.end())
				names.push_back(name);
	std::vector<std::string> head = {"RX-QUEUE"};
	for (const auto &n : names) {
		std::string h = n;
		for (auto &ch : h)
			ch = char(toupper(ch == '_' ? '-' : ch));
		head.push_back(h);
	}
	Table t(head);
	for (const auto &[queue, counters] : q) {
		std::vector<std::string> row = {std::to_string(queue)};
		for (const auto &n : names) {
			auto it = counters.find(n);
			row.push_back(it == counters.end() ? "-" : std::to_string(it->second));
		}
		t.add_row(row);
	}
	t.print(out);
}

nlohmann::json queue_stats_json(const QueueXdpStats &q)
{
	nlohmann::json j = nlohmann::json::array();
	for (const auto &[queue, counters] : q) {
		nlohmann::json e = {{"queue", queue}};
		for (const auto &[name, value] : counters)
			e[name] = value;
		j.push_back(e);
	}
	return j;
}

} // namespace nettune::xdp
