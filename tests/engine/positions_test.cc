// Positions and PnL: average cost, long, short, flip through zero, fees, marks to mid.
#include "tests/engine/engine_test_util.h"

namespace td::engine::testing {
namespace {

TEST(Positions, LongAverageCostRealizedAndUnrealized) {
  Harness h;
  const ClOrdId a = h.Buy("10.00", 100);
  h.Feed(h.MakeFill(a, 1, Side::kBuy, "10.00", 50, 50, 50));
  h.Feed(h.MakeFill(a, 2, Side::kBuy, "11.00", 50, 100, 0));
  EXPECT_EQ(h.ctx().position(1).avg_price, Px("10.50"));
  const ClOrdId s = h.Sell("12.00", 40);
  h.Feed(h.MakeFill(s, 3, Side::kSell, "12.00", 40, 40, 0));
  PositionState p = h.ctx().position(1);
  EXPECT_EQ(p.position, Qty{60});
  EXPECT_EQ(p.realized_pnl, Usd("60"));  // 40 * (12 - 10.5)
  h.Quote("11.00", "11.02");              // mid 11.01
  p = h.ctx().position(1);
  EXPECT_EQ(p.unrealized_pnl, Usd("30.6"));  // 60 * (11.01 - 10.5)
  EXPECT_EQ(p.exposure, Usd("660.6"));
}

TEST(Positions, ShortThenCoverAtALoss) {
  Harness h;
  const ClOrdId s = h.Sell("20.00", 10);
  h.Feed(h.MakeFill(s, 1, Side::kSell, "20.00", 10, 10, 0));
  EXPECT_EQ(h.ctx().position(1).position, Qty{-10});
  const ClOrdId b = h.Buy("21.00", 10);
  h.Feed(h.MakeFill(b, 2, Side::kBuy, "21.00", 10, 10, 0));
  PositionState p = h.ctx().position(1);
  EXPECT_EQ(p.position, Qty{0});
  EXPECT_EQ(p.realized_pnl, Usd("-10"));
  EXPECT_EQ(p.avg_price, Price{});
}

TEST(Positions, FlipThroughZeroOpensRemainderAtFillPrice) {
  Harness h;
  const ClOrdId b = h.Buy("10.00", 5);
  h.Feed(h.MakeFill(b, 1, Side::kBuy, "10.00", 5, 5, 0));
  const ClOrdId s = h.Sell("12.00", 8);
  h.Feed(h.MakeFill(s, 2, Side::kSell, "12.00", 8, 8, 0));
  PositionState p = h.ctx().position(1);
  EXPECT_EQ(p.position, Qty{-3});
  EXPECT_EQ(p.realized_pnl, Usd("10"));
  EXPECT_EQ(p.avg_price, Px("12.00"));
}

TEST(Positions, FeesAndFractionalQuantities) {
  Harness h;
  // 0.015 BTC at 43002.5 (3 qty decimals), fee 0.65, rebate later.
  const ClOrdId b = h.Buy("43002.5", 15, 2);
  Fill f = h.MakeFill(b, 1, Side::kBuy, "43002.5", 15, 15, 0, 2);
  f.fee = Usd("0.65");
  h.Feed(f);
  const ClOrdId s = h.Sell("43100", 15, 2);
  Fill g = h.MakeFill(s, 2, Side::kSell, "43100", 15, 15, 0, 2);
  g.fee = Usd("-0.10");
  h.Feed(g);
  PositionState p = h.ctx().position(2);
  EXPECT_EQ(p.realized_pnl, Usd("1.4625"));  // 0.015 * 97.5
  EXPECT_EQ(p.fees, Usd("0.55"));
  EXPECT_EQ(h.engine->Summary().realized_pnl, Usd("1.4625"));
}

TEST(Positions, L2AndTradeMarks) {
  Harness h;
  h.Feed(L2Snapshot{.instrument = 1, .bids = {{Px("9.99"), Qty{5}}}, .asks = {{Px("10.01"), Qty{5}}}});
  EXPECT_EQ(h.ctx().mid(1), Px("10.00"));
  h.Feed(L2Update{.instrument = 1, .side = Side::kBuy, .price = Px("10.00"), .qty = Qty{3}});
  EXPECT_EQ(h.ctx().best(1, Side::kBuy)->price, Px("10.00"));
  h.Feed(L2Update{.instrument = 1, .side = Side::kBuy, .price = Px("10.00"), .qty = Qty{0}});
  EXPECT_EQ(h.ctx().best(1, Side::kBuy)->price, Px("9.99"));
  // L3 instrument: no quotes, the trade price is the mark.
  const ClOrdId b = h.Buy("100", 1000, 2);
  h.Feed(h.MakeFill(b, 1, Side::kBuy, "100", 1000, 1000, 0, 2));
  h.Feed(Trade{.instrument = 2, .price = Px("101"), .qty = Qty{1}});
  EXPECT_EQ(h.ctx().mid(2), Price{});
  EXPECT_EQ(h.ctx().position(2).unrealized_pnl, Usd("1"));
}

}  // namespace
}  // namespace td::engine::testing
