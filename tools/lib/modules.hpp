// The project's kernel modules as the running kernel sees them.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace nettune {

struct ModuleState {
	std::string name;
	bool loaded = false;
	std::string version;    // MODULE_VERSION, "" if none
	std::string srcversion; // checksum of the source it was built from
	long refcount = -1;
};

// ntvnic, ntbypass, tcp_ntcubic, in that order.
const std::vector<std::string> &project_modules();
ModuleState module_state(const std::string &name);
std::string kernel_release();

} // namespace nettune
