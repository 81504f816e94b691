#include "counters.hpp"

#include "error.hpp"
#include "ethtool.hpp"
#include "process.hpp"
#include "sysfs.hpp"
#include "vnic.hpp"

#include <memory>

namespace nettune::exp {

std::vector<SoftnetCpu> parse_softnet_stat(const std::string &text)
{
	std::vector<SoftnetCpu> cpus;
	for (const auto &line : split(text, '\n')) {
		auto cols = split_whitespace(line);
		if (cols.size() < 3)
			continue;
		auto col = [&](size_t i) {
			return i < cols.size() ? std::stoull(cols[i], nullptr, 16) : 0ull;
		};
		SoftnetCpu c;
		c.processed = col(0);
		c.dropped = col(1);
		c.time_squeeze = col(2);
		c.received_rps = col(9);
		c.flow_limit = col(10);
		cpus.push_back(c);
	}
	return cpus;
}

std::vector<SoftnetCpu> read_softnet_stat()
{
	return parse_softnet_stat(read_file("/proc/net/softnet_stat"));
}

SoftnetCpu softnet_total(const std::vector<SoftnetCpu> &cpus)
{
	SoftnetCpu t;
	for (const auto &c : cpus) {
		t.processed += c.processed;
		t.dropped += c.dropped;
		t.time_squeeze += c.time_squeeze;
		t.received_rps += c.received_rps;
		t.flow_limit += c.flow_limit;
	}
	return t;
}

std::map<std::string, uint64_t> parse_snmp(const std::string &text)
{
	std::map<std::string, uint64_t> out;
	auto lines = split(text, '\n');
	for (size_t i = 0; i + 1 < lines.size(); i++) {
		auto names = split_whitespace(lines[i]);
		auto values = split_whitespace(lines[i + 1]);
		if (names.empty() || values.empty() || names[0] != values[0] ||
		    names.size() != values.size())
			continue;
		std::string proto = names[0];
		if (!proto.empty() && proto.back() == ':')
			proto.pop_back();
		bool header = false;
		for (size_t k = 1; k < names.size(); k++)
			if (!names[k].empty() && !(isdigit(names[k][0]) || names[k][0] == '-'))
				header = true;
		if (!header)
			continue;
		for (size_t k = 1; k < names.size(); k++) {
			if (values[k].empty() || values[k][0] == '-')
				continue; // Tcp.MaxConn -1: not a counter
			try {
				out[proto + "." + names[k]] = std::stoull(values[k]);
			} catch (const std::exception &) {
			}
		}
		i++;
	}
	return out;
}

std::map<std::string, uint64_t> read_snmp(const std::string &netns)
{
	std::unique_ptr<NetnsScope> in;
	if (!netns.empty())
		in = std::make_unique<NetnsScope>(netns);
	auto out = parse_snmp(read_file("/proc/thread-self/net/snmp"));
	auto ext = parse_snmp(read_file("/proc/thread-self/net/netstat"));
	out.insert(ext.begin(), ext.end());
	return out;
}

std::vector<uint64_t> irq_counts(unsigned irq)
{
	for (const auto &l : vnic::parse_proc_interrupts(read_file("/proc/interrupts")))
		if (l.irq == irq)
			return l.per_cpu;
	throw Error("IRQ " + std::to_string(irq) + " is not in /proc/interrupts");
}

std::map<std::string, uint64_t> read_ethtool_stats(const std::string &netns, const std::string &dev)
{
	std::unique_ptr<NetnsScope> in;
	if (!netns.empty())
		in = std::make_unique<NetnsScope>(netns);
	ethtool::Device d(dev);
	std::map<std::string, uint64_t> out;
	for (const auto &[name, value] : d.stats())
		out[name] = value;
	return out;
}

uint64_t sum_queue_field(const std::map<std::string, uint64_t> &stats, const std::string &dir,
			 const std::string &field)
{
	const std::string prefix = dir + "_queue_", suffix = "_" + field;
	uint64_t sum = 0;
	for (const auto &[name, value] : stats) {
		if (name.rfind(prefix, 0) != 0 || name.size() <= prefix.size() + suffix.size())
			continue;
		if (name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
			continue;
		std::string mid =
			name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
		if (!mid.empty() && mid.find_first_not_of("0123456789") == std::string::npos)
			sum += value;
	}
	return sum;
}

uint64_t delta(const std::map<std::string, uint64_t> &before,
	       const std::map<std::string, uint64_t> &after, const std::string &key)
{
	auto a = after.find(key);
	if (a == after.end())
		return 0;
	auto b = before.find(key);
	uint64_t bv = b == before.end() ? 0 : b->second;
	return a->second >= bv ? a->second - bv : 0;
}

} // namespace nettune::exp
