// PositionBook::TotalPnl is cached and the cache kept across market data that moves no mark
// (a quote that changes only sizes, the same last trade again): after every input it must equal
// the total computed afresh from State() of each instrument.
#include <gtest/gtest.h>

#include <vector>

#include "core/rng.h"
#include "engine/positions.h"

// Designated initializers leave the defaulted members out on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace td::engine::internal {
namespace {

Money FreshTotal(const PositionBook& book) {
  Money total{0};
  for (const PositionState& p : book.All()) total += p.realized_pnl + p.unrealized_pnl - p.fees;
  return total;
}

TEST(PositionsTotalPnl, CachedTotalEqualsAFreshOneAfterEveryInput) {
  const std::vector<InstrumentDef> instruments = {
      {.id = 1, .symbol = "A", .tick_size = Price{1}, .qty_decimals = 0},
      {.id = 2, .symbol = "B", .tick_size = Price{1}, .qty_decimals = 2}};
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed);
    Rng rng(seed);
    PositionBook book(&instruments);
    for (int step = 0; step < 2000; ++step) {
      const InstrumentId id = static_cast<InstrumentId>(rng.UniformInt(1, 2));
      // Few distinct prices, so that mids and last trades often repeat.
      const auto px = [&] { return Price{rng.UniformInt(0, 4) * 1'000'000'000 + 100'000'000'000}; };
      const auto qty = [&] { return Qty{rng.UniformInt(0, 3)}; };
      switch (rng.UniformBelow(6)) {
        case 0:
          book.ApplyFill(id, rng.Bernoulli(1, 2) ? Side::kBuy : Side::kSell, px(),
                         Qty{rng.UniformInt(1, 5)}, Money{rng.UniformInt(0, 100)});
          break;
        case 1:
        case 2:
          book.OnMarketData(L1Quote{.instrument = id, .bid = {px(), qty()}, .ask = {px(), qty()}});
          break;
        case 3:
          book.OnMarketData(Trade{.instrument = id, .price = px(), .qty = Qty{1}});
          break;
        case 4:
          book.OnMarketData(L3Order{.instrument = id, .action = L3Action::kExecute,
                                    .price = px(), .qty = Qty{1}});
          break;
        default:
          book.OnMarketData(L2Update{.instrument = id, .side = rng.Bernoulli(1, 2) ? Side::kBuy
                                                                                 : Side::kSell,
                                     .price = px(), .qty = qty()});
          break;
      }
      ASSERT_EQ(book.TotalPnl(), FreshTotal(book)) << "step " << step;
    }
  }
}

}  // namespace
}  // namespace td::engine::internal
