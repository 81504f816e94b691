// TCP sockets as `ss -lnt` / `ss -tin` see them, read with INET_DIAG
// (NETLINK_SOCK_DIAG) in the current network namespace: listeners with
// their accept queue, and connections with the tcp_info fields diagnose
// needs (retransmission backoff, MSS, path MTU).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace nettune::observe {

struct Listener {
	std::string local; // "10.0.0.2:8080", "[::]:22"
	uint16_t port = 0;
	uint32_t accept_queue = 0; // connections waiting for accept()
	uint32_t backlog = 0;      // the accept queue's limit (listen() capped by somaxconn)
};

struct TcpConn {
	std::string local, remote;
	uint8_t state = 0;
	uint8_t retransmits = 0; // consecutive RTOs of the current segment
	uint8_t backoff = 0;     // RTO exponential backoff
	uint32_t unacked = 0, lost = 0, snd_mss = 0, pmtu = 0, total_retrans = 0;
};

// Listening TCP sockets (IPv4 and IPv6); port 0: all. Throws Error when
// the kernel refuses the dump.
std::vector<Listener> tcp_listeners(uint16_t port = 0);
// TCP connections that still send (ESTABLISHED, CLOSE_WAIT, FIN_WAIT1,
// LAST_ACK, CLOSING) with a retransmission pending or done (tcpi_retransmits or tcpi_total_retrans
// above 0).
std::vector<TcpConn> retransmitting_connections();

} // namespace nettune::observe

namespace nettune::observe {

// How many TCP sockets (IPv4 and IPv6) are in `state` (TCP_TIME_WAIT = 6,
// as in include/net/tcp_states.h) in the current network namespace, as
// `ss -tan state time-wait` counts them. Throws Error when the dump fails.
size_t count_tcp_sockets(int state);

} // namespace nettune::observe
