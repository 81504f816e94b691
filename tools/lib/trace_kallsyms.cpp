#include "trace_kallsyms.hpp"

#include "error.hpp"
#include "sysfs.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <sstream>

namespace nettune::trace {

namespace {

bool is_text_type(const std::string &type)
{
	return type.size() == 1 && (type[0] == 't' || type[0] == 'T' || type[0] == 'w' ||
				    type[0] == 'W');
}

// "ffffffffc0a01000 t ntvnic_start_xmit\t[ntvnic]"
std::optional<KernelSymbol> parse_line(const std::string &line)
{
	std::istringstream in(line);
	std::string addr, type, name, module;
	if (!(in >> addr >> type >> name) || !is_text_type(type))
		return std::nullopt;
	if (in >> module && module.size() > 2 && module.front() == '[' && module.back() == ']')
		module = module.substr(1, module.size() - 2);
	else
		module.clear();
	KernelSymbol s;
	try {
		s.addr = std::stoull(addr, nullptr, 16);
	} catch (const std::exception &) {
		return std::nullopt;
	}
	s.name = std::move(name);
	s.module = std::move(module);
	return s;
}

} // namespace

Kallsyms Kallsyms::parse(const std::string &text)
{
	Kallsyms k;
	std::istringstream in(text);
	std::string line;
	bool any_address = false;
	while (std::getline(in, line)) {
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
