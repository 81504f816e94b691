// SPDX-License-Identifier: GPL-2.0
/*
 * ntvnic RSS: Toeplitz hash and the 128-entry indirection table.
 *
 * RSS belongs to the receiving port: the sender's ntvnic_start_xmit()
 * calls ntvnic_rss_steer() with the *peer's* priv. The hash input is the
 * Microsoft RSS order: source address, destination address, source port,
 * destination port (ports only for unfragmented TCP/UDP; other IP traffic
 * hashes the two addresses). queue = indir[hash % 128].
 *
 * The table and key are read per packet under RCU and replaced whole
 * (under RTNL) by ethtool -X.
 */
#include <linux/netdevice.h>
#include <linux/ethtool.h>
#include <linux/slab.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/flow_dissector.h>
#include <net/ip.h>
#include "ntvnic.h"

/* Toeplitz over data with a key at least len + 4 bytes long. */
u32 ntvnic_toeplitz(const u8 *key, const u8 *data, unsigned int len)
{
	u32 hash = 0, v;
	unsigned int i;
	int bit;

	v = (u32)key[0] << 24 | (u32)key[1] << 16 | (u32)key[2] << 8 | key[3];
	for (i = 0; i < len; i++) {
		for (bit = 7; bit >= 0; bit--) {
			if (data[i] & (1 << bit))
				hash ^= v;
			v <<= 1;
			if (key[i + 4] & (1 << bit))
				v |= 1;
		}
	}
	return hash;
}

/* 32 key bits starting at bit pos (MSB first); pos + 32 <= key bits. */
static u32 ntvnic_key_window(const u8 *key, unsigned int pos)
{
	unsigned int b = pos / 8;
	u64 v = (u64)key[b] << 32 | (u64)key[b + 1] << 24 |
		(u64)key[b + 2] << 16 | (u64)key[b + 3] << 8 | key[b + 4];

	return (u32)(v >> (8 - pos % 8));
}

/*
 * After a key change: the nibble tables, so that the per-packet hash is
 * two lookups per input byte instead of a loop over its eight bits.
 */
void ntvnic_rss_prepare(struct ntvnic_rss *rss)
{
	unsigned int i, half, v, bit;

	for (i = 0; i < NTVNIC_RSS_KEY_SIZE - 4; i++)
		for (half = 0; half < 2; half++)
			for (v = 0; v < 16; v++) {
				u32 h = 0;

				/* bit 3 of v is the nibble's first (MSB) */
				for (bit = 0; bit < 4; bit++)
					if (v & (8 >> bit))
						h ^= ntvnic_key_window(rss->key,
								       8 * i + 4 * half + bit);
				rss->nib[i][half][v] = h;
			}
}

static u32 ntvnic_toeplitz_fast(const struct ntvnic_rss *rss, const u8 *data,
				unsigned int len)
{
	unsigned int i;
	u32 hash = 0;

	for (i = 0; i < len; i++)
		hash ^= rss->nib[i][0][data[i] >> 4] ^ rss->nib[i][1][data[i] & 15];
	return hash;
}

struct ntvnic_rss *ntvnic_rss_alloc_default(u32 queues)
{
	struct ntvnic_rss *rss = kzalloc(sizeof(*rss), GFP_KERNEL);
	int i;

	if (!rss)
		return NULL;
	netdev_rss_key_fill(rss->key, sizeof(rss->key));
	ntvnic_rss_prepare(rss);
	for (i = 0; i < NTVNIC_RSS_INDIR_SIZE; i++)
		rss->indir[i] = ethtool_rxfh_indir_default(i, queues);
	return rss;
}

/*
 * RTNL. Spread the table evenly over queues (after a queue count change,
 * unless the user configured the table: then ethtool core has already
 * refused a count that the table does not fit).
 */
void ntvnic_rss_reset_indir(struct ntvnic_priv *priv, u32 queues)
{
	struct ntvnic_rss *old = rtnl_dereference(priv->rss), *rss;
	int i;

	rss = kmemdup(old, sizeof(*old), GFP_KERNEL);
	if (!rss) {
		/* Keep the old table; steering clamps to the queue count. */
		return;
	}
	for (i = 0; i < NTVNIC_RSS_INDIR_SIZE; i++)
		rss->indir[i] = ethtool_rxfh_indir_default(i, queues);
	rcu_assign_pointer(priv->rss, rss);
	kfree_rcu(old, rcu);
}

/*
 * The receiving port's parser, as a NIC's RSS engine reads a frame: the
 * addresses of an IPv4 or IPv6 packet (skb->data at its network header,
 * after eth_type_trans()) and, for an unfragmented TCP or UDP one, its
 * ports (*l4). The common frames are read here directly: IPv4, and IPv6
 * whose next header is TCP or UDP. Anything else (VLAN tags, IPv6
 * extension headers, truncated headers) goes through the flow dissector,
 * which knows every layout. Returns false for a frame without IP
 * addresses (it gets no hash, queue 0).
 */
static bool ntvnic_rss_parse(const struct sk_buff *skb, struct ntvnic_flow *f,
			     bool *l4)
{
	const __be16 *ports;
	__be16 _ports[2];
	unsigned int off;
	struct flow_keys keys;

	memset(f, 0, sizeof(*f));
	if (skb->protocol == htons(ETH_P_IP)) {
		const struct iphdr *iph;
		struct iphdr _iph;

		iph = skb_header_pointer(skb, 0, sizeof(_iph), &_iph);
		if (!iph || iph->version != 4 || iph->ihl < 5)
			goto dissect;
		f->family = AF_INET;
		f->ip_proto = iph->protocol;
		f->src[0] = iph->saddr;
		f->dst[0] = iph->daddr;
		*l4 = (iph->protocol == IPPROTO_TCP ||
		       iph->protocol == IPPROTO_UDP) && !ip_is_fragment(iph);
		off = iph->ihl * 4;
	} else if (skb->protocol == htons(ETH_P_IPV6)) {
		const struct ipv6hdr *ip6;
		struct ipv6hdr _ip6;

		ip6 = skb_header_pointer(skb, 0, sizeof(_ip6), &_ip6);
		if (!ip6 || ip6->version != 6 ||
		    (ip6->nexthdr != IPPROTO_TCP && ip6->nexthdr != IPPROTO_UDP))
			goto dissect;
		f->family = AF_INET6;
		f->ip_proto = ip6->nexthdr;
		memcpy(f->src, &ip6->saddr, 16);
		memcpy(f->dst, &ip6->daddr, 16);
		*l4 = true;
		off = sizeof(*ip6);
	} else {
		goto dissect;
	}
	if (!*l4)
		return true;
	ports = skb_header_pointer(skb, off, sizeof(_ports), _ports);
	if (!ports)
		goto dissect;
	f->sport = ports[0];
	f->dport = ports[1];
	return true;

dissect:
	if (!skb_flow_dissect_flow_keys(skb, &keys, 0))
		return false;
	*l4 = ntvnic_flow_from_keys(&keys, f);
	/* Else addresses only: other IP protocols and fragments. */
	return *l4 || ntvnic_flow_addrs_from_keys(&keys, f);
}

/*
 * Under RCU. Hash skb (its network header follows eth_type_trans()) with
 * the receiving port's key, store the hash on the skb with its type and
 * return the RX queue, < nq.
 */
unsigned int ntvnic_rss_steer(struct ntvnic_priv *priv, struct sk_buff *skb,
			      unsigned int nq)
{
	struct ntvnic_rss *rss = rcu_dereference(priv->rss);
	struct ntvnic_flow f;
	unsigned int len, q;
	bool l4 = false;
	u8 in[36];
	u32 hash;

	if (!ntvnic_rss_parse(skb, &f, &l4)) {
		skb_clear_hash(skb);
		return 0;
	}
	len = f.family == AF_INET ? 4 : 16;
	memcpy(in, f.src, len);
	memcpy(in + len, f.dst, len);
	len *= 2;
	if (l4) {
		memcpy(in + len, &f.sport, 2);
		memcpy(in + len + 2, &f.dport, 2);
		len += 4;
	}

	hash = ntvnic_toeplitz_fast(rss, in, len);
	skb_set_hash(skb, hash, l4 ? PKT_HASH_TYPE_L4 : PKT_HASH_TYPE_L3);
	q = rss->indir[hash % NTVNIC_RSS_INDIR_SIZE];
	/* Only during a queue count change can the table name a dead queue. */
	q = q < nq ? q : q % nq;
	/* ntuple rules and aRFS filters come first (ntuple.c). */
	return l4 ? ntvnic_steer_queue(priv, &f, hash, q, nq) : q;
}

/*
 * Module load check of ntvnic_toeplitz() against the Microsoft RSS
 * verification suite (IPv4 with TCP: 66.9.149.187:2794 -> 161.142.100.80:1766
 * hashes to 0x51ccc178 with the published key; addresses only: 0x323e8fc2).
 */
int ntvnic_rss_selftest(void)
{
	static const u8 key[NTVNIC_RSS_KEY_SIZE] = {
		0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
		0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
		0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
		0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
		0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
	};
	static const u8 in[12] = {
		66, 9, 149, 187, 161, 142, 100, 80, 0x0a, 0xea, 0x06, 0xe6,
	};

	struct ntvnic_rss *rss;
	int err = 0;

	if (ntvnic_toeplitz(key, in, 12) != 0x51ccc178 ||
	    ntvnic_toeplitz(key, in, 8) != 0x323e8fc2) {
		pr_err("ntvnic: Toeplitz hash fails the Microsoft test vectors\n");
		return -EINVAL;
	}
	/* The table-driven hash the packet path uses must agree. */
	rss = kzalloc(sizeof(*rss), GFP_KERNEL);
	if (!rss)
		return -ENOMEM;
	memcpy(rss->key, key, sizeof(key));
	ntvnic_rss_prepare(rss);
	if (ntvnic_toeplitz_fast(rss, in, 12) != 0x51ccc178 ||
	    ntvnic_toeplitz_fast(rss, in, 8) != 0x323e8fc2) {
		pr_err("ntvnic: table-driven Toeplitz hash fails the Microsoft test vectors\n");
		err = -EINVAL;
	}
	kfree(rss);
	return err;
}
