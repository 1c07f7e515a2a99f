// The command groups of the `tapedeck` CLI, one Register function per command file. Each adds
// its commands to `app`; a command's handler stores its exit status in *exit_code.
#pragma once

#include <CLI/CLI.hpp>

namespace td::tools {

void RegisterJournalCommands(CLI::App& app, int* exit_code);  // cli_journal.cc
void RegisterBenchCommands(CLI::App& app, int* exit_code);    // cli_bench.cc: bench journal
void RegisterBookCommands(CLI::App& app, int* exit_code);     // cli_book.cc: bench book
void RegisterLobsterCommands(CLI::App& app, int* exit_code);  // cli_lobster.cc
void RegisterBinanceCommands(CLI::App& app, int* exit_code);  // cli_binance.cc
void RegisterSynthCommands(CLI::App& app, int* exit_code);    // cli_synth.cc
void RegisterReplayerCommands(CLI::App& app, int* exit_code); // cli_replayer.cc: simulate, replay, diff, what-if
void RegisterSimulateBenchCommands(CLI::App& app, int* exit_code);  // cli_bench_simulate.cc
void RegisterExchangeCommands(CLI::App& app, int* exit_code);  // cli_exchange.cc: exchange serve
void RegisterPaperCommands(CLI::App& app, int* exit_code);    // cli_paper.cc: paper, kill
void RegisterProxyCommands(CLI::App& app, int* exit_code);    // cli_proxy.cc: proxy, replay-venue
void RegisterLiveBenchCommands(CLI::App& app, int* exit_code);  // cli_bench_live.cc

}  // namespace td::tools
