#include "vnic_wire.hpp"

#include "error.hpp"
#include "observe_tune.hpp"

#include <cmath>
#include <cstdlib>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace nettune::vnic {

namespace {

bool means_off(const std::string &text)
{
	return text == "0" || text == "off" || text == "none" || text == "unlimited";
}

// Rounds a non-negative value into uint64_t range; huge values saturate
// (the kernel then refuses them with its range).
uint64_t round_u64(double v)
{
	if (!(v >= 0) || v >= 1.8e19)
		return UINT64_MAX;
	return static_cast<uint64_t>(std::llround(v));
}

uint32_t round_u32(double v, const std::string &what, const std::string &text)
{
	if (!(v >= 0) || v > 4294967295.0)
		throw UsageError(fmt::format("{} '{}': out of range", what, text));
	return static_cast<uint32_t>(std::llround(v));
}

} // namespace

uint64_t parse_wire_rate(const std::string &text)
{
	if (means_off(text))
		return 0;
	return round_u64(observe::parse_rate(text));
}

uint32_t parse_wire_delay(const std::string &text)
{
	if (means_off(text))
		return 0;
	return round_u32(observe::parse_duration(text) * 1e6, "delay", text);
}

uint32_t parse_wire_loss(const std::string &text)
{
	if (means_off(text))
		return 0;
	if (text.size() < 2 || text.back() != '%')
		throw UsageError("loss '" + text + "': give a percentage, e.g. 0.1%");
	const std::string num = text.substr(0, text.size() - 1);
	char *end = nullptr;
	const double pct = std::strtod(num.c_str(), &end);
	if (!end || *end != '\0' || num.find_first_not_of("0123456789.") != std::string::npos)
		throw UsageError("loss '" + text + "': not a number followed by %");
	return round_u32(pct * 1e4, "loss", text);
}

std::string format_wire_rate(uint64_t bps)
{
	if (bps == 0)
		return "unlimited";
	static const struct {
		uint64_t factor;
		const char *unit;
	} units[] = {{1000000000, "gbit"}, {1000000, "mbit"}, {1000, "kbit"}, {1, "bit"}};
	for (const auto &u : units)
		if (bps >= u.factor) {
			if (bps % u.factor == 0)
				return fmt::format("{}{}", bps / u.factor, u.unit);
			if (u.factor > 1)
				return fmt::format("{:.3g}{}", (double)bps / (double)u.factor,
						   u.unit);
		}
	return fmt::format("{}bit", bps);
}

std::string format_wire_delay(uint32_t us)
{
	if (us == 0)
		return "0";
	if (us % 1000000 == 0)
		return fmt::format("{}s", us / 1000000);
	if (us % 1000 == 0)
		return fmt::format("{}ms", us / 1000);
	if (us >= 1000)
		return fmt::format("{:.3g}ms", us / 1000.0);
	return fmt::format("{}us", us);
}

std::string format_wire_loss(uint32_t ppm)
{
	if (ppm == 0)
		return "0";
	return fmt::format("{:g}%", ppm / 1e4);
}

nlohmann::json wire_json(uint64_t rate_bps, uint32_t delay_us, uint32_t loss_ppm)
{
	return {{"rate_bps", rate_bps},
		{"rate", format_wire_rate(rate_bps)},
		{"delay_us", delay_us},
		{"loss_ppm", loss_ppm},
		{"loss_percent", loss_ppm / 1e4}};
}

} // namespace nettune::vnic
