// The wire of an ntvnic port's transmit direction: line rate, propagation
// delay and random loss (NTVNIC_A_WIRE_*), parsed from and printed as the
// words `nettune vnic add/set` take: "rate 100mbit delay 10ms loss 0.1%".
#pragma once
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>

namespace nettune::vnic {

// "100mbit", "1gbit", "12.5mbps" (tc's units) or 0/off/unlimited: bit/s,
// 0 for unlimited. Throws UsageError for a word that is not a rate; the
// kernel checks the range.
uint64_t parse_wire_rate(const std::string &text);
// "10ms", "250us", "1s" or 0/off: microseconds (rounded).
uint32_t parse_wire_delay(const std::string &text);
// "0.1%" or 0/off: frames lost per million (rounded). A percent sign is
// required for anything but 0.
uint32_t parse_wire_loss(const std::string &text);

// The same, for printing: "100mbit", "unlimited"; "10ms", "0"; "0.1%".
std::string format_wire_rate(uint64_t bps);
std::string format_wire_delay(uint32_t us);
std::string format_wire_loss(uint32_t ppm);

// {"rate_bps", "rate", "delay_us", "loss_ppm", "loss_percent"}.
nlohmann::json wire_json(uint64_t rate_bps, uint32_t delay_us, uint32_t loss_ppm);

} // namespace nettune::vnic
