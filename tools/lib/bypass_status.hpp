// What conntrack looks like in the current network namespace, for
// `nettune bypass status`.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace nettune::bypass {

struct ConntrackState {
	bool loaded = false;           // nf_conntrack present (module or built in)
	std::optional<uint64_t> count; // entries in this namespace's table
	std::optional<uint64_t> max;   // nf_conntrack_max
};

// Reads /proc/sys/net/netfilter/nf_conntrack_{count,max} under `proc_root`
// (normally "/proc") and /sys/module/nf_conntrack under `sys_root`.
ConntrackState read_conntrack_state(const std::string &proc_root = "/proc",
				    const std::string &sys_root = "/sys");

} // namespace nettune::bypass
