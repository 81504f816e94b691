// SPDX-License-Identifier: GPL-2.0
/*
 * ntvnic interrupts: every RX queue and every TX queue owns a real Linux
 * IRQ.
 *
 * The module has one linear irq_domain (hwirqs allocated from an IDA) with
 * a small irq_chip. A queue's IRQ is mapped and requested in ndo_open as
 * "<dev>-rx-<q>" (receive) or "<dev>-tx-<q>" (transmit completion), so it
 * shows in /proc/interrupts with per-CPU counts and its affinity is set
 * through /proc/irq/N/smp_affinity_list.
 *
 * "Raising" the interrupt (what a NIC does after DMA) is ntvnic_irq_raise():
 * it reads the effective affinity CPU the chip recorded and runs
 * ntvnic_irq_deliver() there in hardirq context -- with an IPI
 * (smp_call_function_single_async) for another CPU, or an irq_work
 * self-IPI for the local one -- which calls generic_handle_domain_irq();
 * the flow handler (handle_edge_irq) counts the interrupt on that CPU
 * and calls the queue's handler, ntvnic_rx_irq() (napi.c) or
 * ntvnic_tx_irq() (wire.c).
 *
 * Edge flow, as an MSI-X vector has: a delivery that finds the handler
 * still running on another CPU (right after an affinity change the new
 * CPU can be raised while the old one is still in the handler) is marked
 * pending and masked, and the running handler loops once more.
 * handle_simple_irq dropped it instead, and in legacy mode (no NAPI to
 * re-check the ring) the packet it announced waited for the next
 * interrupt.
 *
 * Masking: like a NIC's interrupt mask register, irq->armed is the
 * device's own enable bit. The handler clears it (NAPI) and NAPI sets it
 * again after napi_complete_done() (ntvnic_irq_rearm). The irq_chip
 * mask/unmask (used by the IRQ core, e.g. disable_irq) is
 * irq->chip_masked. The interrupt is raised only when both allow it; rearm
 * and unmask re-raise while irq->pending() reports work, so no packet
 * waits for a later one.
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
	struct ntvnic_qirq *irq = irq_data_get_irq_chip_data(d);

	WRITE_ONCE(irq->chip_masked, true);
}

/*
 * The edge flow acknowledges every delivery. The device's cause bit
 * (irq->raising) is already clear: ntvnic_irq_deliver() clears it before
 * the flow handler runs, so a raise from then on queues a new delivery.
 */
static void ntvnic_irq_ack(struct irq_data *d)
{
}

static void ntvnic_irq_unmask(struct irq_data *d)
{
	struct ntvnic_qirq *irq = irq_data_get_irq_chip_data(d);

	WRITE_ONCE(irq->chip_masked, false);
	/*
	 * Level-triggered semantics: a queue with work interrupts again.
	 * The IRQ core holds the descriptor lock here, which a delivery on
	 * another CPU may be waiting for: raise on this CPU (irq_work), never
	 * wait for a csd.
	 */
	smp_mb();
	if (READ_ONCE(irq->armed) && irq->pending(irq) &&
	    !test_and_set_bit(0, &irq->raising))
		irq_work_queue(&irq->work);
}

/*
 * Called by the IRQ core with the descriptor lock held, irqs off. The
 * interrupt goes to the first online CPU of the mask; with IRQ_MOVE_PCNTXT
 * this runs at once when /proc/irq/N/smp_affinity_list is written.
 */
static int ntvnic_irq_set_affinity(struct irq_data *d,
				   const struct cpumask *mask, bool force)
{
	struct ntvnic_qirq *irq = irq_data_get_irq_chip_data(d);
	unsigned int cpu;

	cpu = force ? cpumask_first(mask) :
		      cpumask_first_and(mask, cpu_online_mask);
	if (cpu >= nr_cpu_ids)
		return -EINVAL;
	irq_data_update_effective_affinity(d, cpumask_of(cpu));
	WRITE_ONCE(irq->cpu, cpu);
	return IRQ_SET_MASK_OK;
}

static struct irq_chip ntvnic_irq_chip = {
	.name			= NTVNIC_DRV_NAME,
	.irq_ack		= ntvnic_irq_ack,
	.irq_mask		= ntvnic_irq_mask,
	.irq_unmask		= ntvnic_irq_unmask,
	.irq_set_affinity	= ntvnic_irq_set_affinity,
};

static int ntvnic_irq_map(struct irq_domain *d, unsigned int virq,
			  irq_hw_number_t hw)
{
	irq_set_chip_and_handler(virq, &ntvnic_irq_chip, handle_edge_irq);
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

/*
 * Hardirq context, irqs off: on the CPU the affinity chose. A raise from
 * now on queues a new delivery; one that came before is served by this
 * one.
 */
static void ntvnic_irq_deliver(struct ntvnic_qirq *irq)
{
	clear_bit(0, &irq->raising);
	/* Frames from now on count towards the next interrupt. */
	atomic_set(&irq->events, 0);
	/*
	 * The handler reads the queue after the clear: pairs with the fully
	 * ordered test_and_set_bit() in ntvnic_irq_raise(), after which the
	 * raiser's work is published.
	 */
	smp_mb__after_atomic();
	generic_handle_domain_irq(ntvnic_domain, irq->hwirq);
}

static void ntvnic_irq_csd_fn(void *info)
{
	ntvnic_irq_deliver(info);
}

static void ntvnic_irq_work_fn(struct irq_work *work)
{
	ntvnic_irq_deliver(container_of(work, struct ntvnic_qirq, work));
}

/*
 * Raise the queue's interrupt on its affinity CPU. Callable from any
 * context that holds an RCU read lock or RTNL while the queue is set up,
 * by several CPUs at once: raises coalesce while a delivery is on its way,
 * as a NIC's interrupt cause register does, and a raise after the
 * delivery has started queues one more, so none is lost.
 *
 * smp_call_function_single_async() wants its callers serialised: the
 * raising bit makes the winner its only caller. The csd may still be
 * locked by the previous delivery's last instructions on the target CPU
 * (it unlocks after ntvnic_irq_deliver() returns); the winner waits for
 * that. (irq_work_queue_on() would do all this, but 6.1 does not export
 * it.)
 */
void ntvnic_irq_raise(struct ntvnic_qirq *irq)
{
	int cpu, this;

	if (test_and_set_bit(0, &irq->raising))
		return;
	cpu = READ_ONCE(irq->cpu);
	this = get_cpu();
	if (cpu == this && in_interrupt()) {
		unsigned long flags;

		/*
		 * Our own CPU: take the interrupt here and now, with local
		 * interrupts off as the CPU would, instead of a self-IPI
		 * (irq_work) that costs a second interrupt entry for each
		 * one. The handler only schedules NAPI, which runs when
		 * this context ends its BH-off section (or right after the
		 * current NAPI poll, in the same softirq run): hence only
		 * from softirq, BH-off or hardirq context.
		 */
		local_irq_save(flags);
		ntvnic_irq_deliver(irq);
		local_irq_restore(flags);
	} else if (cpu == this || !cpu_online(cpu)) {
		irq_work_queue(&irq->work);
	} else {
		int err;

		while ((err = smp_call_function_single_async(cpu, &irq->csd)) ==
		       -EBUSY)
			cpu_relax();
		if (err)	/* -ENXIO: went offline meanwhile */
			irq_work_queue(&irq->work);
	}
	put_cpu();
}

/*
 * Coalescing delay expired, hardirq on the CPU that started it: raise the
 * interrupt if it is still enabled and work is still waiting (the frames
 * threshold or NAPI may have taken it meanwhile).
 */
static enum hrtimer_restart ntvnic_irq_timer_fn(struct hrtimer *timer)
{
	struct ntvnic_qirq *irq = container_of(timer, struct ntvnic_qirq,
					       timer);

	clear_bit(0, &irq->timer_started);
	/* Pairs with the producer's barrier before ntvnic_irq_notify(). */
	smp_mb__after_atomic();
	if (READ_ONCE(irq->armed) && !READ_ONCE(irq->chip_masked) &&
	    irq->pending(irq))
		ntvnic_irq_raise(irq);
	return HRTIMER_NORESTART;
}

/*
 * A producer published n new frames and issued a full barrier (the RX
 * "DMA", the TX doorbell). If the interrupt is enabled, raise it now, or
 * -- with coalescing (ethtool -C) -- once `frames` frames have come since
 * the last interrupt or `usecs` after the first one, whichever comes
 * first, as a NIC's interrupt moderation does. Any context with BHs or
 * irqs off.
 */
void ntvnic_irq_notify(struct ntvnic_qirq *irq, unsigned int n)
{
	u32 usecs, frames;

	if (!READ_ONCE(irq->armed) || READ_ONCE(irq->chip_masked))
		return;
	usecs = READ_ONCE(irq->coal->usecs);
	frames = READ_ONCE(irq->coal->frames);
	if (!usecs ||
	    (frames && atomic_add_return(n, &irq->events) >= frames)) {
		ntvnic_irq_raise(irq);
		return;
	}
	/* One delay runs at a time; later events do not push it back. */
	if (!test_and_set_bit(0, &irq->timer_started))
		hrtimer_start(&irq->timer, ns_to_ktime((u64)usecs * NSEC_PER_USEC),
			      HRTIMER_MODE_REL_HARD);
}

/* NAPI finished: enable the queue interrupt, re-raise if work arrived. */
void ntvnic_irq_rearm(struct ntvnic_qirq *irq)
{
	WRITE_ONCE(irq->armed, true);
	/*
	 * Pairs with the barrier a producer puts between publishing work and
	 * reading armed (store buffering): either it sees armed or we see
	 * the work.
	 */
	smp_mb();
	if (!READ_ONCE(irq->chip_masked) && irq->pending(irq))
		ntvnic_irq_raise(irq);
}

/*
 * RTNL, process context. Map and request "<dev>-<dir>-<index>"; the queue
 * (dev_id) is ready to take the interrupt. handler gets dev_id and must
 * count the interrupt in irq->stats.
 */
int ntvnic_irq_setup(struct ntvnic_qirq *irq, struct net_device *dev,
		     const char *dir, unsigned int index,
		     irq_handler_t handler, void *dev_id)
{
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
	irq->hwirq = hw;
	irq->virq = virq;
	irq->armed = true;
	irq->chip_masked = false;
	irq->cpu = 0;
	irq->dev_id = dev_id;
	irq->raising = 0;
	atomic_set(&irq->events, 0);
	INIT_CSD(&irq->csd, ntvnic_irq_csd_fn, irq);
	/*
	 * Both deliver in hardirq context, as a NIC's interrupt arrives, on
	 * PREEMPT_RT too: there plain irq_work runs in a per-CPU thread with
	 * interrupts enabled (the core then warns that the handler "enabled
	 * interrupts") and hrtimers expire in softirq context unless _HARD.
	 */
	irq->work = IRQ_WORK_INIT_HARD(ntvnic_irq_work_fn);
	hrtimer_init(&irq->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	irq->timer.function = ntvnic_irq_timer_fn;
	irq->timer_started = 0;
	irq_set_chip_data(virq, irq);
	snprintf(irq->name, sizeof(irq->name), "%s-%s-%u", dev->name, dir,
		 index);

	err = request_irq(virq, handler, 0, irq->name, dev_id);
	if (err)
		goto err_map;
	/*
	 * Back on the CPU this queue's interrupt had before a restart
	 * (ethtool -L/-G, down/up), so a pinning survives; else spread
	 * queues over CPUs, as NIC drivers do.
	 */
	if (irq->keep_cpu_valid && cpu_online(irq->keep_cpu))
		cpu = irq->keep_cpu;
	else
		cpu = cpumask_local_spread(index, NUMA_NO_NODE);
	irq_set_affinity(virq, cpumask_of(cpu));
	return 0;

err_map:
	irq_dispose_mapping(virq);
	irq->virq = 0;
err_ida:
	ida_free(&ntvnic_hwirq_ida, hw);
	return err;
}

/*
 * RTNL. The caller has stopped everything that raises this interrupt
 * (senders out of the peer's RX side, TX queues disabled, NAPI disabled).
 * Wait for deliveries already queued; the caller then waits for an RCU
 * grace period (the IPI handler runs with irqs off, an RCU read-side
 * section) before ntvnic_irq_teardown().
 */
void ntvnic_irq_quiesce(struct ntvnic_qirq *irq)
{
	if (!irq->virq)
		return;
	/* A pending coalescing delay would raise the interrupt: stop it. */
	hrtimer_cancel(&irq->timer);
	irq_work_sync(&irq->work);
	/* An async IPI may still be queued: wait until it has been taken. */
	while (smp_load_acquire(&irq->csd.node.u_flags) & CSD_FLAG_LOCK)
		cpu_relax();
}

/* RTNL, after ntvnic_irq_quiesce() and a grace period. */
void ntvnic_irq_teardown(struct ntvnic_qirq *irq)
{
	if (!irq->virq)
		return;
	irq->keep_cpu = READ_ONCE(irq->cpu);
	irq->keep_cpu_valid = true;
	free_irq(irq->virq, irq->dev_id);
	irq_dispose_mapping(irq->virq);
	ida_free(&ntvnic_hwirq_ida, irq->hwirq);
	irq->virq = 0;
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
