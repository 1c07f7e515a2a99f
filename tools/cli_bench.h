// `tapedeck bench journal`: the journal's throughput and latency figures, as JSON.
#pragma once

#include <CLI/CLI.hpp>

namespace td::tools {
void RegisterBenchCommands(CLI::App& app, int* exit_code);
}  // namespace td::tools
