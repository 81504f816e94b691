/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoint ntcubic:ntcubic_update, fired on every window change and on
 * every CUBIC/HyStart++ event of a socket using ntcubic, so cwnd over time
 * can be recorded:
 *
 *   echo 1 > /sys/kernel/tracing/events/ntcubic/ntcubic_update/enable
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM ntcubic

#if !defined(_NTCUBIC_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _NTCUBIC_TRACE_H

#include <linux/tracepoint.h>
#include <net/tcp.h>
#include <uapi/linux/ntcubic.h>

#include "ntcubic_math.h"

TRACE_DEFINE_ENUM(NTCUBIC_EV_ACK);
TRACE_DEFINE_ENUM(NTCUBIC_EV_LOSS);
TRACE_DEFINE_ENUM(NTCUBIC_EV_UNDO);
TRACE_DEFINE_ENUM(NTCUBIC_EV_CSS);
TRACE_DEFINE_ENUM(NTCUBIC_EV_SS);
TRACE_DEFINE_ENUM(NTCUBIC_EV_HS_EXIT);
TRACE_DEFINE_ENUM(NTCUBIC_EV_TRAIN);
TRACE_DEFINE_ENUM(NTCUBIC_EV_RTO);
TRACE_DEFINE_ENUM(NTCUBIC_EV_EPOCH);
TRACE_DEFINE_ENUM(NTCUBIC_HS_SS);
TRACE_DEFINE_ENUM(NTCUBIC_HS_CSS);
TRACE_DEFINE_ENUM(NTCUBIC_HS_DONE);

#define ntcubic_show_event(e)					\
	__print_symbolic(e,					\
			 { NTCUBIC_EV_ACK, "ack" },		\
			 { NTCUBIC_EV_LOSS, "loss" },		\
			 { NTCUBIC_EV_UNDO, "undo" },		\
			 { NTCUBIC_EV_CSS, "css" },		\
			 { NTCUBIC_EV_SS, "ss" },		\
			 { NTCUBIC_EV_HS_EXIT, "hs_exit" },	\
			 { NTCUBIC_EV_TRAIN, "train" },		\
			 { NTCUBIC_EV_RTO, "rto" },		\
			 { NTCUBIC_EV_EPOCH, "epoch" })

#define ntcubic_show_hs(s)					\
	__print_symbolic(s,					\
			 { NTCUBIC_HS_SS, "ss" },		\
			 { NTCUBIC_HS_CSS, "css" },		\
			 { NTCUBIC_HS_DONE, "done" })

TRACE_EVENT(ntcubic_update,
	    TP_PROTO(const struct sock *sk, const struct ntcubic_state *ca,
		     u8 event, u32 cwnd, u32 ssthresh),
	    TP_ARGS(sk, ca, event, cwnd, ssthresh),
	    TP_STRUCT__entry(__field(u16, sport)
			     __field(u16, dport)
			     __field(u8, event)
			     __field(u8, hs_state)
			     __field(u8, ca_state)
			     __field(u32, cwnd)
			     __field(u32, ssthresh)
			     __field(u32, w_max)
			     __field(u32, k_ms)
			     __field(u32, w_est)
			     __field(u32, srtt_us)
			     __field(u32, retrans)
			     __field(u32, hs_last_min_rtt)
			     __field(u32, hs_curr_min_rtt)
			     __field(u8, hs_samples)),
	    TP_fast_assign(const struct tcp_sock *tp = tcp_sk(sk);

			   __entry->sport = ntohs(inet_sk(sk)->inet_sport);
			   __entry->dport = ntohs(inet_sk(sk)->inet_dport);
			   __entry->event = event;
			   __entry->hs_state = ca->hs_state;
			   __entry->ca_state = inet_csk(sk)->icsk_ca_state;
			   __entry->cwnd = cwnd;
			   __entry->ssthresh = ssthresh;
			   __entry->w_max = ca->w_max;
			   __entry->k_ms = (u32)(((u64)ca->k * 1000) >> NTC_TIME_SHIFT);
			   __entry->w_est = ca->w_est;
			   __entry->srtt_us = tp->srtt_us >> 3;
			   __entry->retrans = tp->total_retrans;
			   __entry->hs_last_min_rtt = ca->last_round_min_rtt;
			   __entry->hs_curr_min_rtt = ca->curr_round_min_rtt;
			   __entry->hs_samples = ca->hs_samples;),
	    TP_printk("sport=%u dport=%u event=%s cwnd=%u ssthresh=%u w_max=%u k_ms=%u w_est=%u hystart=%s ca_state=%u srtt_us=%u retrans=%u hs_last_min_rtt=%d hs_curr_min_rtt=%d hs_samples=%u",
		      __entry->sport, __entry->dport, ntcubic_show_event(__entry->event),
		      __entry->cwnd, __entry->ssthresh, __entry->w_max, __entry->k_ms,
		      __entry->w_est, ntcubic_show_hs(__entry->hs_state), __entry->ca_state,
		      __entry->srtt_us, __entry->retrans, (int)__entry->hs_last_min_rtt,
		      (int)__entry->hs_curr_min_rtt, __entry->hs_samples)
);

#endif /* _NTCUBIC_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE ntcubic_trace
#include <trace/define_trace.h>
