// nettune trace skb: the packets that match a filter, followed through
// every kernel function that takes a struct sk_buff * (pwru-style; see
// bpf/trace_skb.bpf.c), each step with its time, CPU and device.
#pragma once
#include "trace_bpf.hpp"
#include "trace_filter.hpp"

#include <cstdint>
#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <string>

namespace nettune::trace {

struct SkbOptions {
	SkbFilter filter;
	uint32_t count = 0;           // stop after this many packets (0: no limit)
	std::string functions;        // regex (ECMAScript, search) narrowing the functions
	std::string backend = "auto"; // auto, kprobe-multi, kprobe
	bool verbose = false;
};

struct SkbAttachInfo {
	std::string backend;   // "kprobe-multi" or "kprobe"
	size_t candidates = 0; // functions BTF lists with an skb argument
	size_t attached = 0;   // functions traced
	size_t failed = 0;     // refused by the kernel (kprobe blacklist, ...)
	double seconds = 0;    // time to attach them all
	std::string note;      // why the backend is what it is
};

struct SkbStep {
	double t = 0; // seconds since the first step of the trace
	uint32_t cpu = 0;
	uint32_t packet = 0; // 1, 2, ...
	uint64_t skb = 0;
	std::string event;    // call, drop, consume, free
	std::string function; // "ip_rcv", or where kfree_skb was called
	std::string device;
	uint32_t len = 0;
	std::string reason; // drop: NETFILTER_DROP, ...
};

struct SkbReport {
	SkbAttachInfo attach;
	uint64_t steps = 0;
	uint32_t packets = 0;
	uint64_t lost = 0;
	double seconds = 0;
};

// on_attached runs once everything is attached (before any step).
SkbReport trace_skb(const SkbOptions &opts, const StopCondition &stop,
		    const std::function<void(const SkbAttachInfo &)> &on_attached,
		    const std::function<void(const SkbStep &)> &on_step);

nlohmann::json to_json(const SkbStep &s);
nlohmann::json to_json(const SkbAttachInfo &a);

} // namespace nettune::trace
