// SPDX-License-Identifier: GPL-2.0
/*
 * iter/tcp program: one struct ntcubic_sock_record per TCP socket whose
 * congestion control is "ntcubic", written to the iterator's seq_file.
 * `nettune cc sockets` loads it (skeleton), creates an iterator in its
 * network namespace and decodes the records with <uapi/linux/ntcubic.h>,
 * the same header that defines the module's per-socket state.
 *
 * Why not INET_DIAG: a congestion control can only answer INET_DIAG
 * through get_info() as one of the existing attribute types
 * (INET_DIAG_VEGASINFO, _DCTCPINFO, _BBRINFO, 20 bytes of union
 * tcp_cc_info), which `ss` would print as another algorithm's fields.
 *
 * The iterator holds the bucket lock, not the socket lock, while it runs
 * (6.1 bpf_iter_tcp): fields are read without the socket lock, so one
 * record can mix values from just before and just after an ACK.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include <uapi/linux/ntcubic.h>

#define AF_INET 2
#define AF_INET6 10

char LICENSE[] SEC("license") = "GPL";

static __always_inline int is_ntcubic(const char *name)
{
	const char want[] = NTCUBIC_NAME;
	char got[sizeof(want)];
	int i;

	if (bpf_probe_read_kernel_str(got, sizeof(got), name) != sizeof(want))
		return 0;
	for (i = 0; i < sizeof(want); i++)
		if (got[i] != want[i])
			return 0;
	return 1;
}

SEC("iter/tcp")
int ntcubic_sockets(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct seq_file *seq = ctx->meta->seq;
	struct ntcubic_sock_record rec = {};
	const struct tcp_congestion_ops *ops;
	struct tcp_sock *tp;

	if (!skc)
		return 0;
	tp = bpf_skc_to_tcp_sock(skc);
	if (!tp)
		return 0;	/* request and time-wait sockets */
	ops = BPF_CORE_READ(tp, inet_conn.icsk_ca_ops);
	if (!ops || !is_ntcubic(ops->name))
		return 0;

	rec.family = skc->skc_family;
	rec.sport = skc->skc_num;
	rec.dport = bpf_ntohs(skc->skc_dport);
	rec.tcp_state = skc->skc_state;
	rec.ca_state = BPF_CORE_READ_BITFIELD_PROBED(&tp->inet_conn, icsk_ca_state);
	if (rec.family == AF_INET) {
		bpf_probe_read_kernel(rec.saddr, 4, &skc->skc_rcv_saddr);
		bpf_probe_read_kernel(rec.daddr, 4, &skc->skc_daddr);
	} else {
		bpf_probe_read_kernel(rec.saddr, 16, &skc->skc_v6_rcv_saddr);
		bpf_probe_read_kernel(rec.daddr, 16, &skc->skc_v6_daddr);
	}
	rec.cookie = bpf_get_socket_cookie(tp);
	rec.snd_cwnd = tp->snd_cwnd;
	rec.snd_ssthresh = tp->snd_ssthresh;
	rec.srtt_us = tp->srtt_us >> 3;
	rec.mss_cache = tp->mss_cache;
	rec.total_retrans = tp->total_retrans;
	rec.packets_out = tp->packets_out;
	rec.bytes_acked = tp->bytes_acked;
	rec.now_us = (__u32)tp->tcp_mstamp;
	bpf_probe_read_kernel(&rec.ca, sizeof(rec.ca), tp->inet_conn.icsk_ca_priv);
	bpf_seq_write(seq, &rec, sizeof(rec));
	return 0;
}
