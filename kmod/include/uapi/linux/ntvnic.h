/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ntvnic: a virtual multi-queue NIC pair with real IRQs, NAPI and RSS.
 *
 * Generic netlink family "ntvnic" (NTVNIC_GENL_NAME), version
 * NTVNIC_GENL_VERSION. Every command carries attributes from enum
 * ntvnic_attr at the top level. Requests that change state (NEW, DEL, SET)
 * need CAP_NET_ADMIN in the user namespace owning the caller's network
 * namespace (GENL_UNS_ADMIN_PERM); GET is open to everybody.
 *
 * A device is named by NTVNIC_A_IFINDEX or NTVNIC_A_IFNAME, looked up in the
 * caller's network namespace. Refusals carry an extack message
 * (NLMSGERR_ATTR_MSG) naming what was wrong.
 *
 * Only plain __u32/__s32/__u64 types: usable from C and C++ alike. Changes
 * to this file are additive only (new values go before the __MAX entries).
 */
#ifndef _UAPI_LINUX_NTVNIC_H
#define _UAPI_LINUX_NTVNIC_H

#include <linux/types.h>

#define NTVNIC_GENL_NAME	"ntvnic"
#define NTVNIC_GENL_VERSION	1

/* rtnl_link_ops kind: `ip -d link` shows "ntvnic", `ip link del` works. */
#define NTVNIC_LINK_KIND	"ntvnic"

/* Limits (also enforced by the kernel, with an extack message). */
#define NTVNIC_MIN_QUEUES	1
#define NTVNIC_MAX_QUEUES	64
#define NTVNIC_DEF_QUEUES	1
/* Ring sizes are a power of two in [NTVNIC_MIN_RING, NTVNIC_MAX_RING]. */
#define NTVNIC_MIN_RING		8
#define NTVNIC_MAX_RING		4096
#define NTVNIC_DEF_RING		256
/* NAPI weight: packets one poll may take, 1..NTVNIC_MAX_NAPI_WEIGHT. */
#define NTVNIC_MAX_NAPI_WEIGHT	256
#define NTVNIC_DEF_NAPI_WEIGHT	64
/*
 * Interrupt coalescing (ethtool -C rx-usecs/rx-frames/tx-usecs/tx-frames):
 * an interrupt waits at most usecs after the first event, or fires once
 * frames events are pending; usecs 0 interrupts at once.
 */
#define NTVNIC_MAX_COAL_USECS	100000
#define NTVNIC_MAX_COAL_FRAMES	4096
/*
 * The wire of one direction (NTVNIC_A_WIRE_*): line rate in bit/s (0:
 * unlimited, else NTVNIC_MIN_WIRE_RATE..NTVNIC_MAX_WIRE_RATE), propagation
 * delay in microseconds, random loss in frames per million.
 */
#define NTVNIC_MIN_WIRE_RATE	100000ULL
#define NTVNIC_MAX_WIRE_RATE	100000000000ULL
#define NTVNIC_MAX_WIRE_DELAY	1000000
#define NTVNIC_MAX_WIRE_LOSS	1000000
/* RSS: Toeplitz key and indirection table sizes (ethtool -x). */
#define NTVNIC_RSS_KEY_SIZE	40
#define NTVNIC_RSS_INDIR_SIZE	128

enum ntvnic_cmd {
	NTVNIC_CMD_UNSPEC,
	/*
	 * Create a pair. Needs NTVNIC_A_IFNAME; optional: NTVNIC_A_PEER_IFNAME
	 * (default: kernel-chosen "ntvnic%d"), NTVNIC_A_NETNS_FD,
	 * NTVNIC_A_PEER_NETNS_FD, NTVNIC_A_QUEUES, NTVNIC_A_RX_RING,
	 * NTVNIC_A_TX_RING, NTVNIC_A_MODE, NTVNIC_A_NAPI_WEIGHT. Queue and
	 * ring settings apply to both ports. Replies with the new device, as
	 * GET does (the first port, seen from its own namespace).
	 */
	NTVNIC_CMD_NEW,
	/* Delete the pair that a device belongs to (IFINDEX or IFNAME). */
	NTVNIC_CMD_DEL,
	/*
	 * doit: one device (IFINDEX or IFNAME); dumpit: every ntvnic device
	 * in the caller's namespace. Reply: the attributes marked "reported";
	 * dump messages leave out the NTVNIC_A_QUEUE nests (64 of them do not
	 * fit a dump buffer): GET one device for its queues.
	 */
	NTVNIC_CMD_GET,
	/*
	 * Change one port (IFINDEX or IFNAME): NTVNIC_A_QUEUES,
	 * NTVNIC_A_RX_RING, NTVNIC_A_TX_RING, NTVNIC_A_MODE,
	 * NTVNIC_A_NAPI_WEIGHT (same as ethtool -L / -G where those exist).
	 */
	NTVNIC_CMD_SET,
	/*
	 * doit, open: one device's receive steering (IFINDEX or IFNAME):
	 * NTVNIC_A_NTUPLE_ON, its ethtool ntuple rules (NTVNIC_A_NTUPLE_RULE)
	 * and accelerated RFS filters (NTVNIC_A_ARFS_FILTER) with their hit
	 * counters, and NTVNIC_A_ARFS_*.
	 */
	NTVNIC_CMD_STEER_GET,

	__NTVNIC_CMD_MAX,
	NTVNIC_CMD_MAX = __NTVNIC_CMD_MAX - 1
};

/* Receive mode of a port (NTVNIC_A_MODE). */
enum ntvnic_mode {
	/* IRQ masks itself, NAPI polls the RX ring with a budget, GRO. */
	NTVNIC_MODE_NAPI,
	/* No NAPI: one interrupt, netif_rx() for every packet (livelock demo). */
	NTVNIC_MODE_LEGACY,

	__NTVNIC_MODE_MAX,
	NTVNIC_MODE_MAX = __NTVNIC_MODE_MAX - 1
};

enum ntvnic_attr {
	NTVNIC_A_UNSPEC,
	NTVNIC_A_IFINDEX,	/* u32: device (request, reported) */
	NTVNIC_A_IFNAME,	/* string: device name (request, reported) */
	NTVNIC_A_PEER_IFNAME,	/* string: peer name (NEW; reported) */
	/*
	 * s32: file descriptor of a network namespace (like IFLA_NET_NS_FD;
	 * open /run/netns/NAME) for the device / its peer. NEW only. Creating
	 * a device in a namespace needs CAP_NET_ADMIN there too.
	 */
	NTVNIC_A_NETNS_FD,
	NTVNIC_A_PEER_NETNS_FD,
	/* u32: combined RX/TX queue count, 1..64 (NEW, SET; reported) */
	NTVNIC_A_QUEUES,
	/* u32: ring sizes in packets, power of two 8..4096 (NEW, SET; reported) */
	NTVNIC_A_RX_RING,
	NTVNIC_A_TX_RING,
	NTVNIC_A_MODE,		/* u32: enum ntvnic_mode (NEW, SET; reported) */
	NTVNIC_A_NAPI_WEIGHT,	/* u32: 1..256 (NEW, SET; reported) */
	/* u32: peer ifindex, valid in the peer's namespace (reported) */
	NTVNIC_A_PEER_IFINDEX,
	/*
	 * s32: netnsid of the peer's namespace as seen from the caller's, as
	 * IFLA_LINK_NETNSID (reported only when the peer is elsewhere).
	 */
	NTVNIC_A_PEER_NETNSID,
	NTVNIC_A_LINK_SPEED,	/* u32: Mb/s reported by ethtool (reported) */
	NTVNIC_A_MTU,		/* u32 (reported) */
	NTVNIC_A_OPERSTATE,	/* u8: IF_OPER_* (reported) */
	/* binary: NTVNIC_RSS_KEY_SIZE bytes Toeplitz key (reported) */
	NTVNIC_A_RSS_KEY,
	/* binary: NTVNIC_RSS_INDIR_SIZE x __u32 queue numbers (reported) */
	NTVNIC_A_RSS_INDIR,
	/* nested, repeated once per active queue: enum ntvnic_queue_attr */
	NTVNIC_A_QUEUE,
	/*
	 * u32: interrupt coalescing of both ports (NEW) or one port (SET),
	 * as ethtool -c/-C (NTVNIC_MAX_COAL_*; reported)
	 */
	NTVNIC_A_RX_USECS,
	NTVNIC_A_RX_FRAMES,
	NTVNIC_A_TX_USECS,
	NTVNIC_A_TX_FRAMES,
	/* u32: id of the native XDP program (reported while one is loaded) */
	NTVNIC_A_XDP_PROG_ID,
	/*
	 * The wire of the port's transmit direction (NEW: both ports; SET:
	 * one; reported). Changes apply at once. u64: line rate in bit/s, 0
	 * for unlimited; frames complete at their serialisation time at
	 * this rate (Ethernet preamble, FCS and gap counted: 24 bytes a
	 * frame, at least 84). ethtool reports it as the link speed.
	 */
	NTVNIC_A_WIRE_RATE,
	NTVNIC_A_WIRE_DELAY,	/* u32: propagation delay, microseconds */
	NTVNIC_A_WIRE_LOSS,	/* u32: random loss, frames per million */
	NTVNIC_A_PAD,
	/* u8: ethtool -C adaptive-rx / adaptive-tx (lib/dim) on (reported) */
	NTVNIC_A_ADAPTIVE_RX,
	NTVNIC_A_ADAPTIVE_TX,
	/* u8: NETIF_F_NTUPLE on: rules and aRFS filters steer (STEER_GET) */
	NTVNIC_A_NTUPLE_ON,
	/*
	 * nested list (STEER_GET): the ntuple rules by location / the aRFS
	 * filters, each an NTVNIC_STEER_ENTRY nest of enum ntvnic_steer_attr
	 */
	NTVNIC_A_NTUPLE_RULES,
	NTVNIC_A_ARFS_FILTERS,
	/* u64: ndo_rx_flow_steer requests installed or moved (STEER_GET) */
	NTVNIC_A_ARFS_STEERS,
	/* u64: filters removed because RFS let them expire (STEER_GET) */
	NTVNIC_A_ARFS_EXPIRED,
	/* u64: steer requests refused, filter table full (STEER_GET) */
	NTVNIC_A_ARFS_FULL,

	__NTVNIC_A_MAX,
	NTVNIC_A_MAX = __NTVNIC_A_MAX - 1
};

/*
 * One queue of a port (inside NTVNIC_A_QUEUE): RX queue N and TX queue N.
 * IRQ numbers and CPUs are present only while the device is up (IRQs are
 * requested in ndo_open).
 * Counters are the same as ethtool -S rx_queue_N_* / tx_queue_N_*.
 */
enum ntvnic_queue_attr {
	NTVNIC_QA_UNSPEC,
	NTVNIC_QA_INDEX,	/* u32 */
	NTVNIC_QA_RX_IRQ,	/* u32: Linux IRQ number (/proc/irq/N) */
	NTVNIC_QA_IRQ_CPU,	/* u32: CPU the IRQ is delivered on (effective) */
	NTVNIC_QA_NAPI_ID,	/* u32: napi_id (SO_INCOMING_NAPI_ID) */
	NTVNIC_QA_RING_USED,	/* u32: packets waiting in the RX ring now */
	NTVNIC_QA_PAD,
	/* u64: frames taken from the RX ring (XDP verdicts included) */
	NTVNIC_QA_RX_PACKETS,
	NTVNIC_QA_RX_BYTES,	/* u64 */
	NTVNIC_QA_RX_DROPS,	/* u64: every drop on this RX queue */
	NTVNIC_QA_RX_RING_FULL,	/* u64: drops because the RX ring was full */
	NTVNIC_QA_RX_IRQS,	/* u64: interrupts handled */
	NTVNIC_QA_RX_POLLS,	/* u64: NAPI polls */
	NTVNIC_QA_RX_BUDGET_EXHAUSTED, /* u64: polls that used the whole budget */
	/* u64: packets the wire carried, counted at TX completion */
	NTVNIC_QA_TX_PACKETS,
	NTVNIC_QA_TX_BYTES,	/* u64 */
	/*
	 * u64: transmitted packets the wire could not carry (peer down or
	 * gone, too big for it) or left in the TX ring when the port stopped
	 */
	NTVNIC_QA_TX_DROPS,
	NTVNIC_QA_TX_IRQ,	/* u32: Linux IRQ number of "<dev>-tx-<q>" */
	NTVNIC_QA_TX_IRQ_CPU,	/* u32: CPU the TX IRQ is delivered on */
	NTVNIC_QA_TX_RING_USED,	/* u32: descriptors not completed yet */
	NTVNIC_QA_TX_IRQS,	/* u64: TX completion interrupts handled */
	NTVNIC_QA_TX_POLLS,	/* u64: TX completion NAPI polls */
	/* u64: doorbell writes (xmit_more batches share one) */
	NTVNIC_QA_TX_KICKS,
	NTVNIC_QA_TX_STOPS,	/* u64: queue stopped, TX ring full */
	NTVNIC_QA_TX_WAKES,	/* u64: queue woken by completions */
	/* u64: native XDP verdicts of the program on RX queue N */
	NTVNIC_QA_RX_XDP_PASS,
	NTVNIC_QA_RX_XDP_DROP,
	NTVNIC_QA_RX_XDP_TX,	/* frames XDP_TX posted to TX queue N */
	NTVNIC_QA_RX_XDP_REDIRECT, /* redirects xdp_do_redirect() took */
	NTVNIC_QA_RX_XDP_ABORTED, /* XDP_ABORTED and unknown verdicts */
	/* u64: XDP_TX frames the TX ring had no room for, failed redirects */
	NTVNIC_QA_RX_XDP_TX_ERRORS,
	/* u64: frames ndo_xdp_xmit (devmap/cpumap redirects) posted to TX queue N */
	NTVNIC_QA_TX_XDP_XMIT,
	NTVNIC_QA_TX_XDP_XMIT_ERRORS, /* u64: ... that it had no room for */
	/* u64: the wire (NTVNIC_A_WIRE_*) of TX queue N */
	NTVNIC_QA_TX_WIRE_LOST,	/* frames lost on the wire (loss rate) */
	NTVNIC_QA_TX_WIRE_WAITS, /* TX NAPI waited for the serialisation clock */
	NTVNIC_QA_TX_WIRE_DELAYED, /* frames carried through the delay */
	/* frames dropped: in-flight queue full, or the peer down on arrival */
	NTVNIC_QA_TX_WIRE_DROPPED,
	NTVNIC_QA_TX_RING_FULL_US, /* time stopped by a full TX ring (rate set) */
	NTVNIC_QA_TX_BQL_LIMITED_US, /* time stopped by BQL (rate set) */
	/* u64: NAPI polls of RX queue N made by busy polling sockets */
	NTVNIC_QA_RX_BUSY_POLLS,
	NTVNIC_QA_RX_BUSY_POLL_PACKETS, /* u64: packets those polls took */
	/*
	 * u32: the interrupt moderation this queue uses now: the static
	 * ethtool -C values, or what DIM chose while adaptive is on
	 */
	NTVNIC_QA_RX_COAL_USECS,
	NTVNIC_QA_RX_COAL_FRAMES,
	NTVNIC_QA_TX_COAL_USECS,
	NTVNIC_QA_TX_COAL_FRAMES,
	/* u64: moderation changes DIM made on this RX / TX queue */
	NTVNIC_QA_RX_DIM_CHANGES,
	NTVNIC_QA_TX_DIM_CHANGES,
	/*
	 * u64: offloads (ethtool -k/-K) on RX queue N: frames whose L4
	 * checksum the port found good (rx-checksum on), found bad (handed on
	 * unverified: the stack drops them), handed on unverified (rx-checksum
	 * off, or a frame the port does not check); frames GRO merged into
	 * another; frames cut out of TSO/GSO packets on receive (GRO or
	 * rx-checksum off)
	 */
	NTVNIC_QA_RX_CSUM_VERIFIED,
	NTVNIC_QA_RX_CSUM_BAD,
	NTVNIC_QA_RX_CSUM_NONE,
	NTVNIC_QA_RX_GRO_MERGED,
	NTVNIC_QA_RX_GSO_SPLIT,
	/*
	 * u64: offloads on TX queue N: wire frames whose L4 checksum the port
	 * filled (tx-checksum), TSO/GSO packets it took and the wire frames
	 * they made (tcp-segmentation-offload), packets gathered from page
	 * fragments (scatter-gather)
	 */
	NTVNIC_QA_TX_CSUM_OFFLOAD,
	NTVNIC_QA_TX_TSO_PACKETS,
	NTVNIC_QA_TX_TSO_SEGS,
	NTVNIC_QA_TX_SG_PACKETS,

	__NTVNIC_QA_MAX,
	NTVNIC_QA_MAX = __NTVNIC_QA_MAX - 1
};

/*
 * One receive steering entry (in NTVNIC_A_NTUPLE_RULES,
 * NTVNIC_A_ARFS_FILTERS). An aRFS filter is an exact flow: no masks.
 */
#define NTVNIC_STEER_ENTRY	1
enum ntvnic_steer_attr {
	NTVNIC_SA_UNSPEC,
	NTVNIC_SA_PAD,
	NTVNIC_SA_LOC,		/* u32: rule location, or aRFS filter id */
	/* u32: ethtool flow type: TCP_V4_FLOW, UDP_V4_FLOW, TCP_V6_FLOW, UDP_V6_FLOW */
	NTVNIC_SA_FLOW_TYPE,
	NTVNIC_SA_SRC,		/* binary: 4 or 16 bytes, network order */
	NTVNIC_SA_SRC_MASK,
	NTVNIC_SA_DST,
	NTVNIC_SA_DST_MASK,
	NTVNIC_SA_SPORT,	/* u32: port, host order */
	NTVNIC_SA_SPORT_MASK,
	NTVNIC_SA_DPORT,
	NTVNIC_SA_DPORT_MASK,
	NTVNIC_SA_QUEUE,	/* u32: RX queue the entry steers to */
	NTVNIC_SA_HITS,		/* u64: packets it steered */

	__NTVNIC_SA_MAX,
	NTVNIC_SA_MAX = __NTVNIC_SA_MAX - 1
};

#endif /* _UAPI_LINUX_NTVNIC_H */
