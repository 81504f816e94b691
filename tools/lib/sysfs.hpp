// Reading the small text files the kernel exposes under /proc and /sys.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nettune {

// Whole file, or nullopt if it cannot be opened.
std::optional<std::string> try_read_file(const std::string &path);
// Whole file; throws Error naming the path.
std::string read_file(const std::string &path);
// First line, whitespace trimmed; throws Error naming the path.
std::string read_line(const std::string &path);
// Unsigned number in a file; throws Error naming the path.
uint64_t read_u64(const std::string &path);
// Writes text to a file (sysfs, procfs); throws Error naming the path.
void write_file(const std::string &path, const std::string &text);
// Writes text with one write(2), so the errno a sysctl or module parameter
// handler returns reaches the caller: 0 when all was written, else that
// errno. Throws Error naming the path if it cannot be opened.
int write_file_errno(const std::string &path, const std::string &text);
// Entries of a directory, sorted; empty if it does not exist.
std::vector<std::string> list_dir(const std::string &path);

std::string trim(const std::string &s);
std::vector<std::string> split(const std::string &s, char sep);
std::vector<std::string> split_whitespace(const std::string &s);

} // namespace nettune
