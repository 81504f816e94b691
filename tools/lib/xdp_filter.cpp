#include "xdp_filter.hpp"

#include "error.hpp"
#include "ethtool.hpp"
#include "sysfs.hpp"

#include <algorithm>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <fcntl.h>
#include <linux/if_link.h>
#include <memory>
#include <net/if.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "xdp_filter.skel.h"

namespace nettune::xdp {

namespace {

constexpr long kBpfFsMagic = 0xcafe4a11;
const char *const kMapNames[] = {"deny_v4",     "deny_v6",       "deny_ports",
				 "syn_buckets", "filter_config", "counters"};

// Owns a file descriptor.
class Fd {
public:
	Fd() = default;
	explicit Fd(int fd) : fd_(fd) {}
	~Fd()
	{
		if (fd_ >= 0)
			close(fd_);
	}
	Fd(Fd &&o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
	Fd &operator=(Fd &&o) noexcept
	{
		std::swap(fd_, o.fd_);
		return *this;
	}
	int get() const { return fd_; }
	explicit operator bool() const { return fd_ >= 0; }

private:
	int fd_ = -1;
};

std::string libbpf_log;

int capture_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	char buf[1024];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	libbpf_log += buf;
	return 0;
}

std::string root_dir()
{
	return std::string(kBpffs) + "/nettune/xdp";
}

bool is_bpffs(const char *path)
{
	struct statfs st {};
	return statfs(path, &st) == 0 && st.f_type == kBpfFsMagic;
}

bool in_initial_mount_namespace()
{
	struct stat self {
	}, init{};
	if (stat("/proc/self/ns/mnt", &self) < 0 || stat("/proc/1/ns/mnt", &init) < 0)
		return false;
	return self.st_ino == init.st_ino && self.st_dev == init.st_dev;
}

void mkdir_p(const std::string &path)
{
	std::string cur;
	for (const auto &part : split(path, '/')) {
		if (part.empty())
			continue;
		cur += "/" + part;
		if (mkdir(cur.c_str(), 0700) < 0 && errno != EEXIST)
			throw Error(errno_message("cannot create " + cur, errno));
	}
}

void remove_dir(const std::string &dir)
{
	for (const auto &name : list_dir(dir))
		unlink((dir + "/" + name).c_str());
	rmdir(dir.c_str());
}

struct LinkState {
	Fd fd;
	bpf_link_info info{};
};

// The pinned link of `dir`, if there is one.
std::optional<LinkState> open_link(const std::string &dir)
{
	LinkState l;
	l.fd = Fd(bpf_obj_get((dir + "/link").c_str()));
	if (!l.fd)
		return std::nullopt;
	uint32_t len = sizeof(l.info);
	if (bpf_obj_get_info_by_fd(l.fd.get(), &l.info, &len) < 0)
		return std::nullopt;
	return l;
}

std::string attach_mode_of(int ifindex, uint32_t prog_id)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	if (bpf_xdp_query(ifindex, 0, &q) < 0)
		return "?";
	if (q.drv_prog_id == prog_id)
		return "native";
	if (q.skb_prog_id == prog_id)
		return "generic";
	if (q.hw_prog_id == prog_id)
		return "offload";
	return "?";
}

std::string ifname_of(int ifindex)
{
	char name[IF_NAMESIZE] = {};
	return if_indextoname(unsigned(ifindex), name) ? name : "";
}

int ifindex_of(const std::string &dev)
{
	if (dev.empty() || dev.size() >= IF_NAMESIZE)
		throw UsageError("'" + dev + "' is not a device name");
	unsigned idx = if_nametoindex(dev.c_str());
	if (!idx)
		throw Error("no device '" + dev + "' in this network namespace");
	return int(idx);
}

std::string driver_of(const std::string &dev)
{
	try {
		return ethtool::Device(dev).driver_info().driver;
	} catch (const std::exception &) {
		return "?";
	}
}

// Removes the pin directories whose link's device is gone.
void remove_defunct_pins()
{
	const std::string root = root_dir();
	for (const auto &name : list_dir(root)) {
		if (!parse_pin_dir_name(name))
			continue;
		const std::string dir = root + "/" + name;
		auto link = open_link(dir);
		if (link && link->info.xdp.ifindex == 0)
			remove_dir(dir);
	}
}

std::optional<Attachment> attachment_at(const std::string &dir, int ifindex)
{
	auto link = open_link(dir);
	if (!link || int(link->info.xdp.ifindex) != ifindex)
		return std::nullopt;
	Attachment a;
	a.dev = ifname_of(ifindex);
	if (a.dev.empty())
		return std::nullopt;
	a.ifindex = ifindex;
	a.dir = dir;
	a.prog_id = link->info.prog_id;
	a.link_id = link->info.id;
	a.mode = attach_mode_of(ifindex, a.prog_id);
	return a;
}

uint32_t xdp_flags(Mode m)
{
	switch (m) {
	case Mode::native:
		return XDP_FLAGS_DRV_MODE;
	case Mode::generic:
		return XDP_FLAGS_SKB_MODE;
	default:
		return 0;
	}
}

using Skeleton = std::unique_ptr<xdp_filter_bpf, decltype(&xdp_filter_bpf::destroy)>;

bpf_map *skeleton_map(xdp_filter_bpf &s, const std::string &name)
{
	for (bpf_map *m : {s.maps.deny_v4, s.maps.deny_v6, s.maps.deny_ports, s.maps.syn_buckets,
			   s.maps.filter_config, s.maps.counters})
		if (name == bpf_map__name(m))
			return m;
	throw Error("internal: no map " + name + " in the XDP filter object");
}

// Opens the skeleton and loads it, reusing the pinned maps of `dir` if
// `reuse` (a --force re-attach keeps rules and counters).
Skeleton load_program(const std::string &dir, bool reuse)
{
	libbpf_log.clear();
	libbpf_set_print(capture_libbpf);
	Skeleton skel(xdp_filter_bpf::open(), xdp_filter_bpf::destroy);
	if (!skel)
		throw Error(errno_message("cannot open the XDP filter program", errno));
	std::vector<Fd> reused;
	if (reuse)
		for (const char *name : kMapNames) {
			Fd fd(bpf_obj_get((dir + "/" + name).c_str()));
			if (!fd)
				throw Error(errno_message(
					"cannot open pinned map " + dir + "/" + name, errno));
			if (bpf_map__reuse_fd(skeleton_map(*skel, name), fd.get()) < 0)
				throw Error("pinned map " + dir + "/" + name +
					    " does not match this program's (detach first)");
			reused.push_back(std::move(fd));
		}
	if (xdp_filter_bpf::load(skel.get()) < 0) {
		int err = errno;
		std::string log = libbpf_log;
		if (log.size() > 2000)
			log = "..." + log.substr(log.size() - 2000);
		throw Error(errno_message("cannot load the XDP filter program", err) +
			    (log.empty() ? "" : "\n" + log));
	}
	return skel;
}

[[noreturn]] void throw_link_error(const std::string &dev, Mode mode, int err)
{
	if (err == EOPNOTSUPP && mode == Mode::native)
		throw Error(dev + ": driver '" + driver_of(dev) +
			    "' has no native XDP; 'mode generic' runs the program in the "
			    "stack's generic XDP hook on any device");
	if (err == EEXIST || err == EBUSY)
		throw Error(errno_message(dev + ": cannot attach in " + mode_name(mode) +
						  " mode (another XDP program, or one in the "
						  "other mode, is there)",
					  err));
	throw Error(errno_message(dev + ": cannot attach the XDP program", err));
}

Fd create_link(const std::string &dev, int ifindex, int prog_fd, Mode mode)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = xdp_flags(mode));
	int fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &opts);
	if (fd < 0)
		throw_link_error(dev, mode, errno);
	return Fd(fd);
}

struct Foreign {
	uint32_t prog_id = 0;
	uint32_t flags = 0; // mode flag for bpf_xdp_detach
	std::string mode;
};

// An XDP program on the device that is not `ours` (0: we have none there).
std::optional<Foreign> foreign_program(int ifindex, uint32_t ours)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	if (bpf_xdp_query(ifindex, 0, &q) < 0)
		return std::nullopt;
	if (q.drv_prog_id && q.drv_prog_id != ours)
		return Foreign{q.drv_prog_id, XDP_FLAGS_DRV_MODE, "native"};
	if (q.skb_prog_id && q.skb_prog_id != ours)
		return Foreign{q.skb_prog_id, XDP_FLAGS_SKB_MODE, "generic"};
	if (q.hw_prog_id && q.hw_prog_id != ours)
		return Foreign{q.hw_prog_id, XDP_FLAGS_HW_MODE, "offload"};
	return std::nullopt;
}

void pin(int fd, const std::string &path)
{
	if (bpf_obj_pin(fd, path.c_str()) < 0)
		throw Error(errno_message("cannot pin " + path, errno));
}

// Iterates a map's keys (get_next_key), calling fn(key).
template <typename Key, typename Fn> void for_each_key(int fd, Fn fn)
{
	Key key{}, next{};
	const void *prev = nullptr;
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		fn(key);
		prev = &key;
	}
}

} // namespace

Mode parse_mode(const std::string &word)
{
	if (word == "native" || word == "drv")
		return Mode::native;
	if (word == "generic" || word == "skb")
		return Mode::generic;
	throw UsageError("mode '" + word + "' is not native or generic");
}

std::string mode_name(Mode m)
{
	switch (m) {
	case Mode::native:
		return "native";
	case Mode::generic:
		return "generic";
	default:
		return "auto";
	}
}

std::string pin_dir(const std::string &root, uint64_t netns_inode, int ifindex)
{
	return root + "/nettune/xdp/" + std::to_string(netns_inode) + "-" + std::to_string(ifindex);
}

std::optional<std::pair<uint64_t, int>> parse_pin_dir_name(const std::string &name)
{
	auto dash = name.find('-');
	if (dash == std::string::npos || dash == 0 || dash + 1 == name.size())
		return std::nullopt;
	auto digits = [](const std::string &s) {
		return s.find_first_not_of("0123456789") == std::string::npos && s.size() < 19;
	};
	std::string ino = name.substr(0, dash), idx = name.substr(dash + 1);
	if (!digits(ino) || !digits(idx) || idx.size() > 9)
		return std::nullopt;
	return std::pair{std::stoull(ino), std::stoi(idx)};
}

uint64_t current_netns_inode()
{
	struct stat st {};
	if (stat("/proc/self/ns/net", &st) < 0)
		throw Error(errno_message("cannot stat /proc/self/ns/net", errno));
	return st.st_ino;
}

void ensure_bpffs()
{
	if (is_bpffs(kBpffs))
		return;
	if (!in_initial_mount_namespace())
		throw Error(std::string("bpffs is not mounted at ") + kBpffs +
			    " in this mount namespace (as after 'ip netns exec'), and pins made "
			    "here would vanish with this process: use 'nettune -n NETNS xdp ...' "
			    "or mount bpffs first (mount -t bpf bpf /sys/fs/bpf)");
	if (mount("bpf", kBpffs, "bpf", 0, "mode=0700") < 0)
		throw Error(errno_message(std::string("bpffs is not mounted at ") + kBpffs +
						  " and mounting it failed",
					  errno));
	fprintf(stderr, "nettune: mounted bpffs at %s\n", kBpffs);
}

std::vector<Attachment> attached()
{
	if (!is_bpffs(kBpffs))
		return {};
	remove_defunct_pins();
	const uint64_t ino = current_netns_inode();
	std::vector<Attachment> out;
	for (const auto &name : list_dir(root_dir())) {
		auto id = parse_pin_dir_name(name);
		if (!id || id->first != ino)
			continue;
		if (auto a = attachment_at(root_dir() + "/" + name, id->second))
			out.push_back(*a);
	}
	std::sort(out.begin(), out.end(), [](auto &a, auto &b) { return a.dev < b.dev; });
	return out;
}

Attachment select_target(const std::optional<std::string> &dev)
{
	if (dev) {
		int ifindex = ifindex_of(*dev);
		if (is_bpffs(kBpffs)) {
			remove_defunct_pins();
			auto a = attachment_at(pin_dir(kBpffs, current_netns_inode(), ifindex),
					       ifindex);
			if (a)
				return *a;
		}
		throw Error(*dev + ": nettune xdp is not attached (nettune xdp attach " + *dev +
			    ")");
	}
	auto all = attached();
	if (all.empty())
		throw Error("nothing attached: no device in this network namespace has nettune "
			    "xdp (nettune xdp attach DEV)");
	if (all.size() > 1) {
		std::string names;
		for (const auto &a : all)
			names += (names.empty() ? "" : ", ") + a.dev;
		throw UsageError("nettune xdp is attached to several devices (" + names +
				 "): say which with 'dev DEV'");
	}
	return all.front();
}

AttachResult attach(const std::string &dev, Mode mode, bool force)
{
	const int ifindex = ifindex_of(dev);
	ensure_bpffs();
	remove_defunct_pins();
	const std::string dir = pin_dir(kBpffs, current_netns_inode(), ifindex);
	auto ours = attachment_at(dir, ifindex);
	if (!ours && !list_dir(dir).empty())
		remove_dir(dir); // a half-made directory of an attach that failed
	if (ours && !force)
		throw Error(dev + ": nettune xdp is already attached (" + ours->mode +
			    " mode, program id " + std::to_string(ours->prog_id) +
			    "); detach it first, or attach --force to replace the program "
			    "(rules are kept)");
	auto foreign = foreign_program(ifindex, ours ? ours->prog_id : 0);
	if (foreign && !force)
		throw Error(dev + ": another XDP program (id " + std::to_string(foreign->prog_id) +
			    ") is attached in " + foreign->mode +
			    " mode; attach --force replaces it");

	Skeleton skel = load_program(dir, ours.has_value());
	const int prog_fd = bpf_program__fd(skel->progs.xdp_filter);
	AttachResult res;
	res.replaced = ours || foreign;
	res.kept_rules = ours.has_value();

	if (foreign && bpf_xdp_detach(ifindex, foreign->flags, nullptr) < 0)
		throw Error(errno_message(dev + ": cannot remove the XDP program (id " +
						  std::to_string(foreign->prog_id) +
						  ") that is there (a BPF link may hold it)",
					  errno));
	if (ours) {
		auto link = open_link(dir);
		if (link && (mode == Mode::any || mode_name(mode) == ours->mode)) {
			// Same mode: swap the program under the link, atomically.
			if (bpf_link_update(link->fd.get(), prog_fd, nullptr) < 0)
				throw Error(
					errno_message(dev + ": cannot replace the program", errno));
			res.att = *attachment_at(dir, ifindex);
			return res;
		}
		// Another mode: the old link goes first (a device runs one mode).
		if (link)
			bpf_link_detach(link->fd.get());
		unlink((dir + "/link").c_str());
		Fd fd = create_link(dev, ifindex, prog_fd, mode);
		pin(fd.get(), dir + "/link");
		res.att = *attachment_at(dir, ifindex);
		return res;
	}

	Fd link = create_link(dev, ifindex, prog_fd, mode);
	try {
		mkdir_p(dir);
		for (const char *name : kMapNames)
			pin(bpf_map__fd(skeleton_map(*skel, name)), dir + "/" + name);
		pin(link.get(), dir + "/link");
	} catch (...) {
		bpf_link_detach(link.get());
		remove_dir(dir);
		throw;
	}
	auto a = attachment_at(dir, ifindex);
	if (!a)
		throw Error(dev + ": attached, but the pinned link does not report the device");
	res.att = *a;
	return res;
}

Attachment detach(const std::string &dev)
{
	const int ifindex = ifindex_of(dev);
	const std::string dir =
		is_bpffs(kBpffs) ? pin_dir(kBpffs, current_netns_inode(), ifindex) : "";
	auto a = dir.empty() ? std::nullopt : attachment_at(dir, ifindex);
	if (!a)
		throw Error(dev + ": nettune xdp is not attached");
	auto link = open_link(dir);
	if (link && bpf_link_detach(link->fd.get()) < 0 && errno != ENOLINK)
		throw Error(errno_message(dev + ": cannot detach the XDP program", errno));
	remove_dir(dir);
	return *a;
}

// ---- Filter -----------------------------------------------------------------

Filter::Filter(const Attachment &att) : att_(att)
{
	v4_ = open_map("deny_v4");
	v6_ = open_map("deny_v6");
	ports_ = open_map("deny_ports");
	syn_ = open_map("syn_buckets");
	config_ = open_map("filter_config");
	counters_ = open_map("counters");
}

Filter::~Filter()
{
	for (int fd : {v4_, v6_, ports_, syn_, config_, counters_})
		if (fd >= 0)
			close(fd);
}

int Filter::open_map(const char *name)
{
	const std::string path = att_.dir + "/" + name;
	int fd = bpf_obj_get(path.c_str());
	if (fd < 0)
		throw Error(errno_message(att_.dev + ": cannot open pinned map " + path, errno));
	return fd;
}

namespace {

// Inserts key with zero hits; false if it was there.
bool insert_rule(int fd, const void *key, const std::string &what, size_t capacity)
{
	xdpf_rule zero{};
	if (bpf_map_update_elem(fd, key, &zero, BPF_NOEXIST) == 0)
		return true;
	if (errno == EEXIST)
		return false;
	if (errno == ENOSPC || errno == E2BIG)
		throw Error(what + ": the table is full (" + std::to_string(capacity) +
			    " entries)");
	throw Error(errno_message(what, errno));
}

bool delete_rule(int fd, const void *key, const std::string &what)
{
	if (bpf_map_delete_elem(fd, key) == 0)
		return true;
	if (errno == ENOENT)
		return false;
	throw Error(errno_message(what, errno));
}

} // namespace

bool Filter::block(const Prefix &p)
{
	const std::string what = att_.dev + ": block " + bypass::format_prefix(p);
	if (p.family == AF_INET) {
		auto k = v4_key(p);
		return insert_rule(v4_, &k, what, XDPF_MAX_PREFIXES);
	}
	auto k = v6_key(p);
	return insert_rule(v6_, &k, what, XDPF_MAX_PREFIXES);
}

bool Filter::unblock(const Prefix &p)
{
	const std::string what = att_.dev + ": unblock " + bypass::format_prefix(p);
	if (p.family == AF_INET) {
		auto k = v4_key(p);
		return delete_rule(v4_, &k, what);
	}
	auto k = v6_key(p);
	return delete_rule(v6_, &k, what);
}

bool Filter::deny(const PortRule &r)
{
	uint32_t k = port_key(r);
	return insert_rule(ports_, &k,
			   att_.dev + ": deny " + proto_name(r.proto) + " " +
				   std::to_string(r.port),
			   XDPF_MAX_PORTS);
}

bool Filter::allow(const PortRule &r)
{
	uint32_t k = port_key(r);
	return delete_rule(ports_, &k,
			   att_.dev + ": allow " + proto_name(r.proto) + " " +
				   std::to_string(r.port));
}

void Filter::set_synlimit(const std::optional<SynLimit> &s)
{
	const xdpf_config c = make_config(s.value_or(SynLimit{}));
	uint32_t zero = 0;
	if (bpf_map_update_elem(config_, &zero, &c, BPF_ANY) < 0)
		throw Error(errno_message(att_.dev + ": cannot write the synlimit configuration",
					  errno));
	if (s)
		return;
	// Off: forget every source's bucket.
	std::vector<xdpf_syn_key> keys;
	for_each_key<xdpf_syn_key>(syn_, [&](const xdpf_syn_key &k) { keys.push_back(k); });
	for (const auto &k : keys)
		bpf_map_delete_elem(syn_, &k);
}

RuleSet Filter::rules() const
{
	RuleSet rs;
	xdpf_rule hits{};
	for_each_key<xdpf_v4_key>(v4_, [&](const xdpf_v4_key &k) {
		if (bpf_map_lookup_elem(v4_, &k, &hits) == 0)
			rs.blocked.emplace_back(decode_v4_key(k), hits.hits);
	});
	for_each_key<xdpf_v6_key>(v6_, [&](const xdpf_v6_key &k) {
		if (bpf_map_lookup_elem(v6_, &k, &hits) == 0)
			rs.blocked.emplace_back(decode_v6_key(k), hits.hits);
	});
	for_each_key<uint32_t>(ports_, [&](const uint32_t &k) {
		if (bpf_map_lookup_elem(ports_, &k, &hits) == 0)
			rs.denied.emplace_back(decode_port_key(k), hits.hits);
	});
	std::sort(rs.denied.begin(), rs.denied.end(),
		  [](auto &a, auto &b) { return port_key(a.first) < port_key(b.first); });
	uint32_t zero = 0;
	xdpf_config c{};
	if (bpf_map_lookup_elem(config_, &zero, &c) == 0)
		rs.synlimit = config_synlimit(c);
	for_each_key<xdpf_syn_key>(syn_, [&](const xdpf_syn_key &) { rs.syn_sources++; });
	return rs;
}

Stats Filter::stats() const
{
	const int ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0)
		throw Error("cannot count possible CPUs");
	std::vector<std::array<Counter, XDPF_NR_REASONS>> per_cpu(ncpus);
	std::vector<xdpf_counter> values(ncpus);
	for (uint32_t r = 0; r < XDPF_NR_REASONS; r++) {
		if (bpf_map_lookup_elem(counters_, &r, values.data()) < 0)
			throw Error(errno_message(att_.dev + ": cannot read counters", errno));
		for (int c = 0; c < ncpus; c++)
			per_cpu[c][r] = {values[c].packets, values[c].bytes};
	}
	return aggregate(std::move(per_cpu));
}

} // namespace nettune::xdp
