/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ntbypass: take chosen flows out of connection tracking.
 *
 * Generic netlink family "ntbypass". Rules live in a network namespace; the
 * family is netns-aware, so a request acts on the requester's namespace.
 * Changes (ADD, DEL, REPLACE, FLUSH) need CAP_NET_ADMIN in the user
 * namespace owning that network namespace; GET and STATUS are open.
 *
 * A rule is a conjunction of optional criteria; an absent attribute means
 * "any". A packet matching a rule is marked untracked exactly as
 * "iptables -t raw -j NOTRACK" does. If several rules match, the one with
 * the lowest id (the oldest) counts the packet.
 *
 * Rule attributes (ADD, DEL by spec, each NTBYPASS_A_RULE of REPLACE, and
 * each GET reply):
 *
 *   NTBYPASS_A_FAMILY     u8   AF_INET (2) or AF_INET6 (10); absent = both.
 *                              Required when a prefix is given.
 *   NTBYPASS_A_PROTO      u8   L4 protocol (IPPROTO_*); absent = any.
 *                              Ports need tcp, udp, udplite, sctp or dccp.
 *   NTBYPASS_A_SPORT_MIN  u16  source port range, 1..65535, min <= max;
 *   NTBYPASS_A_SPORT_MAX  u16  MAX absent = MIN (a single port); MAX alone
 *                              is refused.
 *   NTBYPASS_A_DPORT_MIN  u16  destination port range, same rules.
 *   NTBYPASS_A_DPORT_MAX  u16
 *   NTBYPASS_A_SRC_ADDR   binary  source prefix address, network byte
 *                              order: 4 bytes (in_addr) for AF_INET, 16
 *                              (in6_addr) for AF_INET6. Host bits beyond the
 *                              prefix length are cleared by the kernel.
 *   NTBYPASS_A_SRC_PLEN   u8   source prefix length, 0..32 / 0..128;
 *                              absent with an address = full length.
 *   NTBYPASS_A_DST_ADDR   binary  destination prefix address, as SRC.
 *   NTBYPASS_A_DST_PLEN   u8   destination prefix length.
 *   NTBYPASS_A_IIF        u32  input interface index (matches at
 *                              PRE_ROUTING only).
 *   NTBYPASS_A_IIFNAME    string input interface name, resolved to its
 *                              index in the namespace when the rule is
 *                              added (unknown name = refused). If both are
 *                              given they must name the same device. A
 *                              rule naming a device is dropped when the
 *                              device is unregistered (see STATUS).
 *   NTBYPASS_A_OIF        u32  output interface index (matches at
 *                              LOCAL_OUT only).
 *   NTBYPASS_A_OIFNAME    string output interface name, as IIFNAME.
 *   NTBYPASS_A_FLAGS      u32  NTBYPASS_F_* below.
 *
 * Kernel-filled in replies only (ignored/refused in requests):
 *
 *   NTBYPASS_A_RULE_ID         u32  rule id, assigned by the kernel (1..),
 *                                   never reused in a namespace. In DEL and
 *                                   GET requests it selects the rule.
 *   NTBYPASS_A_PACKETS         u64  packets matched in the rule's own
 *                                   direction
 *   NTBYPASS_A_BYTES           u64  their bytes (IP header + payload, as
 *                                   seen at the hook)
 *   NTBYPASS_A_MIRROR_PACKETS  u64  packets matched by the reply-direction
 *                                   mirror (NTBYPASS_F_BOTH); 0 otherwise
 *   NTBYPASS_A_MIRROR_BYTES    u64  their bytes
 *
 * Counters are per-CPU in the kernel and summed on dump. They survive ADD
 * and DEL of other rules, and REPLACE for every rule whose specification is
 * identical to a rule already present (that rule keeps its id and
 * counters); other rules of a REPLACE start at zero with new ids.
 */
#ifndef _UAPI_LINUX_NTBYPASS_H
#define _UAPI_LINUX_NTBYPASS_H

#define NTBYPASS_GENL_NAME	"ntbypass"
#define NTBYPASS_GENL_VERSION	1

/* Most rules one namespace can hold (ADD and REPLACE refuse more). */
#define NTBYPASS_MAX_RULES	65536

/* NTBYPASS_A_FLAGS bits */
enum {
	/*
	 * Also match the reply direction: the mirror swaps source and
	 * destination (addresses and ports). Interface criteria stay with the
	 * original direction only: a forwarded reply arrives on another
	 * device, which PRE_ROUTING cannot relate to the rule's iif/oif.
	 * The classic case "dport 80 both" = "--dport 80" in PREROUTING plus
	 * "--sport 80" in OUTPUT.
	 */
	NTBYPASS_F_BOTH = 1U << 0,
};

#define NTBYPASS_F_ALL	NTBYPASS_F_BOTH

enum ntbypass_cmd {
	NTBYPASS_CMD_UNSPEC,
	/*
	 * Add one rule (rule attributes at top level). Reply: one
	 * NTBYPASS_CMD_ADD message carrying the new rule (with its
	 * NTBYPASS_A_RULE_ID), as GET would show it. Refused with EEXIST if an
	 * identical rule exists, ENOSPC past NTBYPASS_MAX_RULES.
	 */
	NTBYPASS_CMD_ADD,
	/*
	 * Delete one rule: by NTBYPASS_A_RULE_ID, or (without it) by a full
	 * specification that must equal an existing rule's. ENOENT if none.
	 */
	NTBYPASS_CMD_DEL,
	/*
	 * Replace the whole rule set atomically: NTBYPASS_A_RULES holds one
	 * NTBYPASS_A_RULE nest per rule (rule attributes inside). The new set
	 * is validated in full first; any error refuses all of it and leaves
	 * the old set in place (extack points at the offending attribute).
	 * An empty NTBYPASS_A_RULES is a flush.
	 *
	 * A nest's length is 16 bits, so NTBYPASS_A_RULES holds < 64 KiB
	 * (about 3000 rules). For bigger sets, leave NTBYPASS_A_RULES out and
	 * put the NTBYPASS_A_RULE nests at top level, repeated, one per rule
	 * (the message itself may be large: raise SO_SNDBUF). Not both.
	 */
	NTBYPASS_CMD_REPLACE,
	/* Delete every rule of the namespace; hooks are unregistered. */
	NTBYPASS_CMD_FLUSH,
	/*
	 * Dump (NLM_F_DUMP): one NTBYPASS_CMD_GET message per rule, in id
	 * order, rule attributes + id + counters. Without NLM_F_DUMP and
	 * with NTBYPASS_A_RULE_ID: that one rule.
	 */
	NTBYPASS_CMD_GET,
	/*
	 * Namespace summary: NTBYPASS_A_RULE_COUNT, NTBYPASS_A_HOOKED,
	 * NTBYPASS_A_PACKETS/_BYTES = all traffic bypassed in this namespace
	 * since the module loaded (including by rules since deleted; mirror
	 * matches included), NTBYPASS_A_DEV_GONE_RULES = rules dropped since
	 * the module loaded because a device they name (iif/oif) was
	 * unregistered from the namespace (deleted or moved out): a rule
	 * holds an ifindex, which a later device may get, so the kernel
	 * removes it with its device (logged: "ntbypass: rule N dropped").
	 */
	NTBYPASS_CMD_STATUS,

	__NTBYPASS_CMD_MAX,
	NTBYPASS_CMD_MAX = __NTBYPASS_CMD_MAX - 1
};

enum ntbypass_attr {
	NTBYPASS_A_UNSPEC,
	NTBYPASS_A_RULE_ID,		/* u32, see above */
	NTBYPASS_A_FAMILY,		/* u8 */
	NTBYPASS_A_PROTO,		/* u8 */
	NTBYPASS_A_SPORT_MIN,		/* u16 */
	NTBYPASS_A_SPORT_MAX,		/* u16 */
	NTBYPASS_A_DPORT_MIN,		/* u16 */
	NTBYPASS_A_DPORT_MAX,		/* u16 */
	NTBYPASS_A_SRC_ADDR,		/* binary, 4 or 16 bytes */
	NTBYPASS_A_SRC_PLEN,		/* u8 */
	NTBYPASS_A_DST_ADDR,		/* binary, 4 or 16 bytes */
	NTBYPASS_A_DST_PLEN,		/* u8 */
	NTBYPASS_A_IIF,			/* u32 ifindex */
	NTBYPASS_A_IIFNAME,		/* string, < IFNAMSIZ */
	NTBYPASS_A_OIF,			/* u32 ifindex */
	NTBYPASS_A_OIFNAME,		/* string, < IFNAMSIZ */
	NTBYPASS_A_FLAGS,		/* u32, NTBYPASS_F_* */
	NTBYPASS_A_PACKETS,		/* u64, reply only */
	NTBYPASS_A_BYTES,		/* u64, reply only */
	NTBYPASS_A_MIRROR_PACKETS,	/* u64, reply only */
	NTBYPASS_A_MIRROR_BYTES,	/* u64, reply only */
	NTBYPASS_A_PAD,			/* padding for u64 attributes */
	NTBYPASS_A_RULES,		/* nest: NTBYPASS_A_RULE, ... (REPLACE) */
	NTBYPASS_A_RULE,		/* nest: one rule's attributes */
	NTBYPASS_A_RULE_COUNT,		/* u32, STATUS reply: rules in netns */
	NTBYPASS_A_HOOKED,		/* u8, STATUS reply: 1 = hooks registered */
	NTBYPASS_A_DEV_GONE_RULES,	/* u32, STATUS reply: see below */

	__NTBYPASS_A_MAX,
	NTBYPASS_A_MAX = __NTBYPASS_A_MAX - 1
};

#endif /* _UAPI_LINUX_NTBYPASS_H */
