// Runs the freshly built nettune binary and captures what it printed.
#pragma once
#include <string>
#include <vector>

struct RunResult {
	int exit_code;
	std::string out;
	std::string err;
};

RunResult run_nettune(const std::vector<std::string> &args);
