#include "cc.hpp"

#include "error.hpp"
#include "sysfs.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include "ntcubic_sockets.skel.h"

namespace nettune::cc {

namespace {

std::string join(const std::vector<std::string> &v, const char *sep)
{
	std::string out;
	for (const auto &s : v)
		out += (out.empty() ? "" : sep) + s;
	return out;
}

} // namespace

Algorithms read_algorithms(const std::string &dir)
{
	Algorithms a;
	a.available = split_whitespace(read_file(dir + "/tcp_available_congestion_control"));
	a.allowed = split_whitespace(read_file(dir + "/tcp_allowed_congestion_control"));
	a.current = read_line(dir + "/tcp_congestion_control");
	return a;
}

void check_algorithm_name(const std::string &name)
{
	bool ok = !name.empty() && name.size() < 16;
	for (char ch : name)
		ok = ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-');
	if (!ok)
		throw UsageError(
			"'" + name +
			"' is not a congestion control name (1-15 letters, digits, _ or -)");
}

namespace {

// True when this process is in the initial network namespace (the one of
// PID 1, as the kernel's init_net is for a non-containerised system).
bool in_initial_netns()
{
	struct stat self {
	}, init{};
	if (::stat("/proc/self/ns/net", &self) != 0 || ::stat("/proc/1/ns/net", &init) != 0)
		return true; // cannot tell: let the kernel decide
	return self.st_ino == init.st_ino && self.st_dev == init.st_dev;
}

[[noreturn]] void throw_restricted(const std::string &algo, const std::string &allowed)
{
	throw Error(
		"cannot make '" + algo +
		"' the default of this namespace: outside the initial namespace only algorithms in "
		"net.ipv4.tcp_allowed_congestion_control (now: " +
		allowed + ") may be; add it there from the initial namespace");
}

} // namespace

void set_default(const std::string &algo, const std::string &dir)
{
	check_algorithm_name(algo);
	const std::string path = dir + "/tcp_congestion_control";
	// Outside the initial namespace the kernel refuses algorithms that are
	// not in tcp_allowed_congestion_control with EPERM -- and 6.1 leaks a
	// module reference when it does (tcp_set_default_congestion_control()
	// takes it before the check and does not drop it), which would pin
	// tcp_ntcubic until reboot. So check first and do not ask.
	if (dir == proc_ipv4 && !in_initial_netns()) {
		std::string allowed =
			trim(try_read_file(dir + "/tcp_allowed_congestion_control").value_or(""));
		auto list = split_whitespace(allowed);
		auto avail = split_whitespace(
			try_read_file(dir + "/tcp_available_congestion_control").value_or(""));
		bool known = std::find(avail.begin(), avail.end(), algo) != avail.end();
		if (known && std::find(list.begin(), list.end(), algo) == list.end())
			throw_restricted(algo, allowed);
	}
	const int err = write_file_errno(path, algo);
	if (err == 0)
		return;
	if (err == ENOENT) {
		std::string avail;
		if (auto t = try_read_file(dir + "/tcp_available_congestion_control"))
			avail = join(split_whitespace(*t), ", ");
		throw Error("unknown congestion control '" + algo +
			    "': not registered and no module tcp_" + algo +
			    " to load (available: " + avail + ")");
	}
	if (err == EPERM) {
		// 6.1 tcp_set_default_congestion_control(): outside the initial
		// namespace only algorithms in tcp_allowed_congestion_control
		// (TCP_CONG_NON_RESTRICTED) may become the default.
		std::string allowed;
		if (auto t = try_read_file(dir + "/tcp_allowed_congestion_control"))
			allowed = trim(*t);
		auto list = split_whitespace(allowed);
		if (std::find(list.begin(), list.end(), algo) == list.end())
			throw_restricted(algo, allowed);
	}
	if (err == EPERM || err == EACCES)
		throw Error("cannot set congestion control '" + algo +
			    "': permission denied (needs CAP_NET_ADMIN in the namespace)");
	throw Error(errno_message("cannot set congestion control '" + algo + "'", err));
}

const std::vector<ParamSpec> &param_specs()
{
	// Keep in step with kmod/cc/params.c.
	static const std::vector<ParamSpec> specs = {
		{"c", 1, 4000, 400, "1/1000", "CUBIC C (400 = 0.4)"},
		{"beta", 100, 990, 700, "1/1000", "multiplicative decrease (700 = 0.7)"},
		{"fast_convergence", 0, 1, 1, "bool", "fast convergence"},
		{"reno_friendly", 0, 1, 1, "bool", "Reno-friendly region (W_est)"},
		{"hystart", 0, 1, 1, "bool", "HyStart++ (RFC 9406)"},
		{"hystart_min_rtt_thresh_us", 100, 1000000, 4000, "us", "MIN_RTT_THRESH"},
		{"hystart_max_rtt_thresh_us", 100, 1000000, 16000, "us", "MAX_RTT_THRESH"},
		{"hystart_min_rtt_divisor", 1, 64, 8, "", "MIN_RTT_DIVISOR"},
		{"hystart_n_rtt_sample", 1, 64, 8, "", "N_RTT_SAMPLE"},
		{"hystart_css_growth_divisor", 2, 64, 4, "", "CSS_GROWTH_DIVISOR"},
		{"hystart_css_rounds", 0, 64, 5, "",
		 "CSS_ROUNDS (0: exit at once, as tcp_cubic.c)"},
		{"hystart_ack_train", 0, 1, 1, "bool", "ACK-train exit, as tcp_cubic.c"},
		{"hystart_ack_delta_us", 100, 50000, 2000, "us", "longest gap inside an ACK train"},
	};
	return specs;
}

const ParamSpec *find_param(const std::string &name)
{
	for (const auto &s : param_specs())
		if (s.name == name)
			return &s;
	return nullptr;
}

ParamAssignment parse_assignment(const std::string &arg)
{
	auto eq = arg.find('=');
	if (eq == std::string::npos || eq == 0)
		throw UsageError("'" + arg + "': expected NAME=VALUE");
	ParamAssignment a;
	a.name = arg.substr(0, eq);
	if (!find_param(a.name)) {
		std::vector<std::string> names;
		for (const auto &s : param_specs())
			names.push_back(s.name);
		throw UsageError("unknown tcp_ntcubic parameter '" + a.name +
				 "' (known: " + join(names, ", ") + ")");
	}
	const std::string v = arg.substr(eq + 1);
	auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), a.value);
	if (v.empty() || ec != std::errc() || p != v.data() + v.size())
		throw UsageError("parameter " + a.name + ": '" + v +
				 "' is not an unsigned integer");
	return a;
}

std::map<std::string, uint64_t> read_params(const std::string &dir)
{
	if (list_dir(dir).empty())
		throw Error("tcp_ntcubic is not loaded (no " + dir + "): modprobe tcp_ntcubic");
	std::map<std::string, uint64_t> out;
	for (const auto &name : list_dir(dir))
		out[name] = read_u64(dir + "/" + name);
	return out;
}

void write_param(const ParamAssignment &a, const std::string &dir)
{
	const std::string path = dir + "/" + a.name;
	if (list_dir(dir).empty())
		throw Error("tcp_ntcubic is not loaded (no " + dir + "): modprobe tcp_ntcubic");
	const std::string text = std::to_string(a.value);
	const int err = write_file_errno(path, text);
	if (err == 0)
		return;
	std::string msg = errno_message("tcp_ntcubic refused " + a.name + "=" + text, err);
	if (const ParamSpec *s = find_param(a.name); s && err == EINVAL)
		msg += " (valid range " + std::to_string(s->min) + ".." + std::to_string(s->max) +
		       ")";
	throw Error(msg);
}

namespace {

std::string endpoint(uint16_t family, const uint8_t *addr, uint16_t port)
{
	char buf[INET6_ADDRSTRLEN] = "?";
	if (family == AF_INET) {
		inet_ntop(AF_INET, addr, buf, sizeof(buf));
		return std::string(buf) + ":" + std::to_string(port);
	}
	inet_ntop(AF_INET6, addr, buf, sizeof(buf));
	return "[" + std::string(buf) + "]:" + std::to_string(port);
}

} // namespace

std::vector<Socket> decode_records(const std::string &bytes)
{
	constexpr size_t sz = sizeof(ntcubic_sock_record);
	if (bytes.size() % sz != 0)
		throw Error("ntcubic socket iterator: " + std::to_string(bytes.size()) +
			    " bytes is not a whole number of " + std::to_string(sz) +
			    "-byte records");
	std::vector<Socket> out;
	for (size_t off = 0; off < bytes.size(); off += sz) {
		Socket s;
		std::memcpy(&s.rec, bytes.data() + off, sz);
		if (s.rec.ca.layout != NTCUBIC_LAYOUT_VERSION)
			throw Error("ntcubic socket state has layout " +
				    std::to_string(s.rec.ca.layout) + ", this nettune knows " +
				    std::to_string(NTCUBIC_LAYOUT_VERSION) +
				    ": module and tool are from different versions");
		s.local = endpoint(s.rec.family, s.rec.saddr, s.rec.sport);
		s.peer = endpoint(s.rec.family, s.rec.daddr, s.rec.dport);
		out.push_back(std::move(s));
	}
	return out;
}

std::vector<Socket> list_sockets()
{
	libbpf_set_print([](enum libbpf_print_level, const char *, va_list) { return 0; });
	std::unique_ptr<ntcubic_sockets_bpf, decltype(&ntcubic_sockets_bpf::destroy)> skel(
		ntcubic_sockets_bpf::open_and_load(), ntcubic_sockets_bpf::destroy);
	if (!skel)
		throw Error(errno_message(
			"cannot load the ntcubic socket iterator (BPF, needs root)", errno));
	std::unique_ptr<bpf_link, decltype(&bpf_link__destroy)> link(
		bpf_program__attach_iter(skel->progs.ntcubic_sockets, nullptr), bpf_link__destroy);
	if (!link)
		throw Error(errno_message("cannot attach the ntcubic socket iterator", errno));
	int fd = bpf_iter_create(bpf_link__fd(link.get()));
	if (fd < 0)
		throw Error(errno_message("cannot create the ntcubic socket iterator", errno));
	std::string bytes;
	char buf[4096];
	for (;;) {
		ssize_t n = ::read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;
			::close(fd);
			throw Error(errno_message("reading the ntcubic socket iterator", err));
		}
		if (n == 0)
			break;
		bytes.append(buf, static_cast<size_t>(n));
	}
	::close(fd);
	return decode_records(bytes);
}

std::string tcp_state_name(unsigned state)
{
	static const char *names[] = {"?",          "ESTAB",      "SYN-SENT",  "SYN-RECV",
				      "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT", "UNCONN",
				      "CLOSE-WAIT", "LAST-ACK",   "LISTEN",    "CLOSING"};
	return state < std::size(names) ? names[state] : std::to_string(state);
}

std::string ca_state_name(unsigned state)
{
	static const char *names[] = {"open", "disorder", "cwr", "recovery", "loss"};
	return state < std::size(names) ? names[state] : std::to_string(state);
}

std::string hystart_state_name(unsigned state)
{
	switch (state) {
	case NTCUBIC_HS_SS:
		return "ss";
	case NTCUBIC_HS_CSS:
		return "css";
	case NTCUBIC_HS_DONE:
		return "done";
	}
	return std::to_string(state);
}

std::optional<double> epoch_age(const ntcubic_sock_record &r)
{
	if (!r.ca.epoch_start)
		return std::nullopt;
	return static_cast<uint32_t>(r.now_us - r.ca.epoch_start) / 1e6;
}

nlohmann::json to_json(const Socket &s)
{
	const auto &r = s.rec;
	const auto &ca = r.ca;
	auto rtt = [](uint32_t v) -> nlohmann::json {
		if (v == 0xffffffffu)
			return nullptr;
		return v;
	};
	nlohmann::json j = {
		{"local", s.local},
		{"peer", s.peer},
		{"state", tcp_state_name(r.tcp_state)},
		{"ca_state", ca_state_name(r.ca_state)},
		{"cookie", r.cookie},
		{"cwnd", r.snd_cwnd},
		{"ssthresh", r.snd_ssthresh},
		{"srtt_us", r.srtt_us},
		{"mss", r.mss_cache},
		{"retrans", r.total_retrans},
		{"packets_out", r.packets_out},
		{"bytes_acked", r.bytes_acked},
		{"w_max", ca.w_max},
		{"origin", ca.origin},
		{"k_ms", static_cast<uint32_t>((uint64_t(ca.k) * 1000) >> 10)},
		{"w_est", ca.w_est},
		{"cnt", ca.cnt},
		{"cwnd_prior", ca.cwnd_prior},
		{"epoch_age_s", nullptr},
		{"params",
		 {{"c", ca.c},
		  {"beta", ca.beta},
		  {"alpha", ca.alpha},
		  {"fast_convergence", bool(ca.flags & NTCUBIC_F_FAST_CONV)},
		  {"reno_friendly", bool(ca.flags & NTCUBIC_F_RENO_FRIENDLY)},
		  {"hystart", bool(ca.flags & NTCUBIC_F_HYSTART)},
		  {"hystart_ack_train", bool(ca.flags & NTCUBIC_F_ACK_TRAIN)},
		  {"hystart_ack_delta_us", ca.hs_ack_delta},
		  {"hystart_css_rounds", ca.hs_css_rounds_max}}},
		{"hystart",
		 {{"state", hystart_state_name(ca.hs_state)},
		  {"last_round_min_rtt_us", rtt(ca.last_round_min_rtt)},
		  {"curr_round_min_rtt_us", rtt(ca.curr_round_min_rtt)},
		  {"css_baseline_min_rtt_us", rtt(ca.css_baseline_min_rtt)},
		  {"samples", ca.hs_samples},
		  {"css_rounds", ca.hs_css_rounds},
		  {"exit_cwnd", ca.hs_exit_cwnd},
		  {"delay_min_us", ca.delay_min}}},
	};
	if (auto age = epoch_age(r))
		j["epoch_age_s"] = *age;
	return j;
}

} // namespace nettune::cc
