// tune: the bandwidth-delay product and the buffer limits it needs, and an
// audit of the classic sysctl pitfalls with the value advised and why.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nettune::observe {

// "10gbit", "100mbit", "1.5gbit", "800kbit", "1tbit", "100bit" (bits/s) or
// "125mbps" (bytes/s, as tc(8)). Returns bits per second. Throws
// UsageError for no unit, an unknown unit, zero, a negative or an absurd
// value (above 10 Tbit/s).
double parse_rate(const std::string &text);
// "100ms", "1s", "250us", "0.5s" (units s, ms, us, ns). Returns
// seconds. Throws UsageError without a unit, for zero or above 3600 s.
double parse_duration(const std::string &text);

// Bytes in flight on a path of `bits_per_second` and round trip `rtt_s`.
uint64_t bdp_bytes(double bits_per_second, double rtt_s);

// The receive buffer that lets TCP advertise a window of `window` bytes:
// the kernel keeps part of rcvbuf for overhead, per tcp_adv_win_scale
// (1 on 6.1: half; n>0 keeps 1/2^n, n<=0 gives only window>>-n). Kernels
// without the sysctl (6.6+) scale by the skb truesize ratio: take 2x.
uint64_t rcvbuf_for_window(uint64_t window, std::optional<int> adv_win_scale);

// Rounded up to a whole MiB (sysctls are easier to read).
uint64_t round_up_mib(uint64_t bytes);

struct Advice {
	std::string sysctl;  // "net.core.rmem_max"
	std::string current; // "" when unreadable
	std::string advised; // the value to write ("" when nothing to change)
	std::string status;  // "ok", "change", "consider", "unavailable"
	std::string why;
};

struct BdpPlan {
	double rate_bps = 0, rtt_s = 0;
	uint64_t bdp = 0, rcvbuf = 0, sndbuf = 0;
	std::vector<Advice> items;
};

// What the buffers must be for one path; `read` gives a sysctl's current
// value (dotted name) or nullopt.
using SysctlReader = std::function<std::optional<std::string>(const std::string &)>;
BdpPlan plan_bdp(double rate_bps, double rtt_s, const SysctlReader &read);

// The audit, from the current sysctls and a few facts about the machine.
struct AuditFacts {
	uint64_t softnet_dropped = 0, time_squeeze = 0; // since boot, all CPUs
	bool conntrack_loaded = false;
	bool bbr_available = false;
};
std::vector<Advice> audit(const SysctlReader &read, const AuditFacts &facts);

// Why the advised values of the "change" items cannot be written, one
// message per item ("net.ipv4.tcp_rmem: 2500000000000 is above the largest
// value the kernel takes, 2147483647"): these sysctls are C ints. Empty:
// all can be written. --apply writes nothing unless this is empty.
std::vector<std::string> apply_refusals(const std::vector<Advice> &items);

// Marks each "change" item that `writable` says cannot be written here as
// "read-only" (a global sysctl seen from a network namespace other than
// the initial one), with the reason in `why`; --apply skips those.
void mark_read_only(std::vector<Advice> &items,
		    const std::function<bool(const std::string &)> &writable);

} // namespace nettune::observe
