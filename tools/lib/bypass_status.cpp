#include "bypass_status.hpp"

#include "sysfs.hpp"

#include <charconv>
#include <sys/stat.h>

namespace nettune::bypass {

namespace {

std::optional<uint64_t> read_number(const std::string &path)
{
	auto text = try_read_file(path);
	if (!text)
		return std::nullopt;
	auto t = trim(*text);
	uint64_t v = 0;
	auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
	if (ec != std::errc() || p != t.data() + t.size())
		return std::nullopt;
	return v;
}

bool exists(const std::string &path)
{
	struct stat st;
	return stat(path.c_str(), &st) == 0;
}

} // namespace

ConntrackState read_conntrack_state(const std::string &proc_root, const std::string &sys_root)
{
	ConntrackState s;
	const std::string dir = proc_root + "/sys/net/netfilter/";
	s.count = read_number(dir + "nf_conntrack_count");
	s.max = read_number(dir + "nf_conntrack_max");
	s.loaded = s.count.has_value() || exists(sys_root + "/module/nf_conntrack");
	return s;
}

} // namespace nettune::bypass
