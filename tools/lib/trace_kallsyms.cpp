#include "trace_kallsyms.hpp"

#include "error.hpp"
#include "sysfs.hpp"

#include <algorithm>
#include <charconv>
#include <fmt/format.h>
#include <string_view>

namespace nettune::trace {

namespace {

bool is_text_type(const std::string &type)
{
	return type.size() == 1 &&
	       (type[0] == 't' || type[0] == 'T' || type[0] == 'w' || type[0] == 'W');
}

// "ffffffffc0a01000 t ntvnic_start_xmit\t[ntvnic]"; split by hand, as
// /proc/kallsyms has 100,000+ lines and this runs under emulation too.
std::optional<KernelSymbol> parse_line(std::string_view line)
{
	auto next_word = [&line]() {
		size_t b = line.find_first_not_of(" \t");
		if (b == std::string_view::npos)
			return std::string_view();
		size_t e = line.find_first_of(" \t", b);
		std::string_view w = line.substr(b, e == std::string_view::npos ? e : e - b);
		line.remove_prefix(e == std::string_view::npos ? line.size() : e);
		return w;
	};
	std::string_view addr = next_word(), type = next_word(), name = next_word();
	if (name.empty() || !is_text_type(std::string(type)))
		return std::nullopt;
	KernelSymbol s;
	auto [p, ec] = std::from_chars(addr.data(), addr.data() + addr.size(), s.addr, 16);
	if (ec != std::errc() || p != addr.data() + addr.size())
		return std::nullopt;
	std::string_view module = next_word();
	if (module.size() > 2 && module.front() == '[' && module.back() == ']')
		s.module = std::string(module.substr(1, module.size() - 2));
	s.name = std::string(name);
	return s;
}

} // namespace

Kallsyms Kallsyms::parse(const std::string &text)
{
	Kallsyms k;
	bool any_address = false;
	std::string_view rest(text);
	while (!rest.empty()) {
		size_t nl = rest.find('\n');
		std::string_view line = rest.substr(0, nl);
		rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
		auto s = parse_line(line);
		if (!s)
			continue;
		any_address = any_address || s->addr != 0;
		k.name_count_[s->name]++;
		k.name_addr_[s->name] = s->addr;
		k.symbols_.push_back(std::move(*s));
	}
	if (!k.symbols_.empty() && !any_address)
		throw Error("/proc/kallsyms shows every address as 0 (kernel.kptr_restrict): "
			    "nettune trace needs root to name kernel functions");
	std::sort(k.symbols_.begin(), k.symbols_.end(),
		  [](const KernelSymbol &a, const KernelSymbol &b) { return a.addr < b.addr; });
	return k;
}

Kallsyms Kallsyms::load(const std::string &path)
{
	return parse(read_file(path));
}

const KernelSymbol *Kallsyms::find(uint64_t addr) const
{
	auto it = std::upper_bound(symbols_.begin(), symbols_.end(), addr,
				   [](uint64_t a, const KernelSymbol &s) { return a < s.addr; });
	if (it == symbols_.begin())
		return nullptr;
	return &*std::prev(it);
}

std::string Kallsyms::symbolize(uint64_t addr) const
{
	const KernelSymbol *s = find(addr);
	if (!s)
		return fmt::format("{:#x}", addr);
	std::string out = fmt::format("{}+{:#x}", s->name, addr - s->addr);
	if (!s->module.empty())
		out += " [" + s->module + "]";
	return out;
}

std::string Kallsyms::function(uint64_t addr) const
{
	const KernelSymbol *s = find(addr);
	return s ? s->name : fmt::format("{:#x}", addr);
}

std::optional<uint64_t> Kallsyms::unique_address(const std::string &name) const
{
	auto c = name_count_.find(name);
	if (c == name_count_.end() || c->second != 1)
		return std::nullopt;
	return name_addr_.at(name);
}

} // namespace nettune::trace
