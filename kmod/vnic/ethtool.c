// SPDX-License-Identifier: GPL-2.0
/*
 * ntvnic ethtool: -i, link settings, -L (channels), -G (rings), -c/-C
 * (interrupt coalescing), -k/-K (offloads: the core's, their effect in
 * wire.c and napi.c), -S
 * (per-queue counters named like virtio_net's), -x/-X (RSS), -n/-N (rx
 * rings, hashed fields, ntuple rules: ntuple.c). Every op runs under RTNL.
 */
#include <linux/netdevice.h>
#include <linux/ethtool.h>
#include <linux/slab.h>
#include "ntvnic.h"

static const char ntvnic_rx_stat_names[][ETH_GSTRING_LEN] = {
	"packets", "bytes", "drops", "ring_full", "irqs", "polls",
	"budget_exhausted", "xdp_pass", "xdp_drop", "xdp_tx", "xdp_redirect",
	"xdp_aborted", "xdp_tx_errors", "csum_verified", "csum_bad",
	"csum_none", "gro_merged", "gso_split",
};

static const char ntvnic_tx_stat_names[][ETH_GSTRING_LEN] = {
	"packets", "bytes", "drops", "irqs", "polls", "kicks", "stops",
	"wakes", "xdp_xmit", "xdp_xmit_errors", "csum_offload", "tso_packets",
	"tso_segs", "sg_packets",
};

#define NTVNIC_RX_STATS	ARRAY_SIZE(ntvnic_rx_stat_names)
#define NTVNIC_TX_STATS	ARRAY_SIZE(ntvnic_tx_stat_names)

static void ntvnic_get_drvinfo(struct net_device *dev,
			       struct ethtool_drvinfo *info)
{
	strscpy(info->driver, NTVNIC_DRV_NAME, sizeof(info->driver));
	strscpy(info->version, NTVNIC_DRV_VERSION, sizeof(info->version));
	strscpy(info->bus_info, "virtual", sizeof(info->bus_info));
}

static int ntvnic_get_link_ksettings(struct net_device *dev,
				     struct ethtool_link_ksettings *cmd)
{
	cmd->base.speed = ntvnic_line_speed(ntvnic_priv(dev));
	cmd->base.duplex = DUPLEX_FULL;
	cmd->base.port = PORT_OTHER;
	cmd->base.autoneg = AUTONEG_DISABLE;
	return 0;
}

static void ntvnic_get_channels(struct net_device *dev,
				struct ethtool_channels *ch)
{
	struct ntvnic_priv *priv = ntvnic_priv(dev);

	ch->max_combined = priv->max_queues;
	ch->combined_count = priv->cfg.queues;
}

static int ntvnic_set_channels(struct net_device *dev,
			       struct ethtool_channels *ch)
{
	struct ntvnic_priv *priv = ntvnic_priv(dev);
	struct ntvnic_cfg cfg = priv->cfg;

	if (ch->rx_count || ch->tx_count || ch->other_count)
		return -EINVAL;	/* only combined channels */
	cfg.queues = ch->combined_count;
	return ntvnic_reconfigure(dev, &cfg, NULL);
}

static void ntvnic_get_ringparam(struct net_device *dev,
				 struct ethtool_ringparam *ring,
				 struct kernel_ethtool_ringparam *kring,
				 struct netlink_ext_ack *extack)
{
	struct ntvnic_priv *priv = ntvnic_priv(dev);

	ring->rx_max_pending = NTVNIC_MAX_RING;
	ring->tx_max_pending = NTVNIC_MAX_RING;
	ring->rx_pending = priv->cfg.rx_ring;
	ring->tx_pending = priv->cfg.tx_ring;
}

static int ntvnic_set_ringparam(struct net_device *dev,
				struct ethtool_ringparam *ring,
				struct kernel_ethtool_ringparam *kring,
				struct netlink_ext_ack *extack)
{
	struct ntvnic_priv *priv = ntvnic_priv(dev);
	struct ntvnic_cfg cfg = priv->cfg;

	if (ring->rx_mini_pending || ring->rx_jumbo_pending) {
		NL_SET_ERR_MSG(extack, "ntvnic: only rx and tx rings exist");
		return -EINVAL;
	}
	cfg.rx_ring = ring->rx_pending;
	cfg.tx_ring = ring->tx_pending;
	return ntvnic_reconfigure(dev, &cfg, extack);
}

static int ntvnic_get_sset_count(struct net_device *dev, int sset)
{
	struct ntvnic_priv *priv = ntvnic_priv(dev);

	if (sset != ETH_SS_STATS)
		return -EOPNOTSUPP;
	return priv->cfg.queues * (NTVNIC_RX_STATS + NTVNIC_TX_STATS) +
	       ntvnic_line_sset_count(priv) + ntvnic_busy_poll_sset_count(priv);
}

static void ntvnic_get_strings(struct net_device *dev, u32 sset, u8 *buf)
{
	struct ntvnic_priv *priv = ntvnic_priv(dev);
	unsigned int q, i;

	if (sset != ETH_SS_STATS)
		return;
	for (q = 0; q < priv->cfg.queues; q++)
		for (i = 0; i < NTVNIC_RX_STATS; i++)
			ethtool_sprintf(&buf, "rx_queue_%u_%s", q,
					ntvnic_rx_stat_names[i]);
	for (q = 0; q < priv->cfg.queues; q++)
		for (i = 0; i < NTVNIC_TX_STATS; i++)
			ethtool_sprintf(&buf, "tx_queue_%u_%s", q,
					ntvnic_tx_stat_names[i]);
	ntvnic_line_get_strings(priv, &buf);
	ntvnic_busy_poll_get_strings(priv, &buf);
}

static void ntvnic_get_ethtool_stats(struct net_device *dev,
				     struct ethtool_stats *stats, u64 *data)
{
	struct ntvnic_priv *priv = ntvnic_priv(dev);
	struct ntvnic_queue_stats s;
	unsigned int q;

	for (q = 0; q < priv->cfg.queues; q++) {
		ntvnic_queue_stats(priv, q, &s);
		*data++ = s.rx_packets;
		*data++ = s.rx_bytes;
		*data++ = s.rx_drops;
		*data++ = s.rx_ring_full;
		*data++ = s.rx_irqs;
		*data++ = s.rx_polls;
		*data++ = s.rx_budget_exhausted;
		*data++ = s.rx_xdp_pass;
		*data++ = s.rx_xdp_drop;
		*data++ = s.rx_xdp_tx;
		*data++ = s.rx_xdp_redirect;
		*data++ = s.rx_xdp_aborted;
		*data++ = s.rx_xdp_tx_errors;
		*data++ = s.rx_csum_verified;
		*data++ = s.rx_csum_bad;
		*data++ = s.rx_csum_none;
		*data++ = s.rx_gro_merged;
		*data++ = s.rx_gso_split;
	}
	for (q = 0; q < priv->cfg.queues; q++) {
		ntvnic_queue_stats(priv, q, &s);
		*data++ = s.tx_packets;
		*data++ = s.tx_bytes;
		*data++ = s.tx_drops;
		*data++ = s.tx_irqs;
		*data++ = s.tx_polls;
		*data++ = s.tx_kicks;
		*data++ = s.tx_stops;
		*data++ = s.tx_wakes;
		*data++ = s.tx_xdp_xmit;
		*data++ = s.tx_xdp_xmit_errors;
		*data++ = s.tx_csum_offload;
		*data++ = s.tx_tso_packets;
		*data++ = s.tx_tso_segs;
		*data++ = s.tx_sg_packets;
	}
	ntvnic_line_get_stats(priv, &data);
	ntvnic_busy_poll_get_stats(priv, &data);
}

static int ntvnic_get_coalesce(struct net_device *dev,
			       struct ethtool_coalesce *ec,
			       struct kernel_ethtool_coalesce *kec,
			       struct netlink_ext_ack *extack)
{
	struct ntvnic_priv *priv = ntvnic_priv(dev);

	ec->rx_coalesce_usecs = priv->rx_coal.usecs;
	ec->rx_max_coalesced_frames = priv->rx_coal.frames;
	ec->tx_coalesce_usecs = priv->tx_coal.usecs;
	ec->tx_max_coalesced_frames = priv->tx_coal.frames;
	/* Adaptive: what DIM chose for queue 0 (dim.c). */
	ec->use_adaptive_rx_coalesce = priv->adaptive_rx;
	ec->use_adaptive_tx_coalesce = priv->adaptive_tx;
	if (priv->adaptive_rx) {
		ec->rx_coalesce_usecs = READ_ONCE(priv->rxq[0].dim.coal.usecs);
		ec->rx_max_coalesced_frames = READ_ONCE(priv->rxq[0].dim.coal.frames);
	}
	if (priv->adaptive_tx) {
		ec->tx_coalesce_usecs = READ_ONCE(priv->txq[0].dim.coal.usecs);
		ec->tx_max_coalesced_frames = READ_ONCE(priv->txq[0].dim.coal.frames);
	}
	return 0;
}

/*
 * With adaptive on, ethtool -c showed DIM's values; ethtool -C sends them
 * back unless the user changed them: keep the static setting then.
 */
static void ntvnic_coal_keep_static(const struct ntvnic_coal *shown,
				    const struct ntvnic_coal *stat,
				    struct ntvnic_coal *c)
{
	if (c->usecs == READ_ONCE(shown->usecs) &&
	    c->frames == READ_ONCE(shown->frames))
		*c = *stat;
}

/* Applies at once, without restarting the data path. */
static int ntvnic_set_coalesce(struct net_device *dev,
			       struct ethtool_coalesce *ec,
			       struct kernel_ethtool_coalesce *kec,
			       struct netlink_ext_ack *extack)
{
	struct ntvnic_priv *priv = ntvnic_priv(dev);
	struct ntvnic_coal rx = {
		.usecs = ec->rx_coalesce_usecs,
		.frames = ec->rx_max_coalesced_frames,
	};
	struct ntvnic_coal tx = {
		.usecs = ec->tx_coalesce_usecs,
		.frames = ec->tx_max_coalesced_frames,
	};
	int err;

	if (priv->adaptive_rx)
		ntvnic_coal_keep_static(&priv->rxq[0].dim.coal, &priv->rx_coal,
					&rx);
	if (priv->adaptive_tx)
		ntvnic_coal_keep_static(&priv->txq[0].dim.coal, &priv->tx_coal,
					&tx);
	err = ntvnic_validate_coal(&rx, &tx, extack);
	if (err)
		return err;
	ntvnic_apply_coal(priv, &rx, &tx);
	ntvnic_dim_set(priv, ec->use_adaptive_rx_coalesce,
		       ec->use_adaptive_tx_coalesce);
	return 0;
}

static int ntvnic_get_rxnfc(struct net_device *dev, struct ethtool_rxnfc *nfc,
			    u32 *rule_locs)
{
	struct ntvnic_priv *priv = ntvnic_priv(dev);

	switch (nfc->cmd) {
	case ETHTOOL_GRXRINGS:
		nfc->data = priv->cfg.queues;
		return 0;
	case ETHTOOL_GRXFH:
		switch (nfc->flow_type) {
		case TCP_V4_FLOW:
		case UDP_V4_FLOW:
		case TCP_V6_FLOW:
		case UDP_V6_FLOW:
			nfc->data = RXH_IP_SRC | RXH_IP_DST |
				    RXH_L4_B_0_1 | RXH_L4_B_2_3;
			return 0;
		case IPV4_FLOW:
		case IPV6_FLOW:
		case SCTP_V4_FLOW:
		case SCTP_V6_FLOW:
		case AH_ESP_V4_FLOW:
		case AH_ESP_V6_FLOW:
			nfc->data = RXH_IP_SRC | RXH_IP_DST;
			return 0;
		default:
			nfc->data = 0;
			return 0;
		}
	default:
		/* ntuple rules: count, one rule, all locations (ntuple.c) */
		return ntvnic_ntuple_get_rxnfc(dev, nfc, rule_locs);
	}
}

static u32 ntvnic_get_rxfh_key_size(struct net_device *dev)
{
	return NTVNIC_RSS_KEY_SIZE;
}

static u32 ntvnic_get_rxfh_indir_size(struct net_device *dev)
{
	return NTVNIC_RSS_INDIR_SIZE;
}

int ntvnic_get_rxfh(struct net_device *dev, u32 *indir, u8 *key, u8 *hfunc)
{
	struct ntvnic_priv *priv = ntvnic_priv(dev);
	struct ntvnic_rss *rss = rtnl_dereference(priv->rss);

	if (hfunc)
		*hfunc = ETH_RSS_HASH_TOP;
	if (indir)
		memcpy(indir, rss->indir, sizeof(rss->indir));
	if (key)
		memcpy(key, rss->key, sizeof(rss->key));
	return 0;
}

/* Publish a new table with RCU; senders steer with the old or the new. */
int ntvnic_set_rxfh(struct net_device *dev, const u32 *indir, const u8 *key,
		    const u8 hfunc)
{
	struct ntvnic_priv *priv = ntvnic_priv(dev);
	struct ntvnic_rss *old = rtnl_dereference(priv->rss), *rss;

	if (hfunc != ETH_RSS_HASH_NO_CHANGE && hfunc != ETH_RSS_HASH_TOP)
		return -EOPNOTSUPP;	/* Toeplitz only */
	if (!indir && !key)
		return 0;
	rss = kmemdup(old, sizeof(*old), GFP_KERNEL);
	if (!rss)
		return -ENOMEM;
	if (indir)
		memcpy(rss->indir, indir, sizeof(rss->indir));
	if (key) {
		memcpy(rss->key, key, sizeof(rss->key));
		ntvnic_rss_prepare(rss);
	}
	rcu_assign_pointer(priv->rss, rss);
	kfree_rcu(old, rcu);
	return 0;
}

const struct ethtool_ops ntvnic_ethtool_ops = {
	.supported_coalesce_params = ETHTOOL_COALESCE_USECS |
				     ETHTOOL_COALESCE_MAX_FRAMES |
				     ETHTOOL_COALESCE_USE_ADAPTIVE,
	.get_drvinfo		= ntvnic_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_link_ksettings	= ntvnic_get_link_ksettings,
	.get_channels		= ntvnic_get_channels,
	.set_channels		= ntvnic_set_channels,
	.get_ringparam		= ntvnic_get_ringparam,
	.set_ringparam		= ntvnic_set_ringparam,
	.get_coalesce		= ntvnic_get_coalesce,
	.set_coalesce		= ntvnic_set_coalesce,
	.get_sset_count		= ntvnic_get_sset_count,
	.get_strings		= ntvnic_get_strings,
	.get_ethtool_stats	= ntvnic_get_ethtool_stats,
	.get_rxnfc		= ntvnic_get_rxnfc,
	.set_rxnfc		= ntvnic_ntuple_set_rxnfc,
	.get_rxfh_key_size	= ntvnic_get_rxfh_key_size,
	.get_rxfh_indir_size	= ntvnic_get_rxfh_indir_size,
	.get_rxfh		= ntvnic_compat_get_rxfh,
	.set_rxfh		= ntvnic_compat_set_rxfh,
	.get_ts_info		= ethtool_op_get_ts_info,
};
