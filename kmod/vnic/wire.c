// SPDX-License-Identifier: GPL-2.0
/*
 * ntvnic wire: transmit on one port = receive DMA into the peer.
 *
 * ndo_start_xmit runs under the TX queue lock (the driver is not LLTX)
 * with BHs off. It hands the skb to the peer like veth does
 * (__dev_forward_skb: scrub, eth_type_trans, MTU check), lets the peer's
 * RSS choose the RX queue, and puts the skb into that queue's ring, which
 * raises the queue's interrupt (napi.c, irq.c). The wire delivers at once:
 * there is no TX completion to wait for, so TX queues are never stopped.
 */
#include <linux/netdevice.h>
#include <linux/etherdevice.h>
#include "ntvnic.h"

static void ntvnic_tx_account(struct ntvnic_txq *t, unsigned int len,
			      bool dropped)
{
	u64_stats_update_begin(&t->tx.syncp);
	if (dropped) {
		t->tx.drops++;
	} else {
		t->tx.packets++;
		t->tx.bytes += len;
	}
	u64_stats_update_end(&t->tx.syncp);
}

netdev_tx_t ntvnic_start_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct ntvnic_priv *priv = ntvnic_priv(dev), *ppriv;
	struct ntvnic_txq *t = &priv->txq[skb_get_queue_mapping(skb)];
	unsigned int len = skb->len, nq, qi;
	struct net_device *peer;
	struct ntvnic_rxq *q;

	skb_tx_timestamp(skb);

	rcu_read_lock();
	peer = rcu_dereference(priv->peer);
	if (unlikely(!peer))
		goto drop;
	ppriv = ntvnic_priv(peer);
	/* rx_enabled false: the peer is down or reconfiguring its rings. */
	if (unlikely(!smp_load_acquire(&ppriv->rx_enabled)))
		goto drop;
	nq = READ_ONCE(ppriv->cfg.queues);

	/* Frees skb on failure (peer down, too big). */
	if (unlikely(__dev_forward_skb(peer, skb) != NET_RX_SUCCESS)) {
		ntvnic_tx_account(t, len, true);
		goto out;
	}

	qi = ntvnic_rss_steer(ppriv, skb, nq);
	skb_record_rx_queue(skb, qi);
	q = &ppriv->rxq[qi];
	/*
	 * A ring-full drop is the receiver's (rx_missed/rx_fifo, counted in
	 * ntvnic_rxq_enqueue): the wire itself carried the packet.
	 */
	if (unlikely(ntvnic_rxq_enqueue(q, skb)))
		kfree_skb(skb);
	ntvnic_tx_account(t, len, false);
out:
	rcu_read_unlock();
	return NETDEV_TX_OK;

drop:
	rcu_read_unlock();
	ntvnic_tx_account(t, len, true);
	kfree_skb(skb);
	return NETDEV_TX_OK;
}
