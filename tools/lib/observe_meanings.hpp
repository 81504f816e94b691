// One line per MIB counter that matters: what it counts, in words a
// user can act on. Used by `nettune stat` and in diagnose's evidence.
#pragma once
#include <string>
#include <vector>

namespace nettune::observe {

// The meaning of an nstat-style counter name ("TcpExtListenOverflows"), or
// "" for a counter without an entry in the table.
std::string counter_meaning(const std::string &name);

// Every name the table explains (for tests and the documentation).
std::vector<std::string> explained_counters();

} // namespace nettune::observe
