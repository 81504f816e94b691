// SPDX-License-Identifier: GPL-2.0
/*
 * ntvnic adaptive interrupt moderation: ethtool -C DEV adaptive-rx on|off
 * adaptive-tx on|off, with the kernel's lib/dim (net_dim), as mlx5, bnxt
 * or virtio_net use it.
 *
 * Each RX and TX queue has its own moderation (struct ntvnic_qdim: the
 * usecs/frames its interrupt uses, irq.c). With adaptive off it is the
 * port's static ethtool -C setting. With adaptive on, the queue's NAPI
 * hands DIM a sample (interrupts, packets, bytes: the queue's own
 * counters) each time it completes, net_dim() compares the rates of
 * successive windows and, when it picks another profile, schedules the
 * queue's dim work, which applies net_dim_get_rx/tx_moderation() of the
 * profile (period mode "start from EQE": ntvnic's delay starts at the
 * first event, as irq.c's coalescing timer does). The change takes effect
 * at the next interrupt; `changes` counts them.
 *
 * Locking: priv->adaptive_rx/tx change under RTNL. The queue's NAPI owns
 * the struct dim while the flag is on; switching off clears the flag,
 * waits for NAPI polls in flight (synchronize_net), cancels the work,
 * then writes the static values; switching on resets the struct dim (no
 * NAPI uses it then) and publishes the flag with a release store.
 */
#include <linux/netdevice.h>
#include <linux/dim.h>
#include "ntvnic.h"

/* lib/dim/net_dim.c starts at profile 1 (NET_DIM_DEF_PROFILE_EQE, private) */
#define NTVNIC_DIM_DEF_PROFILE	1

static struct ntvnic_qdim *ntvnic_work_qdim(struct work_struct *work)
{
	struct dim *dim = container_of(work, struct dim, work);

	return container_of(dim, struct ntvnic_qdim, dim);
}

static void ntvnic_qdim_apply(struct ntvnic_qdim *d, struct dim_cq_moder m)
{
	WRITE_ONCE(d->coal.usecs, m.usec);
	WRITE_ONCE(d->coal.frames, m.pkts);
}

static void ntvnic_dim_rx_work(struct work_struct *work)
{
	struct ntvnic_qdim *d = ntvnic_work_qdim(work);
	struct ntvnic_rxq *q = container_of(d, struct ntvnic_rxq, dim);

	if (READ_ONCE(q->priv->adaptive_rx)) {
		ntvnic_qdim_apply(d, net_dim_get_rx_moderation(d->dim.mode,
							       d->dim.profile_ix));
		atomic64_inc(&d->changes);
	}
	d->dim.state = DIM_START_MEASURE;
}

static void ntvnic_dim_tx_work(struct work_struct *work)
{
	struct ntvnic_qdim *d = ntvnic_work_qdim(work);
	struct ntvnic_txq *t = container_of(d, struct ntvnic_txq, dim);

	if (READ_ONCE(t->priv->adaptive_tx)) {
		ntvnic_qdim_apply(d, net_dim_get_tx_moderation(d->dim.mode,
							       d->dim.profile_ix));
		atomic64_inc(&d->changes);
	}
	d->dim.state = DIM_START_MEASURE;
}

/* RX NAPI completed (softirq): one sample for DIM if adaptive-rx is on. */
void ntvnic_dim_rx(struct ntvnic_rxq *q)
{
	struct dim_sample s;

	/* Pairs with the release in ntvnic_dim_set(): dim is reset. */
	if (!smp_load_acquire(&q->priv->adaptive_rx))
		return;
	/* The NAPI is the only writer of rx.packets/bytes. */
	dim_update_sample((u16)READ_ONCE(q->irq.stats.irqs), q->rx.packets,
			  q->rx.bytes, &s);
	net_dim(&q->dim.dim, s);
}

/* TX NAPI completed (softirq): the same for adaptive-tx. */
void ntvnic_dim_tx(struct ntvnic_txq *t)
{
	struct dim_sample s;

	/* Pairs with the release in ntvnic_dim_set(): dim is reset. */
	if (!smp_load_acquire(&t->priv->adaptive_tx))
		return;
	dim_update_sample((u16)READ_ONCE(t->irq.stats.irqs), t->done.packets,
			  t->done.bytes, &s);
	net_dim(&t->dim.dim, s);
}

/* RTNL, adaptive off for d's direction and no NAPI in net_dim(). */
static void ntvnic_qdim_reset(struct ntvnic_qdim *d, struct dim_cq_moder m)
{
	cancel_work_sync(&d->dim.work);
	d->dim.state = DIM_START_MEASURE;
	memset(&d->dim.prev_stats, 0, sizeof(d->dim.prev_stats));
	memset(&d->dim.start_sample, 0, sizeof(d->dim.start_sample));
	memset(&d->dim.measuring_sample, 0, sizeof(d->dim.measuring_sample));
	d->dim.mode = DIM_CQ_PERIOD_MODE_START_FROM_EQE;
	d->dim.profile_ix = NTVNIC_DIM_DEF_PROFILE;
	d->dim.tune_state = 0;
	d->dim.steps_right = 0;
	d->dim.steps_left = 0;
	d->dim.tired = 0;
	ntvnic_qdim_apply(d, m);
}

/* RTNL, adaptive just switched off: back to the static setting. */
static void ntvnic_qdim_stop(struct ntvnic_qdim *d, const struct ntvnic_coal *c)
{
	cancel_work_sync(&d->dim.work);
	WRITE_ONCE(d->coal.usecs, c->usecs);
	WRITE_ONCE(d->coal.frames, c->frames);
}

/*
 * RTNL. Switch adaptive moderation per direction (every queue the port
 * may have, so that ethtool -L keeps it).
 */
void ntvnic_dim_set(struct ntvnic_priv *priv, bool rx_on, bool tx_on)
{
	bool rx_off = priv->adaptive_rx && !rx_on;
	bool tx_off = priv->adaptive_tx && !tx_on;
	const struct dim_cq_moder rx_def =
		net_dim_get_def_rx_moderation(DIM_CQ_PERIOD_MODE_START_FROM_EQE);
	const struct dim_cq_moder tx_def =
		net_dim_get_def_tx_moderation(DIM_CQ_PERIOD_MODE_START_FROM_EQE);
	unsigned int i;

	if (rx_off)
		WRITE_ONCE(priv->adaptive_rx, false);
	if (tx_off)
		WRITE_ONCE(priv->adaptive_tx, false);
	if (rx_off || tx_off)
		synchronize_net();	/* NAPI polls that saw "on" are done */
	for (i = 0; i < priv->max_queues; i++) {
		if (rx_off)
			ntvnic_qdim_stop(&priv->rxq[i].dim, &priv->rx_coal);
		else if (rx_on && !priv->adaptive_rx)
			ntvnic_qdim_reset(&priv->rxq[i].dim, rx_def);
		if (tx_off)
			ntvnic_qdim_stop(&priv->txq[i].dim, &priv->tx_coal);
		else if (tx_on && !priv->adaptive_tx)
			ntvnic_qdim_reset(&priv->txq[i].dim, tx_def);
	}
	if (rx_on) {
		/* The reset dim is published before NAPI may use it. */
		smp_store_release(&priv->adaptive_rx, true);
	}
	if (tx_on) {
		/* The reset dim is published before NAPI may use it. */
		smp_store_release(&priv->adaptive_tx, true);
	}
}

/* RTNL, after ethtool -C changed the static values: queues not adaptive. */
void ntvnic_dim_apply_static(struct ntvnic_priv *priv)
{
	unsigned int i;

	for (i = 0; i < priv->max_queues; i++) {
		if (!priv->adaptive_rx) {
			WRITE_ONCE(priv->rxq[i].dim.coal.usecs, priv->rx_coal.usecs);
			WRITE_ONCE(priv->rxq[i].dim.coal.frames, priv->rx_coal.frames);
		}
		if (!priv->adaptive_tx) {
			WRITE_ONCE(priv->txq[i].dim.coal.usecs, priv->tx_coal.usecs);
			WRITE_ONCE(priv->txq[i].dim.coal.frames, priv->tx_coal.frames);
		}
	}
}

/* Port set-up (before registration). */
void ntvnic_dim_init(struct ntvnic_priv *priv)
{
	unsigned int i;

	for (i = 0; i < priv->max_queues; i++) {
		INIT_WORK(&priv->rxq[i].dim.dim.work, ntvnic_dim_rx_work);
		INIT_WORK(&priv->txq[i].dim.dim.work, ntvnic_dim_tx_work);
	}
}

/* Port freed (NAPI long gone): no dim work may still run. */
void ntvnic_dim_free(struct ntvnic_priv *priv)
{
	unsigned int i;

	for (i = 0; priv->rxq && i < priv->max_queues; i++) {
		cancel_work_sync(&priv->rxq[i].dim.dim.work);
		cancel_work_sync(&priv->txq[i].dim.dim.work);
	}
}
