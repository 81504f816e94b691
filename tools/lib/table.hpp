// Human output: aligned columns, as ip -br and ethtool print them.
#pragma once
#include <iosfwd>
#include <string>
#include <vector>

namespace nettune {

class Table {
public:
	explicit Table(std::vector<std::string> headers);
	void add_row(std::vector<std::string> cells);
	// Columns left-aligned for text, right-aligned for numbers.
	void print(std::ostream &out) const;
	size_t rows() const { return rows_.size(); }

private:
	std::vector<std::string> headers_;
	std::vector<std::vector<std::string>> rows_;
};

// "1.2M", "15.0K", "999": short human numbers for rates and counters.
std::string human_count(double v);

} // namespace nettune
