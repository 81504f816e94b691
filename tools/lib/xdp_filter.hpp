// nettune xdp, kernel side: loading bpf/xdp_filter.bpf.c through its bpftool
// skeleton, attaching it to a device with a BPF link, pinning the link and
// the maps under bpffs, and editing/reading those pinned maps.
//
// Pins: /sys/fs/bpf/nettune/xdp/<netns inode>-<ifindex>/{link,deny_v4,
// deny_v6,deny_ports,syn_buckets,filter_config,counters}. The netns inode
// (stat /proc/self/ns/net) keeps two namespaces' devices with the same
// ifindex apart; every command finds its device's state there, so separate
// `nettune xdp` commands share one filter. A pinned link whose device went
// away (device or namespace deleted) reports ifindex 0: the next command
// removes its directory.
#pragma once
#include "xdp_rules.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace nettune::xdp {

enum class Mode { any, native, generic };

// "native" / "generic" (UsageError naming the word otherwise).
Mode parse_mode(const std::string &word);
std::string mode_name(Mode m); // "native", "generic", "auto"

constexpr const char *kBpffs = "/sys/fs/bpf";

// <root>/nettune/xdp/<netns_inode>-<ifindex>
std::string pin_dir(const std::string &root, uint64_t netns_inode, int ifindex);
// Parses a pin directory's name; nullopt for anything else.
std::optional<std::pair<uint64_t, int>> parse_pin_dir_name(const std::string &name);

uint64_t current_netns_inode();

// Makes sure bpffs is mounted at /sys/fs/bpf: mounts it when missing in the
// initial mount namespace, refuses (Error) where a mount would vanish with
// this process (a private mount namespace, as `ip netns exec` makes).
void ensure_bpffs();

// A device that has the filter attached.
struct Attachment {
	std::string dev;
	int ifindex = 0;
	std::string dir;
	std::string mode; // "native", "generic", "offload", "?"
	uint32_t prog_id = 0;
	uint32_t link_id = 0;
};

// Every attachment in the current network namespace, by device name.
// Removes the pin directories of links whose device is gone (any netns).
std::vector<Attachment> attached();

// The device a rule command acts on: `dev` if given (Error if it does not
// exist or has no filter), else the only attachment (Error if none,
// UsageError if several, listing them).
Attachment select_target(const std::optional<std::string> &dev);

struct AttachResult {
	Attachment att;
	bool replaced = false;   // --force replaced a program (ours or another)
	bool kept_rules = false; // our maps were reused
};

// Loads the program, attaches it in `mode` (any: native if the driver has
// it, else generic), pins link and maps. A second attach, or a foreign XDP
// program on the device, is refused unless `force`; with `force` the
// program is replaced (atomically when the mode stays the same) and our
// pinned rules and counters are kept.
AttachResult attach(const std::string &dev, Mode mode, bool force);

// Detaches the program and removes the device's pin directory.
Attachment detach(const std::string &dev);

struct RuleSet {
	std::vector<std::pair<Prefix, uint64_t>> blocked; // with hits
	std::vector<std::pair<PortRule, uint64_t>> denied;
	std::optional<SynLimit> synlimit;
	size_t syn_sources = 0; // entries in syn_buckets
};

// The pinned maps of one attachment.
class Filter {
public:
	explicit Filter(const Attachment &att);
	~Filter();
	Filter(const Filter &) = delete;
	Filter &operator=(const Filter &) = delete;

	const Attachment &attachment() const { return att_; }
	bool block(const Prefix &p);   // false: was already blocked
	bool unblock(const Prefix &p); // false: was not blocked
	bool deny(const PortRule &r);
	bool allow(const PortRule &r);
	void set_synlimit(const std::optional<SynLimit> &s);
	RuleSet rules() const;
	Stats stats() const;

private:
	int open_map(const char *name);
	Attachment att_;
	int v4_ = -1, v6_ = -1, ports_ = -1, syn_ = -1, config_ = -1, counters_ = -1;
};

} // namespace nettune::xdp
