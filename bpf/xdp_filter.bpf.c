// SPDX-License-Identifier: GPL-2.0
/*
 * nettune's XDP filter: `nettune xdp attach DEV` loads it through its
 * bpftool skeleton and pins its maps; the rule commands edit the maps.
 *
 * For every frame, in this order:
 *   1. Ethernet, up to two VLAN tags (802.1Q/802.1ad). Anything that is not
 *      IPv4 or IPv6 passes (reason non_ip).
 *   2. The IP header. Truncated or invalid (IPv4 IHL < 5, version wrong)
 *      passes as `malformed`: the stack drops it and counts it itself.
 *   3. Source address in deny_v4 / deny_v6 (LPM tries): drop, blocked_prefix.
 *   4. TCP or UDP destination port in deny_ports: drop, denied_port. IPv6
 *      extension headers are walked (at most 4 of hop-by-hop, routing,
 *      destination options, fragment); IPv4 and IPv6 non-first fragments
 *      carry no ports and skip steps 4 and 5; AH, ESP and anything else
 *      after the walk is `passed`.
 *   5. TCP SYN without ACK, when synlimit is on: one token from the
 *      source's bucket (syn_buckets, LRU) or drop, synlimit.
 *   6. Pass (passed).
 *
 * Counters: `counters` is per CPU, one {packets, bytes} per reason, so the
 * fast path never shares a cache line; the verdict totals are sums of
 * reasons (userspace adds them). Rule hits in the tries and the port map
 * are shared values, incremented atomically only when a rule drops.
 *
 * The SYN bucket is read, refilled and written back without a lock (LRU
 * hash values cannot hold a bpf_spin_lock): two CPUs handling SYNs from
 * the same source at the same instant can lose one update, which lets at
 * most one extra SYN through. RSS normally keeps one source on one queue.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "xdp_filter.h"

char LICENSE[] SEC("license") = "GPL";

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8
#define IPPROTO_HOPOPTS 0
#define IPPROTO_ROUTING 43
#define IPPROTO_FRAGMENT 44
#define IPPROTO_DSTOPTS 60
#define IP_OFFSET_MASK 0x1fff /* IPv4 fragment offset */
#define IP6_OFFSET_MASK 0xfff8 /* IPv6 fragment offset */
#define MAX_VLAN_TAGS 2
#define MAX_IPV6_EXT 4

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, XDPF_MAX_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xdpf_v4_key);
	__type(value, struct xdpf_rule);
} deny_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, XDPF_MAX_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xdpf_v6_key);
	__type(value, struct xdpf_rule);
} deny_v6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XDPF_MAX_PORTS);
	__type(key, __u32);
	__type(value, struct xdpf_rule);
} deny_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XDPF_SYN_SOURCES);
	__type(key, struct xdpf_syn_key);
	__type(value, struct xdpf_syn_bucket);
} syn_buckets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpf_config);
} filter_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDPF_NR_REASONS);
	__type(key, __u32);
	__type(value, struct xdpf_counter);
} counters SEC(".maps");

struct vlan_tag {
	__be16 tci;
	__be16 encapsulated_proto;
};

struct ipv6_ext {
	__u8 nexthdr;
	__u8 hdrlen; /* 8-octet units after the first 8 (not for fragment) */
	__be16 frag_off; /* fragment header only */
	__u32 rest;
};

/* What parsing found; l4 is NULL when there is no port to look at. */
struct frame {
	void *l4;
	void *end;
	__u8 l4proto;
	struct xdpf_syn_key src; /* IPv4 as ::ffff:a.b.c.d */
};

static __always_inline int count(struct xdp_md *ctx, __u32 reason)
{
	struct xdpf_counter *c = bpf_map_lookup_elem(&counters, &reason);

	if (c) {
		c->packets++;
		c->bytes += ctx->data_end - ctx->data;
	}
	return reason >= XDPF_BLOCKED_PREFIX ? XDP_DROP : XDP_PASS;
}

static __always_inline void hit(struct xdpf_rule *rule)
{
	__sync_fetch_and_add(&rule->hits, 1);
}

/* Returns the reason for an IPv4 packet, or XDPF_PASSED with f->l4 set. */
static __always_inline __u32 parse_ipv4(void *p, struct frame *f)
{
	struct iphdr *ip = p;
	struct xdpf_v4_key key = { .prefixlen = 32 };
	struct xdpf_rule *rule;
	__u32 hlen;

	if ((void *)(ip + 1) > f->end || ip->version != 4 || ip->ihl < 5)
		return XDPF_MALFORMED;
	hlen = ip->ihl * 4;
	if (p + hlen > f->end)
		return XDPF_MALFORMED;
	__builtin_memcpy(key.addr, &ip->saddr, 4);
	rule = bpf_map_lookup_elem(&deny_v4, &key);
	if (rule) {
		hit(rule);
		return XDPF_BLOCKED_PREFIX;
	}
	f->src.addr[10] = 0xff;
	f->src.addr[11] = 0xff;
	__builtin_memcpy(&f->src.addr[12], &ip->saddr, 4);
	if (ip->frag_off & bpf_htons(IP_OFFSET_MASK))
		return XDPF_PASSED; /* no L4 header in a non-first fragment */
	f->l4proto = ip->protocol;
	f->l4 = p + hlen;
	return XDPF_PASSED;
}

static __always_inline __u32 parse_ipv6(void *p, struct frame *f)
{
	struct ipv6hdr *ip6 = p;
	struct xdpf_v6_key key = { .prefixlen = 128 };
	struct xdpf_rule *rule;
	struct ipv6_ext *ext;
	__u8 nexthdr;
	int i;

	if ((void *)(ip6 + 1) > f->end || ip6->version != 6)
		return XDPF_MALFORMED;
	__builtin_memcpy(key.addr, &ip6->saddr, 16);
	rule = bpf_map_lookup_elem(&deny_v6, &key);
	if (rule) {
		hit(rule);
		return XDPF_BLOCKED_PREFIX;
	}
	__builtin_memcpy(f->src.addr, &ip6->saddr, 16);
	nexthdr = ip6->nexthdr;
	p = ip6 + 1;
#pragma unroll
	for (i = 0; i < MAX_IPV6_EXT; i++) {
		if (nexthdr != IPPROTO_HOPOPTS && nexthdr != IPPROTO_ROUTING &&
		    nexthdr != IPPROTO_DSTOPTS && nexthdr != IPPROTO_FRAGMENT)
			break;
		ext = p;
		if ((void *)(ext + 1) > f->end)
			return XDPF_MALFORMED;
		if (nexthdr == IPPROTO_FRAGMENT) {
			if (ext->frag_off & bpf_htons(IP6_OFFSET_MASK))
				return XDPF_PASSED; /* non-first fragment */
			p += 8;
		} else {
			p += (ext->hdrlen + 1) * 8;
		}
		nexthdr = ext->nexthdr;
	}
	f->l4proto = nexthdr;
	f->l4 = p;
	return XDPF_PASSED;
}

static __always_inline int port_denied(__u8 proto, __be16 port)
{
	__u32 key = XDPF_PORT_KEY(proto, bpf_ntohs(port));
	struct xdpf_rule *rule = bpf_map_lookup_elem(&deny_ports, &key);

	if (!rule)
		return 0;
	hit(rule);
	return 1;
}

/* Takes one token from the source's bucket; 0 when there is none. */
static __always_inline int syn_allowed(struct xdpf_syn_key *src)
{
	__u32 zero = 0;
	struct xdpf_config *cfg = bpf_map_lookup_elem(&filter_config, &zero);
	struct xdpf_syn_bucket *b, fresh;
	__u64 now, elapsed, tokens;

	if (!cfg || !cfg->syn_rate)
		return 1;
	now = bpf_ktime_get_ns();
	b = bpf_map_lookup_elem(&syn_buckets, src);
	if (!b) {
		/* A new source starts with a full bucket and spends one token. */
		fresh.tokens = cfg->syn_capacity - XDPF_NANOTOKENS;
		fresh.last_ns = now;
		bpf_map_update_elem(&syn_buckets, src, &fresh, BPF_ANY);
		return 1;
	}
	elapsed = now - b->last_ns;
	if (elapsed > cfg->syn_fill_ns)
		elapsed = cfg->syn_fill_ns;
	tokens = b->tokens + elapsed * cfg->syn_rate;
	if (tokens > cfg->syn_capacity)
		tokens = cfg->syn_capacity;
	b->last_ns = now;
	if (tokens < XDPF_NANOTOKENS) {
		b->tokens = tokens;
		return 0;
	}
	b->tokens = tokens - XDPF_NANOTOKENS;
	return 1;
}

static __always_inline __u32 check_l4(struct frame *f)
{
	if (f->l4proto == IPPROTO_UDP) {
		struct udphdr *udp = f->l4;

		if ((void *)(udp + 1) > f->end)
			return XDPF_MALFORMED;
		return port_denied(IPPROTO_UDP, udp->dest) ? XDPF_DENIED_PORT : XDPF_PASSED;
	}
	if (f->l4proto == IPPROTO_TCP) {
		struct tcphdr *tcp = f->l4;

		if ((void *)(tcp + 1) > f->end)
			return XDPF_MALFORMED;
		if (port_denied(IPPROTO_TCP, tcp->dest))
			return XDPF_DENIED_PORT;
		if (tcp->syn && !tcp->ack && !syn_allowed(&f->src))
			return XDPF_SYNLIMIT;
	}
	return XDPF_PASSED;
}

static __always_inline __u32 classify(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	struct frame f = { .end = (void *)(long)ctx->data_end };
	struct ethhdr *eth = data;
	struct vlan_tag *tag;
	void *p = eth + 1;
	__u16 proto;
	__u32 reason;
	int i;

	if (p > f.end)
		return XDPF_MALFORMED;
	proto = eth->h_proto;
#pragma unroll
	for (i = 0; i < MAX_VLAN_TAGS; i++) {
		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		tag = p;
		if ((void *)(tag + 1) > f.end)
			return XDPF_MALFORMED;
		proto = tag->encapsulated_proto;
		p = tag + 1;
	}
	if (proto == bpf_htons(ETH_P_IP))
		reason = parse_ipv4(p, &f);
	else if (proto == bpf_htons(ETH_P_IPV6))
		reason = parse_ipv6(p, &f);
	else
		return XDPF_NON_IP;
	if (reason != XDPF_PASSED || !f.l4)
		return reason;
	return check_l4(&f);
}

SEC("xdp")
int xdp_filter(struct xdp_md *ctx)
{
	return count(ctx, classify(ctx));
}
