#include "error.hpp"

#include <cstring>

namespace nettune {

std::string errno_message(const std::string &what, int errnum)
{
	return what + ": " + std::strerror(errnum);
}

} // namespace nettune
