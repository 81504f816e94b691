// TCP experiment 2: zero-copy send. write() copies user data into the
// socket's buffers; sendfile() and splice() hand page-cache pages to TCP;
// MSG_ZEROCOPY pins the user pages and tells the application on its
// error queue when the stack let them go, which costs page pinning and a
// notification per send: the kernel's documentation finds it pays off only
// above about 10 KB per write.
#include "exp/experiment.hpp"
#include "exp/tcp.hpp"
#include "exp/tcp_load.hpp"

#include <chrono>
#include <cmath>
#include <fmt/format.h>
#include <unistd.h>

namespace exp_zerocopy {
namespace {

using namespace nettune::exp;

constexpr unsigned sink_port = 8060;
constexpr size_t file_bytes = 32u << 20;

// CPU seconds per GB; NaN without bytes.
double per_gb(double seconds, double bytes)
{
	return bytes > 0 ? seconds / (bytes / 1e9) : NAN;
}

Judgement judge(const Results &r)
{
	// The smallest write size from which on MSG_ZEROCOPY costs at least 10%
	// less CPU (all CPUs) per GB than write().
	double crossover = NAN;
	std::string cheaper_at;
	for (const auto *row : r.series("zerocopy")) {
		const bool cheaper = row->values.at("sys_cpu_s_gb") <
				     0.9 * r.at("write", row->x, "sys_cpu_s_gb");
		if (cheaper)
			cheaper_at +=
				fmt::format("{}{:.0f} B", cheaper_at.empty() ? "" : ", ", row->x);
		if (cheaper && std::isnan(crossover))
			crossover = row->x;
		else if (!cheaper)
			crossover = NAN;
	}
	double sends = 0, copied = 0, completed = 0;
	for (const auto *row : r.series("zerocopy")) {
		completed += row->values.at("zc_completed_pct");
		copied += row->values.at("zc_copied_pct");
		sends++;
	}
	completed /= sends;
	copied /= sends;
	const Row &zl = r.last("zerocopy"), &wl = r.last("write"), &sl = r.last("sendfile");
	const Row &zf = r.first("zerocopy"), &wf = r.first("write");
	std::string numbers = fmt::format(
		"CPU (all CPUs) per GB at {:.0f} B writes: write {:.2f} s, MSG_ZEROCOPY {:.2f} s; "
		"at {:.0f} B: write {:.2f} s, MSG_ZEROCOPY {:.2f} s, sendfile {:.2f} s (sender "
		"alone: write {:.2f}, MSG_ZEROCOPY {:.2f}); {:.0f}% of zero-copy sends completed "
		"within the window, {:.0f}% of completions flagged SO_EE_CODE_ZEROCOPY_COPIED",
		wf.x, wf.values.at("sys_cpu_s_gb"), zf.values.at("sys_cpu_s_gb"), wl.x,
		wl.values.at("sys_cpu_s_gb"), zl.values.at("sys_cpu_s_gb"),
		sl.values.at("sys_cpu_s_gb"), wl.values.at("snd_cpu_s_gb"),
		zl.values.at("snd_cpu_s_gb"), completed, copied);
	const std::string copied_note =
		copied >= 50 ? ": the kernel copied the pages after all (a packet delivered to "
			       "a local socket is copied, skb_orphan_frags_rx), so MSG_ZEROCOPY "
			       "pays its notifications without saving the copy"
			     : "";
	if (std::isnan(crossover))
		return {Verdict::not_reproduced,
			numbers +
				(cheaper_at.empty()
					 ? std::string(
						   ": MSG_ZEROCOPY never cost 10% less than write")
					 : ": MSG_ZEROCOPY did not cost 10% less than write from "
					   "any "
					   "size on (it did at " +
						   cheaper_at + " only, in a noisy run)") +
				copied_note};
	const bool small_not = zf.x < 10000 && crossover > zf.x;
	if (small_not && crossover <= 65536)
		return {Verdict::reproduced,
			numbers + fmt::format(": it pays off from {:.0f} B writes on here",
					      crossover)};
	return {Verdict::partly,
		numbers +
			fmt::format(": it pays off from {:.0f} B on, not about 10 KB", crossover) +
			copied_note};
}

Experiment make()
{
	Experiment e;
	e.name = "zerocopy";
	e.order = 22;
	e.title = "Zero-copy send: write, sendfile, splice, MSG_ZEROCOPY";
	e.claim = "Zero-copy sends cost less CPU per GB than write(); MSG_ZEROCOPY pays off "
		  "only above about 10 KB per write";
	e.anchor = "Documentation/networking/msg_zerocopy.rst (\"zerocopy is generally only "
		   "effective at writes over around 10 KB\"); W. de Bruijn, E. Dumazet, "
		   "\"sendmsg copy avoidance with MSG_ZEROCOPY\", netdev 2.1, 2017";
	e.setup = fmt::format(
		"An ntvnic pair (1 queue, NAPI) between two namespaces, so transmits complete "
		"as on a NIC (TX completion interrupt and NAPI). A TCP server of ours in B "
		"(CPU 1) reads and discards; a sender of ours in A (CPU 0), a forked child of "
		"the runner like the other load, sends on one connection with write(), "
		"sendfile() or splice() (file -> pipe -> socket) from a {} MiB file in the "
		"page cache, or send(MSG_ZEROCOPY) with SO_ZEROCOPY, reading its error queue "
		"after every send and counting completed notification ids and those flagged "
		"SO_EE_CODE_ZEROCOPY_COPIED; net.core.optmem_max 1000000 for it, as the "
		"kernel's msg_zerocopy selftest sets. Per point (bytes per call): 0.3 s warm-up, "
		"then a "
		"window; CPU per GB of the sender process (/proc/PID/schedstat) and of all "
		"CPUs (uptime x CPUs less /proc/stat idle, receiver included).",
		file_bytes >> 20);
	e.variants = {"write", "sendfile", "splice", "zerocopy"};
	e.x = {"chunk_b", "bytes per call", 0};
	e.quick_points = {4096, 16384, 65536, 262144};
	e.full_points = {1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072, 262144};
	e.columns = {{"mbps", "MB/s", 1},
		     {"snd_cpu_s_gb", "sender CPU s/GB", 2},
		     {"sys_cpu_s_gb", "all CPUs s/GB", 2},
		     {"zc_completed_pct", "zc completed %", 0},
		     {"zc_copied_pct", "zc copied %", 0}};
	e.plot = {"",  "bytes per send call", "CPU seconds per GB (all CPUs)",
		  "",  {"sys_cpu_s_gb"},      {},
		  true};
	e.prepare = [](Run &run, const std::string &variant) {
		// As the kernel's msg_zerocopy selftest does: notifications are
		// charged to optmem, and the 6.1 default (20 KB) makes zero-copy
		// sends fail with ENOBUFS until completions are read.
		if (variant == "zerocopy")
			run.lab.set_sysctl("", "net.core.optmem_max", "1000000");
		auto pair = std::make_shared<Pair>(run.lab.vnic_pair(PairSpec{}));
		auto sink = std::make_shared<TcpSink>(pair->ns_b, pair->b_addr, sink_port, 1);
		const SendMode mode = parse_send_mode(variant);
		std::shared_ptr<ScratchFile> file;
		if (mode == SendMode::sendfile || mode == SendMode::splice)
			file = std::make_shared<ScratchFile>(
				fmt::format("/tmp/nettune-zerocopy-{}", getpid()), file_bytes);
		return Measure([&run, pair, sink, file, mode](double chunk) {
			SenderSpec spec;
			spec.netns = pair->ns_a;
			spec.dst = pair->b_addr;
			spec.port = sink_port;
			spec.mode = mode;
			spec.chunk = static_cast<size_t>(chunk);
			spec.cpu = 0;
			if (file)
				spec.file = file->path();
			TcpSender sender(spec);
			run.sleep(0.3);
			const auto s0 = sender.stats();
			const double c0 = sender.cpu_seconds(), b0 = cpu_busy_seconds();
			const auto t0 = std::chrono::steady_clock::now();
			run.sleep(run.quick ? 1.5 : 4);
			const auto s1 = sender.stats();
			const double c1 = sender.cpu_seconds(), b1 = cpu_busy_seconds();
			const double secs =
				std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
					.count();
			if (s1.error)
				throw nettune::Error(nettune::errno_message(
					"sender (" + send_mode_name(mode) + ")", s1.error));
			const double bytes = static_cast<double>(s1.bytes - s0.bytes);
			const double sends = static_cast<double>(s1.zc_sends - s0.zc_sends);
			const double done = static_cast<double>(s1.zc_completed - s0.zc_completed);
			const double copied = static_cast<double>(s1.zc_copied - s0.zc_copied);
			Values v{{"mbps", bytes / secs / 1e6},
				 {"snd_cpu_s_gb", per_gb(c1 - c0, bytes)},
				 {"sys_cpu_s_gb", per_gb(b1 - b0, bytes)}};
			if (mode == SendMode::zerocopy) {
				v["zc_completed_pct"] = sends > 0 ? 100 * done / sends : NAN;
				v["zc_copied_pct"] = done > 0 ? 100 * copied / done : NAN;
			}
			return v;
		});
	};
	e.judge = judge;
	return e;
}

} // namespace
} // namespace exp_zerocopy

NETTUNE_EXPERIMENT(zerocopy, exp_zerocopy::make);
