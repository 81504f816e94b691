/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tcp_ntcubic internals shared by its files: the tunables (params.c),
 * HyStart++ (hystart.c) and the congestion-control ops (ntcubic.c).
 */
#ifndef _NTCUBIC_H
#define _NTCUBIC_H

#include <net/tcp.h>
#include <uapi/linux/ntcubic.h>

#include "ntcubic_math.h"

/* params.c: copies the current tunables into a socket's state. */
void ntcubic_params_snapshot(struct ntcubic_state *ca);

/* hystart.c */
void ntcubic_hystart_reset(struct sock *sk, struct ntcubic_state *ca);
void ntcubic_hystart_acked(struct sock *sk, struct ntcubic_state *ca, u32 rtt_us);
void ntcubic_hystart_css_grow(struct sock *sk, struct ntcubic_state *ca, u32 acked);

/* ntcubic.c: emits the ntcubic:ntcubic_update tracepoint. */
void ntcubic_trace(const struct sock *sk, const struct ntcubic_state *ca, u8 event,
		   u32 cwnd, u32 ssthresh);

static inline struct ntcubic_state *ntcubic_ca(const struct sock *sk)
{
	return inet_csk_ca(sk);
}

#endif /* _NTCUBIC_H */
