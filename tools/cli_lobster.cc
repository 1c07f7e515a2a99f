// The LOBSTER commands: `import lobster`, `book check-lobster`, `fidelity lobster` and
// `bench lobster`. Each is an options struct filled by CLI11, a Run function that returns the
// exit status, and its registration. Results go to stdout, diagnostics to stderr naming the
// file and line (docs/lobster-replay.md describes the method behind each).
//
// Exit status: 0 success; 1 the input is malformed, the operation failed, or (check-lobster)
// a row did not match; 2 usage errors and files that cannot be found.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "marketdata/lobster.h"
#include "marketdata/lobster_fidelity.h"
#include "marketdata/lobster_import.h"
#include "marketdata/lobster_replay.h"
#include "tools/cli_common.h"
#include "tools/commands.h"
#include "tools/json.h"

namespace td::tools {
namespace {

using OrderedJson = nlohmann::ordered_json;
using marketdata::LobsterReplayStats;


struct Inputs {
  std::string message;
  std::string orderbook;
  bool json = false;
};

void AddInputs(CLI::App* cmd, Inputs* in) {
  cmd->add_option("MESSAGE", in->message, "LOBSTER message file (TICKER_DATE_..._message_N.csv)")
      ->required();
  cmd->add_option("ORDERBOOK", in->orderbook, "Its orderbook file (..._orderbook_N.csv)")
      ->required();
  cmd->add_flag("--json", in->json, "One JSON object on stdout");
}

int Fail(std::string_view command, const Status& s) {
  fmt::print(stderr, "tapedeck {}: {}\n", command, s.message());
  return s.code() == StatusCode::kNotFound ? kExitUsage : kExitFailed;
}


OrderedJson OptionalRow(const std::optional<uint64_t>& row) {
  return row.has_value() ? OrderedJson(*row) : OrderedJson();
}

// The replay counters, shared by check-lobster and fidelity.
void ReplayJson(const LobsterReplayStats& s, OrderedJson* j) {
  (*j)["seeded_levels"] = s.seeded_levels;
  (*j)["levels_learned"] = s.levels_learned;
  (*j)["learned_qty"] = s.learned_qty;
  (*j)["levels_dropped"] = s.levels_dropped;
  (*j)["unknown_order_refs"] = s.unknown_order_refs;
  (*j)["attribution_shortfalls"] = s.attribution_shortfalls;
  (*j)["delete_leftovers"] = s.delete_leftovers;
  (*j)["unresolved_qty"] = s.unresolved_qty;
  (*j)["rows_with_entering_levels"] = s.rows_with_entering_levels;
  (*j)["rejected_adds"] = s.rejected_adds;
  (*j)["unexpected_fills"] = s.unexpected_fills;
  (*j)["hidden_executions"] = s.hidden_executions;
  (*j)["crosses"] = s.crosses;
  (*j)["halts"] = s.halts;
}

// ---------------------------------------------------------------- import lobster

struct ImportOptions {
  Inputs in;
  std::string out;
  std::string symbol;
};

int RunImport(const ImportOptions& o) {
  marketdata::LobsterImportOptions opts;
  opts.symbol = o.symbol;
  Result<marketdata::LobsterImportStats> r =
      marketdata::ImportLobster(o.in.message, o.in.orderbook, o.out, opts);
  if (!r.ok()) return Fail("import lobster", r.status());
  const marketdata::LobsterImportStats& s = *r;
  if (o.in.json) {
    OrderedJson j;
    j["journal"] = o.out;
    j["symbol"] = s.symbol;
    j["levels"] = s.levels;
    j["messages"] = s.messages;
    j["records"] = s.records;
    j["seed_levels"] = s.seed_levels;
    j["l3_orders"] = s.l3_orders;
    j["trades"] = s.trades;
    j["trading_statuses"] = s.statuses;
    j["annotations"] = s.annotations;
    j["time_artefacts"] = s.time_artefacts;
    j["first_ts"] = s.first_ts.ns;
    j["last_ts"] = s.last_ts.ns;
    PrintJson(j);
  } else {
    fmt::print(
        "imported {} messages of {} (level {}) into {}: {} records ({} seed levels, {} L3 "
        "orders, {} trades, {} trading statuses), {} .. {}\n",
        s.messages, s.symbol, s.levels, o.out, s.records, s.seed_levels, s.l3_orders, s.trades,
        s.statuses, FormatUtc(s.first_ts), FormatUtc(s.last_ts));
  }
  return kExitOk;
}

// ---------------------------------------------------------------- book check-lobster

int RunCheck(const Inputs& in) {
  Result<marketdata::LobsterCheckResult> r = marketdata::CheckLobster(in.message, in.orderbook);
  if (!r.ok()) return Fail("book check-lobster", r.status());
  const LobsterReplayStats& s = r->stats;
  if (in.json) {
    OrderedJson j;
    j["message_file"] = in.message;
    j["orderbook_file"] = in.orderbook;
    j["levels"] = r->levels;
    j["rows"] = s.rows;
    j["matched"] = s.matched;
    j["mismatched"] = s.mismatched;
    j["first_mismatch_row"] = OptionalRow(s.first_mismatch_row);
    j["first_mismatch"] = s.first_mismatch.empty() ? OrderedJson() : OrderedJson(s.first_mismatch);
    ReplayJson(s, &j);
    j["time_artefacts"] = r->time_artefacts;
    PrintJson(j);
  } else {
    fmt::print("{}: {} rows, {} matched, {} mismatched (level {})\n", in.message, s.rows, s.matched,
               s.mismatched, r->levels);
    if (s.first_mismatch_row.has_value()) fmt::print("  first mismatch: {}\n", s.first_mismatch);
    fmt::print(
        "  seeded levels {}, levels learned {} ({} shares), stale levels dropped {}, "
        "unknown order refs {}, attribution shortfalls {}\n",
        s.seeded_levels, s.levels_learned, s.learned_qty, s.levels_dropped, s.unknown_order_refs,
        s.attribution_shortfalls);
  }
  return s.mismatched == 0 ? kExitOk : kExitFailed;
}

// ---------------------------------------------------------------- fidelity lobster

struct FidelityCliOptions {
  Inputs in;
  uint64_t orders = 1000;
  uint64_t seed = 1;
  bool filled_only = false;
  bool per_order = false;
};

int RunFidelity(const FidelityCliOptions& o) {
  marketdata::LobsterFidelityOptions opts;
  opts.orders = o.orders;
  opts.seed = o.seed;
  opts.filled_only = o.filled_only;
  Result<marketdata::LobsterFidelityResult> r =
      marketdata::RunLobsterFidelity(o.in.message, o.in.orderbook, opts);
  if (!r.ok()) return Fail("fidelity lobster", r.status());
  const marketdata::LobsterFidelityResult& f = *r;
  const double exact_pct = f.orders == 0 ? 0.0 : 100.0 * f.exact / f.orders;
  const double exact_filled_pct =
      f.orders_with_fills == 0 ? 0.0 : 100.0 * f.exact_with_fills / f.orders_with_fills;
  if (o.in.json) {
    OrderedJson j;
    j["message_file"] = o.in.message;
    j["seed"] = o.seed;
    j["filled_only"] = o.filled_only;
    j["candidates"] = f.candidates;
    j["candidates_with_fills"] = f.candidates_with_fills;
    j["orders"] = f.orders;
    j["exact"] = f.exact;
    j["exact_pct"] = exact_pct;
    j["same_filled_qty"] = f.same_filled_qty;
    j["orders_with_fills"] = f.orders_with_fills;
    j["exact_with_fills"] = f.exact_with_fills;
    j["exact_with_fills_pct"] = exact_filled_pct;
    j["hist_filled_qty"] = f.hist_filled_qty;
    j["our_filled_qty"] = f.our_filled_qty;
    j["filled_qty_error_pct"] = f.filled_qty_error_pct;
    j["our_refs_clamped"] = f.replay.our_refs_clamped;
    j["replay_mismatched_rows"] = f.replay.mismatched;
    if (o.per_order) {
      OrderedJson list = OrderedJson::array();
      for (const marketdata::LobsterFidelityOrder& x : f.per_order) {
        list.push_back({{"order_id", x.historical_id},
                        {"add_row", x.add_row},
                        {"side", SideName(x.side)},
                        {"price", FormatDecimal(x.price, 4)},
                        {"qty", x.qty},
                        {"hist_filled_qty", x.hist_filled_qty},
                        {"our_filled_qty", x.our_filled_qty},
                        {"hist_fill_times", x.hist_fill_times},
                        {"our_fill_times", x.our_fill_times},
                        {"exact", x.exact}});
      }
      j["per_order"] = std::move(list);
    }
    PrintJson(j);
  } else {
    fmt::print("{}: {} orders drawn (seed {}) among {} candidates ({} with fills)\n", o.in.message,
               f.orders, o.seed, f.candidates, f.candidates_with_fills);
    fmt::print("  exact: {} ({:.2f}%); with historical fills: {} of {} ({:.2f}%)\n", f.exact,
               exact_pct, f.exact_with_fills, f.orders_with_fills, exact_filled_pct);
    fmt::print("  filled qty: ours {}, historical {}, error {:.3f}%\n", f.our_filled_qty,
               f.hist_filled_qty, f.filled_qty_error_pct);
  }
  return kExitOk;
}

// ---------------------------------------------------------------- bench lobster

using Clock = std::chrono::steady_clock;

struct BenchCliOptions {
  Inputs in;
  int repeat = 3;
};

// Parse only: both files, every field.
Result<double> TimeParse(const Inputs& in, uint64_t* events) {
  const auto t0 = Clock::now();
  Result<std::unique_ptr<marketdata::LobsterReader>> r =
      marketdata::LobsterReader::Open(in.message, in.orderbook);
  if (!r.ok()) return r.status();
  uint64_t n = 0;
  int64_t sink = 0;
  for (;;) {
    Result<bool> more = (*r)->Next();
    if (!more.ok()) return more.status();
    if (!*more) break;
    sink += (*r)->message().size + static_cast<int64_t>((*r)->row().bids.size());
    ++n;
  }
  *events = n + (sink == -1 ? 1 : 0);  // keeps `sink` alive
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

Result<double> TimeRebuild(const Inputs& in, bool compare, uint64_t* events, uint64_t* mismatched) {
  const auto t0 = Clock::now();
  marketdata::LobsterReplayOptions opts;
  opts.compare = compare;
  Result<marketdata::LobsterCheckResult> r =
      marketdata::CheckLobster(in.message, in.orderbook, opts);
  if (!r.ok()) return r.status();
  *events = r->stats.rows;
  *mismatched = r->stats.mismatched;
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// The book alone: messages and rows parsed into memory first, then only the replay is timed
// (seed, reconcile, apply; no comparison).
Result<double> TimeBookOnly(const Inputs& in) {
  Result<std::unique_ptr<marketdata::LobsterReader>> r =
      marketdata::LobsterReader::Open(in.message, in.orderbook);
  if (!r.ok()) return r.status();
  std::vector<marketdata::LobsterMessage> messages;
  std::vector<marketdata::LobsterBookRow> rows;
  for (;;) {
    Result<bool> more = (*r)->Next();
    if (!more.ok()) return more.status();
    if (!*more) break;
    messages.push_back((*r)->message());
    rows.push_back((*r)->row());
  }
  marketdata::LobsterReplayOptions opts;
  opts.compare = false;
  const auto t0 = Clock::now();
  marketdata::LobsterReplay replay(marketdata::LobsterInstrument(1, (*r)->file_name().symbol),
                                   (*r)->levels(), opts);
  for (size_t i = 0; i < messages.size(); ++i) {
    replay.Step(messages[i], rows[i], (*r)->ToUtc(messages[i].time_ns));
  }
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

int RunBench(const BenchCliOptions& o) {
  double parse_s = 1e300, rebuild_s = 1e300, check_s = 1e300, book_s = 1e300;
  uint64_t events = 0, mismatched = 0;
  for (int i = 0; i < o.repeat; ++i) {
    Result<double> p = TimeParse(o.in, &events);
    if (!p.ok()) return Fail("bench lobster", p.status());
    parse_s = std::min(parse_s, *p);
    Result<double> b = TimeRebuild(o.in, false, &events, &mismatched);
    if (!b.ok()) return Fail("bench lobster", b.status());
    rebuild_s = std::min(rebuild_s, *b);
    Result<double> c = TimeRebuild(o.in, true, &events, &mismatched);
    if (!c.ok()) return Fail("bench lobster", c.status());
    check_s = std::min(check_s, *c);
    Result<double> k = TimeBookOnly(o.in);
    if (!k.ok()) return Fail("bench lobster", k.status());
    book_s = std::min(book_s, *k);
  }
  const double n = static_cast<double>(events);
  if (o.in.json) {
    OrderedJson j;
    j["message_file"] = o.in.message;
    j["events"] = events;
    j["events_per_s"] = std::round(n / rebuild_s);
    j["parse_events_per_s"] = std::round(n / parse_s);
    j["check_events_per_s"] = std::round(n / check_s);
    j["book_only_events_per_s"] = std::round(n / book_s);
    j["check_mismatched"] = mismatched;
    j["repeat"] = o.repeat;
    PrintJson(j);
  } else {
    fmt::print("LOBSTER rebuild, {} events (best of {})\n", events, o.repeat);
    fmt::print("  parse (both files)           {:>8.2f} M events/s\n", n / parse_s / 1e6);
    fmt::print("  parse + book + reconcile     {:>8.2f} M events/s\n", n / rebuild_s / 1e6);
    fmt::print("  ... + compare every row      {:>8.2f} M events/s ({} mismatched)\n",
               n / check_s / 1e6, mismatched);
    fmt::print("  book + reconcile, in memory  {:>8.2f} M events/s\n", n / book_s / 1e6);
  }
  return kExitOk;
}

}  // namespace

void RegisterLobsterCommands(CLI::App& app, int* exit_code) {
  {
    CLI::App* import = Group(app, "import", "Convert market data files into journals");
    CLI::App* cmd = import->add_subcommand(
        "lobster",
        "Import a LOBSTER message file (with its orderbook file for the seed) into a journal: "
        "the book before message 1 first, then one record per message");
    auto o = std::make_shared<ImportOptions>();
    AddInputs(cmd, &o->in);
    cmd->add_option("-o,--out", o->out, "Journal directory to create")->required();
    cmd->add_option("--symbol", o->symbol, "Instrument symbol (default: the file's ticker)");
    cmd->callback([o, exit_code] { *exit_code = RunImport(*o); });
  }
  {
    CLI::App* book = Group(app, "book", "Order book tools");
    CLI::App* cmd = book->add_subcommand(
        "check-lobster",
        "Rebuild the L3 book message by message and compare every row of the orderbook file "
        "(exit 1 on any mismatch)");
    auto o = std::make_shared<Inputs>();
    AddInputs(cmd, o.get());
    cmd->callback([o, exit_code] { *exit_code = RunCheck(*o); });
  }
  {
    CLI::App* fidelity = Group(app, "fidelity", "Compare simulated fills with history");
    CLI::App* cmd = fidelity->add_subcommand(
        "lobster",
        "Resubmit N historical limit orders as ours (zero latency, same price and size) and "
        "count how many get exactly their historical fills");
    auto o = std::make_shared<FidelityCliOptions>();
    AddInputs(cmd, &o->in);
    cmd->add_option("--orders", o->orders, "Number of orders to draw")
        ->check(CLI::Range(uint64_t{1}, marketdata::kMaxFidelityOrders));
    cmd->add_option("--seed", o->seed, "Seed of the draw");
    cmd->add_flag("--filled-only", o->filled_only,
                  "Draw only among orders that executed historically");
    cmd->add_flag("--per-order", o->per_order, "With --json: every drawn order's figures");
    cmd->callback([o, exit_code] { *exit_code = RunFidelity(*o); });
  }
  {
    CLI::App* bench = Group(app, "bench", "Measure throughput and latency");
    CLI::App* cmd = bench->add_subcommand(
        "lobster",
        "Rebuild a LOBSTER day: parse alone, parse + book (events_per_s), and with every row "
        "compared");
    auto o = std::make_shared<BenchCliOptions>();
    AddInputs(cmd, &o->in);
    cmd->add_option("--repeat", o->repeat, "Runs; the best is reported")->check(CLI::Range(1, 100));
    cmd->callback([o, exit_code] { *exit_code = RunBench(*o); });
  }
}

}  // namespace td::tools
