/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ntvnic: what differs between the kernels the module builds for (Debian
 * 6.1, 6.12). Features are tested by a header or a macro, never by a
 * version number: a distribution's backports would make that lie.
 */
#ifndef NTVNIC_COMPAT_H
#define NTVNIC_COMPAT_H

#include <linux/netdevice.h>

/*
 * NTVNIC_HAVE_* come from Kbuild, which looks for the header in the target
 * tree. 6.6 split <net/page_pool.h> into types.h and helpers.h.
 */
#ifdef NTVNIC_HAVE_PAGE_POOL_HELPERS
#include <net/page_pool/helpers.h>
#else
#include <net/page_pool.h>
#endif

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

#endif /* NTVNIC_COMPAT_H */
