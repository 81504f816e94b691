/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What bpf/trace_{drops,retrans,skb}.bpf.c hand to `nettune trace`:
 * map keys and values, ring-buffer records, the compiled skb filter.
 * Included by the BPF programs (after vmlinux.h) and by tools/lib/trace_*
 * (after <linux/types.h>), so only __u8..__u64 and fixed layouts here.
 */
#ifndef NETTUNE_TRACE_H
#define NETTUNE_TRACE_H

/* trace drops: one hash entry per (reason, place, device, netns, protocol) */
struct nt_drop_key {
	__u64 location;		/* kfree_skb's caller (the tracepoint's location) */
	__u32 reason;		/* enum skb_drop_reason of the running kernel */
	__u32 ifindex;		/* skb->dev, else skb->skb_iif; 0 if neither */
	__u32 netns;		/* inode of the device's (or socket's) netns */
	__u16 l3proto;		/* skb->protocol, host order (ETH_P_IP, ...) */
	__u8 l4proto;		/* IPPROTO_* from the IP header, 0 if unknown */
	__u8 pad;
};

struct nt_drop_val {
	__u64 count;
	__u64 bytes;
};

/* trace retrans: one ring-buffer record per retransmission */
enum nt_retrans_kind {
	NT_RETRANS_OTHER = 0,	/* ca_state Open/Disorder/CWR, not a probe */
	NT_RETRANS_RTO = 1,	/* timeout: ca_state Loss */
	NT_RETRANS_FAST = 2,	/* fast retransmit: ca_state Recovery */
	NT_RETRANS_PROBE = 3,	/* tail loss probe (inside tcp_send_loss_probe) */
	NT_RETRANS_SYN = 4,	/* SYN again (socket in SYN_SENT) */
	NT_RETRANS_SYNACK = 5,	/* SYN-ACK again (tcp:tcp_retransmit_synack) */
};

struct nt_retrans_event {
	__u64 ts_ns;		/* bpf_ktime_get_ns() */
	__u8 saddr[16];		/* IPv4 in the first 4 bytes */
	__u8 daddr[16];
	__u16 family;		/* AF_INET or AF_INET6 */
	__u16 sport;		/* host order */
	__u16 dport;
	__u8 kind;		/* enum nt_retrans_kind */
	__u8 state;		/* TCP_ESTABLISHED, ... */
	__u8 ca_state;		/* TCP_CA_Open .. TCP_CA_Loss */
	__u8 icsk_pending;	/* ICSK_TIME_* pending when it fired */
	__u8 retransmits;	/* icsk_retransmits: RTOs in a row */
	__u8 pad;
	__u32 cwnd;		/* segments */
	__u32 ssthresh;
	__u32 srtt_us;
	__u32 packets_out;
	__u32 retrans_out;
	__u32 total_retrans;
	__u32 netns;
	__u32 pad2;
};

/* trace skb: the filter compiled by `nettune trace skb`, in .rodata */
struct nt_skb_filter {
	__u8 l4proto;		/* 0 = any, else IPPROTO_TCP/UDP/ICMP/ICMPV6 */
	__u8 family;		/* 0 = any, 4 or 6 */
	__u8 src_set;		/* match saddr */
	__u8 dst_set;		/* match daddr */
	__u8 host_set;		/* match saddr or daddr == host */
	__u8 pad[3];
	__u8 saddr[16];
	__u8 daddr[16];
	__u8 host[16];
	__u16 sport;		/* 0 = any; host order */
	__u16 dport;
	__u16 port;		/* either direction */
	__u16 pad2;
	__u32 ifindex;		/* 0 = any device */
	__u32 netns;		/* with ifindex: the device's netns inode */
};

enum nt_skb_event_type {
	NT_SKB_FUNC = 0,	/* a traced function saw the skb */
	NT_SKB_DROP = 1,	/* skb:kfree_skb: the walk ends, with a reason */
	NT_SKB_CONSUME = 2,	/* skb:consume_skb: freed after normal use */
	NT_SKB_FREE = 3,	/* freed without a tracepoint (kfree_skbmem, ...) */
};

#define NT_SKB_MAX_FREE_FUNCS 4

struct nt_skb_event {
	__u64 ts_ns;
	__u64 skb;		/* address, the key we follow it by */
	__u64 ip;		/* bpf_get_func_ip(), or the drop location */
	__u32 packet;		/* 1, 2, ...: which matched packet */
	__u32 cpu;
	__u32 ifindex;		/* skb->dev at that moment, 0 if none */
	__u32 len;		/* skb->len */
	__u32 reason;		/* NT_SKB_DROP: enum skb_drop_reason */
	__u32 netns;		/* inode of skb->dev's (or the socket's) netns */
	__u8 type;		/* enum nt_skb_event_type */
	__u8 first;		/* the filter matched here: a new packet */
	__u8 pad[6];
};

#endif /* NETTUNE_TRACE_H */
