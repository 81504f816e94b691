// Decoding an ntvnic GET reply as the 6.1 driver builds it: top-level
// attributes, then one NTVNIC_A_QUEUE nest per queue, repeated.
#include "genl.hpp"
#include "vnic.hpp"

#include <catch2/catch.hpp>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <nlohmann/json.hpp>
#include <uapi/linux/ntvnic.h>

using namespace nettune;

namespace {

void put_queue(nl_msg *msg, uint32_t index, uint32_t irq, uint64_t rx_packets)
{
	nlattr *nest = nla_nest_start(msg, NTVNIC_A_QUEUE);
	nla_put_u32(msg, NTVNIC_QA_INDEX, index);
	nla_put_u32(msg, NTVNIC_QA_RX_IRQ, irq);
	nla_put_u32(msg, NTVNIC_QA_IRQ_CPU, index % 2);
	nla_put_u32(msg, NTVNIC_QA_NAPI_ID, 8200 + index);
	nla_put_u64(msg, NTVNIC_QA_RX_PACKETS, rx_packets);
	nla_put_u32(msg, NTVNIC_QA_TX_IRQ, irq + 100);
	nla_put_u32(msg, NTVNIC_QA_TX_IRQ_CPU, (index + 1) % 2);
	nla_put_u32(msg, NTVNIC_QA_TX_RING_USED, index * 3);
	nla_put_u64(msg, NTVNIC_QA_TX_STOPS, 10 + index);
	nla_put_u64(msg, NTVNIC_QA_TX_WAKES, 10 + index);
	nla_put_u64(msg, NTVNIC_QA_TX_KICKS, 20 + index);
	nla_nest_end(msg, nest);
}

NlMsgPtr reply(unsigned queues)
{
	NlMsgPtr msg(nlmsg_alloc(), nlmsg_free);
	genlmsg_put(msg.get(), 0, 0, 42, 0, 0, NTVNIC_CMD_GET, 1);
	nla_put_u32(msg.get(), NTVNIC_A_IFINDEX, 7);
	nla_put_string(msg.get(), NTVNIC_A_IFNAME, "nt0");
	nla_put_u32(msg.get(), NTVNIC_A_QUEUES, queues);
	nla_put_u32(msg.get(), NTVNIC_A_MODE, NTVNIC_MODE_LEGACY);
	nla_put_u8(msg.get(), NTVNIC_A_OPERSTATE, 6);
	uint32_t indir[NTVNIC_RSS_INDIR_SIZE];
	for (unsigned i = 0; i < NTVNIC_RSS_INDIR_SIZE; i++)
		indir[i] = i % queues;
	nla_put(msg.get(), NTVNIC_A_RSS_INDIR, sizeof(indir), indir);
	nla_put_string(msg.get(), NTVNIC_A_PEER_IFNAME, "nt1");
	nla_put_s32(msg.get(), NTVNIC_A_PEER_NETNSID, 3);
	nla_put_u32(msg.get(), NTVNIC_A_RX_USECS, 250);
	nla_put_u32(msg.get(), NTVNIC_A_RX_FRAMES, 16);
	nla_put_u32(msg.get(), NTVNIC_A_TX_USECS, 1000);
	for (unsigned q = 0; q < queues; q++)
		put_queue(msg.get(), q, 40 + q, 1000 * (q + 1));
	return msg;
}

vnic::DeviceInfo decode(nl_msg *msg)
{
	std::vector<nlattr *> tb(NTVNIC_A_MAX + 1, nullptr);
	REQUIRE(genlmsg_parse(nlmsg_hdr(msg), 0, tb.data(), NTVNIC_A_MAX, nullptr) == 0);
	return vnic::parse_device(GenlAttrs(tb.data(), NTVNIC_A_MAX));
}

} // namespace

TEST_CASE("a GET reply with repeated queue nests yields every queue", "[vnic-genl]")
{
	auto msg = reply(4);
	auto d = decode(msg.get());
	CHECK(d.ifindex == 7);
	CHECK(d.name == "nt0");
	CHECK(d.peer == "nt1");
	CHECK(d.peer_netnsid == 3);
	CHECK(d.queues == 4);
	CHECK(d.mode == NTVNIC_MODE_LEGACY);
	CHECK(d.operstate == 6);
	CHECK(d.rx_usecs == 250);
	CHECK(d.rx_frames == 16);
	CHECK(d.tx_usecs == 1000);
	CHECK(d.tx_frames == 0); // absent reads as 0
	auto j = vnic::device_json(d);
	CHECK(j["coalesce"]["rx_usecs"] == 250);
	CHECK(j["coalesce"]["tx_frames"] == 0);
	REQUIRE(d.rss_indir.size() == NTVNIC_RSS_INDIR_SIZE);
	CHECK(d.rss_indir[5] == 1);
	REQUIRE(d.queue_list.size() == 4);
	for (unsigned q = 0; q < 4; q++) {
		INFO("queue " << q);
		CHECK(d.queue_list[q].index == q);
		CHECK(d.queue_list[q].rx_irq == 40 + q);
		CHECK(d.queue_list[q].napi_id == 8200 + q);
		CHECK(d.queue_list[q].counters.at("rx_packets") == 1000 * (q + 1));
		CHECK(d.queue_list[q].tx_irq == 140 + q);
		CHECK(d.queue_list[q].tx_irq_cpu == (q + 1) % 2);
		CHECK(d.queue_list[q].tx_ring_used == q * 3);
		CHECK(d.queue_list[q].counters.at("tx_stops") == 10 + q);
		CHECK(d.queue_list[q].counters.at("tx_wakes") == 10 + q);
		CHECK(d.queue_list[q].counters.at("tx_kicks") == 20 + q);
		CHECK(d.queue_list[q].counters.count("tx_irqs") == 0); // not sent
	}
}

TEST_CASE("a dump entry without queue nests has an empty queue list", "[vnic-genl]")
{
	auto msg = reply(0 + 1);
	auto d = decode(msg.get());
	REQUIRE(d.queue_list.size() == 1);
	NlMsgPtr bare(nlmsg_alloc(), nlmsg_free);
	genlmsg_put(bare.get(), 0, 0, 42, 0, 0, NTVNIC_CMD_GET, 1);
	nla_put_u32(bare.get(), NTVNIC_A_IFINDEX, 9);
	nla_put_string(bare.get(), NTVNIC_A_IFNAME, "nt9");
	auto b = decode(bare.get());
	CHECK(b.name == "nt9");
	CHECK(b.queue_list.empty());
	CHECK_FALSE(b.peer_netnsid);
}

TEST_CASE("native XDP: prog id and per-queue XDP counters decode", "[vnic-genl]")
{
	auto msg = reply(2);
	nla_put_u32(msg.get(), NTVNIC_A_XDP_PROG_ID, 77);
	nlattr *nest = nla_nest_start(msg.get(), NTVNIC_A_QUEUE);
	nla_put_u32(msg.get(), NTVNIC_QA_INDEX, 2);
	nla_put_u64(msg.get(), NTVNIC_QA_RX_XDP_PASS, 1);
	nla_put_u64(msg.get(), NTVNIC_QA_RX_XDP_DROP, 2);
	nla_put_u64(msg.get(), NTVNIC_QA_RX_XDP_TX, 3);
	nla_put_u64(msg.get(), NTVNIC_QA_RX_XDP_REDIRECT, 4);
	nla_put_u64(msg.get(), NTVNIC_QA_RX_XDP_ABORTED, 5);
	nla_put_u64(msg.get(), NTVNIC_QA_RX_XDP_TX_ERRORS, 6);
	nla_put_u64(msg.get(), NTVNIC_QA_TX_XDP_XMIT, 7);
	nla_put_u64(msg.get(), NTVNIC_QA_TX_XDP_XMIT_ERRORS, 8);
	nla_nest_end(msg.get(), nest);
	auto d = decode(msg.get());
	CHECK(d.xdp_prog_id == 77u);
	auto j = vnic::device_json(d);
	CHECK(j["xdp"]["mode"] == "native");
	CHECK(j["xdp"]["prog_id"] == 77);
	REQUIRE(d.queue_list.size() == 3);
	const auto &c = d.queue_list[2].counters;
	CHECK(c.at("rx_xdp_pass") == 1);
	CHECK(c.at("rx_xdp_drop") == 2);
	CHECK(c.at("rx_xdp_tx") == 3);
	CHECK(c.at("rx_xdp_redirect") == 4);
	CHECK(c.at("rx_xdp_aborted") == 5);
	CHECK(c.at("rx_xdp_tx_errors") == 6);
	CHECK(c.at("tx_xdp_xmit") == 7);
	CHECK(c.at("tx_xdp_xmit_errors") == 8);
	// Without a program the device has no "xdp" object.
	CHECK(vnic::device_json(decode(reply(1).get()))["xdp"].is_null());
}
