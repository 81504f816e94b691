// What `ethtool -i/-l/-g/-x/-k/-S` show, read with the SIOCETHTOOL ioctl in the
// current network namespace, plus a parser that groups `ethtool -S` names
// into per-queue counters (rx_queue_3_packets -> queue 3, rx, "packets").
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace nettune::ethtool {

struct DriverInfo {
	std::string driver;
	std::string version;
	std::string fw_version;
	std::string bus_info;
};

struct Channels {
	uint32_t max_rx = 0, max_tx = 0, max_other = 0, max_combined = 0;
	uint32_t rx = 0, tx = 0, other = 0, combined = 0;
};

struct Rings {
	uint32_t rx_max = 0, tx_max = 0;
	uint32_t rx = 0, tx = 0;
};

struct Rss {
	std::vector<uint32_t> indir;
	std::vector<uint8_t> key;
	uint8_t hfunc = 0; // ETH_RSS_HASH_* bits (kernel-internal names)
};

// ETH_RSS_HASH_TOP: bit 0 of hfunc (not exported by the UAPI header).
constexpr uint8_t rss_hash_toeplitz = 1u << 0;

// The offloads `ethtool -k` shows that a NIC driver implements.
struct Offloads {
	bool rx_checksum = false, tx_checksum = false, sg = false, tso = false, gso = false,
	     gro = false;
};

// One `ethtool -S` counter, in driver order.
using Stat = std::pair<std::string, uint64_t>;
using StatList = std::vector<Stat>;

// ioctl access to one device. Every failure throws Error naming the device
// and the request ("eth9: read RSS table (ETHTOOL_GRSSH): Operation not
// supported").
class Device {
public:
	explicit Device(std::string ifname);
	~Device();
	Device(const Device &) = delete;
	Device &operator=(const Device &) = delete;

	const std::string &name() const { return ifname_; }
	DriverInfo driver_info() const;
	Channels channels() const;
	Rings rings() const;
	Rss rss() const;
	StatList stats() const;
	Offloads offloads() const;

private:
	// Issues SIOCETHTOOL with `data`; returns errno (0 on success).
	int ioctl_errno(void *data) const;
	bool feature(uint32_t cmd, const char *what) const;
	void call(void *data, const char *what) const;
	uint32_t stats_count() const;
	std::vector<std::string> stat_names(uint32_t count) const;

	std::string ifname_;
	int fd_ = -1;
};

// Per-queue view of the counters.
struct QueueStats {
	std::map<std::string, uint64_t> rx; // "packets" -> n
	std::map<std::string, uint64_t> tx;
};

struct GroupedStats {
	StatList device;                       // counters not tied to a queue, in order
	std::map<unsigned, QueueStats> queues; // by queue index
};

// Recognises rx_queue_3_packets / tx_queue_3_bytes (virtio_net, veth,
// ntvnic), rx3_drops / tx3_kicks (virtio_net since 6.x) and rx-3.packets
// (mlx4, i40e). Anything else is a device counter.
GroupedStats group_by_queue(const StatList &stats);

// Parses the text `ethtool -S DEV` prints ("NIC statistics:" then
// "     name: value" lines): used for fixtures and for comparing with ethtool.
StatList parse_ethtool_s_text(const std::string &text);

} // namespace nettune::ethtool
