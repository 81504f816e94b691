// Error kinds every nettune command shares; main() maps them to exit codes.
#pragma once
#include <stdexcept>
#include <string>

namespace nettune {

// An operation failed (kernel refused, device missing, I/O error): exit 1.
struct Error : std::runtime_error {
	using std::runtime_error::runtime_error;
};

// The command line was wrong (unknown keyword, bad number): exit 2.
struct UsageError : std::runtime_error {
	using std::runtime_error::runtime_error;
};

// Builds "what: strerror(errnum)".
std::string errno_message(const std::string &what, int errnum);

} // namespace nettune
