// SPDX-License-Identifier: GPL-2.0
/*
 * ntvnic transmit path: TX ring, doorbell, TX completion interrupt, the
 * wire, BQL and queue stop/wake.
 *
 * ndo_start_xmit runs under the TX queue lock (the driver is not LLTX)
 * with BHs off. Like a NIC driver it only posts the skb in the TX queue's
 * descriptor ring, tells BQL, stops the queue when the ring is full and
 * rings the doorbell at the end of an xmit_more batch. The doorbell raises
 * the TX queue's interrupt "<dev>-tx-<q>" on its affinity CPU (irq.c).
 *
 * The handler masks that interrupt and schedules the queue's TX NAPI,
 * which plays the NIC and its completion: it takes up to budget
 * descriptors, puts each packet on the wire -- __dev_forward_skb to the
 * peer as veth does, the peer's RSS picks the RX queue, the skb goes into
 * that RX ring (napi.c), which raises the peer's RX interrupt -- then
 * frees the descriptors, reports them to BQL and wakes the queue if it
 * was stopped. XDP frames (XDP_TX, ndo_xdp_xmit; xdp.c) share the ring
 * and the doorbell, and are carried as copies. Packets the wire cannot
 * carry (peer down, gone, or the frame too big) are tx drops, counted at
 * completion as a NIC would.
 *
 * Stop/wake: the producer stops the queue when the ring is full, then
 * re-checks after a barrier; the consumer frees slots, then (after a
 * barrier) wakes a stopped queue under the TX queue lock once a quarter
 * of the ring is free. The lock makes stops and wakes pair exactly.
 */
#include <linux/netdevice.h>
#include <linux/etherdevice.h>
#include <net/xdp.h>
#include "ntvnic.h"

u32 ntvnic_tx_ring_used(struct ntvnic_txq *t)
{
	return READ_ONCE(t->prod) - READ_ONCE(t->cons);
}

u32 ntvnic_tx_pending(struct ntvnic_qirq *irq)
{
	return ntvnic_tx_ring_used(container_of(irq, struct ntvnic_txq, irq));
}

static u32 ntvnic_tx_wake_threshold(const struct ntvnic_txq *t)
{
	return max_t(u32, t->size / 4, 1);
}

static void ntvnic_txx_count(struct ntvnic_txq *t, u64 *counter)
{
	u64_stats_update_begin(&t->xmit.syncp);
	(*counter)++;
	u64_stats_update_end(&t->xmit.syncp);
}

/* Under the TX queue lock, ring full: stop, unless completions raced us. */
static void ntvnic_tx_stop(struct ntvnic_txq *t, struct netdev_queue *txq)
{
	netif_tx_stop_queue(txq);
	ntvnic_txx_count(t, &t->xmit.stops);
	/* Pairs with the barrier in ntvnic_tx_complete(). */
	smp_mb();
	if (t->size - (t->prod - READ_ONCE(t->cons)) >=
	    ntvnic_tx_wake_threshold(t)) {
		netif_tx_start_queue(txq);
		ntvnic_txx_count(t, &t->xmit.wakes);
	}
}

/*
 * Under the TX queue lock: the doorbell, for the descriptors posted up to
 * prod. The interrupt's frames threshold counts them all (an xmit_more
 * batch, XDP frames posted without a kick).
 */
static void ntvnic_tx_kick(struct ntvnic_txq *t, u32 prod)
{
	u32 posted = prod - t->kicked;

	t->kicked = prod;
	ntvnic_txx_count(t, &t->xmit.kicks);
	/* Pairs with ntvnic_irq_rearm(): it sees the slots or we see armed. */
	smp_mb();
	ntvnic_irq_notify(&t->irq, posted);
}

netdev_tx_t ntvnic_start_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct ntvnic_priv *priv = ntvnic_priv(dev);
	u16 qi = skb_get_queue_mapping(skb);
	struct netdev_queue *txq = netdev_get_tx_queue(dev, qi);
	struct ntvnic_txq *t = &priv->txq[qi];
	u32 prod;
	bool kick;

	/*
	 * A queue beyond the active count has no ring. The stack picks
	 * queues below real_num_tx_queues, but pktgen (and anything else
	 * that mapped the skb before an ethtool -L) may still hand us one,
	 * because netif_tx_start_all_queues() starts every queue. Drop it,
	 * counted on that queue: its NAPI does not exist and its last purge
	 * ran under netif_tx_disable(), so this TX lock serialises the count.
	 */
	if (unlikely(qi >= READ_ONCE(priv->cfg.queues))) {
		u64_stats_update_begin(&t->done.syncp);
		t->done.drops++;
		u64_stats_update_end(&t->done.syncp);
		dev_kfree_skb_any(skb);
		return NETDEV_TX_OK;
	}

	prod = t->prod;
	/* Cannot happen while the stop/wake protocol holds; as NICs do. */
	if (unlikely(prod - smp_load_acquire(&t->cons) >= t->size)) {
		netif_tx_stop_queue(txq);
		ntvnic_txx_count(t, &t->xmit.stops);
		netdev_err_once(dev, "TX ring %u full with the queue awake\n", qi);
		return NETDEV_TX_BUSY;
	}

	skb_tx_timestamp(skb);
	/*
	 * BQL first: a TX NAPI already polling on another CPU may complete
	 * the packet as soon as prod is published (a NIC could not before
	 * the doorbell), and dql must never see more completed than queued.
	 * Doorbell at the end of an xmit_more batch.
	 */
	kick = __netdev_tx_sent_queue(txq, skb->len, netdev_xmit_more());
	t->ring[prod & (t->size - 1)] = skb;
	/* The slot is written before the consumer can see it. */
	smp_store_release(&t->prod, prod + 1);
	/* skb may be gone from here on. */

	if (prod + 1 - READ_ONCE(t->cons) >= t->size) {
		ntvnic_tx_stop(t, txq);
		kick = true;	/* and always when the queue stopped */
	}
	if (!kick)
		return NETDEV_TX_OK;

	ntvnic_tx_kick(t, prod + 1);
	return NETDEV_TX_OK;
}

/*
 * XDP frames (XDP_TX from RX queue N, ndo_xdp_xmit) into TX queue t's
 * ring, under its TX queue lock like ndo_start_xmit: a prefix of frames,
 * as many as the ring has room for, none while the port is down or t is
 * beyond the queue count. BQL does not see them (the stack did not queue
 * them). The doorbell rings if kick, or when the ring filled (then the
 * stack's queue stops too, as in ndo_start_xmit). Returns how many were
 * posted.
 */
unsigned int ntvnic_tx_post_xdp(struct ntvnic_txq *t, struct xdp_frame **frames,
				unsigned int n, bool kick)
{
	struct ntvnic_priv *priv = t->priv;
	struct netdev_queue *txq;
	unsigned int i;
	u32 prod;

	/* Pairs with the release in ntvnic_datapath_up(): the ring exists. */
	if (unlikely(!smp_load_acquire(&priv->tx_open) || !t->ring ||
		     t->index >= READ_ONCE(priv->cfg.queues)))
		return 0;
	prod = t->prod;
	/* Pairs with the release in ntvnic_tx_complete(): slots are free. */
	n = min(n, t->size - (prod - smp_load_acquire(&t->cons)));
	for (i = 0; i < n; i++) {
		/* The wire carries one buffer per frame. */
		if (unlikely(xdp_frame_has_frags(frames[i])))
			break;
		t->ring[(prod + i) & (t->size - 1)] = ntvnic_xdp_to_ptr(frames[i]);
	}
	n = i;
	if (!n)
		return 0;
	/* The slots are written before the consumer can see them. */
	smp_store_release(&t->prod, prod + n);

	txq = netdev_get_tx_queue(priv->dev, t->index);
	if (prod + n - READ_ONCE(t->cons) >= t->size) {
		if (!netif_tx_queue_stopped(txq))
			ntvnic_tx_stop(t, txq);
		kick = true;
	}
	if (kick)
		ntvnic_tx_kick(t, prod + n);
	return n;
}

/*
 * The wire: carry skb to the peer's RX ring. Softirq (TX NAPI), under RCU.
 * Returns false if the wire could not carry it (skb freed, a tx drop). A
 * full RX ring at the peer is the receiver's drop (rx_missed/rx_fifo,
 * counted in ntvnic_rxq_enqueue): the wire carried the packet.
 */
bool ntvnic_wire_carry(struct ntvnic_priv *priv, struct sk_buff *skb)
{
	struct net_device *peer = rcu_dereference(priv->peer);
	struct ntvnic_priv *ppriv;
	unsigned int nq, qi;

	if (unlikely(!peer)) {
		kfree_skb_reason(skb, SKB_DROP_REASON_DEV_READY);
		return false;
	}
	ppriv = ntvnic_priv(peer);
	/* rx_enabled false: the peer is down or reconfiguring its rings. */
	if (unlikely(!smp_load_acquire(&ppriv->rx_enabled))) {
		kfree_skb_reason(skb, SKB_DROP_REASON_DEV_READY);
		return false;
	}
	nq = READ_ONCE(ppriv->cfg.queues);

	/* Frees skb on failure (peer down, too big). */
	if (unlikely(__dev_forward_skb(peer, skb) != NET_RX_SUCCESS))
		return false;

	qi = ntvnic_rss_steer(ppriv, skb, nq);
	/* A program on the peer's port: the frame goes into a page (xdp.c). */
	if (ntvnic_xdp_wire_wants(ppriv, &ppriv->rxq[qi], skb)) {
		ntvnic_xdp_wire_dma(&ppriv->rxq[qi], skb);
		return true;
	}
	skb_record_rx_queue(skb, qi);
	/* No RX descriptor: rx_missed, SKB_DROP_REASON_FULL_RING (5.19+). */
	if (unlikely(ntvnic_rxq_enqueue(&ppriv->rxq[qi], skb)))
		kfree_skb_reason(skb, SKB_DROP_REASON_FULL_RING);
	return true;
}

/*
 * The offloads one TX poll's packets used, counted in registers and added
 * to the queue's counters once at the end of the poll.
 */
struct ntvnic_tx_offl {
	unsigned int csum, tso, segs, sg;
};

static void ntvnic_txc_account(struct ntvnic_txq *t, unsigned int carried,
			       u64 bytes, unsigned int dropped,
			       const struct ntvnic_tx_offl *o)
{
	u64_stats_update_begin(&t->done.syncp);
	t->done.packets += carried;
	t->done.bytes += bytes;
	t->done.drops += dropped;
	t->done.polls++;
	t->done.csum_offload += o->csum;
	t->done.tso_packets += o->tso;
	t->done.tso_segs += o->segs;
	t->done.sg_packets += o->sg;
	u64_stats_update_end(&t->done.syncp);
}

/* TX NAPI: descriptors up to cons are free again; tell BQL, maybe wake. */
static void ntvnic_tx_complete(struct ntvnic_txq *t, u32 cons,
			       unsigned int pkts, unsigned int bytes)
{
	struct netdev_queue *txq = netdev_get_tx_queue(t->priv->dev, t->index);

	/* The slots were emptied before the producer may reuse them. */
	smp_store_release(&t->cons, cons);
	netdev_tx_completed_queue(txq, pkts, bytes);
	/* Pairs with the barrier in ntvnic_tx_stop(). */
	smp_mb();
	if (likely(!netif_tx_queue_stopped(txq)))
		return;
	__netif_tx_lock(txq, smp_processor_id());
	if (netif_tx_queue_stopped(txq) && READ_ONCE(t->priv->tx_open) &&
	    t->size - (t->prod - cons) >= ntvnic_tx_wake_threshold(t)) {
		netif_tx_wake_queue(txq);
		ntvnic_txx_count(t, &t->xmit.wakes);
	}
	__netif_tx_unlock(txq);
}

/* Wire frames a TSO/GSO packet makes (gso_segs, or from gso_size). */
static unsigned int ntvnic_tso_segs(const struct sk_buff *skb)
{
	const struct skb_shared_info *sh = skb_shinfo(skb);
	unsigned int hdr;

	if (sh->gso_segs)
		return sh->gso_segs;
	hdr = skb_transport_header_was_set(skb) ? skb_transport_offset(skb) : 0;
	if (!sh->gso_size || skb->len <= hdr)
		return 1;
	return DIV_ROUND_UP(skb->len - hdr, sh->gso_size);
}

/*
 * The offloads an skb asks of the "hardware" (the stack only hands them
 * over while the feature is on, ethtool -K): TSO/GSO (the wire carries
 * it as its train of segments, line.c and napi.c), the L4 checksum of
 * each of its frames (CHECKSUM_PARTIAL: the frame on the wire is
 * complete; the receiving port fills the bytes only if someone reads
 * them, napi.c and xdp.c), scatter-gather (page fragments).
 */
static void ntvnic_tx_offl_count(const struct sk_buff *skb,
				 struct ntvnic_tx_offl *o)
{
	unsigned int frames = 1;

	if (skb_is_gso(skb)) {
		frames = ntvnic_tso_segs(skb);
		o->tso++;
		o->segs += frames;
	}
	if (skb->ip_summed == CHECKSUM_PARTIAL)
		o->csum += frames;
	if (skb_is_nonlinear(skb))
		o->sg++;
}

/*
 * One descriptor onto the wire: an skb the stack sent (BQL knows it), or
 * an XDP frame (XDP_TX, ndo_xdp_xmit), carried as a copy in a new skb.
 * Returns false if the wire could not carry it.
 */
static bool ntvnic_tx_carry(struct ntvnic_txq *t, void *ptr, unsigned int *len,
			    unsigned int *bql_pkts, unsigned int *bql_bytes,
			    struct ntvnic_tx_offl *o)
{
	struct sk_buff *skb;

	if (ntvnic_ptr_is_xdp(ptr)) {
		struct xdp_frame *frame = ntvnic_ptr_to_xdp(ptr);

		*len = frame->len;
		skb = ntvnic_xdp_frame_to_skb(&t->napi, frame);
		return skb && ntvnic_line_xmit(t, skb);
	}
	skb = ptr;
	*len = skb->len;
	ntvnic_tx_offl_count(skb, o);
	(*bql_pkts)++;
	*bql_bytes += skb->len;
	return ntvnic_line_xmit(t, skb);	/* loss, delay (line.c) */
}

/*
 * TX completion NAPI, softirq (or the NAPI thread) on the CPU the TX
 * interrupt was raised on: carry up to budget packets, complete them,
 * re-enable the interrupt once the ring is empty.
 */
int ntvnic_tx_poll(struct napi_struct *napi, int budget)
{
	struct ntvnic_txq *t = container_of(napi, struct ntvnic_txq, napi);
	/* Pairs with the release in ntvnic_start_xmit(): slots are written. */
	u32 cons = t->cons, prod = smp_load_acquire(&t->prod);
	unsigned int done = 0, carried = 0, bql_pkts = 0, bql_bytes = 0;
	bool rated = ntvnic_line_rated(t->priv);
	struct ntvnic_tx_offl offl = {};
	u64 carried_bytes = 0;
	unsigned int len;
	void *ptr;

	if (unlikely(rated))
		ntvnic_line_poll_begin(t);
	rcu_read_lock();
	while (cons != prod && done < budget) {
		ptr = t->ring[cons & (t->size - 1)];
		/* A line rate: the frame completes once it has left (line.c). */
		if (unlikely(rated) && !ntvnic_line_clock(t, ptr))
			break;
		t->ring[cons & (t->size - 1)] = NULL;
		if (ntvnic_tx_carry(t, ptr, &len, &bql_pkts, &bql_bytes,
				    &offl)) {
			carried++;
			carried_bytes += len;
		}
		done++;
		cons++;
	}
	rcu_read_unlock();
	ntvnic_txc_account(t, carried, carried_bytes, done - carried, &offl);
	if (done)
		ntvnic_tx_complete(t, cons, bql_pkts, bql_bytes);

	if (done < budget && napi_complete_done(napi, done)) {
		ntvnic_dim_tx(t);
		/* Frames wait for the wire: its clock raises the interrupt. */
		if (unlikely(rated) && ntvnic_line_wait(t))
			return done;
		ntvnic_irq_rearm(&t->irq);
	}
	return done;
}

/* The TX completion interrupt, hardirq on the queue's affinity CPU. */
irqreturn_t ntvnic_tx_irq(int irq, void *data)
{
	struct ntvnic_txq *t = data;

	u64_stats_update_begin(&t->irq.stats.syncp);
	t->irq.stats.irqs++;
	u64_stats_update_end(&t->irq.stats.syncp);
	WRITE_ONCE(t->irq.armed, false);
	napi_schedule_irqoff(&t->napi);
	return IRQ_HANDLED;
}

/*
 * RTNL, TX queue disabled and TX NAPI off: drop what the wire never
 * carried, count it as tx drops, reset BQL. Returns the number dropped.
 */
unsigned int ntvnic_tx_purge(struct ntvnic_txq *t)
{
	unsigned int n = 0;

	while (t->cons != t->prod) {
		void *ptr = t->ring[t->cons & (t->size - 1)];

		if (ntvnic_ptr_is_xdp(ptr))
			xdp_return_frame(ntvnic_ptr_to_xdp(ptr));
		else
			kfree_skb(ptr);
		t->ring[t->cons & (t->size - 1)] = NULL;
		t->cons++;
		n++;
	}
	if (n) {
		u64_stats_update_begin(&t->done.syncp);
		t->done.drops += n;
		u64_stats_update_end(&t->done.syncp);
	}
	netdev_tx_reset_queue(netdev_get_tx_queue(t->priv->dev, t->index));
	return n;
}
