// Risk gate: each pre-trade limit refuses with a RiskEvent naming rule, value and limit; the
// circuit breakers act per on_breach.
#include "tests/engine/engine_test_util.h"

namespace td::engine::testing {
namespace {

EngineConfig WithRisk(RiskLimits r) {
  EngineConfig c;
  c.risk = std::move(r);
  return c;
}

RiskEvent RefusalOf(Harness& h) {
  auto ev = OfKind<RiskEvent>(h.Take());
  EXPECT_EQ(ev.size(), 1u);
  return ev.empty() ? RiskEvent{} : ev[0];
}

TEST(Risk, MaxOrderQty) {
  Harness h(WithRisk({.max_order_qty = Qty{10}}));
  EXPECT_NE(h.Buy("10", 10), 0u);
  h.Take();
  EXPECT_EQ(h.Buy("10", 11), 0u);
  RiskEvent e = RefusalOf(h);
  EXPECT_EQ(e.rule, "max_order_qty");
  EXPECT_EQ(e.value, 11);
  EXPECT_EQ(e.limit, 10);
  EXPECT_EQ(e.action, RiskAction::kReject);
}

TEST(Risk, MaxOrderNotional) {
  Harness h(WithRisk({.max_order_notional = Usd("1000")}));
  EXPECT_EQ(h.Buy("10.01", 100), 0u);
  RiskEvent e = RefusalOf(h);
  EXPECT_EQ(e.rule, "max_order_notional");
  EXPECT_EQ(e.value, Usd("1001").raw);
  EXPECT_NE(h.Buy("10.00", 100), 0u);
}

TEST(Risk, PriceCollarVsMid) {
  Harness h(WithRisk({.price_collar_bps = 50}));
  h.Quote("99.99", "100.01");
  EXPECT_NE(h.Buy("100.50", 1), 0u);
  h.Take();
  EXPECT_EQ(h.Buy("100.51", 1), 0u);
  RiskEvent e = RefusalOf(h);
  EXPECT_EQ(e.rule, "price_collar_bps");
  EXPECT_EQ(e.value, 51);
}

TEST(Risk, MaxPositionCountsOpenOrdersOnThatSide) {
  Harness h(WithRisk({.max_position = Qty{10}}));
  const ClOrdId a = h.Buy("10", 6);
  h.Feed(h.MakeFill(a, 1, Side::kBuy, "10", 6, 6, 0));
  EXPECT_NE(h.Buy("10", 3), 0u);  // 6 + 3 open = 9
  h.Take();
  EXPECT_EQ(h.Buy("10", 2), 0u);  // 6 + 3 + 2 = 11
  EXPECT_EQ(RefusalOf(h).rule, "max_position");
  EXPECT_NE(h.Sell("10", 16), 0u);  // 6 - 16 = -10: allowed
}

TEST(Risk, GrossExposurePerSymbolAndPerClass) {
  RiskLimits r{.max_gross_exposure = Usd("500")};
  r.max_gross_exposure_by_class[AssetClass::kCrypto] = Usd("50");
  Harness h(WithRisk(r));
  EXPECT_EQ(h.Buy("10", 51), 0u);
  EXPECT_EQ(RefusalOf(h).rule, "max_gross_exposure");
  EXPECT_EQ(h.Buy("100", 501, 2), 0u);  // 0.501 BTC at 100 = 50.1
  EXPECT_EQ(RefusalOf(h).rule, "max_gross_exposure_by_class");
}

TEST(Risk, MaxOpenOrders) {
  Harness h(WithRisk({.max_open_orders = 2}));
  EXPECT_NE(h.Buy("10", 1), 0u);
  EXPECT_NE(h.Buy("10", 1), 0u);
  h.Take();
  EXPECT_EQ(h.Buy("10", 1), 0u);
  EXPECT_EQ(RefusalOf(h).rule, "max_open_orders");
}

TEST(Risk, OrderRatePerRollingSecond) {
  Harness h(WithRisk({.max_orders_per_second = 2}));
  EXPECT_NE(h.Buy("10", 1), 0u);
  EXPECT_NE(h.Buy("10", 1), 0u);
  h.Take();
  EXPECT_EQ(h.Buy("10", 1), 0u);
  EXPECT_EQ(RefusalOf(h).rule, "max_orders_per_second");
  h.Feed(Annotation{}, 1'000'000'000);  // time moves a second on (a no-op input)
  EXPECT_NE(h.Buy("10", 1), 0u);
}

TEST(Risk, DailyLossHaltsNewOrders) {
  Harness h(WithRisk({.max_daily_loss = Usd("50"), .on_breach = RiskAction::kHaltNew}));
  const ClOrdId a = h.Buy("10", 100);
  h.Feed(h.MakeFill(a, 1, Side::kBuy, "10", 100, 100, 0));
  auto o = h.Quote("9.40", "9.42");  // mid 9.41: -59
  auto ev = OfKind<RiskEvent>(o);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].rule, "max_daily_loss");
  EXPECT_EQ(ev[0].action, RiskAction::kHaltNew);
  EXPECT_EQ(ev[1].kind, RiskEventKind::kHalted);
  h.Take();
  EXPECT_EQ(h.Buy("9", 1), 0u);
  EXPECT_EQ(RefusalOf(h).rule, "halted");
}

TEST(Risk, PerTradeStopLossCancelsAll) {
  Harness h(WithRisk({.per_trade_stop_loss = Usd("5"), .on_breach = RiskAction::kCancelAll}));
  const ClOrdId a = h.Buy("10", 10);
  h.Feed(h.MakeFill(a, 1, Side::kBuy, "10", 10, 10, 0));
  const ClOrdId working = h.Buy("9", 1);
  const ClOrdId s = h.Sell("9", 10);
  h.Feed(OrderAck{.cl_ord_id = working});
  auto o = h.Feed(h.MakeFill(s, 2, Side::kSell, "9", 10, 10, 0));  // -10 realized
  auto ev = OfKind<RiskEvent>(o);
  ASSERT_GE(ev.size(), 1u);
  EXPECT_EQ(ev[0].rule, "per_trade_stop_loss");
  EXPECT_EQ(ev[0].value, Usd("10").raw);
  auto cx = OfKind<CancelOrder>(o);
  ASSERT_EQ(cx.size(), 1u);
  EXPECT_EQ(cx[0].orig_cl_ord_id, working);
}

TEST(Risk, DrawdownFromPeakFiresKillSwitchOnFlatten) {
  Harness h(WithRisk({.max_drawdown = Usd("20"), .on_breach = RiskAction::kFlatten}));
  const ClOrdId a = h.Buy("10", 10);
  h.Feed(h.MakeFill(a, 1, Side::kBuy, "10", 10, 10, 0));
  h.Quote("14.99", "15.01");  // +50 peak
  auto o = h.Quote("12.49", "12.51");  // +25: drawdown 25
  auto ev = OfKind<RiskEvent>(o);
  ASSERT_GE(ev.size(), 2u);
  EXPECT_EQ(ev[0].rule, "max_drawdown");
  EXPECT_EQ(ev[1].kind, RiskEventKind::kKillSwitchFired);
}

}  // namespace
}  // namespace td::engine::testing
