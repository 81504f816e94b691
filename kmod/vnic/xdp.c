// SPDX-License-Identifier: GPL-2.0
/*
 * ntvnic native XDP.
 *
 * Buffer model: while a program is loaded on a port, the wire (the
 * sender's TX completion NAPI, wire.c) writes each frame for that port
 * into a page of the receiving RX queue's page_pool, at
 * XDP_PACKET_HEADROOM, as a NIC's DMA writes into a posted receive
 * buffer, and computes a checksum the sender left to the "hardware". The
 * RX ring then carries the page. The queue's NAPI poll (napi.c) runs the
 * program on it before any skb exists (ntvnic_xdp_rx()); XDP_PASS builds
 * the skb around the same page (napi_build_skb, recycled to the pool) and
 * hands it to GRO. Without a program frames stay skbs, as before.
 *
 * Verdicts: PASS to GRO; DROP recycles the page; TX converts the buffer
 * to an xdp_frame and posts it, in bulks of NTVNIC_XDP_TX_BULK, into TX
 * queue N (the RX queue's index) under that TX queue's lock, with one
 * doorbell per bulk (ntvnic_tx_post_xdp(), wire.c); REDIRECT hands it to
 * xdp_do_redirect() and the poll ends with xdp_do_flush(); ABORTED and an
 * unknown verdict are traced (xdp_exception) and dropped.
 *
 * ndo_xdp_xmit (devmap/cpumap redirects into this port from any device
 * and CPU) posts frames into TX queue (this CPU mod queue count) under
 * its TX queue lock. The TX completion NAPI carries XDP frames to the
 * peer as copies in new skbs and returns the frames.
 *
 * Page pool: the allocator is the wire, on the CPU of whichever sender
 * TX queue steers into this RX queue, serialised by the RX ring's
 * producer lock; pages are returned from other contexts (this NAPI, TX
 * completion, socket frees), so never with direct recycling.
 *
 * Program lifetime: priv->xdp_prog changes under RTNL with
 * rcu_assign_pointer; a NAPI poll reads it once, under rcu_read_lock,
 * and the program is freed only after a grace period (bpf_prog_put), so
 * a replace is atomic under traffic: a poll runs the old or the new.
 * The device owns one reference (taken for it by dev_xdp_install()).
 */
#include <linux/netdevice.h>
#include <linux/etherdevice.h>
#include <linux/bpf.h>
#include <linux/bpf_trace.h>
#include <linux/filter.h>
#include <net/xdp.h>
#include "ntvnic.h"

/* What the wire knows of a frame it wrote: at the start of the page. */
struct ntvnic_rx_desc {
	u32 len;		/* frame length from the Ethernet header */
	u32 hash;		/* RSS hash the receiving port computed */
	u8 hash_type;		/* enum pkt_hash_types */
	u8 csum_ok;		/* L4 checksum verified or computed by the wire */
};

#define NTVNIC_XDP_HEADROOM	XDP_PACKET_HEADROOM
#define NTVNIC_XDP_TAILROOM	SKB_DATA_ALIGN(sizeof(struct skb_shared_info))
#define NTVNIC_XDP_MAX_FRAME	(PAGE_SIZE - NTVNIC_XDP_HEADROOM - \
				 NTVNIC_XDP_TAILROOM)
#define NTVNIC_XDP_MAX_MTU	(NTVNIC_XDP_MAX_FRAME - ETH_HLEN)

bool ntvnic_xdp_mtu_ok(unsigned int mtu)
{
	return mtu <= NTVNIC_XDP_MAX_MTU;
}

/*
 * RTNL, NAPI mode, after netif_napi_add(): the queue's page_pool and its
 * xdp_rxq_info (queue index, device, NAPI id; memory model page_pool).
 */
int ntvnic_xdp_rxq_init(struct ntvnic_rxq *q)
{
	struct page_pool_params pp = {
		.order = 0,
		.pool_size = q->priv->cfg.rx_ring + q->priv->cfg.tx_ring,
		.nid = NUMA_NO_NODE,
	};
	struct page_pool *pool;
	int err;

	BUILD_BUG_ON(sizeof(struct ntvnic_rx_desc) > NTVNIC_XDP_HEADROOM);
	pool = page_pool_create(&pp);
	if (IS_ERR(pool))
		return PTR_ERR(pool);
	err = xdp_rxq_info_reg(&q->xdp_rxq, q->priv->dev, q->index,
			       q->napi.napi_id);
	if (err)
		goto err_pool;
	err = xdp_rxq_info_reg_mem_model(&q->xdp_rxq, MEM_TYPE_PAGE_POOL, pool);
	if (err)
		goto err_rxq;
	q->page_pool = pool;
	return 0;

err_rxq:
	xdp_rxq_info_unreg(&q->xdp_rxq);
err_pool:
	page_pool_destroy(pool);
	return err;
}

/*
 * RTNL, senders out, NAPI deleted, ring purged. Pages still in flight
 * (skbs in sockets, frames in a TX ring) come back later: page_pool frees
 * itself after the last one.
 */
void ntvnic_xdp_rxq_exit(struct ntvnic_rxq *q)
{
	if (!q->page_pool)
		return;
	/* Drops the memory model's reference to the pool ... */
	xdp_rxq_info_unreg(&q->xdp_rxq);
	/* ... and this the queue's. */
	page_pool_destroy(q->page_pool);
	q->page_pool = NULL;
}

/* An RX ring entry nobody will receive: a ring purge. */
void ntvnic_xdp_free_rx(struct ntvnic_rxq *q, void *ptr)
{
	if (ntvnic_ptr_is_xdp(ptr))
		page_pool_put_full_page(q->page_pool, ntvnic_ptr_to_xdp(ptr),
					false);
	else
		kfree_skb(ptr);
}

/*
 * Under RCU, peer's rx_enabled seen: should the wire write skb (after
 * __dev_forward_skb) into a page of q? Only with a program loaded, and
 * only if it fits: a GSO skb (in flight when the program came; the peer
 * stops offering GSO then) or a frame from a sender with a larger MTU
 * stays an skb, and the poll counts it lost.
 */
bool ntvnic_xdp_wire_wants(struct ntvnic_priv *ppriv, struct ntvnic_rxq *q,
			   const struct sk_buff *skb)
{
	return rcu_access_pointer(ppriv->xdp_prog) && q->page_pool &&
	       !skb_is_gso(skb) && skb->len + ETH_HLEN <= NTVNIC_XDP_MAX_FRAME;
}

/*
 * skb->data at the Ethernet header: a checksum left to the hardware
 * (CHECKSUM_PARTIAL) is computed now, as the sender's NIC would. Returns
 * false if it could not be (no memory).
 */
static bool ntvnic_xdp_csum(struct sk_buff *skb, bool *csum_ok)
{
	*csum_ok = skb->ip_summed == CHECKSUM_UNNECESSARY;
	if (skb->ip_summed != CHECKSUM_PARTIAL)
		return true;
	*csum_ok = true;
	return !skb_csum_hwoffload_help(skb, 0);
}

/*
 * q's ring producer lock held (it serialises the pool's allocator): a
 * page of q's pool with skb's frame (data at the Ethernet header) at
 * XDP_PACKET_HEADROOM, its descriptor in front. NULL if the pool is dry.
 */
static struct page *ntvnic_xdp_copy(struct ntvnic_rxq *q, struct sk_buff *skb,
				    bool csum_ok)
{
	struct ntvnic_rx_desc *desc;
	struct page *page;

	page = page_pool_dev_alloc_pages(q->page_pool);
	if (unlikely(!page))
		return NULL;
	desc = page_address(page);
	desc->len = skb->len;
	desc->hash = skb_get_hash_raw(skb);
	desc->hash_type = skb->l4_hash ? PKT_HASH_TYPE_L4 :
			  skb->hash ? PKT_HASH_TYPE_L3 : PKT_HASH_TYPE_NONE;
	desc->csum_ok = csum_ok;
	if (unlikely(skb_copy_bits(skb, 0, page_address(page) +
				   NTVNIC_XDP_HEADROOM, skb->len))) {
		page_pool_put_full_page(q->page_pool, page, false);
		return NULL;
	}
	return page;
}

/*
 * The receive DMA, softirq (the sender's TX NAPI) under RCU, q open to
 * senders: copy skb (after __dev_forward_skb and RSS) into a page of q
 * and put the page in q's ring. A full ring or a dry pool is the
 * receiver's drop (ring_full: no receive buffer). Consumes skb.
 */
void ntvnic_xdp_wire_dma(struct ntvnic_rxq *q, struct sk_buff *skb)
{
	struct page *page = NULL;
	bool csum_ok;

	__skb_push(skb, ETH_HLEN);	/* eth_type_trans() pulled it */
	if (likely(ntvnic_xdp_csum(skb, &csum_ok))) {
		spin_lock(&q->ring.producer_lock);
		if (likely(!__ptr_ring_full(&q->ring)))
			page = ntvnic_xdp_copy(q, skb, csum_ok);
		if (likely(page))
			__ptr_ring_produce(&q->ring, ntvnic_xdp_to_ptr(page));
		spin_unlock(&q->ring.producer_lock);
	}
	if (unlikely(!page)) {
		u64_stats_update_begin(&q->rxp.syncp);
		q->rxp.ring_full++;
		u64_stats_update_end(&q->rxp.syncp);
		kfree_skb_reason(skb, SKB_DROP_REASON_FULL_RING);
		return;
	}
	consume_skb(skb);
	ntvnic_rxq_notify(q);
}

/* The NAPI poll starts, under rcu_read_lock: which program runs. */
void ntvnic_xdp_poll_begin(struct ntvnic_priv *priv,
			   struct ntvnic_xdp_poll *xp)
{
	memset(xp, 0, offsetof(struct ntvnic_xdp_poll, tx_frames));
	xp->prog = rcu_dereference(priv->xdp_prog);
}

/*
 * An skb the wire queued before the program came (or one too big for a
 * page): into a page of our own pool, so that the program sees every
 * frame; else it is lost. Consumes skb.
 */
static struct page *ntvnic_xdp_skb_to_page(struct ntvnic_rxq *q,
					   struct ntvnic_xdp_poll *xp,
					   struct sk_buff *skb)
{
	struct page *page = NULL;
	bool csum_ok;

	if (!skb_is_gso(skb) && skb->len + ETH_HLEN <= NTVNIC_XDP_MAX_FRAME) {
		__skb_push(skb, ETH_HLEN);
		if (ntvnic_xdp_csum(skb, &csum_ok)) {
			/* The wire allocates from this pool under this lock. */
			spin_lock(&q->ring.producer_lock);
			page = ntvnic_xdp_copy(q, skb, csum_ok);
			spin_unlock(&q->ring.producer_lock);
		}
	}
	if (!page) {
		xp->lost++;
		kfree_skb(skb);
		return NULL;
	}
	consume_skb(skb);
	return page;
}

/* XDP_PASS (or no program): the skb around the page, for GRO. */
static struct sk_buff *ntvnic_xdp_build_skb(struct ntvnic_rxq *q,
					    struct ntvnic_xdp_poll *xp,
					    struct xdp_buff *xdp,
					    const struct ntvnic_rx_desc *desc,
					    bool unchanged)
{
	unsigned int metalen = xdp->data - xdp->data_meta;
	struct sk_buff *skb;

	skb = napi_build_skb(xdp->data_hard_start, PAGE_SIZE);
	if (unlikely(!skb)) {
		page_pool_put_full_page(q->page_pool,
					virt_to_page(xdp->data_hard_start),
					false);
		xp->lost++;
		return NULL;
	}
	skb_reserve(skb, xdp->data - xdp->data_hard_start);
	__skb_put(skb, xdp->data_end - xdp->data);
	if (metalen)
		skb_metadata_set(skb, metalen);
	skb_mark_for_recycle(skb);
	skb->protocol = eth_type_trans(skb, q->priv->dev);
	/* As a NIC reports its check of the frame it received. */
	if (desc->csum_ok && unchanged)
		skb->ip_summed = CHECKSUM_UNNECESSARY;
	if (desc->hash_type != PKT_HASH_TYPE_NONE)
		skb_set_hash(skb, desc->hash, desc->hash_type);
	skb_record_rx_queue(skb, q->index);
	return skb;
}

/* Post the XDP_TX bulk into TX queue N, one doorbell, under its lock. */
static void ntvnic_xdp_tx_flush(struct ntvnic_rxq *q,
				struct ntvnic_xdp_poll *xp)
{
	struct ntvnic_txq *t = &q->priv->txq[q->index];
	struct netdev_queue *txq = netdev_get_tx_queue(q->priv->dev, q->index);
	unsigned int sent, i;

	__netif_tx_lock(txq, smp_processor_id());
	sent = ntvnic_tx_post_xdp(t, xp->tx_frames, xp->tx_n, true);
	__netif_tx_unlock(txq);
	xp->tx += sent;
	for (i = sent; i < xp->tx_n; i++) {
		xdp_return_frame(xp->tx_frames[i]);
		xp->tx_errors++;
	}
	xp->tx_n = 0;
}

/* Run the program on a page the wire wrote. Returns an skb for PASS. */
static struct sk_buff *ntvnic_xdp_run(struct ntvnic_rxq *q,
				      struct ntvnic_xdp_poll *xp,
				      struct page *page)
{
	struct ntvnic_rx_desc desc = *(struct ntvnic_rx_desc *)page_address(page);
	struct net_device *dev = q->priv->dev;
	struct xdp_frame *frame;
	struct xdp_buff xdp;
	void *data, *data_end;
	u32 act;

	xdp_init_buff(&xdp, PAGE_SIZE, &q->xdp_rxq);
	xdp_prepare_buff(&xdp, page_address(page), NTVNIC_XDP_HEADROOM,
			 desc.len, true);
	if (!xp->prog)
		return ntvnic_xdp_build_skb(q, xp, &xdp, &desc, true);

	data = xdp.data;
	data_end = xdp.data_end;
	act = bpf_prog_run_xdp(xp->prog, &xdp);
	switch (act) {
	case XDP_PASS:
		xp->pass++;
		return ntvnic_xdp_build_skb(q, xp, &xdp, &desc,
					    xdp.data == data &&
					    xdp.data_end == data_end);
	case XDP_TX:
		frame = xdp_convert_buff_to_frame(&xdp);
		if (unlikely(!frame)) {
			trace_xdp_exception(dev, xp->prog, act);
			xp->tx_errors++;
			break;
		}
		xp->tx_frames[xp->tx_n++] = frame;
		if (xp->tx_n == NTVNIC_XDP_TX_BULK)
			ntvnic_xdp_tx_flush(q, xp);
		return NULL;
	case XDP_REDIRECT:
		/* xdp_do_redirect() traces a failure (xdp_redirect_err). */
		if (unlikely(xdp_do_redirect(dev, &xdp, xp->prog))) {
			xp->tx_errors++;
			break;
		}
		xp->redirect++;
		return NULL;
	default:
		bpf_warn_invalid_xdp_action(dev, xp->prog, act);
		fallthrough;
	case XDP_ABORTED:
		trace_xdp_exception(dev, xp->prog, act);
		xp->aborted++;
		break;
	case XDP_DROP:
		xp->drop++;
		break;
	}
	page_pool_put_full_page(q->page_pool, page, false);
	return NULL;
}

/*
 * NAPI poll, one RX ring entry: a page the wire wrote, or an skb. With a
 * program every frame goes through it; returns the skb to hand to GRO,
 * or NULL. *len is the frame's length as received.
 */
struct sk_buff *ntvnic_xdp_rx(struct ntvnic_rxq *q, struct ntvnic_xdp_poll *xp,
			      void *ptr, unsigned int *len)
{
	struct page *page;

	if (!ntvnic_ptr_is_xdp(ptr)) {
		struct sk_buff *skb = ptr;

		*len = skb->len + ETH_HLEN;	/* eth_type_trans pulled it */
		if (!xp->prog)
			return skb;
		page = ntvnic_xdp_skb_to_page(q, xp, skb);
		if (!page)
			return NULL;
	} else {
		page = ntvnic_ptr_to_xdp(ptr);
		*len = ((struct ntvnic_rx_desc *)page_address(page))->len;
	}
	return ntvnic_xdp_run(q, xp, page);
}

/* The NAPI poll ends: send the XDP_TX bulk, flush redirects, count. */
void ntvnic_xdp_poll_end(struct ntvnic_rxq *q, struct ntvnic_xdp_poll *xp)
{
	if (xp->tx_n)
		ntvnic_xdp_tx_flush(q, xp);
	if (xp->redirect)
		xdp_do_flush();
	if (!xp->prog && !xp->lost)
		return;
	u64_stats_update_begin(&q->rx.syncp);
	q->rx.xdp_pass += xp->pass;
	q->rx.xdp_drop += xp->drop;
	q->rx.xdp_tx += xp->tx;
	q->rx.xdp_redirect += xp->redirect;
	q->rx.xdp_aborted += xp->aborted;
	q->rx.xdp_tx_errors += xp->tx_errors;
	q->rx.lost += xp->lost;
	u64_stats_update_end(&q->rx.syncp);
}

/*
 * TX completion NAPI: an XDP frame goes on the wire as a copy in a new
 * skb (the peer's port takes skbs); the frame goes back to its owner.
 */
struct sk_buff *ntvnic_xdp_frame_to_skb(struct napi_struct *napi,
					struct xdp_frame *frame)
{
	struct sk_buff *skb = napi_alloc_skb(napi, frame->len);

	if (likely(skb))
		skb_put_data(skb, frame->data, frame->len);
	xdp_return_frame(frame);
	return skb;
}

/*
 * ndo_xdp_xmit: a devmap/cpumap redirect (or a bulk of them) into this
 * port, from any CPU, BHs off, under RCU, without our TX queue lock.
 * Frames go into TX queue (CPU mod queue count) under its lock, as the
 * stack's packets do; XDP_XMIT_FLUSH rings the doorbell. Returns how
 * many were posted; the caller frees the rest.
 */
int ntvnic_xdp_xmit(struct net_device *dev, int n, struct xdp_frame **frames,
		    u32 flags)
{
	struct ntvnic_priv *priv = ntvnic_priv(dev);
	unsigned int cpu = smp_processor_id();
	unsigned int qi = cpu % READ_ONCE(priv->cfg.queues);
	struct netdev_queue *txq = netdev_get_tx_queue(dev, qi);
	struct ntvnic_txq *t = &priv->txq[qi];
	unsigned int sent;

	if (unlikely(flags & ~XDP_XMIT_FLAGS_MASK))
		return -EINVAL;
	__netif_tx_lock(txq, cpu);
	sent = ntvnic_tx_post_xdp(t, frames, n, flags & XDP_XMIT_FLUSH);
	/* The TX queue lock serialises the xmit counters. */
	u64_stats_update_begin(&t->xmit.syncp);
	t->xmit.xdp_xmit += sent;
	t->xmit.xdp_xmit_errors += n - sent;
	u64_stats_update_end(&t->xmit.syncp);
	__netif_tx_unlock(txq);
	return sent;
}

/* RTNL. XDP_SETUP_PROG: attach, replace or (prog NULL) detach. */
static int ntvnic_xdp_setup(struct net_device *dev, struct bpf_prog *prog,
			    struct netlink_ext_ack *extack)
{
	struct ntvnic_priv *priv = ntvnic_priv(dev);
	struct bpf_prog *old = rtnl_dereference(priv->xdp_prog);
	struct net_device *peer = rtnl_dereference(priv->peer);

	if (prog) {
		if (priv->cfg.mode != NTVNIC_MODE_NAPI) {
			NL_SET_ERR_MSG(extack,
				       "ntvnic: native XDP needs napi mode (legacy mode receives in hardirq context); use xdpgeneric or switch the mode");
			return -EOPNOTSUPP;
		}
		if (!ntvnic_xdp_mtu_ok(dev->mtu)) {
			ntvnic_compat_xdp_mtu_msg(extack, NTVNIC_XDP_MAX_MTU);
			return -ERANGE;
		}
	}
	rcu_assign_pointer(priv->xdp_prog, prog);
	/* The core refuses a larger MTU, with its extack message. */
	dev->max_mtu = prog ? NTVNIC_XDP_MAX_MTU : ETH_MAX_MTU;
	if (old)
		bpf_prog_put(old);	/* freed after an RCU grace period */
	/* The peer stops (or resumes) offering GSO: see fix_features. */
	if (!old != !prog && peer)
		netdev_update_features(peer);
	return 0;
}

int ntvnic_bpf(struct net_device *dev, struct netdev_bpf *bpf)
{
	switch (bpf->command) {
	case XDP_SETUP_PROG:
		return ntvnic_xdp_setup(dev, bpf->prog, bpf->extack);
	default:
		return -EINVAL;
	}
}
