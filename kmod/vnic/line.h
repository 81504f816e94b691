/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ntvnic line: what the wire does to the frames of one direction (line.c).
 *
 * Each port's transmit direction has a line rate, a propagation delay and
 * a random loss rate. The rate is a serialisation clock shared by every
 * TX queue of the port (one wire): a frame's descriptor completes only
 * when its last bit has left at that rate, so the TX ring fills and BQL
 * and the qdisc hold the queue. Frames then travel for the delay in a
 * timestamped in-flight queue (one per TX queue, FIFO) and may be lost on
 * the way, one draw per frame on the wire.
 *
 * Locking: the settings are written under RTNL and read with READ_ONCE on
 * the packet path; free_at is updated with cmpxchg by the TX NAPIs of all
 * queues. Per TX queue, the clock state and stats are the TX NAPI's alone;
 * the in-flight queue is under its spinlock (the TX NAPI produces, the
 * delay timer, a softirq hrtimer, consumes; both run with BHs off).
 */
#ifndef NTVNIC_LINE_H
#define NTVNIC_LINE_H

#include <linux/hrtimer.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/u64_stats_sync.h>
#include <linux/atomic.h>

/* Settings of one direction, as NTVNIC_A_WIRE_* carry them. */
struct ntvnic_line_cfg {
	u64 rate;		/* bit/s, 0: unlimited */
	u32 delay_us;		/* propagation delay */
	u32 loss_ppm;		/* frames lost per million */
};

/* A port's transmit direction. */
struct ntvnic_line {
	struct ntvnic_line_cfg cfg;	/* RTNL writes, READ_ONCE reads */
	u64 loss_thresh;		/* loss_ppm scaled to 2^32 */
	atomic64_t free_at;		/* ns: the wire is busy until then */
};

/* Written by the TX NAPI. */
struct ntvnic_line_stats {
	u64 lost;		/* frames the wire lost (loss rate) */
	u64 waits;		/* the TX NAPI waited for the serialisation clock */
	u64 ring_full_ns;	/* TX queue stopped by a full TX ring */
	u64 bql_limited_ns;	/* TX queue stopped by BQL */
	struct u64_stats_sync syncp;
};

/* Written under the in-flight queue's lock. */
struct ntvnic_line_dstats {
	u64 delayed;		/* frames that went through the delay */
	u64 overflow;		/* frames beyond NTVNIC_LINE_MAX_INFLIGHT */
	u64 dropped;		/* arrived to a peer that was down or gone */
	struct u64_stats_sync syncp;
};

/* The line as one TX queue sees it. */
struct ntvnic_line_q {
	/* TX NAPI only */
	bool busy;		/* frames were waiting at the end of the last poll */
	bool held;		/* this poll stopped for the clock */
	/* The head frame has its slot on the wire, until reserved_end (ns). */
	bool reserved;
	u64 reserved_end;
	u64 left_at;		/* ns: the last bit of the last frame left */
	u64 now;		/* ktime of this poll */
	u64 sample_ns;		/* last queue state sample */
	bool sample_ring_full, sample_bql;
	struct hrtimer clock;	/* the wire is free again: TX interrupt */
	/* in flight */
	spinlock_t lock;
	struct sk_buff_head inflight;
	u64 inflight_bytes;
	struct hrtimer delay_timer;
	struct ntvnic_line_stats stats;
	struct ntvnic_line_dstats dstats;
};

/* Frame bytes the in-flight queue of one TX queue may hold. */
#define NTVNIC_LINE_MAX_INFLIGHT	(32U << 20)

#endif /* NTVNIC_LINE_H */
