// SPDX-License-Identifier: GPL-2.0
/*
 * ntbypass: the compiled rule table and its lookup.
 *
 * A table is built from the namespace's rule list on every change and is
 * immutable once published (see ntbypass.h for the RCU rules). Each rule
 * gives one entry, plus a second "mirror" entry (source and destination
 * swapped) when it has NTBYPASS_F_BOTH. Entries are numbered in rule-id
 * order; when several entries match a packet the lowest number wins, so
 * exactly one rule counts each packet.
 *
 * Every entry is filed in exactly one index, chosen by its criteria:
 *
 *  1. Port index, for entries with a port (they always have a protocol
 *     with ports: tcp, udp, udplite, sctp, dccp). Per protocol and per key
 *     (the destination port if the entry has one, else the source port) a
 *     direct map of the 65536 ports to a candidate set: the port space is
 *     cut at every range boundary into elementary segments, and each
 *     segment's set lists the entries whose range covers it. Lookup: one
 *     array load per key, O(1), whatever the number of port rules, then a
 *     scan of that port's candidates only (rules on the same port).
 *     Memory: 256 KiB per (protocol, key) in use, plus the sets.
 *  2. Prefix index, for entries with an address prefix but no port. Per
 *     family and per key (destination prefix if any, else source prefix),
 *     a static hash of (prefix length, masked address) -> candidate set,
 *     and the list of distinct prefix lengths present, longest first.
 *     Lookup: one hash probe per distinct prefix length (at most 32 for
 *     IPv4, 128 for IPv6: /0 is "no prefix"), independent of the number
 *     of prefixes.
 *  3. The "wild" list: entries with neither port nor prefix (protocol or
 *     interface only, or match-all). Scanned linearly; a rule set has few
 *     of these (one per protocol/interface combination at most, since
 *     duplicates are refused).
 *
 * A packet consults its protocol's two port maps, its family's prefix
 * indexes and the wild list; in each candidate set (ascending entry
 * numbers) the first entry whose criteria all match is that set's answer,
 * and the smallest answer wins.
 */
#include <linux/jhash.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/overflow.h>
#include <linux/netlink.h>
#include <linux/inetdevice.h>
#include <net/ipv6.h>
#include "ntbypass.h"

/* Protocols with 16-bit source and destination ports first in the header */
static const u8 ntb_port_protos[] = {
	IPPROTO_TCP, IPPROTO_UDP, IPPROTO_UDPLITE, IPPROTO_SCTP, IPPROTO_DCCP,
};

#define NTB_NPROTO	ARRAY_SIZE(ntb_port_protos)
#define NTB_NPORTS	65536
/* Refuse rule sets whose overlapping port ranges would need more candidate
 * slots than this (e.g. thousands of nested ranges): 4M slots = 16 MiB.
 */
#define NTB_MAX_CAND	BIT(22)

enum { NTB_KEY_DPORT, NTB_KEY_SPORT, NTB_NKEYS };
enum { NTB_KEY_DST, NTB_KEY_SRC };

struct ntb_set {
	u32 start;	/* first slot in ntb_table.cand */
	u32 len;
};

struct ntb_portidx {
	u32 nsets;
	struct ntb_set *sets;
	/* port -> index in sets; allocated alone so that it is exactly
	 * 256 KiB (inside the struct, kmalloc would round it up to 512 KiB)
	 */
	u32 *seg;
};

struct ntb_pfx_node {
	union nf_inet_addr addr;	/* masked */
	u32 next;			/* next node in bucket + 1, 0 = end */
	u8 plen;
	struct ntb_set set;
};

struct ntb_pfxidx {
	u32 nnodes;
	u32 hmask;			/* buckets - 1 (power of two) */
	u32 *bucket;			/* first node + 1, 0 = empty */
	struct ntb_pfx_node *node;
	u8 nplen;
	u8 plens[129];			/* distinct lengths, longest first */
};

struct ntb_table {
	struct rcu_head rcu;
	u32 nent;
	struct ntb_entry *ent;
	u32 ncand;
	u32 *cand;			/* entry numbers, grouped in sets */
	struct ntb_portidx *port[NTB_NPROTO][NTB_NKEYS];
	struct ntb_pfxidx pfx[2][2];	/* [v4, v6][dst, src] */
	struct ntb_set wild;
};

bool ntb_port_proto(u8 proto)
{
	unsigned int i;

	for (i = 0; i < NTB_NPROTO; i++)
		if (ntb_port_protos[i] == proto)
			return true;
	return false;
}

static int ntb_proto_slot(u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP:	return 0;
	case IPPROTO_UDP:	return 1;
	case IPPROTO_UDPLITE:	return 2;
	case IPPROTO_SCTP:	return 3;
	case IPPROTO_DCCP:	return 4;
	}
	return -1;
}

static inline int ntb_fam_slot(u8 family)
{
	return family == NFPROTO_IPV6;
}

/* ------------------------------------------------------------------ */
/* Matching                                                            */

static bool ntb_prefix_match(const union nf_inet_addr *a,
			     const union nf_inet_addr *pfx, u8 plen, u8 family)
{
	if (family == NFPROTO_IPV4)
		return !((a->ip ^ pfx->ip) & inet_make_mask(plen));
	return ipv6_prefix_equal(&a->in6, &pfx->in6, plen);
}

static bool ntb_entry_match(const struct ntb_match *m, const struct ntb_pkt *p)
{
	if (m->family && m->family != p->family)
		return false;
	if (m->proto && m->proto != p->proto)
		return false;
	if (m->has & (NTB_M_SPORT | NTB_M_DPORT)) {
		if (!p->has_ports)
			return false;
		if ((m->has & NTB_M_SPORT) &&
		    (p->sport < m->sport_lo || p->sport > m->sport_hi))
			return false;
		if ((m->has & NTB_M_DPORT) &&
		    (p->dport < m->dport_lo || p->dport > m->dport_hi))
			return false;
	}
	if ((m->has & NTB_M_SRC) &&
	    !ntb_prefix_match(&p->src, &m->src, m->src_plen, p->family))
		return false;
	if ((m->has & NTB_M_DST) &&
	    !ntb_prefix_match(&p->dst, &m->dst, m->dst_plen, p->family))
		return false;
	if ((m->has & NTB_M_IIF) && m->iif != p->iif)
		return false;
	if ((m->has & NTB_M_OIF) && m->oif != p->oif)
		return false;
	return true;
}

/* First matching entry of a set, or U32_MAX. Stops at @best: a later
 * entry could not win anyway.
 */
static u32 ntb_set_first(const struct ntb_table *t, const struct ntb_set *s,
			 const struct ntb_pkt *p, u32 best)
{
	u32 i, e;

	for (i = 0; i < s->len; i++) {
		e = t->cand[s->start + i];
		if (e >= best)
			break;
		if (ntb_entry_match(&t->ent[e].m, p))
			return e;
	}
	return best;
}

static u32 ntb_pfx_hash(const union nf_inet_addr *a, u8 plen)
{
	return jhash2((const u32 *)a->all, 4, plen);
}

static void ntb_mask(union nf_inet_addr *out, const union nf_inet_addr *a,
		     u8 plen, u8 family)
{
	memset(out, 0, sizeof(*out));
	if (family == NFPROTO_IPV4)
		out->ip = a->ip & inet_make_mask(plen);
	else
		ipv6_addr_prefix(&out->in6, &a->in6, plen);
}

static u32 ntb_pfx_lookup(const struct ntb_table *t, const struct ntb_pfxidx *x,
			  const union nf_inet_addr *a, const struct ntb_pkt *p,
			  u32 best)
{
	union nf_inet_addr key;
	u32 i, ni;

	for (i = 0; i < x->nplen; i++) {
		u8 plen = x->plens[i];

		ntb_mask(&key, a, plen, p->family);
		ni = x->bucket[ntb_pfx_hash(&key, plen) & x->hmask];
		while (ni) {
			const struct ntb_pfx_node *nd = &x->node[ni - 1];

			if (nd->plen == plen &&
			    !memcmp(&nd->addr, &key, sizeof(key))) {
				best = ntb_set_first(t, &nd->set, p, best);
				break;
			}
			ni = nd->next;
		}
	}
	return best;
}

/* Called from the netfilter hooks under rcu_read_lock(); lock-free. */
const struct ntb_entry *ntb_table_lookup(const struct ntb_table *t,
					 const struct ntb_pkt *p)
{
	u32 best = U32_MAX;
	int slot, f;

	if (p->has_ports) {
		slot = ntb_proto_slot(p->proto);
		if (slot >= 0) {
			const struct ntb_portidx *d = t->port[slot][NTB_KEY_DPORT];
			const struct ntb_portidx *s = t->port[slot][NTB_KEY_SPORT];

			if (d)
				best = ntb_set_first(t, &d->sets[d->seg[p->dport]],
						     p, best);
			if (s)
				best = ntb_set_first(t, &s->sets[s->seg[p->sport]],
						     p, best);
		}
	}
	f = ntb_fam_slot(p->family);
	if (t->pfx[f][NTB_KEY_DST].nplen)
		best = ntb_pfx_lookup(t, &t->pfx[f][NTB_KEY_DST], &p->dst, p, best);
	if (t->pfx[f][NTB_KEY_SRC].nplen)
		best = ntb_pfx_lookup(t, &t->pfx[f][NTB_KEY_SRC], &p->src, p, best);
	best = ntb_set_first(t, &t->wild, p, best);

	return best == U32_MAX ? NULL : &t->ent[best];
}

/* ------------------------------------------------------------------ */
/* Building                                                            */

void ntb_table_free(struct ntb_table *t)
{
	unsigned int i, k;

	if (!t)
		return;
	for (i = 0; i < NTB_NPROTO; i++) {
		for (k = 0; k < NTB_NKEYS; k++) {
			if (!t->port[i][k])
				continue;
			kvfree(t->port[i][k]->seg);
			kvfree(t->port[i][k]->sets);
			kfree(t->port[i][k]);
		}
	}
	for (i = 0; i < 2; i++) {
		for (k = 0; k < 2; k++) {
			kvfree(t->pfx[i][k].bucket);
			kvfree(t->pfx[i][k].node);
		}
	}
	kvfree(t->cand);
	kvfree(t->ent);
	kfree(t);
	atomic_dec(&ntb_live_tables);
}

static void ntb_table_free_cb(struct rcu_head *head)
{
	/* RCU callback (softirq): kvfree() defers vfree() itself there. */
	ntb_table_free(container_of(head, struct ntb_table, rcu));
}

void ntb_table_free_rcu(struct ntb_table *t)
{
	if (t)
		call_rcu(&t->rcu, ntb_table_free_cb);
}

static void ntb_mirror(struct ntb_match *out, const struct ntb_match *m)
{
	memset(out, 0, sizeof(*out));
	out->family = m->family;
	out->proto = m->proto;
	out->src = m->dst;
	out->dst = m->src;
	out->src_plen = m->dst_plen;
	out->dst_plen = m->src_plen;
	out->sport_lo = m->dport_lo;
	out->sport_hi = m->dport_hi;
	out->dport_lo = m->sport_lo;
	out->dport_hi = m->sport_hi;
	if (m->has & NTB_M_SPORT)
		out->has |= NTB_M_DPORT;
	if (m->has & NTB_M_DPORT)
		out->has |= NTB_M_SPORT;
	if (m->has & NTB_M_SRC)
		out->has |= NTB_M_DST;
	if (m->has & NTB_M_DST)
		out->has |= NTB_M_SRC;
	/* interfaces stay with the original direction, see the UAPI header */
}

/* Which index an entry goes to */
enum { NTB_IDX_PORT, NTB_IDX_PFX, NTB_IDX_WILD };

static int ntb_entry_index(const struct ntb_match *m, int *a, int *b)
{
	if (m->has & (NTB_M_DPORT | NTB_M_SPORT)) {
		*a = ntb_proto_slot(m->proto);
		*b = (m->has & NTB_M_DPORT) ? NTB_KEY_DPORT : NTB_KEY_SPORT;
		return NTB_IDX_PORT;
	}
	if (m->has & (NTB_M_DST | NTB_M_SRC)) {
		*a = ntb_fam_slot(m->family);
		*b = (m->has & NTB_M_DST) ? NTB_KEY_DST : NTB_KEY_SRC;
		return NTB_IDX_PFX;
	}
	return NTB_IDX_WILD;
}

static void ntb_entry_range(const struct ntb_match *m, int key, u32 *lo, u32 *hi)
{
	if (key == NTB_KEY_DPORT) {
		*lo = m->dport_lo;
		*hi = m->dport_hi;
	} else {
		*lo = m->sport_lo;
		*hi = m->sport_hi;
	}
}

static int ntb_cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

/*
 * Port index for one (protocol, key): @idx lists the entries (ascending).
 * Cuts the port space at every range boundary, counts each segment's
 * entries (difference array), then lays the sets out in t->cand from
 * *@ncand on. With @t->cand NULL only counts (first pass).
 */
static int ntb_build_portidx(struct ntb_table *t, const u32 *idx, u32 n,
			     int key, struct ntb_portidx **out, u32 *ncand,
			     struct netlink_ext_ack *extack)
{
	struct ntb_portidx *pi = NULL;
	u32 *bound, nb = 0, i, s, lo, hi, total = 0;
	u32 *fill = NULL;
	int err = -ENOMEM;

	bound = kvmalloc_array(2 * n + 2, sizeof(*bound), GFP_KERNEL);
	if (!bound)
		return -ENOMEM;
	bound[nb++] = 0;
	bound[nb++] = NTB_NPORTS;
	for (i = 0; i < n; i++) {
		ntb_entry_range(&t->ent[idx[i]].m, key, &lo, &hi);
		bound[nb++] = lo;
		bound[nb++] = hi + 1;
	}
	sort(bound, nb, sizeof(*bound), ntb_cmp_u32, NULL);
	for (i = 1, s = 1; i < nb; i++)
		if (bound[i] != bound[s - 1])
			bound[s++] = bound[i];
	nb = s;			/* segments: [bound[k], bound[k+1]), k < nb - 1 */

	pi = kzalloc(sizeof(*pi), GFP_KERNEL);
	if (!pi)
		goto out;
	pi->nsets = nb - 1;
	pi->seg = kvmalloc_array(NTB_NPORTS, sizeof(*pi->seg), GFP_KERNEL);
	pi->sets = kvcalloc(pi->nsets, sizeof(*pi->sets), GFP_KERNEL);
	fill = kvcalloc(pi->nsets + 1, sizeof(*fill), GFP_KERNEL);
	if (!pi->seg || !pi->sets || !fill)
		goto out;

	/* seg[] for each port; fill[] = entries per segment (difference) */
	for (s = 0; s < pi->nsets; s++)
		for (i = bound[s]; i < bound[s + 1]; i++)
			pi->seg[i] = s;
	for (i = 0; i < n; i++) {
		ntb_entry_range(&t->ent[idx[i]].m, key, &lo, &hi);
		fill[pi->seg[lo]]++;
		if (hi + 1 < NTB_NPORTS)
			fill[pi->seg[hi + 1]]--;
	}
	for (s = 0, i = 0; s < pi->nsets; s++) {
		i += fill[s];			/* entries covering segment s */
		if (check_add_overflow(total, i, &total) ||
		    *ncand + total > NTB_MAX_CAND) {
			NL_SET_ERR_MSG(extack,
				       "overlapping port ranges need too much memory; use fewer nested ranges");
			err = -E2BIG;
			goto out;
		}
		pi->sets[s].start = *ncand + total - i;
		pi->sets[s].len = i;
	}
	if (t->cand) {
		/* second pass: write entry numbers, ascending per set */
		memset(fill, 0, (pi->nsets + 1) * sizeof(*fill));
		for (i = 0; i < n; i++) {
			ntb_entry_range(&t->ent[idx[i]].m, key, &lo, &hi);
			for (s = pi->seg[lo]; s < pi->nsets && bound[s] <= hi; s++)
				t->cand[pi->sets[s].start + fill[s]++] = idx[i];
		}
	}
	*ncand += total;
	*out = pi;
	pi = NULL;
	err = 0;
out:
	kvfree(fill);
	if (pi) {
		kvfree(pi->seg);
		kvfree(pi->sets);
	}
	kfree(pi);
	kvfree(bound);
	return err;
}

struct ntb_pfx_item {
	union nf_inet_addr addr;
	u8 plen;
	u32 ent;
};

static int ntb_cmp_pfx_item(const void *a, const void *b)
{
	const struct ntb_pfx_item *x = a, *y = b;
	int c;

	if (x->plen != y->plen)
		return x->plen > y->plen ? -1 : 1;	/* longest first */
	c = memcmp(&x->addr, &y->addr, sizeof(x->addr));
	if (c)
		return c;
	return x->ent < y->ent ? -1 : x->ent > y->ent;
}

/* Prefix index for one (family, key). Cand slots are taken from *@ncand. */
static int ntb_build_pfxidx(struct ntb_table *t, const u32 *idx, u32 n, int key,
			    struct ntb_pfxidx *x, u32 *ncand)
{
	struct ntb_pfx_item *it;
	u32 i, nn = 0, h;

	if (!n)
		return 0;
	it = kvmalloc_array(n, sizeof(*it), GFP_KERNEL);
	if (!it)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct ntb_match *m = &t->ent[idx[i]].m;

		memset(&it[i], 0, sizeof(it[i]));
		it[i].addr = key == NTB_KEY_DST ? m->dst : m->src;
		it[i].plen = key == NTB_KEY_DST ? m->dst_plen : m->src_plen;
		it[i].ent = idx[i];
	}
	sort(it, n, sizeof(*it), ntb_cmp_pfx_item, NULL);

	x->hmask = roundup_pow_of_two(n) - 1;
	x->bucket = kvcalloc(x->hmask + 1, sizeof(*x->bucket), GFP_KERNEL);
	x->node = kvcalloc(n, sizeof(*x->node), GFP_KERNEL);
	if (!x->bucket || !x->node) {
		kvfree(it);
		return -ENOMEM;		/* freed with the table */
	}
	for (i = 0; i < n; i++) {
		t->cand[*ncand + i] = it[i].ent;
		if (i && it[i].plen == it[i - 1].plen &&
		    !memcmp(&it[i].addr, &it[i - 1].addr, sizeof(it[i].addr))) {
			x->node[nn - 1].set.len++;
			continue;
		}
		x->node[nn].addr = it[i].addr;
		x->node[nn].plen = it[i].plen;
		x->node[nn].set.start = *ncand + i;
		x->node[nn].set.len = 1;
		h = ntb_pfx_hash(&it[i].addr, it[i].plen) & x->hmask;
		x->node[nn].next = x->bucket[h];
		x->bucket[h] = nn + 1;
		if (!x->nplen || x->plens[x->nplen - 1] != it[i].plen)
			x->plens[x->nplen++] = it[i].plen;
		nn++;
	}
	x->nnodes = nn;
	*ncand += n;
	kvfree(it);
	return 0;
}

/*
 * Builds the table for @rules (ascending id). Sleeps (GFP_KERNEL); called
 * under ntb_net->lock. Returns the table or an ERR_PTR.
 */
struct ntb_table *ntb_table_build(struct ntb_rule **rules, u32 count,
				  struct netlink_ext_ack *extack)
{
	struct ntb_table *t;
	u32 *byidx[NTB_NPROTO][NTB_NKEYS] = {};
	u32 nby[NTB_NPROTO][NTB_NKEYS] = {};
	u32 *bypfx[2][2] = {}, npfx[2][2] = {};
	u32 *wild = NULL, nwild = 0;
	u32 i, nent, ncand, pass;
	int err = -ENOMEM, kind, a, b;

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return ERR_PTR(-ENOMEM);
	atomic_inc(&ntb_live_tables);

	/* entries, in rule-id order, mirror right after its rule */
	t->ent = kvcalloc(2 * (size_t)count, sizeof(*t->ent), GFP_KERNEL);
	if (!t->ent)
		goto err;
	for (i = 0, nent = 0; i < count; i++) {
		t->ent[nent].m = rules[i]->spec;
		t->ent[nent].m.flags = 0;
		t->ent[nent++].rule = rules[i];
		if (rules[i]->spec.flags & NTBYPASS_F_BOTH) {
			ntb_mirror(&t->ent[nent].m, &rules[i]->spec);
			t->ent[nent].rule = rules[i];
			t->ent[nent++].mirror = true;
		}
	}
	t->nent = nent;

	/* per-index entry lists: count, allocate, fill */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < nent; i++) {
			kind = ntb_entry_index(&t->ent[i].m, &a, &b);
			if (kind == NTB_IDX_PORT) {
				if (pass)
					byidx[a][b][nby[a][b]] = i;
				nby[a][b]++;
			} else if (kind == NTB_IDX_PFX) {
				if (pass)
					bypfx[a][b][npfx[a][b]] = i;
				npfx[a][b]++;
			} else {
				if (pass)
					wild[nwild] = i;
				nwild++;
			}
		}
		if (pass)
			break;
		for (a = 0; a < NTB_NPROTO; a++) {
			for (b = 0; b < NTB_NKEYS; b++) {
				if (!nby[a][b])
					continue;
				byidx[a][b] = kvcalloc(nby[a][b], sizeof(u32), GFP_KERNEL);
				if (!byidx[a][b])
					goto err;
			}
		}
		for (a = 0; a < 2; a++) {
			for (b = 0; b < 2; b++) {
				if (!npfx[a][b])
					continue;
				bypfx[a][b] = kvcalloc(npfx[a][b], sizeof(u32), GFP_KERNEL);
				if (!bypfx[a][b])
					goto err;
			}
		}
		if (nwild) {
			wild = kvcalloc(nwild, sizeof(u32), GFP_KERNEL);
			if (!wild)
				goto err;
		}
		memset(nby, 0, sizeof(nby));
		memset(npfx, 0, sizeof(npfx));
		nwild = 0;
	}

	/* first pass over the port indexes: sizes only (t->cand is NULL) */
	ncand = nwild;
	for (a = 0; a < NTB_NPROTO; a++) {
		for (b = 0; b < NTB_NKEYS; b++) {
			if (!nby[a][b])
				continue;
			err = ntb_build_portidx(t, byidx[a][b], nby[a][b], b,
						&t->port[a][b], &ncand, extack);
			if (err)
				goto err;
		}
	}
	for (a = 0; a < 2; a++)
		for (b = 0; b < 2; b++)
			ncand += npfx[a][b];

	t->ncand = ncand;
	t->cand = kvcalloc(max(ncand, 1U), sizeof(*t->cand), GFP_KERNEL);
	err = -ENOMEM;
	if (!t->cand)
		goto err;

	/* second pass: lay everything out in cand[] */
	memcpy(t->cand, wild, nwild * sizeof(u32));
	t->wild.start = 0;
	t->wild.len = nwild;
	ncand = nwild;
	for (a = 0; a < NTB_NPROTO; a++) {
		for (b = 0; b < NTB_NKEYS; b++) {
			if (!t->port[a][b])
				continue;
			kvfree(t->port[a][b]->seg);
			kvfree(t->port[a][b]->sets);
			kfree(t->port[a][b]);
			t->port[a][b] = NULL;
			err = ntb_build_portidx(t, byidx[a][b], nby[a][b], b,
						&t->port[a][b], &ncand, extack);
			if (err)
				goto err;
		}
	}
	for (a = 0; a < 2; a++) {
		for (b = 0; b < 2; b++) {
			err = ntb_build_pfxidx(t, bypfx[a][b], npfx[a][b], b,
					       &t->pfx[a][b], &ncand);
			if (err)
				goto err;
		}
	}
	err = 0;
err:
	for (a = 0; a < NTB_NPROTO; a++)
		for (b = 0; b < NTB_NKEYS; b++)
			kvfree(byidx[a][b]);
	for (a = 0; a < 2; a++)
		for (b = 0; b < 2; b++)
			kvfree(bypfx[a][b]);
	kvfree(wild);
	if (err) {
		ntb_table_free(t);
		return ERR_PTR(err);
	}
	return t;
}
