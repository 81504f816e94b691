#include "observe_proc.hpp"

#include "error.hpp"
#include "sysfs.hpp"

#include <charconv>
#include <fnmatch.h>

namespace nettune::observe {

namespace {

int64_t parse_signed(const std::string &word, const std::string &where)
{
	int64_t v = 0;
	auto [p, ec] = std::from_chars(word.data(), word.data() + word.size(), v);
	if (ec != std::errc() || p != word.data() + word.size()) {
		// Counters above INT64_MAX do not exist in practice; u64 wraps.
		uint64_t u = 0;
		auto [q, ec2] = std::from_chars(word.data(), word.data() + word.size(), u);
		if (ec2 != std::errc() || q != word.data() + word.size())
			throw Error(where + ": not a number: '" + word + "'");
		return static_cast<int64_t>(u);
	}
	return v;
}

uint64_t parse_hex(const std::string &word, const std::string &where)
{
	uint64_t v = 0;
	auto [p, ec] = std::from_chars(word.data(), word.data() + word.size(), v, 16);
	if (ec != std::errc() || p != word.data() + word.size())
		throw Error(where + ": not a hex number: '" + word + "'");
	return v;
}

std::string strip_colon(std::string s)
{
	if (!s.empty() && s.back() == ':')
		s.pop_back();
	return s;
}

} // namespace

Mib parse_snmp_pairs(const std::string &text)
{
	Mib out;
	const auto lines = split(text, '\n');
	for (size_t i = 0; i + 1 < lines.size(); i += 2) {
		auto names = split_whitespace(lines[i]);
		auto values = split_whitespace(lines[i + 1]);
		if (names.empty())
			break;
		if (names.size() != values.size() || names[0] != values[0])
			throw Error("MIB line pair '" + strip_colon(names[0]) +
				    "': " + std::to_string(names.size() - 1) + " names but " +
				    std::to_string(values.empty() ? 0 : values.size() - 1) +
				    " values");
		const std::string prefix = strip_colon(names[0]);
		for (size_t k = 1; k < names.size(); k++)
			out[prefix + names[k]] = parse_signed(values[k], prefix + names[k]);
	}
	return out;
}

Mib parse_snmp6(const std::string &text)
{
	Mib out;
	for (const auto &line : split(text, '\n')) {
		auto w = split_whitespace(line);
		if (w.size() == 2)
			out[w[0]] = parse_signed(w[1], w[0]);
	}
	return out;
}

std::vector<SoftnetCpu> parse_softnet(const std::string &text)
{
	std::vector<SoftnetCpu> out;
	unsigned line_no = 0;
	for (const auto &line : split(text, '\n')) {
		auto w = split_whitespace(line);
		if (w.empty())
			continue;
		const std::string where = "softnet_stat line " + std::to_string(line_no + 1);
		if (w.size() < 11)
			throw Error(where + ": " + std::to_string(w.size()) +
				    " columns, expected 11 or more");
		std::vector<uint64_t> v;
		for (const auto &word : w)
			v.push_back(parse_hex(word, where));
		SoftnetCpu c;
		c.columns = w.size();
		c.processed = v[0];
		c.dropped = v[1];
		c.time_squeeze = v[2];
		c.received_rps = v[9];
		c.flow_limit = v[10];
		c.cpu = line_no;
		if (v.size() >= 13) {
			c.backlog_len = v[11];
			c.cpu = static_cast<unsigned>(v[12]);
		}
		if (v.size() >= 15) {
			c.input_qlen = v[13];
			c.process_qlen = v[14];
		}
		out.push_back(c);
		line_no++;
	}
	return out;
}

Sockstat parse_sockstat(const std::string &text)
{
	Sockstat out;
	for (const auto &line : split(text, '\n')) {
		auto w = split_whitespace(line);
		if (w.size() < 3)
			continue;
		const std::string proto = strip_colon(w[0]);
		auto &fields = out[proto];
		for (size_t k = 1; k + 1 < w.size(); k += 2)
			fields[w[k]] = parse_signed(w[k + 1], proto + " " + w[k]);
	}
	return out;
}

std::vector<ConntrackCpu> parse_conntrack_stat(const std::string &text)
{
	std::vector<ConntrackCpu> out;
	auto lines = split(text, '\n');
	if (lines.empty())
		return out;
	const auto names = split_whitespace(lines[0]);
	for (size_t i = 1; i < lines.size(); i++) {
		auto w = split_whitespace(lines[i]);
		if (w.empty())
			continue;
		const std::string where = "nf_conntrack stat line " + std::to_string(i + 1);
		if (w.size() != names.size())
			throw Error(where + ": " + std::to_string(w.size()) + " values for " +
				    std::to_string(names.size()) + " names");
		ConntrackCpu c;
		c.cpu = out.size();
		for (size_t k = 0; k < w.size(); k++)
			c.counters[names[k]] = parse_hex(w[k], where);
		out.push_back(std::move(c));
	}
	return out;
}

std::map<std::string, uint64_t> conntrack_totals(const std::vector<ConntrackCpu> &cpus)
{
	std::map<std::string, uint64_t> sum;
	for (const auto &c : cpus)
		for (const auto &[name, v] : c.counters) {
			if (name == "entries")
				sum[name] = v;
			else
				sum[name] += v;
		}
	return sum;
}

std::vector<ConntrackCpu> parse_conntrack_tool(const std::string &text)
{
	std::vector<ConntrackCpu> out;
	for (const auto &line : split(text, '\n')) {
		auto w = split_whitespace(line);
		if (w.empty() || w[0].rfind("cpu=", 0) != 0)
			continue;
		ConntrackCpu c;
		for (const auto &kv : w) {
			auto eq = kv.find('=');
			if (eq == std::string::npos)
				continue;
			const std::string k = kv.substr(0, eq), v = kv.substr(eq + 1);
			if (k == "cpu")
				c.cpu = static_cast<unsigned>(parse_signed(v, "conntrack -S cpu"));
			else
				c.counters[k] =
					static_cast<uint64_t>(parse_signed(v, "conntrack -S " + k));
		}
		out.push_back(std::move(c));
	}
	return out;
}

std::map<std::string, std::vector<uint64_t>> parse_softirqs(const std::string &text)
{
	std::map<std::string, std::vector<uint64_t>> out;
	auto lines = split(text, '\n');
	for (size_t i = 1; i < lines.size(); i++) {
		auto w = split_whitespace(lines[i]);
		if (w.size() < 2)
			continue;
		auto &v = out[strip_colon(w[0])];
		for (size_t k = 1; k < w.size(); k++)
			v.push_back(static_cast<uint64_t>(parse_signed(w[k], "softirqs " + w[0])));
	}
	return out;
}

std::vector<DeviceIrq> device_irqs(const std::vector<vnic::IrqLine> &lines, const std::string &dev)
{
	auto belongs = [&dev](const std::string &label) {
		if (label == dev)
			return true;
		if (label.size() <= dev.size() || label.compare(0, dev.size(), dev) != 0)
			return false;
		const char next = label[dev.size()];
		return next == '-' || next == '_' || next == '@';
	};
	std::vector<DeviceIrq> out;
	for (const auto &l : lines)
		for (const auto &label : l.labels)
			if (belongs(label)) {
				out.push_back({l.irq, label, l.per_cpu});
				break;
			}
	return out;
}

bool glob_match(const std::string &pattern, const std::string &name)
{
	return fnmatch(pattern.c_str(), name.c_str(), 0) == 0;
}

Mib read_mib()
{
	Mib all;
	for (const char *f : {"/proc/net/snmp", "/proc/net/netstat"})
		all.merge(parse_snmp_pairs(read_file(f)));
	if (auto v6 = try_read_file("/proc/net/snmp6"))
		all.merge(parse_snmp6(*v6));
	return all;
}

} // namespace nettune::observe
