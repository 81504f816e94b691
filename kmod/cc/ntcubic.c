// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_ntcubic: CUBIC congestion control as RFC 9438 specifies it, with
 * HyStart++ (RFC 9406, hystart.c) for leaving slow start.
 *
 * Window growth in congestion avoidance (RFC 9438 4.2-4.5):
 *
 *   W_cubic(t) = C * (t - K)^3 + W_max,  K = cbrt((W_max - cwnd_epoch) / C)
 *
 * t is the time since the current congestion-avoidance epoch began (the
 * first ACK after a reduction or after slow start), K the time at which the
 * curve reaches W_max again.  Each ACK moves cwnd toward the target
 * W_cubic(t + RTT), at most 1.5 * cwnd, by setting the number of ACKs per
 * +1 segment (ca->cnt, applied by tcp_cong_avoid_ai()).  In the
 * Reno-friendly region (W_cubic < W_est), cwnd follows
 *
 *   W_est += alpha_cubic * acked / cwnd,  alpha_cubic = 3(1 - beta)/(1 + beta)
 *
 * (alpha 1 once W_est >= cwnd_prior).  On congestion (ssthresh op):
 * ssthresh = cwnd * beta (RFC 9438 4.6 allows cwnd instead of flight size
 * because tcp_is_cwnd_limited() stops growth when not cwnd-limited),
 * W_max = cwnd, or cwnd * (1 + beta) / 2 with fast convergence when cwnd
 * fell short of the previous W_max (4.7).  A spurious congestion event
 * (undo_cwnd op, 4.9) restores W_max and cwnd; the TCP core restores
 * ssthresh from tp->prior_ssthresh.  After an RTO (4.8), the next epoch
 * starts with W_max = cwnd, K = 0.
 *
 * The arithmetic is in ntcubic_math.h (fixed point, also compiled into the
 * unit tests); the state is struct ntcubic_state in <uapi/linux/ntcubic.h>
 * (so BPF and nettune can decode it), stored in icsk_ca_priv.
 *
 * Context: every op runs with the socket locked or owned by the softirq
 * processing it; the state is per socket and needs no locking.  The module
 * is pinned by each socket using it (ops.owner; the TCP core takes a
 * module reference in tcp_assign_congestion_control()), and by a
 * namespace whose default it is, so rmmod is refused while any exists.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <net/tcp.h>

#include "ntcubic.h"

#define CREATE_TRACE_POINTS
#include "ntcubic_trace.h"

void ntcubic_trace(const struct sock *sk, const struct ntcubic_state *ca, u8 event,
		   u32 cwnd, u32 ssthresh)
{
	trace_ntcubic_update(sk, ca, event, cwnd, ssthresh);
}

static void ntcubic_init(struct sock *sk)
{
	struct ntcubic_state *ca = ntcubic_ca(sk);

	memset(ca, 0, sizeof(*ca));
	ca->layout = NTCUBIC_LAYOUT_VERSION;
	ntcubic_params_snapshot(ca);
	ntcubic_hystart_reset(sk, ca);
}

/* Begins a congestion-avoidance epoch at @cwnd: K, the curve's plateau, W_est. */
static void ntcubic_epoch_begin(struct sock *sk, struct ntcubic_state *ca, u32 cwnd, u32 now)
{
	ca->epoch_start = now ?: 1;
	ca->w_est = cwnd;
	ca->est_acc = 0;
	if (ca->w_max <= cwnd) {
		/* no reduction to recover from (after slow start, RTO): K = 0 */
		ca->w_max = cwnd;
		ca->k = 0;
		ca->origin = cwnd;
	} else {
		ca->k = ntc_cubic_k(ca->w_max - cwnd, ca->c);
		ca->origin = ca->w_max;
	}
	ntcubic_trace(sk, ca, NTCUBIC_EV_EPOCH, cwnd, tcp_sk(sk)->snd_ssthresh);
}

/* Sets ca->cnt for this ACK (RFC 9438 4.2-4.5). */
static void ntcubic_update(struct sock *sk, struct ntcubic_state *ca, u32 cwnd, u32 acked)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	u32 now = (u32)tp->tcp_mstamp;
	s32 elapsed;
	u64 t, target;
	u32 cnt;

	if (!ca->epoch_start)
		ntcubic_epoch_begin(sk, ca, cwnd, now);

	/*
	 * target = W_cubic(t + RTT).  The idle shift in cwnd_event uses
	 * tcp_clock_us(), which can be a little ahead of tp->tcp_mstamp:
	 * never let t go negative (it would wrap to an hour).
	 */
	elapsed = (s32)(now - ca->epoch_start);
	if (elapsed < 0)
		elapsed = 0;
	t = ntc_us_to_ticks((u64)elapsed + (tp->srtt_us >> 3));
	target = ntc_cubic_window(ca->origin, ca->k, t, ca->c);
	cnt = ntc_cubic_cnt(cwnd, target);

	if (ca->flags & NTCUBIC_F_RENO_FRIENDLY) {
		u32 alpha = ca->w_est >= ca->cwnd_prior ? NTC_SCALE : ca->alpha;

		ntc_west_ack(&ca->w_est, &ca->est_acc, acked, cwnd, alpha);
		if (ca->w_est > cwnd)
			cnt = min(cnt, cwnd / (ca->w_est - cwnd));
	}
	ca->cnt = max(cnt, 2U);
}

static void ntcubic_cong_avoid(struct sock *sk, u32 ack, u32 acked)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct ntcubic_state *ca = ntcubic_ca(sk);
	u32 before = tcp_snd_cwnd(tp);

	if (!tcp_is_cwnd_limited(sk))
		return;

	if (tcp_in_slow_start(tp)) {
		if (ca->hs_state == NTCUBIC_HS_CSS) {
			ntcubic_hystart_css_grow(sk, ca, acked);
			acked = 0;
		} else {
			acked = tcp_slow_start(tp, acked);
		}
	}
	if (acked) {
		ntcubic_update(sk, ca, tcp_snd_cwnd(tp), acked);
		tcp_cong_avoid_ai(tp, ca->cnt, acked);
	}
	if (tcp_snd_cwnd(tp) != before)
		ntcubic_trace(sk, ca, NTCUBIC_EV_ACK, tcp_snd_cwnd(tp), tp->snd_ssthresh);
}

static u32 ntcubic_ssthresh(struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	struct ntcubic_state *ca = ntcubic_ca(sk);
	u32 cwnd = tcp_snd_cwnd(tp);
	u32 ssthresh;

	ca->epoch_start = 0;
	ca->w_max_prior = ca->w_max;
	ca->cwnd_prior = cwnd;
	ca->w_max = ntc_new_w_max(cwnd, ca->w_max, ca->beta,
				  ca->flags & NTCUBIC_F_FAST_CONV);
	ca->hs_state = NTCUBIC_HS_DONE;
	ssthresh = ntc_md_ssthresh(cwnd, ca->beta);
	ntcubic_trace(sk, ca, NTCUBIC_EV_LOSS, cwnd, ssthresh);
	return ssthresh;
}

static u32 ntcubic_undo_cwnd(struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	struct ntcubic_state *ca = ntcubic_ca(sk);

	u32 cwnd = max(tcp_snd_cwnd(tp), ca->cwnd_prior);

	ca->w_max = ca->w_max_prior;
	ca->epoch_start = 0;
	/* the core restores ssthresh from tp->prior_ssthresh after this */
	ntcubic_trace(sk, ca, NTCUBIC_EV_UNDO, cwnd, max(tp->snd_ssthresh, tp->prior_ssthresh));
	return cwnd;
}

static void ntcubic_set_state(struct sock *sk, u8 new_state)
{
	struct ntcubic_state *ca = ntcubic_ca(sk);

	if (new_state != TCP_CA_Loss)
		return;
	/* RFC 9438 4.8: after an RTO, W_max = cwnd and K = 0 next epoch */
	ca->epoch_start = 0;
	ca->w_max = 0;
	ca->hs_state = NTCUBIC_HS_DONE;
	ntcubic_trace(sk, ca, NTCUBIC_EV_RTO, tcp_snd_cwnd(tcp_sk(sk)), tcp_sk(sk)->snd_ssthresh);
}

static void ntcubic_cwnd_event(struct sock *sk, enum tcp_ca_event event)
{
	struct ntcubic_state *ca = ntcubic_ca(sk);
	const struct tcp_sock *tp = tcp_sk(sk);
	u32 now, idle_us;

	if (event != CA_EVENT_TX_START || !ca->epoch_start)
		return;
	/*
	 * Restarting after being application limited: the idle time is not
	 * part of t (RFC 9438 5.8), shift the epoch by it.
	 */
	now = (u32)tcp_clock_us();
	idle_us = jiffies_to_usecs(tcp_jiffies32 - tp->lsndtime);
	ca->epoch_start += idle_us;
	if (after(ca->epoch_start, now))
		ca->epoch_start = now;
	if (!ca->epoch_start)
		ca->epoch_start = 1;
}

static void ntcubic_pkts_acked(struct sock *sk, const struct ack_sample *sample)
{
	struct ntcubic_state *ca = ntcubic_ca(sk);

	/* duplicate ACKs carry no RTT sample */
	if (sample->rtt_us <= 0)
		return;
	ntcubic_hystart_acked(sk, ca, sample->rtt_us);
}

static struct tcp_congestion_ops ntcubic_ops __read_mostly = {
	.init		= ntcubic_init,
	.ssthresh	= ntcubic_ssthresh,
	.cong_avoid	= ntcubic_cong_avoid,
	.set_state	= ntcubic_set_state,
	.undo_cwnd	= ntcubic_undo_cwnd,
	.cwnd_event	= ntcubic_cwnd_event,
	.pkts_acked	= ntcubic_pkts_acked,
	.owner		= THIS_MODULE,
	.name		= NTCUBIC_NAME,
};

static int __init ntcubic_register(void)
{
	BUILD_BUG_ON(sizeof(struct ntcubic_state) > ICSK_CA_PRIV_SIZE);
	BUILD_BUG_ON(sizeof(NTCUBIC_NAME) > TCP_CA_NAME_MAX);

	return tcp_register_congestion_control(&ntcubic_ops);
}

/*
 * Only reachable when no socket and no namespace default holds a module
 * reference; tcp_unregister_congestion_control() waits for an RCU grace
 * period so no lookup still sees the ops.
 */
static void __exit ntcubic_unregister(void)
{
	tcp_unregister_congestion_control(&ntcubic_ops);
}

module_init(ntcubic_register);
module_exit(ntcubic_unregister);

MODULE_AUTHOR("nettune");
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("CUBIC (RFC 9438) with HyStart++ (RFC 9406)");
MODULE_VERSION(NETTUNE_VERSION);
