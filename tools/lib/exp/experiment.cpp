#include "experiment.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>
#include <unistd.h>

namespace nettune::exp {

std::string verdict_name(Verdict v)
{
	switch (v) {
	case Verdict::reproduced:
		return "reproduced";
	case Verdict::partly:
		return "partly";
	case Verdict::not_reproduced:
		break;
	}
	return "not reproduced";
}

std::vector<const Row *> Results::series(const std::string &variant) const
{
	std::vector<const Row *> out;
	for (const auto &r : rows)
		if (r.variant == variant)
			out.push_back(&r);
	return out;
}

double Results::at(const std::string &variant, double x, const std::string &key) const
{
	for (const auto &r : rows) {
		if (r.variant != variant || std::fabs(r.x - x) > 1e-9)
			continue;
		auto it = r.values.find(key);
		if (it != r.values.end())
			return it->second;
	}
	throw Error("no value " + key + " for " + variant + " at " + std::to_string(x));
}

const Row &Results::first(const std::string &variant) const
{
	auto s = series(variant);
	if (s.empty())
		throw Error("no rows for variant '" + variant + "'");
	return *s.front();
}

const Row &Results::last(const std::string &variant) const
{
	auto s = series(variant);
	if (s.empty())
		throw Error("no rows for variant '" + variant + "'");
	return *s.back();
}

double Results::max_of(const std::string &variant, const std::string &key) const
{
	double m = -INFINITY;
	for (const auto *r : series(variant))
		if (auto it = r->values.find(key); it != r->values.end())
			m = std::max(m, it->second);
	return m;
}

Run::Run(CleanupStack &c, const std::string &name, bool q, std::function<bool()> keep_running)
    : quick(q), cleanup(c), lab(c, name), keep_running_(std::move(keep_running))
{
}

void Run::check() const
{
	if (keep_running_ && !keep_running_())
		throw Interrupted();
}

void Run::sleep(double seconds) const
{
	using clock = std::chrono::steady_clock;
	const auto end = clock::now() + std::chrono::duration_cast<clock::duration>(
						std::chrono::duration<double>(seconds));
	for (;;) {
		check();
		const auto now = clock::now();
		if (now >= end)
			return;
		const clock::duration step = std::chrono::milliseconds(50);
		std::this_thread::sleep_for(std::min<clock::duration>(end - now, step));
	}
}

int Run::cpus() const
{
	return static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
}

namespace {

std::vector<Experiment (*)()> &makers()
{
	static std::vector<Experiment (*)()> m;
	return m;
}

} // namespace

bool register_experiment(Experiment (*make)())
{
	makers().push_back(make);
	return true;
}

const std::vector<Experiment> &experiments()
{
	static const std::vector<Experiment> all = [] {
		std::vector<Experiment> v;
		for (auto *m : makers())
			v.push_back(m());
		std::stable_sort(v.begin(), v.end(),
				 [](const auto &a, const auto &b) { return a.order < b.order; });
		return v;
	}();
	return all;
}

const Experiment &find_experiment(const std::string &name)
{
	std::string names;
	for (const auto &e : experiments()) {
		if (e.name == name)
			return e;
		if (!e.hidden)
			names += (names.empty() ? "" : ", ") + e.name;
	}
	throw UsageError("unknown experiment '" + name + "' (one of: " + names + ", all)");
}

} // namespace nettune::exp
