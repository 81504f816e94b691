// The per-queue picture of `nettune vnic show -s`: /proc/interrupts parsing,
// finding a queue's IRQ and affinity, joining ethtool -S counters, JSON.
#include "error.hpp"
#include "sysfs.hpp"
#include "vnic.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace nettune;

namespace {

const std::string data_dir = NETTUNE_TEST_DATA;
const std::string proc_irq = data_dir + "/vnic-proc-irq";

// Two ports named nt0 in two namespaces share /proc/interrupts; a third
// line shares an IRQ between two handlers.
const char *ntvnic_interrupts = "           CPU0       CPU1       \n"
				"  0:         35          0   IO-APIC   2-edge      timer\n"
				" 45:         12       4096  ntvnic   0-edge      nt0-rx-0\n"
				" 46:       2048          7  ntvnic   1-edge      nt0-rx-1\n"
				" 47:          1          2  ntvnic   0-edge      nt0-rx-0\n"
				" 48:          5          6  IO-APIC  9-fasteoi   acpi, nt9-rx-0\n"
				" 49:          0        321  ntvnic   2-edge      nt0-tx-0\n"
				"NMI:          0          0   Non-maskable interrupts\n"
				"ERR:          0\n";

vnic::DeviceInfo two_queue_device()
{
	vnic::DeviceInfo d;
	d.name = "nt0";
	d.peer = "nt1";
	d.queues = 2;
	d.mode = 0;
	vnic::QueueInfo q0;
	q0.index = 0;
	q0.rx_irq = 45;
	q0.napi_id = 8193;
	d.queue_list.push_back(q0);
	return d;
}

ethtool::StatList two_queue_stats()
{
	return {{"rx_packets", 300},          {"rx_queue_0_packets", 100},
		{"rx_queue_0_bytes", 150000}, {"rx_queue_0_polls", 40},
		{"rx_queue_0_irqs", 30},      {"rx_queue_0_budget_exhausted", 2},
		{"rx_queue_0_ring_full", 5},  {"rx_queue_1_packets", 200},
		{"rx_queue_1_polls", 0},      {"tx_queue_0_packets", 9},
		{"tx_queue_0_irqs", 3},       {"tx_queue_0_stops", 2},
		{"tx_queue_0_wakes", 2},      {"tx_queue_1_packets", 11}};
}

} // namespace

TEST_CASE("/proc/interrupts captured on a 2-CPU machine parses every numbered line",
	  "[vnic-report]")
{
	auto lines =
		vnic::parse_proc_interrupts(read_file(data_dir + "/vnic-proc-interrupts-host.txt"));
	REQUIRE(lines.size() == 19);
	for (const auto &l : lines)
		CHECK(l.per_cpu.size() == 2);
	CHECK(lines[2].irq == 26);
	CHECK(lines[2].per_cpu == std::vector<uint64_t>{0, 13});
	CHECK(lines[2].labels.back() == "ttyS0");
	CHECK(lines.back().labels.back() == "virtio3-event");
}

TEST_CASE("shared IRQ lines list every handler name", "[vnic-report]")
{
	auto lines = vnic::parse_proc_interrupts(ntvnic_interrupts);
	REQUIRE(lines.size() == 6);
	CHECK(lines[4].labels.back() == "nt9-rx-0");
	CHECK(lines[4].labels[lines[4].labels.size() - 2] == "acpi");
	auto irq = vnic::find_queue_irq(lines, "nt9", 0, std::nullopt, proc_irq);
	REQUIRE(irq);
	CHECK(irq->irq == 48);
}

TEST_CASE("a queue's IRQ is found by name, its affinity read from /proc/irq", "[vnic-report]")
{
	auto lines = vnic::parse_proc_interrupts(ntvnic_interrupts);
	auto irq = vnic::find_queue_irq(lines, "nt0", 1, std::nullopt, proc_irq);
	REQUIRE(irq);
	CHECK(irq->irq == 46);
	CHECK(irq->name == "nt0-rx-1");
	CHECK(irq->per_cpu == std::vector<uint64_t>{2048, 7});
	CHECK(irq->affinity == "0-1");
	CHECK(irq->effective == "0");
	CHECK_FALSE(vnic::find_queue_irq(lines, "nt0", 2, std::nullopt, proc_irq));
	CHECK_FALSE(vnic::find_queue_irq(lines, "nt", 0, std::nullopt, proc_irq));
}

TEST_CASE("the driver's IRQ number picks the right one of two same-named queues", "[vnic-report]")
{
	auto lines = vnic::parse_proc_interrupts(ntvnic_interrupts);
	auto first = vnic::find_queue_irq(lines, "nt0", 0, 45, proc_irq);
	auto other = vnic::find_queue_irq(lines, "nt0", 0, 47, proc_irq);
	REQUIRE(first);
	REQUIRE(other);
	CHECK(first->irq == 45);
	CHECK(other->irq == 47);
	CHECK(other->per_cpu == std::vector<uint64_t>{1, 2});
	CHECK(other->affinity.empty()); // no /proc/irq/47 in the fixture
	// A stale hint falls back to the name.
	CHECK(vnic::find_queue_irq(lines, "nt0", 0, 99, proc_irq)->irq == 45);
}

TEST_CASE("the report joins ethtool -S counters, IRQs and NAPI figures per queue", "[vnic-report]")
{
	auto lines = vnic::parse_proc_interrupts(ntvnic_interrupts);
	auto r = vnic::build_report(two_queue_device(), two_queue_stats(), lines, proc_irq);
	CHECK(r.cpus == 2);
	REQUIRE(r.queues.size() == 2);
	REQUIRE(r.device_stats.size() == 1);
	CHECK(r.device_stats[0] == ethtool::Stat{"rx_packets", 300});
	const auto &q0 = r.queues[0];
	CHECK(q0.rx.at("packets") == 100);
	CHECK(q0.tx.at("packets") == 9);
	CHECK(q0.napi_id == 8193u);
	REQUIRE(q0.irq);
	CHECK(q0.irq->per_cpu == std::vector<uint64_t>{12, 4096});
	auto f = vnic::napi_figures(q0);
	CHECK(f.irqs == 30);
	CHECK(f.polls == 40);
	CHECK(f.packets_per_poll == Approx(2.5));
	CHECK(f.budget_exhausted == 2);
	CHECK(f.ring_full == 5);
	// No polls: packets per poll is 0, not a division by zero.
	CHECK(vnic::napi_figures(r.queues[1]).packets_per_poll == 0.0);
	CHECK(r.queues[1].irq->irq == 46);
	// The TX completion interrupt is found by its own name.
	REQUIRE(q0.tx_irq);
	CHECK(q0.tx_irq->irq == 49);
	CHECK(q0.tx_irq->name == "nt0-tx-0");
	CHECK(q0.tx_irq->per_cpu == std::vector<uint64_t>{0, 321});
	CHECK(q0.tx.at("stops") == 2);
	CHECK_FALSE(r.queues[1].tx_irq);
}

TEST_CASE("show -s JSON has device, peer, and one entry per queue", "[vnic-report]")
{
	auto lines = vnic::parse_proc_interrupts(ntvnic_interrupts);
	auto j = vnic::report_json(
		vnic::build_report(two_queue_device(), two_queue_stats(), lines, proc_irq));
	CHECK(j["device"] == "nt0");
	CHECK(j["peer"] == "nt1");
	CHECK(j["num_queues"] == 2);
	CHECK(j["mode"] == "napi");
	CHECK(j["stats"]["rx_packets"] == 300);
	REQUIRE(j["queues"].size() == 2);
	const auto &q0 = j["queues"][0];
	CHECK(q0["queue"] == 0);
	CHECK(q0["rx"]["bytes"] == 150000);
	CHECK(q0["tx"]["packets"] == 9);
	CHECK(q0["irqs"] == 30);
	CHECK(q0["polls"] == 40);
	CHECK(q0["packets_per_poll"] == 2.5);
	CHECK(q0["budget_exhausted"] == 2);
	CHECK(q0["ring_full_drops"] == 5);
	CHECK(q0["irq"]["number"] == 45);
	CHECK(q0["irq"]["affinity"] == "1");
	CHECK(q0["irq"]["per_cpu"] == nlohmann::json::array({12, 4096}));
	CHECK(q0["napi_id"] == 8193);
	CHECK(j["queues"][1]["irq"]["name"] == "nt0-rx-1");
	CHECK(q0["tx_irq"]["number"] == 49);
	CHECK(q0["tx_irq"]["per_cpu"] == nlohmann::json::array({0, 321}));
	CHECK(q0["tx"]["irqs"] == 3);
	CHECK(q0["tx"]["stops"] == 2);
	CHECK(j["queues"][1]["tx_irq"].is_null());
}

TEST_CASE("a queue whose IRQ is not requested (device down) reports null", "[vnic-report]")
{
	auto d = two_queue_device();
	d.name = "nt5";
	d.queue_list.clear();
	auto j = vnic::report_json(vnic::build_report(d, {}, {}, proc_irq));
	REQUIRE(j["queues"].size() == 2);
	CHECK(j["queues"][0]["irq"].is_null());
	CHECK(j["queues"][0]["rx"].empty());
	CHECK(j["cpus"] == 0);
}

TEST_CASE("modes parse and print", "[vnic-report]")
{
	CHECK(vnic::parse_mode("legacy") == vnic::Mode::legacy);
	CHECK(vnic::mode_name(0) == "napi");
	CHECK(vnic::mode_name(1) == "legacy");
	CHECK_THROWS_AS(vnic::parse_mode("poll"), UsageError);
	CHECK(vnic::operstate_name(6) == "up");
	CHECK(vnic::operstate_name(2) == "down");
}

TEST_CASE("captured in the VM: a 4-queue ntvnic port's ethtool -S and /proc/interrupts",
	  "[vnic-report]")
{
	auto stats =
		ethtool::parse_ethtool_s_text(read_file(data_dir + "/vnic-ethtool-S-ntvnic.txt"));
	auto lines = vnic::parse_proc_interrupts(
		read_file(data_dir + "/vnic-proc-interrupts-ntvnic.txt"));
	vnic::DeviceInfo d;
	d.name = "fx1";
	d.queues = 4;
	auto r = vnic::build_report(d, stats, lines, proc_irq);
	CHECK(r.cpus == 2);
	CHECK(r.device_stats.empty());
	REQUIRE(r.queues.size() == 4);
	const unsigned irq_numbers[] = {34, 35, 36, 37};
	for (unsigned q = 0; q < 4; q++) {
		INFO("queue " << q);
		const auto &qr = r.queues[q];
		CHECK(qr.rx.size() == 7);
		CHECK(qr.tx.size() == 3);
		REQUIRE(qr.irq);
		CHECK(qr.irq->irq == irq_numbers[q]);
		// The driver's interrupt counter and the kernel's agree.
		uint64_t total = 0;
		for (auto c : qr.irq->per_cpu)
			total += c;
		CHECK(total == vnic::napi_figures(qr).irqs);
	}
	CHECK(r.queues[2].rx.at("packets") == 3);
	CHECK(r.queues[2].irq->per_cpu == std::vector<uint64_t>{3, 0});
	CHECK(r.queues[3].irq->per_cpu == std::vector<uint64_t>{0, 1});
	CHECK(vnic::napi_figures(r.queues[0]).packets_per_poll == Approx(1.0));
	// fx0's queues are the other port's, never confused with fx1's.
	d.name = "fx0";
	CHECK(vnic::build_report(d, stats, lines, proc_irq).queues[0].irq->irq == 30);
}

TEST_CASE("watch rates are counter deltas per second, resets count as zero", "[vnic-report]")
{
	auto lines = vnic::parse_proc_interrupts(ntvnic_interrupts);
	auto before = vnic::build_report(two_queue_device(), two_queue_stats(), lines, proc_irq);
	auto stats = two_queue_stats();
	for (auto &[name, value] : stats) {
		if (name == "rx_queue_0_packets")
			value += 1000;
		if (name == "rx_queue_0_bytes")
			value += 250;
		if (name == "rx_queue_0_polls")
			value += 100;
		if (name == "rx_queue_1_packets")
			value = 0; // queue re-created
	}
	std::string later = ntvnic_interrupts;
	later.replace(later.find("4096"), 4, "4296");
	auto after = vnic::build_report(two_queue_device(), stats,
					vnic::parse_proc_interrupts(later), proc_irq);
	auto rates = vnic::queue_rates(before, after, 2.0);
	REQUIRE(rates.size() == 2);
	CHECK(rates[0].rx_pps == Approx(500));
	CHECK(rates[0].rx_bps == Approx(1000));
	CHECK(rates[0].polls == Approx(50));
	CHECK(rates[0].packets_per_poll == Approx(10));
	CHECK(rates[0].cpu_interrupts == std::vector<double>{0, 100});
	CHECK(rates[1].rx_pps == 0);
	auto j = vnic::rates_json(rates);
	CHECK(j[0]["rx_pps"] == 500.0);
	CHECK(j[0]["cpu_interrupts_per_s"][1] == 100.0);
}

TEST_CASE("native XDP counters: figures per queue and a JSON object", "[vnic-report]")
{
	auto lines = vnic::parse_proc_interrupts(ntvnic_interrupts);
	auto stats = two_queue_stats();
	stats.push_back({"rx_queue_0_xdp_pass", 11});
	stats.push_back({"rx_queue_0_xdp_drop", 12});
	stats.push_back({"rx_queue_0_xdp_tx", 13});
	stats.push_back({"rx_queue_0_xdp_redirect", 14});
	stats.push_back({"rx_queue_0_xdp_aborted", 15});
	stats.push_back({"rx_queue_0_xdp_tx_errors", 16});
	stats.push_back({"tx_queue_0_xdp_xmit", 17});
	stats.push_back({"tx_queue_0_xdp_xmit_errors", 18});
	auto dev = two_queue_device();
	dev.xdp_prog_id = 5;
	auto r = vnic::build_report(dev, stats, lines, proc_irq);
	auto x = vnic::xdp_figures(r.queues[0]);
	CHECK(x.present);
	CHECK(x.pass == 11);
	CHECK(x.drop == 12);
	CHECK(x.tx == 13);
	CHECK(x.redirect == 14);
	CHECK(x.aborted == 15);
	CHECK(x.tx_errors == 16);
	CHECK(x.xmit == 17);
	CHECK(x.xmit_errors == 18);
	CHECK_FALSE(vnic::xdp_figures(r.queues[1]).present);
	auto j = vnic::report_json(r);
	CHECK(j["xdp"]["prog_id"] == 5);
	CHECK(j["queues"][0]["xdp"]["pass"] == 11);
	CHECK(j["queues"][0]["xdp"]["tx_errors"] == 16);
	CHECK(j["queues"][0]["xdp"]["xmit_errors"] == 18);
	CHECK(j["queues"][0]["rx"]["xdp_drop"] == 12);
	CHECK_FALSE(j["queues"][1].contains("xdp"));
}

TEST_CASE("offload counters: figures per queue, segments per TSO packet, JSON", "[vnic-report]")
{
	auto stats = two_queue_stats();
	stats.insert(stats.end(), {{"rx_queue_0_csum_verified", 290},
				   {"rx_queue_0_csum_bad", 1},
				   {"rx_queue_0_csum_none", 4},
				   {"rx_queue_0_gro_merged", 246},
				   {"rx_queue_0_gso_split", 0},
				   {"tx_queue_0_csum_offload", 297},
				   {"tx_queue_0_tso_packets", 55},
				   {"tx_queue_0_tso_segs", 291},
				   {"tx_queue_0_sg_packets", 57}});
	auto lines = vnic::parse_proc_interrupts(ntvnic_interrupts);
	auto r = vnic::build_report(two_queue_device(), stats, lines, proc_irq);
	const auto f = vnic::offload_figures(r.queues[0]);
	CHECK(f.present);
	CHECK(f.tso_packets == 55);
	CHECK(f.tso_segs == 291);
	CHECK(f.segs_per_tso == Approx(291.0 / 55.0));
	CHECK(f.rx_csum_ok == 290);
	CHECK(f.rx_csum_bad == 1);
	CHECK(f.gro_merged == 246);
	// Queue 1 has none of them: a driver (or queue) without offload counters.
	CHECK_FALSE(vnic::offload_figures(r.queues[1]).present);

	ethtool::Offloads o;
	o.tso = true;
	o.gro = true;
	r.offloads = o;
	auto j = vnic::report_json(r);
	CHECK(j["offloads"]["tso"] == true);
	CHECK(j["offloads"]["rx_checksum"] == false);
	CHECK(j["queues"][0]["offloads"]["tso_segs"] == 291);
	CHECK(j["queues"][0]["offloads"]["rx_csum_bad"] == 1);
	CHECK_FALSE(j["queues"][1].contains("offloads"));
}
