// Google Benchmark figures for the order book: the mixed add/cancel/execute workload around
// a moving mid (sim-exchange/book_ops.h: ~50% adds near the top, ~35% cancels, ~15%
// historical executions and marketable orders) on a book ~20'000 orders deep, and a pure
// add/cancel loop at the top. Each reports items_per_second (operations) and allocs_per_op,
// counted by the global operator new below: after warm-up a book operation must not allocate.
// `tapedeck bench book` measures the same workload for the README.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

#include "sim-exchange/book_ops.h"
#include "sim-exchange/order_book.h"

// The replacement new/delete pair below is malloc/free underneath; gcc, seeing free() inlined
// where a `new` pointer is released, warns about a mismatch that is not one.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace {
std::atomic<uint64_t> g_allocations{0};
}  // namespace

void* operator new(size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace td::sim {
namespace {

constexpr size_t kLiveOrders = 20'000;
constexpr size_t kMeasuredOps = 1'000'000;

struct Workload {
  InstrumentDef instrument;
  std::vector<BookOp> warmup;    // builds the book to its depth
  std::vector<BookOp> measured;  // the steady-state mix
};

const Workload& MixedOps() {
  static const Workload* w = [] {
    auto* out = new Workload;
    MixedWorkload gen({.seed = 1, .live_orders_target = kLiveOrders});
    out->instrument = gen.instrument();
    gen.NextChunk(kLiveOrders, &out->warmup);
    gen.NextChunk(kMeasuredOps, &out->measured);
    return out;
  }();
  return *w;
}

void Apply(const std::vector<BookOp>& ops, OrderBook* book, std::vector<BookEvent>* events) {
  for (const BookOp& op : ops) {
    events->clear();
    ApplyOp(op, book, events);
  }
}

void BM_OrderBookMixed(benchmark::State& state) {
  const Workload& w = MixedOps();
  std::vector<BookEvent> events;
  events.reserve(4096);
  uint64_t allocations = 0;
  for (auto _ : state) {
    state.PauseTiming();
    OrderBook book(w.instrument, BookOptions{.initial_order_capacity = 2 * kLiveOrders});
    Apply(w.warmup, &book, &events);
    const uint64_t before = g_allocations.load(std::memory_order_relaxed);
    state.ResumeTiming();
    Apply(w.measured, &book, &events);
    state.PauseTiming();
    allocations += g_allocations.load(std::memory_order_relaxed) - before;
    benchmark::DoNotOptimize(book.order_count());
    state.ResumeTiming();  // the book's destruction is timed: negligible against 1M ops
  }
  const auto ops = static_cast<int64_t>(state.iterations() * w.measured.size());
  state.SetItemsProcessed(ops);
  state.counters["allocs_per_op"] =
      benchmark::Counter(static_cast<double>(allocations) / static_cast<double>(ops));
}
BENCHMARK(BM_OrderBookMixed)->Unit(benchmark::kMillisecond);

// Adds a limit order at or near the best bid and cancels the oldest one, on a book holding
// `range(0)` orders: the price-level vector, queue links and id index on their own.
void BM_OrderBookAddCancel(benchmark::State& state) {
  const size_t depth = static_cast<size_t>(state.range(0));
  const InstrumentDef inst = MixedWorkload::Instrument();
  OrderBook book(inst, BookOptions{.initial_order_capacity = static_cast<uint32_t>(2 * depth)});
  std::vector<BookEvent> events;
  events.reserve(16);
  constexpr int64_t kCent = Price::kScale / 100;
  VenueOrderId next = 1;
  auto add = [&] {
    OrderSpec s;
    s.id = next;
    s.side = Side::kBuy;
    s.price = Price{(10'000 - static_cast<int64_t>(next * 7 % 16)) * kCent};
    s.qty = Qty{100};
    ++next;
    book.Submit(s, Timestamp{}, &events);
  };
  for (size_t i = 0; i < depth; ++i) add();
  const uint64_t before = g_allocations.load(std::memory_order_relaxed);
  for (auto _ : state) {
    events.clear();
    add();
    book.Cancel(next - depth - 1, Qty{0}, &events);
  }
  const auto ops = static_cast<int64_t>(2 * state.iterations());
  state.SetItemsProcessed(ops);
  state.counters["allocs_per_op"] = benchmark::Counter(
      static_cast<double>(g_allocations.load(std::memory_order_relaxed) - before) /
      static_cast<double>(ops));
}
BENCHMARK(BM_OrderBookAddCancel)->Arg(1'000)->Arg(100'000);

}  // namespace
}  // namespace td::sim

BENCHMARK_MAIN();
