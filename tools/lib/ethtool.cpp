#include "ethtool.hpp"

#include "error.hpp"
#include "sysfs.hpp"

#include <cerrno>
#include <cstring>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <regex>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace nettune::ethtool {

Device::Device(std::string ifname) : ifname_(std::move(ifname))
{
	if (ifname_.empty() || ifname_.size() >= IFNAMSIZ)
		throw UsageError("device name '" + ifname_ + "' is not a valid interface name");
	fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd_ < 0)
		throw Error(errno_message(ifname_ + ": socket for ethtool", errno));
}

Device::~Device()
{
	if (fd_ >= 0)
		close(fd_);
}

int Device::ioctl_errno(void *data) const
{
	ifreq ifr{};
	std::strncpy(ifr.ifr_name, ifname_.c_str(), IFNAMSIZ - 1);
	ifr.ifr_data = static_cast<char *>(data);
	return ioctl(fd_, SIOCETHTOOL, &ifr) < 0 ? errno : 0;
}

void Device::call(void *data, const char *what) const
{
	if (int err = ioctl_errno(data))
		throw Error(errno_message(ifname_ + ": " + what, err));
}

static std::string cstr(const char *s, size_t max)
{
	return std::string(s, strnlen(s, max));
}

DriverInfo Device::driver_info() const
{
	ethtool_drvinfo info{};
	info.cmd = ETHTOOL_GDRVINFO;
	call(&info, "read driver info (ETHTOOL_GDRVINFO)");
	return {cstr(info.driver, sizeof(info.driver)), cstr(info.version, sizeof(info.version)),
		cstr(info.fw_version, sizeof(info.fw_version)),
		cstr(info.bus_info, sizeof(info.bus_info))};
}

Channels Device::channels() const
{
	ethtool_channels ch{};
	ch.cmd = ETHTOOL_GCHANNELS;
	call(&ch, "read channels (ETHTOOL_GCHANNELS)");
	return {ch.max_rx,   ch.max_tx,   ch.max_other,   ch.max_combined,
		ch.rx_count, ch.tx_count, ch.other_count, ch.combined_count};
}

Rings Device::rings() const
{
	ethtool_ringparam rp{};
	rp.cmd = ETHTOOL_GRINGPARAM;
	call(&rp, "read ring sizes (ETHTOOL_GRINGPARAM)");
	return {rp.rx_max_pending, rp.tx_max_pending, rp.rx_pending, rp.tx_pending};
}

// One of the legacy single-feature requests (ETHTOOL_GRXCSUM, ...).
bool Device::feature(uint32_t cmd, const char *what) const
{
	ethtool_value v{};
	v.cmd = cmd;
	call(&v, what);
	return v.data != 0;
}

Offloads Device::offloads() const
{
	Offloads o;
	o.rx_checksum = feature(ETHTOOL_GRXCSUM, "read rx-checksumming (ETHTOOL_GRXCSUM)");
	o.tx_checksum = feature(ETHTOOL_GTXCSUM, "read tx-checksumming (ETHTOOL_GTXCSUM)");
	o.sg = feature(ETHTOOL_GSG, "read scatter-gather (ETHTOOL_GSG)");
	o.tso = feature(ETHTOOL_GTSO, "read tcp-segmentation-offload (ETHTOOL_GTSO)");
	o.gso = feature(ETHTOOL_GGSO, "read generic-segmentation-offload (ETHTOOL_GGSO)");
	o.gro = feature(ETHTOOL_GGRO, "read generic-receive-offload (ETHTOOL_GGRO)");
	return o;
}

Rss Device::rss() const
{
	ethtool_rxfh sizes{};
	sizes.cmd = ETHTOOL_GRSSH;
	call(&sizes, "read RSS sizes (ETHTOOL_GRSSH)");
	const size_t indir_bytes = sizes.indir_size * sizeof(uint32_t);
	std::vector<uint8_t> buf(sizeof(ethtool_rxfh) + indir_bytes + sizes.key_size);
	auto *rxfh = reinterpret_cast<ethtool_rxfh *>(buf.data());
	rxfh->cmd = ETHTOOL_GRSSH;
	rxfh->indir_size = sizes.indir_size;
	rxfh->key_size = sizes.key_size;
	call(rxfh, "read RSS table (ETHTOOL_GRSSH)");
	Rss rss;
	rss.hfunc = rxfh->hfunc;
	const uint8_t *data = buf.data() + sizeof(ethtool_rxfh);
	rss.indir.resize(rxfh->indir_size);
	std::memcpy(rss.indir.data(), data, rxfh->indir_size * sizeof(uint32_t));
	rss.key.assign(data + indir_bytes, data + indir_bytes + rxfh->key_size);
	return rss;
}

uint32_t Device::stats_count() const
{
	std::vector<uint8_t> buf(sizeof(ethtool_sset_info) + sizeof(uint32_t));
	auto *info = reinterpret_cast<ethtool_sset_info *>(buf.data());
	info->cmd = ETHTOOL_GSSET_INFO;
	info->sset_mask = 1ULL << ETH_SS_STATS;
	call(info, "count statistics (ETHTOOL_GSSET_INFO)");
	if (!(info->sset_mask & (1ULL << ETH_SS_STATS)))
		return 0;
	return info->data[0];
}

std::vector<std::string> Device::stat_names(uint32_t count) const
{
	std::vector<uint8_t> buf(sizeof(ethtool_gstrings) + count * ETH_GSTRING_LEN);
	auto *gs = reinterpret_cast<ethtool_gstrings *>(buf.data());
	gs->cmd = ETHTOOL_GSTRINGS;
	gs->string_set = ETH_SS_STATS;
	gs->len = count;
	call(gs, "read statistic names (ETHTOOL_GSTRINGS)");
	std::vector<std::string> names;
	for (uint32_t i = 0; i < gs->len && i < count; i++)
		names.push_back(cstr(reinterpret_cast<const char *>(gs->data) + i * ETH_GSTRING_LEN,
				     ETH_GSTRING_LEN));
	return names;
}

StatList Device::stats() const
{
	const uint32_t count = stats_count();
	if (count == 0)
		return {};
	auto names = stat_names(count);
	std::vector<uint8_t> buf(sizeof(ethtool_stats) + count * sizeof(uint64_t));
	auto *st = reinterpret_cast<ethtool_stats *>(buf.data());
	st->cmd = ETHTOOL_GSTATS;
	st->n_stats = count;
	call(st, "read statistics (ETHTOOL_GSTATS)");
	StatList out;
	for (uint32_t i = 0; i < st->n_stats && i < names.size(); i++) {
		uint64_t v;
		std::memcpy(&v, buf.data() + sizeof(ethtool_stats) + i * sizeof(uint64_t),
			    sizeof(v));
		out.emplace_back(names[i], v);
	}
	return out;
}

namespace {

struct QueueName {
	bool rx;
	unsigned queue;
	std::string counter;
};

bool match_queue_name(const std::string &name, QueueName &out)
{
	// rx_queue_3_packets | rx3_drops | rx-3.packets
	static const std::regex patterns[] = {
		std::regex(R"(^(rx|tx)_queue_([0-9]+)_(.+)$)"),
		std::regex(R"(^(rx|tx)([0-9]+)_(.+)$)"),
		std::regex(R"(^(rx|tx)-([0-9]+)\.(.+)$)"),
	};
	std::smatch m;
	for (const auto &re : patterns) {
		if (std::regex_match(name, m, re)) {
			out = {m[1] == "rx", (unsigned)std::stoul(m[2]), m[3]};
			return true;
		}
	}
	return false;
}

} // namespace

GroupedStats group_by_queue(const StatList &stats)
{
	GroupedStats g;
	for (const auto &[name, value] : stats) {
		QueueName q;
		if (!match_queue_name(name, q)) {
			g.device.emplace_back(name, value);
			continue;
		}
		auto &qs = g.queues[q.queue];
		(q.rx ? qs.rx : qs.tx)[q.counter] = value;
	}
	return g;
}

StatList parse_ethtool_s_text(const std::string &text)
{
	StatList out;
	for (const auto &raw : split(text, '\n')) {
		std::string line = trim(raw);
		auto colon = line.rfind(": ");
		if (line.empty() || colon == std::string::npos)
			continue;
		std::string value = trim(line.substr(colon + 2));
		if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos)
			continue;
		out.emplace_back(trim(line.substr(0, colon)), std::stoull(value));
	}
	return out;
}

} // namespace nettune::ethtool
