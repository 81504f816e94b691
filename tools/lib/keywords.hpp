// ip(8)-style "keyword value" argument lists: `queues 4 rx-ring 256 both`.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nettune {

class KeywordArgs {
public:
	// value_keywords take one value each; flag_keywords stand alone.
	KeywordArgs(std::vector<std::string> value_keywords,
		    std::vector<std::string> flag_keywords = {});

	// Throws UsageError naming an unknown keyword, a missing value or a
	// keyword given twice.
	void parse(const std::vector<std::string> &args);

	bool has(const std::string &kw) const;
	std::optional<std::string> get(const std::string &kw) const;
	// Number in [min, max]; throws UsageError naming the keyword.
	std::optional<uint64_t> get_uint(const std::string &kw, uint64_t min, uint64_t max) const;

private:
	std::vector<std::string> value_keywords_;
	std::vector<std::string> flag_keywords_;
	std::map<std::string, std::string> values_;
};

// Parses an unsigned decimal in [min, max]; `what` names it in the error.
uint64_t parse_uint(const std::string &text, uint64_t min, uint64_t max, const std::string &what);

} // namespace nettune
