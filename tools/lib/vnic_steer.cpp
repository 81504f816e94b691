#include "vnic_steer.hpp"

#include "error.hpp"
#include "genl.hpp"
#include "vnic.hpp"

#include <arpa/inet.h>
#include <linux/ethtool.h>
#include <netlink/attr.h>
#include <nlohmann/json.hpp>
#include <optional>
#include <uapi/linux/ntvnic.h>

namespace nettune::vnic {

std::string flow_type_name(uint32_t flow_type)
{
	switch (flow_type) {
	case TCP_V4_FLOW:
		return "tcp4";
	case UDP_V4_FLOW:
		return "udp4";
	case TCP_V6_FLOW:
		return "tcp6";
	case UDP_V6_FLOW:
		return "udp6";
	default:
		return "flow" + std::to_string(flow_type);
	}
}

namespace {

std::string address_text(const std::vector<uint8_t> &bytes)
{
	char buf[INET6_ADDRSTRLEN] = "";
	if (bytes.size() == 4)
		inet_ntop(AF_INET, bytes.data(), buf, sizeof(buf));
	else if (bytes.size() == 16)
		inet_ntop(AF_INET6, bytes.data(), buf, sizeof(buf));
	return buf;
}

std::string address_attr(const GenlAttrs &a, int type)
{
	return a.has(type) ? address_text(a.bytes(type)) : "";
}

// "" for a full mask (an exact match), else the mask's text.
std::string mask_attr(const GenlAttrs &a, int type)
{
	if (!a.has(type))
		return "";
	auto bytes = a.bytes(type);
	bool full = true;
	for (uint8_t b : bytes)
		full = full && b == 0xff;
	return full ? "" : address_text(bytes);
}

SteerEntry parse_entry(const nlattr *nest)
{
	auto a = GenlAttrs::parse_nested(nest, NTVNIC_SA_MAX);
	SteerEntry e;
	e.loc = a.has(NTVNIC_SA_LOC) ? a.u32(NTVNIC_SA_LOC) : 0;
	e.flow_type = flow_type_name(a.has(NTVNIC_SA_FLOW_TYPE) ? a.u32(NTVNIC_SA_FLOW_TYPE) : 0);
	e.src = address_attr(a, NTVNIC_SA_SRC);
	e.dst = address_attr(a, NTVNIC_SA_DST);
	e.src_mask = mask_attr(a, NTVNIC_SA_SRC_MASK);
	e.dst_mask = mask_attr(a, NTVNIC_SA_DST_MASK);
	e.sport = a.has(NTVNIC_SA_SPORT) ? a.u32(NTVNIC_SA_SPORT) : 0;
	e.dport = a.has(NTVNIC_SA_DPORT) ? a.u32(NTVNIC_SA_DPORT) : 0;
	e.exact = !a.has(NTVNIC_SA_SRC_MASK);
	if (a.has(NTVNIC_SA_SPORT_MASK))
		e.sport_mask = a.u32(NTVNIC_SA_SPORT_MASK);
	if (a.has(NTVNIC_SA_DPORT_MASK))
		e.dport_mask = a.u32(NTVNIC_SA_DPORT_MASK);
	e.queue = a.has(NTVNIC_SA_QUEUE) ? a.u32(NTVNIC_SA_QUEUE) : 0;
	e.hits = a.has(NTVNIC_SA_HITS) ? a.u64(NTVNIC_SA_HITS) : 0;
	return e;
}

std::vector<SteerEntry> parse_list(const GenlAttrs &a, int type)
{
	std::vector<SteerEntry> out;
	for (const nlattr *entry : a.nested_list(type))
		out.push_back(parse_entry(entry));
	return out;
}

uint64_t u64_or_zero(const GenlAttrs &a, int type)
{
	return a.has(type) ? a.u64(type) : 0;
}

} // namespace

SteerInfo parse_steering(const GenlAttrs &a)
{
	SteerInfo s;
	s.name = a.has(NTVNIC_A_IFNAME) ? a.str(NTVNIC_A_IFNAME) : "";
	s.ntuple_on = a.has(NTVNIC_A_NTUPLE_ON) && a.u8(NTVNIC_A_NTUPLE_ON);
	s.rules = parse_list(a, NTVNIC_A_NTUPLE_RULES);
	s.arfs = parse_list(a, NTVNIC_A_ARFS_FILTERS);
	s.arfs_steers = u64_or_zero(a, NTVNIC_A_ARFS_STEERS);
	s.arfs_expired = u64_or_zero(a, NTVNIC_A_ARFS_EXPIRED);
	s.arfs_full = u64_or_zero(a, NTVNIC_A_ARFS_FULL);
	return s;
}

SteerInfo get_steering(const std::string &dev)
{
	check_ifname(dev, "device name");
	GenlSocket sock(NTVNIC_GENL_NAME, "ntvnic");
	sock.set_buffer_size(128 * 1024);
	auto msg = sock.message(NTVNIC_CMD_STEER_GET);
	nla_put_string(msg.get(), NTVNIC_A_IFNAME, dev.c_str());
	std::optional<SteerInfo> out;
	sock.request_with_reply(msg, "ntuple " + dev, NTVNIC_A_MAX,
				[&out](const GenlAttrs &a) { out = parse_steering(a); });
	if (!out)
		throw Error("ntuple " + dev + ": the kernel sent no reply");
	return *out;
}

std::string field_text(const std::string &value, const std::string &mask)
{
	if (value.empty())
		return "any";
	if (mask == "0.0.0.0" || mask == "::")
		return "any";
	return mask.empty() ? value : value + " m " + mask;
}

std::string port_text(uint32_t port, uint32_t mask)
{
	if (mask == 0)
		return "any";
	if (mask == 0xffff)
		return std::to_string(port);
	return std::to_string(port) + " m " + std::to_string(mask);
}

namespace {

nlohmann::json entry_json(const SteerEntry &e)
{
	nlohmann::json j = {{"loc", e.loc},     {"flow_type", e.flow_type},
			    {"src", e.src},     {"dst", e.dst},
			    {"sport", e.sport}, {"dport", e.dport},
			    {"queue", e.queue}, {"hits", e.hits}};
	if (!e.exact) {
		j["src_mask"] = e.src_mask;
		j["dst_mask"] = e.dst_mask;
		j["sport_mask"] = e.sport_mask;
		j["dport_mask"] = e.dport_mask;
	}
	return j;
}

} // namespace

nlohmann::json steering_json(const SteerInfo &s)
{
	nlohmann::json j = {{"ifname", s.name},
			    {"ntuple", s.ntuple_on},
			    {"rules", nlohmann::json::array()},
			    {"arfs", nlohmann::json::array()},
			    {"arfs_steers", s.arfs_steers},
			    {"arfs_expired", s.arfs_expired},
			    {"arfs_full", s.arfs_full}};
	for (const auto &r : s.rules)
		j["rules"].push_back(entry_json(r));
	for (const auto &f : s.arfs)
		j["arfs"].push_back(entry_json(f));
	return j;
}

} // namespace nettune::vnic
