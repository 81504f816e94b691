// TCP experiment 6: epoll edge-triggered reads. With EPOLLET, epoll_wait
// reports a socket once per arrival of new data, not while data is
// waiting: a reader that takes one buffer per event and goes back to
// epoll_wait leaves the rest of a request in the socket, gets no further
// event (the client waits for the answer and sends nothing more) and the
// connection stalls. A reader that reads until EAGAIN never does.
#include "exp/experiment.hpp"
#include "exp/process.hpp"
#include "exp/tcp.hpp"

#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace exp_epoll_et {
namespace {

using namespace nettune::exp;
using clock_type = std::chrono::steady_clock;

constexpr unsigned port = 8070;
constexpr size_t read_size = 1024; // what the reader takes per read()

struct ServerCounters {
	std::atomic<uint64_t> bytes{0}, reads{0}, events{0};
};

// The server: one connection, EPOLLIN | EPOLLET, one read() of read_size
// per event (drain = false) or reads until EAGAIN (drain = true); a 1-byte
// answer for every `request` bytes read.
int serve(const std::string &netns, size_t request, bool drain, ServerCounters *cnt, int ready)
{
	NetnsScope in(netns);
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sockaddr_in sa{};
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(ls, reinterpret_cast<sockaddr *>(&sa), sizeof(sa)) < 0 || listen(ls, 4) < 0)
		throw nettune::Error(nettune::errno_message("epoll server: listen", errno));
	if (write(ready, "r", 1) != 1)
		return 1;
	int c = accept4(ls, nullptr, nullptr, SOCK_NONBLOCK);
	if (c < 0)
		return 1;
	int ep = epoll_create1(0);
	epoll_event ev{};
	ev.events = EPOLLIN | EPOLLET;
	ev.data.fd = c;
	epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
	std::vector<char> buf(read_size);
	size_t pending = 0; // bytes of the current request read so far
	for (;;) {
		epoll_event out;
		if (epoll_wait(ep, &out, 1, -1) < 1)
			continue;
		cnt->events++;
		do {
			ssize_t n = read(c, buf.data(), buf.size());
			if (n <= 0)
				break;
			cnt->reads++;
			cnt->bytes += static_cast<uint64_t>(n);
			for (pending += static_cast<size_t>(n); pending >= request;
			     pending -= request)
				if (write(c, "a", 1) != 1)
					return 1;
		} while (drain);
	}
}

struct Point {
	double requests = 0;
	bool stalled = false;
	uint64_t unread = 0;
	double reads_per_request = 0, events = 0;
};

Point measure(Run &run, const std::string &netns, size_t request, bool drain, double window)
{
	void *mem = mmap(nullptr, sizeof(ServerCounters), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		throw nettune::Error(nettune::errno_message("shared counters", errno));
	auto *cnt = new (mem) ServerCounters;
	std::shared_ptr<void> unmap(mem, [](void *m) { munmap(m, sizeof(ServerCounters)); });
	int ready[2];
	if (pipe(ready) < 0)
		throw nettune::Error(nettune::errno_message("pipe", errno));
	Child server("epoll server", [=] { return serve(netns, request, drain, cnt, ready[1]); });
	close(ready[1]);
	char r;
	const bool up = read(ready[0], &r, 1) == 1;
	close(ready[0]);
	if (!up)
		throw nettune::Error("epoll server did not start");
	int s;
	{
		NetnsScope in(netns);
		s = tcp_connect("127.0.0.1", port);
	}
	int one = 1;
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	std::vector<char> req(request, 'r');
	Point p;
	uint64_t sent = 0;
	const auto t0 = clock_type::now();
	while (std::chrono::duration<double>(clock_type::now() - t0).count() < window) {
		run.check();
		if (write(s, req.data(), req.size()) != static_cast<ssize_t>(req.size()))
			throw nettune::Error(nettune::errno_message("epoll client: write", errno));
		sent += request;
		pollfd pf{s, POLLIN, 0};
		char a;
		if (poll(&pf, 1, 500) != 1 || read(s, &a, 1) != 1) {
			p.stalled = true; // no answer in 500 ms: the server waits for an event
			break;
		}
		p.requests++;
	}
	close(s);
	p.unread = sent - cnt->bytes;
	p.events = static_cast<double>(cnt->events);
	p.reads_per_request = p.requests > 0 ? cnt->reads / p.requests : 0;
	p.requests /= window;
	return p;
}

Judgement judge(const Results &r)
{
	double first_stall = NAN;
	for (const auto *row : r.series("one-read"))
		if (row->values.at("stalled") > 0) {
			first_stall = row->x;
			break;
		}
	bool drain_stalls = false;
	for (const auto *row : r.series("drain"))
		drain_stalls = drain_stalls || row->values.at("stalled") > 0;
	bool small_ok = true;
	for (const auto *row : r.series("one-read"))
		if (row->x <= read_size)
			small_ok = small_ok && row->values.at("stalled") == 0;
	const Row &last = r.last("one-read");
	std::string numbers = fmt::format(
		"reading one {} B buffer per edge: {}; reading until EAGAIN: {} stall at any "
		"request size up to {:.0f} B ({:.0f} requests/s at that size)",
		read_size,
		std::isnan(first_stall)
			? std::string("never stalled")
			: fmt::format("stalled from {:.0f} B requests on, leaving {:.0f} B unread "
				      "at {:.0f} B",
				      first_stall, last.values.at("unread_b"), last.x),
		drain_stalls ? "did" : "no", r.last("drain").x,
		r.last("drain").values.at("req_ps"));
	if (!std::isnan(first_stall) && first_stall > read_size && small_ok && !drain_stalls)
		return {Verdict::reproduced,
			numbers + ": the stall starts exactly where a request no longer fits one "
				  "read"};
	if (!std::isnan(first_stall) && !drain_stalls)
		return {Verdict::partly, numbers};
	return {Verdict::not_reproduced, numbers};
}

Experiment make()
{
	Experiment e;
	e.name = "epoll-et";
	e.order = 26;
	e.title = "epoll edge-triggered: drain or stall";
	e.claim = "With EPOLLET a reader that does not read until EAGAIN stalls once a request "
		  "no longer fits one read; one that drains never does";
	e.anchor = "epoll(7): \"the suggested way to use epoll as an edge-triggered "
		   "(EPOLLET) interface ... waiting for an event only after read(2) or write(2) "
		   "return EAGAIN\"";
	e.setup = fmt::format(
		"One namespace, loopback. A server of ours accepts one TCP connection and waits "
		"in epoll_wait with EPOLLIN | EPOLLET; per event it reads one {0} B buffer "
		"(variant one-read) or reads until EAGAIN (drain), and answers one byte per "
		"request of the swept size. A client of ours sends a request (TCP_NODELAY), "
		"waits up to 500 ms for the answer and sends the next; no answer is a stall "
		"(the window ends there). Per point: requests answered per second, the stall, "
		"bytes the server left unread, reads per request.",
		read_size);
	e.variants = {"one-read", "drain"};
	e.x = {"request_b", "request B", 0};
	e.quick_points = {512, 1024, 1500, 4096, 65536};
	e.full_points = {256, 512, 1024, 1025, 1500, 2048, 4096, 16384, 65536, 262144};
	e.columns = {{"req_ps", "requests/s", 0},
		     {"stalled", "stalled", 0},
		     {"unread_b", "unread B", 0},
		     {"reads_per_req", "reads/request", 1},
		     {"events", "epoll events", 0}};
	e.plot = {"",  "request size (bytes)", "requests answered per second", "", {"req_ps"}, {},
		  true};
	e.prepare = [](Run &run, const std::string &variant) {
		const std::string ns = run.lab.netns("a");
		const bool drain = variant == "drain";
		return Measure([&run, ns, drain](double x) {
			auto p = measure(run, ns, static_cast<size_t>(x), drain,
					 run.quick ? 1.5 : 4);
			return Values{{"req_ps", p.requests},
				      {"stalled", p.stalled ? 1.0 : 0.0},
				      {"unread_b", static_cast<double>(p.unread)},
				      {"reads_per_req", p.reads_per_request},
				      {"events", p.events}};
		});
	};
	e.judge = judge;
	return e;
}

} // namespace
} // namespace exp_epoll_et

NETTUNE_EXPERIMENT(epoll_et, exp_epoll_et::make);
