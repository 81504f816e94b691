// nettune trace drops: skb:kfree_skb aggregated by reason, place, device,
// netns and protocol (bpf/trace_drops.bpf.c), named for a person.
#pragma once
#include "trace_bpf.hpp"

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace nettune::trace {

struct DropRow {
	uint64_t count = 0;
	uint64_t bytes = 0;
	uint32_t reason_value = 0;
	std::string reason; // "NO_SOCKET", from the running kernel's BTF
	uint64_t location = 0;
	std::string place; // "__udp4_lib_rcv+0x5d2"
	uint32_t ifindex = 0;
	std::string device; // "nt1", "if5@4026532288", "-"
	uint32_t netns_inode = 0;
	std::string netns;    // ip netns name, "-" (this one), "net:[...]"
	std::string protocol; // "ipv4/udp"
};

struct DropsOptions {
	std::string dev; // count only this device (of the current namespace)
	bool verbose = false;
};

struct DropsReport {
	std::vector<DropRow> rows; // by count, largest first
	double seconds = 0;
	uint64_t lost = 0; // drops not counted: the table was full
};

DropsReport trace_drops(const DropsOptions &opts, const StopCondition &stop);

nlohmann::json to_json(const DropRow &r);

} // namespace nettune::trace
