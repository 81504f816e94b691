// SPDX-License-Identifier: GPL-2.0
/*
 * ntbypass: the netfilter hooks and the untracking itself.
 *
 * Four hooks per namespace (IPv4 and IPv6, PRE_ROUTING and LOCAL_OUT) at
 * NTB_HOOK_PRIORITY (see ntbypass.h for why -310), registered only while
 * the namespace has rules (ntb_commit()). They run under the RCU read lock
 * held by nf_hook(), read the published table, and never take a lock.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_conntrack.h>
#include "ntbypass.h"

static void ntb_read_ports(const struct sk_buff *skb, int thoff,
			   struct ntb_pkt *p)
{
	__be16 buf[2];
	const __be16 *ports;

	if (!ntb_port_proto(p->proto))
		return;
	ports = skb_header_pointer(skb, thoff, sizeof(buf), buf);
	if (!ports)
		return;
	p->sport = ntohs(ports[0]);
	p->dport = ntohs(ports[1]);
	p->has_ports = true;
}

static bool ntb_parse_ipv4(const struct sk_buff *skb, struct ntb_pkt *p)
{
	const struct iphdr *iph = ip_hdr(skb);

	p->family = NFPROTO_IPV4;
	p->proto = iph->protocol;
	p->src.ip = iph->saddr;
	p->dst.ip = iph->daddr;
	/* a non-first fragment has no L4 header (with conntrack active,
	 * defrag at -400 has reassembled fragments before we run)
	 */
	if (!(iph->frag_off & htons(IP_OFFSET)))
		ntb_read_ports(skb, skb_network_offset(skb) + ip_hdrlen(skb), p);
	return true;
}

static bool ntb_parse_ipv6(const struct sk_buff *skb, struct ntb_pkt *p)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	__be16 frag_off = 0;
	u8 nexthdr = ip6h->nexthdr;
	int thoff;

	p->family = NFPROTO_IPV6;
	p->src.in6 = ip6h->saddr;
	p->dst.in6 = ip6h->daddr;
	thoff = ipv6_skip_exthdr(skb, skb_network_offset(skb) + sizeof(*ip6h),
				 &nexthdr, &frag_off);
	if (thoff < 0)
		return false;
	p->proto = nexthdr;
	if (!(frag_off & htons(IP6_OFFSET)))
		ntb_read_ports(skb, thoff, p);
	return true;
}

static unsigned int ntb_hook(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state)
{
	struct ntb_net *n = priv;
	const struct ntb_table *t;
	const struct ntb_entry *e;
	struct ntb_stats *s;
	struct ntb_pkt p;
	unsigned long flags;

	/* Conntrack information already attached (loopback, or an earlier
	 * hook decided): leave it, as xt_CT's NOTRACK does.
	 */
	if (skb->_nfct)
		return NF_ACCEPT;

	t = rcu_dereference(n->table);
	if (!t)
		return NF_ACCEPT;

	memset(&p, 0, sizeof(p));
	p.iif = state->in ? state->in->ifindex : 0;
	p.oif = state->out ? state->out->ifindex : 0;
	if (state->pf == NFPROTO_IPV4) {
		if (!ntb_parse_ipv4(skb, &p))
			return NF_ACCEPT;
	} else if (!ntb_parse_ipv6(skb, &p)) {
		return NF_ACCEPT;
	}

	e = ntb_table_lookup(t, &p);
	if (!e)
		return NF_ACCEPT;

	/* Per-CPU counters: preemption off so the CPU cannot change under
	 * us (LOCAL_OUT runs in process context); the irqsave variant keeps
	 * 32-bit seqcounts consistent against softirq nesting.
	 */
	s = get_cpu_ptr(e->rule->stats);
	flags = u64_stats_update_begin_irqsave(&s->syncp);
	if (e->mirror) {
		u64_stats_inc(&s->mpkts);
		u64_stats_add(&s->mbytes, skb->len);
	} else {
		u64_stats_inc(&s->pkts);
		u64_stats_add(&s->bytes, skb->len);
	}
	u64_stats_update_end_irqrestore(&s->syncp, flags);
	put_cpu_ptr(e->rule->stats);

	/* exactly xt_CT's notrack_tg() */
	nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
	return NF_ACCEPT;
}

static const struct nf_hook_ops ntb_ops_template[] = {
	{
		.hook = ntb_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NTB_HOOK_PRIORITY,
	},
	{
		.hook = ntb_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NTB_HOOK_PRIORITY,
	},
	{
		.hook = ntb_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NTB_HOOK_PRIORITY,
	},
	{
		.hook = ntb_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NTB_HOOK_PRIORITY,
	},
};

/* Called with n->lock held; sleeps. */
int ntb_hooks_register(struct net *net, struct ntb_net *n)
{
	unsigned int i;

	BUILD_BUG_ON(ARRAY_SIZE(ntb_ops_template) != ARRAY_SIZE(n->ops));
	for (i = 0; i < ARRAY_SIZE(n->ops); i++) {
		n->ops[i] = ntb_ops_template[i];
		n->ops[i].priv = n;
	}
	return nf_register_net_hooks(net, n->ops, ARRAY_SIZE(n->ops));
}

/*
 * Called with n->lock held; sleeps. nf_unregister_net_hooks() swaps our
 * entries out of the hook blob but does not wait for CPUs already inside
 * ntb_hook(); synchronize_net() does, so when this returns no CPU runs our
 * hook for this namespace (nor can start to) and n->table may go.
 */
void ntb_hooks_unregister(struct net *net, struct ntb_net *n)
{
	nf_unregister_net_hooks(net, n->ops, ARRAY_SIZE(n->ops));
	synchronize_net();
}
