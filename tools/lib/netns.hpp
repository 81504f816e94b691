// Acting inside a named network namespace, as 'ip -n NAME' does.
#pragma once
#include <string>

namespace nettune {

// An open /run/netns/NAME (as for IFLA_NET_NS_FD), closed when it goes
// away. An empty NAME opens nothing and fd() is -1. Throws Error naming NAME.
class NetnsFd {
public:
	explicit NetnsFd(const std::string &name);
	~NetnsFd();
	NetnsFd(const NetnsFd &) = delete;
	NetnsFd &operator=(const NetnsFd &) = delete;
	int fd() const { return fd_; }

private:
	int fd_ = -1;
};

// Joins /run/netns/NAME and remounts /sys in a private mount namespace so
// that sysfs shows that namespace's devices. Throws Error naming NAME.
void enter_netns(const std::string &name);

} // namespace nettune
