#include "run.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

static std::string slurp(const std::string &path)
{
	std::ifstream in(path);
	std::ostringstream ss;
	ss << in.rdbuf();
	return ss.str();
}

static std::string shell_quote(const std::string &s)
{
	std::string q = "'";
	for (char c : s)
		q += c == '\'' ? std::string("'\\''") : std::string(1, c);
	return q + "'";
}

RunResult run_nettune(const std::vector<std::string> &args)
{
	char dir[] = "/tmp/nettune-test-XXXXXX";
	if (!mkdtemp(dir))
		return {-1, "", "mkdtemp failed"};
	std::string out = std::string(dir) + "/out", err = std::string(dir) + "/err";
	std::string cmd = shell_quote(NETTUNE_BINARY);
	for (const auto &a : args)
		cmd += " " + shell_quote(a);
	cmd += " >" + out + " 2>" + err;
	int status = std::system(cmd.c_str());
	RunResult r{WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
	unlink(out.c_str());
	unlink(err.c_str());
	rmdir(dir);
	return r;
}
