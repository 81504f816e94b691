// BTF as `nettune trace` reads it, on BTF built here with libbpf's writer
// (no kernel needed): drop reason names and sk_buff argument positions.
#include "trace_btf.hpp"

#include <bpf/btf.h>
#include <catch2/catch.hpp>
#include <memory>

using namespace nettune::trace;

namespace {

using BtfPtr = std::unique_ptr<struct btf, decltype(&btf__free)>;

} // namespace

TEST_CASE("drop reason names come from the BTF enum, prefix stripped")
{
	BtfPtr b(btf__new_empty(), btf__free);
	REQUIRE(b);
	int id = btf__add_enum(b.get(), "skb_drop_reason", 4);
	REQUIRE(id > 0);
	btf__add_enum_value(b.get(), "SKB_NOT_DROPPED_YET", 0);
	btf__add_enum_value(b.get(), "SKB_DROP_REASON_NOT_SPECIFIED", 2);
	btf__add_enum_value(b.get(), "SKB_DROP_REASON_NO_SOCKET", 3);
	btf__add_enum_value(b.get(), "SKB_DROP_REASON_NETFILTER_DROP", 7);
	auto r = drop_reasons_from_btf(b.get());
	CHECK(r.size() == 4);
	CHECK(drop_reason_name(r, 2) == "NOT_SPECIFIED");
	CHECK(drop_reason_name(r, 3) == "NO_SOCKET");
	CHECK(drop_reason_name(r, 7) == "NETFILTER_DROP");
	CHECK(drop_reason_name(r, 0) == "SKB_NOT_DROPPED_YET");
	CHECK(drop_reason_name(r, 99) == "reason 99");
	CHECK(strip_drop_reason_prefix("SKB_DROP_REASON_TCP_CSUM") == "TCP_CSUM");
	CHECK(strip_drop_reason_prefix("SKB_CONSUMED") == "SKB_CONSUMED");
}

TEST_CASE("a BTF without enum skb_drop_reason gives no names")
{
	BtfPtr b(btf__new_empty(), btf__free);
	btf__add_int(b.get(), "int", 4, BTF_INT_SIGNED);
	CHECK(drop_reasons_from_btf(b.get()).empty());
}

TEST_CASE("functions with a struct sk_buff * argument, and its position")
{
	BtfPtr b(btf__new_empty(), btf__free);
	int int_t = btf__add_int(b.get(), "int", 4, BTF_INT_SIGNED);
	int skb = btf__add_struct(b.get(), "sk_buff", 0);
	int dev = btf__add_struct(b.get(), "net_device", 0);
	int skb_ptr = btf__add_ptr(b.get(), skb);
	int const_skb = btf__add_const(b.get(), skb);
	int const_skb_ptr = btf__add_ptr(b.get(), const_skb);
	int dev_ptr = btf__add_ptr(b.get(), dev);
	int skb_pp = btf__add_ptr(b.get(), skb_ptr); // struct sk_buff **: not an skb

	auto func = [&](const char *name, std::vector<int> args) {
		int proto = btf__add_func_proto(b.get(), int_t);
		for (int a : args)
			btf__add_func_param(b.get(), "x", a);
		btf__add_func(b.get(), name, BTF_FUNC_GLOBAL, proto);
	};
	func("ip_rcv", {skb_ptr, dev_ptr, int_t});
	func("ntvnic_start_xmit", {skb_ptr, dev_ptr});
	func("napi_gro_receive", {dev_ptr, const_skb_ptr});
	func("no_skb", {dev_ptr, int_t});
	func("skb_list_thing", {skb_pp});
	func("sixth", {int_t, int_t, int_t, int_t, int_t, skb_ptr});
	func("fifth", {int_t, int_t, int_t, int_t, skb_ptr});

	auto fs = skb_functions_in(b.get(), 1, "mod");
	REQUIRE(fs.size() == 4);
	CHECK(fs[0].name == "ip_rcv");
	CHECK(fs[0].arg == 1);
	CHECK(fs[0].module == "mod");
	CHECK(fs[1].name == "ntvnic_start_xmit");
	CHECK(fs[2].name == "napi_gro_receive");
	CHECK(fs[2].arg == 2);
	CHECK(fs[3].name == "fifth");
	CHECK(fs[3].arg == 5);
}
