#include "cpu.hpp"

#include "error.hpp"
#include "sysfs.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <sched.h>
#include <unistd.h>

namespace nettune::exp {

std::vector<CpuTime> parse_proc_stat(const std::string &text, double ticks_per_second)
{
	std::vector<CpuTime> out;
	for (const auto &line : split(text, '\n')) {
		auto w = split_whitespace(line);
		if (w.empty() || w[0].rfind("cpu", 0) != 0 || w[0] == "cpu")
			continue;
		if (w.size() < 9)
			throw Error("/proc/stat: short line '" + line + "'");
		CpuTime t;
		try {
			t.cpu = static_cast<unsigned>(std::stoul(w[0].substr(3)));
			double *fields[] = {&t.user,   &t.nice, &t.system,  &t.idle,
					    &t.iowait, &t.irq,  &t.softirq, &t.steal};
			for (size_t i = 0; i < 8; i++)
				*fields[i] = std::stod(w[i + 1]) / ticks_per_second;
		} catch (const std::logic_error &) {
			throw Error("/proc/stat: bad line '" + line + "'");
		}
		out.push_back(t);
	}
	return out;
}

std::vector<CpuTime> read_cpu_times()
{
	return parse_proc_stat(read_file("/proc/stat"), static_cast<double>(sysconf(_SC_CLK_TCK)));
}

std::vector<CpuTime> cpu_time_delta(const std::vector<CpuTime> &before,
				    const std::vector<CpuTime> &after)
{
	std::vector<CpuTime> out;
	for (const auto &a : after)
		for (const auto &b : before) {
			if (a.cpu != b.cpu)
				continue;
			CpuTime d;
			d.cpu = a.cpu;
			d.user = a.user - b.user;
			d.nice = a.nice - b.nice;
			d.system = a.system - b.system;
			d.idle = a.idle - b.idle;
			d.iowait = a.iowait - b.iowait;
			d.irq = a.irq - b.irq;
			d.softirq = a.softirq - b.softirq;
			d.steal = a.steal - b.steal;
			out.push_back(d);
		}
	return out;
}

CpuTime cpu_of(const std::vector<CpuTime> &times, int cpu)
{
	for (const auto &t : times)
		if (static_cast<int>(t.cpu) == cpu)
			return t;
	CpuTime none;
	none.cpu = static_cast<unsigned>(cpu);
	return none;
}

double busy_seconds(const std::vector<CpuTime> &window, int cpu, double seconds)
{
	return std::clamp(cpu_of(window, cpu).busy(), 0.0, seconds);
}

double busy_us_per_packet(const std::vector<CpuTime> &window, int cpu, double seconds,
			  double packets)
{
	if (packets <= 0)
		return NAN;
	return busy_seconds(window, cpu, seconds) * 1e6 / packets;
}

void pin_runner(CleanupStack &cleanup, int cpu)
{
	cpu_set_t old;
	if (sched_getaffinity(0, sizeof(old), &old) < 0)
		throw Error(errno_message("runner CPU affinity", errno));
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		throw Error(errno_message("pin the runner to CPU " + std::to_string(cpu), errno));
	cleanup.push("restore the runner's CPU affinity",
		     [old] { sched_setaffinity(0, sizeof(old), &old); });
}

} // namespace nettune::exp
