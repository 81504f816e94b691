// What `nettune trace` learns from the running kernel's BTF: the names of
// enum skb_drop_reason (they differ between kernels, so never a table
// compiled in) and the functions that take a struct sk_buff * (trace skb).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

struct btf;

namespace nettune::trace {

// Throws Error when /sys/kernel/btf/vmlinux is missing: the kernel was
// built without CONFIG_DEBUG_INFO_BTF and nettune trace cannot run on it.
void require_kernel_btf(const std::string &what);

// value -> name without the SKB_DROP_REASON_ prefix ("NO_SOCKET"); other
// enumerators (SKB_CONSUMED on 6.2+) keep their name.
using DropReasons = std::map<uint32_t, std::string>;
DropReasons drop_reasons_from_btf(const struct btf *btf);
// From /sys/kernel/btf/vmlinux; throws Error if that or the enum is missing.
DropReasons load_drop_reasons();
// "NO_SOCKET", or "reason 123" for a value the enum does not name.
std::string drop_reason_name(const DropReasons &reasons, uint32_t value);
// "SKB_DROP_REASON_NO_SOCKET" -> "NO_SOCKET"
std::string strip_drop_reason_prefix(const std::string &enumerator);

struct SkbFunction {
	std::string name;
	std::string module; // "" for vmlinux
	int arg = 0;        // 1..5: which argument is the struct sk_buff *
};

// Every BTF_KIND_FUNC of `btf` (ids from first_id on: split module BTF
// starts after vmlinux's) whose first struct sk_buff * argument is one
// of the first five.
std::vector<SkbFunction> skb_functions_in(const struct btf *btf, uint32_t first_id,
					  const std::string &module);
// vmlinux and every module in /sys/kernel/btf.
std::vector<SkbFunction> load_skb_functions();

} // namespace nettune::trace
