// /proc/kallsyms as `nettune trace` needs it: an address to "function+0xoff
// [module]" (the place of a drop, the function a kprobe fired in) and a
// function name to its address (kprobe-multi, the skb free functions).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace nettune::trace {

struct KernelSymbol {
	uint64_t addr = 0;
	std::string name;
	std::string module; // empty for vmlinux
};

class Kallsyms {
public:
	// Parses the text of /proc/kallsyms, keeping text symbols (t, T, w, W).
	// Throws Error if every address is 0 (kptr_restrict: not root).
	static Kallsyms parse(const std::string &text);
	// Reads /proc/kallsyms (or `path`); throws Error naming it.
	static Kallsyms load(const std::string &path = "/proc/kallsyms");

	// The symbol at or before addr, nullptr when addr is below all of them.
	const KernelSymbol *find(uint64_t addr) const;
	// "ip_rcv+0x1c", "ntvnic_start_xmit+0x0 [ntvnic]", or "0x..." if unknown.
	std::string symbolize(uint64_t addr) const;
	// Function name alone (no offset, no module), or "0x..." if unknown.
	std::string function(uint64_t addr) const;
	// Address of a function defined once; nullopt if missing or defined
	// more than once (static functions of the same name in two files).
	std::optional<uint64_t> unique_address(const std::string &name) const;
	size_t size() const { return symbols_.size(); }
	const std::vector<KernelSymbol> &symbols() const { return symbols_; }

private:
	std::vector<KernelSymbol> symbols_; // sorted by address
	std::unordered_map<std::string, int> name_count_;
	std::unordered_map<std::string, uint64_t> name_addr_;
};

} // namespace nettune::trace
