/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ntvnic receive steering beyond RSS (ntuple.c, arfs.c) and adaptive
 * interrupt moderation (dim.c): the per-port and per-queue state, included
 * by ntvnic.h.
 *
 * Queue choice for a packet arriving on a port, first match wins:
 *   1. an ethtool ntuple rule (ethtool -N ... action Q), lowest location
 *      first;
 *   2. an accelerated RFS filter (ndo_rx_flow_steer) for its exact flow;
 *   3. RSS (rss.c).
 * 1 and 2 apply only while NETIF_F_NTUPLE is on (ethtool -K ntuple).
 */
#ifndef NTVNIC_STEER_H
#define NTVNIC_STEER_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/atomic.h>
#include <linux/dim.h>
#include <linux/ethtool.h>

/* Rule locations 0..NTVNIC_NTUPLE_MAX - 1 (ethtool loc N). */
#define NTVNIC_NTUPLE_MAX	128
/* Accelerated RFS filters per port; filter ids 0..NTVNIC_ARFS_MAX - 1. */
#define NTVNIC_ARFS_MAX		256
#define NTVNIC_ARFS_BUCKETS	64

/* A TCP or UDP flow as the steering sees it (network byte order). */
struct ntvnic_flow {
	__be32 src[4];		/* IPv4: src[0] only */
	__be32 dst[4];
	__be16 sport;
	__be16 dport;
	u8 ip_proto;		/* IPPROTO_TCP, IPPROTO_UDP */
	u8 family;		/* AF_INET, AF_INET6 */
};

/* One ethtool ntuple rule. Immutable once published, except hits. */
struct ntvnic_ntuple_rule {
	struct ethtool_rx_flow_spec fs;	/* as inserted, for ethtool -n */
	struct ntvnic_flow val;		/* pre-masked */
	struct ntvnic_flow mask;
	u32 queue;
	atomic64_t hits;		/* packets steered by this rule */
	struct rcu_head rcu;
};

/* The rules sorted by location; replaced whole under RTNL, read under RCU. */
struct ntvnic_ntuple_table {
	unsigned int n;
	struct rcu_head rcu;
	struct ntvnic_ntuple_rule *rules[];
};

/* One accelerated RFS filter: this exact flow goes to queue. */
struct ntvnic_arfs_filter {
	struct hlist_node node;		/* arfs_hash[hash % buckets], RCU */
	struct ntvnic_flow flow;
	u32 hash;			/* the flow's RSS hash */
	u32 flow_id;			/* RFS flow table index */
	u16 id;				/* filter id given to RFS */
	u16 queue;			/* WRITE_ONCE under arfs_lock */
	atomic64_t hits;
	struct rcu_head rcu;
};

struct ntvnic_steer {
	struct ntvnic_ntuple_table __rcu *rules;	/* RTNL */
	/*
	 * aRFS: ndo_rx_flow_steer (softirq, any CPU) and the expiry work
	 * change filters under arfs_lock (BHs off); the wire reads
	 * arfs_hash under RCU. arfs_open is true while the port's RX path
	 * runs (RTNL sets it, under the lock).
	 */
	spinlock_t arfs_lock;
	bool arfs_open;
	unsigned int arfs_count;
	struct hlist_head arfs_hash[NTVNIC_ARFS_BUCKETS];
	struct ntvnic_arfs_filter *arfs_id[NTVNIC_ARFS_MAX];
	struct delayed_work arfs_work;
	atomic64_t arfs_steers;		/* ndo_rx_flow_steer calls that took */
	atomic64_t arfs_expired;	/* filters removed by expiry */
	atomic64_t arfs_full;		/* steer requests refused: table full */
};

/*
 * Adaptive moderation of one queue direction (dim.c). coal is what the
 * queue's interrupt uses (irq->coal points here): the port's static
 * setting, or DIM's choice while adaptive is on.
 */
struct ntvnic_qdim {
	struct ntvnic_coal coal;
	struct dim dim;			/* owned by the queue's NAPI */
	bool on;			/* NAPI's view of the port's flag */
	u64 packets, bytes;		/* NAPI's running totals for DIM */
	atomic64_t changes;		/* moderation changes DIM made */
};

#endif /* NTVNIC_STEER_H */
