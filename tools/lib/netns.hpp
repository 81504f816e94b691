// Acting inside a named network namespace, as 'ip -n NAME' does.
#pragma once
#include <string>

namespace nettune {

// Joins /run/netns/NAME and remounts /sys in a private mount namespace so
// that sysfs shows that namespace's devices. Throws Error naming NAME.
void enter_netns(const std::string &name);

} // namespace nettune
