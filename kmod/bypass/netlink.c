// SPDX-License-Identifier: GPL-2.0
/*
 * ntbypass: generic netlink family "ntbypass" (uapi/linux/ntbypass.h).
 *
 * Requests act on the requester's network namespace (netnsok). Changes
 * need CAP_NET_ADMIN over that namespace (GENL_UNS_ADMIN_PERM); GET and
 * STATUS are open. Handlers run in parallel (parallel_ops) and serialise
 * on the namespace's ntb_net->lock; the module cannot go away under one:
 * genl_unregister_family() waits for running handlers, and a dump in
 * progress holds a module reference.
 *
 * Every refusal says why in the extended ack (NL_SET_ERR_MSG_ATTR pointing
 * at the offending attribute). Policies check types, lengths and the
 * ranges whose generic message ("integer out of range") is clear enough:
 * protocol >= 1, ifindex >= 1, rule id >= 1, flags; ports, families and
 * per-family prefix lengths are checked in ntb_parse_spec() so that the
 * message can say what is wrong ("port 0 is not a valid port", "bad
 * prefix length: an IPv4 prefix is at most 32 bits").
 */
#include <linux/bsearch.h>
#include <linux/sort.h>
#include <linux/slab.h>
#include <linux/inetdevice.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/netlink.h>
#include "ntbypass.h"

#define NTB_RULE_POLICY							\
	[NTBYPASS_A_RULE_ID]		= NLA_POLICY_MIN(NLA_U32, 1),	\
	[NTBYPASS_A_FAMILY]		= { .type = NLA_U8 },		\
	[NTBYPASS_A_PROTO]		= NLA_POLICY_MIN(NLA_U8, 1),	\
	[NTBYPASS_A_SPORT_MIN]		= { .type = NLA_U16 },		\
	[NTBYPASS_A_SPORT_MAX]		= { .type = NLA_U16 },		\
	[NTBYPASS_A_DPORT_MIN]		= { .type = NLA_U16 },		\
	[NTBYPASS_A_DPORT_MAX]		= { .type = NLA_U16 },		\
	[NTBYPASS_A_SRC_ADDR]		= { .type = NLA_BINARY,		\
					    .len = sizeof(struct in6_addr) }, \
	[NTBYPASS_A_SRC_PLEN]		= { .type = NLA_U8 },		\
	[NTBYPASS_A_DST_ADDR]		= { .type = NLA_BINARY,		\
					    .len = sizeof(struct in6_addr) }, \
	[NTBYPASS_A_DST_PLEN]		= { .type = NLA_U8 },		\
	[NTBYPASS_A_IIF]		= NLA_POLICY_MIN(NLA_U32, 1),	\
	[NTBYPASS_A_IIFNAME]		= { .type = NLA_NUL_STRING,	\
					    .len = IFNAMSIZ - 1 },	\
	[NTBYPASS_A_OIF]		= NLA_POLICY_MIN(NLA_U32, 1),	\
	[NTBYPASS_A_OIFNAME]		= { .type = NLA_NUL_STRING,	\
					    .len = IFNAMSIZ - 1 },	\
	[NTBYPASS_A_FLAGS]		= NLA_POLICY_MAX(NLA_U32, NTBYPASS_F_ALL), \
	[NTBYPASS_A_PACKETS]		= { .type = NLA_REJECT },	\
	[NTBYPASS_A_BYTES]		= { .type = NLA_REJECT },	\
	[NTBYPASS_A_MIRROR_PACKETS]	= { .type = NLA_REJECT },	\
	[NTBYPASS_A_MIRROR_BYTES]	= { .type = NLA_REJECT },	\
	[NTBYPASS_A_RULE_COUNT]		= { .type = NLA_REJECT },	\
	[NTBYPASS_A_HOOKED]		= { .type = NLA_REJECT },	\
	[NTBYPASS_A_DEV_GONE_RULES]	= { .type = NLA_REJECT }

/* Attributes of one rule (each NTBYPASS_A_RULE nest of REPLACE) */
static const struct nla_policy ntb_rule_policy[NTBYPASS_A_MAX + 1] = {
	NTB_RULE_POLICY,
};

/* NTBYPASS_A_RULES: a list of NTBYPASS_A_RULE nests */
static const struct nla_policy ntb_rules_policy[NTBYPASS_A_RULE + 1] = {
	[NTBYPASS_A_RULE]	= NLA_POLICY_NESTED(ntb_rule_policy),
};

/*
 * Top level: a rule's attributes (ADD, DEL, GET) or the rules of a
 * REPLACE, either in one NTBYPASS_A_RULES nest (< 64 KiB: a nest's length
 * is 16 bits) or as repeated top-level NTBYPASS_A_RULE nests (any size).
 */
static const struct nla_policy ntb_policy[NTBYPASS_A_MAX + 1] = {
	NTB_RULE_POLICY,
	[NTBYPASS_A_RULES]	= NLA_POLICY_NESTED(ntb_rules_policy),
	[NTBYPASS_A_RULE]	= NLA_POLICY_NESTED(ntb_rule_policy),
};

static struct genl_family ntb_genl_family;

/* ------------------------------------------------------------------ */
/* Parsing                                                             */

/* Returns 1 with a range, 0 without, or an error. */
static int ntb_parse_ports(struct nlattr **tb, int amin, int amax,
			   u16 *lo, u16 *hi, struct netlink_ext_ack *extack)
{
	if (!tb[amin]) {
		if (tb[amax]) {
			NL_SET_ERR_MSG_ATTR(extack, tb[amax],
					    "port range maximum without a minimum");
			return -EINVAL;
		}
		return 0;
	}
	*lo = nla_get_u16(tb[amin]);
	*hi = tb[amax] ? nla_get_u16(tb[amax]) : *lo;
	if (!*lo || !*hi) {
		NL_SET_ERR_MSG_ATTR(extack, *lo ? tb[amax] : tb[amin],
				    "port 0 is not a valid port (ports are 1-65535)");
		return -EINVAL;
	}
	if (*hi < *lo) {
		NL_SET_ERR_MSG_ATTR(extack, tb[amax],
				    "port range upside down: maximum below minimum");
		return -EINVAL;
	}
	return 1;
}

/* Returns 1 with a prefix, 0 without (or /0, which matches everything). */
static int ntb_parse_prefix(struct nlattr **tb, int aaddr, int aplen, u8 family,
			    union nf_inet_addr *addr, u8 *plen,
			    struct netlink_ext_ack *extack)
{
	union nf_inet_addr raw;
	int alen;

	if (!tb[aaddr]) {
		if (tb[aplen]) {
			NL_SET_ERR_MSG_ATTR(extack, tb[aplen],
					    "prefix length without an address");
			return -EINVAL;
		}
		return 0;
	}
	if (!family) {
		NL_SET_ERR_MSG_ATTR(extack, tb[aaddr],
				    "an address prefix needs the address family (NTBYPASS_A_FAMILY)");
		return -EINVAL;
	}
	alen = family == NFPROTO_IPV4 ? sizeof(struct in_addr) :
					sizeof(struct in6_addr);
	if (nla_len(tb[aaddr]) != alen) {
		NL_SET_ERR_MSG_ATTR(extack, tb[aaddr],
				    "address length does not match the family (4 bytes for IPv4, 16 for IPv6)");
		return -EINVAL;
	}
	*plen = tb[aplen] ? nla_get_u8(tb[aplen]) : alen * 8;
	if (*plen > alen * 8) {
		if (family == NFPROTO_IPV4)
			NL_SET_ERR_MSG_ATTR(extack, tb[aplen],
					    "bad prefix length: an IPv4 prefix is at most 32 bits");
		else
			NL_SET_ERR_MSG_ATTR(extack, tb[aplen],
					    "bad prefix length: an IPv6 prefix is at most 128 bits");
		return -EINVAL;
	}
	if (!*plen)
		return 0;
	memset(&raw, 0, sizeof(raw));
	nla_memcpy(&raw, tb[aaddr], alen);
	memset(addr, 0, sizeof(*addr));
	/* not in place: ipv6_addr_prefix() clears its output first */
	if (family == NFPROTO_IPV4)
		addr->ip = raw.ip & inet_make_mask(*plen);
	else
		ipv6_addr_prefix(&addr->in6, &raw.in6, *plen);
	return 1;
}

/* Returns 1 with an interface, 0 without. */
static int ntb_parse_if(struct net *net, struct nlattr *aidx, struct nlattr *aname,
			int *ifindex, char *name, struct netlink_ext_ack *extack)
{
	struct net_device *dev = NULL, *byname;
	int err = 0;

	if (!aidx && !aname)
		return 0;
	rcu_read_lock();
	if (aidx) {
		dev = dev_get_by_index_rcu(net, nla_get_u32(aidx));
		if (!dev) {
			NL_SET_ERR_MSG_ATTR(extack, aidx,
					    "unknown interface: no device with this index in the namespace");
			err = -ENODEV;
			goto out;
		}
	}
	if (aname) {
		byname = dev_get_by_name_rcu(net, nla_data(aname));
		if (!byname) {
			NL_SET_ERR_MSG_ATTR(extack, aname,
					    "unknown interface: no device with this name in the namespace");
			err = -ENODEV;
			goto out;
		}
		if (dev && dev != byname) {
			NL_SET_ERR_MSG_ATTR(extack, aname,
					    "interface index and name are different devices");
			err = -EINVAL;
			goto out;
		}
		dev = byname;
	}
	*ifindex = dev->ifindex;
	strscpy(name, dev->name, IFNAMSIZ);
	err = 1;
out:
	rcu_read_unlock();
	return err;
}

/*
 * Under n->lock, before a new rule is committed: the devices it names,
 * resolved before the lock, must still be there with the same name. A
 * device unregistered in between may have had its NETDEV_UNREGISTER
 * handled already (it is unlisted before the notifiers run), so nothing
 * would drop the rule, and its index may even belong to a new device.
 * While the device is listed, its NETDEV_UNREGISTER is still to come and
 * will find the rule (the handler takes n->lock).
 */
static int ntb_check_devs(struct net *net, const struct ntb_match *m, const char *iifname,
			  const char *oifname, struct netlink_ext_ack *extack)
{
	struct net_device *dev;
	int err = 0;

	rcu_read_lock();
	if (m->has & NTB_M_IIF) {
		dev = dev_get_by_index_rcu(net, m->iif);
		if (!dev || strcmp(dev->name, iifname))
			err = -ENODEV;
	}
	if (m->has & NTB_M_OIF) {
		dev = dev_get_by_index_rcu(net, m->oif);
		if (!dev || strcmp(dev->name, oifname))
			err = -ENODEV;
	}
	rcu_read_unlock();
	if (err)
		NL_SET_ERR_MSG(extack,
			       "the rule's interface went away (or was renamed) while adding");
	return err;
}

/*
 * One rule's attributes -> normalised spec (+ interface names). Only the
 * rule attributes are looked at; the caller refuses the others.
 */
static int ntb_parse_spec(struct net *net, struct nlattr **tb,
			  struct ntb_match *m, char *iifname, char *oifname,
			  struct netlink_ext_ack *extack)
{
	int ret;

	memset(m, 0, sizeof(*m));
	iifname[0] = '\0';
	oifname[0] = '\0';

	if (tb[NTBYPASS_A_FLAGS])
		m->flags = nla_get_u32(tb[NTBYPASS_A_FLAGS]);
	if (tb[NTBYPASS_A_FAMILY]) {
		m->family = nla_get_u8(tb[NTBYPASS_A_FAMILY]);
		if (m->family != NFPROTO_IPV4 && m->family != NFPROTO_IPV6) {
			NL_SET_ERR_MSG_ATTR(extack, tb[NTBYPASS_A_FAMILY],
					    "family must be AF_INET (2) or AF_INET6 (10)");
			return -EAFNOSUPPORT;
		}
	}
	if (tb[NTBYPASS_A_PROTO])
		m->proto = nla_get_u8(tb[NTBYPASS_A_PROTO]);

	ret = ntb_parse_ports(tb, NTBYPASS_A_SPORT_MIN, NTBYPASS_A_SPORT_MAX,
			      &m->sport_lo, &m->sport_hi, extack);
	if (ret < 0)
		return ret;
	if (ret)
		m->has |= NTB_M_SPORT;
	ret = ntb_parse_ports(tb, NTBYPASS_A_DPORT_MIN, NTBYPASS_A_DPORT_MAX,
			      &m->dport_lo, &m->dport_hi, extack);
	if (ret < 0)
		return ret;
	if (ret)
		m->has |= NTB_M_DPORT;
	if ((m->has & (NTB_M_SPORT | NTB_M_DPORT)) && !ntb_port_proto(m->proto)) {
		NL_SET_ERR_MSG_ATTR(extack,
				    tb[NTBYPASS_A_DPORT_MIN] ?: tb[NTBYPASS_A_SPORT_MIN],
				    "ports need proto tcp, udp, udplite, sctp or dccp");
		return -EINVAL;
	}

	ret = ntb_parse_prefix(tb, NTBYPASS_A_SRC_ADDR, NTBYPASS_A_SRC_PLEN,
			       m->family, &m->src, &m->src_plen, extack);
	if (ret < 0)
		return ret;
	if (ret)
		m->has |= NTB_M_SRC;
	else
		m->src_plen = 0;
	ret = ntb_parse_prefix(tb, NTBYPASS_A_DST_ADDR, NTBYPASS_A_DST_PLEN,
			       m->family, &m->dst, &m->dst_plen, extack);
	if (ret < 0)
		return ret;
	if (ret)
		m->has |= NTB_M_DST;
	else
		m->dst_plen = 0;

	ret = ntb_parse_if(net, tb[NTBYPASS_A_IIF], tb[NTBYPASS_A_IIFNAME],
			   &m->iif, iifname, extack);
	if (ret < 0)
		return ret;
	if (ret)
		m->has |= NTB_M_IIF;
	ret = ntb_parse_if(net, tb[NTBYPASS_A_OIF], tb[NTBYPASS_A_OIFNAME],
			   &m->oif, oifname, extack);
	if (ret < 0)
		return ret;
	if (ret)
		m->has |= NTB_M_OIF;
	return 0;
}

static int ntb_cmp_spec(const struct ntb_match *a, const struct ntb_match *b)
{
	return memcmp(a, b, sizeof(*a));
}

static struct ntb_rule *ntb_find_id(struct ntb_net *n, u32 id)
{
	struct ntb_rule *r;

	list_for_each_entry(r, &n->rules, list)
		if (r->id == id)
			return r;
	return NULL;
}

static struct ntb_rule *ntb_find_spec(struct ntb_net *n, const struct ntb_match *m)
{
	struct ntb_rule *r;

	list_for_each_entry(r, &n->rules, list)
		if (!ntb_cmp_spec(&r->spec, m))
			return r;
	return NULL;
}

/* The current rules as an array (ascending id) with room for @extra more. */
static struct ntb_rule **ntb_rules_array(struct ntb_net *n, u32 extra)
{
	struct ntb_rule **arr, *r;
	u32 i = 0;

	arr = kvmalloc_array(n->nrules + extra + 1, sizeof(*arr), GFP_KERNEL);
	if (!arr)
		return NULL;
	list_for_each_entry(r, &n->rules, list)
		arr[i++] = r;
	return arr;
}

/* ------------------------------------------------------------------ */
/* Replies                                                             */

static int ntb_put_addr(struct sk_buff *skb, int attr, u8 family,
			const union nf_inet_addr *a)
{
	return nla_put(skb, attr, family == NFPROTO_IPV4 ? sizeof(struct in_addr) :
			sizeof(struct in6_addr), a);
}

static int ntb_fill_rule(struct sk_buff *skb, const struct ntb_rule *r,
			 u32 portid, u32 seq, int flags, u8 cmd)
{
	const struct ntb_match *m = &r->spec;
	struct ntb_counts c;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &ntb_genl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	ntb_rule_counts(r, &c);
	if (nla_put_u32(skb, NTBYPASS_A_RULE_ID, r->id) ||
	    nla_put_u32(skb, NTBYPASS_A_FLAGS, m->flags) ||
	    (m->family && nla_put_u8(skb, NTBYPASS_A_FAMILY, m->family)) ||
	    (m->proto && nla_put_u8(skb, NTBYPASS_A_PROTO, m->proto)))
		goto nla_put_failure;
	if ((m->has & NTB_M_SPORT) &&
	    (nla_put_u16(skb, NTBYPASS_A_SPORT_MIN, m->sport_lo) ||
	     nla_put_u16(skb, NTBYPASS_A_SPORT_MAX, m->sport_hi)))
		goto nla_put_failure;
	if ((m->has & NTB_M_DPORT) &&
	    (nla_put_u16(skb, NTBYPASS_A_DPORT_MIN, m->dport_lo) ||
	     nla_put_u16(skb, NTBYPASS_A_DPORT_MAX, m->dport_hi)))
		goto nla_put_failure;
	if ((m->has & NTB_M_SRC) &&
	    (ntb_put_addr(skb, NTBYPASS_A_SRC_ADDR, m->family, &m->src) ||
	     nla_put_u8(skb, NTBYPASS_A_SRC_PLEN, m->src_plen)))
		goto nla_put_failure;
	if ((m->has & NTB_M_DST) &&
	    (ntb_put_addr(skb, NTBYPASS_A_DST_ADDR, m->family, &m->dst) ||
	     nla_put_u8(skb, NTBYPASS_A_DST_PLEN, m->dst_plen)))
		goto nla_put_failure;
	if ((m->has & NTB_M_IIF) &&
	    (nla_put_u32(skb, NTBYPASS_A_IIF, m->iif) ||
	     nla_put_string(skb, NTBYPASS_A_IIFNAME, r->iifname)))
		goto nla_put_failure;
	if ((m->has & NTB_M_OIF) &&
	    (nla_put_u32(skb, NTBYPASS_A_OIF, m->oif) ||
	     nla_put_string(skb, NTBYPASS_A_OIFNAME, r->oifname)))
		goto nla_put_failure;
	if (nla_put_u64_64bit(skb, NTBYPASS_A_PACKETS, c.pkts, NTBYPASS_A_PAD) ||
	    nla_put_u64_64bit(skb, NTBYPASS_A_BYTES, c.bytes, NTBYPASS_A_PAD) ||
	    nla_put_u64_64bit(skb, NTBYPASS_A_MIRROR_PACKETS, c.mpkts, NTBYPASS_A_PAD) ||
	    nla_put_u64_64bit(skb, NTBYPASS_A_MIRROR_BYTES, c.mbytes, NTBYPASS_A_PAD))
		goto nla_put_failure;
	genlmsg_end(skb, hdr);
	return 0;

nla_put_failure:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* ------------------------------------------------------------------ */
/* Handlers                                                            */

static int ntb_refuse_list_attrs(struct genl_info *info)
{
	if (info->attrs[NTBYPASS_A_RULES]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[NTBYPASS_A_RULES],
				    "a rule list belongs to REPLACE only");
		return -EINVAL;
	}
	return 0;
}

static int ntb_nl_add(struct sk_buff *skb, struct genl_info *info)
{
	struct ntb_net *n = ntb_pernet(genl_info_net(info));
	struct netlink_ext_ack *extack = info->extack;
	char iifname[IFNAMSIZ], oifname[IFNAMSIZ];
	struct ntb_rule *r, *dup, **arr = NULL;
	struct ntb_match spec;
	struct sk_buff *reply;
	int err;

	err = ntb_refuse_list_attrs(info);
	if (err)
		return err;
	if (info->attrs[NTBYPASS_A_RULE_ID]) {
		NL_SET_ERR_MSG_ATTR(extack, info->attrs[NTBYPASS_A_RULE_ID],
				    "rule ids are assigned by the kernel");
		return -EINVAL;
	}
	err = ntb_parse_spec(genl_info_net(info), info->attrs, &spec,
			     iifname, oifname, extack);
	if (err)
		return err;

	r = ntb_rule_alloc(&spec);
	reply = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!r || !reply) {
		err = -ENOMEM;
		goto out_free;
	}
	strscpy(r->iifname, iifname, IFNAMSIZ);
	strscpy(r->oifname, oifname, IFNAMSIZ);
	r->owner = n;

	mutex_lock(&n->lock);
	if (n->nrules >= NTBYPASS_MAX_RULES) {
		NL_SET_ERR_MSG(extack, "too many rules: a namespace holds at most 65536");
		err = -ENOSPC;
		goto out_unlock;
	}
	err = ntb_check_devs(genl_info_net(info), &spec, iifname, oifname, extack);
	if (err)
		goto out_unlock;
	dup = ntb_find_spec(n, &spec);
	if (dup) {
		NL_SET_ERR_MSG(extack, "duplicate rule: an identical rule exists");
		err = -EEXIST;
		goto out_unlock;
	}
	if (!n->next_id) {
		NL_SET_ERR_MSG(extack, "rule ids of this namespace are exhausted");
		err = -ENOSPC;
		goto out_unlock;
	}
	arr = ntb_rules_array(n, 1);
	if (!arr) {
		err = -ENOMEM;
		goto out_unlock;
	}
	r->id = n->next_id;
	arr[n->nrules] = r;
	err = ntb_commit(n, arr, n->nrules + 1, extack);
	if (err)
		goto out_unlock;
	n->next_id++;
	err = ntb_fill_rule(reply, r, info->snd_portid, info->snd_seq, 0,
			    NTBYPASS_CMD_ADD);
	mutex_unlock(&n->lock);
	kvfree(arr);
	if (err) {
		nlmsg_free(reply);
		return err;
	}
	return genlmsg_reply(reply, info);

out_unlock:
	mutex_unlock(&n->lock);
out_free:
	kvfree(arr);
	nlmsg_free(reply);
	ntb_rule_free(r);
	return err;
}

static int ntb_nl_del(struct sk_buff *skb, struct genl_info *info)
{
	struct ntb_net *n = ntb_pernet(genl_info_net(info));
	struct netlink_ext_ack *extack = info->extack;
	char iifname[IFNAMSIZ], oifname[IFNAMSIZ];
	struct ntb_rule *r, *victim, **arr;
	struct ntb_match spec;
	u32 i = 0;
	int err;

	err = ntb_refuse_list_attrs(info);
	if (err)
		return err;
	if (!info->attrs[NTBYPASS_A_RULE_ID]) {
		err = ntb_parse_spec(genl_info_net(info), info->attrs, &spec,
				     iifname, oifname, extack);
		if (err)
			return err;
	}

	mutex_lock(&n->lock);
	if (info->attrs[NTBYPASS_A_RULE_ID])
		victim = ntb_find_id(n, nla_get_u32(info->attrs[NTBYPASS_A_RULE_ID]));
	else
		victim = ntb_find_spec(n, &spec);
	if (!victim) {
		NL_SET_ERR_MSG_ATTR(extack, info->attrs[NTBYPASS_A_RULE_ID],
				    "no such rule");
		err = -ENOENT;
		goto out;
	}
	arr = kvmalloc_array(n->nrules, sizeof(*arr), GFP_KERNEL);
	if (!arr) {
		err = -ENOMEM;
		goto out;
	}
	list_for_each_entry(r, &n->rules, list)
		if (r != victim)
			arr[i++] = r;
	err = ntb_commit(n, arr, i, extack);
	kvfree(arr);
out:
	mutex_unlock(&n->lock);
	return err;
}

static int ntb_nl_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct ntb_net *n = ntb_pernet(genl_info_net(info));
	int err;

	mutex_lock(&n->lock);
	err = ntb_commit(n, NULL, 0, info->extack);
	mutex_unlock(&n->lock);
	return err;
}

struct ntb_new_rule {
	struct ntb_match spec;
	char iifname[IFNAMSIZ];
	char oifname[IFNAMSIZ];
	const struct nlattr *attr;	/* its NTBYPASS_A_RULE, for extack */
	struct ntb_rule *rule;
	bool fresh;			/* allocated here (not kept from the old set) */
};

static int ntb_cmp_new_spec(const void *a, const void *b)
{
	const struct ntb_new_rule *x = a, *y = b;
	int c = ntb_cmp_spec(&x->spec, &y->spec);

	if (c)
		return c;
	return x->attr < y->attr ? -1 : x->attr > y->attr;
}

static int ntb_cmp_new_attr(const void *a, const void *b)
{
	const struct ntb_new_rule *x = a, *y = b;

	return x->attr < y->attr ? -1 : x->attr > y->attr;
}

static int ntb_cmp_rule_spec(const void *a, const void *b)
{
	const struct ntb_rule *x = *(struct ntb_rule * const *)a;
	const struct ntb_rule *y = *(struct ntb_rule * const *)b;

	return ntb_cmp_spec(&x->spec, &y->spec);
}

static int ntb_key_rule_spec(const void *key, const void *elt)
{
	const struct ntb_rule *y = *(struct ntb_rule * const *)elt;

	return ntb_cmp_spec(key, &y->spec);
}

static int ntb_cmp_rule_id(const void *a, const void *b)
{
	const struct ntb_rule *x = *(struct ntb_rule * const *)a;
	const struct ntb_rule *y = *(struct ntb_rule * const *)b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/*
 * REPLACE: parse and check the whole list first (nothing changes on any
 * error), then under the lock keep the rules already present (same id,
 * same counters), allocate the others, and commit in one step.
 */
static int ntb_nl_replace(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct ntb_net *n = ntb_pernet(net);
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *list = info->attrs[NTBYPASS_A_RULES];
	struct nlattr *tb[NTBYPASS_A_MAX + 1];
	struct ntb_rule **old = NULL, **final = NULL, **hit;
	struct ntb_new_rule *items = NULL;
	struct nlattr *a, *head;
	u32 count = 0, i, nfresh = 0;
	int len, rem, err;

	if (list && info->attrs[NTBYPASS_A_RULE]) {
		NL_SET_ERR_MSG_ATTR(extack, list,
				    "give the rules in NTBYPASS_A_RULES or as top-level NTBYPASS_A_RULE, not both");
		return -EINVAL;
	}
	if (list) {
		head = nla_data(list);
		len = nla_len(list);
	} else if (info->attrs[NTBYPASS_A_RULE]) {
		head = nlmsg_attrdata(info->nlhdr, GENL_HDRLEN);
		len = nlmsg_attrlen(info->nlhdr, GENL_HDRLEN);
	} else {
		NL_SET_ERR_MSG(extack,
			       "REPLACE needs NTBYPASS_A_RULES (empty = no rules) or NTBYPASS_A_RULE");
		return -EINVAL;
	}
	nla_for_each_attr(a, head, len, rem) {
		if (nla_type(a) != NTBYPASS_A_RULE) {
			NL_SET_ERR_MSG_ATTR(extack, a, "REPLACE takes only NTBYPASS_A_RULE nests");
			return -EINVAL;
		}
		if (++count > NTBYPASS_MAX_RULES) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "too many rules: a namespace holds at most 65536");
			return -ENOSPC;
		}
	}
	if (count) {
		items = kvcalloc(count, sizeof(*items), GFP_KERNEL);
		if (!items)
			return -ENOMEM;
	}
	i = 0;
	nla_for_each_attr(a, head, len, rem) {
		/* types and ranges were checked by the nested policies */
		err = nla_parse_nested(tb, NTBYPASS_A_MAX, a, ntb_rule_policy, extack);
		if (err)
			goto out;
		if (tb[NTBYPASS_A_RULE_ID]) {
			NL_SET_ERR_MSG_ATTR(extack, tb[NTBYPASS_A_RULE_ID],
					    "rule ids are assigned by the kernel");
			err = -EINVAL;
			goto out;
		}
		if (tb[NTBYPASS_A_RULES] || tb[NTBYPASS_A_RULE]) {
			NL_SET_ERR_MSG_ATTR(extack, a, "rules do not nest");
			err = -EINVAL;
			goto out;
		}
		items[i].attr = a;
		err = ntb_parse_spec(net, tb, &items[i].spec, items[i].iifname,
				     items[i].oifname, extack);
		if (err)
			goto out;
		i++;
	}

	/* duplicates inside the new set: sort by spec, compare neighbours */
	sort(items, count, sizeof(*items), ntb_cmp_new_spec, NULL);
	for (i = 1; i < count; i++) {
		if (!ntb_cmp_spec(&items[i].spec, &items[i - 1].spec)) {
			NL_SET_ERR_MSG_ATTR(extack, items[i].attr,
					    "duplicate rule: the list holds an identical rule earlier");
			err = -EEXIST;
			goto out;
		}
	}

	mutex_lock(&n->lock);
	old = ntb_rules_array(n, 0);
	final = kvmalloc_array(count + 1, sizeof(*final), GFP_KERNEL);
	if (!old || !final) {
		err = -ENOMEM;
		goto out_unlock;
	}
	sort(old, n->nrules, sizeof(*old), ntb_cmp_rule_spec, NULL);
	/* back in the order given, so new ids follow the list's order */
	sort(items, count, sizeof(*items), ntb_cmp_new_attr, NULL);
	for (i = 0; i < count; i++) {
		hit = bsearch(&items[i].spec, old, n->nrules, sizeof(*old),
			      ntb_key_rule_spec);
		if (hit) {
			items[i].rule = *hit;
			continue;
		}
		err = ntb_check_devs(net, &items[i].spec, items[i].iifname, items[i].oifname,
				     extack);
		if (err)
			goto out_unlock;
		items[i].rule = ntb_rule_alloc(&items[i].spec);
		if (!items[i].rule) {
			err = -ENOMEM;
			goto out_unlock;
		}
		items[i].fresh = true;
		items[i].rule->owner = n;
		strscpy(items[i].rule->iifname, items[i].iifname, IFNAMSIZ);
		strscpy(items[i].rule->oifname, items[i].oifname, IFNAMSIZ);
		nfresh++;
	}
	if (nfresh && (!n->next_id || n->next_id - 1 > U32_MAX - nfresh)) {
		NL_SET_ERR_MSG(extack, "rule ids of this namespace are exhausted");
		err = -ENOSPC;
		goto out_unlock;
	}
	for (i = 0, nfresh = 0; i < count; i++) {
		if (items[i].fresh)
			items[i].rule->id = n->next_id + nfresh++;
		final[i] = items[i].rule;
	}
	sort(final, count, sizeof(*final), ntb_cmp_rule_id, NULL);
	err = ntb_commit(n, final, count, extack);
	if (!err)
		n->next_id += nfresh;

out_unlock:
	mutex_unlock(&n->lock);
out:
	if (err && items) {
		for (i = 0; i < count; i++)
			if (items[i].fresh)
				ntb_rule_free(items[i].rule);
	}
	kvfree(final);
	kvfree(old);
	kvfree(items);
	return err;
}

static int ntb_nl_get(struct sk_buff *skb, struct genl_info *info)
{
	struct ntb_net *n = ntb_pernet(genl_info_net(info));
	struct sk_buff *reply;
	struct ntb_rule *r;
	int err;

	if (!info->attrs[NTBYPASS_A_RULE_ID]) {
		NL_SET_ERR_MSG(info->extack, "GET needs NTBYPASS_A_RULE_ID or NLM_F_DUMP");
		return -EINVAL;
	}
	reply = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!reply)
		return -ENOMEM;
	mutex_lock(&n->lock);
	r = ntb_find_id(n, nla_get_u32(info->attrs[NTBYPASS_A_RULE_ID]));
	if (r)
		err = ntb_fill_rule(reply, r, info->snd_portid, info->snd_seq, 0,
				    NTBYPASS_CMD_GET);
	mutex_unlock(&n->lock);
	if (!r) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[NTBYPASS_A_RULE_ID],
				    "no such rule");
		err = -ENOENT;
	}
	if (err) {
		nlmsg_free(reply);
		return err;
	}
	return genlmsg_reply(reply, info);
}

/* cb->args[0]: id of the last rule dumped (ids only grow) */
static int ntb_nl_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct ntb_net *n = ntb_pernet(sock_net(skb->sk));
	u32 last = cb->args[0];
	struct ntb_rule *r;

	mutex_lock(&n->lock);
	list_for_each_entry(r, &n->rules, list) {
		if (r->id <= last)
			continue;
		if (ntb_fill_rule(skb, r, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, NLM_F_MULTI,
				  NTBYPASS_CMD_GET))
			break;
		last = r->id;
	}
	mutex_unlock(&n->lock);
	cb->args[0] = last;
	return skb->len;
}

static int ntb_nl_status(struct sk_buff *skb, struct genl_info *info)
{
	struct ntb_net *n = ntb_pernet(genl_info_net(info));
	u64 pkts, bytes;
	struct ntb_counts c;
	struct sk_buff *reply;
	struct ntb_rule *r;
	void *hdr;

	reply = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!reply)
		return -ENOMEM;
	hdr = genlmsg_put_reply(reply, info, &ntb_genl_family, 0,
				NTBYPASS_CMD_STATUS);
	if (!hdr)
		goto nla_put_failure;

	mutex_lock(&n->lock);
	pkts = atomic64_read(&n->retired_pkts);
	bytes = atomic64_read(&n->retired_bytes);
	list_for_each_entry(r, &n->rules, list) {
		ntb_rule_counts(r, &c);
		pkts += c.pkts + c.mpkts;
		bytes += c.bytes + c.mbytes;
	}
	if (nla_put_u32(reply, NTBYPASS_A_RULE_COUNT, n->nrules) ||
	    nla_put_u8(reply, NTBYPASS_A_HOOKED, n->hooked) ||
	    nla_put_u32(reply, NTBYPASS_A_DEV_GONE_RULES, n->dev_gone_rules)) {
		mutex_unlock(&n->lock);
		goto nla_put_failure;
	}
	mutex_unlock(&n->lock);
	if (nla_put_u64_64bit(reply, NTBYPASS_A_PACKETS, pkts, NTBYPASS_A_PAD) ||
	    nla_put_u64_64bit(reply, NTBYPASS_A_BYTES, bytes, NTBYPASS_A_PAD))
		goto nla_put_failure;
	genlmsg_end(reply, hdr);
	return genlmsg_reply(reply, info);

nla_put_failure:
	nlmsg_free(reply);
	return -EMSGSIZE;
}

static const struct genl_ops ntb_genl_ops[] = {
	{
		.cmd = NTBYPASS_CMD_ADD,
		.doit = ntb_nl_add,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NTBYPASS_CMD_DEL,
		.doit = ntb_nl_del,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NTBYPASS_CMD_REPLACE,
		.doit = ntb_nl_replace,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NTBYPASS_CMD_FLUSH,
		.doit = ntb_nl_flush,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NTBYPASS_CMD_GET,
		.doit = ntb_nl_get,
		.dumpit = ntb_nl_dump,
	},
	{
		.cmd = NTBYPASS_CMD_STATUS,
		.doit = ntb_nl_status,
	},
};

static struct genl_family ntb_genl_family __ro_after_init = {
	.name = NTBYPASS_GENL_NAME,
	.version = NTBYPASS_GENL_VERSION,
	.maxattr = NTBYPASS_A_MAX,
	.policy = ntb_policy,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = ntb_genl_ops,
	.n_ops = ARRAY_SIZE(ntb_genl_ops),
	.resv_start_op = NTBYPASS_CMD_STATUS + 1,
};

int __init ntb_genl_register(void)
{
	return genl_register_family(&ntb_genl_family);
}

void ntb_genl_unregister(void)
{
	genl_unregister_family(&ntb_genl_family);
}
