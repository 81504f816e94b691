#include "trace_btf.hpp"

#include "error.hpp"
#include "sysfs.hpp"

#include <bpf/btf.h>
#include <cerrno>
#include <memory>
#include <unistd.h>

namespace nettune::trace {

namespace {

constexpr const char *kVmlinuxBtf = "/sys/kernel/btf/vmlinux";
constexpr const char *kDropPrefix = "SKB_DROP_REASON_";

using BtfPtr = std::unique_ptr<struct btf, decltype(&btf__free)>;

BtfPtr load_vmlinux()
{
	struct btf *b = btf__load_vmlinux_btf();
	if (!b)
		throw Error(errno_message(
			std::string("cannot read the kernel's BTF (") + kVmlinuxBtf + ")", errno));
	return BtfPtr(b, btf__free);
}

// Skips typedefs and qualifiers: the type a parameter really has.
const struct btf_type *resolve(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	while (t && (btf_is_typedef(t) || btf_is_const(t) || btf_is_volatile(t) ||
		     btf_is_restrict(t) || btf_is_type_tag(t)))
		t = btf__type_by_id(btf, t->type);
	return t;
}

bool is_skb_pointer(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = resolve(btf, id);
	if (!t || !btf_is_ptr(t))
		return false;
	const struct btf_type *target = resolve(btf, t->type);
	if (!target || !btf_is_struct(target))
		return false;
	const char *name = btf__name_by_offset(btf, target->name_off);
	return name && std::string(name) == "sk_buff";
}

} // namespace

void require_kernel_btf(const std::string &what)
{
	if (access(kVmlinuxBtf, R_OK) != 0)
		throw Error(what + ": the kernel has no BTF (" + kVmlinuxBtf +
			    " missing: built without CONFIG_DEBUG_INFO_BTF); BPF tracing with "
			    "CO-RE needs it");
}

std::string strip_drop_reason_prefix(const std::string &enumerator)
{
	if (enumerator.rfind(kDropPrefix, 0) == 0)
		return enumerator.substr(std::string(kDropPrefix).size());
	return enumerator;
}

DropReasons drop_reasons_from_btf(const struct btf *btf)
{
	DropReasons out;
	int id = btf__find_by_name_kind(btf, "skb_drop_reason", BTF_KIND_ENUM);
	if (id < 0)
		return out;
	const struct btf_type *t = btf__type_by_id(btf, id);
	const struct btf_enum *e = btf_enum(t);
	for (unsigned i = 0; i < btf_vlen(t); i++, e++)
		out[static_cast<uint32_t>(e->val)] =
			strip_drop_reason_prefix(btf__name_by_offset(btf, e->name_off));
	return out;
}

DropReasons load_drop_reasons()
{
	auto btf = load_vmlinux();
	DropReasons r = drop_reasons_from_btf(btf.get());
	if (r.empty())
		throw Error("the kernel's BTF has no enum skb_drop_reason (kernels before 5.17 "
			    "give no drop reasons)");
	return r;
}

std::string drop_reason_name(const DropReasons &reasons, uint32_t value)
{
	auto it = reasons.find(value);
	if (it != reasons.end())
		return it->second;
	return "reason " + std::to_string(value);
}

std::vector<SkbFunction> skb_functions_in(const struct btf *btf, uint32_t first_id,
					  const std::string &module)
{
	std::vector<SkbFunction> out;
	uint32_t n = btf__type_cnt(btf);
	for (uint32_t id = first_id; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		if (!t || !btf_is_func(t))
			continue;
		const struct btf_type *proto = btf__type_by_id(btf, t->type);
		if (!proto || !btf_is_func_proto(proto))
			continue;
		const struct btf_param *p = btf_params(proto);
		unsigned nargs = btf_vlen(proto);
		for (unsigned i = 0; i < nargs && i < 5; i++) {
			if (is_skb_pointer(btf, p[i].type)) {
				out.push_back({btf__name_by_offset(btf, t->name_off), module,
					       static_cast<int>(i + 1)});
				break;
			}
		}
	}
	return out;
}

std::vector<SkbFunction> load_skb_functions()
{
	auto vmlinux = load_vmlinux();
	auto out = skb_functions_in(vmlinux.get(), 1, "");
	const uint32_t base_cnt = btf__type_cnt(vmlinux.get());
	for (const auto &module : list_dir("/sys/kernel/btf")) {
		if (module == "vmlinux")
			continue;
		BtfPtr m(btf__load_module_btf(module.c_str(), vmlinux.get()), btf__free);
		if (!m)
			continue; // a module unloading meanwhile
		auto more = skb_functions_in(m.get(), base_cnt, module);
		out.insert(out.end(), more.begin(), more.end());
	}
	return out;
}

} // namespace nettune::trace
