/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Map keys, values and counter indexes shared by bpf/xdp_filter.bpf.c and
 * libnettune (tools/lib/xdp_filter.cpp). Every struct is laid out without
 * holes so that the BPF object and the C++ side agree byte for byte.
 */
#ifndef NETTUNE_XDP_FILTER_H
#define NETTUNE_XDP_FILTER_H

#ifndef __bpf__
#include <linux/types.h>
#endif

/* Map sizes (max_entries). */
#define XDPF_MAX_PREFIXES 16384 /* per family */
#define XDPF_MAX_PORTS 4096
#define XDPF_SYN_SOURCES 65536 /* LRU: the least recent source is evicted */

/* One token of the SYN bucket in the units the program counts in. */
#define XDPF_NANOTOKENS 1000000000ULL

/*
 * Why a packet got its verdict; index of the per-CPU counters map. The
 * first three pass the packet, the last three drop it.
 */
enum xdpf_reason {
	XDPF_PASSED = 0,      /* IPv4/IPv6 that no rule matched */
	XDPF_NON_IP,          /* ARP, LLDP, ...: passed untouched */
	XDPF_MALFORMED,       /* truncated or bad IP/TCP/UDP header: passed to the stack */
	XDPF_BLOCKED_PREFIX,  /* source address in a blocked prefix */
	XDPF_DENIED_PORT,     /* TCP/UDP destination port denied */
	XDPF_SYNLIMIT,        /* TCP SYN over its source's token bucket */
	XDPF_NR_REASONS,
};

struct xdpf_counter {
	__u64 packets;
	__u64 bytes;
};

/* LPM trie keys: prefixlen first, the address in network byte order. */
struct xdpf_v4_key {
	__u32 prefixlen;
	__u8 addr[4];
};

struct xdpf_v6_key {
	__u32 prefixlen;
	__u8 addr[16];
};

/* Value of the prefix tries and of the port map: how often it dropped. */
struct xdpf_rule {
	__u64 hits;
};

/* Port map key: (IPPROTO_TCP or IPPROTO_UDP) << 16 | destination port. */
#define XDPF_PORT_KEY(proto, port) (((__u32)(proto) << 16) | (__u32)(port))

/* Runtime configuration (one-entry array), written by `nettune xdp synlimit`. */
struct xdpf_config {
	__u64 syn_rate;        /* tokens per second; 0: synlimit off */
	__u64 syn_burst;       /* bucket size in tokens */
	__u64 syn_capacity;    /* syn_burst * XDPF_NANOTOKENS */
	__u64 syn_fill_ns;     /* time an empty bucket takes to fill: refill cap */
};

/* SYN bucket key: the source address, IPv4 as ::ffff:a.b.c.d. */
struct xdpf_syn_key {
	__u8 addr[16];
};

struct xdpf_syn_bucket {
	__u64 tokens;  /* in nanotokens (1 SYN = XDPF_NANOTOKENS) */
	__u64 last_ns; /* bpf_ktime_get_ns() of the last refill */
};

#endif /* NETTUNE_XDP_FILTER_H */
