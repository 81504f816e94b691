// ntvnic pairs: create, delete, list and change them over the "ntvnic"
// generic netlink family, and assemble the per-queue picture (ethtool -S
// counters, the queue's IRQ, its affinity and per-CPU interrupt counts).
#pragma once
#include "ethtool.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

namespace nettune {
class GenlSocket;
class GenlAttrs;
} // namespace nettune

namespace nettune::vnic {

enum class Mode : uint32_t { napi = 0, legacy = 1 };
std::string mode_name(uint32_t mode);
Mode parse_mode(const std::string &text); // throws UsageError

// Optional settings shared by `add` and `set`.
struct Settings {
	std::optional<uint32_t> queues, rx_ring, tx_ring, napi_weight;
	// Interrupt coalescing (as ethtool -C): changed without a restart.
	std::optional<uint32_t> rx_usecs, rx_frames, tx_usecs, tx_frames;
	std::optional<Mode> mode;
	// The wire of the transmit direction (vnic_wire.hpp): at once.
	std::optional<uint64_t> wire_rate; // bit/s, 0 unlimited
	std::optional<uint32_t> wire_delay_us, wire_loss_ppm;
};

struct CreateRequest {
	std::string name;
	std::string peer;       // empty: kernel chooses
	std::string netns;      // empty: current namespace
	std::string peer_netns; // empty: same as the device
	Settings settings;
};

// The interrupt moderation a queue uses now: the static ethtool -C values,
// or what DIM chose while adaptive-rx/-tx is on.
struct Moderation {
	uint32_t rx_usecs = 0, rx_frames = 0, tx_usecs = 0, tx_frames = 0;
	uint64_t rx_changes = 0, tx_changes = 0; // changes DIM made
};

struct QueueInfo {
	uint32_t index = 0;
	std::optional<Moderation> moderation;
	std::optional<uint32_t> rx_irq, irq_cpu, napi_id, ring_used;
	std::optional<uint32_t> tx_irq, tx_irq_cpu, tx_ring_used;
	std::map<std::string, uint64_t> counters; // genl counters: "rx_packets", ...
};

struct DeviceInfo {
	uint32_t ifindex = 0;
	std::string name;
	std::string peer;
	uint32_t peer_ifindex = 0;
	std::optional<int32_t> peer_netnsid;
	uint32_t queues = 0, rx_ring = 0, tx_ring = 0, mode = 0, napi_weight = 0;
	uint32_t speed = 0, mtu = 0;
	uint32_t rx_usecs = 0, rx_frames = 0, tx_usecs = 0, tx_frames = 0;
	uint8_t operstate = 0;
	std::vector<uint8_t> rss_key;
	std::vector<uint32_t> rss_indir;
	std::vector<QueueInfo> queue_list;
	uint64_t wire_rate = 0; // bit/s, 0 unlimited
	uint32_t wire_delay_us = 0, wire_loss_ppm = 0;
	std::optional<uint32_t> xdp_prog_id;           // native XDP program, if loaded
	bool adaptive_rx = false, adaptive_tx = false; // ethtool -C adaptive-rx/-tx
};

// Throws UsageError unless `name` can be an interface name; `what` names it.
void check_ifname(const std::string &name, const char *what);

// Decodes one GET/NEW reply.
DeviceInfo parse_device(const GenlAttrs &attrs);
std::string operstate_name(uint8_t state);

// Talks to the kernel. Throws Error "ntvnic module not loaded ..." when the
// family is missing, and Error with the kernel's extack text on refusal.
class Client {
public:
	Client();
	~Client();
	DeviceInfo create(const CreateRequest &req);
	void remove(const std::string &name);
	void change(const std::string &name, const Settings &s);
	DeviceInfo get(const std::string &name);
	std::vector<DeviceInfo> list();

private:
	std::unique_ptr<GenlSocket> sock_;
};

// One line of /proc/interrupts.
struct IrqLine {
	unsigned irq = 0;
	std::vector<uint64_t> per_cpu;
	std::vector<std::string> labels; // chip, hwirq-type, handler names ("nt0-rx-3")
};

// Parses /proc/interrupts text (numbered lines only: NMI, LOC... skipped).
std::vector<IrqLine> parse_proc_interrupts(const std::string &text);

// A queue's IRQ as the system sees it.
struct QueueIrq {
	unsigned irq = 0;
	std::string name;
	std::string affinity;          // /proc/irq/N/smp_affinity_list
	std::string effective;         // /proc/irq/N/effective_affinity_list
	std::vector<uint64_t> per_cpu; // interrupt count on each CPU
};

// Which of a queue's two interrupts: receive or transmit completion.
enum class IrqDir { rx, tx };

// Finds `<dev>-rx-<q>` / `<dev>-tx-<q>` (or the IRQ number the driver
// reported) in `lines` and reads its affinity from `proc_irq_dir`
// (normally /proc/irq).
std::optional<QueueIrq> find_queue_irq(const std::vector<IrqLine> &lines, const std::string &dev,
				       unsigned queue, std::optional<uint32_t> irq_hint,
				       const std::string &proc_irq_dir = "/proc/irq",
				       IrqDir dir = IrqDir::rx);

// Everything `show -s` reports about one queue.
struct QueueReport {
	unsigned index = 0;
	std::map<std::string, uint64_t> rx, tx; // ethtool -S counters, prefix removed
	std::optional<QueueIrq> irq;            // RX interrupt
	std::optional<QueueIrq> tx_irq;         // TX completion interrupt
	std::optional<uint32_t> napi_id;
};

struct DeviceReport {
	DeviceInfo info;
	std::optional<ethtool::Offloads> offloads; // ethtool -k, when read
	ethtool::StatList device_stats;            // ethtool -S counters not tied to a queue
	std::vector<QueueReport> queues;
	unsigned cpus = 0;
};

// Joins the genl view, the ethtool -S counters and the IRQ lines.
DeviceReport build_report(const DeviceInfo &info, const ethtool::StatList &stats,
			  const std::vector<IrqLine> &irqs,
			  const std::string &proc_irq_dir = "/proc/irq");

// Named NAPI figures of a queue, from ethtool -S names (with aliases).
struct NapiFigures {
	uint64_t rx_packets = 0, irqs = 0, polls = 0, budget_exhausted = 0, ring_full = 0;
	double packets_per_poll = 0;
};
NapiFigures napi_figures(const QueueReport &q);

// Native XDP counters of a queue (ethtool -S rx_queue_N_xdp_*, and the TX
// queue's ndo_xdp_xmit counters). `present` is false for a driver without
// them.
struct XdpFigures {
	bool present = false;
	uint64_t pass = 0, drop = 0, tx = 0, redirect = 0, aborted = 0, tx_errors = 0;
	uint64_t xmit = 0, xmit_errors = 0;
};
XdpFigures xdp_figures(const QueueReport &q);

// Offload counters of a queue (ethtool -S rx_queue_N_csum_*, gro_merged,
// gso_split; tx_queue_N_csum_offload, tso_*, sg_packets): what the port's
// offloads did. `present` is false for a driver without them.
struct OffloadFigures {
	bool present = false;
	uint64_t tx_csum = 0, tso_packets = 0, tso_segs = 0, sg_packets = 0;
	uint64_t rx_csum_ok = 0, rx_csum_bad = 0, rx_csum_none = 0, gro_merged = 0, gso_split = 0;
	double segs_per_tso = 0; // wire frames per TSO packet
};
OffloadFigures offload_figures(const QueueReport &q);
nlohmann::json offloads_json(const ethtool::Offloads &o);

// Per-second rates of one queue between two reports (for --watch). A
// counter that went backwards (queue re-created) counts as 0.
struct QueueRates {
	unsigned index = 0;
	double rx_pps = 0, rx_bps = 0, drops = 0, ring_full = 0, irqs = 0, polls = 0;
	double budget_exhausted = 0, tx_pps = 0, tx_bps = 0, tx_irqs = 0, tx_stops = 0;
	double packets_per_poll = 0;        // over the interval
	std::vector<double> cpu_interrupts; // per CPU, per second
};
std::vector<QueueRates> queue_rates(const DeviceReport &before, const DeviceReport &after,
				    double seconds);

nlohmann::json device_json(const DeviceInfo &info);
nlohmann::json rates_json(const std::vector<QueueRates> &rates);
nlohmann::json report_json(const DeviceReport &r);
nlohmann::json moderation_json(const Moderation &m);

} // namespace nettune::vnic
