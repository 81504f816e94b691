// SPDX-License-Identifier: GPL-2.0
/*
 * ntvnic receive side: the RX ring, NAPI polling and the legacy mode.
 *
 * Each RX queue has a ptr_ring of skbs, or of pages the wire wrote a frame
 * into while an XDP program is loaded (xdp.c). Senders (the peer's
 * ndo_start_xmit, any CPU) produce under the ring's producer lock; the
 * single consumer is the queue's NAPI poll (NAPI mode) or its IRQ handler
 * (legacy mode), which never run at the same time for one queue.
 */
#include <linux/netdevice.h>
#include <linux/etherdevice.h>
#include <net/busy_poll.h>
#include <net/sock.h>
#include "ntvnic.h"

/*
 * The "DMA": put skb in the ring, or count a ring-full drop as a NIC's
 * rx_missed/rx_fifo counter would. Called under RCU with BHs off. Returns
 * 0 if queued, -ENOSPC if the ring was full (the caller frees skb).
 */
int ntvnic_rxq_enqueue(struct ntvnic_rxq *q, struct sk_buff *skb)
{
	int err;

	spin_lock(&q->ring.producer_lock);
	err = __ptr_ring_produce(&q->ring, skb);
	if (unlikely(err)) {
		u64_stats_update_begin(&q->rxp.syncp);
		q->rxp.ring_full++;
		u64_stats_update_end(&q->rxp.syncp);
	}
	spin_unlock(&q->ring.producer_lock);
	if (err)
		return err;
	ntvnic_rxq_notify(q);
	return 0;
}

/* A sender published an entry in q's ring: raise the RX interrupt. */
void ntvnic_rxq_notify(struct ntvnic_rxq *q)
{
	/* Pairs with ntvnic_irq_rearm(): either we see armed or NAPI sees
	 * the packet.
	 */
	smp_mb();
	ntvnic_irq_notify(&q->irq);
}

/* Packets waiting in the ring (approximate without the locks; reporting). */
u32 ntvnic_ring_used(struct ntvnic_rxq *q)
{
	struct ptr_ring *r = &q->ring;
	int prod = READ_ONCE(r->producer);
	int cons = READ_ONCE(r->consumer_head);

	if (!r->size)
		return 0;
	if (prod == cons)
		return READ_ONCE(r->queue[cons]) ? r->size : 0;
	return (prod - cons + r->size) % r->size;
}

static void ntvnic_rx_account(struct ntvnic_rxq *q, unsigned int pkts,
			      u64 bytes, bool poll, bool exhausted)
{
	u64_stats_update_begin(&q->rx.syncp);
	q->rx.packets += pkts;
	q->rx.bytes += bytes;
	if (poll)
		q->rx.polls++;
	if (exhausted)
		q->rx.budget_exhausted++;
	u64_stats_update_end(&q->rx.syncp);
}

/* Hand one received skb to GRO (or straight to the stack, see below). */
static void ntvnic_rx_deliver(struct napi_struct *napi, struct sk_buff *skb)
{
	/*
	 * The sender's TCP keeps the original of a transmitted clone on its
	 * retransmit queue: GRO must not merge into a shared
	 * skb_shared_info. As veth does: unclone, or skip GRO.
	 */
	skb_prepare_for_gro(skb);
	if (skb_shared(skb) || skb_unclone(skb, GFP_ATOMIC)) {
		skb_mark_napi_id(skb, napi);	/* busy polling */
		netif_receive_skb(skb);
	} else {
		napi_gro_receive(napi, skb);
	}
}

/*
 * NAPI poll, softirq (or the NAPI thread): take up to budget frames, run
 * the XDP program on each (xdp.c), hand what passes to GRO, and re-enable
 * the queue interrupt only once the ring is empty and
 * napi_complete_done() agrees.
 */
int ntvnic_napi_poll(struct napi_struct *napi, int budget)
{
	struct ntvnic_rxq *q = container_of(napi, struct ntvnic_rxq, napi);
	struct ntvnic_xdp_poll xp;
	struct sk_buff *skb;
	unsigned int len;
	u64 bytes = 0;
	int done = 0;
	void *ptr;

	rcu_read_lock();
	ntvnic_xdp_poll_begin(q->priv, &xp);
	while (done < budget) {
		ptr = __ptr_ring_consume(&q->ring);
		if (!ptr)
			break;
		skb = ntvnic_xdp_rx(q, &xp, ptr, &len);
		bytes += len;
		if (skb)
			ntvnic_rx_deliver(napi, skb);
		done++;
	}
	ntvnic_xdp_poll_end(q, &xp);
	rcu_read_unlock();
	ntvnic_rx_account(q, done, bytes, true, done == budget);
	ntvnic_busy_poll_note(q, napi, done);

	if (done < budget && napi_complete_done(napi, done)) {
		ntvnic_dim_rx(q);
		ntvnic_irq_rearm(&q->irq);
	}
	return done;
}

/*
 * Legacy mode, hardirq context: no NAPI, every packet goes through
 * netif_rx() from the interrupt handler. The interrupt stays enabled, so
 * a flood costs one interrupt per packet (receive livelock).
 * An interrupt delivered on another CPU while this handler still runs
 * (right after an affinity change) is not lost: the edge flow handler
 * (irq.c) marks it pending and runs this handler again, which finds the
 * packet it announced.
 */
static void ntvnic_legacy_rx(struct ntvnic_rxq *q)
{
	struct sk_buff *skb;
	unsigned int pkts = 0;
	u64 bytes = 0;

	while ((skb = __ptr_ring_consume(&q->ring))) {
		bytes += skb->len + ETH_HLEN;	/* eth_type_trans pulled it */
		netif_rx(skb);
		pkts++;
	}
	ntvnic_rx_account(q, pkts, bytes, false, false);
}

u32 ntvnic_rx_pending(struct ntvnic_qirq *irq)
{
	return ntvnic_ring_used(container_of(irq, struct ntvnic_rxq, irq));
}

/* The RX queue interrupt, hardirq on the queue's affinity CPU. */
irqreturn_t ntvnic_rx_irq(int irq, void *data)
{
	struct ntvnic_rxq *q = data;

	u64_stats_update_begin(&q->irq.stats.syncp);
	q->irq.stats.irqs++;
	u64_stats_update_end(&q->irq.stats.syncp);

	if (q->priv->cfg.mode == NTVNIC_MODE_LEGACY) {
		ntvnic_legacy_rx(q);
		return IRQ_HANDLED;
	}
	/* Mask the queue interrupt until NAPI has emptied the ring. */
	WRITE_ONCE(q->irq.armed, false);
	napi_schedule_irqoff(&q->napi);
	return IRQ_HANDLED;
}
