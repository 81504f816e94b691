#include "paired.hpp"

#include "load.hpp"

#include <algorithm>
#include <cmath>
#include <random>

namespace nettune::exp {

Values measure_side_by_side(Run &run, const std::vector<Config> &configs,
			    const std::function<Values(const std::string &name)> &measure)
{
	std::vector<const Config *> order;
	for (const auto &c : configs)
		order.push_back(&c);
	static std::mt19937 rng{std::random_device{}()};
	std::shuffle(order.begin(), order.end(), rng);
	Values out;
	for (const Config *c : order) {
		run.check();
		CleanupScope scope(run.cleanup);
		if (c->apply)
			c->apply();
		for (const auto &[key, value] : measure(c->name))
			out[c->name + "_" + key] = value;
	}
	return out;
}

double median_over_rows(const Results &r, const std::string &variant, const std::string &key)
{
	std::vector<double> v;
	for (const Row *row : r.series(variant))
		if (auto it = row->values.find(key);
		    it != row->values.end() && !std::isnan(it->second))
			v.push_back(it->second);
	return median(v);
}

std::pair<double, double> range_over_rows(const Results &r, const std::string &variant,
					  const std::string &key)
{
	double lo = NAN, hi = NAN;
	for (const Row *row : r.series(variant))
		if (auto it = row->values.find(key);
		    it != row->values.end() && !std::isnan(it->second)) {
			lo = std::isnan(lo) ? it->second : std::min(lo, it->second);
			hi = std::isnan(hi) ? it->second : std::max(hi, it->second);
		}
	return {lo, hi};
}

} // namespace nettune::exp
