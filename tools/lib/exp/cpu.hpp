// CPU time per CPU for experiments: /proc/stat's "cpuN" lines, so that a
// point can say how much of a CPU a packet cost (busy time per packet on
// the CPU that received it) rather than only how many packets got through.
//
// The Debian kernel accounts by tick sampling (CONFIG_HZ=250, no
// IRQ_TIME_ACCOUNTING): over a window of a few seconds a CPU gets hundreds
// of samples, enough for a share to within a few percent.
#pragma once
#include "cleanup.hpp"

#include <string>
#include <vector>

namespace nettune::exp {

// Seconds one CPU spent in each state.
struct CpuTime {
	unsigned cpu = 0;
	double user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0,
	       steal = 0;
	// Everything but idle and iowait.
	double busy() const { return user + nice + system + irq + softirq + steal; }
};

// The "cpuN" lines of /proc/stat (not the "cpu" total), ticks divided by
// `ticks_per_second` (USER_HZ). Throws Error on a malformed cpu line.
std::vector<CpuTime> parse_proc_stat(const std::string &text, double ticks_per_second);
std::vector<CpuTime> read_cpu_times();
// after - before, CPU by CPU (CPUs in only one of them are left out).
std::vector<CpuTime> cpu_time_delta(const std::vector<CpuTime> &before,
				    const std::vector<CpuTime> &after);
// The entry of CPU `cpu` (zeros if it is not there).
CpuTime cpu_of(const std::vector<CpuTime> &times, int cpu);

// Busy seconds of CPU `cpu` in a window of `seconds`: its busy states'
// growth between the two readings, clamped to [0, seconds]. (Not the window
// less the idle time: the readings are not taken at the window's
// timestamps, and on a loaded host the gap between them is large.)
double busy_seconds(const std::vector<CpuTime> &window, int cpu, double seconds);
// Busy microseconds of CPU `cpu` per packet (NaN without packets).
double busy_us_per_packet(const std::vector<CpuTime> &window, int cpu, double seconds,
			  double packets);

// Pins the runner (the calling thread) to `cpu`, so that its own work
// stays off the CPU being measured; the old affinity is restored at cleanup.
void pin_runner(CleanupStack &cleanup, int cpu);

} // namespace nettune::exp
