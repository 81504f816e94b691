// SPDX-License-Identifier: GPL-2.0
/*
 * Small XDP programs for selftests/vnic/test_xdp*.sh (ntvnic's native
 * XDP). Loaded with `ip link set dev X xdp obj test_xdp.bpf.o program
 * NAME`; not used by nettune itself.
 *
 * Programs that act on "test" traffic act only on IPv4 UDP to ports
 * 9100-9199 and pass everything else, so a test's own control traffic
 * (none, on the selftests' quiet pairs) is never touched.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_IP	0x0800
#define ETH_ALEN	6
#define ETH_P_TEST_ENCAP 0x88B5		/* IEEE local experimental */
#define PORT_ECHO	9100		/* XDP_TX / redirect echo */
#define PORT_TAIL	9101		/* adjust_tail grows by 4 bytes */
#define PORT_SINK	9199		/* echoes go to this (closed) port */

char LICENSE[] SEC("license") = "GPL";

/* Index 0: the device xdp_redirect_* send to (set with bpftool). */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} tx_port SEC(".maps");

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int xdp_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

SEC("xdp")
int xdp_aborted(struct xdp_md *ctx)
{
	return XDP_ABORTED;
}

/* IPv4 UDP headers of a frame, or NULL. */
static __always_inline struct udphdr *udp_of(void *data, void *data_end,
					     struct iphdr **ipp)
{
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	struct udphdr *udp = data + sizeof(*eth) + sizeof(*ip);

	if ((void *)(udp + 1) > data_end)
		return NULL;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5 ||
	    ip->protocol != IPPROTO_UDP)
		return NULL;
	*ipp = ip;
	return udp;
}

/*
 * Turn a UDP datagram to PORT_ECHO around: swap MACs and addresses, and
 * send it from PORT_ECHO to PORT_SINK, a port the sender has no socket
 * on, so its UDP layer counts every echo (NoPorts). The UDP checksum
 * follows the port change (RFC 1624); the address swap leaves it valid.
 */
static __always_inline int echo(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct udphdr *udp;
	struct iphdr *ip;
	__u8 mac[ETH_ALEN];
	__u32 addr;
	__u16 port;

	udp = udp_of(data, data_end, &ip);
	if (!udp || udp->dest != bpf_htons(PORT_ECHO))
		return 0;
	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
	addr = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = addr;
	port = udp->source;
	udp->source = udp->dest;
	udp->dest = bpf_htons(PORT_SINK);
	if (udp->check) {
		__u32 csum = (__u16)~bpf_ntohs(udp->check);

		csum += (__u16)~bpf_ntohs(port);
		csum += PORT_SINK;
		csum = (csum & 0xffff) + (csum >> 16);
		csum = (csum & 0xffff) + (csum >> 16);
		csum = ~csum & 0xffff;
		udp->check = bpf_htons(csum ? csum : 0xffff);
	}
	return 1;
}

SEC("xdp")
int xdp_tx_echo(struct xdp_md *ctx)
{
	return echo(ctx) ? XDP_TX : XDP_PASS;
}

/* The echo, sent through the devmap (back out the same port, or another). */
SEC("xdp")
int xdp_redirect_echo(struct xdp_md *ctx)
{
	return echo(ctx) ? bpf_redirect_map(&tx_port, 0, 0) : XDP_PASS;
}

/* Everything IPv4 through the devmap, unchanged (veth -> ntvnic). */
SEC("xdp")
int xdp_redirect_all(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	return bpf_redirect_map(&tx_port, 0, 0);
}

/*
 * bpf_xdp_adjust_head: a frame [eth 0x88B5][inner eth][IPv4 ...] loses
 * its outer Ethernet header. bpf_xdp_adjust_tail: a UDP datagram to
 * PORT_TAIL grows by "TAIL" (IPv4 and UDP lengths follow, the UDP
 * checksum is dropped: 0 is "none" in IPv4). Both then pass.
 */
SEC("xdp")
int xdp_adjust(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct udphdr *udp;
	struct iphdr *ip;
	__u32 len, csum;
	__u16 old_tot;
	char *tail;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_TEST_ENCAP)) {
		if (bpf_xdp_adjust_head(ctx, sizeof(*eth)))
			return XDP_ABORTED;
		return XDP_PASS;
	}
	udp = udp_of(data, data_end, &ip);
	if (!udp || udp->dest != bpf_htons(PORT_TAIL))
		return XDP_PASS;

	len = data_end - data;
	if (bpf_xdp_adjust_tail(ctx, 4))
		return XDP_ABORTED;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	udp = udp_of(data, data_end, &ip);
	if (!udp || len > 4000)
		return XDP_ABORTED;
	tail = data + len;
	if ((void *)(tail + 4) > data_end)
		return XDP_ABORTED;
	tail[0] = 'T';
	tail[1] = 'A';
	tail[2] = 'I';
	tail[3] = 'L';

	old_tot = ip->tot_len;
	ip->tot_len = bpf_htons(bpf_ntohs(old_tot) + 4);
	/* RFC 1624 incremental update of the header checksum. */
	csum = (__u16)~bpf_ntohs(ip->check);
	csum += (__u16)~bpf_ntohs(old_tot);
	csum += bpf_ntohs(ip->tot_len);
	csum = (csum & 0xffff) + (csum >> 16);
	csum = (csum & 0xffff) + (csum >> 16);
	ip->check = bpf_htons(~csum & 0xffff);
	udp->len = bpf_htons(bpf_ntohs(udp->len) + 4);
	udp->check = 0;
	return XDP_PASS;
}
