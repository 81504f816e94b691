/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ntvnic: private definitions shared by the driver's files.
 *
 * A pair of ports joined by a wire. A packet transmitted on one port goes
 * into that TX queue's descriptor ring and the doorbell raises the TX
 * queue's completion interrupt (irq.c) on the CPU its affinity names. The
 * TX NAPI there puts the packets on the wire (wire.c): the peer's RSS
 * (rss.c) steers each into one of the peer's RX rings, the peer's RX queue
 * interrupt is raised on its own CPU, and RX NAPI (napi.c) drains the ring
 * into GRO. Completed descriptors free TX ring space, feed BQL and wake a
 * TX queue stopped by a full ring.
 *
 * Locking:
 *  - Configuration (queue count, ring sizes, mode, weight, peer link,
 *    IRQ set-up) changes only under RTNL.
 *  - The packet path is lockless apart from the RX ring's producer lock
 *    and the TX queue lock the stack holds around ndo_start_xmit: the
 *    peer pointer and the RSS table are RCU-protected, the TX NAPI checks
 *    the peer's rx_enabled under RCU, and reconfiguration clears
 *    rx_enabled and waits for a grace period before touching rings.
 *  - Counters use u64_stats_sync, one writer per group (see below).
 */
#ifndef NTVNIC_PRIV_H
#define NTVNIC_PRIV_H

#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/ptr_ring.h>
#include <linux/u64_stats_sync.h>
#include <linux/irq_work.h>
#include <linux/smp.h>
#include <linux/interrupt.h>
#include <linux/hrtimer.h>
#include <uapi/linux/ntvnic.h>
#include <net/xdp.h>
#include "compat.h"
#include "line.h"

#define NTVNIC_DRV_NAME		"ntvnic"
#define NTVNIC_DRV_VERSION	NETTUNE_VERSION	/* from VERSION, set by kmod/Kbuild */
#define NTVNIC_LINK_SPEED	10000	/* Mb/s reported to ethtool */

struct ntvnic_priv;

/* Written by the RX consumer: NAPI poll, or the IRQ handler in legacy mode. */
struct ntvnic_rx_stats {
	u64 packets;		/* taken from the ring, XDP verdicts included */
	u64 bytes;
	u64 polls;
	u64 budget_exhausted;
	u64 purged;		/* left in the ring when the queue was stopped */
	/* XDP could not see or hand on: too big for a page, no memory */
	u64 lost;
	/* XDP verdicts of the program on this queue (xdp.c) */
	u64 xdp_pass;
	u64 xdp_drop;
	u64 xdp_tx;		/* frames posted to TX queue N by XDP_TX */
	u64 xdp_redirect;
	u64 xdp_aborted;	/* XDP_ABORTED and invalid verdicts */
	u64 xdp_tx_errors;	/* XDP_TX or redirect frames not sent */
	/* Offloads of the receiving port (napi.c), per frame handed on */
	u64 csum_verified;	/* rx-checksum: the device found it good */
	u64 csum_bad;		/* rx-checksum: found bad, handed on unverified */
	u64 csum_none;		/* rx-checksum off: the stack verifies */
	u64 gro_merged;		/* GRO merged it into a held packet */
	u64 gso_split;		/* segments of TSO trains cut on receive */
	struct u64_stats_sync syncp;
};

/* Written by the NAPI's owner while a socket busy polls (busypoll.c). */
struct ntvnic_bp_stats {
	u64 polls;
	u64 packets;
	struct u64_stats_sync syncp;
};

/* Written by senders under the RX ring's producer lock. */
struct ntvnic_rxp_stats {
	u64 ring_full;
	struct u64_stats_sync syncp;
};

/* Written by the queue's IRQ handler (the IRQ core serialises it). */
struct ntvnic_irq_stats {
	u64 irqs;
	struct u64_stats_sync syncp;
};

/* Interrupt coalescing of one direction of a port (ethtool -C), RTNL. */
struct ntvnic_coal {
	u32 usecs;
	u32 frames;
};

/* ntuple/aRFS steering and adaptive moderation state (needs ntvnic_coal) */
#include "steer.h"

/*
 * One queue interrupt, an RX queue's or a TX queue's (irq.c). armed is the
 * device's own interrupt enable (the handler clears it, NAPI sets it
 * again); chip_masked is the irq_chip mask the IRQ core uses.
 */
struct ntvnic_qirq {
	unsigned int virq;		/* 0 when no IRQ is set up */
	unsigned long hwirq;
	int cpu;			/* effective affinity, updated by the chip */
	/* The CPU to start on when the IRQ is set up again (RTNL). */
	bool keep_cpu_valid;
	int keep_cpu;
	bool armed;
	bool chip_masked;
	void *dev_id;			/* the queue, for the handler and free_irq */
	/* Work waiting for the handler: unmask and rearm re-raise if any. */
	u32 (*pending)(struct ntvnic_qirq *irq);
	const struct ntvnic_coal *coal;	/* the port's, for this direction */
	/*
	 * Frames since the last delivery, for the frames threshold: a NIC
	 * counts arrivals since its last interrupt, not what the ring holds
	 * (with a threaded handler the ring is still full when the next
	 * frame comes).
	 */
	atomic_t events;
	struct hrtimer timer;		/* coalescing delay */
	unsigned long timer_started;	/* bit 0: timer started, not fired */
	/*
	 * Delivery: an IPI (csd) to the affinity CPU, or an irq_work
	 * self-IPI for the local one. Bit 0 of raising is set while a
	 * delivery is on its way; it serialises the users of csd.
	 */
	unsigned long raising;
	call_single_data_t csd;
	struct irq_work work;
	char name[IFNAMSIZ + 16];
	struct ntvnic_irq_stats stats;
};

/*
 * RX and TX ring entries are an skb, or -- bit 0 set -- an XDP buffer: a
 * page_pool page the wire copied a frame into (RX ring), an xdp_frame
 * (TX ring: XDP_TX, ndo_xdp_xmit).
 */
#define NTVNIC_PTR_XDP	0x1UL

static inline bool ntvnic_ptr_is_xdp(const void *ptr)
{
	return (unsigned long)ptr & NTVNIC_PTR_XDP;
}

static inline void *ntvnic_xdp_to_ptr(const void *xdp)
{
	return (void *)((unsigned long)xdp | NTVNIC_PTR_XDP);
}

static inline void *ntvnic_ptr_to_xdp(const void *ptr)
{
	return (void *)((unsigned long)ptr & ~NTVNIC_PTR_XDP);
}

struct ntvnic_rxq {
	struct ntvnic_priv *priv;
	unsigned int index;
	/* skbs, or pages the peer "DMA'd" a frame into (NTVNIC_PTR_XDP) */
	struct ptr_ring ring;
	bool ring_ready;
	/*
	 * NAPI mode only (xdp.c): the receive buffers. Pages are allocated
	 * by the wire under ring.producer_lock (one allocator at a time)
	 * and always returned without direct recycling.
	 */
	struct page_pool *page_pool;
	struct xdp_rxq_info xdp_rxq;
	struct napi_struct napi;
	bool napi_added;
	bool napi_enabled;
	struct ntvnic_qirq irq;		/* "<dev>-rx-<q>" */

	struct ntvnic_rx_stats rx;
	struct ntvnic_rxp_stats rxp;
	struct ntvnic_bp_stats bp;	/* busy polling (busypoll.c) */
	struct ntvnic_qdim dim;		/* RX moderation, dim.c */
} ____cacheline_aligned_in_smp;

/* Written under the TX queue lock: ndo_start_xmit, or a wake from NAPI. */
struct ntvnic_txx_stats {
	u64 kicks;		/* doorbells: one per xmit_more batch */
	u64 stops;		/* queue stopped because the TX ring was full */
	u64 wakes;		/* queue started again */
	u64 xdp_xmit;		/* frames posted by ndo_xdp_xmit */
	u64 xdp_xmit_errors;	/* frames ndo_xdp_xmit could not post */
	struct u64_stats_sync syncp;
};

/* Written by the TX completion NAPI poll (and by a purge, NAPI off). */
struct ntvnic_txc_stats {
	u64 packets;
	u64 bytes;
	u64 drops;
	u64 polls;
	/* Offloads the "hardware" did (wire.c) */
	u64 csum_offload;	/* wire frames whose L4 checksum it filled */
	u64 tso_packets;	/* TSO/GSO packets it took */
	u64 tso_segs;		/* the wire frames they made */
	u64 sg_packets;		/* packets gathered from page fragments */
	struct u64_stats_sync syncp;
};

/*
 * A TX queue: a descriptor ring with one producer, ndo_start_xmit under
 * the TX queue lock, and one consumer, the queue's TX completion NAPI
 * (wire.c). prod and cons run freely; prod - cons descriptors are in
 * flight. The producer publishes a slot with a release store of prod, the
 * consumer frees it with a release store of cons.
 */
struct ntvnic_txq {
	struct ntvnic_priv *priv;
	unsigned int index;
	void **ring;			/* NULL while the data path is down */
	u32 size;
	u32 prod;
	u32 kicked;			/* prod at the last doorbell */
	u32 cons ____cacheline_aligned_in_smp;
	struct napi_struct napi;
	bool napi_added;
	bool napi_enabled;
	struct ntvnic_qirq irq;		/* "<dev>-tx-<q>" */

	struct ntvnic_txx_stats xmit;
	struct ntvnic_txc_stats done;
	struct ntvnic_line_q line;	/* the wire's rate, delay, loss (line.c) */
	struct ntvnic_qdim dim;		/* TX moderation, dim.c */
} ____cacheline_aligned_in_smp;

struct ntvnic_rss {
	u8 key[NTVNIC_RSS_KEY_SIZE];
	u32 indir[NTVNIC_RSS_INDIR_SIZE];
	struct rcu_head rcu;	/* kfree_rcu wants it in the first 4 KiB */
	/*
	 * Toeplitz per input nibble, from key (ntvnic_rss_prepare()): byte
	 * i's high and low nibble v contribute nib[i][0][v] ^ nib[i][1][v].
	 */
	u32 nib[NTVNIC_RSS_KEY_SIZE - 4][2][16];
};

struct ntvnic_cfg {
	u32 queues;
	u32 rx_ring;
	u32 tx_ring;
	u32 mode;
	u32 napi_weight;
};

struct ntvnic_priv {
	struct net_device *dev;
	struct net_device __rcu *peer;
	struct ntvnic_rss __rcu *rss;
	struct ntvnic_cfg cfg;		/* RTNL */
	u32 max_queues;
	/* Senders may enqueue only while true (read under RCU). */
	bool rx_enabled;
	/* TX queues may be woken; read under the TX queue lock. */
	bool tx_open;
	/* Written under RTNL, read with READ_ONCE on the packet path. */
	struct ntvnic_coal rx_coal;
	struct ntvnic_coal tx_coal;
	bool datapath_up;		/* RTNL: rings, NAPI and IRQs exist */
	struct ntvnic_rxq *rxq;		/* max_queues entries */
	struct ntvnic_txq *txq;		/* max_queues entries */
	/* Native XDP program: set under RTNL, read per NAPI poll under RCU */
	struct bpf_prog __rcu *xdp_prog;
	struct ntvnic_line line;	/* this port's transmit direction */
	/* ntuple rules and aRFS filters of this (receiving) port */
	struct ntvnic_steer steer;
	/* ethtool -C adaptive-rx/-tx: RTNL writes, NAPI reads (dim.c) */
	bool adaptive_rx;
	bool adaptive_tx;
};

static inline struct ntvnic_priv *ntvnic_priv(const struct net_device *dev)
{
	return netdev_priv(dev);
}

/* netdev.c */
extern struct rtnl_link_ops ntvnic_link_ops;
bool ntvnic_is_ntvnic(const struct net_device *dev);
int ntvnic_create_pair(struct net *net, const char *name,
		       struct net *peer_net, const char *peer_name,
		       const struct ntvnic_cfg *cfg, struct net_device **devp,
		       struct netlink_ext_ack *extack);
int ntvnic_validate_cfg(const struct ntvnic_cfg *cfg, u32 max_queues,
			struct netlink_ext_ack *extack);
int ntvnic_validate_coal(const struct ntvnic_coal *rx,
			 const struct ntvnic_coal *tx,
			 struct netlink_ext_ack *extack);
void ntvnic_apply_coal(struct ntvnic_priv *priv, const struct ntvnic_coal *rx,
		       const struct ntvnic_coal *tx);
int ntvnic_reconfigure(struct net_device *dev, const struct ntvnic_cfg *cfg,
		       struct netlink_ext_ack *extack);
void ntvnic_default_cfg(struct ntvnic_cfg *cfg);

/* wire.c */
netdev_tx_t ntvnic_start_xmit(struct sk_buff *skb, struct net_device *dev);
int ntvnic_tx_poll(struct napi_struct *napi, int budget);
irqreturn_t ntvnic_tx_irq(int irq, void *data);
u32 ntvnic_tx_pending(struct ntvnic_qirq *irq);
u32 ntvnic_tx_ring_used(struct ntvnic_txq *t);
unsigned int ntvnic_tx_purge(struct ntvnic_txq *t);
bool ntvnic_wire_carry(struct ntvnic_priv *priv, struct sk_buff *skb);

/* line.c */
static inline bool ntvnic_line_rated(const struct ntvnic_priv *priv)
{
	return READ_ONCE(priv->line.cfg.rate) != 0;
}

void ntvnic_line_poll_begin(struct ntvnic_txq *t);
bool ntvnic_line_clock(struct ntvnic_txq *t, void *ptr);
bool ntvnic_line_wait(struct ntvnic_txq *t);
bool ntvnic_line_xmit(struct ntvnic_txq *t, struct sk_buff *skb);
void ntvnic_line_init(struct ntvnic_txq *t);
void ntvnic_line_quiesce(struct ntvnic_txq *t);
int ntvnic_line_validate(const struct ntvnic_line_cfg *cfg,
			 struct netlink_ext_ack *extack);
int ntvnic_line_from_attrs(struct nlattr **tb, const struct ntvnic_priv *cur,
			   struct ntvnic_line_cfg *cfg,
			   struct netlink_ext_ack *extack);
void ntvnic_line_apply(struct ntvnic_priv *priv,
		       const struct ntvnic_line_cfg *cfg);
u32 ntvnic_line_speed(const struct ntvnic_priv *priv);
int ntvnic_line_fill(struct sk_buff *skb, const struct ntvnic_priv *priv);
int ntvnic_line_fill_queue(struct sk_buff *skb, struct ntvnic_txq *t);
int ntvnic_line_sset_count(const struct ntvnic_priv *priv);
void ntvnic_line_get_strings(const struct ntvnic_priv *priv, u8 **buf);
void ntvnic_line_get_stats(struct ntvnic_priv *priv, u64 **data);

/* irq.c */
int ntvnic_irq_domain_init(void);
void ntvnic_irq_domain_exit(void);
int ntvnic_irq_setup(struct ntvnic_qirq *irq, struct net_device *dev,
		     const char *dir, unsigned int index,
		     irq_handler_t handler, void *dev_id);
void ntvnic_irq_notify(struct ntvnic_qirq *irq, unsigned int frames);
void ntvnic_irq_quiesce(struct ntvnic_qirq *irq);
void ntvnic_irq_teardown(struct ntvnic_qirq *irq);
void ntvnic_irq_raise(struct ntvnic_qirq *irq);
void ntvnic_irq_rearm(struct ntvnic_qirq *irq);

/* napi.c */
int ntvnic_napi_poll(struct napi_struct *napi, int budget);
irqreturn_t ntvnic_rx_irq(int irq, void *data);
u32 ntvnic_rx_pending(struct ntvnic_qirq *irq);
int ntvnic_rxq_enqueue(struct ntvnic_rxq *q, struct sk_buff *skb);
void ntvnic_rxq_notify(struct ntvnic_rxq *q);
u32 ntvnic_ring_used(struct ntvnic_rxq *q);

/* busypoll.c */
void ntvnic_busy_poll_count(struct ntvnic_rxq *q, int done);

/* NAPI poll end: count it if a busy-polling socket made it. */
static inline void ntvnic_busy_poll_note(struct ntvnic_rxq *q,
					 struct napi_struct *napi, int done)
{
	if (unlikely(test_bit(NAPI_STATE_IN_BUSY_POLL, &napi->state)))
		ntvnic_busy_poll_count(q, done);
}

int ntvnic_busy_poll_sset_count(const struct ntvnic_priv *priv);
void ntvnic_busy_poll_get_strings(const struct ntvnic_priv *priv, u8 **buf);
void ntvnic_busy_poll_get_stats(struct ntvnic_priv *priv, u64 **data);
int ntvnic_busy_poll_fill_queue(struct sk_buff *skb, struct ntvnic_rxq *q);

/* xdp.c */
#define NTVNIC_XDP_TX_BULK	16
/* The verdicts of one NAPI poll, counted and flushed at its end. */
struct ntvnic_xdp_poll {
	struct bpf_prog *prog;		/* NULL: no program */
	unsigned int pass, drop, tx, redirect, aborted, tx_errors, lost;
	unsigned int tx_n;
	struct xdp_frame *tx_frames[NTVNIC_XDP_TX_BULK];
};

int ntvnic_bpf(struct net_device *dev, struct netdev_bpf *bpf);
int ntvnic_xdp_xmit(struct net_device *dev, int n, struct xdp_frame **frames,
		    u32 flags);
bool ntvnic_xdp_mtu_ok(unsigned int mtu);
int ntvnic_xdp_rxq_init(struct ntvnic_rxq *q);
void ntvnic_xdp_rxq_exit(struct ntvnic_rxq *q);
void ntvnic_xdp_free_rx(struct ntvnic_rxq *q, void *ptr);
bool ntvnic_xdp_wire_wants(struct ntvnic_priv *ppriv, struct ntvnic_rxq *q,
			   const struct sk_buff *skb);
void ntvnic_xdp_wire_dma(struct ntvnic_rxq *q, struct sk_buff *skb);
void ntvnic_xdp_poll_begin(struct ntvnic_priv *priv,
			   struct ntvnic_xdp_poll *xp);
struct sk_buff *ntvnic_xdp_rx(struct ntvnic_rxq *q, struct ntvnic_xdp_poll *xp,
			      void *ptr, unsigned int *len);
void ntvnic_xdp_poll_end(struct ntvnic_rxq *q, struct ntvnic_xdp_poll *xp);
struct sk_buff *ntvnic_xdp_frame_to_skb(struct napi_struct *napi,
					struct xdp_frame *frame);
unsigned int ntvnic_tx_post_xdp(struct ntvnic_txq *t, struct xdp_frame **frames,
				unsigned int n, bool kick);

/* rss.c */
struct ntvnic_rss *ntvnic_rss_alloc_default(u32 queues);
void ntvnic_rss_reset_indir(struct ntvnic_priv *priv, u32 queues);
u32 ntvnic_toeplitz(const u8 *key, const u8 *data, unsigned int len);
void ntvnic_rss_prepare(struct ntvnic_rss *rss);
int ntvnic_rss_selftest(void);
unsigned int ntvnic_rss_steer(struct ntvnic_priv *priv, struct sk_buff *skb,
			      unsigned int nq);

/* ethtool.c */
extern const struct ethtool_ops ntvnic_ethtool_ops;

/* stats.c */
void ntvnic_get_stats64(struct net_device *dev,
			struct rtnl_link_stats64 *tot);
struct ntvnic_queue_stats {
	u64 rx_packets, rx_bytes, rx_drops, rx_ring_full, rx_irqs, rx_polls,
	    rx_budget_exhausted;
	u64 rx_xdp_pass, rx_xdp_drop, rx_xdp_tx, rx_xdp_redirect,
	    rx_xdp_aborted, rx_xdp_tx_errors;
	u64 rx_csum_verified, rx_csum_bad, rx_csum_none, rx_gro_merged,
	    rx_gso_split;
	u64 tx_packets, tx_bytes, tx_drops, tx_irqs, tx_polls, tx_kicks,
	    tx_stops, tx_wakes, tx_xdp_xmit, tx_xdp_xmit_errors;
	u64 tx_csum_offload, tx_tso_packets, tx_tso_segs, tx_sg_packets;
};

void ntvnic_queue_stats(struct ntvnic_priv *priv, unsigned int i,
			struct ntvnic_queue_stats *s);

/* ntuple.c */
struct flow_keys;
bool ntvnic_flow_addrs_from_keys(const struct flow_keys *keys,
				 struct ntvnic_flow *flow);
bool ntvnic_flow_from_keys(const struct flow_keys *keys,
			   struct ntvnic_flow *flow);
unsigned int ntvnic_steer_queue(struct ntvnic_priv *priv,
				const struct ntvnic_flow *f, u32 hash,
				unsigned int rss_q, unsigned int nq);
int ntvnic_ntuple_set_rxnfc(struct net_device *dev, struct ethtool_rxnfc *nfc);
int ntvnic_ntuple_get_rxnfc(struct net_device *dev, struct ethtool_rxnfc *nfc,
			    u32 *rule_locs);
void ntvnic_ntuple_free(struct ntvnic_priv *priv);
u32 ntvnic_flow_type(const struct ntvnic_flow *f);
int ntvnic_put_steer_entry(struct sk_buff *skb, u32 loc,
			   const struct ntvnic_flow *f,
			   const struct ntvnic_flow *m, u32 queue, u64 hits);
int ntvnic_steer_fill(struct sk_buff *skb, struct ntvnic_priv *priv);

/* arfs.c */
unsigned int ntvnic_arfs_queue(struct ntvnic_priv *priv,
			       const struct ntvnic_flow *f, u32 hash,
			       unsigned int rss_q, unsigned int nq);
int ntvnic_rx_flow_steer(struct net_device *dev, const struct sk_buff *skb,
			 u16 rxq_index, u32 flow_id);
void ntvnic_arfs_init(struct ntvnic_priv *priv);
int ntvnic_arfs_up(struct ntvnic_priv *priv);
void ntvnic_arfs_down(struct ntvnic_priv *priv);
int ntvnic_arfs_fill(struct sk_buff *skb, struct ntvnic_priv *priv);

/* dim.c */
void ntvnic_dim_rx(struct ntvnic_rxq *q);
void ntvnic_dim_tx(struct ntvnic_txq *t);
void ntvnic_dim_set(struct ntvnic_priv *priv, bool rx_on, bool tx_on);
void ntvnic_dim_apply_static(struct ntvnic_priv *priv);
void ntvnic_dim_init(struct ntvnic_priv *priv);
void ntvnic_dim_free(struct ntvnic_priv *priv);

/* netlink.c */
int ntvnic_genl_init(void);
void ntvnic_genl_exit(void);

#endif /* NTVNIC_PRIV_H */
