// SPDX-License-Identifier: GPL-2.0
/*
 * ntvnic generic netlink family "ntvnic" (UAPI: <uapi/linux/ntvnic.h>).
 *
 * NEW/DEL/SET need CAP_NET_ADMIN over the caller's network namespace
 * (GENL_UNS_ADMIN_PERM), and NEW also over the target namespaces. GET is
 * open. Every op takes RTNL for the device work; the family is not
 * parallel_ops, so genl_mutex serialises the ops themselves.
 */
#include <linux/netdevice.h>
#include <linux/bpf.h>
#include <linux/rtnetlink.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <net/rtnetlink.h>
#include <net/sock.h>
#include "ntvnic.h"

/* The wire's settings (line.c); 0 turns each off. */
static struct netlink_range_validation ntvnic_wire_rate_range = {
	.max = NTVNIC_MAX_WIRE_RATE,
};

static struct netlink_range_validation ntvnic_wire_delay_range = {
	.max = NTVNIC_MAX_WIRE_DELAY,
};

static struct netlink_range_validation ntvnic_wire_loss_range = {
	.max = NTVNIC_MAX_WIRE_LOSS,
};

/*
 * Types only for the settings: ntvnic_validate_cfg() checks their ranges
 * and answers with a message that names the setting. The wire's have
 * policy ranges (the core's extack points at the attribute and carries
 * the range); ntvnic_line_validate() names the lowest rate.
 */
static const struct nla_policy ntvnic_policy[NTVNIC_A_MAX + 1] = {
	[NTVNIC_A_IFINDEX]	= { .type = NLA_U32 },
	[NTVNIC_A_IFNAME]	= { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[NTVNIC_A_PEER_IFNAME]	= { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[NTVNIC_A_NETNS_FD]	= { .type = NLA_S32 },
	[NTVNIC_A_PEER_NETNS_FD] = { .type = NLA_S32 },
	[NTVNIC_A_QUEUES]	= { .type = NLA_U32 },
	[NTVNIC_A_RX_RING]	= { .type = NLA_U32 },
	[NTVNIC_A_TX_RING]	= { .type = NLA_U32 },
	[NTVNIC_A_MODE]		= { .type = NLA_U32 },
	[NTVNIC_A_NAPI_WEIGHT]	= { .type = NLA_U32 },
	[NTVNIC_A_PEER_IFINDEX]	= { .type = NLA_REJECT },
	[NTVNIC_A_PEER_NETNSID]	= { .type = NLA_REJECT },
	[NTVNIC_A_LINK_SPEED]	= { .type = NLA_REJECT },
	[NTVNIC_A_MTU]		= { .type = NLA_REJECT },
	[NTVNIC_A_OPERSTATE]	= { .type = NLA_REJECT },
	[NTVNIC_A_RSS_KEY]	= { .type = NLA_REJECT },
	[NTVNIC_A_RSS_INDIR]	= { .type = NLA_REJECT },
	[NTVNIC_A_QUEUE]	= { .type = NLA_REJECT },
	[NTVNIC_A_RX_USECS]	= { .type = NLA_U32 },
	[NTVNIC_A_RX_FRAMES]	= { .type = NLA_U32 },
	[NTVNIC_A_TX_USECS]	= { .type = NLA_U32 },
	[NTVNIC_A_TX_FRAMES]	= { .type = NLA_U32 },
	[NTVNIC_A_XDP_PROG_ID]	= { .type = NLA_REJECT },
	[NTVNIC_A_WIRE_RATE]	= NLA_POLICY_FULL_RANGE(NLA_U64, &ntvnic_wire_rate_range),
	[NTVNIC_A_WIRE_DELAY]	= NLA_POLICY_FULL_RANGE(NLA_U32, &ntvnic_wire_delay_range),
	[NTVNIC_A_WIRE_LOSS]	= NLA_POLICY_FULL_RANGE(NLA_U32, &ntvnic_wire_loss_range),
	[NTVNIC_A_PAD]		= { .type = NLA_REJECT },
	[NTVNIC_A_ADAPTIVE_RX]	= { .type = NLA_REJECT },
	[NTVNIC_A_ADAPTIVE_TX]	= { .type = NLA_REJECT },
	[NTVNIC_A_NTUPLE_ON]	= { .type = NLA_REJECT },
	[NTVNIC_A_NTUPLE_RULES]	= { .type = NLA_REJECT },
	[NTVNIC_A_ARFS_FILTERS]	= { .type = NLA_REJECT },
	[NTVNIC_A_ARFS_STEERS]	= { .type = NLA_REJECT },
	[NTVNIC_A_ARFS_EXPIRED]	= { .type = NLA_REJECT },
	[NTVNIC_A_ARFS_FULL]	= { .type = NLA_REJECT },
};

static struct genl_family ntvnic_genl_family;

/* RTNL. The ntvnic device a request names, or NULL with extack set. */
static struct net_device *ntvnic_lookup(struct net *net, struct nlattr **tb,
					struct netlink_ext_ack *extack)
{
	struct net_device *dev = NULL;

	if (tb[NTVNIC_A_IFINDEX]) {
		dev = __dev_get_by_index(net, nla_get_u32(tb[NTVNIC_A_IFINDEX]));
		if (!dev) {
			NL_SET_ERR_MSG_ATTR(extack, tb[NTVNIC_A_IFINDEX],
					    "ntvnic: no device with this ifindex");
			return NULL;
		}
	} else if (tb[NTVNIC_A_IFNAME]) {
		dev = __dev_get_by_name(net, nla_data(tb[NTVNIC_A_IFNAME]));
		if (!dev) {
			NL_SET_ERR_MSG_ATTR(extack, tb[NTVNIC_A_IFNAME],
					    "ntvnic: no such device");
			return NULL;
		}
	} else {
		NL_SET_ERR_MSG(extack, "ntvnic: name the device (ifindex or name)");
		return NULL;
	}
	if (!ntvnic_is_ntvnic(dev)) {
		NL_SET_ERR_MSG(extack, "ntvnic: device is not an ntvnic port");
		return NULL;
	}
	return dev;
}

static int ntvnic_fill_queue(struct sk_buff *skb, struct ntvnic_priv *priv,
			     unsigned int i)
{
	struct ntvnic_rxq *q = &priv->rxq[i];
	struct ntvnic_txq *t = &priv->txq[i];
	struct ntvnic_queue_stats s;
	struct nlattr *nest;

	ntvnic_queue_stats(priv, i, &s);
	nest = nla_nest_start(skb, NTVNIC_A_QUEUE);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, NTVNIC_QA_INDEX, i))
		goto cancel;
	if (q->irq.virq &&
	    (nla_put_u32(skb, NTVNIC_QA_RX_IRQ, q->irq.virq) ||
	     nla_put_u32(skb, NTVNIC_QA_IRQ_CPU, READ_ONCE(q->irq.cpu))))
		goto cancel;
	if (t->irq.virq &&
	    (nla_put_u32(skb, NTVNIC_QA_TX_IRQ, t->irq.virq) ||
	     nla_put_u32(skb, NTVNIC_QA_TX_IRQ_CPU, READ_ONCE(t->irq.cpu))))
		goto cancel;
	if (t->ring &&
	    nla_put_u32(skb, NTVNIC_QA_TX_RING_USED, ntvnic_tx_ring_used(t)))
		goto cancel;
	if (q->napi_added && nla_put_u32(skb, NTVNIC_QA_NAPI_ID, q->napi.napi_id))
		goto cancel;
	if (q->ring_ready &&
	    nla_put_u32(skb, NTVNIC_QA_RING_USED, ntvnic_ring_used(q)))
		goto cancel;
	if (ntvnic_line_fill_queue(skb, t) || ntvnic_busy_poll_fill_queue(skb, q))
		goto cancel;
	if (nla_put_u64_64bit(skb, NTVNIC_QA_RX_PACKETS, s.rx_packets, NTVNIC_QA_PAD) ||
	    nla_put_u64_64bit(skb, NTVNIC_QA_RX_BYTES, s.rx_bytes, NTVNIC_QA_PAD) ||
	    nla_put_u64_64bit(skb, NTVNIC_QA_RX_DROPS, s.rx_drops, NTVNIC_QA_PAD) ||
	    nla_put_u64_64bit(skb, NTVNIC_QA_RX_RING_FULL, s.rx_ring_full, NTVNIC_QA_PAD) ||
	    nla_put_u64_64bit(skb, NTVNIC_QA_RX_IRQS, s.rx_irqs, NTVNIC_QA_PAD) ||
	    nla_put_u64_64bit(skb, NTVNIC_QA_RX_POLLS, s.rx_polls, NTVNIC_QA_PAD) ||
	    nla_put_u64_64bit(skb, NTVNIC_QA_RX_BUDGET_EXHAUSTED,
			      s.rx_budget_exhausted, NTVNIC_QA_PAD) ||
	    nla_put_u64_64bit(skb, NTVNIC_QA_TX_PACKETS, s.tx_packets, NTVNIC_QA_PAD) ||
	    nla_put_u64_64bit(skb, NTVNIC_QA_TX_BYTES, s.tx_bytes, NTVNIC_QA_PAD) ||
	    nla_put_u64_64bit(skb, NTVNIC_QA_TX_DROPS, s.tx_drops, NTVNIC_QA_PAD) ||
	    nla_put_u64_64bit(skb, NTVNIC_QA_TX_IRQS, s.tx_irqs, NTVNIC_QA_PAD) ||
	    nla_put_u64_64bit(skb, NTVNIC_QA_TX_POLLS, s.tx_polls, NTVNIC_QA_PAD) ||
	    nla_put_u64_64bit(skb, NTVNIC_QA_TX_KICKS, s.tx_kicks, NTVNIC_QA_PAD) ||
	    nla_put_u64_64bit(skb, NTVNIC_QA_TX_STOPS, s.tx_stops, NTVNIC_QA_PAD) ||
	    nla_put_u64_64bit(skb, NTVNIC_QA_TX_WAKES, s.tx_wakes, NTVNIC_QA_PAD) ||
	    nla_put_u64_64bit(skb, NTVNIC_QA_RX_XDP_PASS, s.rx_xdp_pass, NTVNIC_QA_PAD) ||
	    nla_put_u64_64bit(skb, NTVNIC_QA_RX_XDP_DROP, s.rx_xdp_drop, NTVNIC_QA_PAD) ||
	    nla_put_u64_64bit(skb, NTVNIC_QA_RX_XDP_TX, s.rx_xdp_tx, NTVNIC_QA_PAD) ||
	    nla_put_u64_64bit(skb, NTVNIC_QA_RX_XDP_REDIRECT, s.rx_xdp_redirect,
			      NTVNIC_QA_PAD) ||
	    nla_put_u64_64bit(skb, NTVNIC_QA_RX_XDP_ABORTED, s.rx_xdp_aborted,
			      NTVNIC_QA_PAD) ||
	    nla_put_u64_64bit(skb, NTVNIC_QA_RX_XDP_TX_ERRORS, s.rx_xdp_tx_errors,
			      NTVNIC_QA_PAD) ||
	    nla_put_u64_64bit(skb, NTVNIC_QA_TX_XDP_XMIT, s.tx_xdp_xmit, NTVNIC_QA_PAD) ||
	    nla_put_u64_64bit(skb, NTVNIC_QA_TX_XDP_XMIT_ERRORS,
			      s.tx_xdp_xmit_errors, NTVNIC_QA_PAD))
		goto cancel;
	if (nla_put_u64_64bit(skb, NTVNIC_QA_RX_CSUM_VERIFIED, s.rx_csum_verified,
			      NTVNIC_QA_PAD) ||
	    nla_put_u64_64bit(skb, NTVNIC_QA_RX_CSUM_BAD, s.rx_csum_bad,
			      NTVNIC_QA_PAD) ||
	    nla_put_u64_64bit(skb, NTVNIC_QA_RX_CSUM_NONE, s.rx_csum_none,
			      NTVNIC_QA_PAD) ||
	    nla_put_u64_64bit(skb, NTVNIC_QA_RX_GRO_MERGED, s.rx_gro_merged,
			      NTVNIC_QA_PAD) ||
	    nla_put_u64_64bit(skb, NTVNIC_QA_RX_GSO_SPLIT, s.rx_gso_split,
			      NTVNIC_QA_PAD) ||
	    nla_put_u64_64bit(skb, NTVNIC_QA_TX_CSUM_OFFLOAD, s.tx_csum_offload,
			      NTVNIC_QA_PAD) ||
	    nla_put_u64_64bit(skb, NTVNIC_QA_TX_TSO_PACKETS, s.tx_tso_packets,
			      NTVNIC_QA_PAD) ||
	    nla_put_u64_64bit(skb, NTVNIC_QA_TX_TSO_SEGS, s.tx_tso_segs,
			      NTVNIC_QA_PAD) ||
	    nla_put_u64_64bit(skb, NTVNIC_QA_TX_SG_PACKETS, s.tx_sg_packets,
			      NTVNIC_QA_PAD))
		goto cancel;
	/* Interrupt moderation in use, static or DIM's (dim.c) */
	if (nla_put_u32(skb, NTVNIC_QA_RX_COAL_USECS, READ_ONCE(q->dim.coal.usecs)) ||
	    nla_put_u32(skb, NTVNIC_QA_RX_COAL_FRAMES, READ_ONCE(q->dim.coal.frames)) ||
	    nla_put_u32(skb, NTVNIC_QA_TX_COAL_USECS, READ_ONCE(t->dim.coal.usecs)) ||
	    nla_put_u32(skb, NTVNIC_QA_TX_COAL_FRAMES, READ_ONCE(t->dim.coal.frames)) ||
	    nla_put_u64_64bit(skb, NTVNIC_QA_RX_DIM_CHANGES,
			      atomic64_read(&q->dim.changes), NTVNIC_QA_PAD) ||
	    nla_put_u64_64bit(skb, NTVNIC_QA_TX_DIM_CHANGES,
			      atomic64_read(&t->dim.changes), NTVNIC_QA_PAD))
		goto cancel;
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/* RTNL. The native XDP program's id, if one is loaded. */
static int ntvnic_fill_xdp(struct sk_buff *skb, struct ntvnic_priv *priv)
{
	struct bpf_prog *prog = rtnl_dereference(priv->xdp_prog);

	return prog ? nla_put_u32(skb, NTVNIC_A_XDP_PROG_ID, prog->aux->id) : 0;
}

/* RTNL. One device; per-queue nests only when with_queues (doit). */
static int ntvnic_fill(struct sk_buff *skb, struct net_device *dev,
		       struct net *net, u32 portid, u32 seq, int flags,
		       u8 cmd, bool with_queues)
{
	struct ntvnic_priv *priv = ntvnic_priv(dev);
	struct net_device *peer = rtnl_dereference(priv->peer);
	struct ntvnic_rss *rss = rtnl_dereference(priv->rss);
	unsigned int i;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &ntvnic_genl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, NTVNIC_A_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, NTVNIC_A_IFNAME, dev->name) ||
	    nla_put_u32(skb, NTVNIC_A_QUEUES, priv->cfg.queues) ||
	    nla_put_u32(skb, NTVNIC_A_RX_RING, priv->cfg.rx_ring) ||
	    nla_put_u32(skb, NTVNIC_A_TX_RING, priv->cfg.tx_ring) ||
	    nla_put_u32(skb, NTVNIC_A_RX_USECS, priv->rx_coal.usecs) ||
	    nla_put_u32(skb, NTVNIC_A_RX_FRAMES, priv->rx_coal.frames) ||
	    nla_put_u32(skb, NTVNIC_A_TX_USECS, priv->tx_coal.usecs) ||
	    nla_put_u32(skb, NTVNIC_A_TX_FRAMES, priv->tx_coal.frames) ||
	    nla_put_u8(skb, NTVNIC_A_ADAPTIVE_RX, priv->adaptive_rx) ||
	    nla_put_u8(skb, NTVNIC_A_ADAPTIVE_TX, priv->adaptive_tx) ||
	    nla_put_u32(skb, NTVNIC_A_MODE, priv->cfg.mode) ||
	    nla_put_u32(skb, NTVNIC_A_NAPI_WEIGHT, priv->cfg.napi_weight) ||
	    nla_put_u32(skb, NTVNIC_A_LINK_SPEED, NTVNIC_LINK_SPEED) ||
	    nla_put_u32(skb, NTVNIC_A_MTU, dev->mtu) ||
	    nla_put_u8(skb, NTVNIC_A_OPERSTATE, READ_ONCE(dev->operstate)) ||
	    nla_put(skb, NTVNIC_A_RSS_KEY, sizeof(rss->key), rss->key) ||
	    nla_put(skb, NTVNIC_A_RSS_INDIR, sizeof(rss->indir), rss->indir) ||
	    ntvnic_fill_xdp(skb, priv) || ntvnic_line_fill(skb, priv))
		goto cancel;
	if (peer) {
		if (nla_put_string(skb, NTVNIC_A_PEER_IFNAME, peer->name) ||
		    nla_put_u32(skb, NTVNIC_A_PEER_IFINDEX, peer->ifindex))
			goto cancel;
		if (!net_eq(dev_net(peer), net) &&
		    nla_put_s32(skb, NTVNIC_A_PEER_NETNSID,
				peernet2id_alloc(net, dev_net(peer), GFP_KERNEL)))
			goto cancel;
	}
	for (i = 0; with_queues && i < priv->cfg.queues; i++)
		if (ntvnic_fill_queue(skb, priv, i))
			goto cancel;
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* Big enough for 64 queue nests (about 800 bytes each) plus the RSS table. */
#define NTVNIC_REPLY_SIZE	(64 * 1024)

static int ntvnic_reply(struct genl_info *info, struct net_device *dev,
			struct net *net)
{
	struct sk_buff *msg;
	int err;

	msg = genlmsg_new(NTVNIC_REPLY_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	err = ntvnic_fill(msg, dev, net, info->snd_portid, info->snd_seq, 0,
			  NTVNIC_CMD_GET, true);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/* A namespace by fd, if the caller may create devices in it. */
static struct net *ntvnic_get_netns(struct sk_buff *skb, struct nlattr *attr,
				    struct netlink_ext_ack *extack)
{
	struct net *net = get_net_ns_by_fd(nla_get_s32(attr));

	if (IS_ERR(net)) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "ntvnic: file descriptor is not a network namespace");
		return net;
	}
	if (!netlink_ns_capable(skb, net->user_ns, CAP_NET_ADMIN)) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "ntvnic: CAP_NET_ADMIN needed in the target namespace");
		put_net(net);
		return ERR_PTR(-EPERM);
	}
	return net;
}

static void ntvnic_cfg_from_attrs(struct ntvnic_cfg *cfg, struct nlattr **tb)
{
	if (tb[NTVNIC_A_QUEUES])
		cfg->queues = nla_get_u32(tb[NTVNIC_A_QUEUES]);
	if (tb[NTVNIC_A_RX_RING])
		cfg->rx_ring = nla_get_u32(tb[NTVNIC_A_RX_RING]);
	if (tb[NTVNIC_A_TX_RING])
		cfg->tx_ring = nla_get_u32(tb[NTVNIC_A_TX_RING]);
	if (tb[NTVNIC_A_MODE])
		cfg->mode = nla_get_u32(tb[NTVNIC_A_MODE]);
	if (tb[NTVNIC_A_NAPI_WEIGHT])
		cfg->napi_weight = nla_get_u32(tb[NTVNIC_A_NAPI_WEIGHT]);
}

/*
 * Coalescing from a request, starting from cur (NULL: all 0) and checked
 * by ntvnic_validate_coal(); not applied.
 */
static int ntvnic_coal_from_attrs(struct nlattr **tb,
				  const struct ntvnic_priv *cur,
				  struct ntvnic_coal *rx, struct ntvnic_coal *tx,
				  struct netlink_ext_ack *extack)
{
	memset(rx, 0, sizeof(*rx));
	memset(tx, 0, sizeof(*tx));
	if (cur) {
		*rx = cur->rx_coal;
		*tx = cur->tx_coal;
	}
	if (tb[NTVNIC_A_RX_USECS])
		rx->usecs = nla_get_u32(tb[NTVNIC_A_RX_USECS]);
	if (tb[NTVNIC_A_RX_FRAMES])
		rx->frames = nla_get_u32(tb[NTVNIC_A_RX_FRAMES]);
	if (tb[NTVNIC_A_TX_USECS])
		tx->usecs = nla_get_u32(tb[NTVNIC_A_TX_USECS]);
	if (tb[NTVNIC_A_TX_FRAMES])
		tx->frames = nla_get_u32(tb[NTVNIC_A_TX_FRAMES]);
	return ntvnic_validate_coal(rx, tx, extack);
}

static int ntvnic_nl_new(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info), *dev_net = net, *peer_net = net;
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **tb = info->attrs;
	const char *name, *peer_name = NULL;
	struct ntvnic_coal rx_coal, tx_coal;
	struct ntvnic_line_cfg line;
	struct net_device *dev;
	struct ntvnic_cfg cfg;
	int err;

	if (!tb[NTVNIC_A_IFNAME]) {
		NL_SET_ERR_MSG(extack, "ntvnic: a device name is required");
		return -EINVAL;
	}
	name = nla_data(tb[NTVNIC_A_IFNAME]);
	if (!dev_valid_name(name)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NTVNIC_A_IFNAME],
				    "ntvnic: invalid device name");
		return -EINVAL;
	}
	if (tb[NTVNIC_A_PEER_IFNAME]) {
		peer_name = nla_data(tb[NTVNIC_A_PEER_IFNAME]);
		if (!dev_valid_name(peer_name)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[NTVNIC_A_PEER_IFNAME],
					    "ntvnic: invalid peer device name");
			return -EINVAL;
		}
	}
	ntvnic_default_cfg(&cfg);
	ntvnic_cfg_from_attrs(&cfg, tb);
	err = ntvnic_validate_cfg(&cfg, NTVNIC_MAX_QUEUES, extack);
	if (!err)
		err = ntvnic_coal_from_attrs(tb, NULL, &rx_coal, &tx_coal, extack);
	if (!err)
		err = ntvnic_line_from_attrs(tb, NULL, &line, extack);
	if (err)
		return err;

	if (tb[NTVNIC_A_NETNS_FD]) {
		dev_net = ntvnic_get_netns(skb, tb[NTVNIC_A_NETNS_FD], extack);
		if (IS_ERR(dev_net))
			return PTR_ERR(dev_net);
	} else {
		get_net(dev_net);
	}
	if (tb[NTVNIC_A_PEER_NETNS_FD]) {
		peer_net = ntvnic_get_netns(skb, tb[NTVNIC_A_PEER_NETNS_FD],
					    extack);
		if (IS_ERR(peer_net)) {
			err = PTR_ERR(peer_net);
			goto out_dev_net;
		}
	} else {
		get_net(peer_net);
	}

	rtnl_lock();
	if (__dev_get_by_name(dev_net, name)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NTVNIC_A_IFNAME],
				    "ntvnic: a device with this name exists");
		err = -EEXIST;
	} else if (peer_name && __dev_get_by_name(peer_net, peer_name)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NTVNIC_A_PEER_IFNAME],
				    "ntvnic: a device with the peer's name exists");
		err = -EEXIST;
	} else if (peer_name && net_eq(dev_net, peer_net) &&
		   !strcmp(name, peer_name)) {
		NL_SET_ERR_MSG(extack, "ntvnic: device and peer need different names");
		err = -EINVAL;
	} else {
		err = ntvnic_create_pair(dev_net, name, peer_net, peer_name,
					 &cfg, &dev, extack);
	}
	if (!err) {
		ntvnic_apply_coal(ntvnic_priv(dev), &rx_coal, &tx_coal);
		ntvnic_apply_coal(ntvnic_priv(rtnl_dereference(ntvnic_priv(dev)->peer)),
				  &rx_coal, &tx_coal);
		ntvnic_line_apply(ntvnic_priv(dev), &line);
		ntvnic_line_apply(ntvnic_priv(rtnl_dereference(ntvnic_priv(dev)->peer)),
				  &line);
		err = ntvnic_reply(info, dev, dev_net);
	}
	rtnl_unlock();

	put_net(peer_net);
out_dev_net:
	put_net(dev_net);
	return err;
}

static int ntvnic_nl_del(struct sk_buff *skb, struct genl_info *info)
{
	LIST_HEAD(kill);
	struct net_device *dev;

	rtnl_lock();
	dev = ntvnic_lookup(genl_info_net(info), info->attrs, info->extack);
	if (!dev) {
		rtnl_unlock();
		return -ENODEV;
	}
	ntvnic_link_ops.dellink(dev, &kill);
	unregister_netdevice_many(&kill);
	rtnl_unlock();
	return 0;
}

static int ntvnic_nl_set(struct sk_buff *skb, struct genl_info *info)
{
	struct ntvnic_coal rx_coal, tx_coal;
	struct ntvnic_line_cfg line;
	struct ntvnic_priv *priv;
	struct net_device *dev;
	struct ntvnic_cfg cfg;
	int err;

	rtnl_lock();
	dev = ntvnic_lookup(genl_info_net(info), info->attrs, info->extack);
	if (!dev) {
		err = -ENODEV;
		goto out;
	}
	priv = ntvnic_priv(dev);
	err = ntvnic_coal_from_attrs(info->attrs, priv, &rx_coal, &tx_coal,
				     info->extack);
	if (!err)
		err = ntvnic_line_from_attrs(info->attrs, priv, &line,
					     info->extack);
	if (err)
		goto out;
	cfg = priv->cfg;
	ntvnic_cfg_from_attrs(&cfg, info->attrs);
	if (cfg.queues != ntvnic_priv(dev)->cfg.queues &&
	    netif_is_rxfh_configured(dev) && cfg.queues <= NTVNIC_MAX_QUEUES) {
		struct ntvnic_rss *rss = rtnl_dereference(ntvnic_priv(dev)->rss);
		unsigned int i;

		for (i = 0; i < NTVNIC_RSS_INDIR_SIZE; i++) {
			if (rss->indir[i] >= cfg.queues) {
				NL_SET_ERR_MSG(info->extack,
					       "ntvnic: the configured RSS table uses a queue beyond the new count");
				err = -EINVAL;
				goto out;
			}
		}
	}
	/* Only a change of queues, rings, mode or weight restarts the port. */
	if (memcmp(&cfg, &priv->cfg, sizeof(cfg)))
		err = ntvnic_reconfigure(dev, &cfg, info->extack);
	if (!err) {
		ntvnic_apply_coal(priv, &rx_coal, &tx_coal);
		ntvnic_line_apply(priv, &line);
	}
out:
	rtnl_unlock();
	return err;
}

static int ntvnic_nl_get(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct net_device *dev;
	int err;

	rtnl_lock();
	dev = ntvnic_lookup(net, info->attrs, info->extack);
	err = dev ? ntvnic_reply(info, dev, net) : -ENODEV;
	rtnl_unlock();
	return err;
}

/* cb->args[0]: ifindex to resume after. Queues are left to GET doit. */
static int ntvnic_nl_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	struct net_device *dev;
	int err = 0;

	rtnl_lock();
	for_each_netdev(net, dev) {
		if (!ntvnic_is_ntvnic(dev) || dev->ifindex <= cb->args[0])
			continue;
		err = ntvnic_fill(skb, dev, net, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, NLM_F_MULTI,
				  NTVNIC_CMD_GET, false);
		if (err)
			break;
		cb->args[0] = dev->ifindex;
	}
	rtnl_unlock();
	return err == -EMSGSIZE ? skb->len : err;
}

/* Receive steering of one device: rules, aRFS filters (ntuple.c). */
static int ntvnic_nl_steer_get(struct sk_buff *skb, struct genl_info *info)
{
	struct net_device *dev;
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = genlmsg_new(NTVNIC_REPLY_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	rtnl_lock();
	dev = ntvnic_lookup(genl_info_net(info), info->attrs, info->extack);
	err = -ENODEV;
	if (!dev)
		goto out;
	err = -EMSGSIZE;
	hdr = genlmsg_put_reply(msg, info, &ntvnic_genl_family, 0,
				NTVNIC_CMD_STEER_GET);
	if (!hdr)
		goto out;
	if (nla_put_u32(msg, NTVNIC_A_IFINDEX, dev->ifindex) ||
	    nla_put_string(msg, NTVNIC_A_IFNAME, dev->name))
		goto out;
	err = ntvnic_steer_fill(msg, ntvnic_priv(dev));
	if (err)
		goto out;
	genlmsg_end(msg, hdr);
	rtnl_unlock();
	return genlmsg_reply(msg, info);
out:
	rtnl_unlock();
	nlmsg_free(msg);
	return err;
}

static const struct genl_ops ntvnic_genl_ops[] = {
	{
		.cmd	= NTVNIC_CMD_NEW,
		.doit	= ntvnic_nl_new,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= NTVNIC_CMD_DEL,
		.doit	= ntvnic_nl_del,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= NTVNIC_CMD_GET,
		.doit	= ntvnic_nl_get,
		.dumpit	= ntvnic_nl_dump,
	},
	{
		.cmd	= NTVNIC_CMD_SET,
		.doit	= ntvnic_nl_set,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= NTVNIC_CMD_STEER_GET,
		.doit	= ntvnic_nl_steer_get,
	},
};

static struct genl_family ntvnic_genl_family __ro_after_init = {
	.name		= NTVNIC_GENL_NAME,
	.version	= NTVNIC_GENL_VERSION,
	.maxattr	= NTVNIC_A_MAX,
	.policy		= ntvnic_policy,
	.netnsok	= true,
	.module		= THIS_MODULE,
	.ops		= ntvnic_genl_ops,
	.n_ops		= ARRAY_SIZE(ntvnic_genl_ops),
};

int ntvnic_genl_init(void)
{
	return genl_register_family(&ntvnic_genl_family);
}

void ntvnic_genl_exit(void)
{
	genl_unregister_family(&ntvnic_genl_family);
}
