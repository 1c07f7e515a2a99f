// Kill switch: fired by the operator, it cancels everything, flattens through rate-limit
// rejects on a retry timer, and reports flat (or the deadline) with a final annotation.
#include "tests/engine/engine_test_util.h"

namespace td::engine::testing {
namespace {

TEST(KillSwitch, CancelsFlattensRetriesAndReportsFlat) {
  EngineConfig c;
  c.kill_switch_retry = Duration::Millis(100);
  c.request_timeout = Duration{};  // this test counts the kill switch's own timers
  Harness h(c);
  h.Quote("9.99", "10.01");
  const ClOrdId long_fill = h.Buy("10.01", 10);
  h.Feed(h.MakeFill(long_fill, 1, Side::kBuy, "10.01", 10, 10, 0));
  const ClOrdId working = h.Buy("9.90", 5);
  h.Feed(OrderAck{.cl_ord_id = working});

  auto o = h.Feed(OperatorCommand{.kind = OperatorCommandKind::kKillSwitch, .origin = "test"});
  ASSERT_GE(o.size(), 5u);
  EXPECT_EQ(std::get<RiskEvent>(o[0]).kind, RiskEventKind::kKillSwitchFired);
  EXPECT_TRUE(std::holds_alternative<MassCancel>(o[1]));
  auto cx = OfKind<CancelOrder>(o);
  ASSERT_EQ(cx.size(), 1u);
  EXPECT_EQ(cx[0].orig_cl_ord_id, working);
  auto flat1 = OfKind<NewOrder>(o);
  ASSERT_EQ(flat1.size(), 1u);
  EXPECT_EQ(flat1[0].side, Side::kSell);
  EXPECT_EQ(flat1[0].qty, Qty{10});
  EXPECT_EQ(flat1[0].tif, TimeInForce::kIoc);
  EXPECT_LT(flat1[0].price, Px("9.99"));  // crosses the bid
  auto timers = OfKind<TimerSet>(o);
  ASSERT_EQ(timers.size(), 1u);

  h.Feed(CancelAck{.cl_ord_id = cx[0].cl_ord_id, .orig_cl_ord_id = working});
  h.Feed(RateLimitReject{.cl_ord_id = flat1[0].cl_ord_id, .action = OrderAction::kNew,
                         .retry_after = Duration::Millis(50)});
  // Disconnected at the retry: nothing is sent, the timer keeps going.
  h.Feed(SessionState{.state = SessionStateKind::kDisconnected});
  o = h.Feed(TimerFired{.timer_id = timers[0].timer_id}, 100'000'000);
  EXPECT_TRUE(OfKind<NewOrder>(o).empty());
  timers = OfKind<TimerSet>(o);
  ASSERT_EQ(timers.size(), 1u);
  h.Feed(SessionState{.state = SessionStateKind::kLoggedOn});
  o = h.Feed(TimerFired{.timer_id = timers[0].timer_id}, 100'000'000);
  auto flat2 = OfKind<NewOrder>(o);
  ASSERT_EQ(flat2.size(), 1u);
  EXPECT_EQ(flat2[0].qty, Qty{10});

  o = h.Feed(h.MakeFill(flat2[0].cl_ord_id, 2, Side::kSell, "9.99", 10, 10, 0));
  auto ev = OfKind<RiskEvent>(o);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, RiskEventKind::kKillSwitchFlat);
  auto notes = OfKind<Annotation>(o);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].text.find("kill switch report: flat"), std::string::npos);
  EXPECT_EQ(OfKind<TimerCancel>(o).size(), 1u);
  EngineSummary s = h.engine->Summary();
  EXPECT_TRUE(s.kill_switch_fired.has_value());
  EXPECT_TRUE(s.kill_switch_flat.has_value());
  EXPECT_EQ(s.open_orders, 0u);
  EXPECT_EQ(h.ctx().position(1).position, Qty{0});
}

TEST(KillSwitch, GivesUpAtTheDeadline) {
  EngineConfig c;
  c.kill_switch_retry = Duration::Millis(100);
  c.kill_switch_deadline = Duration::Millis(250);
  Harness h(c);
  const ClOrdId b = h.Buy("10", 3);
  h.Feed(h.MakeFill(b, 1, Side::kBuy, "10", 3, 3, 0));
  auto o = h.Feed(OperatorCommand{.kind = OperatorCommandKind::kKillSwitch});
  auto orders = OfKind<NewOrder>(o);
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(orders[0].type, OrdType::kLimit);  // marked at the fill price: no book
  TimerId timer = OfKind<TimerSet>(o).at(0).timer_id;
  bool deadline = false;
  for (int i = 0; i < 5 && !deadline; ++i) {
    for (const NewOrder& n : orders) h.Feed(OrderReject{.cl_ord_id = n.cl_ord_id});
    o = h.Feed(TimerFired{.timer_id = timer}, 100'000'000);
    for (const RiskEvent& e : OfKind<RiskEvent>(o)) {
      deadline |= e.kind == RiskEventKind::kKillSwitchDeadline;
    }
    orders = OfKind<NewOrder>(o);
    if (!deadline) timer = OfKind<TimerSet>(o).at(0).timer_id;
  }
  EXPECT_TRUE(deadline);
  EXPECT_NE(OfKind<Annotation>(o).at(0).text.find("deadline"), std::string::npos);
}

}  // namespace
}  // namespace td::engine::testing
