// SPDX-License-Identifier: GPL-2.0
/*
 * nettune trace drops: every skb:kfree_skb counted by (reason, location,
 * device, netns, protocol) in a hash that `nettune trace drops` reads at
 * the end. The tracepoint's reason is the running kernel's enum
 * skb_drop_reason; userspace names it from that kernel's BTF, not here.
 *
 * tp_btf: 6.1's TP_PROTO is (skb, location, reason); later kernels add a
 * fourth argument (rx_sk), which this program does not read.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "nettune_trace.h"
#include "trace_common.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* --dev: count only skbs on this device of this namespace (0: all) */
const volatile __u32 filter_ifindex = 0;
const volatile __u32 filter_netns = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, struct nt_drop_key);
	__type(value, struct nt_drop_val);
} drops SEC(".maps");

/* Entries that did not fit in `drops` (the table was full). */
__u64 lost = 0;

static __always_inline __u8 nt_l4proto(const struct sk_buff *skb)
{
	const __u8 *l3;
	__u8 version = 0, proto = 0;

	l3 = nt_skb_l3(skb, &version);
	if (!l3)
		return 0;
	bpf_probe_read_kernel(&proto, 1, l3 + (version == 4 ? 9 : 6));
	return proto;
}

SEC("tp_btf/kfree_skb")
int BPF_PROG(nt_kfree_skb, struct sk_buff *skb, void *location, enum skb_drop_reason reason)
{
	struct nt_drop_key key = {};
	struct nt_drop_val one = { .count = 1 }, *val;

	key.ifindex = nt_skb_ifindex(skb);
	key.netns = nt_skb_netns(skb);
	if (filter_ifindex && (key.ifindex != filter_ifindex || key.netns != filter_netns))
		return 0;
	key.location = (__u64)location;
	key.reason = reason;
	key.l3proto = bpf_ntohs(BPF_CORE_READ(skb, protocol));
	key.l4proto = nt_l4proto(skb);

	val = bpf_map_lookup_elem(&drops, &key);
	if (val) {
		__sync_fetch_and_add(&val->count, 1);
		__sync_fetch_and_add(&val->bytes, BPF_CORE_READ(skb, len));
		return 0;
	}
	one.bytes = BPF_CORE_READ(skb, len);
	if (bpf_map_update_elem(&drops, &key, &one, BPF_NOEXIST)) {
		/* lost a race with another CPU inserting it, or full */
		val = bpf_map_lookup_elem(&drops, &key);
		if (val) {
			__sync_fetch_and_add(&val->count, 1);
			__sync_fetch_and_add(&val->bytes, one.bytes);
		} else {
			__sync_fetch_and_add(&lost, 1);
		}
	}
	return 0;
}
