// SPDX-License-Identifier: GPL-2.0
/*
 * ntvnic busy polling: a socket with SO_BUSY_POLL (or net.core.busy_read,
 * busy_poll for poll/select/epoll) that is waiting for data polls the RX
 * queue's NAPI itself, from the reading process, instead of waiting for
 * the interrupt and the softirq.
 *
 * Each RX queue's NAPI has its own id (netif_napi_add_weight() hashes it
 * for busy polling); napi_gro_receive(), or skb_mark_napi_id() where the
 * skb skips GRO (napi.c), stamps it on every received skb, the socket
 * learns it from the skbs it receives (SO_INCOMING_NAPI_ID shows it), and
 * napi_busy_loop() finds the NAPI by it. While a process busy polls, the
 * NAPI is its own (NAPI_STATE_IN_BUSY_POLL): napi_complete_done() refuses,
 * so the queue interrupt stays masked until busy polling stops (the last
 * poll re-arms it), as on a NIC.
 *
 * Counted per RX queue: polls made by busy polling, and the packets they
 * took from the ring. The writer is whoever owns the NAPI (one at a
 * time), so the counters have one writer, with their own u64_stats_sync.
 */
#include <linux/netdevice.h>
#include <linux/ethtool.h>
#include <net/genetlink.h>
#include "ntvnic.h"

void ntvnic_busy_poll_count(struct ntvnic_rxq *q, int done)
{
	u64_stats_update_begin(&q->bp.syncp);
	q->bp.polls++;
	q->bp.packets += done;
	u64_stats_update_end(&q->bp.syncp);
}

static void ntvnic_busy_poll_read(struct ntvnic_rxq *q, u64 *polls,
				  u64 *packets)
{
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&q->bp.syncp);
		*polls = q->bp.polls;
		*packets = q->bp.packets;
	} while (u64_stats_fetch_retry(&q->bp.syncp, start));
}

static const char ntvnic_bp_stat_names[][ETH_GSTRING_LEN] = {
	"busy_polls", "busy_poll_packets",
};

#define NTVNIC_BP_STATS	ARRAY_SIZE(ntvnic_bp_stat_names)

/* ethtool -S: rx_queue_N_busy_poll* after the wire's counters. */
int ntvnic_busy_poll_sset_count(const struct ntvnic_priv *priv)
{
	return priv->cfg.queues * NTVNIC_BP_STATS;
}

void ntvnic_busy_poll_get_strings(const struct ntvnic_priv *priv, u8 **buf)
{
	unsigned int q, i;

	for (q = 0; q < priv->cfg.queues; q++)
		for (i = 0; i < NTVNIC_BP_STATS; i++)
			ethtool_sprintf(buf, "rx_queue_%u_%s", q,
					ntvnic_bp_stat_names[i]);
}

void ntvnic_busy_poll_get_stats(struct ntvnic_priv *priv, u64 **data)
{
	unsigned int q;

	for (q = 0; q < priv->cfg.queues; q++) {
		ntvnic_busy_poll_read(&priv->rxq[q], *data, *data + 1);
		*data += NTVNIC_BP_STATS;
	}
}

int ntvnic_busy_poll_fill_queue(struct sk_buff *skb, struct ntvnic_rxq *q)
{
	u64 polls, packets;

	ntvnic_busy_poll_read(q, &polls, &packets);
	if (nla_put_u64_64bit(skb, NTVNIC_QA_RX_BUSY_POLLS, polls,
			      NTVNIC_QA_PAD) ||
	    nla_put_u64_64bit(skb, NTVNIC_QA_RX_BUSY_POLL_PACKETS, packets,
			      NTVNIC_QA_PAD))
		return -EMSGSIZE;
	return 0;
}
