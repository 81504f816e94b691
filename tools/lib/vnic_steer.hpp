// ntvnic receive steering beyond RSS: the ethtool ntuple rules and the
// accelerated RFS filters of a port, with their hit counters, read with
// the "ntvnic" family's STEER_GET command (`nettune vnic ntuple DEV`).
#pragma once
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace nettune {
class GenlAttrs;
} // namespace nettune

namespace nettune::vnic {

// One rule (or aRFS filter: an exact flow, all masks full).
struct SteerEntry {
	uint32_t loc = 0;      // rule location, or aRFS filter id
	std::string flow_type; // tcp4, udp4, tcp6, udp6
	std::string src, dst;  // addresses; empty mask text when fully masked
	std::string src_mask, dst_mask;
	uint32_t sport = 0, dport = 0, sport_mask = 0xffff, dport_mask = 0xffff;
	uint32_t queue = 0;
	uint64_t hits = 0;
	bool exact = false; // an aRFS filter
};

struct SteerInfo {
	std::string name;
	bool ntuple_on = false;
	std::vector<SteerEntry> rules, arfs;
	uint64_t arfs_steers = 0, arfs_expired = 0, arfs_full = 0;
};

// ethtool's name of a flow type ("tcp4"), or "flowN".
std::string flow_type_name(uint32_t flow_type);
// Decodes a STEER_GET reply.
SteerInfo parse_steering(const GenlAttrs &attrs);
// Asks the kernel (throws Error with the extack text on refusal).
SteerInfo get_steering(const std::string &dev);
// One field as ethtool -n shows it: "10.0.0.2", "10.0.0.0 m 0.0.0.255",
// "any" when the mask is empty.
std::string field_text(const std::string &value, const std::string &mask);
std::string port_text(uint32_t port, uint32_t mask);
nlohmann::json steering_json(const SteerInfo &s);

} // namespace nettune::vnic
