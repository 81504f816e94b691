// The conntrack half of `nettune bypass status`, on a fake /proc.
#include "bypass_status.hpp"

#include <catch2/catch.hpp>

using nettune::bypass::read_conntrack_state;

TEST_CASE("bypass status reads conntrack count and max")
{
	const std::string data = NETTUNE_TEST_DATA;
	auto s = read_conntrack_state(data + "/bypass-proc", data + "/bypass-sys-empty");
	CHECK(s.loaded);
	CHECK(s.count == 1234u);
	CHECK(s.max == 65536u);
}

TEST_CASE("bypass status without nf_conntrack")
{
	const std::string data = NETTUNE_TEST_DATA;
	auto s = read_conntrack_state(data + "/bypass-sys-empty", data + "/bypass-sys-empty");
	CHECK_FALSE(s.loaded);
	CHECK_FALSE(s.count);
	CHECK_FALSE(s.max);
}
