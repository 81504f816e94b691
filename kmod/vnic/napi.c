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
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/busy_poll.h>
#include <net/checksum.h>
#include <net/ip6_checksum.h>
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
	ntvnic_irq_notify(&q->irq, 1);
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

/*
 * The receiving port's offloads during one NAPI poll (or one legacy
 * interrupt): its features (ethtool -k, read once) and what they did,
 * counted in registers and added to the queue's counters at the end.
 */
struct ntvnic_rx_offl {
	netdev_features_t features;
	unsigned int verified, bad, none, merged, split, lost;
};

static void ntvnic_rx_offl_begin(struct ntvnic_rxq *q, struct ntvnic_rx_offl *o)
{
	memset(o, 0, sizeof(*o));
	o->features = READ_ONCE(q->priv->dev->features);
}

static void ntvnic_rx_account(struct ntvnic_rxq *q, unsigned int pkts,
			      u64 bytes, bool poll, bool exhausted,
			      const struct ntvnic_rx_offl *o)
{
	u64_stats_update_begin(&q->rx.syncp);
	q->rx.packets += pkts;
	q->rx.bytes += bytes;
	if (poll)
		q->rx.polls++;
	if (exhausted)
		q->rx.budget_exhausted++;
	q->rx.csum_verified += o->verified;
	q->rx.csum_bad += o->bad;
	q->rx.csum_none += o->none;
	q->rx.gro_merged += o->merged;
	q->rx.gso_split += o->split;
	q->rx.lost += o->lost;
	u64_stats_update_end(&q->rx.syncp);
}

/*
 * The L4 checksum a NIC checks: TCP or UDP over IPv4 (no fragment) or
 * IPv6 (no extension header), skb->data at the network header. Reads
 * only (the skb may be shared). Returns 1 good, -1 bad, 0 a frame the
 * device does not check (then the stack does, as for every frame with
 * rx-checksum off).
 */
static int ntvnic_rx_csum_check(const struct sk_buff *skb)
{
	unsigned int off, len, min;
	struct udphdr _uh;
	const struct udphdr *uh;
	__wsum csum;
	u8 proto;

	if (skb->protocol == htons(ETH_P_IP)) {
		struct iphdr _iph;
		const struct iphdr *iph;

		iph = skb_header_pointer(skb, 0, sizeof(_iph), &_iph);
		if (!iph || iph->ihl < 5 || ip_is_fragment(iph))
			return 0;
		off = iph->ihl * 4;
		len = ntohs(iph->tot_len);
		if (len < off || len > skb->len)
			return 0;
		len -= off;
		proto = iph->protocol;
		min = proto == IPPROTO_TCP ? sizeof(struct tcphdr) : sizeof(_uh);
		if ((proto != IPPROTO_TCP && proto != IPPROTO_UDP) || len < min)
			return 0;
		uh = skb_header_pointer(skb, off, sizeof(_uh), &_uh);
		/* UDP without a checksum (0), or a length the stack trims */
		if (!uh || (proto == IPPROTO_UDP &&
			    (!uh->check || ntohs(uh->len) != len)))
			return 0;
		csum = skb_checksum(skb, off, len, 0);
		return csum_tcpudp_magic(iph->saddr, iph->daddr, len, proto,
					 csum) ? -1 : 1;
	}
	if (skb->protocol == htons(ETH_P_IPV6)) {
		struct ipv6hdr _ip6;
		const struct ipv6hdr *ip6;

		ip6 = skb_header_pointer(skb, 0, sizeof(_ip6), &_ip6);
		if (!ip6)
			return 0;
		off = sizeof(*ip6);
		len = ntohs(ip6->payload_len);
		proto = ip6->nexthdr;
		min = proto == IPPROTO_TCP ? sizeof(struct tcphdr) : sizeof(_uh);
		if ((proto != IPPROTO_TCP && proto != IPPROTO_UDP) ||
		    len < min || len > skb->len - off)
			return 0;
		uh = skb_header_pointer(skb, off, sizeof(_uh), &_uh);
		if (!uh || (proto == IPPROTO_UDP && ntohs(uh->len) != len))
			return 0;
		csum = skb_checksum(skb, off, len, 0);
		return csum_ipv6_magic(&ip6->saddr, &ip6->daddr, len, proto,
				       csum) ? -1 : 1;
	}
	return 0;
}

/*
 * rx-checksum (NETIF_F_RXCSUM) of the receiving port, for one wire frame
 * (skb->data at the network header):
 *  - on: a frame whose checksum the sender's device fills on the wire
 *    (CHECKSUM_PARTIAL) or that was already known good is good; it
 *    stays CHECKSUM_PARTIAL, as veth keeps it, so that it is still
 *    right if forwarded. Any other TCP/UDP frame is checked here, as a
 *    NIC checks it: good is CHECKSUM_UNNECESSARY, bad is handed on as
 *    CHECKSUM_NONE (the stack drops it: InCsumErrors).
 *  - off: every frame is handed on as CHECKSUM_NONE and the stack
 *    verifies; a sender's CHECKSUM_PARTIAL is filled in first, as the
 *    sender's device would have done.
 * Returns the skb to hand on (skb_share_check may replace it), NULL if
 * it was dropped (no memory to fill the checksum in, counted lost).
 */
static struct sk_buff *ntvnic_rx_csum(struct sk_buff *skb,
				      struct ntvnic_rx_offl *o)
{
	bool rxcsum = o->features & NETIF_F_RXCSUM;

	if (skb->ip_summed == CHECKSUM_PARTIAL) {
		if (rxcsum) {
			/* a TSO train handed on whole: each of its frames */
			o->verified += skb_is_gso(skb) ?
				       max_t(u16, skb_shinfo(skb)->gso_segs, 1) : 1;
			return skb;
		}
		/* Writing the checksum in needs a private skb. */
		skb = skb_share_check(skb, GFP_ATOMIC);
		if (unlikely(!skb || skb_checksum_help(skb))) {
			if (skb)
				dev_kfree_skb_any(skb);
			o->lost++;
			return NULL;
		}
		skb->ip_summed = CHECKSUM_NONE;
		o->none++;
		return skb;
	}
	if (skb->ip_summed == CHECKSUM_UNNECESSARY && rxcsum) {
		o->verified++;
		return skb;
	}
	skb->ip_summed = CHECKSUM_NONE;
	skb->csum_level = 0;
	switch (rxcsum ? ntvnic_rx_csum_check(skb) : 0) {
	case 1:
		skb->ip_summed = CHECKSUM_UNNECESSARY;
		o->verified++;
		break;
	case -1:
		o->bad++;
		break;
	default:
		o->none++;
	}
	return skb;
}

/*
 * Hand one frame to the stack: GRO (napi_gro_receive(); with the port's
 * GRO off the core passes every frame through unmerged, keeping its
 * list batching), or netif_rx() in legacy mode (napi NULL).
 */
static void ntvnic_rx_hand(struct napi_struct *napi, struct sk_buff *skb,
			   struct ntvnic_rx_offl *o)
{
	skb = ntvnic_rx_csum(skb, o);
	if (unlikely(!skb))
		return;
	if (!napi) {
		netif_rx(skb);
		return;
	}
	/*
	 * The sender's TCP keeps the original of a transmitted clone on its
	 * retransmit queue: GRO must not merge into a shared
	 * skb_shared_info. As veth does: unclone, or skip GRO.
	 */
	skb_prepare_for_gro(skb);
	if (skb_shared(skb) || skb_unclone(skb, GFP_ATOMIC)) {
		skb_mark_napi_id(skb, napi);	/* busy polling */
		netif_receive_skb(skb);
		return;
	}
	switch (napi_gro_receive(napi, skb)) {
	case GRO_MERGED:
	case GRO_MERGED_FREE:
		o->merged++;
		break;
	default:
		break;
	}
}

/*
 * A TSO/GSO packet arrives as one unit: the wire carried it as its train
 * of segments back to back, and GRO on the receiving port would merge
 * exactly those again, so with GRO and rx-checksum on it is handed on
 * whole. Else (GRO off: the stack must see each frame; rx-checksum off:
 * each frame's checksum must be in its bytes) it is cut into its frames
 * here, counted in gso_split.
 */
static void ntvnic_rx_deliver(struct ntvnic_rxq *q, struct napi_struct *napi,
			      struct sk_buff *skb, struct ntvnic_rx_offl *o)
{
	const netdev_features_t whole = NETIF_F_GRO | NETIF_F_RXCSUM;
	struct sk_buff *segs, *next;

	/* Only a packet whose checksum is known can be cut (no warning). */
	if (likely(!skb_is_gso(skb) || (o->features & whole) == whole ||
		   (skb->ip_summed != CHECKSUM_PARTIAL &&
		    skb->ip_summed != CHECKSUM_UNNECESSARY))) {
		ntvnic_rx_hand(napi, skb, o);
		return;
	}
	__skb_push(skb, ETH_HLEN);	/* eth_type_trans() pulled it */
	segs = skb_gso_segment(skb, NETIF_F_SG | NETIF_F_HW_CSUM);
	if (IS_ERR_OR_NULL(segs)) {
		dev_kfree_skb_any(skb);
		o->lost++;
		return;
	}
	dev_consume_skb_any(skb);
	skb_list_walk_safe(segs, skb, next) {
		skb_mark_not_on_list(skb);
		skb->protocol = eth_type_trans(skb, q->priv->dev);
		o->split++;
		ntvnic_rx_hand(napi, skb, o);
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
	struct ntvnic_rx_offl offl;
	struct sk_buff *skb;
	unsigned int len;
	u64 bytes = 0;
	int done = 0;
	void *ptr;

	ntvnic_rx_offl_begin(q, &offl);
	rcu_read_lock();
	ntvnic_xdp_poll_begin(q->priv, &xp);
	while (done < budget) {
		ptr = __ptr_ring_consume(&q->ring);
		if (!ptr)
			break;
		skb = ntvnic_xdp_rx(q, &xp, ptr, &len);
		bytes += len;
		if (skb)
			ntvnic_rx_deliver(q, napi, skb, &offl);
		done++;
	}
	ntvnic_xdp_poll_end(q, &xp);
	rcu_read_unlock();
	ntvnic_rx_account(q, done, bytes, true, done == budget, &offl);
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
	struct ntvnic_rx_offl offl;
	struct sk_buff *skb;
	unsigned int pkts = 0;
	u64 bytes = 0;

	ntvnic_rx_offl_begin(q, &offl);
	while ((skb = __ptr_ring_consume(&q->ring))) {
		bytes += skb->len + ETH_HLEN;	/* eth_type_trans pulled it */
		ntvnic_rx_deliver(q, NULL, skb, &offl);
		pkts++;
	}
	ntvnic_rx_account(q, pkts, bytes, false, false, &offl);
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
