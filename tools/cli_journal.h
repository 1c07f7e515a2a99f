// `tapedeck journal info|cat|verify|recover|stats`: inspecting and repairing journals.
#pragma once

#include <CLI/CLI.hpp>

namespace td::tools {
// Adds the `journal` command group; a command's handler stores its exit status in *exit_code.
void RegisterJournalCommands(CLI::App& app, int* exit_code);
}  // namespace td::tools
