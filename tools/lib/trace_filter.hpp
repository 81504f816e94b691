// The packet filter of `nettune trace skb`, a small subset of pcap-filter(7):
//
//   FILTER := PRIMITIVE [and PRIMITIVE]...
//   PRIMITIVE := tcp | udp | icmp | icmp6 | proto tcp|udp|icmp|icmp6
//              | ip | ip6
//              | [src|dst] host ADDRESS          (IPv4 or IPv6)
//              | [src|dst] port NUMBER           (1..65535; tcp or udp)
//              | dev NAME
//
// Parsed and checked here (host unit tests), then compiled into the fixed
// struct nt_skb_filter the BPF program reads from .rodata.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include <linux/types.h>

#include "nettune_trace.h"

namespace nettune::trace {

struct IpAddress {
	int family = 0; // 4 or 6
	std::array<uint8_t, 16> bytes{};
	bool operator==(const IpAddress &) const = default;
};

struct SkbFilter {
	uint8_t l4proto = 0; // IPPROTO_*, 0 = any
	int family = 0;      // 4, 6, 0 = any
	std::optional<IpAddress> src, dst, host;
	uint16_t sport = 0, dport = 0, port = 0;
	std::string dev;
	// The filter back as text, in a canonical order ("icmp and dst host 10.0.0.2").
	std::string describe() const;
};

// Throws UsageError "filter: ..." naming the word that is wrong and why.
SkbFilter parse_skb_filter(const std::string &text);

// The BPF side's view; ifindex/netns come from resolving filter.dev.
nt_skb_filter compile_skb_filter(const SkbFilter &f, uint32_t ifindex, uint32_t netns);

// "10.0.0.1" / "fd00::1" -> IpAddress; nullopt if it is neither.
std::optional<IpAddress> parse_ip_address(const std::string &text);

} // namespace nettune::trace
