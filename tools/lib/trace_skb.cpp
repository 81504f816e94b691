#include "trace_skb.hpp"

#include "error.hpp"
#include "sysfs.hpp"
#include "trace_btf.hpp"
#include "trace_kallsyms.hpp"
#include "trace_names.hpp"

#include <algorithm>
#include <array>
#include <bpf/bpf.h>
#include <cstring>
#include <fmt/format.h>
#include <map>
#include <memory>
#include <net/if.h>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>
#include <unordered_set>

#include <linux/types.h>

#include "nettune_trace.h"
#include "trace_skb.skel.h"

namespace nettune::trace {

namespace {

using SkbSkel = std::unique_ptr<trace_skb_bpf, decltype(&trace_skb_bpf::destroy)>;
using Link = std::unique_ptr<bpf_link, decltype(&bpf_link__destroy)>;

// Free an skb without a tracepoint (6.1: __kfree_skb, GRO's stolen heads,
// the NAPI skb cache), so the walk ends there too and the address, soon
// reused for another skb, is no longer followed. Those inlined in a
// kernel are not in kallsyms and are skipped.
const char *const kFreeFunctions[] = {"kfree_skbmem", "napi_skb_free_stolen_head",
				      "__napi_kfree_skb", "napi_skb_cache_put"};

const char *const kTracefsDirs[] = {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"};

// Functions ftrace can hook (kprobes on other ones would need int3 or fail).
std::unordered_set<std::string> traceable_functions()
{
	for (int attempt = 0; attempt < 2; attempt++) {
		for (const char *dir : kTracefsDirs) {
			auto text = try_read_file(std::string(dir) + "/available_filter_functions");
			if (!text)
				continue;
			std::unordered_set<std::string> out;
			for (const auto &line : split(*text, '\n')) {
				auto words = split_whitespace(line);
				if (!words.empty())
					out.insert(words[0]);
			}
			return out;
		}
		// not mounted (or -n NETNS gave us a fresh /sys): mount it once
		mount("tracefs", kTracefsDirs[0], "tracefs", 0, nullptr);
	}
	throw Error("trace skb: cannot read available_filter_functions in /sys/kernel/tracing "
		    "or /sys/kernel/debug/tracing (tracefs, CONFIG_FUNCTION_TRACER)");
}

// A module built without BTF (out of tree against headers that ship no
// vmlinux, as ntvnic on Debian) lists no prototypes. Its ndo_start_xmit
// has one fixed signature, (struct sk_buff *, struct net_device *), so a
// function named *_start_xmit in such a module is traced with the skb
// as argument 1; nothing else of it is.
bool module_without_btf(const std::string &module)
{
	return !module.empty() && access(("/sys/kernel/btf/" + module).c_str(), F_OK) != 0;
}

bool is_start_xmit(const std::string &name)
{
	const std::string suffix = "_start_xmit";
	return name.size() > suffix.size() &&
	       name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

struct Candidates {
	std::array<std::vector<std::string>, 5> names; // by argument position - 1
	std::array<std::vector<unsigned long>, 5> addrs;
	size_t total = 0;
	size_t listed = 0;
};

Candidates choose_functions(const SkbOptions &opts, const Kallsyms &syms)
{
	auto traceable = traceable_functions();
	std::optional<std::regex> pattern;
	if (!opts.functions.empty()) {
		try {
			pattern.emplace(opts.functions, std::regex::extended);
		} catch (const std::regex_error &e) {
			throw UsageError("--functions: '" + opts.functions +
					 "' is not a regular expression: " + e.what());
		}
	}
	std::vector<SkbFunction> listed = load_skb_functions();
	for (const auto &sym : syms.symbols())
		if (is_start_xmit(sym.name) && module_without_btf(sym.module))
			listed.push_back({sym.name, sym.module, 1});
	auto is_free = [](const std::string &n) {
		return std::find(std::begin(kFreeFunctions), std::end(kFreeFunctions), n) !=
		       std::end(kFreeFunctions);
	};
	Candidates c;
	std::set<std::string> seen;
	for (const auto &f : listed) {
		c.listed++;
		if (!seen.insert(f.name).second)
			continue;
		if (!traceable.count(f.name))
			continue;
		auto addr = syms.unique_address(f.name);
		if (!addr)
			continue;
		if (pattern && !std::regex_search(f.name, *pattern) && !is_free(f.name))
			continue;
		c.names[f.arg - 1].push_back(f.name);
		c.addrs[f.arg - 1].push_back(*addr);
		c.total++;
	}
	if (c.total == 0)
		throw Error(
			opts.functions.empty()
				? "trace skb: no function with an sk_buff argument can be traced"
				: "trace skb: no traceable sk_buff function matches --functions '" +
					  opts.functions + "'");
	return c;
}

bpf_program *program_for(trace_skb_bpf *skel, int pos)
{
	bpf_program *progs[] = {skel->progs.nt_skb_arg1, skel->progs.nt_skb_arg2,
				skel->progs.nt_skb_arg3, skel->progs.nt_skb_arg4,
				skel->progs.nt_skb_arg5};
	return progs[pos];
}

SkbSkel open_and_load(const SkbOptions &opts, const Kallsyms &syms, bool multi, uint32_t ifindex,
		      uint32_t netns, const LibbpfLog &log)
{
	SkbSkel skel(trace_skb_bpf::open(), trace_skb_bpf::destroy);
	if (!skel)
		throw_bpf_error("trace skb: cannot open the BPF object", errno, log);
	nt_skb_filter f = compile_skb_filter(opts.filter, ifindex, netns);
	std::memcpy(const_cast<nt_skb_filter *>(&skel->rodata->filter), &f, sizeof(f));
	skel->rodata->max_packets = opts.count;
	size_t i = 0;
	for (const char *name : kFreeFunctions)
		if (auto a = syms.unique_address(name); a && i < NT_SKB_MAX_FREE_FUNCS)
			skel->rodata->free_ips[i++] = *a;
	for (int pos = 0; pos < 5; pos++)
		bpf_program__set_expected_attach_type(program_for(skel.get(), pos),
						      multi ? BPF_TRACE_KPROBE_MULTI
							    : static_cast<bpf_attach_type>(0));
	if (int err = trace_skb_bpf::load(skel.get()))
		throw_bpf_error("trace skb: cannot load the BPF programs", err, log);
	return skel;
}

double now_s()
{
	struct timespec ts {};
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

// One link per argument position. Returns 0 or the error of the first
// position the kernel refused (EOPNOTSUPP without CONFIG_FPROBE).
int attach_multi(trace_skb_bpf *skel, Candidates &c, std::vector<Link> &links, size_t &attached)
{
	for (int pos = 0; pos < 5; pos++) {
		if (c.addrs[pos].empty())
			continue;
		LIBBPF_OPTS(bpf_kprobe_multi_opts, o, .addrs = c.addrs[pos].data(),
			    .cnt = c.addrs[pos].size());
		bpf_link *l =
			bpf_program__attach_kprobe_multi_opts(program_for(skel, pos), nullptr, &o);
		if (!l)
			return errno ? errno : EINVAL;
		links.emplace_back(l, bpf_link__destroy);
		attached += c.addrs[pos].size();
	}
	return 0;
}

// One kprobe (perf event + link) per function, as pwru's kprobe backend.
void attach_each(trace_skb_bpf *skel, Candidates &c, std::vector<Link> &links, size_t &attached,
		 size_t &failed)
{
	raise_nofile_limit(c.total * 2 + 256);
	for (int pos = 0; pos < 5; pos++) {
		for (const auto &name : c.names[pos]) {
			bpf_link *l = bpf_program__attach_kprobe(program_for(skel, pos), false,
								 name.c_str());
			if (!l) {
				failed++;
				continue;
			}
			links.emplace_back(l, bpf_link__destroy);
			attached++;
		}
	}
}

void attach_tracepoints(trace_skb_bpf *skel, std::vector<Link> &links, const LibbpfLog &log)
{
	for (bpf_program *p : {skel->progs.nt_skb_kfree, skel->progs.nt_skb_consume}) {
		bpf_link *l = bpf_program__attach(p);
		if (!l)
			throw_bpf_error("trace skb: cannot attach to skb:kfree_skb/consume_skb",
					errno, log);
		links.emplace_back(l, bpf_link__destroy);
	}
}

struct Walks {
	const Kallsyms *syms = nullptr;
	const DropReasons *reasons = nullptr;
	DeviceNames *names = nullptr;
	uint32_t netns = 0;
	const std::function<void(const SkbStep &)> *on_step = nullptr;
	uint32_t limit = 0;
	std::map<uint64_t, uint32_t> live; // skb address -> packet number
	uint32_t packets = 0;
	uint32_t ended = 0;
	uint64_t steps = 0;
	uint64_t first_ns = 0;
	double last_event = 0;

	static const char *event_name(uint8_t type)
	{
		switch (type) {
		case NT_SKB_DROP:
			return "drop";
		case NT_SKB_CONSUME:
			return "consume";
		case NT_SKB_FREE:
			return "free";
		}
		return "call";
	}

	void handle(const nt_skb_event &e)
	{
		auto it = live.find(e.skb);
		if (it == live.end() || e.first) {
			if (limit && packets >= limit)
				return; // matched on another CPU after the limit
			it = live.insert_or_assign(e.skb, ++packets).first;
		}
		if (!first_ns)
			first_ns = e.ts_ns;
		SkbStep s;
		s.t = e.ts_ns >= first_ns ? double(e.ts_ns - first_ns) / 1e9 : 0;
		s.cpu = e.cpu;
		s.packet = it->second;
		s.skb = e.skb;
		s.event = event_name(e.type);
		s.len = e.len;
		s.device = names->device(e.ifindex, netns_of(e));
		if (e.type == NT_SKB_DROP) {
			s.function = syms->symbolize(e.ip);
			s.reason = drop_reason_name(*reasons, e.reason);
		} else if (e.type == NT_SKB_CONSUME) {
			s.function = "consume_skb";
		} else {
			s.function = syms->function(e.ip);
		}
		steps++;
		last_event = now_s();
		(*on_step)(s);
		if (e.type != NT_SKB_FUNC) {
			live.erase(it);
			ended++;
		}
	}

	uint32_t netns_of(const nt_skb_event &e) const { return e.netns ? e.netns : netns; }

	bool done() const
	{
		if (!limit || packets < limit)
			return false;
		// every walk ended, or nothing moved for a second (freed unseen)
		return live.empty() || now_s() - last_event > 1.0;
	}
};

int handle_event(void *ctx, void *data, size_t size)
{
	if (size >= sizeof(nt_skb_event))
		static_cast<Walks *>(ctx)->handle(*static_cast<const nt_skb_event *>(data));
	return 0;
}

} // namespace

SkbReport trace_skb(const SkbOptions &opts, const StopCondition &stop,
		    const std::function<void(const SkbAttachInfo &)> &on_attached,
		    const std::function<void(const SkbStep &)> &on_step)
{
	require_kernel_btf("trace skb");
	uint32_t ifindex = 0;
	if (!opts.filter.dev.empty()) {
		ifindex = if_nametoindex(opts.filter.dev.c_str());
		if (!ifindex)
			throw Error("trace skb: device '" + opts.filter.dev +
				    "' not found in this network namespace");
	}
	const DropReasons reasons = load_drop_reasons();
	const Kallsyms syms = Kallsyms::load();
	DeviceNames names;
	const uint32_t netns = current_netns_inode();
	Candidates cand = choose_functions(opts, syms);

	LibbpfLog log(opts.verbose);
	SkbReport report;
	SkbAttachInfo &info = report.attach;
	info.candidates = cand.total;
	std::vector<Link> links;
	const double t0 = now_s();
	SkbSkel skel(nullptr, trace_skb_bpf::destroy);
	if (opts.backend != "kprobe") {
		skel = open_and_load(opts, syms, true, ifindex, netns, log);
		attach_tracepoints(skel.get(), links, log);
		int err = attach_multi(skel.get(), cand, links, info.attached);
		if (!err) {
			info.backend = "kprobe-multi";
		} else {
			links.clear();
			skel.reset();
			info.attached = 0;
			if (opts.backend == "kprobe-multi" || err != EOPNOTSUPP)
				throw_bpf_error("trace skb: kprobe-multi attach failed", err, log);
			info.note = "this kernel has no kprobe-multi (BPF_TRACE_KPROBE_MULTI "
				    "needs CONFIG_FPROBE): one kprobe per function instead";
		}
	}
	if (!skel) {
		skel = open_and_load(opts, syms, false, ifindex, netns, log);
		attach_tracepoints(skel.get(), links, log);
		attach_each(skel.get(), cand, links, info.attached, info.failed);
		info.backend = "kprobe";
		if (info.attached == 0)
			throw_bpf_error("trace skb: no kprobe could be attached", errno, log);
	}
	info.seconds = now_s() - t0;
	skel->bss->enabled = 1;
	on_attached(info);

	Walks walks;
	walks.syms = &syms;
	walks.reasons = &reasons;
	walks.names = &names;
	walks.netns = netns;
	walks.on_step = &on_step;
	walks.limit = opts.count;
	std::unique_ptr<ring_buffer, decltype(&ring_buffer__free)> rb(
		ring_buffer__new(bpf_map__fd(skel->maps.events), handle_event, &walks, nullptr),
		ring_buffer__free);
	if (!rb)
		throw_bpf_error("trace skb: cannot open the ring buffer", errno, log);
	RunClock clock(stop);
	while (clock.running() && !walks.done()) {
		int n = ring_buffer__poll(rb.get(), 100);
		if (n < 0 && n != -EINTR)
			throw_bpf_error("trace skb: reading the ring buffer", n, log);
	}
	report.seconds = clock.elapsed();
	links.clear();
	ring_buffer__consume(rb.get());
	report.steps = walks.steps;
	report.packets = walks.packets;
	report.lost = skel->bss->lost;
	return report;
}

nlohmann::json to_json(const SkbStep &s)
{
	nlohmann::json j = {{"time", s.t},        {"cpu", s.cpu},
			    {"packet", s.packet}, {"skb", fmt::format("{:#x}", s.skb)},
			    {"event", s.event},   {"function", s.function},
			    {"device", s.device}, {"len", s.len}};
	if (!s.reason.empty())
		j["reason"] = s.reason;
	return j;
}

nlohmann::json to_json(const SkbAttachInfo &a)
{
	nlohmann::json j = {{"backend", a.backend},
			    {"functions", a.attached},
			    {"candidates", a.candidates},
			    {"failed", a.failed},
			    {"attach_seconds", a.seconds}};
	if (!a.note.empty())
		j["note"] = a.note;
	return j;
}

} // namespace nettune::trace
