// The kernel module's fixed-point CUBIC/HyStart++ arithmetic
// (kmod/cc/ntcubic_math.h), compiled into user space unchanged: this shim
// provides the few kernel types and helpers it uses. The unit tests and
// `nettune cc` call exactly the code the module runs.
#pragma once
#include <cstdint>

namespace nettune::cubic_math {
using u8 = std::uint8_t;
using u16 = std::uint16_t;
using u32 = std::uint32_t;
using u64 = std::uint64_t;

static inline u64 div_u64(u64 dividend, u32 divisor)
{
	return dividend / divisor;
}
static inline u64 div64_u64(u64 dividend, u64 divisor)
{
	return dividend / divisor;
}

#include "../../kmod/cc/ntcubic_math.h"
} // namespace nettune::cubic_math
