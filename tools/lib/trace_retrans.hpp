// nettune trace retrans: each TCP retransmission as it happens (flow, kind,
// state, cwnd, srtt) from bpf/trace_retrans.bpf.c, and a per-flow summary.
#pragma once
#include "trace_bpf.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace nettune::trace {

struct RetransEvent {
	double t = 0; // seconds since the trace started
	std::string local, peer;
	std::string kind;  // rto, fast, probe, syn, synack, other
	std::string state; // ESTAB, SYN-SENT, ...
	std::string ca_state;
	uint32_t cwnd = 0, ssthresh = 0, srtt_us = 0;
	uint32_t packets_out = 0, retrans_out = 0, total_retrans = 0;
	unsigned retransmits = 0; // RTOs in a row (icsk_retransmits), SYN-ACK: num_retrans
	std::string netns;
};

struct RetransFlow {
	std::string local, peer, netns;
	uint64_t count = 0;
	std::map<std::string, uint64_t> kinds; // kind -> count
	uint32_t last_cwnd = 0, last_srtt_us = 0;
	std::string last_state;
};

struct RetransReport {
	std::vector<RetransFlow> flows; // most retransmissions first
	uint64_t events = 0;
	uint64_t lost = 0;
	double seconds = 0;
};

struct RetransOptions {
	bool verbose = false;
};

// Calls on_event for each retransmission while the trace runs.
RetransReport trace_retrans(const RetransOptions &opts, const StopCondition &stop,
			    const std::function<void(const RetransEvent &)> &on_event);

std::string retrans_kind_name(unsigned kind);
nlohmann::json to_json(const RetransEvent &e);
nlohmann::json to_json(const RetransFlow &f);

} // namespace nettune::trace
