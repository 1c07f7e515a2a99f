// `tapedeck import binance CAPTURE.gz -o JOURNAL [--symbol NAME] [--skip-bad-lines]`: imports a
// raw Binance websocket capture (marketdata/binance.h) into a journal and prints a summary of
// what it found: lines, records by kind, depth synchronisation, book checks, time range.
//
// Exit status: 0 success; 1 a bad line (without --skip-bad-lines) or truncated/corrupt input —
// the journal then holds every record before the problem; 2 usage errors (missing capture,
// existing journal).
#include <fmt/format.h>

#include <memory>
#include <string>

#include "marketdata/binance.h"
#include "tools/cli_common.h"
#include "tools/commands.h"
#include "tools/json.h"

namespace td::tools {
namespace {


struct BinanceOptions {
  std::string capture;
  std::string output;
  std::string symbol;
  bool skip_bad_lines = false;
};

std::string Percent(uint64_t part, uint64_t whole) {
  return whole == 0 ? "n/a"
                    : fmt::format("{:.2f}%",
                                  100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

void PrintSummary(const BinanceOptions& o, const marketdata::BinanceImportStats& s) {
  fmt::print("import binance {} -> {}\n", o.capture, o.output);
  fmt::print("lines        {} ({} bad, skipped; {} blank)\n", s.lines, s.bad_lines, s.blank_lines);
  fmt::print("records      {}\n", s.records);
  for (size_t k = 0; k < kPayloadKindCount; ++k) {
    if (s.records_by_kind[k] != 0) {
      fmt::print("  {:<14} {}\n", PayloadKindName(k), s.records_by_kind[k]);
    }
  }
  fmt::print(
      "messages     {} snapshot, {} depth diffs ({} without levels), {} bookTicker, "
      "{} trade, {} other (kept raw)\n",
      s.snapshots, s.diffs, s.diffs_empty, s.tickers, s.trades, s.other_messages);
  fmt::print(
      "diffs        {} applied, {} stale (already in the snapshot), {} unsynced "
      "(not applied); {} arrived before the first snapshot\n",
      s.diffs_applied, s.diffs_stale, s.diffs_unsynced, s.diffs_before_snapshot);
  if (s.syncs > 0) {
    fmt::print(
        "sync         snapshot lastUpdateId {}; first applied diff line {} (U={} u={}"
        "{}); synchronised {} time(s), {} at the end\n",
        s.snapshot_update_id, s.first_applied_line, s.first_applied_U, s.first_applied_u,
        s.first_applied_pu != 0 ? fmt::format(" pu={}", s.first_applied_pu) : "", s.syncs,
        s.synced_at_end ? "synced" : "NOT synced");
  } else {
    fmt::print("sync         never synchronised (no usable snapshot)\n");
  }
  fmt::print("gaps         {}\n", s.gaps);
  for (const marketdata::BinanceGap& g : s.gap_list) {
    fmt::print("  line {} (U={})\n", g.line, g.first_update_id);
  }
  fmt::print("book         {} crossed states after applied diffs{}\n", s.crossed_books,
             s.crossed_books != 0 ? fmt::format(" (first at line {})", s.first_crossed_line) : "");
  fmt::print(
      "bookTicker   {} book states matched by update id: prices agree {}, prices and "
      "quantities {}; {} without a ticker to compare\n",
      s.ticker_compared, Percent(s.ticker_price_agree, s.ticker_compared),
      Percent(s.ticker_full_agree, s.ticker_compared), s.ticker_uncompared);
  if (s.ts_clamped != 0) {
    fmt::print("time         {} lines received out of order, journal ts clamped\n", s.ts_clamped);
  }
  if (s.records != 0) {
    fmt::print("time         {} ({})\n          .. {} ({})\n", s.first_ts.ns, FormatUtc(s.first_ts),
               s.last_ts.ns, FormatUtc(s.last_ts));
  }
}

int RunImportBinance(const BinanceOptions& o) {
  marketdata::BinanceImportOptions opts;
  opts.symbol = o.symbol;
  opts.skip_bad_lines = o.skip_bad_lines;
  marketdata::BinanceImportStats stats;
  Status s = marketdata::ImportBinanceToJournal(o.capture, o.output, opts, &stats);
  if (s.code() == StatusCode::kNotFound ||
      (!s.ok() && stats.lines == 0 && stats.input_error.empty())) {
    fmt::print(stderr, "tapedeck import binance: {}\n", s.ToString());
    return kExitUsage;
  }
  PrintSummary(o, stats);
  for (const std::string& e : stats.errors) {
    if (o.skip_bad_lines) fmt::print(stderr, "tapedeck import binance: skipped: {}\n", e);
  }
  if (!s.ok()) {
    fmt::print(stderr, "tapedeck import binance: {}\n", s.message());
    fmt::print(stderr, "tapedeck import binance: {} holds the {} records before the error\n",
               o.output, stats.records);
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace

void RegisterBinanceCommands(CLI::App& app, int* exit_code) {
  CLI::App* group = Group(app, "import", "Import market data into a journal");
  auto o = std::make_shared<BinanceOptions>();
  CLI::App* cmd = group->add_subcommand(
      "binance",
      "Import a raw Binance websocket capture (gzip text, `<local_receive_ns> <json>` a line: "
      "depth diffs, bookTicker, trade, REST depth snapshots; spot or USD-M futures) into a "
      "journal, checking the depth sequence and the rebuilt book");
  cmd->add_option("capture", o->capture, "The capture file (.gz or plain text)")->required();
  cmd->add_option("-o,--output", o->output, "The journal directory to create")->required();
  cmd->add_option("--symbol", o->symbol,
                  "The symbol to import (the messages' \"s\" field); messages of other symbols "
                  "are kept raw. Default: the capture's first");
  cmd->add_flag("--skip-bad-lines", o->skip_bad_lines,
                "Skip malformed lines (each counted, reported and annotated in the journal) "
                "instead of stopping at the first");
  cmd->callback([o, exit_code] { *exit_code = RunImportBinance(*o); });
}

}  // namespace td::tools
