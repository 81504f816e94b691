// SPDX-License-Identifier: GPL-2.0
/*
 * HyStart++ (RFC 9406) for tcp_ntcubic: leave the initial slow start when
 * the minimum RTT of a round rises, before the queue overflows.
 *
 * A "round" ends when snd_una passes windowEnd, the snd_nxt recorded when
 * the round began.  In each round the minimum of the RTT samples is kept;
 * once a round has N_RTT_SAMPLE samples and its minimum exceeds the
 * previous round's by RttThresh = clamp(lastRoundMinRTT / MIN_RTT_DIVISOR,
 * MIN_RTT_THRESH, MAX_RTT_THRESH), the flow enters Conservative Slow Start
 * (CSS): cwnd grows by acked / CSS_GROWTH_DIVISOR.  If in CSS a round's
 * minimum drops below the RTT that triggered CSS, the increase was
 * spurious and slow start resumes; after CSS_ROUNDS rounds in CSS,
 * ssthresh = cwnd and congestion avoidance (CUBIC) takes over.  A loss in
 * slow start or CSS ends HyStart++ through the ssthresh op.
 *
 * The spurious-increase check (back to slow start) looks at the rounds
 * after the one that triggered CSS: RFC 9406 evaluates it per ACK, so
 * later samples of the triggering round, whose minimum can only fall,
 * would undo the decision at once and make HyStart++ flap on a noisy path.
 *
 * The ACK train (hystart_ack_train, on by default) is tcp_cubic.c's
 * HyStart exit, kept beside HyStart++ on purpose: when the ACKs of one
 * round arrive back to back (each within hystart_ack_delta_us, 2 ms, of
 * the previous one) for longer than half the connection's minimum RTT,
 * the window already exceeds the path's BDP and slow start ends at once
 * (ssthresh = cwnd), as in the kernel's cubic.  RFC 9406 has only the
 * delay signal, which on a queue of about one BDP or less comes too late
 * (or never) and lets slow start, then CSS, overshoot the queue into a
 * burst of losses: that was
 * why ntcubic retransmitted more than cubic on shallow queues
 * (Documentation/cc.rst).  Like cubic's, it waits for a window of
 * ACK_TRAIN_LOW_WINDOW segments and is counted in TcpExtTCPHystartTrain*.
 *
 * HyStart++ runs in the initial slow start only (RFC 9406 4.3 leaves later
 * slow starts, after an RTO, to plain slow start).  The RFC's limit L on
 * the increase per ACK for unpaced flows is not applied: Linux ACKs are
 * often stretched by GRO/delayed ACK and tcp_slow_start() already bounds
 * growth by the ACKed segments.
 *
 * Context: called from the ops in the socket's ACK processing, with the
 * socket lock held (or owned by softirq): no locking of our own.
 */
#include "ntcubic.h"

/* tcp_cubic.c's hystart_low_window */
#define ACK_TRAIN_LOW_WINDOW	16

static void ntcubic_hystart_new_round(struct sock *sk, struct ntcubic_state *ca)
{
	const struct tcp_sock *tp = tcp_sk(sk);

	ca->last_round_min_rtt = ca->curr_round_min_rtt;
	ca->curr_round_min_rtt = NTC_INFINITE_RTT;
	ca->hs_samples = 0;
	ca->round_end = tp->snd_nxt;
	ca->train_start = (u32)tp->tcp_mstamp;
	ca->train_last = ca->train_start;
}

void ntcubic_hystart_reset(struct sock *sk, struct ntcubic_state *ca)
{
	ca->hs_state = (ca->flags & NTCUBIC_F_HYSTART) ? NTCUBIC_HS_SS : NTCUBIC_HS_DONE;
	ca->curr_round_min_rtt = NTC_INFINITE_RTT;
	ca->css_baseline_min_rtt = NTC_INFINITE_RTT;
	ca->hs_css_rounds = 0;
	ca->hs_css_acc = 0;
	ca->hs_exit_cwnd = 0;
	ca->delay_min = 0;
	ntcubic_hystart_new_round(sk, ca);
}

/* End slow start: congestion avoidance starts at the current window. */
static void ntcubic_hystart_exit(struct sock *sk, struct ntcubic_state *ca, u8 event)
{
	struct tcp_sock *tp = tcp_sk(sk);

	ca->hs_state = NTCUBIC_HS_DONE;
	ca->hs_exit_cwnd = tcp_snd_cwnd(tp);
	tp->snd_ssthresh = tcp_snd_cwnd(tp);
	ntcubic_trace(sk, ca, event, tcp_snd_cwnd(tp), tp->snd_ssthresh);
}

/*
 * The ACK train of this round, as tcp_cubic.c's hystart_update(): true
 * (slow start ended) once back-to-back ACKs have spanned delay_min / 2.
 * Unpaced flows only halve the threshold; a paced flow's ACKs can be
 * spread by up to an RTT/2 by the pacing itself, so it needs a full RTT.
 */
static bool ntcubic_ack_train(struct sock *sk, struct ntcubic_state *ca)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	u32 now = (u32)tp->tcp_mstamp;
	u32 threshold;

	if (!(ca->flags & NTCUBIC_F_ACK_TRAIN) || !ca->delay_min ||
	    tcp_snd_cwnd(tp) < ACK_TRAIN_LOW_WINDOW)
		return false;
	if ((s32)(now - ca->train_last) > ca->hs_ack_delta)
		return false;
	ca->train_last = now;
	threshold = ca->delay_min;
	if (sk->sk_pacing_status == SK_PACING_NONE)
		threshold >>= 1;
	if ((s32)(now - ca->train_start) <= threshold)
		return false;
	NET_INC_STATS(sock_net(sk), LINUX_MIB_TCPHYSTARTTRAINDETECT);
	NET_ADD_STATS(sock_net(sk), LINUX_MIB_TCPHYSTARTTRAINCWND, tcp_snd_cwnd(tp));
	ntcubic_hystart_exit(sk, ca, NTCUBIC_EV_TRAIN);
	return true;
}

/* From the pkts_acked op, for every ACK that brought an RTT sample. */
void ntcubic_hystart_acked(struct sock *sk, struct ntcubic_state *ca, u32 rtt_us)
{
	const struct tcp_sock *tp = tcp_sk(sk);

	if (ca->hs_state == NTCUBIC_HS_DONE)
		return;
	if (!tcp_in_slow_start(tp)) {
		/* ssthresh came from elsewhere (route metrics, loss) */
		ca->hs_state = NTCUBIC_HS_DONE;
		return;
	}

	if (!ca->delay_min || rtt_us < ca->delay_min)
		ca->delay_min = rtt_us;

	if (after(tp->snd_una, ca->round_end)) {
		ntcubic_hystart_new_round(sk, ca);
		if (ca->hs_state == NTCUBIC_HS_CSS &&
		    ++ca->hs_css_rounds >= ca->hs_css_rounds_max) {
			ntcubic_hystart_exit(sk, ca, NTCUBIC_EV_HS_EXIT);
			return;
		}
	}
	if (ntcubic_ack_train(sk, ca))
		return;

	ca->curr_round_min_rtt = min(ca->curr_round_min_rtt, rtt_us);
	if (ca->hs_samples < U8_MAX)
		ca->hs_samples++;

	if (ca->hs_state == NTCUBIC_HS_SS) {
		u32 thresh = ntc_hs_rtt_thresh(ca->last_round_min_rtt, ca->hs_min_rtt_thresh,
					       ca->hs_max_rtt_thresh, ca->hs_min_rtt_divisor);

		if (!ntc_hs_enter_css(ca->curr_round_min_rtt, ca->last_round_min_rtt,
				      ca->hs_samples, ca->hs_n_rtt_sample, thresh))
			return;
		if (!ca->hs_css_rounds_max) {
			/* hystart_css_rounds=0: no CSS, tcp_cubic.c's exit */
			ntcubic_hystart_exit(sk, ca, NTCUBIC_EV_HS_EXIT);
		} else {
			ca->css_baseline_min_rtt = ca->curr_round_min_rtt;
			ca->hs_state = NTCUBIC_HS_CSS;
			ca->hs_css_rounds = 0;
			ca->hs_css_acc = 0;
			ntcubic_trace(sk, ca, NTCUBIC_EV_CSS, tcp_snd_cwnd(tp), tp->snd_ssthresh);
		}
	} else if (ca->hs_css_rounds &&
		   ntc_hs_resume_ss(ca->curr_round_min_rtt, ca->css_baseline_min_rtt,
				    ca->hs_samples, ca->hs_n_rtt_sample)) {
		ca->css_baseline_min_rtt = NTC_INFINITE_RTT;
		ca->hs_state = NTCUBIC_HS_SS;
		ntcubic_trace(sk, ca, NTCUBIC_EV_SS, tcp_snd_cwnd(tp), tp->snd_ssthresh);
	}
}

/* From the cong_avoid op while in CSS: cwnd += acked / CSS_GROWTH_DIVISOR. */
void ntcubic_hystart_css_grow(struct sock *sk, struct ntcubic_state *ca, u32 acked)
{
	struct tcp_sock *tp = tcp_sk(sk);
	u32 div = max_t(u32, ca->hs_css_growth_divisor, 1);
	u32 total = ca->hs_css_acc + acked;
	u32 cwnd = tcp_snd_cwnd(tp) + total / div;

	ca->hs_css_acc = total % div;
	tcp_snd_cwnd_set(tp, min(cwnd, tp->snd_cwnd_clamp));
}
