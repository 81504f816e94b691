// SPDX-License-Identifier: GPL-2.0
/*
 * ntbypass: take chosen flows out of connection tracking.
 *
 * main.c: module init/exit, per-namespace state (pernet_operations), rule
 * objects and the commit of a new rule set (build table, hooks, publish).
 * Locking and RCU rules: see ntbypass.h.
 *
 * No conntrack symbol is used: marking a packet untracked is
 * nf_ct_set(skb, NULL, IP_CT_UNTRACKED), an inline store into
 * skb->_nfct, exactly as xt_CT's NOTRACK target does. So the module has
 * no link-time dependency on nf_conntrack and loads whether or not
 * conntrack is; when conntrack runs, it sees the packets as UNTRACKED.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/percpu.h>
#include <linux/sort.h>
#include <linux/moduleparam.h>
#include <linux/sysfs.h>
#include <linux/netdevice.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include "ntbypass.h"

static unsigned int ntb_net_id __read_mostly;

/*
 * Live objects, for leak checks (selftests): rules and tables allocated
 * and not yet freed, including those waiting for their RCU grace period.
 * Read-only in /sys/module/ntbypass/parameters/.
 */
static atomic_t ntb_live_rules = ATOMIC_INIT(0);
atomic_t ntb_live_tables = ATOMIC_INIT(0);

static int ntb_param_get_atomic(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read((atomic_t *)kp->arg));
}

static const struct kernel_param_ops ntb_param_live_ops = {
	.get = ntb_param_get_atomic,
};

module_param_cb(live_rules, &ntb_param_live_ops, &ntb_live_rules, 0444);
MODULE_PARM_DESC(live_rules, "rule objects allocated (read-only, for leak checks)");
module_param_cb(live_tables, &ntb_param_live_ops, &ntb_live_tables, 0444);
MODULE_PARM_DESC(live_tables, "compiled tables allocated (read-only, for leak checks)");

struct ntb_net *ntb_pernet(struct net *net)
{
	return net_generic(net, ntb_net_id);
}

struct ntb_rule *ntb_rule_alloc(const struct ntb_match *spec)
{
	struct ntb_rule *r;
	int cpu;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return NULL;
	r->stats = alloc_percpu(struct ntb_stats);
	if (!r->stats) {
		kfree(r);
		return NULL;
	}
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(r->stats, cpu)->syncp);
	INIT_LIST_HEAD(&r->list);
	r->spec = *spec;
	atomic_inc(&ntb_live_rules);
	return r;
}

/* For a rule that was never published. */
void ntb_rule_free(struct ntb_rule *r)
{
	if (!r)
		return;
	free_percpu(r->stats);
	kfree(r);
	atomic_dec(&ntb_live_rules);
}

void ntb_rule_counts(const struct ntb_rule *r, struct ntb_counts *c)
{
	unsigned int start;
	int cpu;

	memset(c, 0, sizeof(*c));
	for_each_possible_cpu(cpu) {
		const struct ntb_stats *s = per_cpu_ptr(r->stats, cpu);
		u64 p, b, mp, mb;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			p = u64_stats_read(&s->pkts);
			b = u64_stats_read(&s->bytes);
			mp = u64_stats_read(&s->mpkts);
			mb = u64_stats_read(&s->mbytes);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		c->pkts += p;
		c->bytes += b;
		c->mpkts += mp;
		c->mbytes += mb;
	}
}

/*
 * RCU callback for a rule removed from a published set: no reader can
 * count into it any more, so its totals are final; they go to the
 * namespace's retired counters (STATUS). The ntb_net outlives the
 * callback: namespace exit waits with rcu_barrier().
 */
static void ntb_rule_free_cb(struct rcu_head *head)
{
	struct ntb_rule *r = container_of(head, struct ntb_rule, rcu);
	struct ntb_counts c;

	ntb_rule_counts(r, &c);
	atomic64_add(c.pkts + c.mpkts, &r->owner->retired_pkts);
	atomic64_add(c.bytes + c.mbytes, &r->owner->retired_bytes);
	ntb_rule_free(r);
}

/*
 * Makes @rules (@count of them, ascending id, each with ->id and ->owner
 * set) the namespace's rule set, atomically for the packet path:
 *  1. build the new table (may fail: nothing changed, caller frees the
 *     rules it allocated);
 *  2. register the hooks if this is the first rule (may fail, likewise);
 *  3. relink the rule list, publish the table (rcu_replace_pointer);
 *  4. unregister the hooks if the set is now empty;
 *  5. free the old table and the rules no longer in the set after a grace
 *     period (call_rcu).
 * Rules of the old set that are also in @rules stay (same object, same
 * counters). Called with n->lock held.
 */
int ntb_commit(struct ntb_net *n, struct ntb_rule **rules, u32 count,
	       struct netlink_ext_ack *extack)
{
	struct net *net = n->net;
	struct ntb_table *t = NULL, *old;
	struct ntb_rule *r, *tmp;
	LIST_HEAD(dead);
	u32 i;
	int err;

	lockdep_assert_held(&n->lock);

	if (count) {
		t = ntb_table_build(rules, count, extack);
		if (IS_ERR(t))
			return PTR_ERR(t);
		if (!n->hooked) {
			err = ntb_hooks_register(net, n);
			if (err) {
				NL_SET_ERR_MSG(extack, "cannot register the netfilter hooks");
				ntb_table_free(t);
				return err;
			}
			n->hooked = true;
		}
	}

	/* The new set is marked by moving its rules to a fresh list; what
	 * is left on n->rules is dead.
	 */
	list_splice_init(&n->rules, &dead);
	for (i = 0; i < count; i++)
		list_del_init(&rules[i]->list);
	for (i = 0; i < count; i++)
		list_add_tail(&rules[i]->list, &n->rules);
	n->nrules = count;

	old = rcu_replace_pointer(n->table, t, lockdep_is_held(&n->lock));

	if (!count && n->hooked) {
		/* nf_unregister_net_hooks() waits for running hooks itself */
		ntb_hooks_unregister(net, n);
		n->hooked = false;
	}

	ntb_table_free_rcu(old);
	list_for_each_entry_safe(r, tmp, &dead, list) {
		list_del(&r->list);
		call_rcu(&r->rcu, ntb_rule_free_cb);
	}
	return 0;
}

static bool ntb_rule_names_dev(const struct ntb_rule *r, int ifindex)
{
	return ((r->spec.has & NTB_M_IIF) && r->spec.iif == ifindex) ||
	       ((r->spec.has & NTB_M_OIF) && r->spec.oif == ifindex);
}

/*
 * @dev is being unregistered from n's namespace (deleted, or moved to
 * another one): drop the rules that name it. They hold its ifindex, not a
 * reference, and the index is free from now on: a device created later
 * may get it and would match them. Dropped rather than disabled: such a
 * rule can never match its device again (a new device of the same name
 * is another device), so it is removed as a route through the device
 * is, its counters go to the namespace's retired totals, and STATUS
 * counts it in NTBYPASS_A_DEV_GONE_RULES. If the new set cannot be built
 * (no memory), every rule of the namespace is flushed instead: without a
 * rule a flow is tracked again, as without ntbypass, which is safe; a
 * rule left matching a stranger device is not. Called with n->lock held.
 */
static void ntb_drop_dev_rules(struct ntb_net *n, const struct net_device *dev)
{
	struct ntb_rule *r, **keep = NULL;
	u32 gone = 0, count = 0;
	int err;

	list_for_each_entry(r, &n->rules, list)
		gone += ntb_rule_names_dev(r, dev->ifindex);
	if (!gone)
		return;
	if (n->nrules > gone) {
		keep = kvmalloc_array(n->nrules - gone, sizeof(*keep), GFP_KERNEL);
		if (!keep) {
			err = -ENOMEM;
			goto flush;
		}
	}
	list_for_each_entry(r, &n->rules, list) {
		if (!ntb_rule_names_dev(r, dev->ifindex))
			keep[count++] = r;
		else
			pr_info("ntbypass: rule %u dropped: its device %s (ifindex %d) was unregistered\n",
				r->id, dev->name, dev->ifindex);
	}
	err = ntb_commit(n, keep, count, NULL);
	kvfree(keep);
	if (!err) {
		n->dev_gone_rules += gone;
		return;
	}
flush:
	pr_err("ntbypass: cannot rebuild the rules without those of %s (%d): flushing all %u rules of its namespace\n",
	       dev->name, err, n->nrules);
	n->dev_gone_rules += n->nrules;
	ntb_commit(n, NULL, 0, NULL);	/* cannot fail with no rules */
}

/* The namespace's own notifier chain (register_netdevice_notifier_net):
 * only its devices. Runs under RTNL (lock order: see ntbypass.h).
 */
static int ntb_netdev_event(struct notifier_block *nb, unsigned long event, void *ptr)
{
	struct ntb_net *n = container_of(nb, struct ntb_net, netdev_nb);

	if (event != NETDEV_UNREGISTER)
		return NOTIFY_DONE;
	mutex_lock(&n->lock);
	if (!n->dying)
		ntb_drop_dev_rules(n, netdev_notifier_info_to_dev(ptr));
	mutex_unlock(&n->lock);
	return NOTIFY_DONE;
}

static int __net_init ntb_net_init(struct net *net)
{
	struct ntb_net *n = ntb_pernet(net);

	mutex_init(&n->lock);
	INIT_LIST_HEAD(&n->rules);
	n->next_id = 1;
	n->net = net;
	atomic64_set(&n->retired_pkts, 0);
	atomic64_set(&n->retired_bytes, 0);
	RCU_INIT_POINTER(n->table, NULL);
	n->dying = false;
	n->dev_gone_rules = 0;
	n->netdev_nb.notifier_call = ntb_netdev_event;
	/* nothing to undo on failure: the rest needs no cleanup */
	return register_netdevice_notifier_net(net, &n->netdev_nb);
}

/* Hooks go first, for the whole batch of dying namespaces at once (the
 * netfilter core's synchronize_net() is shared by the batch). Then the
 * notifier: its unregistration replays NETDEV_UNREGISTER for every device
 * of the namespace, which `dying` makes the handler ignore (exit_batch
 * frees every rule anyway). It takes RTNL and the handler n->lock, so it
 * is called without the lock.
 */
static void __net_exit ntb_net_pre_exit(struct net *net)
{
	struct ntb_net *n = ntb_pernet(net);

	mutex_lock(&n->lock);
	n->dying = true;
	if (n->hooked) {
		ntb_hooks_unregister(net, n);
		n->hooked = false;
	}
	mutex_unlock(&n->lock);
	unregister_netdevice_notifier_net(net, &n->netdev_nb);
}

static void __net_exit ntb_net_exit_batch(struct list_head *net_list)
{
	struct net *net;

	list_for_each_entry(net, net_list, exit_list) {
		struct ntb_net *n = ntb_pernet(net);

		mutex_lock(&n->lock);
		ntb_commit(n, NULL, 0, NULL);	/* cannot fail with no rules */
		mutex_unlock(&n->lock);
	}
	/* the rule callbacks touch ntb_net, freed after we return */
	rcu_barrier();
}

static struct pernet_operations ntb_net_ops = {
	.init = ntb_net_init,
	.pre_exit = ntb_net_pre_exit,
	.exit_batch = ntb_net_exit_batch,
	.id = &ntb_net_id,
	.size = sizeof(struct ntb_net),
};

static int __init ntb_init(void)
{
	int err;

	err = register_pernet_subsys(&ntb_net_ops);
	if (err)
		return err;
	err = ntb_genl_register();
	if (err) {
		unregister_pernet_subsys(&ntb_net_ops);
		return err;
	}
	return 0;
}

/*
 * Unload, possibly with traffic flowing: first the family (no request can
 * start or still run afterwards), then every namespace's hooks (after
 * which no packet can enter our code: the netfilter core waits for hooks
 * in flight), then the tables and rules (RCU callbacks, waited for with
 * rcu_barrier() in exit_batch).
 */
static void __exit ntb_exit(void)
{
	ntb_genl_unregister();
	unregister_pernet_subsys(&ntb_net_ops);
}

module_init(ntb_init);
module_exit(ntb_exit);

MODULE_LICENSE("GPL");
MODULE_VERSION(NETTUNE_VERSION);
MODULE_DESCRIPTION("nettune: take chosen flows out of connection tracking");
MODULE_AUTHOR("nettune");
MODULE_ALIAS_GENL_FAMILY(NTBYPASS_GENL_NAME);
