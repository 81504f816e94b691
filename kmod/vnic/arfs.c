// SPDX-License-Identifier: GPL-2.0
/*
 * ntvnic accelerated RFS: ndo_rx_flow_steer and the CPU -> RX queue map.
 *
 * With RFS configured (net.core.rps_sock_flow_entries and the RX queues'
 * rps_flow_cnt) the stack learns on which CPU a flow's reader runs. With
 * CONFIG_RFS_ACCEL and NETIF_F_NTUPLE on, set_rps_cpu() then looks up the
 * port's dev->rx_cpu_rmap for the RX queue whose interrupt is on that CPU
 * and asks the driver, through ndo_rx_flow_steer(), to deliver the flow
 * there: the "NIC" installs an exact-match filter for the flow, which the
 * wire consults after the ntuple rules and before RSS (ntuple.c).
 *
 * The map: ntvnic's queue interrupts are real Linux IRQs of its own
 * irq_domain (irq.c) whose chip implements irq_set_affinity, so the
 * kernel's IRQ affinity notifiers work for them as for a PCI NIC's MSI-X
 * vectors. The port builds the map as NIC drivers do, with
 * alloc_irq_cpu_rmap() and irq_cpu_rmap_add() for each RX queue's IRQ
 * (index = queue), seeded with the affinity the queue starts with; a write
 * to /proc/irq/N/smp_affinity_list then updates it through the notifier.
 *
 * Expiry: a delayed work asks rps_may_expire_flow() about every filter
 * every NTVNIC_ARFS_EXPIRE_MS and removes those RFS no longer uses.
 *
 * Locking: filters change under steer.arfs_lock (spin_lock_bh: the steer
 * calls come from softirq on any CPU, the expiry from a work); the wire
 * reads the hash buckets under RCU; filters are freed after a grace
 * period. The map and the work exist while the data path is up (RTNL).
 */
#include <linux/netdevice.h>
#include <linux/cpu_rmap.h>
#include <linux/interrupt.h>
#include <linux/slab.h>
#include <net/flow_dissector.h>
#include <net/netlink.h>
#include "ntvnic.h"

#define NTVNIC_ARFS_EXPIRE_MS	100

static bool ntvnic_flow_eq(const struct ntvnic_flow *a,
			   const struct ntvnic_flow *b)
{
	return !memcmp(a, b, sizeof(*a));
}

static struct hlist_head *ntvnic_arfs_bucket(struct ntvnic_steer *s, u32 hash)
{
	return &s->arfs_hash[hash % NTVNIC_ARFS_BUCKETS];
}

/* Under RCU (wire): the aRFS filter's queue for flow f, else rss_q. */
unsigned int ntvnic_arfs_queue(struct ntvnic_priv *priv,
			       const struct ntvnic_flow *f, u32 hash,
			       unsigned int rss_q, unsigned int nq)
{
	struct ntvnic_steer *s = &priv->steer;
	struct ntvnic_arfs_filter *flt;
	unsigned int q;

	if (!READ_ONCE(s->arfs_count))
		return rss_q;
	hlist_for_each_entry_rcu(flt, ntvnic_arfs_bucket(s, hash), node) {
		if (flt->hash != hash || !ntvnic_flow_eq(&flt->flow, f))
			continue;
		q = READ_ONCE(flt->queue);
		if (q >= nq)
			break;
		atomic64_inc(&flt->hits);
		return q;
	}
	return rss_q;
}

/* arfs_lock held: unlink filter and free it after a grace period. */
static void ntvnic_arfs_remove(struct ntvnic_steer *s,
			       struct ntvnic_arfs_filter *flt)
{
	hlist_del_rcu(&flt->node);
	s->arfs_id[flt->id] = NULL;
	WRITE_ONCE(s->arfs_count, s->arfs_count - 1);
	kfree_rcu(flt, rcu);
}

/* arfs_lock held: a free filter id, or -1. */
static int ntvnic_arfs_free_id(struct ntvnic_steer *s)
{
	unsigned int i;

	for (i = 0; i < NTVNIC_ARFS_MAX; i++)
		if (!s->arfs_id[i])
			return i;
	return -1;
}

/*
 * ndo_rx_flow_steer: softirq, RCU held, from set_rps_cpu() on the CPU
 * that received skb. Deliver skb's flow to RX queue rxq_index from now
 * on; returns the filter id (kept by RFS with flow_id for expiry).
 */
int ntvnic_rx_flow_steer(struct net_device *dev, const struct sk_buff *skb,
			 u16 rxq_index, u32 flow_id)
{
	struct ntvnic_priv *priv = ntvnic_priv(dev);
	struct ntvnic_steer *s = &priv->steer;
	struct ntvnic_arfs_filter *flt;
	struct ntvnic_flow f;
	struct flow_keys keys;
	u32 hash = skb->hash;
	int id, ret;

	if (!skb_flow_dissect_flow_keys(skb, &keys, 0) ||
	    !ntvnic_flow_from_keys(&keys, &f))
		return -EPROTONOSUPPORT;
	if (rxq_index >= READ_ONCE(priv->cfg.queues))
		return -EINVAL;

	spin_lock_bh(&s->arfs_lock);
	if (!s->arfs_open) {
		ret = -ENETDOWN;
		goto out;
	}
	hlist_for_each_entry(flt, ntvnic_arfs_bucket(s, hash), node) {
		if (flt->hash == hash && ntvnic_flow_eq(&flt->flow, &f)) {
			WRITE_ONCE(flt->queue, rxq_index);
			flt->flow_id = flow_id;
			ret = flt->id;
			goto steered;
		}
	}
	id = ntvnic_arfs_free_id(s);
	flt = id < 0 ? NULL : kzalloc(sizeof(*flt), GFP_ATOMIC);
	if (!flt) {
		atomic64_inc(&s->arfs_full);
		ret = -ENOSPC;
		goto out;
	}
	flt->flow = f;
	flt->hash = hash;
	flt->flow_id = flow_id;
	flt->id = id;
	flt->queue = rxq_index;
	s->arfs_id[id] = flt;
	hlist_add_head_rcu(&flt->node, ntvnic_arfs_bucket(s, hash));
	WRITE_ONCE(s->arfs_count, s->arfs_count + 1);
	if (s->arfs_count == 1)
		schedule_delayed_work(&s->arfs_work,
				      msecs_to_jiffies(NTVNIC_ARFS_EXPIRE_MS));
	ret = id;
steered:
	atomic64_inc(&s->arfs_steers);
out:
	spin_unlock_bh(&s->arfs_lock);
	return ret;
}

/* Expiry: drop the filters RFS no longer needs; again while any is left. */
static void ntvnic_arfs_expire(struct work_struct *work)
{
	struct ntvnic_steer *s = container_of(to_delayed_work(work),
					      struct ntvnic_steer, arfs_work);
	struct ntvnic_priv *priv = container_of(s, struct ntvnic_priv, steer);
	unsigned int i;

	spin_lock_bh(&s->arfs_lock);
	for (i = 0; i < NTVNIC_ARFS_MAX; i++) {
		struct ntvnic_arfs_filter *flt = s->arfs_id[i];

		if (flt && rps_may_expire_flow(priv->dev, flt->queue,
					       flt->flow_id, flt->id)) {
			ntvnic_arfs_remove(s, flt);
			atomic64_inc(&s->arfs_expired);
		}
	}
	if (s->arfs_open && s->arfs_count)
		schedule_delayed_work(&s->arfs_work,
				      msecs_to_jiffies(NTVNIC_ARFS_EXPIRE_MS));
	spin_unlock_bh(&s->arfs_lock);
}

void ntvnic_arfs_init(struct ntvnic_priv *priv)
{
	spin_lock_init(&priv->steer.arfs_lock);
	INIT_DELAYED_WORK(&priv->steer.arfs_work, ntvnic_arfs_expire);
}

/*
 * RTNL, data path up (RX IRQs requested): the CPU -> RX queue map for
 * RFS, then accept filters. Undone by ntvnic_arfs_down().
 */
int ntvnic_arfs_up(struct ntvnic_priv *priv)
{
	struct net_device *dev = priv->dev;
	struct cpu_rmap *rmap;
	unsigned int i;
	int err;

	rmap = alloc_irq_cpu_rmap(priv->cfg.queues);
	if (!rmap)
		return -ENOMEM;
	for (i = 0; i < priv->cfg.queues; i++) {
		struct ntvnic_qirq *irq = &priv->rxq[i].irq;

		err = irq_cpu_rmap_add(rmap, irq->virq);
		if (err)
			goto err;
		/* The notifier reports changes only: seed the current CPU. */
		err = cpu_rmap_update(rmap, i, cpumask_of(READ_ONCE(irq->cpu)));
		if (err)
			goto err;
	}
	dev->rx_cpu_rmap = rmap;
	spin_lock_bh(&priv->steer.arfs_lock);
	priv->steer.arfs_open = true;
	spin_unlock_bh(&priv->steer.arfs_lock);
	return 0;

err:
	free_irq_cpu_rmap(rmap);
	return err;
}

/*
 * RTNL, RX NAPI and IRQs quiesced (no more steer calls) but the IRQs not
 * freed yet: stop the expiry, drop every filter, free the map (its
 * affinity notifiers must be gone before free_irq()).
 */
void ntvnic_arfs_down(struct ntvnic_priv *priv)
{
	struct ntvnic_steer *s = &priv->steer;
	unsigned int i;

	spin_lock_bh(&s->arfs_lock);
	s->arfs_open = false;
	spin_unlock_bh(&s->arfs_lock);
	cancel_delayed_work_sync(&s->arfs_work);

	spin_lock_bh(&s->arfs_lock);
	for (i = 0; i < NTVNIC_ARFS_MAX; i++)
		if (s->arfs_id[i])
			ntvnic_arfs_remove(s, s->arfs_id[i]);
	spin_unlock_bh(&s->arfs_lock);

	free_irq_cpu_rmap(priv->dev->rx_cpu_rmap);
	priv->dev->rx_cpu_rmap = NULL;
}

/* RTNL: the filters and counters for STEER_GET. */
int ntvnic_arfs_fill(struct sk_buff *skb, struct ntvnic_priv *priv)
{
	struct ntvnic_steer *s = &priv->steer;
	struct nlattr *list;
	unsigned int i;
	int err = 0;

	if (nla_put_u64_64bit(skb, NTVNIC_A_ARFS_STEERS,
			      atomic64_read(&s->arfs_steers), NTVNIC_A_PAD) ||
	    nla_put_u64_64bit(skb, NTVNIC_A_ARFS_EXPIRED,
			      atomic64_read(&s->arfs_expired), NTVNIC_A_PAD) ||
	    nla_put_u64_64bit(skb, NTVNIC_A_ARFS_FULL,
			      atomic64_read(&s->arfs_full), NTVNIC_A_PAD))
		return -EMSGSIZE;
	list = nla_nest_start(skb, NTVNIC_A_ARFS_FILTERS);
	if (!list)
		return -EMSGSIZE;
	spin_lock_bh(&s->arfs_lock);
	for (i = 0; i < NTVNIC_ARFS_MAX && !err; i++) {
		struct ntvnic_arfs_filter *flt = s->arfs_id[i];

		if (flt)
			err = ntvnic_put_steer_entry(skb, flt->id, &flt->flow,
						     NULL, flt->queue,
						     atomic64_read(&flt->hits));
	}
	spin_unlock_bh(&s->arfs_lock);
	if (!err)
		nla_nest_end(skb, list);
	return err;
}
