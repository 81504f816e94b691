#include "trace_drops.hpp"

#include "error.hpp"
#include "trace_btf.hpp"
#include "trace_kallsyms.hpp"
#include "trace_names.hpp"

#include <algorithm>
#include <bpf/bpf.h>
#include <memory>
#include <net/if.h>
#include <nlohmann/json.hpp>
#include <thread>

#include <linux/types.h>

#include "nettune_trace.h"
#include "trace_drops.skel.h"

namespace nettune::trace {

namespace {

using DropsSkel = std::unique_ptr<trace_drops_bpf, decltype(&trace_drops_bpf::destroy)>;

std::vector<std::pair<nt_drop_key, nt_drop_val>> read_drops(int map_fd)
{
	std::vector<std::pair<nt_drop_key, nt_drop_val>> out;
	nt_drop_key key{}, next{};
	const void *prev = nullptr;
	while (bpf_map_get_next_key(map_fd, prev, &next) == 0) {
		nt_drop_val val{};
		if (bpf_map_lookup_elem(map_fd, &next, &val) == 0)
			out.emplace_back(next, val);
		key = next;
		prev = &key;
	}
	return out;
}

} // namespace

DropsReport trace_drops(const DropsOptions &opts, const StopCondition &stop)
{
	require_kernel_btf("trace drops");
	uint32_t ifindex = 0;
	if (!opts.dev.empty()) {
		ifindex = if_nametoindex(opts.dev.c_str());
		if (!ifindex)
			throw Error("device '" + opts.dev +
				    "' not found in this network namespace");
	}
	const DropReasons reasons = load_drop_reasons();
	const Kallsyms syms = Kallsyms::load();
	DeviceNames names;

	LibbpfLog log(opts.verbose);
	DropsSkel skel(trace_drops_bpf::open(), trace_drops_bpf::destroy);
	if (!skel)
		throw_bpf_error("trace drops: cannot open the BPF object", errno, log);
	skel->rodata->filter_ifindex = ifindex;
	skel->rodata->filter_netns = ifindex ? current_netns_inode() : 0;
	if (int err = trace_drops_bpf::load(skel.get()))
		throw_bpf_error("trace drops: cannot load the BPF program", err, log);
	if (int err = trace_drops_bpf::attach(skel.get()))
		throw_bpf_error("trace drops: cannot attach to skb:kfree_skb", err, log);

	RunClock clock(stop);
	while (clock.running())
		std::this_thread::sleep_for(std::chrono::milliseconds(100));
	DropsReport report;
	report.seconds = clock.elapsed();
	trace_drops_bpf::detach(skel.get());

	for (const auto &[k, v] : read_drops(bpf_map__fd(skel->maps.drops))) {
		DropRow r;
		r.count = v.count;
		r.bytes = v.bytes;
		r.reason_value = k.reason;
		r.reason = drop_reason_name(reasons, k.reason);
		r.location = k.location;
		r.place = syms.symbolize(k.location);
		r.ifindex = k.ifindex;
		r.device = names.device(k.ifindex, k.netns);
		r.netns_inode = k.netns;
		r.netns = names.netns(k.netns);
		r.protocol = protocol_name(k.l3proto, k.l4proto);
		report.rows.push_back(std::move(r));
	}
	std::sort(report.rows.begin(), report.rows.end(), [](const DropRow &a, const DropRow &b) {
		return a.count != b.count ? a.count > b.count : a.reason < b.reason;
	});
	report.lost = skel->bss->lost;
	return report;
}

nlohmann::json to_json(const DropRow &r)
{
	return {{"count", r.count},      {"bytes", r.bytes},
		{"reason", r.reason},    {"reason_value", r.reason_value},
		{"place", r.place},      {"location", r.location},
		{"device", r.device},    {"ifindex", r.ifindex},
		{"netns", r.netns},      {"netns_inode", r.netns_inode},
		{"protocol", r.protocol}};
}

} // namespace nettune::trace
