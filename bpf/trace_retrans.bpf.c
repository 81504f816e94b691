// SPDX-License-Identifier: GPL-2.0
/*
 * nettune trace retrans: one ring-buffer record per TCP retransmission,
 * from tcp:tcp_retransmit_skb (data and SYN) and tcp:tcp_retransmit_synack,
 * with the socket's flow, state, congestion-avoidance state, cwnd and srtt
 * read with CO-RE from struct tcp_sock when it fired.
 *
 * The kind is what made TCP retransmit:
 *   - inside tcp_send_loss_probe (fentry/fexit mark the CPU): a tail loss
 *     probe (6.1 has no tracepoint for it);
 *   - a socket in SYN_SENT: its SYN again;
 *   - icsk_ca_state TCP_CA_Loss: a retransmission timeout (tcp_enter_loss
 *     ran first, from tcp_retransmit_timer);
 *   - TCP_CA_Recovery: fast retransmit (SACK/dupack or RACK recovery);
 *   - anything else: other (e.g. Open after an undo).
 * The tracepoint fires from __tcp_retransmit_skb once the segment went to
 * the IP layer, on the CPU that holds the socket lock (or owns the socket
 * in softirq), so the per-CPU probe mark cannot belong to another socket.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "nettune_trace.h"
#include "trace_common.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define NT_TCP_SYN_SENT 2
#define NT_TCP_CA_RECOVERY 3
#define NT_TCP_CA_LOSS 4

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

/* The socket tcp_send_loss_probe is running for on this CPU, else NULL. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} in_probe SEC(".maps");

/* Records that did not fit in the ring buffer (reader too slow). */
__u64 lost = 0;

static __always_inline void nt_flow(struct nt_retrans_event *e, const struct sock_common *skc)
{
	e->family = BPF_CORE_READ(skc, skc_family);
	e->sport = BPF_CORE_READ(skc, skc_num);
	e->dport = bpf_ntohs(BPF_CORE_READ(skc, skc_dport));
	e->state = BPF_CORE_READ(skc, skc_state);
	e->netns = BPF_CORE_READ(skc, skc_net.net, ns.inum);
	if (e->family == NT_AF_INET6) {
		BPF_CORE_READ_INTO(&e->saddr, skc, skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO(&e->daddr, skc, skc_v6_daddr);
	} else {
		BPF_CORE_READ_INTO((__u32 *)e->saddr, skc, skc_rcv_saddr);
		BPF_CORE_READ_INTO((__u32 *)e->daddr, skc, skc_daddr);
	}
}

static __always_inline int nt_probing(const struct sock *sk)
{
	__u32 zero = 0;
	__u64 *cur = bpf_map_lookup_elem(&in_probe, &zero);

	return cur && *cur == (__u64)sk;
}

static __always_inline __u8 nt_kind(const struct sock *sk, __u8 state, __u8 ca_state)
{
	if (nt_probing(sk))
		return NT_RETRANS_PROBE;
	if (state == NT_TCP_SYN_SENT)
		return NT_RETRANS_SYN;
	if (ca_state == NT_TCP_CA_LOSS)
		return NT_RETRANS_RTO;
	if (ca_state == NT_TCP_CA_RECOVERY)
		return NT_RETRANS_FAST;
	return NT_RETRANS_OTHER;
}

SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(nt_tcp_retransmit_skb, const struct sock *sk, const struct sk_buff *skb)
{
	const struct tcp_sock *tp = (const struct tcp_sock *)sk;
	struct nt_retrans_event *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&lost, 1);
		return 0;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = bpf_ktime_get_ns();
	nt_flow(e, &sk->__sk_common);
	e->ca_state = BPF_CORE_READ_BITFIELD_PROBED(&tp->inet_conn, icsk_ca_state);
	e->icsk_pending = BPF_CORE_READ(tp, inet_conn.icsk_pending);
	e->retransmits = BPF_CORE_READ(tp, inet_conn.icsk_retransmits);
	e->kind = nt_kind(sk, e->state, e->ca_state);
	e->cwnd = BPF_CORE_READ(tp, snd_cwnd);
	e->ssthresh = BPF_CORE_READ(tp, snd_ssthresh);
	e->srtt_us = BPF_CORE_READ(tp, srtt_us) >> 3;
	e->packets_out = BPF_CORE_READ(tp, packets_out);
	e->retrans_out = BPF_CORE_READ(tp, retrans_out);
	e->total_retrans = BPF_CORE_READ(tp, total_retrans);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp_btf/tcp_retransmit_synack")
int BPF_PROG(nt_tcp_retransmit_synack, const struct sock *sk, const struct request_sock *req)
{
	struct nt_retrans_event *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&lost, 1);
		return 0;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = bpf_ktime_get_ns();
	/* the request's own addresses; its state is TCP_NEW_SYN_RECV */
	nt_flow(e, &req->__req_common);
	e->kind = NT_RETRANS_SYNACK;
	e->retransmits = BPF_CORE_READ(req, num_retrans);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("fentry/tcp_send_loss_probe")
int BPF_PROG(nt_loss_probe_enter, struct sock *sk)
{
	__u32 zero = 0;
	__u64 *cur = bpf_map_lookup_elem(&in_probe, &zero);

	if (cur)
		*cur = (__u64)sk;
	return 0;
}

SEC("fexit/tcp_send_loss_probe")
int BPF_PROG(nt_loss_probe_exit, struct sock *sk)
{
	__u32 zero = 0;
	__u64 *cur = bpf_map_lookup_elem(&in_probe, &zero);

	if (cur)
		*cur = 0;
	return 0;
}
