// Small helpers shared by the CLI's command files.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace td::tools {

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
