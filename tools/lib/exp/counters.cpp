#include "counters.hpp"

#include "error.hpp"
#include "ethtool.hpp"
#include "process.hpp"
#include "sysfs.hpp"
#include "vnic.hpp"

#include <algorithm>
#include <memory>
#include <numeric>
#include <unistd.h>

namespace nettune::exp {

std::vector<SoftnetCpu> read_softnet_stat()
{
	return observe::parse_softnet(read_file("/proc/net/softnet_stat"));
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

std::map<std::string, uint64_t> read_snmp(const std::string &netns)
{
	std::unique_ptr<NetnsScope> in;
	if (!netns.empty())
		in = std::make_unique<NetnsScope>(netns);
	auto mib = observe::parse_snmp_pairs(read_file("/proc/thread-self/net/snmp"));
	mib.merge(observe::parse_snmp_pairs(read_file("/proc/thread-self/net/netstat")));
	std::map<std::string, uint64_t> out;
	for (const auto &[name, value] : mib)
		if (value >= 0)
			out[name] = static_cast<uint64_t>(value);
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

std::vector<uint64_t> queue_field(const std::map<std::string, uint64_t> &stats,
				  const std::string &dir, const std::string &field)
{
	std::vector<uint64_t> out;
	for (unsigned q = 0;; q++) {
		auto it = stats.find(dir + "_queue_" + std::to_string(q) + "_" + field);
		if (it == stats.end())
			return out;
		out.push_back(it->second);
	}
}

std::vector<SoftnetCpu> softnet_delta(const std::vector<SoftnetCpu> &before,
				      const std::vector<SoftnetCpu> &after)
{
	unsigned n = 0;
	for (const auto &c : after)
		n = std::max(n, c.cpu + 1);
	std::vector<SoftnetCpu> out(n);
	for (unsigned i = 0; i < n; i++)
		out[i].cpu = i;
	auto sub = [](uint64_t a, uint64_t b) { return a >= b ? a - b : 0; };
	for (const auto &a : after) {
		SoftnetCpu b;
		for (const auto &x : before)
			if (x.cpu == a.cpu)
				b = x;
		SoftnetCpu &d = out[a.cpu];
		d.processed = sub(a.processed, b.processed);
		d.dropped = sub(a.dropped, b.dropped);
		d.time_squeeze = sub(a.time_squeeze, b.time_squeeze);
		d.received_rps = sub(a.received_rps, b.received_rps);
		d.flow_limit = sub(a.flow_limit, b.flow_limit);
	}
	return out;
}

namespace {

double processed_on(const std::vector<SoftnetCpu> &delta, int cpu)
{
	return cpu >= 0 && cpu < static_cast<int>(delta.size()) ? double(delta[cpu].processed)
								: 0.0;
}

} // namespace

double processed_pct_on(const std::vector<SoftnetCpu> &delta, int cpu)
{
	const double total = double(softnet_total(delta).processed);
	return total > 0 ? 100.0 * processed_on(delta, cpu) / total : 0;
}

double processed_pct_off(const std::vector<SoftnetCpu> &delta, int cpu)
{
	const double total = double(softnet_total(delta).processed);
	return total > 0 ? 100.0 * (total - processed_on(delta, cpu)) / total : 0;
}

double jain_fairness(const std::vector<double> &x)
{
	double sum = std::accumulate(x.begin(), x.end(), 0.0), sq = 0;
	for (double v : x)
		sq += v * v;
	return x.empty() || sq <= 0 ? 0 : sum * sum / (static_cast<double>(x.size()) * sq);
}

double top_share_pct(const std::vector<double> &x)
{
	double sum = std::accumulate(x.begin(), x.end(), 0.0);
	return x.empty() || sum <= 0 ? 0 : 100.0 * *std::max_element(x.begin(), x.end()) / sum;
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
