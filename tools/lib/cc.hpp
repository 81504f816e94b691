// Congestion control: the kernel's algorithm lists and default (procfs, per
// network namespace), tcp_ntcubic's tunables (sysfs), and its live sockets
// (BPF iter/tcp, decoded with <uapi/linux/ntcubic.h>).
#pragma once
#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include <uapi/linux/ntcubic.h>

namespace nettune::cc {

inline const std::string proc_ipv4 = "/proc/sys/net/ipv4";
inline const std::string ntcubic_params_dir = "/sys/module/tcp_ntcubic/parameters";
inline const std::string ours = NTCUBIC_NAME;

struct Algorithms {
	std::vector<std::string> available; // registered (loaded) algorithms
	std::vector<std::string> allowed;   // usable by unprivileged setsockopt
	std::string current;                // this namespace's default
};

// Reads tcp_available/allowed_congestion_control and tcp_congestion_control.
Algorithms read_algorithms(const std::string &dir = proc_ipv4);

// Throws UsageError unless `name` could be a congestion control name
// (1..15 characters of [A-Za-z0-9_-]).
void check_algorithm_name(const std::string &name);

// Makes `algo` this namespace's default (the kernel loads tcp_<algo> if
// it can); throws Error naming the algorithm and what is available.
void set_default(const std::string &algo, const std::string &dir = proc_ipv4);

struct ParamSpec {
	std::string name;
	uint64_t min, max, def;
	std::string unit;
	std::string description;
};

// tcp_ntcubic's parameters, as kmod/cc/params.c defines them.
const std::vector<ParamSpec> &param_specs();
const ParamSpec *find_param(const std::string &name);

struct ParamAssignment {
	std::string name;
	uint64_t value;
};

// "NAME=VALUE": UsageError for a malformed assignment, an unknown name or
// a value that is not an unsigned number. The range is left to the kernel.
ParamAssignment parse_assignment(const std::string &arg);

// Current values; Error if tcp_ntcubic is not loaded.
std::map<std::string, uint64_t> read_params(const std::string &dir = ntcubic_params_dir);
// Writes one parameter; Error with the kernel's refusal and the range.
void write_param(const ParamAssignment &a, const std::string &dir = ntcubic_params_dir);

// One live ntcubic socket.
struct Socket {
	ntcubic_sock_record rec;
	std::string local, peer; // "addr:port", IPv6 in brackets
};

// Decodes the iterator's output (a sequence of records); Error on a
// truncated record or a state layout this nettune does not know.
std::vector<Socket> decode_records(const std::string &bytes);
// Runs the BPF iter/tcp program in the current namespace (needs root).
std::vector<Socket> list_sockets();

std::string tcp_state_name(unsigned state);
std::string ca_state_name(unsigned state);
std::string hystart_state_name(unsigned state);
// Seconds since the epoch started, from the socket's own clock; nullopt if
// no epoch is running.
std::optional<double> epoch_age(const ntcubic_sock_record &r);
nlohmann::json to_json(const Socket &s);

} // namespace nettune::cc
