// SPDX-License-Identifier: GPL-2.0
/*
 * ntvnic statistics: per-queue u64_stats_sync counters summed into
 * ndo_get_stats64, read per queue for ethtool -S and generic netlink.
 * Counters of every queue the device ever had are kept (the arrays are
 * sized for the maximum), so totals never go backwards after ethtool -L.
 */
#include <linux/netdevice.h>
#include "ntvnic.h"

static u64 ntvnic_irq_count(struct ntvnic_qirq *irq)
{
	unsigned int start;
	u64 n;

	do {
		start = u64_stats_fetch_begin(&irq->stats.syncp);
		n = irq->stats.irqs;
	} while (u64_stats_fetch_retry(&irq->stats.syncp, start));
	return n;
}

void ntvnic_queue_stats(struct ntvnic_priv *priv, unsigned int i,
			struct ntvnic_queue_stats *s)
{
	struct ntvnic_rxq *q = &priv->rxq[i];
	struct ntvnic_txq *t = &priv->txq[i];
	unsigned int start;
	u64 purged, lost;

	do {
		start = u64_stats_fetch_begin(&q->rx.syncp);
		s->rx_packets = q->rx.packets;
		s->rx_bytes = q->rx.bytes;
		s->rx_polls = q->rx.polls;
		s->rx_budget_exhausted = q->rx.budget_exhausted;
		purged = q->rx.purged;
		lost = q->rx.lost;
		s->rx_xdp_pass = q->rx.xdp_pass;
		s->rx_xdp_drop = q->rx.xdp_drop;
		s->rx_xdp_tx = q->rx.xdp_tx;
		s->rx_xdp_redirect = q->rx.xdp_redirect;
		s->rx_xdp_aborted = q->rx.xdp_aborted;
		s->rx_xdp_tx_errors = q->rx.xdp_tx_errors;
		s->rx_csum_verified = q->rx.csum_verified;
		s->rx_csum_bad = q->rx.csum_bad;
		s->rx_csum_none = q->rx.csum_none;
		s->rx_gro_merged = q->rx.gro_merged;
		s->rx_gso_split = q->rx.gso_split;
	} while (u64_stats_fetch_retry(&q->rx.syncp, start));
	do {
		start = u64_stats_fetch_begin(&q->rxp.syncp);
		s->rx_ring_full = q->rxp.ring_full;
	} while (u64_stats_fetch_retry(&q->rxp.syncp, start));
	s->rx_irqs = ntvnic_irq_count(&q->irq);
	s->tx_irqs = ntvnic_irq_count(&t->irq);
	do {
		start = u64_stats_fetch_begin(&t->done.syncp);
		s->tx_packets = t->done.packets;
		s->tx_bytes = t->done.bytes;
		s->tx_drops = t->done.drops;
		s->tx_polls = t->done.polls;
		s->tx_csum_offload = t->done.csum_offload;
		s->tx_tso_packets = t->done.tso_packets;
		s->tx_tso_segs = t->done.tso_segs;
		s->tx_sg_packets = t->done.sg_packets;
	} while (u64_stats_fetch_retry(&t->done.syncp, start));
	do {
		start = u64_stats_fetch_begin(&t->xmit.syncp);
		s->tx_kicks = t->xmit.kicks;
		s->tx_stops = t->xmit.stops;
		s->tx_wakes = t->xmit.wakes;
		s->tx_xdp_xmit = t->xmit.xdp_xmit;
		s->tx_xdp_xmit_errors = t->xmit.xdp_xmit_errors;
	} while (u64_stats_fetch_retry(&t->xmit.syncp, start));
	s->rx_drops = s->rx_ring_full + purged + lost;
}

/*
 * Ring-full drops are what a NIC reports as missed (no descriptor) and
 * FIFO overflow: rx_missed_errors and rx_fifo_errors both count them, and
 * rx_errors counts them once. Packets purged from a ring when the queue
 * was stopped, and frames XDP could not see or hand on, are rx_dropped
 * (an XDP program's own verdicts are not: they have their own counters).
 * tx_dropped counts what the wire could not carry and what was left in a
 * TX ring when the port stopped.
 */
void ntvnic_get_stats64(struct net_device *dev, struct rtnl_link_stats64 *tot)
{
	struct ntvnic_priv *priv = ntvnic_priv(dev);
	struct ntvnic_queue_stats s;
	unsigned int i;

	if (!priv->rxq)
		return;
	for (i = 0; i < priv->max_queues; i++) {
		ntvnic_queue_stats(priv, i, &s);
		tot->rx_packets += s.rx_packets;
		tot->rx_bytes += s.rx_bytes;
		tot->rx_dropped += s.rx_drops - s.rx_ring_full;
		tot->rx_missed_errors += s.rx_ring_full;
		tot->rx_fifo_errors += s.rx_ring_full;
		tot->rx_errors += s.rx_ring_full;
		tot->tx_packets += s.tx_packets;
		tot->tx_bytes += s.tx_bytes;
		tot->tx_dropped += s.tx_drops;
	}
}

#ifdef NTVNIC_HAVE_STAT_OPS
/*
 * The netdev family's qstats-get (6.10+), under RTNL: the counters of
 * ethtool -S that have a standard name. Ring-full drops are hw_drops and
 * hw_drop_overruns (no descriptor); checksum: frames handed on unchecked
 * (none) and found bad. TX: what the wire could not carry (hw_drops),
 * the driver's stops and wakes, TSO packets and the frames they made.
 */
static void ntvnic_qstats_rx(const struct ntvnic_queue_stats *s,
			     struct netdev_queue_stats_rx *rx)
{
	rx->packets += s->rx_packets;
	rx->bytes += s->rx_bytes;
	rx->hw_drops += s->rx_ring_full;
	rx->hw_drop_overruns += s->rx_ring_full;
	rx->csum_none += s->rx_csum_none;
	rx->csum_bad += s->rx_csum_bad;
}

static void ntvnic_qstats_tx(const struct ntvnic_queue_stats *s,
			     struct netdev_queue_stats_tx *tx)
{
	tx->packets += s->tx_packets;
	tx->bytes += s->tx_bytes;
	tx->hw_drops += s->tx_drops;
	tx->stop += s->tx_stops;
	tx->wake += s->tx_wakes;
	tx->hw_gso_packets += s->tx_tso_packets;
	tx->hw_gso_wire_packets += s->tx_tso_segs;
}

/* The core fills every field with ~0 ("not reported") first. */
static void ntvnic_qstats_rx_zero(struct netdev_queue_stats_rx *rx)
{
	rx->packets = 0;
	rx->bytes = 0;
	rx->hw_drops = 0;
	rx->hw_drop_overruns = 0;
	rx->csum_none = 0;
	rx->csum_bad = 0;
}

static void ntvnic_qstats_tx_zero(struct netdev_queue_stats_tx *tx)
{
	tx->packets = 0;
	tx->bytes = 0;
	tx->hw_drops = 0;
	tx->stop = 0;
	tx->wake = 0;
	tx->hw_gso_packets = 0;
	tx->hw_gso_wire_packets = 0;
}

static void ntvnic_get_queue_stats_rx(struct net_device *dev, int idx,
				      struct netdev_queue_stats_rx *rx)
{
	struct ntvnic_queue_stats s;

	ntvnic_queue_stats(ntvnic_priv(dev), idx, &s);
	ntvnic_qstats_rx_zero(rx);
	ntvnic_qstats_rx(&s, rx);
}

static void ntvnic_get_queue_stats_tx(struct net_device *dev, int idx,
				      struct netdev_queue_stats_tx *tx)
{
	struct ntvnic_queue_stats s;

	ntvnic_queue_stats(ntvnic_priv(dev), idx, &s);
	ntvnic_qstats_tx_zero(tx);
	ntvnic_qstats_tx(&s, tx);
}

/*
 * What the queues beyond the active count keep (ethtool -L shrank the
 * port), so that the device total is base + the active queues, as
 * ndo_get_stats64 counts them.
 */
static void ntvnic_get_base_stats(struct net_device *dev,
				  struct netdev_queue_stats_rx *rx,
				  struct netdev_queue_stats_tx *tx)
{
	struct ntvnic_priv *priv = ntvnic_priv(dev);
	struct ntvnic_queue_stats s;
	unsigned int i;

	ntvnic_qstats_rx_zero(rx);
	ntvnic_qstats_tx_zero(tx);
	for (i = dev->real_num_rx_queues; i < priv->max_queues; i++) {
		ntvnic_queue_stats(priv, i, &s);
		ntvnic_qstats_rx(&s, rx);
	}
	for (i = dev->real_num_tx_queues; i < priv->max_queues; i++) {
		ntvnic_queue_stats(priv, i, &s);
		ntvnic_qstats_tx(&s, tx);
	}
}

const struct netdev_stat_ops ntvnic_stat_ops = {
	.get_queue_stats_rx	= ntvnic_get_queue_stats_rx,
	.get_queue_stats_tx	= ntvnic_get_queue_stats_tx,
	.get_base_stats		= ntvnic_get_base_stats,
};
#endif
