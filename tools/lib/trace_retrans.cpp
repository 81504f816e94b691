#include "trace_retrans.hpp"

#include "cc.hpp"
#include "error.hpp"
#include "trace_btf.hpp"
#include "trace_names.hpp"

#include <algorithm>
#include <bpf/bpf.h>
#include <memory>
#include <nlohmann/json.hpp>
#include <time.h>

#include <linux/types.h>

#include "nettune_trace.h"
#include "trace_retrans.skel.h"

namespace nettune::trace {

namespace {

using RetransSkel = std::unique_ptr<trace_retrans_bpf, decltype(&trace_retrans_bpf::destroy)>;

constexpr unsigned kTcpNewSynRecv = 12;

uint64_t monotonic_ns()
{
	struct timespec ts {};
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return uint64_t(ts.tv_sec) * 1000000000ull + ts.tv_nsec;
}

std::string state_name(unsigned state)
{
	return state == kTcpNewSynRecv ? "NEW-SYN-RECV" : cc::tcp_state_name(state);
}

struct Session {
	uint64_t start_ns = 0;
	DeviceNames *names = nullptr;
	const std::function<void(const RetransEvent &)> *on_event = nullptr;
	std::map<std::string, RetransFlow> flows;
	uint64_t events = 0;

	RetransEvent decode(const nt_retrans_event &r) const
	{
		RetransEvent e;
		e.t = r.ts_ns > start_ns ? double(r.ts_ns - start_ns) / 1e9 : 0.0;
		e.local = endpoint(r.family, r.saddr, r.sport);
		e.peer = endpoint(r.family, r.daddr, r.dport);
		e.kind = retrans_kind_name(r.kind);
		e.state = state_name(r.state);
		e.ca_state = r.kind == NT_RETRANS_SYNACK ? "-" : cc::ca_state_name(r.ca_state);
		e.cwnd = r.cwnd;
		e.ssthresh = r.ssthresh;
		e.srtt_us = r.srtt_us;
		e.packets_out = r.packets_out;
		e.retrans_out = r.retrans_out;
		e.total_retrans = r.total_retrans;
		e.retransmits = r.retransmits;
		e.netns = names->netns(r.netns);
		return e;
	}

	void add(const RetransEvent &e)
	{
		events++;
		auto &f = flows[e.netns + " " + e.local + " " + e.peer];
		f.local = e.local;
		f.peer = e.peer;
		f.netns = e.netns;
		f.count++;
		f.kinds[e.kind]++;
		f.last_cwnd = e.cwnd;
		f.last_srtt_us = e.srtt_us;
		f.last_state = e.state;
	}
};

int handle_event(void *ctx, void *data, size_t size)
{
	auto *s = static_cast<Session *>(ctx);
	if (size < sizeof(nt_retrans_event))
		return 0;
	RetransEvent e = s->decode(*static_cast<const nt_retrans_event *>(data));
	s->add(e);
	(*s->on_event)(e);
	return 0;
}

} // namespace

std::string retrans_kind_name(unsigned kind)
{
	switch (kind) {
	case NT_RETRANS_RTO:
		return "rto";
	case NT_RETRANS_FAST:
		return "fast";
	case NT_RETRANS_PROBE:
		return "probe";
	case NT_RETRANS_SYN:
		return "syn";
	case NT_RETRANS_SYNACK:
		return "synack";
	}
	return "other";
}

RetransReport trace_retrans(const RetransOptions &opts, const StopCondition &stop,
			    const std::function<void(const RetransEvent &)> &on_event)
{
	require_kernel_btf("trace retrans");
	DeviceNames names;
	LibbpfLog log(opts.verbose);
	RetransSkel skel(trace_retrans_bpf::open(), trace_retrans_bpf::destroy);
	if (!skel)
		throw_bpf_error("trace retrans: cannot open the BPF object", errno, log);
	if (int err = trace_retrans_bpf::load(skel.get()))
		throw_bpf_error("trace retrans: cannot load the BPF programs", err, log);
	if (int err = trace_retrans_bpf::attach(skel.get()))
		throw_bpf_error("trace retrans: cannot attach to tcp:tcp_retransmit_skb, "
				"tcp:tcp_retransmit_synack and tcp_send_loss_probe",
				err, log);

	Session session;
	session.start_ns = monotonic_ns();
	session.names = &names;
	session.on_event = &on_event;
	std::unique_ptr<ring_buffer, decltype(&ring_buffer__free)> rb(
		ring_buffer__new(bpf_map__fd(skel->maps.events), handle_event, &session, nullptr),
		ring_buffer__free);
	if (!rb)
		throw_bpf_error("trace retrans: cannot open the ring buffer", errno, log);

	RunClock clock(stop);
	while (clock.running()) {
		int n = ring_buffer__poll(rb.get(), 100);
		if (n < 0 && n != -EINTR)
			throw_bpf_error("trace retrans: reading the ring buffer", n, log);
	}
	trace_retrans_bpf::detach(skel.get());
	ring_buffer__consume(rb.get());

	RetransReport report;
	report.seconds = clock.elapsed();
	report.events = session.events;
	report.lost = skel->bss->lost;
	for (auto &[key, f] : session.flows)
		report.flows.push_back(std::move(f));
	std::sort(report.flows.begin(), report.flows.end(),
		  [](const RetransFlow &a, const RetransFlow &b) { return a.count > b.count; });
	return report;
}

nlohmann::json to_json(const RetransEvent &e)
{
	return {{"time", e.t},
		{"local", e.local},
		{"peer", e.peer},
		{"netns", e.netns},
		{"kind", e.kind},
		{"state", e.state},
		{"ca_state", e.ca_state},
		{"cwnd", e.cwnd},
		{"ssthresh", e.ssthresh},
		{"srtt_us", e.srtt_us},
		{"packets_out", e.packets_out},
		{"retrans_out", e.retrans_out},
		{"total_retrans", e.total_retrans},
		{"retransmits", e.retransmits}};
}

nlohmann::json to_json(const RetransFlow &f)
{
	return {{"local", f.local},
		{"peer", f.peer},
		{"netns", f.netns},
		{"count", f.count},
		{"kinds", f.kinds},
		{"last_cwnd", f.last_cwnd},
		{"last_srtt_us", f.last_srtt_us},
		{"last_state", f.last_state}};
}

} // namespace nettune::trace
