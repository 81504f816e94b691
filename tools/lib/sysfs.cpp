#include "sysfs.hpp"

#include "error.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace nettune {

std::optional<std::string> try_read_file(const std::string &path)
{
	std::ifstream in(path);
	if (!in)
		return std::nullopt;
	std::ostringstream ss;
	ss << in.rdbuf();
	return ss.str();
}

std::string read_file(const std::string &path)
{
	auto text = try_read_file(path);
	if (!text)
		throw Error(errno_message("cannot read " + path, errno));
	return *text;
}

std::string trim(const std::string &s)
{
	const char *ws = " \t\r\n";
	auto b = s.find_first_not_of(ws);
	if (b == std::string::npos)
		return "";
	auto e = s.find_last_not_of(ws);
	return s.substr(b, e - b + 1);
}

std::string read_line(const std::string &path)
{
	auto text = read_file(path);
	return trim(text.substr(0, text.find('\n')));
}

uint64_t read_u64(const std::string &path)
{
	auto line = read_line(path);
	uint64_t v = 0;
	auto [p, ec] = std::from_chars(line.data(), line.data() + line.size(), v);
	if (ec != std::errc() || p != line.data() + line.size())
		throw Error(path + ": not a number: '" + line + "'");
	return v;
}

int write_file_errno(const std::string &path, const std::string &text)
{
	int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		throw Error(errno_message("cannot open " + path, errno));
	ssize_t n = ::write(fd, text.data(), text.size());
	int err = n < 0 ? errno : 0;
	::close(fd);
	if (err == 0 && n != static_cast<ssize_t>(text.size()))
		err = EIO;
	return err;
}

void write_file(const std::string &path, const std::string &text)
{
	if (int err = write_file_errno(path, text))
		throw Error(errno_message("cannot write '" + text + "' to " + path, err));
}

std::vector<std::string> list_dir(const std::string &path)
{
	std::vector<std::string> names;
	DIR *d = opendir(path.c_str());
	if (!d)
		return names;
	while (auto *e = readdir(d)) {
		std::string n = e->d_name;
		if (n != "." && n != "..")
			names.push_back(n);
	}
	closedir(d);
	std::sort(names.begin(), names.end());
	return names;
}

std::vector<std::string> split(const std::string &s, char sep)
{
	std::vector<std::string> out;
	std::string cur;
	std::istringstream in(s);
	while (std::getline(in, cur, sep))
		out.push_back(cur);
	return out;
}

std::vector<std::string> split_whitespace(const std::string &s)
{
	std::vector<std::string> out;
	std::istringstream in(s);
	std::string w;
	while (in >> w)
		out.push_back(w);
	return out;
}

} // namespace nettune
