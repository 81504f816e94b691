// SPDX-License-Identifier: GPL-2.0
/*
 * ntvnic line: the wire of one direction has a line rate, a propagation
 * delay and a random loss rate (nettune vnic set DEV rate R delay D loss L).
 *
 * Rate. A real port puts a frame on the wire bit by bit; its descriptor
 * completes when the last bit has left. Here the TX completion NAPI
 * (wire.c) asks ntvnic_line_clock() before it takes a descriptor: the
 * port's serialisation clock (free_at, shared by all its TX queues, as
 * they share one wire) says when the frame would have left. A frame that
 * has not left yet stays in the TX ring; the NAPI completes with the TX
 * interrupt still masked and an hrtimer raises it when the wire is free
 * (ntvnic_line_wait()). So the TX ring fills, the stack's queue stops
 * (BQL or a full ring) and the qdisc holds the backlog, as on a real
 * 100 Mbit/s port. A frame costs its bytes plus 24 (preamble and start
 * delimiter 8, FCS 4, inter-frame gap 12), at least 84; a TSO/GSO packet
 * costs each segment's headers too. A frame starts when the wire is free
 * and the frame was there: its departure time (skb->tstamp, which TCP
 * sets), or, without one, when the previous frame ended if frames were
 * waiting, else when the NAPI saw it. So the NAPI's and timers' latency
 * does not lower the rate (catching up at most NTVNIC_LINE_CATCHUP_NS).
 *
 * Loss and delay, at completion, for each frame on the wire: a frame is
 * lost with probability loss (counted, freed; the sender counted it as
 * transmitted, the wire lost it); a GSO packet is first cut into its
 * segments, which are drawn one by one. With a delay, frames wait in the
 * TX queue's in-flight queue, stamped with their arrival time, and a
 * softirq hrtimer hands them to the peer in order when they are due.
 *
 * Stopping a port (ntvnic_line_quiesce(), after its TX NAPI is disabled)
 * cancels both timers and drops the frames in flight (tx drops), so an
 * unload never leaves a timer or an skb behind.
 */
#include <linux/netdevice.h>
#include <linux/ethtool.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/random.h>
#include <net/genetlink.h>
#include "ntvnic.h"

/* Preamble and SFD 8, FCS 4, inter-frame gap 12. */
#define NTVNIC_LINE_OVERHEAD	24
/* How far the clock may catch up with frames that waited (late timers). */
#define NTVNIC_LINE_CATCHUP_NS	(50 * NSEC_PER_MSEC)

struct ntvnic_line_cb {
	u64 due;			/* ns: arrival at the peer */
};

#define NTVNIC_LINE_CB(skb)	((struct ntvnic_line_cb *)(skb)->cb)

static void ntvnic_line_count(struct ntvnic_line_stats *s, u64 *counter,
			      u64 n)
{
	u64_stats_update_begin(&s->syncp);
	*counter += n;
	u64_stats_update_end(&s->syncp);
}

static void ntvnic_line_dcount(struct ntvnic_line_dstats *s, u64 *counter,
			       u64 n)
{
	u64_stats_update_begin(&s->syncp);
	*counter += n;
	u64_stats_update_end(&s->syncp);
}

/* ---- rate ---------------------------------------------------------------- */

static u32 ntvnic_line_frame_bytes(u32 len)
{
	return max_t(u32, len, ETH_ZLEN) + NTVNIC_LINE_OVERHEAD;
}

/* Headers repeated in every segment of a GSO packet, from the MAC header. */
static u32 ntvnic_line_gso_hdr(const struct sk_buff *skb)
{
	u32 hdr;

	if (!skb_transport_header_was_set(skb))
		return 0;
	hdr = skb_transport_offset(skb);
	if (skb_shinfo(skb)->gso_type & (SKB_GSO_TCPV4 | SKB_GSO_TCPV6))
		return hdr + tcp_hdrlen(skb);
	if (skb_shinfo(skb)->gso_type & SKB_GSO_UDP_L4)
		return hdr + sizeof(struct udphdr);
	return hdr;
}

/* Bytes a TX ring entry puts on the wire, every segment of it. */
static u64 ntvnic_line_wire_bytes(void *ptr)
{
	const struct sk_buff *skb;
	u32 segs, hdr, size;

	if (ntvnic_ptr_is_xdp(ptr)) {
		const struct xdp_frame *frame = ntvnic_ptr_to_xdp(ptr);

		return ntvnic_line_frame_bytes(frame->len);
	}
	skb = ptr;
	if (!skb_is_gso(skb))
		return ntvnic_line_frame_bytes(skb->len);
	hdr = ntvnic_line_gso_hdr(skb);
	size = skb_shinfo(skb)->gso_size;
	segs = skb_shinfo(skb)->gso_segs;
	if (!segs && size && skb->len > hdr)
		segs = DIV_ROUND_UP(skb->len - hdr, size);
	segs = max_t(u32, segs, 1);
	return (u64)skb->len + (u64)(segs - 1) * hdr +
	       (u64)segs * NTVNIC_LINE_OVERHEAD;
}

/* When the frame was ready to leave, if the stack said so (TCP's EDT). */
static u64 ntvnic_line_ready(void *ptr, u64 now)
{
	const struct sk_buff *skb = ptr;

	if (ntvnic_ptr_is_xdp(ptr) || !skb->tstamp ||
	    !ntvnic_compat_tstamp_mono(skb))
		return 0;
	return min_t(u64, ktime_to_ns(skb->tstamp), now);
}

/*
 * TX NAPI, at the start of a poll of a rated port: the time, and the time
 * the queue spent stopped since the last poll (a full ring, BQL), from
 * the states seen then and now (half the interval when they differ).
 */
void ntvnic_line_poll_begin(struct ntvnic_txq *t)
{
	struct netdev_queue *txq = netdev_get_tx_queue(t->priv->dev, t->index);
	struct ntvnic_line_q *lq = &t->line;
	bool ring_full = test_bit(__QUEUE_STATE_DRV_XOFF, &txq->state);
	bool bql = test_bit(__QUEUE_STATE_STACK_XOFF, &txq->state);
	u64 now = ktime_get_ns();
	u64 dt = lq->sample_ns ? now - lq->sample_ns : 0;

	lq->now = now;
	lq->held = false;
	if (ring_full || bql || lq->sample_ring_full || lq->sample_bql) {
		u64_stats_update_begin(&lq->stats.syncp);
		if (ring_full || lq->sample_ring_full)
			lq->stats.ring_full_ns += ring_full == lq->sample_ring_full ?
						  dt : dt / 2;
		if (bql || lq->sample_bql)
			lq->stats.bql_limited_ns += bql == lq->sample_bql ?
						    dt : dt / 2;
		u64_stats_update_end(&lq->stats.syncp);
	}
	lq->sample_ns = now;
	lq->sample_ring_full = ring_full;
	lq->sample_bql = bql;
}

/*
 * TX NAPI, rated port: may the frame at the head of the ring complete?
 * Its slot on the wire is reserved the first time it is asked about; it
 * completes once its last bit has left. If not yet, the poll stops and
 * ntvnic_line_wait() waits for that moment (the frame stays at the head
 * of the ring, and keeps its slot).
 */
bool ntvnic_line_clock(struct ntvnic_txq *t, void *ptr)
{
	struct ntvnic_line *line = &t->priv->line;
	struct ntvnic_line_q *lq = &t->line;
	u64 rate = READ_ONCE(line->cfg.rate);
	u64 now = lq->now, free, start, end, ser, ready, earliest;

	if (!rate) {
		lq->reserved = false;
		return true;
	}
	if (!lq->reserved) {
		ser = div64_u64(ntvnic_line_wire_bytes(ptr) * 8 * NSEC_PER_SEC,
				rate);
		/* Waiting frames follow the previous one back to back. */
		ready = ntvnic_line_ready(ptr, now);
		if (!ready)
			ready = lq->busy ? 0 : now;
		earliest = now - min_t(u64, now, NTVNIC_LINE_CATCHUP_NS);
		ready = max(ready, earliest);
		do {
			free = atomic64_read(&line->free_at);
			start = max(free, ready);
			end = start + ser;
		} while (atomic64_cmpxchg(&line->free_at, free, end) != free);
		lq->reserved = true;
		lq->reserved_end = end;
	}
	lq->busy = true;
	if (lq->reserved_end > now) {
		lq->held = true;
		return false;
	}
	lq->reserved = false;
	lq->left_at = lq->reserved_end;
	return true;
}

/*
 * TX NAPI, after napi_complete_done() of a rated port's poll. If the poll
 * stopped for the clock, the TX interrupt stays masked and the clock
 * timer raises it when the wire is free: returns true. Else the ring was
 * empty (no frame waits) and the caller re-arms the interrupt.
 */
bool ntvnic_line_wait(struct ntvnic_txq *t)
{
	struct ntvnic_line_q *lq = &t->line;

	if (!lq->held) {
		lq->busy = false;
		return false;
	}
	ntvnic_line_count(&lq->stats, &lq->stats.waits, 1);
	hrtimer_start(&lq->clock, ns_to_ktime(lq->reserved_end),
		      HRTIMER_MODE_ABS);
	return true;
}

/* Hardirq: the wire is free for the waiting frame; the TX interrupt. */
static enum hrtimer_restart ntvnic_line_clock_fn(struct hrtimer *timer)
{
	struct ntvnic_line_q *lq = container_of(timer, struct ntvnic_line_q,
						clock);
	struct ntvnic_txq *t = container_of(lq, struct ntvnic_txq, line);

	ntvnic_irq_rearm(&t->irq);
	return HRTIMER_NORESTART;
}

/* ---- loss and delay ------------------------------------------------------ */

static bool ntvnic_line_draw_loss(u64 thresh)
{
	return thresh && (u64)get_random_u32() < thresh;
}

/* TX NAPI: frame skb travels for delay_us in t's in-flight queue. */
static void ntvnic_line_delay(struct ntvnic_txq *t, struct sk_buff *skb,
			      u32 delay_us)
{
	struct ntvnic_line_q *lq = &t->line;
	u64 now = ktime_get_ns(), due;
	bool was_empty;

	/* From when its last bit left (a rated line), else from now. */
	if (ntvnic_line_rated(t->priv) && lq->left_at)
		now = min(now, lq->left_at);
	due = now + (u64)delay_us * NSEC_PER_USEC;

	NTVNIC_LINE_CB(skb)->due = due;
	/* Completed: the sender's socket no longer pays for it (TSQ). */
	skb_orphan(skb);
	spin_lock(&lq->lock);
	if (lq->inflight_bytes + skb->len > NTVNIC_LINE_MAX_INFLIGHT) {
		ntvnic_line_dcount(&lq->dstats, &lq->dstats.overflow, 1);
		spin_unlock(&lq->lock);
		kfree_skb(skb);
		return;
	}
	was_empty = skb_queue_empty(&lq->inflight);
	__skb_queue_tail(&lq->inflight, skb);
	lq->inflight_bytes += skb->len;
	ntvnic_line_dcount(&lq->dstats, &lq->dstats.delayed, 1);
	/*
	 * The timer is running or armed iff the queue is not empty: the
	 * callback re-arms itself under the lock while frames remain.
	 */
	if (was_empty)
		hrtimer_start(&lq->delay_timer, ns_to_ktime(due),
			      HRTIMER_MODE_ABS_SOFT);
	spin_unlock(&lq->lock);
}

/* Softirq: hand the frames that are due to the peer, in order. */
static enum hrtimer_restart ntvnic_line_delay_fn(struct hrtimer *timer)
{
	struct ntvnic_line_q *lq = container_of(timer, struct ntvnic_line_q,
						delay_timer);
	struct ntvnic_txq *t = container_of(lq, struct ntvnic_txq, line);
	enum hrtimer_restart ret = HRTIMER_NORESTART;
	u64 now = ktime_get_ns();
	struct sk_buff_head due;
	struct sk_buff *skb;
	unsigned int dropped = 0;

	__skb_queue_head_init(&due);
	spin_lock(&lq->lock);
	while ((skb = skb_peek(&lq->inflight)) &&
	       NTVNIC_LINE_CB(skb)->due <= now) {
		__skb_unlink(skb, &lq->inflight);
		lq->inflight_bytes -= skb->len;
		__skb_queue_tail(&due, skb);
	}
	if (skb) {
		hrtimer_set_expires(timer, ns_to_ktime(NTVNIC_LINE_CB(skb)->due));
		ret = HRTIMER_RESTART;
	}
	spin_unlock(&lq->lock);

	rcu_read_lock();
	while ((skb = __skb_dequeue(&due))) {
		memset(skb->cb, 0, sizeof(skb->cb));
		if (!ntvnic_wire_carry(t->priv, skb))
			dropped++;
	}
	rcu_read_unlock();
	if (dropped) {
		spin_lock(&lq->lock);
		ntvnic_line_dcount(&lq->dstats, &lq->dstats.dropped, dropped);
		spin_unlock(&lq->lock);
	}
	return ret;
}

/* One frame on the wire: lost, delayed or carried at once. */
static void ntvnic_line_send(struct ntvnic_txq *t, struct sk_buff *skb,
			     u64 thresh, u32 delay_us)
{
	if (ntvnic_line_draw_loss(thresh)) {
		ntvnic_line_count(&t->line.stats, &t->line.stats.lost, 1);
		kfree_skb(skb);
		return;
	}
	if (delay_us) {
		ntvnic_line_delay(t, skb, delay_us);
		return;
	}
	if (!ntvnic_wire_carry(t->priv, skb)) {
		spin_lock(&t->line.lock);
		ntvnic_line_dcount(&t->line.dstats, &t->line.dstats.dropped, 1);
		spin_unlock(&t->line.lock);
	}
}

/*
 * TX NAPI, under RCU: a completed TX descriptor's skb goes on the wire.
 * Returns false if the wire could not carry it (a tx drop). Frames the
 * line loses or delays count as carried: the port sent them.
 */
bool ntvnic_line_xmit(struct ntvnic_txq *t, struct sk_buff *skb)
{
	struct ntvnic_line *line = &t->priv->line;
	u64 thresh = READ_ONCE(line->loss_thresh);
	u32 delay_us = READ_ONCE(line->cfg.delay_us);
	struct sk_buff *segs, *next;

	if (likely(!thresh && !delay_us))
		return ntvnic_wire_carry(t->priv, skb);
	if (!thresh || !skb_is_gso(skb)) {
		ntvnic_line_send(t, skb, thresh, delay_us);
		return true;
	}
	/* Loss is per frame on the wire: cut a GSO packet into them. */
	segs = skb_gso_segment(skb, NETIF_F_SG | NETIF_F_HW_CSUM);
	if (IS_ERR_OR_NULL(segs)) {
		ntvnic_line_send(t, skb, thresh, delay_us);
		return true;
	}
	consume_skb(skb);
	skb_list_walk_safe(segs, skb, next) {
		skb_mark_not_on_list(skb);
		ntvnic_line_send(t, skb, thresh, delay_us);
	}
	return true;
}

/* ---- life cycle ---------------------------------------------------------- */

/* Once per TX queue, before the device is registered. */
void ntvnic_line_init(struct ntvnic_txq *t)
{
	struct ntvnic_line_q *lq = &t->line;

	spin_lock_init(&lq->lock);
	__skb_queue_head_init(&lq->inflight);
	hrtimer_init(&lq->clock, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	lq->clock.function = ntvnic_line_clock_fn;
	hrtimer_init(&lq->delay_timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_SOFT);
	lq->delay_timer.function = ntvnic_line_delay_fn;
	u64_stats_init(&lq->stats.syncp);
	u64_stats_init(&lq->dstats.syncp);
}

/*
 * RTNL, the TX NAPI disabled (nothing starts the timers any more): cancel
 * them, drop the frames in flight (counted as tx drops) and forget the
 * clock state.
 */
void ntvnic_line_quiesce(struct ntvnic_txq *t)
{
	struct ntvnic_line_q *lq = &t->line;
	unsigned int n;

	hrtimer_cancel(&lq->clock);
	hrtimer_cancel(&lq->delay_timer);
	spin_lock_bh(&lq->lock);
	n = skb_queue_len(&lq->inflight);
	__skb_queue_purge(&lq->inflight);
	lq->inflight_bytes = 0;
	spin_unlock_bh(&lq->lock);
	if (n) {
		u64_stats_update_begin(&t->done.syncp);
		t->done.drops += n;
		u64_stats_update_end(&t->done.syncp);
	}
	lq->busy = false;
	lq->held = false;
	lq->reserved = false;
	lq->sample_ns = 0;
	lq->sample_ring_full = false;
	lq->sample_bql = false;
}

/* ---- configuration ------------------------------------------------------- */

/*
 * The policy checks the ranges; this the gap between 0 (unlimited) and
 * the lowest rate, with a message that names it.
 */
int ntvnic_line_validate(const struct ntvnic_line_cfg *cfg,
			 struct netlink_ext_ack *extack)
{
	if (cfg->rate && cfg->rate < NTVNIC_MIN_WIRE_RATE) {
		NL_SET_ERR_MSG(extack,
			       "ntvnic: wire rate must be 0 (unlimited) or between 100 kbit/s and 100 Gbit/s");
		return -EINVAL;
	}
	if (cfg->rate > NTVNIC_MAX_WIRE_RATE) {
		NL_SET_ERR_MSG(extack,
			       "ntvnic: wire rate must be 0 (unlimited) or between 100 kbit/s and 100 Gbit/s");
		return -EINVAL;
	}
	if (cfg->delay_us > NTVNIC_MAX_WIRE_DELAY) {
		NL_SET_ERR_MSG(extack, "ntvnic: wire delay must be between 0 and 1 s");
		return -EINVAL;
	}
	if (cfg->loss_ppm > NTVNIC_MAX_WIRE_LOSS) {
		NL_SET_ERR_MSG(extack, "ntvnic: wire loss must be between 0 and 100%");
		return -EINVAL;
	}
	return 0;
}

/* The request's NTVNIC_A_WIRE_* over cur's settings (NULL: none), checked. */
int ntvnic_line_from_attrs(struct nlattr **tb, const struct ntvnic_priv *cur,
			   struct ntvnic_line_cfg *cfg,
			   struct netlink_ext_ack *extack)
{
	memset(cfg, 0, sizeof(*cfg));
	if (cur)
		*cfg = cur->line.cfg;
	if (tb[NTVNIC_A_WIRE_RATE])
		cfg->rate = nla_get_u64(tb[NTVNIC_A_WIRE_RATE]);
	if (tb[NTVNIC_A_WIRE_DELAY])
		cfg->delay_us = nla_get_u32(tb[NTVNIC_A_WIRE_DELAY]);
	if (tb[NTVNIC_A_WIRE_LOSS])
		cfg->loss_ppm = nla_get_u32(tb[NTVNIC_A_WIRE_LOSS]);
	return ntvnic_line_validate(cfg, extack);
}

/* RTNL. Applies at once; the packet path reads each value once a frame. */
void ntvnic_line_apply(struct ntvnic_priv *priv,
		       const struct ntvnic_line_cfg *cfg)
{
	struct ntvnic_line *line = &priv->line;

	WRITE_ONCE(line->cfg.rate, cfg->rate);
	WRITE_ONCE(line->cfg.delay_us, cfg->delay_us);
	WRITE_ONCE(line->cfg.loss_ppm, cfg->loss_ppm);
	WRITE_ONCE(line->loss_thresh,
		   div_u64((u64)cfg->loss_ppm << 32, NTVNIC_MAX_WIRE_LOSS));
}

/* Link speed for ethtool, Mb/s: the line rate, or NTVNIC_LINK_SPEED. */
u32 ntvnic_line_speed(const struct ntvnic_priv *priv)
{
	u64 rate = READ_ONCE(priv->line.cfg.rate);

	if (!rate)
		return NTVNIC_LINK_SPEED;
	return max_t(u32, div_u64(rate + 500000, 1000000), 1);
}

int ntvnic_line_fill(struct sk_buff *skb, const struct ntvnic_priv *priv)
{
	const struct ntvnic_line_cfg *cfg = &priv->line.cfg;

	if (nla_put_u64_64bit(skb, NTVNIC_A_WIRE_RATE, READ_ONCE(cfg->rate),
			      NTVNIC_A_PAD) ||
	    nla_put_u32(skb, NTVNIC_A_WIRE_DELAY, READ_ONCE(cfg->delay_us)) ||
	    nla_put_u32(skb, NTVNIC_A_WIRE_LOSS, READ_ONCE(cfg->loss_ppm)))
		return -EMSGSIZE;
	return 0;
}

/* ---- statistics ---------------------------------------------------------- */

struct ntvnic_line_figures {
	u64 lost, waits, delayed, dropped, ring_full_us, bql_limited_us;
};

static void ntvnic_line_read(struct ntvnic_txq *t, struct ntvnic_line_figures *f)
{
	struct ntvnic_line_q *lq = &t->line;
	unsigned int start;
	u64 ring_full_ns, bql_ns;

	do {
		start = u64_stats_fetch_begin(&lq->stats.syncp);
		f->lost = lq->stats.lost;
		f->waits = lq->stats.waits;
		ring_full_ns = lq->stats.ring_full_ns;
		bql_ns = lq->stats.bql_limited_ns;
	} while (u64_stats_fetch_retry(&lq->stats.syncp, start));
	do {
		start = u64_stats_fetch_begin(&lq->dstats.syncp);
		f->delayed = lq->dstats.delayed;
		f->dropped = lq->dstats.overflow + lq->dstats.dropped;
	} while (u64_stats_fetch_retry(&lq->dstats.syncp, start));
	f->ring_full_us = div_u64(ring_full_ns, NSEC_PER_USEC);
	f->bql_limited_us = div_u64(bql_ns, NSEC_PER_USEC);
}

static const char ntvnic_line_stat_names[][ETH_GSTRING_LEN] = {
	"wire_lost", "wire_waits", "wire_delayed", "wire_dropped",
	"ring_full_us", "bql_limited_us",
};

#define NTVNIC_LINE_STATS	ARRAY_SIZE(ntvnic_line_stat_names)

int ntvnic_line_fill_queue(struct sk_buff *skb, struct ntvnic_txq *t)
{
	struct ntvnic_line_figures f;

	ntvnic_line_read(t, &f);
	if (nla_put_u64_64bit(skb, NTVNIC_QA_TX_WIRE_LOST, f.lost, NTVNIC_QA_PAD) ||
	    nla_put_u64_64bit(skb, NTVNIC_QA_TX_WIRE_WAITS, f.waits, NTVNIC_QA_PAD) ||
	    nla_put_u64_64bit(skb, NTVNIC_QA_TX_WIRE_DELAYED, f.delayed,
			      NTVNIC_QA_PAD) ||
	    nla_put_u64_64bit(skb, NTVNIC_QA_TX_WIRE_DROPPED, f.dropped,
			      NTVNIC_QA_PAD) ||
	    nla_put_u64_64bit(skb, NTVNIC_QA_TX_RING_FULL_US, f.ring_full_us,
			      NTVNIC_QA_PAD) ||
	    nla_put_u64_64bit(skb, NTVNIC_QA_TX_BQL_LIMITED_US, f.bql_limited_us,
			      NTVNIC_QA_PAD))
		return -EMSGSIZE;
	return 0;
}

/* ethtool -S: tx_queue_N_wire_* after the driver's other counters. */
int ntvnic_line_sset_count(const struct ntvnic_priv *priv)
{
	return priv->cfg.queues * NTVNIC_LINE_STATS;
}

void ntvnic_line_get_strings(const struct ntvnic_priv *priv, u8 **buf)
{
	unsigned int q, i;

	for (q = 0; q < priv->cfg.queues; q++)
		for (i = 0; i < NTVNIC_LINE_STATS; i++)
			ethtool_sprintf(buf, "tx_queue_%u_%s", q,
					ntvnic_line_stat_names[i]);
}

void ntvnic_line_get_stats(struct ntvnic_priv *priv, u64 **data)
{
	struct ntvnic_line_figures f;
	unsigned int q;

	for (q = 0; q < priv->cfg.queues; q++) {
		ntvnic_line_read(&priv->txq[q], &f);
		*(*data)++ = f.lost;
		*(*data)++ = f.waits;
		*(*data)++ = f.delayed;
		*(*data)++ = f.dropped;
		*(*data)++ = f.ring_full_us;
		*(*data)++ = f.bql_limited_us;
	}
}
