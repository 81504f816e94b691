#include "netns.hpp"

#include "error.hpp"

#include <cerrno>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <unistd.h>

namespace nettune {

NetnsFd::NetnsFd(const std::string &name)
{
	if (name.empty())
		return;
	const std::string path = "/run/netns/" + name;
	fd_ = open(path.c_str(), O_RDONLY | O_CLOEXEC);
	if (fd_ < 0)
		throw Error(
			errno_message("network namespace '" + name + "' (" + path + ")", errno));
}

NetnsFd::~NetnsFd()
{
	if (fd_ >= 0)
		close(fd_);
}

static constexpr const char *kBpffsPath = "/sys/fs/bpf";

// A detached copy of the bpffs mount at /sys/fs/bpf, or -1 if none.
static int clone_bpffs_mount()
{
	constexpr long bpf_fs_magic = 0xcafe4a11;
	struct statfs st {};
	if (statfs(kBpffsPath, &st) < 0 || st.f_type != bpf_fs_magic)
		return -1;
	return open_tree(AT_FDCWD, kBpffsPath, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
}

void enter_netns(const std::string &name)
{
	if (name.empty() || name.find('/') != std::string::npos)
		throw UsageError("invalid network namespace name '" + name + "'");
	const NetnsFd ns(name);
	int rc = setns(ns.fd(), CLONE_NEWNET);
	int err = errno;
	if (rc < 0)
		throw Error(errno_message("cannot enter network namespace '" + name + "'", err));

	// Same as iproute2's netns_switch(): a private /sys for this namespace.
	if (unshare(CLONE_NEWNS) < 0)
		throw Error(errno_message("unshare(CLONE_NEWNS)", errno));
	if (mount("", "/", "none", MS_SLAVE | MS_REC, nullptr) < 0)
		throw Error(errno_message("cannot make / a slave mount", errno));
	// bpffs lives under /sys (pins of `nettune xdp`): carry that mount over
	// to the new /sys, so that pins made here are the caller's, not a
	// private instance that dies with this process.
	const int bpffs = clone_bpffs_mount();
	umount2("/sys", MNT_DETACH);
	if (mount(name.c_str(), "/sys", "sysfs", 0, nullptr) < 0)
		throw Error(errno_message("cannot mount sysfs for '" + name + "'", errno));
	if (bpffs >= 0) {
		move_mount(bpffs, "", AT_FDCWD, kBpffsPath, MOVE_MOUNT_F_EMPTY_PATH);
		close(bpffs);
	}
}

} // namespace nettune
