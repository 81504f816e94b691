// SPDX-License-Identifier: GPL-2.0
/*
 * ntvnic ntuple filters: ethtool -N DEV flow-type tcp4|udp4|tcp6|udp6
 * [src-ip A [m MASK]] [dst-ip A] [src-port P] [dst-port P] action Q [loc N],
 * ethtool -n DEV [rule N], ethtool -N DEV delete N.
 *
 * A rule belongs to the receiving port, like its RSS table: the wire
 * (the sender's TX NAPI) calls ntvnic_steer_queue() from rss.c with the
 * flow the RSS hash was computed from, and the first matching rule, by
 * location, picks the RX queue before aRFS filters (arfs.c) and RSS do.
 * Rules match only while NETIF_F_NTUPLE is on (ethtool -K DEV ntuple
 * on|off); with it off they stay listed and inactive.
 *
 * Locking: the rules are a sorted array of pointers replaced whole under
 * RTNL (every ethtool op holds it) and read under RCU per packet; a rule
 * is immutable except for its atomic hit counter, and freed after a grace
 * period, so a replaced table keeps the rule objects (and their counts)
 * of the rules that stay.
 */
#include <linux/netdevice.h>
#include <linux/ethtool.h>
#include <linux/slab.h>
#include <net/flow_dissector.h>
#include <net/netlink.h>
#include <net/ip.h>
#include "ntvnic.h"

/* The addresses of a dissected IP packet into flow. False if it has none. */
bool ntvnic_flow_addrs_from_keys(const struct flow_keys *keys,
				 struct ntvnic_flow *flow)
{
	memset(flow, 0, sizeof(*flow));
	switch (keys->control.addr_type) {
	case FLOW_DISSECTOR_KEY_IPV4_ADDRS:
		flow->family = AF_INET;
		flow->src[0] = keys->addrs.v4addrs.src;
		flow->dst[0] = keys->addrs.v4addrs.dst;
		return true;
	case FLOW_DISSECTOR_KEY_IPV6_ADDRS:
		flow->family = AF_INET6;
		memcpy(flow->src, &keys->addrs.v6addrs.src, 16);
		memcpy(flow->dst, &keys->addrs.v6addrs.dst, 16);
		return true;
	default:
		return false;
	}
}

/* Under RCU: the flow of a dissected TCP/UDP packet. False for others. */
bool ntvnic_flow_from_keys(const struct flow_keys *keys,
			   struct ntvnic_flow *flow)
{
	if ((keys->basic.ip_proto != IPPROTO_TCP &&
	     keys->basic.ip_proto != IPPROTO_UDP) ||
	    (keys->control.flags & FLOW_DIS_IS_FRAGMENT) ||
	    !ntvnic_flow_addrs_from_keys(keys, flow))
		return false;
	flow->ip_proto = keys->basic.ip_proto;
	flow->sport = keys->ports.src;
	flow->dport = keys->ports.dst;
	return true;
}

static bool ntvnic_rule_match(const struct ntvnic_ntuple_rule *r,
			      const struct ntvnic_flow *f)
{
	unsigned int i;

	if (r->val.ip_proto != f->ip_proto || r->val.family != f->family ||
	    (f->sport & r->mask.sport) != r->val.sport ||
	    (f->dport & r->mask.dport) != r->val.dport)
		return false;
	for (i = 0; i < 4; i++)
		if ((f->src[i] & r->mask.src[i]) != r->val.src[i] ||
		    (f->dst[i] & r->mask.dst[i]) != r->val.dst[i])
			return false;
	return true;
}

/*
 * Under RCU, from rss.c: the RX queue for a packet of TCP/UDP flow f
 * whose RSS queue is rss_q (< nq). Rules naming a queue at or beyond nq
 * (during a queue count change) are skipped.
 */
unsigned int ntvnic_steer_queue(struct ntvnic_priv *priv,
				const struct ntvnic_flow *f, u32 hash,
				unsigned int rss_q, unsigned int nq)
{
	struct ntvnic_ntuple_table *t = rcu_dereference(priv->steer.rules);
	unsigned int i;

	if (likely(!t && !READ_ONCE(priv->steer.arfs_count)))
		return rss_q;
	if (!(READ_ONCE(priv->dev->features) & NETIF_F_NTUPLE))
		return rss_q;
	for (i = 0; t && i < t->n; i++) {
		struct ntvnic_ntuple_rule *r = t->rules[i];

		if (r->queue < nq && ntvnic_rule_match(r, f)) {
			atomic64_inc(&r->hits);
			return r->queue;
		}
	}
	return ntvnic_arfs_queue(priv, f, hash, rss_q, nq);
}

/* IPv4 or IPv6 spec (addresses, ports) into val/mask. */
static int ntvnic_rule_parse4(const struct ethtool_tcpip4_spec *v,
			      const struct ethtool_tcpip4_spec *m,
			      struct ntvnic_ntuple_rule *r)
{
	if (m->tos)
		return -EOPNOTSUPP;
	r->val.family = AF_INET;
	r->mask.src[0] = m->ip4src;
	r->mask.dst[0] = m->ip4dst;
	r->val.src[0] = v->ip4src & m->ip4src;
	r->val.dst[0] = v->ip4dst & m->ip4dst;
	r->mask.sport = m->psrc;
	r->mask.dport = m->pdst;
	r->val.sport = v->psrc & m->psrc;
	r->val.dport = v->pdst & m->pdst;
	return 0;
}

static int ntvnic_rule_parse6(const struct ethtool_tcpip6_spec *v,
			      const struct ethtool_tcpip6_spec *m,
			      struct ntvnic_ntuple_rule *r)
{
	unsigned int i;

	if (m->tclass)
		return -EOPNOTSUPP;
	r->val.family = AF_INET6;
	for (i = 0; i < 4; i++) {
		r->mask.src[i] = m->ip6src[i];
		r->mask.dst[i] = m->ip6dst[i];
		r->val.src[i] = v->ip6src[i] & m->ip6src[i];
		r->val.dst[i] = v->ip6dst[i] & m->ip6dst[i];
	}
	r->mask.sport = m->psrc;
	r->mask.dport = m->pdst;
	r->val.sport = v->psrc & m->psrc;
	r->val.dport = v->pdst & m->pdst;
	return 0;
}

/*
 * A rule from an ethtool flow spec. Refused: other flow types, the
 * extension fields (VLAN, user-def, MAC: FLOW_EXT, FLOW_MAC_EXT), RSS
 * contexts, tos/tclass, the drop action, VF queues (-EOPNOTSUPP), and a
 * queue the port does not have (-EINVAL).
 */
static int ntvnic_rule_parse(struct ntvnic_priv *priv,
			     const struct ethtool_rx_flow_spec *fs,
			     struct ntvnic_ntuple_rule *r)
{
	int err;

	if (fs->ring_cookie == RX_CLS_FLOW_DISC ||
	    ethtool_get_flow_spec_ring_vf(fs->ring_cookie))
		return -EOPNOTSUPP;
	r->queue = ethtool_get_flow_spec_ring(fs->ring_cookie);
	if (r->queue >= priv->cfg.queues)
		return -EINVAL;
	switch (fs->flow_type) {
	case TCP_V4_FLOW:
	case UDP_V4_FLOW:
		err = ntvnic_rule_parse4(&fs->h_u.tcp_ip4_spec,
					 &fs->m_u.tcp_ip4_spec, r);
		break;
	case TCP_V6_FLOW:
	case UDP_V6_FLOW:
		err = ntvnic_rule_parse6(&fs->h_u.tcp_ip6_spec,
					 &fs->m_u.tcp_ip6_spec, r);
		break;
	default:
		return -EOPNOTSUPP;	/* also FLOW_EXT, FLOW_MAC_EXT, FLOW_RSS */
	}
	if (err)
		return err;
	r->val.ip_proto = (fs->flow_type == TCP_V4_FLOW ||
			   fs->flow_type == TCP_V6_FLOW) ? IPPROTO_TCP : IPPROTO_UDP;
	r->mask.ip_proto = 0xff;
	r->mask.family = 0xff;
	r->fs = *fs;
	return 0;
}

static struct ntvnic_ntuple_table *ntvnic_rules(struct ntvnic_priv *priv)
{
	return rtnl_dereference(priv->steer.rules);
}

/* RTNL. Index of the rule at loc in t, or -1. */
static int ntvnic_rule_index(const struct ntvnic_ntuple_table *t, u32 loc)
{
	unsigned int i;

	for (i = 0; t && i < t->n; i++)
		if (t->rules[i]->fs.location == loc)
			return i;
	return -1;
}

/* RTNL. A free location: the lowest (ANY, FIRST) or the highest (LAST). */
static int ntvnic_rule_free_loc(const struct ntvnic_ntuple_table *t, u32 how)
{
	int loc;

	if (how == RX_CLS_LOC_LAST) {
		for (loc = NTVNIC_NTUPLE_MAX - 1; loc >= 0; loc--)
			if (ntvnic_rule_index(t, loc) < 0)
				return loc;
	} else {
		for (loc = 0; loc < NTVNIC_NTUPLE_MAX; loc++)
			if (ntvnic_rule_index(t, loc) < 0)
				return loc;
	}
	return -ENOSPC;
}

/*
 * RTNL. Publish a copy of the table with rule add (or none) in its place
 * by location and the rule at del_loc (or none, -1) left out; the left-out
 * rule is freed after a grace period.
 */
static int ntvnic_rules_replace(struct ntvnic_priv *priv,
				struct ntvnic_ntuple_rule *add, int del_loc)
{
	struct ntvnic_ntuple_table *old = ntvnic_rules(priv), *t;
	struct ntvnic_ntuple_rule *gone = NULL;
	unsigned int i, n = 0, cap = (old ? old->n : 0) + 1;

	t = kzalloc(struct_size(t, rules, cap), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	for (i = 0; old && i < old->n; i++) {
		struct ntvnic_ntuple_rule *r = old->rules[i];

		if ((int)r->fs.location == del_loc) {
			gone = r;
			continue;
		}
		if (add && add->fs.location < r->fs.location) {
			t->rules[n++] = add;
			add = NULL;
		}
		t->rules[n++] = r;
	}
	if (add)
		t->rules[n++] = add;
	t->n = n;
	rcu_assign_pointer(priv->steer.rules, n ? t : NULL);
	if (!n)
		kfree(t);
	if (old)
		kfree_rcu(old, rcu);
	if (gone)
		kfree_rcu(gone, rcu);
	return 0;
}

/* ETHTOOL_SRXCLSRLINS: insert, or replace the rule at the same location. */
static int ntvnic_rule_insert(struct ntvnic_priv *priv,
			      struct ethtool_rx_flow_spec *fs)
{
	struct ntvnic_ntuple_table *t = ntvnic_rules(priv);
	struct ntvnic_ntuple_rule *r;
	int loc, err;

	if (fs->location & RX_CLS_LOC_SPECIAL) {
		if (fs->location != RX_CLS_LOC_ANY &&
		    fs->location != RX_CLS_LOC_FIRST &&
		    fs->location != RX_CLS_LOC_LAST)
			return -EINVAL;
		loc = ntvnic_rule_free_loc(t, fs->location);
		if (loc < 0)
			return loc;
		fs->location = loc;
	} else if (fs->location >= NTVNIC_NTUPLE_MAX) {
		return -EINVAL;
	}
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	err = ntvnic_rule_parse(priv, fs, r);
	if (!err)
		err = ntvnic_rules_replace(priv, r, ntvnic_rule_index(t, fs->location) >= 0 ?
					   (int)fs->location : -1);
	if (err)
		kfree(r);
	return err;
}

int ntvnic_ntuple_set_rxnfc(struct net_device *dev, struct ethtool_rxnfc *nfc)
{
	struct ntvnic_priv *priv = ntvnic_priv(dev);

	switch (nfc->cmd) {
	case ETHTOOL_SRXCLSRLINS:
		return ntvnic_rule_insert(priv, &nfc->fs);
	case ETHTOOL_SRXCLSRLDEL:
		if (ntvnic_rule_index(ntvnic_rules(priv), nfc->fs.location) < 0)
			return -ENOENT;
		return ntvnic_rules_replace(priv, NULL, nfc->fs.location);
	default:
		return -EOPNOTSUPP;
	}
}

/* ETHTOOL_GRXCLSRLCNT, GRXCLSRULE, GRXCLSRLALL (RTNL). */
int ntvnic_ntuple_get_rxnfc(struct net_device *dev, struct ethtool_rxnfc *nfc,
			    u32 *rule_locs)
{
	struct ntvnic_ntuple_table *t = ntvnic_rules(ntvnic_priv(dev));
	unsigned int i, n = t ? t->n : 0;
	int idx;

	switch (nfc->cmd) {
	case ETHTOOL_GRXCLSRLCNT:
		nfc->rule_cnt = n;
		nfc->data = NTVNIC_NTUPLE_MAX | RX_CLS_LOC_SPECIAL;
		return 0;
	case ETHTOOL_GRXCLSRULE:
		idx = ntvnic_rule_index(t, nfc->fs.location);
		if (idx < 0)
			return -ENOENT;
		nfc->fs = t->rules[idx]->fs;
		return 0;
	case ETHTOOL_GRXCLSRLALL:
		if (nfc->rule_cnt < n)
			return -EMSGSIZE;
		for (i = 0; i < n; i++)
			rule_locs[i] = t->rules[i]->fs.location;
		nfc->rule_cnt = n;
		nfc->data = NTVNIC_NTUPLE_MAX;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

/* Port freed (no readers left): drop the rules. */
void ntvnic_ntuple_free(struct ntvnic_priv *priv)
{
	struct ntvnic_ntuple_table *t;
	unsigned int i;

	t = rcu_dereference_protected(priv->steer.rules, 1);
	RCU_INIT_POINTER(priv->steer.rules, NULL);
	for (i = 0; t && i < t->n; i++)
		kfree(t->rules[i]);
	kfree(t);
}

/* The flow's fields for a netlink reply: addresses, ports, masks. */
static int ntvnic_put_flow(struct sk_buff *skb, const struct ntvnic_flow *f,
			   const struct ntvnic_flow *m)
{
	int alen = f->family == AF_INET ? 4 : 16;

	if (nla_put(skb, NTVNIC_SA_SRC, alen, f->src) ||
	    nla_put(skb, NTVNIC_SA_DST, alen, f->dst) ||
	    nla_put_u32(skb, NTVNIC_SA_SPORT, ntohs(f->sport)) ||
	    nla_put_u32(skb, NTVNIC_SA_DPORT, ntohs(f->dport)))
		return -EMSGSIZE;
	if (m && (nla_put(skb, NTVNIC_SA_SRC_MASK, alen, m->src) ||
		  nla_put(skb, NTVNIC_SA_DST_MASK, alen, m->dst) ||
		  nla_put_u32(skb, NTVNIC_SA_SPORT_MASK, ntohs(m->sport)) ||
		  nla_put_u32(skb, NTVNIC_SA_DPORT_MASK, ntohs(m->dport))))
		return -EMSGSIZE;
	return 0;
}

u32 ntvnic_flow_type(const struct ntvnic_flow *f)
{
	if (f->family == AF_INET)
		return f->ip_proto == IPPROTO_TCP ? TCP_V4_FLOW : UDP_V4_FLOW;
	return f->ip_proto == IPPROTO_TCP ? TCP_V6_FLOW : UDP_V6_FLOW;
}

/*
 * One steering entry (an ntuple rule, or an aRFS filter with m NULL) as an
 * NTVNIC_STEER_ENTRY nest of enum ntvnic_steer_attr.
 */
int ntvnic_put_steer_entry(struct sk_buff *skb, u32 loc,
			   const struct ntvnic_flow *f,
			   const struct ntvnic_flow *m, u32 queue, u64 hits)
{
	struct nlattr *nest = nla_nest_start(skb, NTVNIC_STEER_ENTRY);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, NTVNIC_SA_LOC, loc) ||
	    nla_put_u32(skb, NTVNIC_SA_FLOW_TYPE, ntvnic_flow_type(f)) ||
	    ntvnic_put_flow(skb, f, m) ||
	    nla_put_u32(skb, NTVNIC_SA_QUEUE, queue) ||
	    nla_put_u64_64bit(skb, NTVNIC_SA_HITS, hits, NTVNIC_SA_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* RTNL: the rules, the aRFS filters and their counters (STEER_GET). */
int ntvnic_steer_fill(struct sk_buff *skb, struct ntvnic_priv *priv)
{
	struct ntvnic_ntuple_table *t = ntvnic_rules(priv);
	struct nlattr *list;
	unsigned int i;

	if (nla_put_u8(skb, NTVNIC_A_NTUPLE_ON,
		       !!(priv->dev->features & NETIF_F_NTUPLE)))
		return -EMSGSIZE;
	list = nla_nest_start(skb, NTVNIC_A_NTUPLE_RULES);
	if (!list)
		return -EMSGSIZE;
	for (i = 0; t && i < t->n; i++) {
		struct ntvnic_ntuple_rule *r = t->rules[i];

		if (ntvnic_put_steer_entry(skb, r->fs.location, &r->val,
					   &r->mask, r->queue,
					   atomic64_read(&r->hits)))
			return -EMSGSIZE;
	}
	nla_nest_end(skb, list);
	return ntvnic_arfs_fill(skb, priv);
}
