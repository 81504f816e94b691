// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_ntcubic tunables: /sys/module/tcp_ntcubic/parameters/.
 *
 * Every parameter is an unsigned integer with a range; a write outside it
 * (or not a number) is refused with -EINVAL and a rate-limited log line
 * naming the range, and the old value stays.  The same checks apply to
 * insmod/modprobe arguments, so a bad load-time value fails the load.
 *
 * Values are read once per socket, when it starts using ntcubic
 * (ntcubic_params_snapshot() from the init op): changes apply to new
 * sockets only, existing ones keep the values they started with.
 *
 * Locking: writes are serialised by the module's kernel_param_lock (the
 * sysfs store path holds it); the snapshot reads each value with
 * READ_ONCE() without a lock, so a socket created during a write sees
 * either the old or the new value of each parameter.  The HyStart++
 * threshold arithmetic is safe for any min/max combination.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/moduleparam.h>

#include "ntcubic.h"

static unsigned int c = 400;
static unsigned int beta = 700;
static unsigned int fast_convergence = 1;
static unsigned int reno_friendly = 1;
static unsigned int hystart = 1;
static unsigned int hystart_min_rtt_thresh_us = 4000;
static unsigned int hystart_max_rtt_thresh_us = 16000;
static unsigned int hystart_min_rtt_divisor = 8;
static unsigned int hystart_n_rtt_sample = 8;
static unsigned int hystart_css_growth_divisor = 4;
static unsigned int hystart_css_rounds = 5;
static unsigned int hystart_ack_train = 1;
static unsigned int hystart_ack_delta_us = 2000;

struct ntcubic_param_range {
	const unsigned int *var;
	unsigned int min;
	unsigned int max;
};

static const struct ntcubic_param_range ntcubic_ranges[] = {
	{ &c, 1, NTC_C_MAX },
	{ &beta, 100, 990 },
	{ &fast_convergence, 0, 1 },
	{ &reno_friendly, 0, 1 },
	{ &hystart, 0, 1 },
	{ &hystart_min_rtt_thresh_us, 100, 1000000 },
	{ &hystart_max_rtt_thresh_us, 100, 1000000 },
	{ &hystart_min_rtt_divisor, 1, 64 },
	{ &hystart_n_rtt_sample, 1, 64 },
	{ &hystart_css_growth_divisor, 2, 64 },
	{ &hystart_css_rounds, 0, 64 },
	{ &hystart_ack_train, 0, 1 },
	{ &hystart_ack_delta_us, 100, 50000 },
};

static int ntcubic_param_set(const char *val, const struct kernel_param *kp)
{
	const struct ntcubic_param_range *r = NULL;
	unsigned int v;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ntcubic_ranges); i++)
		if (ntcubic_ranges[i].var == kp->arg)
			r = &ntcubic_ranges[i];
	if (WARN_ON_ONCE(!r))
		return -EINVAL;
	if (kstrtouint(val, 0, &v) || v < r->min || v > r->max) {
		pr_warn_ratelimited("parameter %s: '%.*s' refused, must be an integer in [%u, %u]\n",
				    kp->name, (int)strcspn(val, "\n"), val, r->min, r->max);
		return -EINVAL;
	}
	WRITE_ONCE(*(unsigned int *)kp->arg, v);
	return 0;
}

static const struct kernel_param_ops ntcubic_param_ops = {
	.set = ntcubic_param_set,
	.get = param_get_uint,
};

module_param_cb(c, &ntcubic_param_ops, &c, 0644);
MODULE_PARM_DESC(c, "CUBIC C in 1/1000 (400 = 0.4) [1..4000]");
module_param_cb(beta, &ntcubic_param_ops, &beta, 0644);
MODULE_PARM_DESC(beta, "multiplicative decrease beta in 1/1000 (700 = 0.7) [100..990]");
module_param_cb(fast_convergence, &ntcubic_param_ops, &fast_convergence, 0644);
MODULE_PARM_DESC(fast_convergence, "fast convergence on/off [0..1]");
module_param_cb(reno_friendly, &ntcubic_param_ops, &reno_friendly, 0644);
MODULE_PARM_DESC(reno_friendly, "Reno-friendly region (W_est) on/off [0..1]");
module_param_cb(hystart, &ntcubic_param_ops, &hystart, 0644);
MODULE_PARM_DESC(hystart, "HyStart++ (RFC 9406) on/off [0..1]");
module_param_cb(hystart_min_rtt_thresh_us, &ntcubic_param_ops, &hystart_min_rtt_thresh_us, 0644);
MODULE_PARM_DESC(hystart_min_rtt_thresh_us, "HyStart++ MIN_RTT_THRESH, us [100..1000000]");
module_param_cb(hystart_max_rtt_thresh_us, &ntcubic_param_ops, &hystart_max_rtt_thresh_us, 0644);
MODULE_PARM_DESC(hystart_max_rtt_thresh_us, "HyStart++ MAX_RTT_THRESH, us [100..1000000]");
module_param_cb(hystart_min_rtt_divisor, &ntcubic_param_ops, &hystart_min_rtt_divisor, 0644);
MODULE_PARM_DESC(hystart_min_rtt_divisor, "HyStart++ MIN_RTT_DIVISOR [1..64]");
module_param_cb(hystart_n_rtt_sample, &ntcubic_param_ops, &hystart_n_rtt_sample, 0644);
MODULE_PARM_DESC(hystart_n_rtt_sample, "HyStart++ N_RTT_SAMPLE [1..64]");
module_param_cb(hystart_css_growth_divisor, &ntcubic_param_ops, &hystart_css_growth_divisor, 0644);
MODULE_PARM_DESC(hystart_css_growth_divisor, "HyStart++ CSS_GROWTH_DIVISOR [2..64]");
module_param_cb(hystart_css_rounds, &ntcubic_param_ops, &hystart_css_rounds, 0644);
MODULE_PARM_DESC(hystart_css_rounds,
		 "HyStart++ CSS_ROUNDS; 0: no CSS, end slow start on the RTT rise as tcp_cubic.c [0..64]");
module_param_cb(hystart_ack_train, &ntcubic_param_ops, &hystart_ack_train, 0644);
MODULE_PARM_DESC(hystart_ack_train,
		 "end slow start when the ACK train spans half the minimum RTT, as tcp_cubic.c [0..1]");
module_param_cb(hystart_ack_delta_us, &ntcubic_param_ops, &hystart_ack_delta_us, 0644);
MODULE_PARM_DESC(hystart_ack_delta_us, "longest gap between two ACKs of a train, us [100..50000]");

void ntcubic_params_snapshot(struct ntcubic_state *ca)
{
	u32 b = READ_ONCE(beta);

	ca->c = READ_ONCE(c);
	ca->beta = b;
	ca->alpha = ntc_alpha(b);
	ca->flags = 0;
	if (READ_ONCE(fast_convergence))
		ca->flags |= NTCUBIC_F_FAST_CONV;
	if (READ_ONCE(reno_friendly))
		ca->flags |= NTCUBIC_F_RENO_FRIENDLY;
	if (READ_ONCE(hystart))
		ca->flags |= NTCUBIC_F_HYSTART;
	if (READ_ONCE(hystart_ack_train))
		ca->flags |= NTCUBIC_F_ACK_TRAIN;
	ca->hs_min_rtt_thresh = READ_ONCE(hystart_min_rtt_thresh_us);
	ca->hs_max_rtt_thresh = READ_ONCE(hystart_max_rtt_thresh_us);
	ca->hs_min_rtt_divisor = READ_ONCE(hystart_min_rtt_divisor);
	ca->hs_n_rtt_sample = READ_ONCE(hystart_n_rtt_sample);
	ca->hs_css_growth_divisor = READ_ONCE(hystart_css_growth_divisor);
	ca->hs_css_rounds_max = READ_ONCE(hystart_css_rounds);
	ca->hs_ack_delta = READ_ONCE(hystart_ack_delta_us);
}
