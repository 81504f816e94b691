// SPDX-License-Identifier: GPL-2.0
/*
 * nettune trace skb: a packet's walk through the kernel, as cilium's pwru
 * shows it. `nettune trace skb` lists from BTF every function with a
 * struct sk_buff * among its first five arguments and attaches the
 * program for that argument position (nt_skb_arg1 .. nt_skb_arg5) to all
 * of them: one kprobe-multi link per position where the kernel has
 * BPF_TRACE_KPROBE_MULTI (CONFIG_FPROBE), else one kprobe per function.
 *
 * Per call: an skb already followed (its address is in `tracked`) gives a
 * ring-buffer record; any other skb is checked against the compiled
 * filter (struct nt_skb_filter in .rodata) and followed from then on if
 * it matches, even after its headers change. It is forgotten when it is
 * freed: skb:kfree_skb (record with the drop reason), skb:consume_skb, or
 * one of the free functions userspace names (kfree_skbmem, ... which free
 * without a tracepoint). `tracked` is an LRU so a missed free cannot fill it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "nettune_trace.h"
#include "trace_common.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile struct nt_skb_filter filter = {};
/* stop following new packets after this many (0: no limit) */
const volatile __u32 max_packets = 0;
/* addresses of functions that free an skb without a tracepoint */
const volatile __u64 free_ips[NT_SKB_MAX_FREE_FUNCS] = {};

__u32 matched = 0;
__u64 lost = 0;
/* set by userspace once every function is attached: a walk seen while
 * attaching one kprobe at a time would miss the functions not yet hooked */
__u32 enabled = 0;

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u8);
} tracked SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} events SEC(".maps");

static __always_inline int nt_addr_eq(const __u8 *a, const volatile __u8 *b, int len)
{
	int i;

	for (i = 0; i < 16; i++)
		if (i < len && a[i] != b[i])
			return 0;
	return 1;
}

static __always_inline int nt_match(const struct sk_buff *skb)
{
	__u8 version = 0, proto = 0, addrs[32] = {};
	const __u8 *l3, *l4;
	__u16 ports[2] = {};
	int alen, ihl;

	if (filter.ifindex) {
		if (nt_skb_ifindex(skb) != filter.ifindex || nt_skb_netns(skb) != filter.netns)
			return 0;
	}
	l3 = nt_skb_l3(skb, &version);
	if (!l3)
		return 0;
	if (filter.family && filter.family != version)
		return 0;
	if (version == 4) {
		__u8 vihl = 0;

		bpf_probe_read_kernel(&vihl, 1, l3);
		bpf_probe_read_kernel(&proto, 1, l3 + 9);
		bpf_probe_read_kernel(addrs, 4, l3 + 12);
		bpf_probe_read_kernel(addrs + 16, 4, l3 + 16);
		ihl = (vihl & 0xf) * 4;
		if (ihl < 20)
			return 0;
		alen = 4;
	} else {
		bpf_probe_read_kernel(&proto, 1, l3 + 6);
		bpf_probe_read_kernel(addrs, 32, l3 + 8);
		ihl = 40;
		alen = 16;
	}
	if (filter.l4proto && filter.l4proto != proto)
		return 0;
	if (filter.src_set && !nt_addr_eq(addrs, filter.saddr, alen))
		return 0;
	if (filter.dst_set && !nt_addr_eq(addrs + 16, filter.daddr, alen))
		return 0;
	if (filter.host_set && !nt_addr_eq(addrs, filter.host, alen) &&
	    !nt_addr_eq(addrs + 16, filter.host, alen))
		return 0;
	if (filter.sport || filter.dport || filter.port) {
		if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
			return 0;
		l4 = l3 + ihl;
		if (bpf_probe_read_kernel(ports, 4, l4))
			return 0;
		ports[0] = bpf_ntohs(ports[0]);
		ports[1] = bpf_ntohs(ports[1]);
		if (filter.sport && ports[0] != filter.sport)
			return 0;
		if (filter.dport && ports[1] != filter.dport)
			return 0;
		if (filter.port && ports[0] != filter.port && ports[1] != filter.port)
			return 0;
	}
	return 1;
}

static __always_inline int nt_is_free_ip(__u64 ip)
{
	int i;

	for (i = 0; i < NT_SKB_MAX_FREE_FUNCS; i++)
		if (free_ips[i] && free_ips[i] == ip)
			return 1;
	return 0;
}

static __always_inline void nt_emit(const struct sk_buff *skb, __u64 ip, __u8 type, __u8 first,
				    __u32 reason)
{
	struct nt_skb_event *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&lost, 1);
		return;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = bpf_ktime_get_ns();
	e->skb = (__u64)skb;
	e->ip = ip;
	e->cpu = bpf_get_smp_processor_id();
	e->ifindex = nt_skb_ifindex(skb);
	e->netns = nt_skb_netns(skb);
	e->len = BPF_CORE_READ(skb, len);
	e->reason = reason;
	e->type = type;
	e->first = first;
	bpf_ringbuf_submit(e, 0);
}

static __always_inline int nt_on_skb(struct pt_regs *ctx, const struct sk_buff *skb)
{
	__u64 key = (__u64)skb, ip;
	__u8 one = 1, first = 0;

	if (!skb || !enabled)
		return 0;
	ip = bpf_get_func_ip(ctx);
	if (!bpf_map_lookup_elem(&tracked, &key)) {
		/* an skb first seen as it is freed (a socket's clone) is no walk */
		if (nt_is_free_ip(ip))
			return 0;
		if (max_packets && matched >= max_packets)
			return 0;
		if (!nt_match(skb))
			return 0;
		__sync_fetch_and_add(&matched, 1);
		bpf_map_update_elem(&tracked, &key, &one, BPF_ANY);
		first = 1;
	}
	if (nt_is_free_ip(ip)) {
		nt_emit(skb, ip, NT_SKB_FREE, first, 0);
		bpf_map_delete_elem(&tracked, &key);
		return 0;
	}
	nt_emit(skb, ip, NT_SKB_FUNC, first, 0);
	return 0;
}

SEC("kprobe")
int nt_skb_arg1(struct pt_regs *ctx)
{
	return nt_on_skb(ctx, (const struct sk_buff *)PT_REGS_PARM1(ctx));
}

SEC("kprobe")
int nt_skb_arg2(struct pt_regs *ctx)
{
	return nt_on_skb(ctx, (const struct sk_buff *)PT_REGS_PARM2(ctx));
}

SEC("kprobe")
int nt_skb_arg3(struct pt_regs *ctx)
{
	return nt_on_skb(ctx, (const struct sk_buff *)PT_REGS_PARM3(ctx));
}

SEC("kprobe")
int nt_skb_arg4(struct pt_regs *ctx)
{
	return nt_on_skb(ctx, (const struct sk_buff *)PT_REGS_PARM4(ctx));
}

SEC("kprobe")
int nt_skb_arg5(struct pt_regs *ctx)
{
	return nt_on_skb(ctx, (const struct sk_buff *)PT_REGS_PARM5(ctx));
}

SEC("tp_btf/kfree_skb")
int BPF_PROG(nt_skb_kfree, struct sk_buff *skb, void *location, enum skb_drop_reason reason)
{
	__u64 key = (__u64)skb;

	if (!bpf_map_lookup_elem(&tracked, &key))
		return 0;
	nt_emit(skb, (__u64)location, NT_SKB_DROP, 0, reason);
	bpf_map_delete_elem(&tracked, &key);
	return 0;
}

SEC("tp_btf/consume_skb")
int BPF_PROG(nt_skb_consume, struct sk_buff *skb)
{
	__u64 key = (__u64)skb;

	if (!bpf_map_lookup_elem(&tracked, &key))
		return 0;
	nt_emit(skb, 0, NT_SKB_CONSUME, 0, 0);
	bpf_map_delete_elem(&tracked, &key);
	return 0;
}
