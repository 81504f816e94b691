#include "load.hpp"

#include "error.hpp"
#include "sysfs.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <netinet/in.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

namespace nettune::exp {

namespace {

const char pktgen_dir[] = "/proc/net/pktgen/";

} // namespace

Pktgen::Pktgen(CleanupStack &cleanup, PktgenSpec spec) : spec_(std::move(spec))
{
	if (access("/proc/net/pktgen", F_OK) != 0)
		must_run({"modprobe", "pktgen"});
	const std::string thread = "kpktgend_" + std::to_string(spec_.thread);
	write(thread, "rem_device_all");
	write(thread, "add_device " + spec_.dev);
	const std::string ns = spec_.netns;
	cleanup.push("pktgen: remove " + spec_.dev + " from " + thread, [ns, thread] {
		NetnsScope in(ns);
		write_file_errno(pktgen_dir + thread, "rem_device_all");
	});
	for (const std::string &c :
	     {std::string("count 0"), std::string("clone_skb 0"),
	      "pkt_size " + std::to_string(spec_.pkt_size), std::string("delay 0"),
	      "dst " + spec_.dst_ip, "dst_mac " + spec_.dst_mac,
	      "udp_dst_min " + std::to_string(spec_.udp_dst),
	      "udp_dst_max " + std::to_string(spec_.udp_dst),
	      "udp_src_min " + std::to_string(spec_.udp_src_min),
	      "udp_src_max " + std::to_string(spec_.udp_src_max)})
		write(spec_.dev, c);
	set_ratep(spec_.ratep);
}

Pktgen::~Pktgen()
{
	try {
		stop();
	} catch (const std::exception &) {
	}
}

void Pktgen::write(const std::string &file, const std::string &cmd) const
{
	NetnsScope in(spec_.netns);
	int err = write_file_errno(pktgen_dir + file, cmd);
	if (err)
		throw Error(errno_message("pktgen: '" + cmd + "' to " + file, err));
}

void Pktgen::set_ratep(uint64_t ratep)
{
	spec_.ratep = ratep;
	// "delay 0" is as fast as it can; ratep sets the delay from a rate.
	if (ratep)
		write(spec_.dev, "ratep " + std::to_string(ratep));
	else
		write(spec_.dev, "delay 0");
}

void Pktgen::set_udp_src(unsigned min, unsigned max)
{
	spec_.udp_src_min = min;
	spec_.udp_src_max = max;
	// pktgen rejects min > max at no point, but keep them ordered while
	// changing both.
	write(spec_.dev, "udp_src_min 0");
	write(spec_.dev, "udp_src_max " + std::to_string(max));
	write(spec_.dev, "udp_src_min " + std::to_string(min));
}

void Pktgen::start()
{
	stop();
	const std::string ns = spec_.netns;
	runner_ = std::make_unique<Child>("pktgen start", [ns] {
		NetnsScope in(ns);
		return write_file_errno(std::string(pktgen_dir) + "pgctrl", "start\n") ? 1 : 0;
	});
	// The thread runs once "start" is written; wait until it counts.
	for (int i = 0; i < 100 && sent() == 0; i++)
		usleep(10000);
}

void Pktgen::stop()
{
	if (!runner_)
		return;
	{
		NetnsScope in(spec_.netns);
		write_file_errno(std::string(pktgen_dir) + "pgctrl",
				 "stop\n"); // pgctrl drops the last byte
	}
	runner_->wait();
	runner_.reset();
}

uint64_t Pktgen::sent() const
{
	NetnsScope in(spec_.netns);
	for (const auto &line : split(read_file(pktgen_dir + spec_.dev), '\n')) {
		auto pos = line.find("pkts-sofar:");
		if (pos != std::string::npos)
			return std::stoull(line.substr(pos + 11));
	}
	throw Error("pktgen: no pkts-sofar in " + std::string(pktgen_dir) + spec_.dev);
}

namespace {

// Burns `us` microseconds of this thread's CPU time.
void spend_cpu(unsigned us)
{
	timespec start, now;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &start);
	const long long want = static_cast<long long>(us) * 1000;
	do
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
	while ((now.tv_sec - start.tv_sec) * 1000000000LL + (now.tv_nsec - start.tv_nsec) < want);
}

} // namespace

UdpSink::UdpSink(const std::string &netns, const std::string &addr, unsigned port, int cpu,
		 int rcvbuf, unsigned work_us)
    : UdpSink(UdpSinkSpec{netns, addr, port, cpu, rcvbuf, work_us, "", 0})
{
}

UdpSink::UdpSink(const UdpSinkSpec &spec)
{
	void *mem = mmap(nullptr, sizeof(std::atomic<uint64_t>), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		throw Error(errno_message("UDP sink: shared counter", errno));
	count_ = new (mem) std::atomic<uint64_t>(0);
	int ready[2];
	if (pipe(ready) < 0)
		throw Error(errno_message("UDP sink: pipe", errno));
	auto *count = count_;
	const std::string &addr = spec.addr;
	child_ = std::make_unique<Child>("UDP sink", [=] {
		close(ready[0]);
		NetnsScope in(spec.netns);
		pin_to_cpu(spec.cpu);
		int s = socket(AF_INET, SOCK_DGRAM, 0);
		sockaddr_in sa{};
		sa.sin_family = AF_INET;
		sa.sin_port = htons(spec.port);
		inet_pton(AF_INET, spec.addr.c_str(), &sa.sin_addr);
		if (spec.rcvbuf)
			setsockopt(s, SOL_SOCKET, SO_RCVBUF, &spec.rcvbuf, sizeof(spec.rcvbuf));
		if (s < 0 || bind(s, reinterpret_cast<sockaddr *>(&sa), sizeof(sa)) < 0)
			throw Error(errno_message("UDP sink: bind " + spec.addr, errno));
		if (!spec.peer_addr.empty()) {
			sockaddr_in pa{};
			pa.sin_family = AF_INET;
			pa.sin_port = htons(spec.peer_port);
			inet_pton(AF_INET, spec.peer_addr.c_str(), &pa.sin_addr);
			if (connect(s, reinterpret_cast<sockaddr *>(&pa), sizeof(pa)) < 0)
				throw Error(errno_message("UDP sink: connect " + spec.peer_addr,
							  errno));
		}
		if (::write(ready[1], "r", 1) != 1)
			return 1;
		close(ready[1]);
		char buf[2048];
		for (;;)
			if (recv(s, buf, sizeof(buf), 0) >= 0) {
				if (spec.work_us)
					spend_cpu(spec.work_us);
				count->fetch_add(1, std::memory_order_relaxed);
			}
	});
	close(ready[1]);
	char c;
	ssize_t n;
	do
		n = read(ready[0], &c, 1);
	while (n < 0 && errno == EINTR);
	close(ready[0]);
	if (n != 1)
		throw Error("UDP sink on " + addr + ":" + std::to_string(spec.port) +
			    " did not start");
}

UdpSink::~UdpSink()
{
	child_.reset();
	munmap(count_, sizeof(*count_));
}

uint64_t UdpSink::received() const
{
	return count_->load(std::memory_order_relaxed);
}

void UdpSink::move_to_cpu(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(child_->pid(), sizeof(set), &set) < 0)
		throw Error(errno_message("UDP sink: move to CPU " + std::to_string(cpu), errno));
}

UdpDrain::UdpDrain(const std::string &netns, const std::string &addr, unsigned port)
{
	NetnsScope in(netns);
	fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd_ < 0)
		throw Error(errno_message("UDP drain socket in " + netns, errno));
	int small = 4096;
	setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	sockaddr_in sa{};
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	inet_pton(AF_INET, addr.c_str(), &sa.sin_addr);
	if (bind(fd_, reinterpret_cast<sockaddr *>(&sa), sizeof(sa)) < 0) {
		int err = errno;
		close(fd_);
		throw Error(
			errno_message("UDP drain: bind " + addr + ":" + std::to_string(port), err));
	}
}

UdpDrain::~UdpDrain()
{
	if (fd_ >= 0)
		close(fd_);
}

double percentile(std::vector<double> v, double p)
{
	if (v.empty())
		return NAN; // printed as "-", null in JSON
	std::sort(v.begin(), v.end());
	size_t i = std::min(v.size() - 1, static_cast<size_t>(p / 100.0 * (v.size() - 1) + 0.5));
	return v[i];
}

double median(std::vector<double> v)
{
	return percentile(std::move(v), 50);
}

double PingResult::median_us() const
{
	return median(rtt_us);
}

double PingResult::percentile_us(double p) const
{
	return percentile(rtt_us, p);
}

PingResult ping(const std::string &netns, const std::string &dst, unsigned count, double interval)
{
	char iv[32];
	snprintf(iv, sizeof(iv), "%.3f", interval);
	auto r = run_cmd({"ip", "netns", "exec", netns, "ping", "-n", "-c", std::to_string(count),
			  "-i", iv, "-W", "1", dst});
	PingResult out;
	out.sent = count;
	for (const auto &line : split(r.output, '\n')) {
		auto pos = line.find("time=");
		if (pos == std::string::npos)
			continue;
		out.rtt_us.push_back(std::stod(line.substr(pos + 5)) * 1000.0);
	}
	out.received = out.rtt_us.size();
	if (r.status != 0 && r.status != 1) // 1: some or all unanswered
		throw Error("ping " + dst + " from " + netns + ": exit " +
			    std::to_string(r.status) + ": " + r.output);
	return out;
}

} // namespace nettune::exp
