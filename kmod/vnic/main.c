// SPDX-License-Identifier: GPL-2.0
/*
 * ntvnic: a virtual multi-queue NIC pair with real interrupts, NAPI and RSS.
 *
 * Files: netdev.c (ndo ops, pair life cycle, rtnl_link_ops), wire.c
 * (transmit = DMA into the peer), rss.c (Toeplitz, indirection), irq.c
 * (irq_domain, irq_chip, per-queue IRQs), napi.c (rings, NAPI poll,
 * legacy mode), ethtool.c, stats.c, netlink.c (generic netlink family).
 *
 * Devices live in network namespaces through rtnl_link_ops: deleting a
 * namespace (default_device_exit_batch) or unloading the module
 * (rtnl_link_unregister) calls ntvnic_dellink() for every port, so no
 * per-namespace state of our own is needed.
 */
#include <linux/module.h>
#include <net/genetlink.h>
#include <net/rtnetlink.h>
#include "ntvnic.h"

static int __init ntvnic_init(void)
{
	int err;

	err = ntvnic_rss_selftest();
	if (err)
		return err;
	err = ntvnic_irq_domain_init();
	if (err)
		return err;
	err = rtnl_link_register(&ntvnic_link_ops);
	if (err)
		goto err_domain;
	err = ntvnic_genl_init();
	if (err)
		goto err_link;
	return 0;

err_link:
	rtnl_link_unregister(&ntvnic_link_ops);
err_domain:
	ntvnic_irq_domain_exit();
	return err;
}

/*
 * Reverse order: no new requests (genl), then every device goes (its
 * IRQs, NAPI and rings are torn down in ndo_stop), then the IRQ domain.
 */
static void __exit ntvnic_exit(void)
{
	ntvnic_genl_exit();
	rtnl_link_unregister(&ntvnic_link_ops);
	rcu_barrier();		/* kfree_rcu() of RSS tables */
	ntvnic_irq_domain_exit();
}

module_init(ntvnic_init);
module_exit(ntvnic_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("nettune virtual multi-queue NIC pair with IRQs, NAPI and RSS");
MODULE_VERSION(NTVNIC_DRV_VERSION);
MODULE_ALIAS_RTNL_LINK(NTVNIC_LINK_KIND);
MODULE_ALIAS_GENL_FAMILY(NTVNIC_GENL_NAME);
