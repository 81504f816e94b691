#include "modules.hpp"

#include "sysfs.hpp"

#include <sys/utsname.h>

namespace nettune {

const std::vector<std::string> &project_modules()
{
	static const std::vector<std::string> names = {"ntvnic", "ntbypass", "tcp_ntcubic"};
	return names;
}

ModuleState module_state(const std::string &name)
{
	ModuleState st;
	st.name = name;
	std::string dir = "/sys/module/" + name;
	auto init = try_read_file(dir + "/initstate");
	st.loaded = init && trim(*init) == "live";
	if (!st.loaded)
		return st;
	st.version = trim(try_read_file(dir + "/version").value_or(""));
	st.srcversion = trim(try_read_file(dir + "/srcversion").value_or(""));
	if (auto rc = try_read_file(dir + "/refcnt"))
		st.refcount = std::stol(trim(*rc));
	return st;
}

std::string kernel_release()
{
	utsname u{};
	uname(&u);
	return u.release;
}

} // namespace nettune
