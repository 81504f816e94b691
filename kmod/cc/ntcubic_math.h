/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tcp_ntcubic: the CUBIC (RFC 9438) and HyStart++ (RFC 9406) arithmetic in
 * integer fixed point, with no kernel dependency beyond u32/u64 and two
 * division helpers, so that the same code is compiled into the module and
 * into the host unit tests (tools/tests/test_cubic_math.cpp), which check
 * it against the RFC formulas evaluated in double precision.
 *
 * Units:
 *   windows      segments (u32); W_cubic is returned with NTC_WIN_SHIFT
 *                fractional bits so that slow growth is not lost;
 *   time         2^-NTC_TIME_SHIFT s ("ticks", ~0.98 ms) inside the cubic,
 *                microseconds at the interfaces;
 *   C, beta,     thousandths (NTC_SCALE): C = 0.4 is 400, beta = 0.7 is
 *   alpha        700, alpha_cubic = 3(1-beta)/(1+beta) = 0.529 is 529.
 *
 * Error bounds (asserted by the unit tests):
 *   ntc_cbrt_u64()     exact floor of the real cube root;
 *   ntc_cubic_k()      K is at most 1 tick (2^-10 s) below the exact K and
 *                      never above it, for W_max - cwnd_epoch < 2^23;
 *   ntc_cubic_window() for a given K and t in ticks, within 2^-10 + 2^-17 segment
 *                      of C*(t-K)^3 + W_max evaluated exactly, for
 *                      |t - K| <= NTC_MAX_OFFSET ticks (1024 s); beyond
 *                      that the offset is clamped;
 *   end to end         with t in us and K both quantised to ticks
 *                      (delta = 2^-10 s), W_cubic is within
 *                      3 C (|t - K| + 2 delta)^2 2 delta + 2^-10 + 2^-17
 *                      segments
 *                      of the RFC formula with exact K and t.
 */
#ifndef _NTCUBIC_MATH_H
#define _NTCUBIC_MATH_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/math64.h>
#else
/*
 * User space (the unit tests) includes this through
 * tools/lib/cubic_math.hpp, which provides u8/u16/u32/u64, div_u64() and
 * div64_u64() first.
 */
#endif

static inline u32 ntc_min_u32(u32 a, u32 b)
{
	return a < b ? a : b;
}

static inline u32 ntc_max_u32(u32 a, u32 b)
{
	return a > b ? a : b;
}

static inline u64 ntc_min_u64(u64 a, u64 b)
{
	return a < b ? a : b;
}

static inline u64 ntc_max_u64(u64 a, u64 b)
{
	return a > b ? a : b;
}

#define NTC_SCALE		1000U	/* C, beta, alpha in 1/1000 */
#define NTC_TIME_SHIFT		10	/* cubic time unit: 2^-10 s */
#define NTC_WIN_SHIFT		10	/* fractional bits of W_cubic */
#define NTC_USEC_PER_SEC	1000000U
#define NTC_MAX_OFFSET		1048576U /* 2^20 ticks: |t - K| clamp */
#define NTC_C_MAX		4000U	/* C <= 4.0 keeps c * d^3 in u64 */
#define NTC_INFINITE_RTT	(~0U)

/* Floor of the cube root of x, exact (bitwise, 22 steps). */
static inline u32 ntc_cbrt_u64(u64 x)
{
	u64 y = 0;
	int s;

	for (s = 63; s >= 0; s -= 3) {
		u64 b;

		y <<= 1;
		b = 3 * y * (y + 1) + 1;
		if ((x >> s) >= b) {
			x -= b << s;
			y++;
		}
	}
	return (u32)y;
}

/* Microseconds to cubic ticks (2^-10 s), rounded down. */
static inline u64 ntc_us_to_ticks(u64 us)
{
	return div_u64(us << NTC_TIME_SHIFT, NTC_USEC_PER_SEC);
}

/*
 * RFC 9438 eq. 2: K = cbrt((W_max - cwnd_epoch) / C), in ticks.
 * @diff: W_max - cwnd_epoch in segments; @c: C in 1/1000.
 *   K_ticks = cbrt(diff * 1000 / c * 2^30)
 */
static inline u32 ntc_cubic_k(u32 diff, u32 c)
{
	if (!diff || !c)
		return 0;
	if (diff < (1U << 23))
		return ntc_cbrt_u64(div64_u64((u64)diff * NTC_SCALE << (3 * NTC_TIME_SHIFT), c));
	/* huge windows: lose the sub-second part of K rather than overflow */
	return ntc_cbrt_u64(div64_u64((u64)diff * NTC_SCALE, c)) << NTC_TIME_SHIFT;
}

/*
 * RFC 9438 eq. 1: W_cubic(t) = C * (t - K)^3 + W_max, t and K in ticks,
 * result in segments << NTC_WIN_SHIFT, never below 0.
 *   C * (d / 2^10)^3 * 2^10 = c * d^3 / (1000 * 2^20)
 */
static inline u64 ntc_cubic_window(u32 origin, u32 k, u64 t, u32 c)
{
	u64 d, delta, w = (u64)origin << NTC_WIN_SHIFT;

	d = t >= k ? t - k : k - t;
	d = ntc_min_u64(d, NTC_MAX_OFFSET);
	c = ntc_min_u32(c, NTC_C_MAX);
	/* d^3 <= 2^60; (d^3 >> 10) * c <= 2^50 * 2^12 */
	delta = div_u64(((d * d * d) >> NTC_TIME_SHIFT) * c, NTC_SCALE) >> (2 * NTC_TIME_SHIFT -
									   NTC_WIN_SHIFT);
	if (t >= k)
		return w + delta;
	return delta < w ? w - delta : 0;
}

/*
 * ACKs per +1 segment so that cwnd reaches @target (segments <<
 * NTC_WIN_SHIFT) in one RTT: RFC 9438 4.4, cwnd += (target - cwnd) / cwnd
 * per ACK.  target is clamped to 1.5 * cwnd (RFC 9438 4.4), which is a
 * count of 2; at or below cwnd the count is 100 * cwnd (almost no growth,
 * as in the kernel's cubic).
 */
static inline u32 ntc_cubic_cnt(u32 cwnd, u64 target)
{
	u64 w = (u64)cwnd << NTC_WIN_SHIFT;
	u64 cnt;

	if (!cwnd)
		return 2;
	if (target <= w)
		return 100 * cwnd;
	cnt = div64_u64(w, target - w);
	return (u32)ntc_max_u64(cnt, 2);
}

/* RFC 9438 4.3: alpha_cubic = 3 * (1 - beta) / (1 + beta), in 1/1000. */
static inline u32 ntc_alpha(u32 beta)
{
	return 3 * NTC_SCALE * (NTC_SCALE - beta) / (NTC_SCALE + beta);
}

/*
 * RFC 9438 4.3, W_est += alpha * segments_acked / cwnd, kept exact with an
 * accumulator of acked * alpha (1/1000 segment-ACKs): each whole cwnd *
 * 1000 of it is one more segment of W_est.
 */
static inline void ntc_west_ack(u32 *w_est, u32 *acc, u32 acked, u32 cwnd, u32 alpha)
{
	u64 a = (u64)*acc + (u64)acked * alpha;
	u64 per = (u64)ntc_max_u32(cwnd, 1) * NTC_SCALE;

	if (a >= per) {
		u64 inc = div64_u64(a, per);

		*w_est += (u32)inc;
		a -= inc * per;
	}
	*acc = (u32)a;
}

/* RFC 9438 4.6: ssthresh = cwnd * beta, at least 2 segments. */
static inline u32 ntc_md_ssthresh(u32 cwnd, u32 beta)
{
	return ntc_max_u32((u32)div_u64((u64)cwnd * beta, NTC_SCALE), 2);
}

/*
 * RFC 9438 4.7: W_max after a congestion event at @cwnd; with fast
 * convergence a flow whose window stopped short of the previous W_max
 * releases bandwidth: W_max = cwnd * (1 + beta) / 2.
 */
static inline u32 ntc_new_w_max(u32 cwnd, u32 w_max, u32 beta, int fast_convergence)
{
	if (fast_convergence && cwnd < w_max)
		return (u32)div_u64((u64)cwnd * (NTC_SCALE + beta), 2 * NTC_SCALE);
	return cwnd;
}

/*
 * RFC 9406 4.2: RttThresh = max(MIN_RTT_THRESH,
 *                           min(lastRoundMinRTT / MIN_RTT_DIVISOR, MAX_RTT_THRESH))
 */
static inline u32 ntc_hs_rtt_thresh(u32 last_round_min_rtt, u32 min_thresh, u32 max_thresh,
				    u32 divisor)
{
	u32 t = last_round_min_rtt / ntc_max_u32(divisor, 1);

	return ntc_max_u32(min_thresh, ntc_min_u32(t, max_thresh));
}

/*
 * RFC 9406 4.2: leave slow start for CSS when, after N_RTT_SAMPLE samples,
 * currentRoundMinRTT >= lastRoundMinRTT + RttThresh.
 */
static inline int ntc_hs_enter_css(u32 curr, u32 last, u32 samples, u32 n_rtt_sample,
				   u32 thresh)
{
	if (samples < n_rtt_sample || curr == NTC_INFINITE_RTT || last == NTC_INFINITE_RTT)
		return 0;
	return (u64)curr >= (u64)last + thresh;
}

/*
 * RFC 9406 4.2: in CSS, go back to slow start when, after N_RTT_SAMPLE
 * samples, currentRoundMinRTT < cssBaselineMinRtt (the RTT increase was
 * spurious).
 */
static inline int ntc_hs_resume_ss(u32 curr, u32 baseline, u32 samples, u32 n_rtt_sample)
{
	return samples >= n_rtt_sample && curr < baseline;
}

#endif /* _NTCUBIC_MATH_H */
