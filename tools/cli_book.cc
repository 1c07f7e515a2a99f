// `tapedeck bench book`: the order book's throughput on the mixed add/cancel/execute workload
// of sim-exchange/book_ops.h (~50% adds near the top, ~35% cancels, ~15% executions and
// marketable orders, around a moving mid), the figure DESIGN.md's performance table quotes.
// The workload is generated in chunks by a shadow book, untimed; only the book operations
// of the measured book are timed, after a warm-up that builds the book to its depth.
#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <vector>

#include "sim-exchange/book_ops.h"
#include "sim-exchange/order_book.h"
#include "tools/cli_common.h"
#include "tools/commands.h"

namespace td::tools {
namespace {

using Clock = std::chrono::steady_clock;
// Big chunks: generating one runs the shadow book, which evicts the measured book from the
// caches; at 512k operations per chunk (48 MB of BookOps) the refill costs ~1%.
constexpr size_t kChunkOps = 1 << 19;

struct BookBenchOptions {
  uint64_t ops = 5'000'000;
  uint64_t seed = 1;
  size_t depth = 20'000;
  bool json = false;
};

struct BookBenchResult {
  uint64_t ops = 0, adds = 0, cancels = 0, executions = 0, fills = 0, events = 0;
  double seconds = 0;
  size_t resting_at_end = 0;
  size_t bid_levels = 0, ask_levels = 0;
};

BookBenchResult Run(const BookBenchOptions& o) {
  sim::MixedWorkload gen({.seed = o.seed, .live_orders_target = o.depth});
  sim::OrderBook book(gen.instrument(), sim::BookOptions{.initial_order_capacity =
                                                             static_cast<uint32_t>(2 * o.depth)});
  std::vector<sim::BookOp> ops;
  std::vector<sim::BookEvent> events;
  events.reserve(1024);
  gen.NextChunk(o.depth, &ops);  // warm-up: builds the book, untimed
  for (const sim::BookOp& op : ops) sim::ApplyOp(op, &book, &events);

  BookBenchResult r;
  Clock::duration timed{};
  while (r.ops < o.ops) {
    gen.NextChunk(std::min<uint64_t>(kChunkOps, o.ops - r.ops), &ops);
    // Timed: what a caller of the book does per operation (apply it, look at its events).
    const auto t0 = Clock::now();
    for (const sim::BookOp& op : ops) {
      events.clear();
      sim::ApplyOp(op, &book, &events);
      r.events += events.size();
      for (const sim::BookEvent& e : events) r.fills += e.kind == sim::BookEventKind::kFill;
    }
    timed += Clock::now() - t0;
    r.ops += ops.size();
    for (const sim::BookOp& op : ops) {
      const bool add = op.kind == sim::BookOp::Kind::kSubmit && op.spec.type == OrdType::kLimit &&
                       op.spec.tif != TimeInForce::kIoc;
      r.adds += add;
      r.cancels += op.kind == sim::BookOp::Kind::kCancel;
      r.executions += !add && op.kind != sim::BookOp::Kind::kCancel;
    }
  }
  r.seconds = std::chrono::duration<double>(timed).count();
  r.resting_at_end = book.order_count();
  std::vector<sim::LevelView> levels(1 << 20);
  r.bid_levels = book.Levels(Side::kBuy, levels.size(), levels.data());
  r.ask_levels = book.Levels(Side::kSell, levels.size(), levels.data());
  return r;
}

void Print(const BookBenchOptions& o, const BookBenchResult& r) {
  const double ops_per_s = static_cast<double>(r.ops) / r.seconds;
  const double pct = 100.0 / static_cast<double>(r.ops);
  if (o.json) {
    fmt::print(
        "{{\"ops\": {}, \"ops_per_s\": {:.0f}, \"ns_per_op\": {:.1f}, \"seconds\": {:.3f}, "
        "\"adds_pct\": {:.1f}, \"cancels_pct\": {:.1f}, \"executions_pct\": {:.1f}, "
        "\"fills\": {}, \"events\": {}, \"orders_resting_at_end\": {}, \"bid_levels\": {}, "
        "\"ask_levels\": {}, \"depth_target\": {}, \"seed\": {}}}\n",
        r.ops, ops_per_s, 1e9 / ops_per_s, r.seconds, r.adds * pct, r.cancels * pct,
        r.executions * pct, r.fills, r.events, r.resting_at_end, r.bid_levels, r.ask_levels,
        o.depth, o.seed);
    return;
  }
  fmt::print("order book benchmark, {} operations (seed {}, depth target {} orders)\n", r.ops,
             o.seed, o.depth);
  fmt::print("  mix          {:.1f}% adds, {:.1f}% cancels, {:.1f}% executions\n", r.adds * pct,
             r.cancels * pct, r.executions * pct);
  fmt::print("  throughput   {:.2f} M ops/s ({:.1f} ns/op)\n", ops_per_s / 1e6, 1e9 / ops_per_s);
  fmt::print("  fills        {}   events {}\n", r.fills, r.events);
  fmt::print("  at the end   {} orders resting on {} bid and {} ask levels\n", r.resting_at_end,
             r.bid_levels, r.ask_levels);
}

}  // namespace

void RegisterBookCommands(CLI::App& app, int* exit_code) {
  CLI::App* bench = Group(app, "bench", "Measure throughput and latency");
  CLI::App* cmd = bench->add_subcommand(
      "book",
      "Run the order book on a mixed workload (~50% adds near the top, ~35% cancels, ~15% "
      "executions, moving mid) and print operations per second");
  auto opts = std::make_shared<BookBenchOptions>();
  cmd->add_option("--ops", opts->ops, "Measured operations (after a warm-up)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 32));
  cmd->add_option("--seed", opts->seed, "Workload seed");
  cmd->add_option("--depth", opts->depth, "Live orders the workload keeps in the book")
      ->check(CLI::Range(size_t{100}, size_t{1} << 22));
  cmd->add_flag("--json", opts->json, "One JSON object on stdout");
  cmd->callback([opts, exit_code] {
    Print(*opts, Run(*opts));
    *exit_code = 0;
  });
}

}  // namespace td::tools
