// Small helpers shared by the CLI's command files.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json_fwd.hpp>

#include <string>
#include <string_view>

#include "core/status.h"

namespace td::tools {

// Exit codes of every command: 0 done, 1 the work failed (corrupt data, divergence, ...),
// 2 a usage error (bad option, missing file).
constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

// "tapedeck COMMAND: MESSAGE" on stderr.
void PrintError(std::string_view command, std::string_view message);
// Indented JSON on stdout; invalid UTF-8 in strings is replaced, never thrown on.
void PrintJson(const nlohmann::ordered_json& j);
// A TOML config file's text (at most 4 MiB); NotFound names the path.
Result<std::string> ReadConfig(const std::string& path);

// The subcommand group `name` of `app` ("journal", "import", "bench", ...), created on first
// use, so that several command files can add commands to one group.
inline CLI::App* Group(CLI::App& app, const std::string& name, const std::string& description) {
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    if (sub->get_name() == name) return sub;
  }
  CLI::App* group = app.add_subcommand(name, description);
  group->require_subcommand(1);
  return group;
}

}  // namespace td::tools
