/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ntvnic: what differs between the kernels the module builds for (Debian
 * 6.1, 6.12). Features are tested by a header or a macro, never by a
 * version number: a distribution's backports would make that lie.
 */
#ifndef NTVNIC_COMPAT_H
#define NTVNIC_COMPAT_H

#include <linux/netdevice.h>
#include <linux/ethtool.h>

/*
 * NTVNIC_HAVE_* come from Kbuild, which looks for the header in the target
 * tree. 6.6 split <net/page_pool.h> into types.h and helpers.h.
 */
#ifdef NTVNIC_HAVE_PAGE_POOL_HELPERS
#include <net/page_pool/helpers.h>
#else
#include <net/page_pool.h>
#endif

/* 6.5 moved skb_gso_segment() (line.c, napi.c) out of netdevice.h. */
#ifdef NTVNIC_HAVE_NET_GSO
#include <net/gso.h>
#endif

/*
 * skb->tstamp is a delivery time on CLOCK_MONOTONIC (TCP's EDT): 6.11
 * replaced the mono_delivery_time bit with tstamp_type.
 */
static inline bool ntvnic_compat_tstamp_mono(const struct sk_buff *skb)
{
#ifdef NTVNIC_HAVE_TSTAMP_TYPE
	return skb->tstamp_type == SKB_CLOCK_MONOTONIC;
#else
	return skb->mono_delivery_time;
#endif
}

/*
 * 6.3 added dev->xdp_features (reported through the "netdev" generic
 * netlink family, whose uapi header came with it); devmap then only
 * redirects into a device that announces NETDEV_XDP_ACT_NDO_XMIT.
 */
#ifdef NTVNIC_HAVE_XDP_FEATURES
#include <uapi/linux/netdev.h>
#endif

static inline void ntvnic_compat_set_xdp_features(struct net_device *dev)
{
#ifdef NTVNIC_HAVE_XDP_FEATURES
	dev->xdp_features = NETDEV_XDP_ACT_BASIC | NETDEV_XDP_ACT_REDIRECT |
			    NETDEV_XDP_ACT_NDO_XMIT;
#endif
}

/* 6.2 added formatted extack messages. */
static inline void ntvnic_compat_xdp_mtu_msg(struct netlink_ext_ack *extack,
					     unsigned int max_mtu)
{
#ifdef NL_SET_ERR_MSG_FMT
	NL_SET_ERR_MSG_FMT(extack,
			   "ntvnic: MTU too large for XDP: a frame must fit one page (MTU at most %u)",
			   max_mtu);
#else
	NL_SET_ERR_MSG(extack,
		       "ntvnic: MTU too large for XDP: a frame must fit one page with 256 bytes of headroom");
#endif
}

/*
 * 6.8 passes the RSS table, key and hash function to .get_rxfh/.set_rxfh
 * in struct ethtool_rxfh_param (with an RSS context number and an extack);
 * before, as three arguments. ethtool.c implements the three-argument
 * form; these adapt it. ntvnic has one RSS context, so the core refuses
 * context requests before they get here (no create_rxfh_context, no
 * cap_rss_ctx_supported); the test below is a second line.
 */
int ntvnic_get_rxfh(struct net_device *dev, u32 *indir, u8 *key, u8 *hfunc);
int ntvnic_set_rxfh(struct net_device *dev, const u32 *indir, const u8 *key,
		    const u8 hfunc);

#ifdef NTVNIC_HAVE_RXFH_PARAM
static inline int ntvnic_compat_get_rxfh(struct net_device *dev,
					 struct ethtool_rxfh_param *rxfh)
{
	return ntvnic_get_rxfh(dev, rxfh->indir, rxfh->key, &rxfh->hfunc);
}

static inline int ntvnic_compat_set_rxfh(struct net_device *dev,
					 struct ethtool_rxfh_param *rxfh,
					 struct netlink_ext_ack *extack)
{
	if (rxfh->rss_context || rxfh->rss_delete) {
		NL_SET_ERR_MSG(extack, "ntvnic: one RSS context only");
		return -EOPNOTSUPP;
	}
	return ntvnic_set_rxfh(dev, rxfh->indir, rxfh->key, rxfh->hfunc);
}
#else
#define ntvnic_compat_get_rxfh ntvnic_get_rxfh
#define ntvnic_compat_set_rxfh ntvnic_set_rxfh
#endif

/*
 * 6.8: the netdev family's queue-get names each queue's NAPI instance and
 * napi-get the NAPI's IRQ, once the driver links them (under RTNL). On
 * older kernels busy polling still finds the NAPI through the skb's
 * napi_id; there is no queue object to link.
 */
static inline void ntvnic_compat_queue_napi(struct net_device *dev,
					    unsigned int index, bool rx,
					    struct napi_struct *napi,
					    unsigned int virq)
{
#ifdef NTVNIC_HAVE_QUEUE_NAPI
	if (napi)
		netif_napi_set_irq(napi, virq);
	netif_queue_set_napi(dev, index,
			     rx ? NETDEV_QUEUE_TYPE_RX : NETDEV_QUEUE_TYPE_TX,
			     napi);
#endif
}

/*
 * 6.10: per-queue statistics through the netdev family (qstats-get), from
 * the same counters as ethtool -S (stats.c).
 */
#ifdef NTVNIC_HAVE_STAT_OPS
#include <net/netdev_queues.h>
extern const struct netdev_stat_ops ntvnic_stat_ops;
#endif

static inline void ntvnic_compat_set_stat_ops(struct net_device *dev)
{
#ifdef NTVNIC_HAVE_STAT_OPS
	dev->stat_ops = &ntvnic_stat_ops;
#endif
}

#endif /* NTVNIC_COMPAT_H */
