/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers the trace_*.bpf.c programs share: an skb's device, network
 * namespace and headers, read with CO-RE so one object runs on 6.1 and
 * later kernels. Every read goes through bpf_probe_read_kernel (BPF_CORE_READ),
 * so a function called with a half-built skb costs a failed read, not a fault.
 */
#ifndef NETTUNE_TRACE_COMMON_BPF_H
#define NETTUNE_TRACE_COMMON_BPF_H

#define NT_ETH_HLEN 14
#define NT_ETH_P_IP 0x0800
#define NT_ETH_P_IPV6 0x86DD
#define NT_AF_INET 2
#define NT_AF_INET6 10

/* skb->dev's ifindex, else the index it arrived on (0: neither). */
static __always_inline __u32 nt_skb_ifindex(const struct sk_buff *skb)
{
	struct net_device *dev = BPF_CORE_READ(skb, dev);

	if (dev)
		return BPF_CORE_READ(dev, ifindex);
	return BPF_CORE_READ(skb, skb_iif);
}

/* Inode of the device's network namespace, else the socket's (0: none). */
static __always_inline __u32 nt_skb_netns(const struct sk_buff *skb)
{
	struct net_device *dev = BPF_CORE_READ(skb, dev);
	struct sock *sk;

	if (dev)
		return BPF_CORE_READ(dev, nd_net.net, ns.inum);
	sk = BPF_CORE_READ(skb, sk);
	if (sk)
		return BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	return 0;
}

/*
 * Where the IP header starts, whatever the layer: the network header when
 * it is set past the MAC header (IP and above, the transmit path), else
 * after the Ethernet header (a driver's receive, before or just after
 * eth_type_trans). Returns NULL when neither holds an IPv4/IPv6 header;
 * *version is 4 or 6.
 */
static __always_inline const __u8 *nt_skb_l3(const struct sk_buff *skb, __u8 *version)
{
	const __u8 *head = BPF_CORE_READ(skb, head);
	__u16 nh = BPF_CORE_READ(skb, network_header);
	__u16 mh = BPF_CORE_READ(skb, mac_header);
	const __u8 *l3, *l2;
	__u16 ethertype = 0;
	__u8 b = 0;

	if (nh && (mh == (__u16)~0U || nh > mh)) {
		l3 = head + nh;
	} else {
		l2 = mh != (__u16)~0U ? head + mh : BPF_CORE_READ(skb, data);
		if (bpf_probe_read_kernel(&ethertype, 2, l2 + 12))
			return 0;
		ethertype = bpf_ntohs(ethertype);
		if (ethertype != NT_ETH_P_IP && ethertype != NT_ETH_P_IPV6)
			return 0;
		l3 = l2 + NT_ETH_HLEN;
	}
	if (bpf_probe_read_kernel(&b, 1, l3))
		return 0;
	*version = b >> 4;
	if (*version != 4 && *version != 6)
		return 0;
	return l3;
}

#endif /* NETTUNE_TRACE_COMMON_BPF_H */
