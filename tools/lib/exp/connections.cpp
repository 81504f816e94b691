#include "connections.hpp"

#include "error.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace nettune::exp {

namespace {

sockaddr_in make_addr(const std::string &addr, unsigned port)
{
	sockaddr_in sa{};
	sa.sin_family = AF_INET;
	sa.sin_port = htons(static_cast<uint16_t>(port));
	if (inet_pton(AF_INET, addr.c_str(), &sa.sin_addr) != 1)
		throw Error("not an IPv4 address: " + addr);
	return sa;
}

void set_open_files(rlim_t n)
{
	rlimit rl{n, n};
	setrlimit(RLIMIT_NOFILE, &rl);
}

} // namespace

void raise_open_files(CleanupStack &cleanup, unsigned n)
{
	rlimit old{};
	if (getrlimit(RLIMIT_NOFILE, &old) < 0)
		throw Error(errno_message("getrlimit(RLIMIT_NOFILE)", errno));
	if (old.rlim_cur >= n)
		return;
	rlimit want{n, std::max<rlim_t>(n, old.rlim_max)};
	if (setrlimit(RLIMIT_NOFILE, &want) < 0)
		throw Error(
			errno_message("raise the open-file limit to " + std::to_string(n), errno));
	cleanup.push("restore the open-file limit", [old] { setrlimit(RLIMIT_NOFILE, &old); });
}

HoldingServer::HoldingServer(const std::string &netns, const std::string &addr, unsigned port)
{
	const sockaddr_in sa = make_addr(addr, port);
	int ready[2];
	if (pipe(ready) < 0)
		throw Error(errno_message("holding server: pipe", errno));
	child_ = std::make_unique<Child>("TCP holding server", [=] {
		close(ready[0]);
		NetnsScope in(netns);
		set_open_files(65536);
		int s = socket(AF_INET, SOCK_STREAM, 0);
		int one = 1;
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (s < 0 || bind(s, reinterpret_cast<const sockaddr *>(&sa), sizeof(sa)) < 0 ||
		    listen(s, 65535) < 0)
			throw Error(errno_message("holding server: listen on " + addr, errno));
		if (::write(ready[1], "r", 1) != 1)
			return 1;
		close(ready[1]);
		for (;;) {
			int c = accept(s, nullptr, nullptr);
			if (c < 0 && errno != EINTR && errno != ECONNABORTED)
				usleep(1000); // EMFILE or the like: the client will see it
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
		throw Error("TCP holding server on " + addr + ":" + std::to_string(port) +
			    " did not start");
}

ConnectionSet::~ConnectionSet()
{
	linger lg{1, 0}; // close with RST: no TIME_WAIT, no FIN exchange
	for (int fd : fds) {
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(fd);
	}
}

std::unique_ptr<ConnectionSet> connect_burst(const std::string &netns, const std::string &addr,
					     unsigned port, unsigned count, double deadline)
{
	using clock = std::chrono::steady_clock;
	const sockaddr_in sa = make_addr(addr, port);
	auto set = std::make_unique<ConnectionSet>();
	std::vector<pollfd> pending;
	const auto start = clock::now();
	{
		NetnsScope in(netns);
		for (unsigned i = 0; i < count; i++) {
			int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
			if (fd < 0)
				throw Error(errno_message(
					"socket for connection " + std::to_string(i + 1), errno));
			set->fds.push_back(fd);
			set->result.attempted++;
			if (connect(fd, reinterpret_cast<const sockaddr *>(&sa), sizeof(sa)) == 0)
				set->result.established++;
			else if (errno == EINPROGRESS)
				pending.push_back({fd, POLLOUT, 0});
			else
				set->result.refused++;
		}
	}
	const auto end = start + std::chrono::duration_cast<clock::duration>(
					 std::chrono::duration<double>(deadline));
	while (!pending.empty()) {
		const auto now = clock::now();
		if (now >= end)
			break;
		const int ms =
			static_cast<int>(
				std::chrono::duration_cast<std::chrono::milliseconds>(end - now)
					.count()) +
			1;
		int n = poll(pending.data(), pending.size(), ms);
		if (n < 0 && errno != EINTR)
			throw Error(errno_message("poll on connecting sockets", errno));
		std::vector<pollfd> still;
		for (const auto &p : pending) {
			if (!p.revents) {
				still.push_back({p.fd, POLLOUT, 0});
				continue;
			}
			int err = 0;
			socklen_t len = sizeof(err);
			getsockopt(p.fd, SOL_SOCKET, SO_ERROR, &err, &len);
			if (err == 0)
				set->result.established++;
			else
				set->result.refused++;
		}
		pending.swap(still);
	}
	set->result.seconds = std::chrono::duration<double>(clock::now() - start).count();
	return set;
}

} // namespace nettune::exp
