#include "observe_tune.hpp"

#include "error.hpp"
#include "sysfs.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fmt/format.h>

namespace nettune::observe {

namespace {

struct Unit {
	const char *name;
	double factor;
};

// Splits "1.5gbit" into 1.5 and "gbit"; throws UsageError naming `what`.
std::pair<double, std::string> number_and_unit(const std::string &text, const char *what)
{
	const std::string t = trim(text);
	size_t i = 0;
	while (i < t.size() && (std::isdigit(static_cast<unsigned char>(t[i])) || t[i] == '.'))
		i++;
	if (i == 0)
		throw UsageError(fmt::format("{} '{}': not a number with a unit", what, text));
	char *end = nullptr;
	const std::string num = t.substr(0, i);
	double v = std::strtod(num.c_str(), &end);
	if (!end || *end != '\0')
		throw UsageError(fmt::format("{} '{}': bad number", what, text));
	return {v, t.substr(i)};
}

double scale(const std::string &text, const char *what, const std::vector<Unit> &units,
	     const char *unit_list)
{
	auto [v, unit] = number_and_unit(text, what);
	if (unit.empty())
		throw UsageError(fmt::format("{} '{}': give a unit ({})", what, text, unit_list));
	std::string u = unit;
	for (auto &c : u)
		c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
	for (const auto &x : units)
		if (u == x.name) {
			if (v <= 0)
				throw UsageError(
					fmt::format("{} '{}': must be above zero", what, text));
			return v * x.factor;
		}
	throw UsageError(
		fmt::format("{} '{}': unknown unit '{}' ({})", what, text, unit, unit_list));
}

} // namespace

double parse_rate(const std::string &text)
{
	static const std::vector<Unit> units = {{"bit", 1},
						{"kbit", 1e3},
						{"mbit", 1e6},
						{"gbit", 1e9},
						{"tbit", 1e12},
						{"bps", 8},
						{"kbps", 8e3},
						{"mbps", 8e6},
						{"gbps", 8e9},
						{"tbps", 8e12},
						{"kibit", 1024.0},
						{"mibit", 1048576.0},
						{"gibit", 1073741824.0}};
	const double bps = scale(text, "rate", units,
				 "bit, kbit, mbit, gbit, tbit; bytes/s: bps, kbps, mbps, gbps");
	if (bps > 10e12)
		throw UsageError(fmt::format("rate '{}': above 10 Tbit/s", text));
	return bps;
}

double parse_duration(const std::string &text)
{
	static const std::vector<Unit> units = {{"s", 1}, {"ms", 1e-3}, {"us", 1e-6}, {"ns", 1e-9}};
	const double s = scale(text, "time", units, "s, ms, us, ns");
	if (s > 3600)
		throw UsageError(fmt::format("time '{}': above one hour", text));
	return s;
}

uint64_t bdp_bytes(double bits_per_second, double rtt_s)
{
	return static_cast<uint64_t>(std::ceil(bits_per_second / 8.0 * rtt_s));
}

uint64_t rcvbuf_for_window(uint64_t window, std::optional<int> adv_win_scale)
{
	if (!adv_win_scale)
		return window * 2;
	const int s = *adv_win_scale;
	if (s <= 0)
		return window << std::min(-s, 31);
	// window = space - (space >> s)  =>  space = window * 2^s / (2^s - 1)
	const double f = std::ldexp(1.0, s);
	return static_cast<uint64_t>(std::ceil(window * f / (f - 1)));
}

uint64_t round_up_mib(uint64_t bytes)
{
	const uint64_t mib = 1u << 20;
	return (bytes + mib - 1) / mib * mib;
}

namespace {

std::optional<uint64_t> as_u64(const std::optional<std::string> &v, size_t word = 0)
{
	if (!v)
		return std::nullopt;
	auto w = split_whitespace(*v);
	if (word >= w.size())
		return std::nullopt;
	try {
		return std::stoull(w[word]);
	} catch (...) {
		return std::nullopt;
	}
}

// An item for a single-number sysctl that must be at least `want`.
Advice at_least(const SysctlReader &read, const std::string &name, uint64_t want,
		const std::string &why)
{
	Advice a{name, read(name).value_or(""), "", "", why};
	auto cur = as_u64(read(name));
	if (!cur) {
		a.status = "unavailable";
		return a;
	}
	a.status = *cur >= want ? "ok" : "change";
	if (a.status == "change")
		a.advised = std::to_string(want);
	return a;
}

// tcp_rmem / tcp_wmem: "min default max", only the max is raised.
Advice triple_max_at_least(const SysctlReader &read, const std::string &name, uint64_t want,
			   const std::string &why)
{
	Advice a{name, read(name).value_or(""), "", "", why};
	auto w = split_whitespace(a.current);
	if (w.size() != 3 || !as_u64(a.current, 2)) {
		a.status = "unavailable";
		return a;
	}
	a.status = *as_u64(a.current, 2) >= want ? "ok" : "change";
	if (a.status == "change")
		a.advised = fmt::format("{} {} {}", w[0], w[1], want);
	return a;
}

} // namespace

BdpPlan plan_bdp(double rate_bps, double rtt_s, const SysctlReader &read)
{
	BdpPlan p;
	p.rate_bps = rate_bps;
	p.rtt_s = rtt_s;
	p.bdp = bdp_bytes(rate_bps, rtt_s);
	std::optional<int> scale;
	if (auto s = read("net.ipv4.tcp_adv_win_scale"))
		try {
			scale = std::stoi(*s);
		} catch (...) {
		}
	p.rcvbuf = round_up_mib(rcvbuf_for_window(p.bdp, scale));
	// The sender keeps every unacknowledged byte plus skb overhead: 2x.
	p.sndbuf = round_up_mib(p.bdp * 2);
	const std::string path = fmt::format("a window of the BDP ({} bytes)", p.bdp);
	p.items.push_back(
		triple_max_at_least(read, "net.ipv4.tcp_rmem", p.rcvbuf,
				    "receive autotuning grows up to this max; needed for " + path));
	p.items.push_back(
		triple_max_at_least(read, "net.ipv4.tcp_wmem", p.sndbuf,
				    "the sender keeps the BDP unacknowledged, plus overhead"));
	p.items.push_back(at_least(read, "net.core.rmem_max", p.rcvbuf,
				   "the cap for applications that set SO_RCVBUF themselves"));
	p.items.push_back(at_least(read, "net.core.wmem_max", p.sndbuf,
				   "the cap for applications that set SO_SNDBUF themselves"));
	return p;
}

std::vector<Advice> audit(const SysctlReader &read, const AuditFacts &facts)
{
	constexpr uint64_t buf = 16u << 20;
	std::vector<Advice> out;
	out.push_back(at_least(read, "net.core.rmem_max", buf,
			       "caps SO_RCVBUF; 16 MiB holds 1 Gbit/s x 130 ms (tune bdp for a "
			       "path)"));
	out.push_back(at_least(read, "net.core.wmem_max", buf, "caps SO_SNDBUF; as rmem_max"));
	out.push_back(triple_max_at_least(read, "net.ipv4.tcp_rmem", buf,
					  "the receive window cannot grow past about half of this "
					  "max: long fat paths stall below their rate"));
	out.push_back(triple_max_at_least(read, "net.ipv4.tcp_wmem", buf,
					  "a sender cannot keep more than this unacknowledged"));
	out.push_back(at_least(read, "net.core.somaxconn", 4096,
			       "caps every listen() backlog: a small value overflows accept "
			       "queues under connection bursts (ListenOverflows)"));
	out.push_back(at_least(read, "net.ipv4.tcp_max_syn_backlog", 4096,
			       "half-open connections per listener before SYN cookies or drops"));
	out.push_back(at_least(read, "net.ipv4.tcp_syncookies", 1,
			       "SYN cookies keep a listener reachable when its SYN queue is full "
			       "(SYN flood)"));
	{
		Advice a{"net.ipv4.tcp_tw_reuse", read("net.ipv4.tcp_tw_reuse").value_or(""), "",
			 "", ""};
		auto v = as_u64(read("net.ipv4.tcp_tw_reuse"));
		a.status = !v ? "unavailable" : *v == 0 ? "consider" : "ok";
		if (a.status == "consider")
			a.advised = "2";
		a.why = "reusing TIME-WAIT ports for outgoing connections (2: loopback only, 1: "
			"all) avoids port exhaustion on busy clients";
		out.push_back(a);
	}
	{
		Advice a{"net.ipv4.ip_local_port_range",
			 read("net.ipv4.ip_local_port_range").value_or(""), "", "", ""};
		auto lo = as_u64(a.current, 0), hi = as_u64(a.current, 1);
		a.status = !lo || !hi ? "unavailable" : (*hi - *lo >= 28000 ? "ok" : "change");
		if (a.status == "change")
			a.advised = "10000 65535";
		a.why = "ephemeral ports per destination: a narrow range runs out with many "
			"short outgoing connections";
		out.push_back(a);
	}
	out.push_back(at_least(read, "net.ipv4.tcp_mtu_probing", 1,
			       "1: when a PMTU black hole is detected (RTOs on full-size "
			       "segments), TCP probes a smaller MSS instead of stalling"));
	if (facts.conntrack_loaded) {
		auto max = as_u64(read("net.netfilter.nf_conntrack_max"));
		auto count = as_u64(read("net.netfilter.nf_conntrack_count"));
		Advice a = at_least(read, "net.netfilter.nf_conntrack_max", 65536,
				    "a full table drops new flows ('table full, dropping packet')");
		if (max && count && *count >= 0.8 * *max) {
			a.status = "change";
			a.advised = std::to_string(*max * 4);
			a.why += fmt::format("; {} of {} in use now", *count, *max);
		}
		out.push_back(a);
		if (max) {
			Advice b =
				at_least(read, "net.netfilter.nf_conntrack_buckets", *max / 4,
					 "hash buckets: at least max/4 keeps lookup chains short");
			if (b.status == "change")
				b.why += " (write /sys/module/nf_conntrack/parameters/hashsize)";
			out.push_back(b);
		}
	} else {
		out.push_back({"net.netfilter.nf_conntrack_max", "", "", "unavailable",
			       "nf_conntrack is not loaded: nothing is tracked, nothing to size"});
	}
	{
		Advice a{"net.core.default_qdisc", read("net.core.default_qdisc").value_or(""), "",
			 "",
			 "fq paces TCP (needed by BBR, helps any sender); fq_codel suits "
			 "routers"};
		a.status = a.current.empty()   ? "unavailable"
			   : a.current == "fq" ? "ok"
					       : "consider";
		if (a.status == "consider")
			a.advised = "fq";
		out.push_back(a);
	}
	{
		Advice a{"net.ipv4.tcp_congestion_control",
			 read("net.ipv4.tcp_congestion_control").value_or(""), "", "", ""};
		if (a.current == "bbr") {
			a.status = "ok";
			a.why = "BBR with fq";
		} else if (facts.bbr_available) {
			a.status = "consider";
			a.advised = "bbr";
			a.why = "BBR keeps throughput under random loss and keeps queues short "
				"(use with default_qdisc fq)";
		} else {
			a.status = "ok";
			a.why = "tcp_bbr is not available on this kernel";
		}
		out.push_back(a);
	}
	{
		Advice a = at_least(read, "net.core.netdev_budget", 300,
				    "packets one NET_RX softirq may process");
		if (facts.time_squeeze > 0 && as_u64(read("net.core.netdev_budget"))) {
			a.status = "change";
			a.advised = std::to_string(*as_u64(read("net.core.netdev_budget")) * 2);
			a.why += fmt::format("; time_squeeze is {} since boot: the budget ran out",
					     facts.time_squeeze);
		}
		out.push_back(a);
	}
	{
		Advice a = at_least(read, "net.core.netdev_max_backlog", 1000,
				    "per-CPU backlog (non-NAPI drivers, veth, RPS)");
		if (facts.softnet_dropped > 0 && as_u64(read("net.core.netdev_max_backlog"))) {
			a.status = "change";
			a.advised = std::to_string(std::max<uint64_t>(
				*as_u64(read("net.core.netdev_max_backlog")) * 4, 4096));
			a.why += fmt::format("; softnet dropped {} packets since boot",
					     facts.softnet_dropped);
		}
		out.push_back(a);
	}
	return out;
}

std::vector<std::string> apply_refusals(const std::vector<Advice> &items)
{
	constexpr uint64_t int_max = 2147483647;
	std::vector<std::string> out;
	for (const auto &a : items) {
		if (a.status != "change")
			continue;
		for (const auto &w : split_whitespace(a.advised)) {
			uint64_t v = 0;
			bool number = !w.empty();
			for (char c : w)
				number = number && std::isdigit(static_cast<unsigned char>(c));
			if (!number)
				continue;
			// Anything of 11 digits or more is above int_max anyway.
			v = w.size() > 10 ? int_max + 1 : std::stoull(w);
			if (v > int_max) {
				out.push_back(fmt::format("{}: {} is above the largest value the "
							  "kernel takes, {}",
							  a.sysctl, w, int_max));
				break;
			}
		}
	}
	return out;
}

void mark_read_only(std::vector<Advice> &items,
		    const std::function<bool(const std::string &)> &writable)
{
	for (auto &a : items)
		if (a.status == "change" && !writable(a.sysctl)) {
			a.status = "read-only";
			a.why += " (read-only in this network namespace: a global sysctl, set "
				 "it in the initial namespace)";
		}
}

} // namespace nettune::observe
