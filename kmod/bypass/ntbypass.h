/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ntbypass internals, shared by main.c (module + pernet state, rule set
 * commit), hooks.c (netfilter hooks), table.c (compiled lookup table) and
 * netlink.c (generic netlink family).
 *
 * Locking, in one place:
 *  - ntb_net->lock (a mutex) serialises every change in a namespace: the
 *    rule list, nrules/next_id, hook (un)registration and the publication
 *    of ntb_net->table. Netlink handlers take it; the packet path never.
 *  - The packet path reads ntb_net->table under the RCU read lock that
 *    nf_hook() holds. A table is immutable once published; a change builds
 *    a new one, publishes it with rcu_replace_pointer() and frees the old
 *    one with call_rcu(). Rules removed from the set are freed with
 *    call_rcu() after the table that referenced them is unpublished, so a
 *    reader that found a rule may still count into it.
 *  - Counters are per-CPU (struct ntb_stats), written with preemption off,
 *    summed by readers with u64_stats_fetch_begin/retry.
 *  - The netdevice notifier runs under RTNL and takes ntb_net->lock: the
 *    order is RTNL -> ntb_net->lock. No path takes RTNL under the lock
 *    (netlink handlers resolve interfaces under RCU).
 */
#ifndef _NTBYPASS_H
#define _NTBYPASS_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/rcupdate.h>
#include <linux/u64_stats_sync.h>
#include <uapi/linux/ntbypass.h>

/*
 * Hook priority: NF_IP_PRI_RAW - 10 = -310 (same value for IPv6).
 *  - after NF_IP_PRI_CONNTRACK_DEFRAG (-400): when conntrack is active in
 *    the namespace, fragments are already reassembled, so ports are there;
 *  - before NF_IP_PRI_RAW (-300): iptables/nft raw rules run after us and
 *    see the packet as untracked (xt_CT and nft "ct" leave a packet with
 *    conntrack info alone), so our decision is not undone by a raw CT
 *    rule, and "-t raw -m conntrack --ctstate UNTRACKED" can count it;
 *  - before NF_IP_PRI_CONNTRACK (-200), which is the point of it all.
 */
#define NTB_HOOK_PRIORITY	(NF_IP_PRI_RAW - 10)

/* Criteria present in a rule (ntb_match.has) */
#define NTB_M_SPORT	BIT(0)
#define NTB_M_DPORT	BIT(1)
#define NTB_M_SRC	BIT(2)
#define NTB_M_DST	BIT(3)
#define NTB_M_IIF	BIT(4)
#define NTB_M_OIF	BIT(5)

/*
 * What one direction of a rule matches. Normalised (masked addresses,
 * zeroed unused fields and padding) so that two equal rules compare equal
 * with memcmp().
 */
struct ntb_match {
	union nf_inet_addr src;
	union nf_inet_addr dst;
	int iif;
	int oif;
	u16 sport_lo, sport_hi;
	u16 dport_lo, dport_hi;
	u8 family;		/* NFPROTO_IPV4/IPV6, 0 = both */
	u8 proto;		/* IPPROTO_*, 0 = any */
	u8 src_plen, dst_plen;
	u8 has;			/* NTB_M_* */
	u8 flags;		/* NTBYPASS_F_* (only in a rule's spec) */
	u8 pad[2];
};

struct ntb_stats {
	u64_stats_t pkts, bytes;	/* original direction */
	u64_stats_t mpkts, mbytes;	/* mirror direction */
	struct u64_stats_sync syncp;
};

struct ntb_counts {
	u64 pkts, bytes, mpkts, mbytes;
};

struct ntb_net;

struct ntb_rule {
	struct list_head list;		/* ntb_net->rules, ascending id */
	struct rcu_head rcu;
	struct ntb_net *owner;
	u32 id;
	struct ntb_match spec;
	char iifname[IFNAMSIZ];		/* as given/resolved when added */
	char oifname[IFNAMSIZ];
	struct ntb_stats __percpu *stats;
};

struct ntb_table;

struct ntb_net {
	struct net *net;		/* the namespace this state belongs to */
	struct mutex lock;		/* see the top of this file */
	struct list_head rules;
	u32 nrules;
	u32 next_id;
	bool hooked;
	struct ntb_table __rcu *table;	/* NULL when there are no rules */
	struct nf_hook_ops ops[4];	/* priv = this ntb_net */
	/* traffic counted by rules since freed (added in their RCU callback) */
	atomic64_t retired_pkts, retired_bytes;
	/*
	 * NETDEV_UNREGISTER of this namespace's devices drops the rules that
	 * name the device (main.c). Under lock: dying (pre_exit has begun:
	 * the replayed events of the notifier's own unregistration are
	 * ignored) and dev_gone_rules (rules dropped that way, for STATUS).
	 */
	struct notifier_block netdev_nb;
	bool dying;
	u32 dev_gone_rules;
};

/* main.c */
extern atomic_t ntb_live_tables;
struct ntb_net *ntb_pernet(struct net *net);
int ntb_commit(struct ntb_net *n, struct ntb_rule **rules, u32 count,
	       struct netlink_ext_ack *extack);
struct ntb_rule *ntb_rule_alloc(const struct ntb_match *spec);
void ntb_rule_free(struct ntb_rule *r);
void ntb_rule_counts(const struct ntb_rule *r, struct ntb_counts *c);

/* hooks.c */
int ntb_hooks_register(struct net *net, struct ntb_net *n);
void ntb_hooks_unregister(struct net *net, struct ntb_net *n);

/* table.c */
struct ntb_pkt {
	union nf_inet_addr src, dst;
	int iif, oif;
	u16 sport, dport;
	u8 family, proto;
	bool has_ports;
};

struct ntb_entry {
	struct ntb_match m;
	struct ntb_rule *rule;
	bool mirror;
};

bool ntb_port_proto(u8 proto);
struct ntb_table *ntb_table_build(struct ntb_rule **rules, u32 count,
				  struct netlink_ext_ack *extack);
void ntb_table_free(struct ntb_table *t);
void ntb_table_free_rcu(struct ntb_table *t);
const struct ntb_entry *ntb_table_lookup(const struct ntb_table *t,
					 const struct ntb_pkt *p);

/* netlink.c */
int ntb_genl_register(void);
void ntb_genl_unregister(void);

#endif /* _NTBYPASS_H */
