/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * tcp_ntcubic: the layout of the per-socket congestion-control state
 * (the socket's icsk_ca_priv area) and the names of its enums.
 *
 * The kernel module keeps its state in exactly this struct, and the BPF
 * iter/tcp program (bpf/ntcubic_sockets.bpf.c) copies the raw bytes of
 * icsk_ca_priv of every socket whose icsk_ca_ops->name is "ntcubic" to
 * user space, where nettune decodes them with the same struct.  Changing
 * the layout therefore means bumping NTCUBIC_LAYOUT_VERSION, which the
 * module stores in every socket's state so a decoder can refuse a layout
 * it does not know.
 */
#ifndef _UAPI_LINUX_NTCUBIC_H
#define _UAPI_LINUX_NTCUBIC_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define NTCUBIC_NAME		"ntcubic"
#define NTCUBIC_LAYOUT_VERSION	2

/* HyStart++ (RFC 9406) phase of a socket. */
enum ntcubic_hystart_state {
	NTCUBIC_HS_SS = 0,	/* standard slow start, watching RTT rounds */
	NTCUBIC_HS_CSS = 1,	/* Conservative Slow Start */
	NTCUBIC_HS_DONE = 2,	/* left (or never used) HyStart++ */
};

/* Why a window update was traced (tracepoint ntcubic:ntcubic_update). */
enum ntcubic_event {
	NTCUBIC_EV_ACK = 0,	/* cwnd grew on an ACK (slow start, CSS, CA) */
	NTCUBIC_EV_LOSS = 1,	/* multiplicative decrease: ssthresh set */
	NTCUBIC_EV_UNDO = 2,	/* spurious loss: state restored */
	NTCUBIC_EV_CSS = 3,	/* HyStart++ entered Conservative Slow Start */
	NTCUBIC_EV_SS = 4,	/* HyStart++ went back from CSS to slow start */
	NTCUBIC_EV_HS_EXIT = 5,	/* HyStart++ ended slow start (ssthresh = cwnd) */
	NTCUBIC_EV_RTO = 6,	/* retransmission timeout (TCP_CA_Loss) */
	NTCUBIC_EV_EPOCH = 7,	/* a new cubic epoch began: K computed */
	NTCUBIC_EV_TRAIN = 8,	/* ACK train over delay_min/2: slow start ended */
};

#define NTCUBIC_F_FAST_CONV	0x01	/* fast convergence on */
#define NTCUBIC_F_RENO_FRIENDLY	0x02	/* Reno-friendly region on */
#define NTCUBIC_F_HYSTART	0x04	/* HyStart++ on for this socket */
#define NTCUBIC_F_ACK_TRAIN	0x08	/* ACK-train exit (tcp_cubic.c's HyStart) on */

/*
 * Per-socket state, must fit ICSK_CA_PRIV_SIZE (104 bytes in 6.1, 96 used; the
 * module checks it with BUILD_BUG_ON).  Windows in segments, times in
 * microseconds unless named otherwise; K in 2^-10 s ("ticks").
 * The tunables are snapshotted here when the socket starts using ntcubic.
 */
struct ntcubic_state {
	__u32 cnt;		/* ACKs per +1 segment of cwnd (tcp_cong_avoid_ai) */
	__u32 w_max;		/* W_max: window before the last reduction */
	__u32 origin;		/* plateau of the current cubic curve */
	__u32 k;		/* K in 2^-10 s */
	__u32 epoch_start;	/* tcp_mstamp (us, low 32 bits) of epoch start; 0 none */
	__u32 w_est;		/* W_est: Reno-friendly estimate */
	__u32 est_acc;		/* W_est accumulator: acked * alpha (1/1000) */
	__u32 cwnd_prior;	/* cwnd before the last reduction (undo, alpha) */
	__u32 w_max_prior;	/* W_max before the last reduction (undo) */
	/* HyStart++ */
	__u32 round_end;	/* windowEnd: snd_nxt when the round began */
	__u32 last_round_min_rtt; /* us, ~0 = none */
	__u32 curr_round_min_rtt; /* us, ~0 = none */
	__u32 css_baseline_min_rtt; /* us, ~0 = none */
	__u32 hs_exit_cwnd;	/* cwnd when HyStart++ ended slow start, 0 = not */
	/* snapshot of the tunables */
	__u32 hs_min_rtt_thresh; /* us */
	__u32 hs_max_rtt_thresh; /* us */
	/* ACK train (as tcp_cubic.c's HyStart): tcp_mstamp, low 32 bits */
	__u32 train_start;	/* when the round began */
	__u32 train_last;	/* the last ACK of the train */
	__u32 delay_min;	/* lowest RTT sample of the connection, us; 0 none */
	__u16 c;		/* C in 1/1000 */
	__u16 beta;		/* beta in 1/1000 */
	__u16 alpha;		/* alpha_cubic in 1/1000, from beta */
	__u16 hs_ack_delta;	/* us: longest gap inside an ACK train */
	__u8 hs_state;		/* enum ntcubic_hystart_state */
	__u8 hs_samples;	/* rttSampleCount of this round */
	__u8 hs_css_rounds;	/* rounds spent in CSS */
	__u8 hs_css_acc;	/* CSS: acked segments not yet turned into cwnd */
	__u8 hs_n_rtt_sample;
	__u8 hs_min_rtt_divisor;
	__u8 hs_css_growth_divisor;
	__u8 hs_css_rounds_max;
	__u8 flags;		/* NTCUBIC_F_* */
	__u8 layout;		/* NTCUBIC_LAYOUT_VERSION */
};

/*
 * One record written by bpf/ntcubic_sockets.bpf.c per ntcubic socket:
 * the socket's identity and TCP-level counters, then the raw state.
 */
struct ntcubic_sock_record {
	__u16 family;		/* AF_INET or AF_INET6 */
	__u16 sport;		/* host order */
	__u16 dport;		/* host order */
	__u8 tcp_state;		/* TCP_ESTABLISHED ... */
	__u8 ca_state;		/* TCP_CA_Open ... */
	__u8 saddr[16];		/* IPv4 in the first 4 bytes */
	__u8 daddr[16];
	__u64 cookie;		/* socket cookie */
	__u32 snd_cwnd;
	__u32 snd_ssthresh;
	__u32 srtt_us;		/* smoothed RTT, us (not <<3) */
	__u32 mss_cache;
	__u32 total_retrans;
	__u32 packets_out;
	__u64 bytes_acked;
	__u32 now_us;		/* tcp_mstamp of the socket (low 32 bits) */
	__u32 pad;
	struct ntcubic_state ca;
};

#endif /* _UAPI_LINUX_NTCUBIC_H */
