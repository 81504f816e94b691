// Configurations measured side by side: for claims of the form "A costs
// less than B", each point of the sweep (a round) sets up every
// configuration in turn, measures it and undoes it, in a new random order
// each round. The shared, emulated host's speed drifts over tens of
// seconds, so only measurements taken close together compare; the judge
// takes ratios within a round, then their median over rounds.
#pragma once
#include "experiment.hpp"

#include <functional>
#include <string>
#include <vector>

namespace nettune::exp {

struct Config {
	std::string name; // prefix of its values: "xdp" -> "xdp_kpps"
	// Sets the configuration up; every change pushed on run.cleanup is
	// undone right after its measurement.
	std::function<void()> apply;
};

// Applies each configuration (random order), calls measure(name) and
// undoes it; returns every value keyed "NAME_KEY".
Values measure_side_by_side(Run &run, const std::vector<Config> &configs,
			    const std::function<Values(const std::string &name)> &measure);

// The median over a variant's rows of `key` (NaN rows left out; NaN if none).
double median_over_rows(const Results &r, const std::string &variant, const std::string &key);
// The smallest and largest value of `key` over a variant's rows.
std::pair<double, double> range_over_rows(const Results &r, const std::string &variant,
					  const std::string &key);

} // namespace nettune::exp
