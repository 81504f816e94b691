// nettune xdp, the parts that need no kernel: parsing and refusing rule
// arguments, encoding them as the filter program's map keys (bpf/xdp_filter.h)
// and decoding them back, and turning per-CPU counters into totals, rates,
// tables and JSON.
#pragma once
#include "bypass_rule.hpp"

#include <array>
#include <cstdint>
#include <iosfwd>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "xdp_filter.h"

namespace nettune::xdp {

using Prefix = nettune::bypass::Prefix;

// ---- rules ------------------------------------------------------------------

// A source prefix: "198.51.100.0/24", "2001:db8::/32", a bare address is a
// host. Host bits past the length are refused (UsageError naming the
// network meant), as in `nettune bypass`.
Prefix parse_block_prefix(const std::string &word);

struct PortRule {
	uint8_t proto = 0; // IPPROTO_TCP or IPPROTO_UDP
	uint16_t port = 0;
	bool operator==(const PortRule &) const = default;
};

// "tcp" "23": UsageError for another protocol or a port outside [1, 65535].
PortRule parse_port_rule(const std::string &proto, const std::string &port);
std::string proto_name(uint8_t proto); // "tcp" / "udp"
uint32_t port_key(const PortRule &r);
PortRule decode_port_key(uint32_t key);

struct SynLimit {
	uint64_t rate = 0; // SYNs per second per source
	uint64_t burst = 0;
	bool operator==(const SynLimit &) const = default;
};

constexpr uint64_t kMaxSynRate = 100'000'000;
constexpr uint64_t kMaxSynBurst = 1'000'000;

// "2000/s" (or "2000") and an optional burst (default: one second of rate,
// at most kMaxSynBurst). A rate of 0 is refused: `synlimit off` turns it off.
SynLimit parse_synlimit(const std::string &rate, const std::optional<std::string> &burst);
xdpf_config make_config(const SynLimit &s); // off: all zero
std::optional<SynLimit> config_synlimit(const xdpf_config &c);
std::string format_synlimit(const SynLimit &s); // "2000/s burst 100"

xdpf_v4_key v4_key(const Prefix &p);
xdpf_v6_key v6_key(const Prefix &p);
Prefix decode_v4_key(const xdpf_v4_key &k);
Prefix decode_v6_key(const xdpf_v6_key &k);

// ---- counters ---------------------------------------------------------------

enum class Verdict { pass, drop };

struct ReasonInfo {
	xdpf_reason reason;
	const char *name; // "blocked_prefix"
	Verdict verdict;
};
const std::array<ReasonInfo, XDPF_NR_REASONS> &reasons();
const char *verdict_name(Verdict v);

struct Counter {
	uint64_t packets = 0;
	uint64_t bytes = 0;
	bool operator==(const Counter &) const = default;
};

// Counters of one device: per reason, and per CPU per reason.
struct Stats {
	std::array<Counter, XDPF_NR_REASONS> reason{};
	std::vector<std::array<Counter, XDPF_NR_REASONS>> per_cpu;
	Counter verdict(Verdict v) const;
	Counter total() const;
};

// per_cpu[cpu][reason] as read from the per-CPU array.
Stats aggregate(std::vector<std::array<Counter, XDPF_NR_REASONS>> per_cpu);

struct Rate {
	double pps = 0;
	double bps = 0; // bits per second
};

struct StatsRates {
	std::array<Rate, XDPF_NR_REASONS> reason{};
	Rate pass, drop;
};

StatsRates rates(const Stats &before, const Stats &after, double seconds);

// Per RX queue XDP counters a driver reports in `ethtool -S`
// (rx_queue_N_xdp_*): queue -> counter name ("xdp_drop") -> value.
using QueueXdpStats = std::map<unsigned, std::map<std::string, uint64_t>>;
QueueXdpStats queue_xdp_stats(const std::vector<std::pair<std::string, uint64_t>> &ethtool_stats);

void print_stats(std::ostream &out, const Stats &s, bool per_cpu);
nlohmann::json stats_json(const Stats &s, bool per_cpu);
void print_rates(std::ostream &out, const StatsRates &r);
nlohmann::json rates_json(const StatsRates &r);
void print_queue_stats(std::ostream &out, const QueueXdpStats &q);
nlohmann::json queue_stats_json(const QueueXdpStats &q);

} // namespace nettune::xdp
