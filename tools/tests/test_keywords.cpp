#include "error.hpp"
#include "keywords.hpp"
#include "sysfs.hpp"
#include "table.hpp"

#include <catch2/catch.hpp>
#include <sstream>

using nettune::KeywordArgs;
using nettune::UsageError;

TEST_CASE("keyword arguments parse values and flags")
{
	KeywordArgs k({"queues", "peer"}, {"both"});
	k.parse({"queues", "4", "both", "peer", "nt1"});
	CHECK(k.get_uint("queues", 1, 64) == 4);
	CHECK(k.get("peer") == "nt1");
	CHECK(k.has("both"));
	CHECK_FALSE(k.has("rx-ring"));
}

TEST_CASE("keyword argument errors name the keyword")
{
	auto message_of = [](std::vector<std::string> args) {
		KeywordArgs k({"queues"}, {"both"});
		try {
			k.parse(args);
			k.get_uint("queues", 1, 64);
		} catch (const UsageError &e) {
			return std::string(e.what());
		}
		return std::string("no error");
	};
	CHECK(message_of({"bogus"}) == "unknown keyword 'bogus'");
	CHECK(message_of({"queues"}) == "keyword 'queues' needs a value");
	CHECK(message_of({"queues", "1", "queues", "2"}) == "keyword 'queues' given twice");
	CHECK(message_of({"queues", "65"}) == "queues: 65 is out of range [1, 64]");
	CHECK(message_of({"queues", "4x"}) == "queues: '4x' is not a number");
}

TEST_CASE("tables align text left and numbers right")
{
	nettune::Table t({"NAME", "PACKETS"});
	t.add_row({"nt0", "5"});
	t.add_row({"longer", "12345"});
	std::ostringstream out;
	t.print(out);
	CHECK(out.str() == "NAME    PACKETS\n"
			   "nt0           5\n"
			   "longer    12345\n");
}

TEST_CASE("human counts")
{
	CHECK(nettune::human_count(999) == "999");
	CHECK(nettune::human_count(1500) == "1.5K");
	CHECK(nettune::human_count(2500000) == "2.5M");
}

TEST_CASE("split helpers")
{
	CHECK(nettune::split("a,b,,c", ',') == std::vector<std::string>{"a", "b", "", "c"});
	CHECK(nettune::split_whitespace("  cpu0  12 \t 34\n") ==
	      std::vector<std::string>{"cpu0", "12", "34"});
	CHECK(nettune::trim(" x \n") == "x");
}
