#include "tcp_load.hpp"

#include "error.hpp"
#include "sysfs.hpp"
#include "tcp.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <fcntl.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <vector>

#ifndef SO_EE_ORIGIN_ZEROCOPY
#define SO_EE_ORIGIN_ZEROCOPY 5
#endif
#ifndef SO_EE_CODE_ZEROCOPY_COPIED
#define SO_EE_CODE_ZEROCOPY_COPIED 1
#endif

namespace nettune::exp {

namespace {

template <typename T> T *shared_object()
{
	void *mem =
		mmap(nullptr, sizeof(T), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		throw Error(errno_message("shared counters", errno));
	return new (mem) T;
}

} // namespace

SendMode parse_send_mode(const std::string &name)
{
	for (auto m : {SendMode::write, SendMode::sendfile, SendMode::splice, SendMode::zerocopy})
		if (send_mode_name(m) == name)
			return m;
	throw Error("unknown send mode '" + name + "' (write, sendfile, splice, zerocopy)");
}

std::string send_mode_name(SendMode m)
{
	switch (m) {
	case SendMode::write:
		return "write";
	case SendMode::sendfile:
		return "sendfile";
	case SendMode::splice:
		return "splice";
	case SendMode::zerocopy:
		return "zerocopy";
	}
	return "?";
}

struct TcpSender::Shared {
	std::atomic<uint64_t> bytes{0}, calls{0}, zc_sends{0}, zc_completed{0}, zc_copied{0};
	std::atomic<uint32_t> snd_mss{0}, total_retrans{0}, rtt_us{0};
	std::atomic<int> error{0};
};

namespace {

using SenderShared = std::atomic<uint64_t>;

// Reads every zero-copy notification queued on the socket's error queue.
void read_completions(int s, std::atomic<uint64_t> &completed, std::atomic<uint64_t> &copied)
{
	for (;;) {
		char control[128];
		msghdr msg{};
		msg.msg_control = control;
		msg.msg_controllen = sizeof(control);
		if (recvmsg(s, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			return;
		for (cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
			if (cm->cmsg_level != SOL_IP || cm->cmsg_type != IP_RECVERR)
				continue;
			auto *e = reinterpret_cast<sock_extended_err *>(CMSG_DATA(cm));
			if (e->ee_errno != 0 || e->ee_origin != SO_EE_ORIGIN_ZEROCOPY)
				continue;
			const uint64_t n = static_cast<uint64_t>(e->ee_data - e->ee_info) + 1;
			completed += n;
			if (e->ee_code & SO_EE_CODE_ZEROCOPY_COPIED)
				copied += n;
		}
	}
}

void update_tcp_info(int s, TcpSender::Shared *sh);

// One call of the chosen kind; returns bytes sent or -1 with errno.
class SendCall {
public:
	SendCall(int sock, const SenderSpec &spec) : s_(sock), spec_(spec), buf_(spec.chunk, 'x')
	{
		if (spec.mode == SendMode::sendfile || spec.mode == SendMode::splice) {
			fd_ = open(spec.file.c_str(), O_RDONLY | O_CLOEXEC);
			if (fd_ < 0)
				throw Error(errno_message(spec.file, errno));
			size_ = lseek(fd_, 0, SEEK_END);
		}
		if (spec.mode == SendMode::splice) {
			if (pipe2(pipe_, O_CLOEXEC) < 0)
				throw Error(errno_message("pipe", errno));
			fcntl(pipe_[1], F_SETPIPE_SZ,
			      static_cast<int>(std::max<size_t>(spec.chunk, 65536)));
		}
		if (spec.mode == SendMode::zerocopy) {
			int one = 1;
			if (setsockopt(s_, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one)) < 0)
				throw Error(errno_message("setsockopt SO_ZEROCOPY", errno));
		}
	}
	~SendCall()
	{
		if (fd_ >= 0)
			close(fd_);
		if (pipe_[0] >= 0) {
			close(pipe_[0]);
			close(pipe_[1]);
		}
	}
	ssize_t operator()()
	{
		switch (spec_.mode) {
		case SendMode::write:
			return ::write(s_, buf_.data(), buf_.size());
		case SendMode::zerocopy:
			return send(s_, buf_.data(), buf_.size(), MSG_ZEROCOPY);
		case SendMode::sendfile:
			if (off_ >= size_)
				off_ = 0;
			return ::sendfile(s_, fd_, &off_, spec_.chunk);
		case SendMode::splice:
			return splice_once();
		}
		return -1;
	}

private:
	ssize_t splice_once()
	{
		if (off_ >= size_)
			off_ = 0;
		if (pending_ == 0) {
			ssize_t n =
				splice(fd_, &off_, pipe_[1], nullptr, spec_.chunk, SPLICE_F_MOVE);
			if (n <= 0)
				return n;
			pending_ = static_cast<size_t>(n);
		}
		ssize_t m = splice(pipe_[0], nullptr, s_, nullptr, pending_,
				   SPLICE_F_MOVE | SPLICE_F_MORE);
		if (m > 0)
			pending_ -= static_cast<size_t>(m);
		return m;
	}
	int s_;
	const SenderSpec &spec_;
	std::vector<char> buf_; // constant data: reusing it before a zero-copy
				// completion changes nothing that is checked
	int fd_ = -1, pipe_[2] = {-1, -1};
	off_t off_ = 0, size_ = 0;
	size_t pending_ = 0;
};

int run_sender(const SenderSpec &spec, TcpSender::Shared *sh);

} // namespace

TcpSender::TcpSender(const SenderSpec &spec)
{
	shared_ = shared_object<Shared>();
	auto *sh = shared_;
	child_ = std::make_unique<Child>("TCP sender (" + send_mode_name(spec.mode) + ")",
					 [spec, sh] { return run_sender(spec, sh); });
}

namespace {

void update_tcp_info(int s, TcpSender::Shared *sh)
{
	tcp_info ti{};
	socklen_t len = sizeof(ti);
	if (getsockopt(s, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0) {
		sh->snd_mss = ti.tcpi_snd_mss;
		sh->total_retrans = ti.tcpi_total_retrans;
		sh->rtt_us = ti.tcpi_rtt;
	}
}

int run_sender(const SenderSpec &spec, TcpSender::Shared *sh)
{
	NetnsScope in(spec.netns);
	if (spec.cpu >= 0)
		pin_to_cpu(spec.cpu);
	int s = -1;
	try {
		s = tcp_connect(spec.dst, spec.port);
	} catch (const Error &) {
		sh->error = errno ? errno : ECONNREFUSED;
		throw;
	}
	if (!spec.congestion.empty() &&
	    setsockopt(s, IPPROTO_TCP, TCP_CONGESTION, spec.congestion.c_str(),
		       static_cast<socklen_t>(spec.congestion.size())) < 0) {
		sh->error = errno;
		throw Error(errno_message("TCP_CONGESTION " + spec.congestion, errno));
	}
	// Blocked sends return every 200 ms, so that TCP_INFO stays fresh
	// while the connection stalls.
	timeval tv{0, 200000};
	setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	SendCall call(s, spec);
	timespec last_info{};
	for (;;) {
		ssize_t n = call();
		if (n > 0) {
			sh->bytes += static_cast<uint64_t>(n);
			sh->calls++;
			if (spec.mode == SendMode::zerocopy)
				sh->zc_sends++;
		} else if (n < 0 && errno == ENOBUFS && spec.mode == SendMode::zerocopy) {
			// optmem full of notifications: wait for completions
			pollfd p{s, 0, 0};
			poll(&p, 1, 100);
		} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
			sh->error = errno;
			update_tcp_info(s, sh);
			return 1;
		}
		if (spec.mode == SendMode::zerocopy)
			read_completions(s, sh->zc_completed, sh->zc_copied);
		// TCP_INFO every 50 ms (the coarse clock is a vDSO read).
		timespec now;
		clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
		if ((now.tv_sec - last_info.tv_sec) * 1000000000L + now.tv_nsec -
			    last_info.tv_nsec >=
		    50000000L) {
			update_tcp_info(s, sh);
			last_info = now;
		}
	}
}

} // namespace

TcpSender::~TcpSender()
{
	child_.reset();
	munmap(shared_, sizeof(Shared));
}

SenderStats TcpSender::stats() const
{
	SenderStats st;
	st.bytes = shared_->bytes;
	st.calls = shared_->calls;
	st.zc_sends = shared_->zc_sends;
	st.zc_completed = shared_->zc_completed;
	st.zc_copied = shared_->zc_copied;
	st.snd_mss = shared_->snd_mss;
	st.total_retrans = shared_->total_retrans;
	st.rtt_us = shared_->rtt_us;
	st.error = shared_->error;
	return st;
}

double TcpSender::cpu_seconds() const
{
	auto cols = split_whitespace(
		read_file("/proc/" + std::to_string(child_->pid()) + "/schedstat"));
	if (cols.empty())
		throw Error("/proc/" + std::to_string(child_->pid()) + "/schedstat: empty");
	return std::stod(cols[0]) / 1e9;
}

ScratchFile::ScratchFile(const std::string &path, size_t bytes) : path_(path)
{
	int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		throw Error(errno_message(path, errno));
	std::vector<char> buf(1 << 20, 'f');
	for (size_t done = 0; done < bytes;) {
		ssize_t n = ::write(fd, buf.data(), std::min(buf.size(), bytes - done));
		if (n <= 0) {
			int err = errno;
			close(fd);
			unlink(path.c_str());
			throw Error(errno_message("writing " + path, err));
		}
		done += static_cast<size_t>(n);
	}
	close(fd);
}

ScratchFile::~ScratchFile()
{
	unlink(path_.c_str());
}

struct ConnectStorm::Shared {
	std::atomic<uint64_t> connected{0}, eaddrnotavail{0}, other_errors{0};
	std::atomic<int> last_errno{0};
};

ConnectStorm::ConnectStorm(const std::string &netns, const std::string &dst, unsigned port, int cpu)
{
	shared_ = shared_object<Shared>();
	auto *sh = shared_;
	child_ = std::make_unique<Child>("connect storm", [=] {
		NetnsScope in(netns);
		if (cpu >= 0)
			pin_to_cpu(cpu);
		sockaddr_in sa{};
		sa.sin_family = AF_INET;
		sa.sin_port = htons(static_cast<uint16_t>(port));
		inet_pton(AF_INET, dst.c_str(), &sa.sin_addr);
		for (;;) {
			int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
			if (s < 0)
				return 1;
			if (connect(s, reinterpret_cast<sockaddr *>(&sa), sizeof(sa)) == 0) {
				close(s);
				sh->connected++;
				continue;
			}
			const int err = errno;
			close(s);
			sh->last_errno = err;
			(err == EADDRNOTAVAIL ? sh->eaddrnotavail : sh->other_errors)++;
			usleep(1000);
		}
		return 0;
	});
}

ConnectStorm::~ConnectStorm()
{
	child_.reset();
	munmap(shared_, sizeof(Shared));
}

StormStats ConnectStorm::stats() const
{
	return {shared_->connected, shared_->eaddrnotavail, shared_->other_errors,
		shared_->last_errno};
}

} // namespace nettune::exp
