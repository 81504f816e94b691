#include "tcp_bulk.hpp"

#include "error.hpp"
#include "sysfs.hpp"

#include <cerrno>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>
#include <vector>

namespace nettune::exp {

namespace {

// In a child: enter NETNS, silence stdout/stderr, exec ARGV.
int exec_in(const std::string &netns, const std::vector<std::string> &argv)
{
	NetnsScope in(netns);
	int null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
	}
	std::vector<char *> args;
	for (const auto &a : argv)
		args.push_back(const_cast<char *>(a.c_str()));
	args.push_back(nullptr);
	execvp(args[0], args.data());
	return 127;
}

} // namespace

bool tcp_listening(const std::string &netns, unsigned port)
{
	NetnsScope in(netns);
	const std::string local = fmt::format(":{:04X}", port);
	for (const char *f : {"/proc/thread-self/net/tcp", "/proc/thread-self/net/tcp6"}) {
		auto text = try_read_file(f);
		if (!text)
			continue;
		for (const auto &line : split(*text, '\n')) {
			auto w = split_whitespace(line);
			// sl local_address rem_address st: state 0A is LISTEN
			if (w.size() > 3 && w[3] == "0A" && w[1].size() > local.size() &&
			    w[1].compare(w[1].size() - local.size(), local.size(), local) == 0)
				return true;
		}
	}
	return false;
}

Iperf3::Iperf3(Iperf3Spec spec) : spec_(std::move(spec))
{
	const auto &s = spec_;
	server_ = std::make_unique<Child>("iperf3 server", [s] {
		return exec_in(s.server_netns, {"iperf3", "-s", "-p", std::to_string(s.port), "-A",
						std::to_string(s.server_cpu)});
	});
	for (int i = 0; i < 200; i++) {
		if (tcp_listening(s.server_netns, s.port))
			return;
		usleep(25000);
	}
	throw Error(fmt::format("iperf3 server in {} did not listen on port {} within 5 s",
				s.server_netns, s.port));
}

Iperf3::~Iperf3()
{
	client_.reset();
	server_.reset();
}

void Iperf3::start_client(double seconds, double mbit_s)
{
	const auto &s = spec_;
	const std::string t = fmt::format("{:.0f}", std::max(1.0, seconds));
	const std::string b = fmt::format("{:.0f}M", mbit_s);
	std::vector<std::string> argv{"iperf3",
				      "-c",
				      s.server_addr,
				      "-p",
				      std::to_string(s.port),
				      "-t",
				      t,
				      "-b",
				      b,
				      "-A",
				      std::to_string(s.client_cpu)};
	if (s.window_kb)
		argv.insert(argv.end(), {"-w", std::to_string(s.window_kb) + "K"});
	client_ = std::make_unique<Child>("iperf3 client",
					  [s, argv] { return exec_in(s.client_netns, argv); });
}

void Iperf3::wait_client()
{
	if (!client_)
		return;
	int rc = client_->wait();
	client_.reset();
	if (rc != 0)
		throw Error(fmt::format("iperf3 -c {} from {} failed (exit {})", spec_.server_addr,
					spec_.client_netns, rc));
}

} // namespace nettune::exp
