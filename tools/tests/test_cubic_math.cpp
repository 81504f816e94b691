// The module's fixed-point CUBIC and HyStart++ arithmetic
// (kmod/cc/ntcubic_math.h, compiled here unchanged) against the RFC 9438 /
// RFC 9406 formulas evaluated in double precision, with the error bounds
// the header states.
#include "cubic_math.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <random>

using namespace nettune::cubic_math;

namespace {

constexpr double tick = 1.0 / 1024;     // cubic time unit, s
constexpr double win_unit = 1.0 / 1024; // W_cubic fractional unit, segments

double rfc_k(double w_max, double cwnd_epoch, double c)
{
	return std::cbrt((w_max - cwnd_epoch) / c);
}

double rfc_w_cubic(double t, double k, double c, double w_max)
{
	return c * std::pow(t - k, 3) + w_max;
}

} // namespace

TEST_CASE("cube root is the exact floor")
{
	for (u64 x : {0ULL, 1ULL, 7ULL, 8ULL, 26ULL, 27ULL, 63ULL, 64ULL, 999ULL, 1000ULL,
		      1ULL << 62, (1ULL << 63) + 12345, ~0ULL}) {
		u64 y = ntc_cbrt_u64(x);
		CAPTURE(x, y);
		CHECK(y * y * y <= x);
		const u64 y1 = y + 1;
		// (y+1)^3 may exceed 2^64 only for the largest inputs
		if (y1 < 2642245)
			CHECK(y1 * y1 * y1 > x);
	}
	std::mt19937_64 rng(9438);
	for (int i = 0; i < 100000; i++) {
		u64 x = rng() >> (rng() % 64);
		u64 y = ntc_cbrt_u64(x);
		REQUIRE(y * y * y <= x);
		REQUIRE((y + 1) * (y + 1) * (y + 1) > x);
	}
}

TEST_CASE("RFC 9438 worked example: W_max 100, beta 0.7, C 0.4")
{
	// A loss at cwnd 100 with beta 0.7 and fast convergence not triggered
	REQUIRE(ntc_new_w_max(100, 0, 700, 1) == 100);
	REQUIRE(ntc_md_ssthresh(100, 700) == 70);
	// K = cbrt((100 - 70) / 0.4) = cbrt(75) = 4.2172 s
	const u32 k = ntc_cubic_k(100 - 70, 400);
	CHECK(k * tick == Approx(std::cbrt(75.0)).margin(tick));
	CHECK(k * tick <= std::cbrt(75.0));
	// W(0) = 70, W(K) = W_max = 100, W(2K) = 130 (the curve is odd around K)
	CHECK(ntc_cubic_window(100, k, 0, 400) * win_unit == Approx(70.0).margin(0.02));
	CHECK(ntc_cubic_window(100, k, k, 400) == 100u << NTC_WIN_SHIFT);
	CHECK(ntc_cubic_window(100, k, 2ULL * k, 400) * win_unit == Approx(130.0).margin(0.02));
	// alpha_cubic = 3 * 0.3 / 1.7 = 0.52941
	CHECK(ntc_alpha(700) == 529);
	// fast convergence: the next loss at cwnd 90 < W_max 100 releases
	// bandwidth: W_max = 90 * (1 + 0.7) / 2 = 76.5
	CHECK(ntc_new_w_max(90, 100, 700, 1) == 76);
	CHECK(ntc_new_w_max(90, 100, 700, 0) == 90);
	CHECK(ntc_new_w_max(110, 100, 700, 1) == 110);
}

TEST_CASE("K is within one 2^-10 s tick below the exact value")
{
	for (u32 c : {40u, 400u, 1000u, 4000u}) {
		for (u32 diff : {1u, 2u, 3u, 30u, 300u, 1000u, 12345u, 100000u, (1u << 23) - 1}) {
			const double exact = rfc_k(diff, 0, c / 1000.0);
			const double fixed = ntc_cubic_k(diff, c) * tick;
			CAPTURE(c, diff, exact, fixed);
			CHECK(fixed <= exact + 1e-9);
			CHECK(exact - fixed < tick);
		}
	}
	CHECK(ntc_cubic_k(0, 400) == 0);
}

// Three truncations: d^3 >> 10 (< c/1000 * 2^-20 segment), the / 1000
// (< 2^-20 segment) and the final >> 10 (< 2^-10 segment).
constexpr double w_cubic_bound = 1.0 / 1024 + 1.0 / (1 << 17);

TEST_CASE("W_cubic is within 2^-10 + 2^-17 segment of the formula for the given K and t")
{
	std::mt19937 rng(9406);
	for (int i = 0; i < 200000; i++) {
		const u32 c = 1 + rng() % NTC_C_MAX;
		const u32 origin = 1 + rng() % 1000000;
		const u32 k = rng() % (200 * 1024);
		const u64 t = rng() % (400 * 1024);
		const double exact =
			std::max(0.0, rfc_w_cubic(t * tick, k * tick, c / 1000.0, origin));
		const double fixed = ntc_cubic_window(origin, k, t, c) * win_unit;
		if (std::abs(double(t) - k) > NTC_MAX_OFFSET)
			continue;
		CAPTURE(c, origin, k, t, exact, fixed);
		REQUIRE(std::abs(fixed - exact) <= w_cubic_bound + exact * 1e-15);
	}
}

TEST_CASE("end to end: W_cubic(t) over an epoch matches RFC 9438 with exact K and t")
{
	// W_max 1000 segments, loss at cwnd 1000: cwnd_epoch = 700.
	const double c = 0.4, w_max = 1000, cwnd_epoch = 700;
	const u32 k = ntc_cubic_k(u32(w_max - cwnd_epoch), 400);
	const double k_exact = rfc_k(w_max, cwnd_epoch, c);
	const double delta = tick;
	double worst = 0;
	for (u64 t_us = 0; t_us <= 30'000'000; t_us += 997) {
		const double t = t_us / 1e6;
		const double exact = rfc_w_cubic(t, k_exact, c, w_max);
		const double fixed =
			ntc_cubic_window(u32(w_max), k, ntc_us_to_ticks(t_us), 400) * win_unit;
		const double d = std::abs(t - k_exact);
		const double bound = 3 * c * std::pow(d + 2 * delta, 2) * 2 * delta + w_cubic_bound;
		CAPTURE(t_us, exact, fixed, bound);
		REQUIRE(std::abs(fixed - exact) <= bound);
		worst = std::max(worst, std::abs(fixed - exact));
	}
	// At this scale the whole curve is within a tenth of a segment for
	// the first 2K seconds: the bound is not vacuous.
	CHECK(worst < 30);
	for (u64 t_us = 0; t_us <= u64(2 * k_exact * 1e6); t_us += 1000) {
		const double t = t_us / 1e6;
		const double fixed =
			ntc_cubic_window(u32(w_max), k, ntc_us_to_ticks(t_us), 400) * win_unit;
		REQUIRE(std::abs(fixed - rfc_w_cubic(t, k_exact, c, w_max)) < 0.1);
	}
}

TEST_CASE("cnt: ACKs per segment of growth toward the target, at most 1.5x per RTT")
{
	// target 110 for cwnd 100: 10 segments in one RTT = one per 10 ACKs
	CHECK(ntc_cubic_cnt(100, 110ULL << NTC_WIN_SHIFT) == 10);
	// target beyond 1.5 cwnd is clamped to a count of 2
	CHECK(ntc_cubic_cnt(100, 1000ULL << NTC_WIN_SHIFT) == 2);
	CHECK(ntc_cubic_cnt(100, 150ULL << NTC_WIN_SHIFT) == 2);
	// fractional targets count: 100.5 -> one segment per 200 ACKs
	CHECK(ntc_cubic_cnt(100, (100ULL << NTC_WIN_SHIFT) + 512) == 200);
	// at or below cwnd: (almost) no growth
	CHECK(ntc_cubic_cnt(100, 100ULL << NTC_WIN_SHIFT) == 10000);
	CHECK(ntc_cubic_cnt(100, 50ULL << NTC_WIN_SHIFT) == 10000);
}

TEST_CASE("W_est grows by alpha_cubic segments per window of ACKs")
{
	for (u32 beta : {500u, 700u, 900u}) {
		const double alpha_exact = 3.0 * (1 - beta / 1000.0) / (1 + beta / 1000.0);
		const u32 alpha = ntc_alpha(beta);
		CHECK(std::abs(alpha / 1000.0 - alpha_exact) < 0.001);
		for (u32 cwnd : {10u, 100u, 5000u}) {
			u32 w_est = cwnd, acc = 0;
			const u32 rtts = 200;
			// cwnd ACKs of 1 segment per RTT (cwnd held fixed to
			// isolate the W_est arithmetic)
			for (u32 i = 0; i < rtts * cwnd; i++)
				ntc_west_ack(&w_est, &acc, 1, cwnd, alpha);
			CAPTURE(beta, cwnd, w_est);
			// exact accumulator: floor(rtts * alpha / 1000) segments
			CHECK(w_est - cwnd == rtts * alpha / 1000);
			CHECK(std::abs((w_est - cwnd) - rtts * alpha_exact) <= rtts * 0.001 + 1);
			// stretch ACKs give the same result as single ones
			u32 w2 = cwnd, acc2 = 0;
			for (u32 i = 0; i < rtts * cwnd / 10; i++)
				ntc_west_ack(&w2, &acc2, 10, cwnd, alpha);
			CHECK(w2 == w_est);
		}
	}
}

TEST_CASE("multiplicative decrease never goes below two segments")
{
	CHECK(ntc_md_ssthresh(2, 700) == 2);
	CHECK(ntc_md_ssthresh(3, 700) == 2);
	CHECK(ntc_md_ssthresh(10, 700) == 7);
	CHECK(ntc_md_ssthresh(1000000, 700) == 700000);
	CHECK(ntc_md_ssthresh(100, 500) == 50);
}

TEST_CASE("HyStart++ RttThresh is lastRoundMinRTT/8 clamped to [4 ms, 16 ms]")
{
	CHECK(ntc_hs_rtt_thresh(40000, 4000, 16000, 8) == 5000);
	CHECK(ntc_hs_rtt_thresh(10000, 4000, 16000, 8) == 4000);
	CHECK(ntc_hs_rtt_thresh(200000, 4000, 16000, 8) == 16000);
	CHECK(ntc_hs_rtt_thresh(NTC_INFINITE_RTT, 4000, 16000, 8) == 16000);
	// 50 ms path: threshold 6.25 ms
	CHECK(ntc_hs_rtt_thresh(50000, 4000, 16000, 8) == 6250);
}

TEST_CASE("HyStart++ enters CSS on an RTT rise after N_RTT_SAMPLE samples")
{
	// RFC 9406 4.2: currentRoundMinRTT >= lastRoundMinRTT + RttThresh
	CHECK(ntc_hs_enter_css(56250, 50000, 8, 8, 6250));
	CHECK_FALSE(ntc_hs_enter_css(56249, 50000, 8, 8, 6250));
	CHECK_FALSE(ntc_hs_enter_css(90000, 50000, 7, 8, 6250));            // too few samples
	CHECK_FALSE(ntc_hs_enter_css(90000, NTC_INFINITE_RTT, 8, 8, 6250)); // first round
	CHECK_FALSE(ntc_hs_enter_css(NTC_INFINITE_RTT, 50000, 8, 8, 6250));
	// back to slow start when the RTT drops below the CSS baseline
	CHECK(ntc_hs_resume_ss(56000, 56250, 8, 8));
	CHECK_FALSE(ntc_hs_resume_ss(56250, 56250, 8, 8));
	CHECK_FALSE(ntc_hs_resume_ss(50000, 56250, 3, 8));
}

TEST_CASE("time conversion rounds microseconds down to 2^-10 s ticks")
{
	CHECK(ntc_us_to_ticks(0) == 0);
	CHECK(ntc_us_to_ticks(1000000) == 1024);
	CHECK(ntc_us_to_ticks(976) == 0);
	CHECK(ntc_us_to_ticks(977) == 1);
	CHECK(ntc_us_to_ticks(3600ULL * 1000000) == 3600ULL * 1024);
}
