#include "keywords.hpp"

#include "error.hpp"

#include <algorithm>
#include <charconv>

namespace nettune {

KeywordArgs::KeywordArgs(std::vector<std::string> value_keywords,
			 std::vector<std::string> flag_keywords)
    : value_keywords_(std::move(value_keywords)), flag_keywords_(std::move(flag_keywords))
{
}

static bool contains(const std::vector<std::string> &v, const std::string &s)
{
	return std::find(v.begin(), v.end(), s) != v.end();
}

void KeywordArgs::parse(const std::vector<std::string> &args)
{
	for (size_t i = 0; i < args.size(); i++) {
		const std::string &kw = args[i];
		bool is_value = contains(value_keywords_, kw);
		if (!is_value && !contains(flag_keywords_, kw))
			throw UsageError("unknown keyword '" + kw + "'");
		if (values_.count(kw))
			throw UsageError("keyword '" + kw + "' given twice");
		if (!is_value) {
			values_[kw] = "";
			continue;
		}
		if (i + 1 >= args.size())
			throw UsageError("keyword '" + kw + "' needs a value");
		values_[kw] = args[++i];
	}
}

bool KeywordArgs::has(const std::string &kw) const
{
	return values_.count(kw) != 0;
}

std::optional<std::string> KeywordArgs::get(const std::string &kw) const
{
	auto it = values_.find(kw);
	if (it == values_.end())
		return std::nullopt;
	return it->second;
}

std::optional<uint64_t> KeywordArgs::get_uint(const std::string &kw, uint64_t min,
					      uint64_t max) const
{
	auto v = get(kw);
	if (!v)
		return std::nullopt;
	return parse_uint(*v, min, max, kw);
}

uint64_t parse_uint(const std::string &text, uint64_t min, uint64_t max, const std::string &what)
{
	uint64_t v = 0;
	auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
	if (text.empty() || ec != std::errc() || p != text.data() + text.size())
		throw UsageError(what + ": '" + text + "' is not a number");
	if (v < min || v > max)
		throw UsageError(what + ": " + text + " is out of range [" + std::to_string(min) +
				 ", " + std::to_string(max) + "]");
	return v;
}

} // namespace nettune
