// SPDX-License-Identifier: GPL-2.0
/*
 * ntvnic netdev: device set-up, ndo ops, the data path's start/stop, the
 * pair's creation (generic netlink or `ip link add ... type ntvnic`) and
 * deletion (rtnl_link_ops "ntvnic": `ip link del`, netns deletion and
 * module unload all go through ntvnic_dellink()).
 */
#include <linux/netdevice.h>
#include <linux/etherdevice.h>
#include <linux/slab.h>
#include <net/rtnetlink.h>
#include <net/net_namespace.h>
#include "ntvnic.h"

#define NTVNIC_FEATURES (NETIF_F_HW_CSUM | NETIF_F_SG | NETIF_F_FRAGLIST | \
			 NETIF_F_RXCSUM | NETIF_F_SCTP_CRC | NETIF_F_HIGHDMA | \
			 NETIF_F_GSO_SOFTWARE | NETIF_F_GSO_ENCAP_ALL)

void ntvnic_default_cfg(struct ntvnic_cfg *cfg)
{
	cfg->queues = NTVNIC_DEF_QUEUES;
	cfg->rx_ring = NTVNIC_DEF_RING;
	cfg->tx_ring = NTVNIC_DEF_RING;
	cfg->mode = NTVNIC_MODE_NAPI;
	cfg->napi_weight = NTVNIC_DEF_NAPI_WEIGHT;
}

static bool ntvnic_ring_ok(u32 n)
{
	return n >= NTVNIC_MIN_RING && n <= NTVNIC_MAX_RING && is_power_of_2(n);
}

/*
 * The policy only checks types; the ranges are checked here so that the
 * refusal names the setting (6.1 has no formatted extack messages).
 */
int ntvnic_validate_cfg(const struct ntvnic_cfg *cfg, u32 max_queues,
			struct netlink_ext_ack *extack)
{
	if (cfg->queues < NTVNIC_MIN_QUEUES || cfg->queues > NTVNIC_MAX_QUEUES) {
		NL_SET_ERR_MSG(extack, "ntvnic: queue count must be between 1 and 64");
		return -EINVAL;
	}
	if (cfg->queues > max_queues) {
		NL_SET_ERR_MSG(extack, "ntvnic: queue count above the device's maximum");
		return -EINVAL;
	}
	if (!ntvnic_ring_ok(cfg->rx_ring)) {
		NL_SET_ERR_MSG(extack,
			       "ntvnic: rx ring size must be a power of two between 8 and 4096");
		return -EINVAL;
	}
	if (!ntvnic_ring_ok(cfg->tx_ring)) {
		NL_SET_ERR_MSG(extack,
			       "ntvnic: tx ring size must be a power of two between 8 and 4096");
		return -EINVAL;
	}
	if (cfg->mode > NTVNIC_MODE_MAX) {
		NL_SET_ERR_MSG(extack, "ntvnic: unknown mode (0 napi, 1 legacy)");
		return -EINVAL;
	}
	if (cfg->napi_weight < 1 || cfg->napi_weight > NTVNIC_MAX_NAPI_WEIGHT) {
		NL_SET_ERR_MSG(extack, "ntvnic: napi weight must be between 1 and 256");
		return -EINVAL;
	}
	return 0;
}

/* ethtool -C and generic netlink NEW/SET: the same limits and messages. */
int ntvnic_validate_coal(const struct ntvnic_coal *rx,
			 const struct ntvnic_coal *tx,
			 struct netlink_ext_ack *extack)
{
	if (rx->usecs > NTVNIC_MAX_COAL_USECS) {
		NL_SET_ERR_MSG(extack, "ntvnic: rx-usecs must be between 0 and 100000");
		return -EINVAL;
	}
	if (rx->frames > NTVNIC_MAX_COAL_FRAMES) {
		NL_SET_ERR_MSG(extack, "ntvnic: rx-frames must be between 0 and 4096");
		return -EINVAL;
	}
	if (tx->usecs > NTVNIC_MAX_COAL_USECS) {
		NL_SET_ERR_MSG(extack, "ntvnic: tx-usecs must be between 0 and 100000");
		return -EINVAL;
	}
	if (tx->frames > NTVNIC_MAX_COAL_FRAMES) {
		NL_SET_ERR_MSG(extack, "ntvnic: tx-frames must be between 0 and 4096");
		return -EINVAL;
	}
	return 0;
}

/*
 * RTNL. Takes effect at once, without restarting the data path: the
 * packet path reads the values with READ_ONCE (irq.c).
 */
void ntvnic_apply_coal(struct ntvnic_priv *priv, const struct ntvnic_coal *rx,
		       const struct ntvnic_coal *tx)
{
	WRITE_ONCE(priv->rx_coal.usecs, rx->usecs);
	WRITE_ONCE(priv->rx_coal.frames, rx->frames);
	WRITE_ONCE(priv->tx_coal.usecs, tx->usecs);
	WRITE_ONCE(priv->tx_coal.frames, tx->frames);
	ntvnic_dim_apply_static(priv);
}

bool ntvnic_is_ntvnic(const struct net_device *dev)
{
	return dev->rtnl_link_ops == &ntvnic_link_ops;
}

/* RTNL, NAPI disabled: free the queue's IRQ and NAPI, purge its ring. */
static void ntvnic_rxq_down(struct ntvnic_rxq *q)
{
	unsigned int n = 0;
	void *ptr;

	ntvnic_irq_teardown(&q->irq);
	if (q->napi_added) {
		netif_napi_del(&q->napi);
		q->napi_added = false;
	}
	if (!q->ring_ready)
		return;
	while ((ptr = __ptr_ring_consume(&q->ring))) {
		ntvnic_xdp_free_rx(q, ptr);
		n++;
	}
	u64_stats_update_begin(&q->rx.syncp);
	q->rx.purged += n;
	u64_stats_update_end(&q->rx.syncp);
	ptr_ring_cleanup(&q->ring, NULL);
	q->ring_ready = false;
	ntvnic_xdp_rxq_exit(q);
}

/* RTNL, TX queue disabled, NAPI disabled: the same for a TX queue. */
static void ntvnic_txq_down(struct ntvnic_txq *t)
{
	ntvnic_irq_teardown(&t->irq);
	if (t->napi_added) {
		netif_napi_del(&t->napi);
		t->napi_added = false;
	}
	if (!t->ring)
		return;
	ntvnic_tx_purge(t);
	kfree(t->ring);
	t->ring = NULL;
}

/*
 * RTNL. Stop the data path: TX queues first (no new descriptors, no wake),
 * then senders into our RX rings (they check rx_enabled under RCU), then
 * NAPI and the IRQs, then drop what is left in the rings.
 */
static void ntvnic_datapath_down(struct net_device *dev)
{
	struct ntvnic_priv *priv = ntvnic_priv(dev);
	unsigned int i;

	if (!priv->datapath_up)
		return;
	WRITE_ONCE(priv->tx_open, false);
	netif_tx_disable(dev);
	WRITE_ONCE(priv->rx_enabled, false);
	synchronize_net();

	for (i = 0; i < priv->cfg.queues; i++) {
		struct ntvnic_rxq *q = &priv->rxq[i];
		struct ntvnic_txq *t = &priv->txq[i];

		if (q->napi_enabled) {
			ntvnic_compat_queue_napi(dev, i, true, NULL, 0);
			napi_disable(&q->napi);
			q->napi_enabled = false;
		}
		if (t->napi_enabled) {
			ntvnic_compat_queue_napi(dev, i, false, NULL, 0);
			napi_disable(&t->napi);
			t->napi_enabled = false;
		}
		ntvnic_line_quiesce(t);	/* its timers, frames in flight */
		ntvnic_irq_quiesce(&q->irq);
		ntvnic_irq_quiesce(&t->irq);
	}
	/* One grace period covers every queue's last IRQ delivery. */
	synchronize_rcu();
	/* aRFS filters and the CPU map go before the IRQs they follow. */
	ntvnic_arfs_down(priv);

	for (i = 0; i < priv->cfg.queues; i++) {
		ntvnic_rxq_down(&priv->rxq[i]);
		ntvnic_txq_down(&priv->txq[i]);
	}
	priv->datapath_up = false;
}

/* RTNL. RX queue i: ring, NAPI and XDP buffers (NAPI mode), IRQ. */
static int ntvnic_rxq_up(struct ntvnic_priv *priv, struct ntvnic_rxq *q)
{
	int err;

	err = ptr_ring_init(&q->ring, priv->cfg.rx_ring, GFP_KERNEL);
	if (err)
		return err;
	q->ring_ready = true;
	if (priv->cfg.mode == NTVNIC_MODE_NAPI) {
		netif_napi_add_weight(priv->dev, &q->napi, ntvnic_napi_poll,
				      priv->cfg.napi_weight);
		q->napi_added = true;
		err = ntvnic_xdp_rxq_init(q);
		if (err)
			return err;
	}
	q->irq.pending = ntvnic_rx_pending;
	q->irq.coal = &q->dim.coal;	/* static or adaptive: dim.c */
	err = ntvnic_irq_setup(&q->irq, priv->dev, "rx", q->index,
			       ntvnic_rx_irq, q);
	if (err)
		return err;
	if (q->napi_added) {
		napi_enable(&q->napi);
		q->napi_enabled = true;
		ntvnic_compat_queue_napi(priv->dev, q->index, true, &q->napi,
					 q->irq.virq);
	}
	return 0;
}

/*
 * RTNL. TX queue i: descriptor ring, TX completion NAPI (in both receive
 * modes: legacy mode is about receive), IRQ.
 */
static int ntvnic_txq_up(struct ntvnic_priv *priv, struct ntvnic_txq *t)
{
	int err;

	t->ring = kcalloc(priv->cfg.tx_ring, sizeof(*t->ring), GFP_KERNEL);
	if (!t->ring)
		return -ENOMEM;
	t->size = priv->cfg.tx_ring;
	t->prod = 0;
	t->kicked = 0;
	t->cons = 0;
	netif_napi_add_tx_weight(priv->dev, &t->napi, ntvnic_tx_poll,
				 priv->cfg.napi_weight);
	t->napi_added = true;
	t->irq.pending = ntvnic_tx_pending;
	t->irq.coal = &t->dim.coal;
	err = ntvnic_irq_setup(&t->irq, priv->dev, "tx", t->index,
			       ntvnic_tx_irq, t);
	if (err)
		return err;
	napi_enable(&t->napi);
	t->napi_enabled = true;
	ntvnic_compat_queue_napi(priv->dev, t->index, false, &t->napi,
				 t->irq.virq);
	return 0;
}

/*
 * RTNL. Rings, NAPI, IRQs for cfg.queues queues, then open to senders.
 * restart: the port was running (a reconfiguration) and its qdiscs may
 * hold packets that arrived while the queues were disabled.
 */
static int ntvnic_datapath_up(struct net_device *dev, bool restart)
{
	struct ntvnic_priv *priv = ntvnic_priv(dev);
	unsigned int i;
	int err;

	for (i = 0; i < priv->cfg.queues; i++) {
		err = ntvnic_rxq_up(priv, &priv->rxq[i]);
		if (!err)
			err = ntvnic_txq_up(priv, &priv->txq[i]);
		if (err)
			goto err;
	}
	err = ntvnic_arfs_up(priv);
	if (err)
		goto err;
	priv->datapath_up = true;
	/* Rings and cfg.queues are published before senders may use them. */
	smp_store_release(&priv->rx_enabled, true);
	/* The TX rings too, for ndo_xdp_xmit (which checks tx_open). */
	smp_store_release(&priv->tx_open, true);
	/*
	 * After a restart, wake: a queue's qdisc may have kept packets the
	 * stack tried to send while netif_tx_disable() had stopped it, and
	 * only a wake (__netif_schedule) runs it again. With a start alone
	 * they would wait for the next packet on that queue, and TCP sends
	 * none: TSQ waits for them to leave and a retransmission is not made
	 * while the original is still in the host (the soak's stalled
	 * transfer). At ndo_open the qdiscs are not attached yet: start.
	 */
	if (restart)
		netif_tx_wake_all_queues(dev);
	else
		netif_tx_start_all_queues(dev);
	return 0;

err:
	/* datapath_down() copes with the half-built queue i. */
	priv->datapath_up = true;
	ntvnic_datapath_down(dev);
	return err;
}

static int ntvnic_open(struct net_device *dev)
{
	struct ntvnic_priv *priv = ntvnic_priv(dev);
	struct net_device *peer = rtnl_dereference(priv->peer);
	int err;

	if (!peer)
		return -ENOTCONN;
	err = ntvnic_datapath_up(dev, false);
	if (err)
		return err;
	if (peer->flags & IFF_UP) {
		netif_carrier_on(dev);
		netif_carrier_on(peer);
	}
	return 0;
}

static int ntvnic_stop(struct net_device *dev)
{
	struct ntvnic_priv *priv = ntvnic_priv(dev);
	struct net_device *peer = rtnl_dereference(priv->peer);

	netif_carrier_off(dev);
	if (peer)
		netif_carrier_off(peer);
	ntvnic_datapath_down(dev);
	return 0;
}

/*
 * RTNL. Apply cfg to a port: quiesce its data path (netif_tx_disable,
 * senders out, napi_disable, IRQs freed), change, start again.
 */
int ntvnic_reconfigure(struct net_device *dev, const struct ntvnic_cfg *cfg,
		       struct netlink_ext_ack *extack)
{
	struct ntvnic_priv *priv = ntvnic_priv(dev);
	bool up = priv->datapath_up;
	int err;

	err = ntvnic_validate_cfg(cfg, priv->max_queues, extack);
	if (err)
		return err;
	if (cfg->mode != NTVNIC_MODE_NAPI && rtnl_dereference(priv->xdp_prog)) {
		NL_SET_ERR_MSG(extack,
			       "ntvnic: an XDP program is loaded: legacy mode cannot run it (detach it first)");
		return -EBUSY;
	}
	if (up)
		ntvnic_datapath_down(dev);

	if (cfg->queues != priv->cfg.queues) {
		err = netif_set_real_num_tx_queues(dev, cfg->queues);
		if (!err)
			err = netif_set_real_num_rx_queues(dev, cfg->queues);
		if (err) {
			NL_SET_ERR_MSG(extack, "ntvnic: cannot change the queue count");
			netif_set_real_num_tx_queues(dev, priv->cfg.queues);
			goto restart;
		}
		if (!netif_is_rxfh_configured(dev))
			ntvnic_rss_reset_indir(priv, cfg->queues);
	}
	WRITE_ONCE(priv->cfg.queues, cfg->queues);
	priv->cfg.rx_ring = cfg->rx_ring;
	priv->cfg.tx_ring = cfg->tx_ring;
	priv->cfg.mode = cfg->mode;
	priv->cfg.napi_weight = cfg->napi_weight;

restart:
	if (up) {
		int err2 = ntvnic_datapath_up(dev, true);

		if (err2) {
			NL_SET_ERR_MSG(extack,
				       "ntvnic: cannot restart the data path with the new settings");
			netif_carrier_off(dev);
			return err2;
		}
	}
	return err;
}

static int ntvnic_get_iflink(const struct net_device *dev)
{
	struct ntvnic_priv *priv = ntvnic_priv(dev);
	struct net_device *peer;
	int iflink;

	rcu_read_lock();
	peer = rcu_dereference(priv->peer);
	iflink = peer ? peer->ifindex : 0;
	rcu_read_unlock();
	return iflink;
}

/*
 * RTNL. While the peer runs an XDP program its frames must fit a page:
 * stop offering GSO (as veth does), so the stack segments before us.
 */
static netdev_features_t ntvnic_fix_features(struct net_device *dev,
					     netdev_features_t features)
{
	struct net_device *peer = rtnl_dereference(ntvnic_priv(dev)->peer);

	if (peer && rcu_access_pointer(ntvnic_priv(peer)->xdp_prog))
		features &= ~NETIF_F_GSO_SOFTWARE;
	return features;
}

/*
 * RTNL. With a program loaded max_mtu is the largest MTU a page holds,
 * and the core refuses more with an extack message before calling this;
 * the check here covers callers that skip that.
 */
static int ntvnic_change_mtu(struct net_device *dev, int new_mtu)
{
	if (rtnl_dereference(ntvnic_priv(dev)->xdp_prog) &&
	    !ntvnic_xdp_mtu_ok(new_mtu)) {
		netdev_err(dev, "MTU %d too large for the loaded XDP program\n",
			   new_mtu);
		return -EINVAL;
	}
	dev->mtu = new_mtu;
	return 0;
}

static const struct net_device_ops ntvnic_netdev_ops = {
	.ndo_open		= ntvnic_open,
	.ndo_stop		= ntvnic_stop,
	.ndo_start_xmit		= ntvnic_start_xmit,
	.ndo_get_stats64	= ntvnic_get_stats64,
	.ndo_get_iflink		= ntvnic_get_iflink,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
	.ndo_fix_features	= ntvnic_fix_features,
	.ndo_change_mtu		= ntvnic_change_mtu,
	.ndo_bpf		= ntvnic_bpf,
	.ndo_xdp_xmit		= ntvnic_xdp_xmit,
#ifdef CONFIG_RFS_ACCEL
	.ndo_rx_flow_steer	= ntvnic_rx_flow_steer,
#endif
};

static void ntvnic_free(struct net_device *dev)
{
	struct ntvnic_priv *priv = ntvnic_priv(dev);

	/* Idempotent: also called on creation failures before registration. */
	ntvnic_dim_free(priv);
	ntvnic_ntuple_free(priv);
	kfree(rcu_dereference_protected(priv->rss, 1));
	RCU_INIT_POINTER(priv->rss, NULL);
	kfree(priv->rxq);
	kfree(priv->txq);
	priv->rxq = NULL;
	priv->txq = NULL;
}

static void ntvnic_setup(struct net_device *dev)
{
	ether_setup(dev);
	dev->priv_flags &= ~IFF_TX_SKB_SHARING;
	/*
	 * Not IFF_NO_QUEUE: like a NIC, a full TX ring stops the queue and
	 * the qdisc holds the backlog.
	 */
	dev->priv_flags |= IFF_LIVE_ADDR_CHANGE;
	dev->netdev_ops = &ntvnic_netdev_ops;
	dev->ethtool_ops = &ntvnic_ethtool_ops;
	dev->rtnl_link_ops = &ntvnic_link_ops;
	dev->features |= NTVNIC_FEATURES;
	dev->hw_features = NTVNIC_FEATURES;
	dev->hw_enc_features = NTVNIC_FEATURES;
	dev->vlan_features = NTVNIC_FEATURES;
	dev->needs_free_netdev = true;
	dev->priv_destructor = ntvnic_free;
	dev->max_mtu = ETH_MAX_MTU;
	netif_set_tso_max_size(dev, GSO_MAX_SIZE);
	/* ntuple rules and aRFS (ntuple.c, arfs.c): on, and switchable */
	dev->hw_features |= NETIF_F_NTUPLE;
	dev->features |= NETIF_F_NTUPLE;
	ntvnic_compat_set_xdp_features(dev);
	ntvnic_compat_set_stat_ops(dev);
}

/* Allocate the per-queue state for priv (before registration). */
static int ntvnic_init_priv(struct net_device *dev, const struct ntvnic_cfg *cfg)
{
	struct ntvnic_priv *priv = ntvnic_priv(dev);
	struct ntvnic_rss *rss;
	unsigned int i;

	priv->dev = dev;
	priv->max_queues = min3(dev->num_tx_queues, dev->num_rx_queues,
				(unsigned int)NTVNIC_MAX_QUEUES);
	priv->cfg = *cfg;
	priv->rxq = kcalloc(priv->max_queues, sizeof(*priv->rxq), GFP_KERNEL);
	priv->txq = kcalloc(priv->max_queues, sizeof(*priv->txq), GFP_KERNEL);
	rss = ntvnic_rss_alloc_default(cfg->queues);
	if (!priv->rxq || !priv->txq || !rss) {
		kfree(rss);
		kfree(priv->rxq);
		kfree(priv->txq);
		priv->rxq = NULL;
		priv->txq = NULL;
		return -ENOMEM;
	}
	RCU_INIT_POINTER(priv->rss, rss);
	ntvnic_arfs_init(priv);
	ntvnic_dim_init(priv);
	for (i = 0; i < priv->max_queues; i++) {
		priv->rxq[i].priv = priv;
		priv->rxq[i].index = i;
		u64_stats_init(&priv->rxq[i].rx.syncp);
		u64_stats_init(&priv->rxq[i].rxp.syncp);
		u64_stats_init(&priv->rxq[i].bp.syncp);
		u64_stats_init(&priv->rxq[i].irq.stats.syncp);
		priv->txq[i].priv = priv;
		priv->txq[i].index = i;
		u64_stats_init(&priv->txq[i].xmit.syncp);
		u64_stats_init(&priv->txq[i].done.syncp);
		u64_stats_init(&priv->txq[i].irq.stats.syncp);
		ntvnic_line_init(&priv->txq[i]);
	}
	netif_set_real_num_tx_queues(dev, cfg->queues);
	netif_set_real_num_rx_queues(dev, cfg->queues);
	eth_hw_addr_random(dev);
	netif_carrier_off(dev);
	return 0;
}

/*
 * RTNL. Register peer then dev (both allocated, priv initialised) and link
 * them. On failure the peer is gone and dev's private state is freed; the
 * caller still owns dev itself (free_netdev, or the rtnl core does it).
 *
 * register_netdevice() runs priv_destructor only when it fails after
 * ndo_init; an early refusal (an invalid name such as "a/b" or "..", which
 * `ip link add` over rtnetlink can send) returns without it, and
 * free_netdev() never runs it. ntvnic_free() is idempotent, so it is
 * called here for every failure (found by selftests/fuzz: each refused
 * RTM_NEWLINK leaked the queue arrays, about 100 KB).
 */
static int ntvnic_register_pair(struct net_device *dev, struct net_device *peer,
				struct netlink_ext_ack *extack)
{
	int err;

	err = register_netdevice(peer);
	if (err) {
		NL_SET_ERR_MSG(extack, "ntvnic: cannot register the peer device (name taken?)");
		ntvnic_free(peer);
		free_netdev(peer);
		ntvnic_free(dev);
		return err;
	}
	err = register_netdevice(dev);
	if (err) {
		NL_SET_ERR_MSG(extack, "ntvnic: cannot register the device (bad or taken name?)");
		ntvnic_free(dev);
		unregister_netdevice(peer);
		return err;
	}
	rcu_assign_pointer(ntvnic_priv(dev)->peer, peer);
	rcu_assign_pointer(ntvnic_priv(peer)->peer, dev);
	return 0;
}

static struct net_device *ntvnic_alloc(struct net *net, const char *name,
				       unsigned char assign,
				       const struct ntvnic_cfg *cfg)
{
	struct net_device *dev;

	dev = alloc_netdev_mqs(sizeof(struct ntvnic_priv), name, assign,
			       ntvnic_setup, NTVNIC_MAX_QUEUES,
			       NTVNIC_MAX_QUEUES);
	if (!dev)
		return NULL;
	dev_net_set(dev, net);
	if (ntvnic_init_priv(dev, cfg)) {
		free_netdev(dev);
		return NULL;
	}
	return dev;
}

/* Generic netlink NEW, under RTNL. */
int ntvnic_create_pair(struct net *net, const char *name,
		       struct net *peer_net, const char *peer_name,
		       const struct ntvnic_cfg *cfg, struct net_device **devp,
		       struct netlink_ext_ack *extack)
{
	struct net_device *dev, *peer;
	int err;

	err = ntvnic_validate_cfg(cfg, NTVNIC_MAX_QUEUES, extack);
	if (err)
		return err;
	dev = ntvnic_alloc(net, name, NET_NAME_USER, cfg);
	if (!dev)
		return -ENOMEM;
	peer = ntvnic_alloc(peer_net, peer_name ? peer_name : "ntvnic%d",
			    peer_name ? NET_NAME_USER : NET_NAME_ENUM, cfg);
	if (!peer) {
		ntvnic_free(dev);
		free_netdev(dev);
		return -ENOMEM;
	}
	err = ntvnic_register_pair(dev, peer, extack);
	if (err) {
		free_netdev(dev);
		return err;
	}
	*devp = dev;
	return 0;
}

/* `ip link add NAME [numtxqueues N numrxqueues N] type ntvnic` */
static int ntvnic_newlink(struct net *src_net, struct net_device *dev,
			  struct nlattr *tb[], struct nlattr *data[],
			  struct netlink_ext_ack *extack)
{
	struct ntvnic_cfg cfg;
	struct net_device *peer;
	int err;

	ntvnic_default_cfg(&cfg);
	if (tb[IFLA_NUM_TX_QUEUES] || tb[IFLA_NUM_RX_QUEUES])
		cfg.queues = min3(dev->num_tx_queues, dev->num_rx_queues,
				  (unsigned int)NTVNIC_MAX_QUEUES);
	err = ntvnic_init_priv(dev, &cfg);
	if (err)
		return err;
	peer = ntvnic_alloc(dev_net(dev), "ntvnic%d", NET_NAME_ENUM, &cfg);
	if (!peer) {
		ntvnic_free(dev);
		return -ENOMEM;
	}
	/* On failure the rtnl core frees dev. */
	return ntvnic_register_pair(dev, peer, extack);
}

/*
 * ntvnic has no link attributes: queues, rings and mode are set with its
 * generic netlink family or ethtool. Refuse IFLA_INFO_DATA rather than
 * ignore it (without .maxtype the core would not even parse it): whoever
 * sent some expected it to be applied.
 */
static int ntvnic_validate(struct nlattr *tb[], struct nlattr *data[],
			   struct netlink_ext_ack *extack)
{
	if (tb[IFLA_LINKINFO] &&
	    nla_find_nested(tb[IFLA_LINKINFO], IFLA_INFO_DATA)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_LINKINFO],
				    "ntvnic: no link attributes (IFLA_INFO_DATA); set queues, rings and mode with the ntvnic family or ethtool");
		return -EINVAL;
	}
	return 0;
}

/* RTNL: `ip link del`, netns deletion, module unload. Removes the pair. */
static void ntvnic_dellink(struct net_device *dev, struct list_head *head)
{
	struct ntvnic_priv *priv = ntvnic_priv(dev);
	struct net_device *peer = rtnl_dereference(priv->peer);

	unregister_netdevice_queue(dev, head);
	if (peer) {
		RCU_INIT_POINTER(priv->peer, NULL);
		RCU_INIT_POINTER(ntvnic_priv(peer)->peer, NULL);
		unregister_netdevice_queue(peer, head);
	}
}

static struct net *ntvnic_get_link_net(const struct net_device *dev)
{
	struct ntvnic_priv *priv = ntvnic_priv(dev);
	struct net_device *peer = rtnl_dereference(priv->peer);

	return peer ? dev_net(peer) : dev_net(dev);
}

static unsigned int ntvnic_get_num_queues(void)
{
	return NTVNIC_MAX_QUEUES;
}

struct rtnl_link_ops ntvnic_link_ops = {
	.kind			= NTVNIC_LINK_KIND,
	.priv_size		= sizeof(struct ntvnic_priv),
	.setup			= ntvnic_setup,
	.validate		= ntvnic_validate,
	.newlink		= ntvnic_newlink,
	.dellink		= ntvnic_dellink,
	.get_link_net		= ntvnic_get_link_net,
	.get_num_tx_queues	= ntvnic_get_num_queues,
	.get_num_rx_queues	= ntvnic_get_num_queues,
};
