// SPDX-License-Identifier: GPL-2.0
/*
 * ntvnic interrupts: every RX queue owns a real Linux IRQ.
 *
 * The module has one linear irq_domain (hwirqs allocated from an IDA) with
 * a small irq_chip. A queue's IRQ is mapped and requested in ndo_open as
 * "<dev>-rx-<q>", so it shows in /proc/interrupts with per-CPU counts and
 * its affinity is set through /proc/irq/N/smp_affinity_list.
 *
 * "Raising" the interrupt (what a NIC does after DMA) is ntvnic_irq_raise():
 * it reads the effective affinity CPU the chip recorded and runs
 * ntvnic_irq_deliver() there in hardirq context -- with an IPI
 * (smp_call_function_single_async) for another CPU, or an irq_work
 * self-IPI for the local one -- which calls generic_handle_domain_irq();
 * the flow handler (handle_simple_irq) counts the interrupt on that CPU
 * and calls the queue's handler, ntvnic_rx_irq().
 *
 * Masking: like a NIC's interrupt mask register, q->armed is the device's
 * own enable bit. The handler clears it (NAPI mode) and NAPI sets it again
 * after napi_complete_done() (ntvnic_irq_rearm). The irq_chip mask/unmask
 * (used by the IRQ core, e.g. disable_irq) is q->chip_masked. Senders raise
 * the interrupt only when both allow it; rearm and unmask re-raise when
 * the ring is not empty, so no packet waits for a later one.
 */
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/idr.h>
#include "ntvnic.h"

#define NTVNIC_HWIRQS	4096

static struct irq_domain *ntvnic_domain;
static struct fwnode_handle *ntvnic_fwnode;
static DEFINE_IDA(ntvnic_hwirq_ida);

static void ntvnic_irq_mask(struct irq_data *d)
{
	struct ntvnic_rxq *q = irq_data_get_irq_chip_data(d);

	WRITE_ONCE(q->chip_masked, true);
}

static void ntvnic_irq_unmask(struct irq_data *d)
{
	struct ntvnic_rxq *q = irq_data_get_irq_chip_data(d);

	WRITE_ONCE(q->chip_masked, false);
	/* Level-triggered semantics: a non-empty ring interrupts again. */
	smp_mb();
	if (READ_ONCE(q->armed) && ntvnic_ring_used(q))
		ntvnic_irq_raise(q);
}

/*
 * Called by the IRQ core with the descriptor lock held, irqs off. The
 * interrupt goes to the first online CPU of the mask; with IRQ_MOVE_PCNTXT
 * this runs at once when /proc/irq/N/smp_affinity_list is written.
 */
static int ntvnic_irq_set_affinity(struct irq_data *d,
				   const struct cpumask *mask, bool force)
{
	struct ntvnic_rxq *q = irq_data_get_irq_chip_data(d);
	unsigned int cpu;

	cpu = force ? cpumask_first(mask) :
		      cpumask_first_and(mask, cpu_online_mask);
	if (cpu >= nr_cpu_ids)
		return -EINVAL;
	irq_data_update_effective_affinity(d, cpumask_of(cpu));
	WRITE_ONCE(q->irq_cpu, cpu);
	return IRQ_SET_MASK_OK;
}

static struct irq_chip ntvnic_irq_chip = {
	.name			= NTVNIC_DRV_NAME,
	.irq_mask		= ntvnic_irq_mask,
	.irq_unmask		= ntvnic_irq_unmask,
	.irq_set_affinity	= ntvnic_irq_set_affinity,
};

static int ntvnic_irq_map(struct irq_domain *d, unsigned int virq,
			  irq_hw_number_t hw)
{
	irq_set_chip_and_handler(virq, &ntvnic_irq_chip, handle_simple_irq);
	/* Affinity changes apply immediately, not at the next interrupt. */
	irq_set_status_flags(virq, IRQ_MOVE_PCNTXT | IRQ_NOPROBE);
	return 0;
}

static void ntvnic_irq_unmap(struct irq_domain *d, unsigned int virq)
{
	irq_set_chip_and_handler(virq, NULL, NULL);
	irq_set_chip_data(virq, NULL);
}

static const struct irq_domain_ops ntvnic_domain_ops = {
	.map	= ntvnic_irq_map,
	.unmap	= ntvnic_irq_unmap,
};

/* Hardirq context, irqs off: on the CPU the affinity chose. */
static void ntvnic_irq_deliver(struct ntvnic_rxq *q)
{
	generic_handle_domain_irq(ntvnic_domain, q->hwirq);
}

static void ntvnic_irq_csd_fn(void *info)
{
	ntvnic_irq_deliver(info);
}

static void ntvnic_irq_work_fn(struct irq_work *work)
{
	ntvnic_irq_deliver(container_of(work, struct ntvnic_rxq, irq_work));
}

/*
 * Raise the queue's interrupt on its affinity CPU. Callable from any
 * context that holds an RCU read lock or RTNL while the queue is set up;
 * duplicates coalesce (a pending IPI/irq_work is not queued twice), as a
 * NIC's interrupt cause register does.
 */
void ntvnic_irq_raise(struct ntvnic_rxq *q)
{
	int cpu = READ_ONCE(q->irq_cpu);
	int this = get_cpu();

	if (cpu == this || !cpu_online(cpu) ||
	    smp_call_function_single_async(cpu, &q->csd) == -ENXIO)
		irq_work_queue(&q->irq_work);
	/* -EBUSY: an IPI for this queue is already on its way. */
	put_cpu();
}

/* NAPI finished: enable the queue interrupt, re-raise if work arrived. */
void ntvnic_irq_rearm(struct ntvnic_rxq *q)
{
	WRITE_ONCE(q->armed, true);
	/* Pairs with the barrier in ntvnic_rxq_enqueue() (store buffering). */
	smp_mb();
	if (!READ_ONCE(q->chip_masked) && ntvnic_ring_used(q))
		ntvnic_irq_raise(q);
}

static irqreturn_t ntvnic_rx_irq(int irq, void *data)
{
	struct ntvnic_rxq *q = data;

	u64_stats_update_begin(&q->irq.syncp);
	q->irq.irqs++;
	u64_stats_update_end(&q->irq.syncp);

	if (q->priv->cfg.mode == NTVNIC_MODE_LEGACY) {
		ntvnic_legacy_rx(q);
		return IRQ_HANDLED;
	}
	/* Mask the queue interrupt until NAPI has emptied the ring. */
	WRITE_ONCE(q->armed, false);
	napi_schedule_irqoff(&q->napi);
	return IRQ_HANDLED;
}

/* RTNL, process context. The queue's ring and NAPI exist already. */
int ntvnic_irq_setup(struct ntvnic_rxq *q)
{
	struct net_device *dev = q->priv->dev;
	unsigned int cpu;
	int hw, virq, err;

	hw = ida_alloc_max(&ntvnic_hwirq_ida, NTVNIC_HWIRQS - 1, GFP_KERNEL);
	if (hw < 0)
		return hw;
	virq = irq_create_mapping(ntvnic_domain, hw);
	if (!virq) {
		err = -ENOMEM;
		goto err_ida;
	}
	q->hwirq = hw;
	q->virq = virq;
	q->armed = true;
	q->chip_masked = false;
	q->irq_cpu = 0;
	INIT_CSD(&q->csd, ntvnic_irq_csd_fn, q);
	init_irq_work(&q->irq_work, ntvnic_irq_work_fn);
	irq_set_chip_data(virq, q);
	snprintf(q->irq_name, sizeof(q->irq_name), "%s-rx-%u", dev->name,
		 q->index);

	err = request_irq(virq, ntvnic_rx_irq, 0, q->irq_name, q);
	if (err)
		goto err_map;
	/* Spread queues over CPUs by default, as NIC drivers do. */
	cpu = cpumask_local_spread(q->index, NUMA_NO_NODE);
	irq_set_affinity(virq, cpumask_of(cpu));
	return 0;

err_map:
	irq_dispose_mapping(virq);
	q->virq = 0;
err_ida:
	ida_free(&ntvnic_hwirq_ida, hw);
	return err;
}

/*
 * RTNL. The caller has stopped every sender (rx_enabled false + grace
 * period) and disabled NAPI, so nothing raises this interrupt any more.
 * Wait for deliveries already queued; the caller then waits for an RCU
 * grace period (the IPI handler runs with irqs off, an RCU read-side
 * section) before ntvnic_irq_teardown().
 */
void ntvnic_irq_quiesce(struct ntvnic_rxq *q)
{
	if (!q->virq)
		return;
	irq_work_sync(&q->irq_work);
	/* An async IPI may still be queued: wait until it has been taken. */
	while (smp_load_acquire(&q->csd.node.u_flags) & CSD_FLAG_LOCK)
		cpu_relax();
}

/* RTNL, after ntvnic_irq_quiesce() and a grace period. */
void ntvnic_irq_teardown(struct ntvnic_rxq *q)
{
	if (!q->virq)
		return;
	free_irq(q->virq, q);
	irq_dispose_mapping(q->virq);
	ida_free(&ntvnic_hwirq_ida, q->hwirq);
	q->virq = 0;
}

int ntvnic_irq_domain_init(void)
{
	ntvnic_fwnode = irq_domain_alloc_named_fwnode(NTVNIC_DRV_NAME);
	if (!ntvnic_fwnode)
		return -ENOMEM;
	ntvnic_domain = irq_domain_create_linear(ntvnic_fwnode, NTVNIC_HWIRQS,
						 &ntvnic_domain_ops, NULL);
	if (!ntvnic_domain) {
		irq_domain_free_fwnode(ntvnic_fwnode);
		return -ENOMEM;
	}
	return 0;
}

void ntvnic_irq_domain_exit(void)
{
	irq_domain_remove(ntvnic_domain);
	irq_domain_free_fwnode(ntvnic_fwnode);
	ida_destroy(&ntvnic_hwirq_ida);
}
