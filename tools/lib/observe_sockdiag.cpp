#include "observe_sockdiag.hpp"

#include "error.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <functional>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace nettune::observe {

namespace {

constexpr int tcp_established = 1;
constexpr int tcp_fin_wait1 = 4;
constexpr int tcp_close_wait = 8;
constexpr int tcp_last_ack = 9;
constexpr int tcp_listen = 10;
constexpr int tcp_closing = 11;

std::string endpoint(int family, const __be32 *addr, __be16 port)
{
	char buf[INET6_ADDRSTRLEN] = "?";
	inet_ntop(family, addr, buf, sizeof(buf));
	const std::string a = family == AF_INET6 ? "[" + std::string(buf) + "]" : buf;
	return a + ":" + std::to_string(ntohs(port));
}

using MsgFn = std::function<void(const inet_diag_msg &, const nlmsghdr &)>;

// One INET_DIAG dump of TCP sockets of `family` in `states`.
void dump_tcp(int family, uint32_t states, uint8_t ext, const MsgFn &fn)
{
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		throw Error(errno_message("socket diag (NETLINK_SOCK_DIAG)", errno));
	struct {
		nlmsghdr nlh;
		inet_diag_req_v2 req;
	} msg{};
	msg.nlh.nlmsg_len = sizeof(msg);
	msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	msg.req.sdiag_family = family;
	msg.req.sdiag_protocol = IPPROTO_TCP;
	msg.req.idiag_states = states;
	msg.req.idiag_ext = ext;
	if (send(fd, &msg, sizeof(msg), 0) < 0) {
		int err = errno;
		close(fd);
		throw Error(errno_message("socket diag request", err));
	}
	std::vector<char> buf(65536);
	for (;;) {
		ssize_t n = recv(fd, buf.data(), buf.size(), 0);
		if (n < 0) {
			int err = errno;
			close(fd);
			throw Error(errno_message("socket diag dump", err));
		}
		auto *h = reinterpret_cast<nlmsghdr *>(buf.data());
		for (; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				close(fd);
				return;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				auto *e = static_cast<nlmsgerr *>(NLMSG_DATA(h));
				close(fd);
				// No IPv6 in this kernel/namespace: nothing to list.
				if (family == AF_INET6 && e->error == -ENOENT)
					return;
				throw Error(errno_message("socket diag dump", -e->error));
			}
			fn(*static_cast<inet_diag_msg *>(NLMSG_DATA(h)), *h);
		}
	}
}

const tcp_info *find_tcp_info(const inet_diag_msg &m, const nlmsghdr &h, size_t &len)
{
	auto *attr = reinterpret_cast<const rtattr *>(&m + 1);
	int rem = static_cast<int>(h.nlmsg_len) - NLMSG_LENGTH(sizeof(m));
	for (; RTA_OK(attr, rem); attr = RTA_NEXT(attr, rem))
		if (attr->rta_type == INET_DIAG_INFO) {
			len = RTA_PAYLOAD(attr);
			return static_cast<const tcp_info *>(RTA_DATA(attr));
		}
	return nullptr;
}

} // namespace

std::vector<Listener> tcp_listeners(uint16_t port)
{
	std::vector<Listener> out;
	for (int family : {AF_INET, AF_INET6})
		dump_tcp(
			family, 1u << tcp_listen, 0, [&](const inet_diag_msg &m, const nlmsghdr &) {
				const uint16_t p = ntohs(m.id.idiag_sport);
				if (port && p != port)
					return;
				out.push_back(
					{endpoint(m.idiag_family, m.id.idiag_src, m.id.idiag_sport),
					 p, m.idiag_rqueue, m.idiag_wqueue});
			});
	return out;
}

std::vector<TcpConn> retransmitting_connections()
{
	std::vector<TcpConn> out;
	const uint8_t ext = 1u << (INET_DIAG_INFO - 1);
	for (int family : {AF_INET, AF_INET6})
		// Closed by the application but still sending: FIN_WAIT1 etc.
		dump_tcp(family,
			 1u << tcp_established | 1u << tcp_fin_wait1 | 1u << tcp_close_wait |
				 1u << tcp_last_ack | 1u << tcp_closing,
			 ext, [&](const inet_diag_msg &m, const nlmsghdr &h) {
				 size_t len = 0;
				 const tcp_info *ti = find_tcp_info(m, h, len);
				 if (!ti || len < offsetof(tcp_info, tcpi_total_retrans) + 4)
					 return;
				 if (!ti->tcpi_retransmits && !ti->tcpi_total_retrans)
					 return;
				 TcpConn c;
				 c.local =
					 endpoint(m.idiag_family, m.id.idiag_src, m.id.idiag_sport);
				 c.remote =
					 endpoint(m.idiag_family, m.id.idiag_dst, m.id.idiag_dport);
				 c.state = m.idiag_state;
				 c.retransmits = ti->tcpi_retransmits;
				 c.backoff = ti->tcpi_backoff;
				 c.unacked = ti->tcpi_unacked;
				 c.lost = ti->tcpi_lost;
				 c.snd_mss = ti->tcpi_snd_mss;
				 c.pmtu = ti->tcpi_pmtu;
				 c.total_retrans = ti->tcpi_total_retrans;
				 out.push_back(c);
			 });
	return out;
}

} // namespace nettune::observe

namespace nettune::observe {

size_t count_tcp_sockets(int state)
{
	size_t n = 0;
	for (int family : {AF_INET, AF_INET6})
		dump_tcp(family, 1u << state, 0,
			 [&](const inet_diag_msg &, const nlmsghdr &) { n++; });
	return n;
}

} // namespace nettune::observe
