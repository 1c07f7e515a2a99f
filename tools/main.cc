// The `tapedeck` command line: one subcommand group per room (journal, bench, ...).
// Errors go to stderr with a non-zero exit; results to stdout.
#include <CLI/CLI.hpp>

#include "tools/commands.h"

int main(int argc, char** argv) {
  CLI::App app{
      "tapedeck: flight recorder and deterministic replay simulator for automated trading "
      "systems"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every command");
  int exit_code = 0;
  td::tools::RegisterJournalCommands(app, &exit_code);
  td::tools::RegisterBenchCommands(app, &exit_code);
  td::tools::RegisterBookCommands(app, &exit_code);
  td::tools::RegisterLobsterCommands(app, &exit_code);
  td::tools::RegisterBinanceCommands(app, &exit_code);
  td::tools::RegisterSynthCommands(app, &exit_code);
  td::tools::RegisterReplayerCommands(app, &exit_code);
  td::tools::RegisterSimulateBenchCommands(app, &exit_code);
  td::tools::RegisterExchangeCommands(app, &exit_code);
  td::tools::RegisterPaperCommands(app, &exit_code);
  td::tools::RegisterProxyCommands(app, &exit_code);
  td::tools::RegisterLiveBenchCommands(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help exits 0; a usage error prints CLI11's message and exits 2, like our own.
    return app.exit(e) == 0 ? 0 : 2;
  }
  return exit_code;
}
