#include "observe_meanings.hpp"

#include <map>

namespace nettune::observe {

namespace {

// Sources: RFC 1213/4293 (Ip, Icmp, Tcp, Udp), include/uapi/linux/snmp.h
// and the places in net/ipv4 that increment them (6.1).
const std::map<std::string, std::string> &meanings()
{
	static const std::map<std::string, std::string> m = {
		// Ip
		{"IpInReceives", "IPv4 packets received from the devices, including errors"},
		{"IpInHdrErrors",
		 "IPv4 packets dropped for a bad header (checksum, version, TTL 0)"},
		{"IpInAddrErrors",
		 "IPv4 packets dropped: destination not a local or routable address"},
		{"IpForwDatagrams", "IPv4 packets forwarded to another host"},
		{"IpInUnknownProtos", "IPv4 packets for a protocol no socket or handler takes"},
		{"IpInDiscards",
		 "IPv4 packets dropped for lack of resources (no route memory, ...)"},
		{"IpInDelivers", "IPv4 packets delivered to TCP, UDP, ICMP..."},
		{"IpOutRequests", "IPv4 packets handed to IP for sending by local protocols"},
		{"IpOutDiscards", "IPv4 packets dropped on output (qdisc full, no memory)"},
		{"IpOutNoRoutes", "IPv4 packets dropped on output: no route"},
		{"IpReasmFails", "IPv4 reassemblies that failed (fragment lost or timed out)"},
		{"IpFragFails", "IPv4 packets that needed fragmenting but had DF set"},
		{"IpExtInNoRoutes", "IPv4 packets received with no route to their destination"},
		{"IpExtInTruncatedPkts", "IPv4 packets shorter than their header says"},
		{"IpExtInCsumErrors", "IPv4 packets with a bad header checksum"},
		{"IpExtInOctets", "bytes of IPv4 received"},
		{"IpExtOutOctets", "bytes of IPv4 sent"},
		// Icmp
		{"IcmpInMsgs", "ICMP messages received"},
		{"IcmpInErrors", "ICMP messages received with errors"},
		{"IcmpInDestUnreachs",
		 "ICMP destination unreachable received (includes frag-needed, the PMTU signal)"},
		{"IcmpOutDestUnreachs", "ICMP destination unreachable sent"},
		{"IcmpMsgInType3",
		 "ICMP type 3 (destination unreachable, incl. frag-needed) received"},
		{"IcmpMsgOutType3", "ICMP type 3 (destination unreachable) sent"},
		{"IcmpOutRateLimitGlobal", "ICMP replies not sent: global ICMP rate limit"},
		{"IcmpOutRateLimitHost", "ICMP replies not sent: per-destination rate limit"},
		// Tcp
		{"TcpActiveOpens", "TCP connections this host opened (connect)"},
		{"TcpPassiveOpens", "TCP connections this host accepted (SYN received in LISTEN)"},
		{"TcpAttemptFails",
		 "TCP connection attempts that failed (RST or timeout in SYN state)"},
		{"TcpEstabResets", "established TCP connections reset"},
		{"TcpCurrEstab", "TCP connections now ESTABLISHED or CLOSE-WAIT (a gauge)"},
		{"TcpInSegs", "TCP segments received, including errors"},
		{"TcpOutSegs", "TCP segments sent, excluding retransmissions"},
		{"TcpRetransSegs", "TCP segments retransmitted (all kinds: RTO, fast, TLP, SYN)"},
		{"TcpInErrs", "TCP segments received in error (checksum, bad header)"},
		{"TcpOutRsts", "TCP resets sent"},
		{"TcpInCsumErrors", "TCP segments with a bad checksum"},
		// Udp
		{"UdpInDatagrams", "UDP datagrams delivered to sockets"},
		{"UdpNoPorts", "UDP datagrams to a port nothing listens on"},
		{"UdpInErrors", "UDP datagrams not delivered (includes RcvbufErrors, checksum)"},
		{"UdpOutDatagrams", "UDP datagrams sent"},
		{"UdpRcvbufErrors", "UDP datagrams dropped: the socket's receive buffer was full"},
		{"UdpSndbufErrors", "UDP sends failed: send buffer full"},
		{"UdpInCsumErrors", "UDP datagrams with a bad checksum"},
		{"UdpMemErrors", "UDP datagrams dropped: UDP memory limit (udp_mem)"},
		{"Udp6InDatagrams", "UDP/IPv6 datagrams delivered to sockets"},
		{"Udp6NoPorts", "UDP/IPv6 datagrams to a port nothing listens on"},
		{"Udp6InErrors", "UDP/IPv6 datagrams not delivered"},
		{"Udp6RcvbufErrors", "UDP/IPv6 datagrams dropped: receive buffer full"},
		{"Ip6InReceives", "IPv6 packets received"},
		{"Ip6InDiscards", "IPv6 packets dropped for lack of resources"},
		{"Ip6OutRequests", "IPv6 packets sent by local protocols"},
		{"Icmp6InPktTooBigs", "ICMPv6 packet-too-big received (the IPv6 PMTU signal)"},
		// TcpExt
		{"TcpExtSyncookiesSent", "SYN cookies sent: the SYN queue was full"},
		{"TcpExtSyncookiesRecv", "valid SYN cookies received back"},
		{"TcpExtSyncookiesFailed", "invalid SYN cookies received"},
		{"TcpExtEmbryonicRsts", "resets received for connections still in SYN_RECV"},
		{"TcpExtPruneCalled",
		 "receive queue pruned (collapsed) because the socket exceeded its receive buffer"},
		{"TcpExtRcvPruned", "packets dropped from a receive queue after pruning failed"},
		{"TcpExtOfoPruned", "out-of-order queue dropped to save receive buffer"},
		{"TcpExtTW", "TCP connections that finished TIME-WAIT"},
		{"TcpExtTWRecycled", "TIME-WAIT sockets reused for a new connection"},
		{"TcpExtTCPTimeWaitOverflow", "TIME-WAIT sockets not created: tcp_max_tw_buckets"},
		{"TcpExtDelayedACKs", "delayed ACKs sent"},
		{"TcpExtDelayedACKLost",
		 "duplicate data received: our ACK was lost (or a retransmit)"},
		{"TcpExtListenOverflows",
		 "connections dropped: a listener's accept queue was full (app not accepting)"},
		{"TcpExtListenDrops",
		 "SYNs or final ACKs dropped by a listener (includes every ListenOverflow)"},
		{"TcpExtTCPReqQFullDrop", "SYNs dropped: SYN queue full and SYN cookies off"},
		{"TcpExtTCPReqQFullDoCookies", "SYN cookies used: SYN queue full"},
		{"TcpExtTCPBacklogDrop",
		 "segments dropped: socket backlog full while the app held it"},
		{"TcpExtTCPRcvQDrop",
		 "segments dropped: receive buffer full (rmem), memory not granted"},
		{"TcpExtTCPOFODrop", "out-of-order segments dropped: receive buffer full"},
		{"TcpExtTCPOFOQueue",
		 "segments queued out of order (a sign of loss or reordering)"},
		{"TcpExtTCPZeroWindowDrop", "segments dropped: our advertised window was zero"},
		{"TcpExtTCPRcvCollapsed", "segments collapsed to fit the receive buffer"},
		{"TcpExtTCPFastRetrans",
		 "fast retransmits: SACK/dupACKs showed loss (data path loss)"},
		{"TcpExtTCPSlowStartRetrans",
		 "retransmits in slow start after a timeout (loss recovery)"},
		{"TcpExtTCPTimeouts",
		 "retransmission timeouts (RTO fired: nothing came back in time)"},
		{"TcpExtTCPLossProbes",
		 "tail loss probes sent (TLP: the last segment's ACK was late)"},
		{"TcpExtTCPLossProbeRecovery", "losses repaired by a tail loss probe"},
		{"TcpExtTCPSynRetrans", "SYN and SYN-ACK retransmits"},
		{"TcpExtTCPLostRetransmit", "retransmitted segments lost again"},
		{"TcpExtTCPSackRecovery", "SACK-based loss recovery episodes"},
		{"TcpExtTCPRenoRecovery", "dupACK (no SACK) loss recovery episodes"},
		{"TcpExtTCPLossUndo", "RTO recoveries undone: the loss was not real (spurious)"},
		{"TcpExtTCPDSACKUndo",
		 "recoveries undone by D-SACK: the retransmit was not needed"},
		{"TcpExtTCPSpuriousRTOs",
		 "RTOs found spurious by F-RTO (ACKs late, not data lost)"},
		{"TcpExtTCPDSACKRecv",
		 "D-SACKs received: the peer got a segment twice (our retransmit was needless)"},
		{"TcpExtTCPDSACKOfoRecv", "D-SACKs received for out-of-order duplicates"},
		{"TcpExtTCPDSACKOldSent", "D-SACKs sent: duplicate of old data received"},
		{"TcpExtTCPDSACKOfoSent", "D-SACKs sent: out-of-order duplicate received"},
		{"TcpExtTCPSACKReorder", "reordering detected by SACK"},
		{"TcpExtTCPAbortOnData", "connections reset: data arrived after close"},
		{"TcpExtTCPAbortOnClose", "connections reset: closed with unread data"},
		{"TcpExtTCPAbortOnMemory",
		 "connections reset: out of TCP memory (tcp_mem) or orphans"},
		{"TcpExtTCPAbortOnTimeout",
		 "connections reset: too many retransmits (tcp_retries2)"},
		{"TcpExtTCPMemoryPressures", "times TCP entered memory pressure (tcp_mem)"},
		{"TcpExtTCPMTUPFail", "PMTU probes that failed (tcp_mtu_probing)"},
		{"TcpExtTCPMTUPSuccess", "PMTU probes that succeeded (tcp_mtu_probing)"},
		{"TcpExtTCPRetransFail",
		 "retransmits that could not be sent (qdisc or device full)"},
		{"TcpExtTCPHPHits", "segments taken by the header-prediction fast path"},
		{"TcpExtTCPPureAcks", "ACKs without data received"},
		{"TcpExtTCPAutoCorking", "small sends held back to coalesce (autocorking)"},
		{"TcpExtTCPWantZeroWindowAdv", "times the receive window would shrink to zero"},
		{"TcpExtTCPToZeroWindowAdv", "times we advertised a zero window"},
		{"TcpExtTCPFromZeroWindowAdv", "times we reopened a zero window"},
		{"TcpExtTCPRcvCoalesce",
		 "segments coalesced into the previous one in the receive queue"},
		{"TcpExtTCPChallengeACK", "challenge ACKs sent (RFC 5961: unexpected RST/SYN)"},
		{"TcpExtTCPSpuriousRtxHostQueues",
		 "retransmits skipped: the original was still in a host queue (qdisc/driver)"},
		{"TcpExtPAWSEstab", "segments rejected by PAWS (old timestamp)"},
		{"TcpExtTCPKeepAlive", "keepalive probes sent"},
		{"TcpExtTCPOrigDataSent", "segments of new data sent (not retransmits)"},
		{"TcpExtTCPDelivered", "segments delivered (acked) to the peer"},
		{"TcpExtTCPAckCompressed", "ACKs compressed (SACK compression)"},
		{"TcpExtTCPMigrateReqSuccess", "requests migrated to another listener (reuseport)"},
	};
	return m;
}

} // namespace

std::string counter_meaning(const std::string &name)
{
	auto it = meanings().find(name);
	return it == meanings().end() ? "" : it->second;
}

std::vector<std::string> explained_counters()
{
	std::vector<std::string> out;
	for (const auto &[k, v] : meanings())
		out.push_back(k);
	return out;
}

} // namespace nettune::observe
