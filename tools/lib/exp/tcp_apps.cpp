#include "tcp_apps.hpp"

#include "error.hpp"
#include "tcp.hpp"
#include "tcp_path.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

namespace nettune::exp {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0)
{
	return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

int tcp_socket(const std::string &what)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0)
		throw Error(errno_message(what + ": socket", errno));
	return s;
}

// The server's loop (in the child): never returns.
[[noreturn]] void serve(int lfd, std::atomic<bool> &accepting, std::atomic<uint64_t> &accepted,
			std::atomic<uint64_t> &served, unsigned reply_bytes)
{
	std::vector<int> clients;
	std::vector<char> reply(reply_bytes ? reply_bytes : 1, 'r');
	char buf[4096];
	for (;;) {
		std::vector<pollfd> pfd;
		const bool acc = accepting.load();
		pfd.push_back({acc ? lfd : -1, POLLIN, 0});
		for (int c : clients)
			pfd.push_back({c, POLLIN, 0});
		poll(pfd.data(), pfd.size(), 20);
		if (acc && (pfd[0].revents & POLLIN)) {
			for (;;) {
				int c = accept4(lfd, nullptr, nullptr,
						SOCK_NONBLOCK | SOCK_CLOEXEC);
				if (c < 0)
					break;
				accepted.fetch_add(1);
				clients.push_back(c);
			}
		}
		std::vector<int> keep;
		for (size_t i = 1; i < pfd.size(); i++) {
			const int c = pfd[i].fd;
			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR))) {
				keep.push_back(c);
				continue;
			}
			ssize_t n = recv(c, buf, sizeof(buf), 0);
			if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
				keep.push_back(c);
				continue;
			}
			if (n > 0 && send(c, reply.data(), reply.size(), MSG_NOSIGNAL) > 0)
				served.fetch_add(1);
			close(c);
		}
		// connections accepted in this round were not polled yet
		for (size_t i = pfd.size() - 1; i < clients.size(); i++)
			keep.push_back(clients[i]);
		clients.swap(keep);
	}
}

} // namespace

TcpServer::TcpServer(const TcpServerSpec &spec)
{
	void *mem = mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		throw Error(errno_message("TCP server: shared counters", errno));
	shared_ = static_cast<Shared *>(mem);
	shared_->accepting.store(spec.accepting);
	shared_->accepted.store(0);
	shared_->served.store(0);
	Shared *sh = shared_;
	const std::string where = spec.addr + ":" + std::to_string(spec.port);
	child_ = std::make_unique<Child>("TCP server on " + where, [spec, sh, where]() -> int {
		NetnsScope in(spec.netns);
		int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		int one = 1;
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (spec.fastopen_qlen > 0 &&
		    setsockopt(s, IPPROTO_TCP, TCP_FASTOPEN, &spec.fastopen_qlen,
			       sizeof(spec.fastopen_qlen)) < 0)
			throw Error(errno_message("TCP server: TCP_FASTOPEN", errno));
		sockaddr_in sa = ipv4_sockaddr(spec.addr, spec.port);
		if (bind(s, reinterpret_cast<sockaddr *>(&sa), sizeof(sa)) < 0 ||
		    listen(s, spec.backlog) < 0)
			throw Error(errno_message("TCP server: listen on " + where, errno));
		serve(s, sh->accepting, sh->accepted, sh->served, spec.reply_bytes);
	});
	wait_for_listener(spec.netns, spec.port);
}

TcpServer::~TcpServer()
{
	child_.reset();
	munmap(shared_, sizeof(Shared));
}

void TcpServer::set_accepting(bool on)
{
	shared_->accepting.store(on);
}

uint64_t TcpServer::accepted() const
{
	return shared_->accepted.load();
}

uint64_t TcpServer::served() const
{
	return shared_->served.load();
}

namespace {

struct Slot {
	int fd = -1;
	Clock::time_point start;
	bool connected = false, sent = false;
};

// Starts one transaction: socket, connect (or TFO sendto). false: failed.
bool start_transaction(const TransactionSpec &s, const sockaddr_in &dst, const sockaddr_in *src,
		       const std::vector<char> &req, Slot &slot)
{
	slot = Slot{};
	slot.start = Clock::now();
	slot.fd = tcp_socket("client");
	if (src && bind(slot.fd, reinterpret_cast<const sockaddr *>(src), sizeof(*src)) < 0)
		throw Error(errno_message("client: bind a source address", errno));
	const auto *sa = reinterpret_cast<const sockaddr *>(&dst);
	if (s.fastopen) {
		ssize_t n = sendto(slot.fd, req.data(), req.size(), MSG_FASTOPEN | MSG_NOSIGNAL, sa,
				   sizeof(dst));
		if (n > 0)
			slot.sent = true; // in the SYN (a cookie was cached)
		else if (errno != EINPROGRESS)
			return false;
		return true;
	}
	if (connect(slot.fd, sa, sizeof(dst)) < 0 && errno != EINPROGRESS)
		return false;
	return true;
}

} // namespace

TransactionResult run_transactions(const TransactionSpec &s)
{
	NetnsScope in(s.netns);
	const sockaddr_in dst = ipv4_sockaddr(s.dst, s.port);
	std::vector<sockaddr_in> sources;
	for (const auto &a : s.sources)
		sources.push_back(ipv4_sockaddr(a, 0));
	const std::vector<char> req(s.request_bytes ? s.request_bytes : 1, 'q');
	TransactionResult r;
	std::vector<Slot> slots(std::max(1u, s.concurrency));
	unsigned started = 0, done = 0;
	auto finish = [&](Slot &sl, bool ok) {
		if (ok) {
			r.ok++;
			r.response_ms.push_back(ms_since(sl.start));
		} else {
			r.failed++;
		}
		close(sl.fd);
		sl.fd = -1;
		done++;
	};
	while (done < s.count) {
		for (auto &sl : slots)
			if (sl.fd < 0 && started < s.count) {
				started++;
				const sockaddr_in *src =
					sources.empty() ? nullptr
							: &sources[started % sources.size()];
				if (!start_transaction(s, dst, src, req, sl))
					finish(sl, false);
			}
		std::vector<pollfd> pfd;
		for (auto &sl : slots)
			pfd.push_back({sl.fd, static_cast<short>(sl.sent ? POLLIN : POLLOUT), 0});
		poll(pfd.data(), pfd.size(), 10);
		for (size_t i = 0; i < slots.size(); i++) {
			Slot &sl = slots[i];
			if (sl.fd < 0)
				continue;
			const short ev = pfd[i].revents;
			if (ev & (POLLERR | POLLHUP | POLLNVAL)) {
				// a reply may still be readable after the peer's FIN
				char b;
				bool ok = sl.sent && recv(sl.fd, &b, 1, 0) > 0;
				finish(sl, ok);
				continue;
			}
			if (!sl.sent && (ev & POLLOUT)) {
				int err = 0;
				socklen_t len = sizeof(err);
				getsockopt(sl.fd, SOL_SOCKET, SO_ERROR, &err, &len);
				if (err) {
					finish(sl, false);
					continue;
				}
				r.connect_ms.push_back(ms_since(sl.start));
				if (send(sl.fd, req.data(), req.size(), MSG_NOSIGNAL) <= 0) {
					finish(sl, false);
					continue;
				}
				sl.sent = true;
			} else if (sl.sent && (ev & POLLIN)) {
				char b[4096];
				ssize_t n = recv(sl.fd, b, sizeof(b), 0);
				if (n < 0 && errno == EAGAIN)
					continue;
				finish(sl, n > 0);
				continue;
			}
			if (sl.fd >= 0 && ms_since(sl.start) > s.timeout_s * 1000)
				finish(sl, false);
		}
	}
	return r;
}

ConnectionBurst::ConnectionBurst(const std::string &netns, const std::string &dst, unsigned port,
				 unsigned count, double timeout_s)
{
	NetnsScope in(netns);
	const sockaddr_in sa = ipv4_sockaddr(dst, port);
	std::vector<pollfd> pending;
	for (unsigned i = 0; i < count; i++) {
		int fd = tcp_socket("connection burst");
		fds_.push_back(fd);
		if (connect(fd, reinterpret_cast<const sockaddr *>(&sa), sizeof(sa)) == 0)
			established++;
		else if (errno == EINPROGRESS)
			pending.push_back({fd, POLLOUT, 0});
	}
	// The timeout runs from the last connect(): under emulation, sending
	// hundreds of SYNs (each processed by the receiver at once, over veth)
	// can take longer than the timeout itself.
	const auto t0 = Clock::now();
	bool last_round = false;
	while (!pending.empty() && !last_round) {
		last_round = ms_since(t0) >= timeout_s * 1000;
		poll(pending.data(), pending.size(), last_round ? 0 : 10);
		std::vector<pollfd> still;
		for (auto p : pending) {
			if (!p.revents) {
				p.revents = 0;
				still.push_back(p);
				continue;
			}
			int err = 0;
			socklen_t len = sizeof(err);
			getsockopt(p.fd, SOL_SOCKET, SO_ERROR, &err, &len);
			if (!err)
				established++;
		}
		pending.swap(still);
	}
}

ConnectionBurst::~ConnectionBurst()
{
	for (int fd : fds_)
		close(fd);
}

} // namespace nettune::exp
