// Receive Side Scaling reference: the Toeplitz hash a NIC computes over a
// flow's addresses and ports, and the indirection table that turns the hash
// into an RX queue. Matches Microsoft's "Verifying the RSS Hash Calculation"
// vectors and the Linux convention (ethtool -x): queue = indir[hash % size].
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace nettune::rss {

using Key = std::vector<uint8_t>;

// The 40-byte key of Microsoft's verification suite (6d5a56da255b0ec2...).
// Used when no key is given; a Linux driver's real key comes from
// netdev_rss_key_fill() (random per boot) and is read with ethtool -x.
const Key &default_key();

// Toeplitz hash of `input` under `key`. The key must be at least
// input.size() + 4 bytes long; throws Error otherwise.
uint32_t toeplitz(const Key &key, std::span<const uint8_t> input);

enum class Proto { other, tcp, udp };

struct Flow {
	bool ipv6 = false;
	std::array<uint8_t, 16> src{}; // network order; IPv4 uses the first 4 bytes
	std::array<uint8_t, 16> dst{};
	uint16_t sport = 0;
	uint16_t dport = 0;
	Proto proto = Proto::tcp;
};

// The bytes the NIC hashes: src addr, dst addr, then (4-tuple) src port,
// dst port, all in network byte order.
std::vector<uint8_t> hash_input(const Flow &flow, bool with_ports);

// 4-tuple hash for TCP and UDP, 2-tuple (addresses only) for other traffic.
uint32_t flow_hash(const Key &key, const Flow &flow);

// ethtool's default table: entry i is i % queues.
std::vector<uint32_t> default_indir(size_t size, uint32_t queues);

// The RX queue a hash selects; throws Error on an empty table.
uint32_t queue_for_hash(uint32_t hash, const std::vector<uint32_t> &indir);

// "6d:5a:56:..." (ethtool -x form) or "6d5a56..."; throws UsageError
// naming the bad part.
Key parse_key(const std::string &text);
std::string format_key(const Key &key);

// "SRC:PORT,DST:PORT" with IPv4 addresses or bracketed IPv6
// ("[2001:db8::1]:80"). Throws UsageError naming the part that is wrong
// (source/destination, address/port).
Flow parse_flow(const std::string &text, Proto proto);
Proto parse_proto(const std::string &text);

std::string address_string(const Flow &flow, bool source);
std::string proto_name(Proto proto);

} // namespace nettune::rss
