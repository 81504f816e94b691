#include "table.hpp"

#include <algorithm>
#include <cstdio>
#include <ostream>

namespace nettune {

Table::Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

void Table::add_row(std::vector<std::string> cells)
{
	cells.resize(headers_.size());
	rows_.push_back(std::move(cells));
}

static bool looks_numeric(const std::string &s)
{
	return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
		return (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '%' || c == 'K' ||
		       c == 'M' || c == 'G';
	}) && std::any_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void Table::print(std::ostream &out) const
{
	std::vector<size_t> width(headers_.size());
	for (size_t c = 0; c < headers_.size(); c++) {
		width[c] = headers_[c].size();
		for (const auto &r : rows_)
			width[c] = std::max(width[c], r[c].size());
	}
	auto emit = [&](const std::vector<std::string> &cells, bool header) {
		std::string line;
		for (size_t c = 0; c < cells.size(); c++) {
			const std::string &v = cells[c];
			std::string pad(width[c] - v.size(), ' ');
			bool right = !header && looks_numeric(v);
			line += right ? pad + v : v + pad;
			if (c + 1 < cells.size())
				line += "  ";
		}
		line.erase(line.find_last_not_of(' ') + 1);
		out << line << '\n';
	};
	emit(headers_, true);
	for (const auto &r : rows_)
		emit(r, false);
}

std::string human_count(double v)
{
	const char *suffix[] = {"", "K", "M", "G", "T"};
	int i = 0;
	while (v >= 1000.0 && i < 4) {
		v /= 1000.0;
		i++;
	}
	char buf[32];
	if (i == 0)
		snprintf(buf, sizeof(buf), "%.0f", v);
	else
		snprintf(buf, sizeof(buf), "%.1f%s", v, suffix[i]);
	return buf;
}

} // namespace nettune
