// Order manager under venue races: each race of the brief as its own test, driven through the
// Engine with synthetic venue messages.
#include "tests/engine/engine_test_util.h"

namespace td::engine::testing {
namespace {

TEST(OrderManager, ClOrdIdsAreSequentialAndOutputsCarryWhatWasSent) {
  Harness h;
  const ClOrdId a = h.Buy("10.00", 5);
  const ClOrdId b = h.Sell("10.10", 7);
  EXPECT_EQ(a, 1u);
  EXPECT_EQ(b, 2u);
  auto sent = OfKind<NewOrder>(h.Take());
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].cl_ord_id, 1u);
  EXPECT_EQ(sent[0].qty, Qty{5});
  EXPECT_EQ(sent[1].side, Side::kSell);
  EXPECT_EQ(h.ctx().order(a)->status, OrdStatus::kPendingNew);
  h.Feed(OrderAck{.cl_ord_id = a, .venue_order_id = 77, .instrument = 1});
  EXPECT_EQ(h.ctx().order(a)->status, OrdStatus::kNew);
  EXPECT_EQ(h.ctx().order(a)->venue_order_id, 77u);
}

TEST(OrderManager, FillBeforeAckImpliesAcceptance) {
  Harness h;
  const ClOrdId id = h.Buy("10.00", 10);
  h.Feed(h.MakeFill(id, 1, Side::kBuy, "10.00", 4, 4, 6));
  EXPECT_EQ(h.ctx().order(id)->status, OrdStatus::kPartiallyFilled);
  h.Feed(OrderAck{.cl_ord_id = id, .venue_order_id = 5, .instrument = 1});
  EXPECT_EQ(h.ctx().order(id)->status, OrdStatus::kPartiallyFilled);  // the ack does not regress
  EXPECT_EQ(h.ctx().position(1).position, Qty{4});
}

TEST(OrderManager, FillAfterCancelRequestAppliesAndLateCancelAckIsHandled) {
  Harness h;
  const ClOrdId id = h.Buy("10.00", 10);
  h.Feed(OrderAck{.cl_ord_id = id, .instrument = 1});
  ASSERT_TRUE(h.Cancel(id));
  auto cancels = OfKind<CancelOrder>(h.Take());
  ASSERT_EQ(cancels.size(), 1u);
  EXPECT_EQ(cancels[0].orig_cl_ord_id, id);
  EXPECT_EQ(h.ctx().order(id)->status, OrdStatus::kPendingCancel);
  h.Feed(h.MakeFill(id, 1, Side::kBuy, "10.00", 10, 10, 0));
  EXPECT_EQ(h.ctx().order(id)->status, OrdStatus::kFilled);
  EXPECT_EQ(h.ctx().position(1).position, Qty{10});
  // The venue's cancel reject (too late) and even a stray ack leave it filled.
  h.Feed(CancelReject{.cl_ord_id = cancels[0].cl_ord_id, .orig_cl_ord_id = id,
                      .reason = RejectReason::kTooLateToCancel});
  h.Feed(CancelAck{.cl_ord_id = cancels[0].cl_ord_id, .orig_cl_ord_id = id});
  EXPECT_EQ(h.ctx().order(id)->status, OrdStatus::kFilled);
  EXPECT_FALSE(h.ctx().order(id)->cancel_pending);
  EXPECT_EQ(h.ctx().position(1).position, Qty{10});
}

TEST(OrderManager, TooLateCancelLeavesOrderLive) {
  Harness h;
  const ClOrdId id = h.Buy("10.00", 10);
  h.Feed(OrderAck{.cl_ord_id = id, .instrument = 1});
  h.Feed(h.MakeFill(id, 1, Side::kBuy, "10.00", 3, 3, 7));
  ASSERT_TRUE(h.Cancel(id));
  auto c = OfKind<CancelOrder>(h.Take()).at(0);
  h.Feed(CancelReject{.cl_ord_id = c.cl_ord_id, .orig_cl_ord_id = id,
                      .reason = RejectReason::kTooLateToCancel});
  EXPECT_EQ(h.ctx().order(id)->status, OrdStatus::kPartiallyFilled);
  EXPECT_EQ(h.ctx().order(id)->leaves_qty, Qty{7});
  EXPECT_EQ(h.ctx().open_orders(1).size(), 1u);
}

TEST(OrderManager, ReplaceCrossingFillUsesVenueLeaves) {
  Harness h;
  const ClOrdId id = h.Buy("10.00", 10);
  h.Feed(OrderAck{.cl_ord_id = id, .instrument = 1});
  ASSERT_TRUE(h.Replace(id, Px("10.05"), Qty{8}));
  auto r = OfKind<ReplaceOrder>(h.Take()).at(0);
  EXPECT_EQ(r.orig_cl_ord_id, id);
  EXPECT_EQ(h.ctx().order(id)->status, OrdStatus::kPendingReplace);
  // A fill of 6 on the old id crosses the replace on the wire.
  h.Feed(h.MakeFill(id, 1, Side::kBuy, "10.00", 6, 6, 4));
  h.Feed(ReplaceAck{.cl_ord_id = r.cl_ord_id, .orig_cl_ord_id = id, .price = Px("10.05"),
                    .qty = Qty{8}, .leaves_qty = Qty{2}});
  const OrderState* o = h.ctx().order(r.cl_ord_id);
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o, h.ctx().order(id));  // one chain, reachable by both ids
  EXPECT_EQ(o->cl_ord_id, r.cl_ord_id);
  EXPECT_EQ(o->orig_cl_ord_id, id);
  EXPECT_EQ(o->leaves_qty, Qty{2});
  EXPECT_EQ(o->cum_qty, Qty{6});
  EXPECT_EQ(o->status, OrdStatus::kPartiallyFilled);
  EXPECT_EQ(o->price, Px("10.05"));
}

TEST(OrderManager, ReplaceDownToBelowCumFillsTheOrder) {
  Harness h;
  const ClOrdId id = h.Buy("10.00", 10);
  h.Feed(OrderAck{.cl_ord_id = id, .instrument = 1});
  ASSERT_TRUE(h.Replace(id, Px("10.00"), Qty{5}));
  auto r = OfKind<ReplaceOrder>(h.Take()).at(0);
  h.Feed(h.MakeFill(id, 1, Side::kBuy, "10.00", 6, 6, 4));
  h.Feed(ReplaceAck{.cl_ord_id = r.cl_ord_id, .orig_cl_ord_id = id, .price = Px("10.00"),
                    .qty = Qty{5}, .leaves_qty = Qty{0}});
  EXPECT_EQ(h.ctx().order(id)->status, OrdStatus::kFilled);
  EXPECT_TRUE(h.ctx().open_orders(1).empty());
}

// Found by fuzz/sim_fault_fuzzer: a replace whose ack was lost, then a disconnect. The status
// of the old id says "replaced"; the order must move to the replace's id and ask about it,
// not stay open under the old id with nothing left (the market maker then replaced the dead
// id again and again, each one rejected as an unknown order).
TEST(OrderManager, StatusReplacedOfTheOldIdMovesToTheReplaceId) {
  Harness h;
  const ClOrdId id = h.Buy("10.00", 10);
  h.Feed(OrderAck{.cl_ord_id = id, .instrument = 1});
  ASSERT_TRUE(h.Replace(id, Px("10.05"), Qty{10}));
  auto r = OfKind<ReplaceOrder>(h.Take()).at(0);
  // The ReplaceAck is lost; the session drops and comes back.
  h.Feed(SessionState{.state = SessionStateKind::kDisconnected});
  auto reqs = OfKind<StatusRequest>(h.Feed(SessionState{.state = SessionStateKind::kLoggedOn}));
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].cl_ord_id, id);
  auto o = h.Feed(OrderStatusReport{.cl_ord_id = id, .instrument = 1, .side = Side::kBuy,
                                    .status = OrdStatus::kReplaced, .price = Px("10.00"),
                                    .order_qty = Qty{10}});
  reqs = OfKind<StatusRequest>(o);
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].cl_ord_id, r.cl_ord_id);
  const OrderState* s = h.ctx().order(id);
  EXPECT_EQ(s->cl_ord_id, r.cl_ord_id);
  EXPECT_EQ(s->status, OrdStatus::kUnknown);
  EXPECT_FALSE(h.Replace(id, Px("10.10"), Qty{10}));  // nothing is sent while unknown
  // The venue canceled it on the disconnect.
  h.Feed(OrderStatusReport{.cl_ord_id = r.cl_ord_id, .instrument = 1, .side = Side::kBuy,
                           .status = OrdStatus::kCanceled, .price = Px("10.05"),
                           .order_qty = Qty{10}});
  EXPECT_EQ(h.ctx().order(id)->status, OrdStatus::kCanceled);
  EXPECT_TRUE(h.ctx().open_orders(1).empty());
}

// Found by fuzz/sim_fault_fuzzer: a duplicated ReplaceAck arriving after the next replace was
// sent cleared that replace's pending flag, and the market maker replaced the stale id.
// Found by fuzz/sim_fault_fuzzer: a replace in flight at a disconnect; after the logon the
// engine asks about the old id, then the ReplaceAck (resent) moves the order to the new id,
// then the answer about the old id says "replaced". The order must still be asked about under
// its new id (the venue canceled it on the disconnect), not stay unknown for good.
TEST(OrderManager, StatusReplacedAfterTheAckCameAsksAboutTheCurrentId) {
  Harness h;
  const ClOrdId id = h.Sell("10.00", 10);
  h.Feed(OrderAck{.cl_ord_id = id, .instrument = 1});
  ASSERT_TRUE(h.Replace(id, Px("9.99"), Qty{10}));
  const ReplaceOrder r = OfKind<ReplaceOrder>(h.Take()).at(0);
  h.Feed(SessionState{.state = SessionStateKind::kDisconnected});
  h.Feed(SessionState{.state = SessionStateKind::kLoggedOn});  // asks about `id`
  h.Feed(ReplaceAck{.cl_ord_id = r.cl_ord_id, .orig_cl_ord_id = id, .price = Px("9.99"),
                    .qty = Qty{10}, .leaves_qty = Qty{10}});
  auto reqs = OfKind<StatusRequest>(
      h.Feed(OrderStatusReport{.cl_ord_id = id, .instrument = 1, .side = Side::kSell,
                               .status = OrdStatus::kReplaced, .order_qty = Qty{10}}));
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].cl_ord_id, r.cl_ord_id);
  h.Feed(OrderStatusReport{.cl_ord_id = r.cl_ord_id, .instrument = 1, .side = Side::kSell,
                           .status = OrdStatus::kCanceled, .order_qty = Qty{10}});
  EXPECT_TRUE(h.ctx().open_orders(1).empty());
}

// Found by fuzz/sim_fault_fuzzer: a status report answering an earlier question arrives while
// replace R1 is in flight and clears the pending flag; the strategy sends R2 on the old id.
// R1's ack must still move the order (R2 does not make it stale), and R2's reject must not.
TEST(OrderManager, AnAckOfAnEarlierReplaceStillCountsAfterALaterOneWasSent) {
  Harness h;
  const ClOrdId id = h.Sell("10.00", 10);
  h.Feed(OrderAck{.cl_ord_id = id, .instrument = 1});
  ASSERT_TRUE(h.Replace(id, Px("10.01"), Qty{10}));
  const ReplaceOrder r1 = OfKind<ReplaceOrder>(h.Take()).at(0);
  h.Feed(OrderStatusReport{.cl_ord_id = id, .instrument = 1, .side = Side::kSell,
                           .status = OrdStatus::kNew, .price = Px("10.00"),
                           .order_qty = Qty{10}, .leaves_qty = Qty{10}});
  ASSERT_TRUE(h.Replace(id, Px("10.02"), Qty{10}));
  const ReplaceOrder r2 = OfKind<ReplaceOrder>(h.Take()).at(0);
  h.Feed(ReplaceAck{.cl_ord_id = r1.cl_ord_id, .orig_cl_ord_id = id, .price = Px("10.01"),
                    .qty = Qty{10}, .leaves_qty = Qty{10}});
  const OrderState* o = h.ctx().order(id);
  EXPECT_EQ(o->cl_ord_id, r1.cl_ord_id);
  EXPECT_EQ(o->price, Px("10.01"));
  EXPECT_TRUE(o->replace_pending);  // r2 is still out
  // r2 named the old id, which the venue no longer knows.
  auto reqs = OfKind<StatusRequest>(
      h.Feed(CancelReject{.cl_ord_id = r2.cl_ord_id, .orig_cl_ord_id = id,
                          .response_to = CancelRejectOf::kReplace,
                          .reason = RejectReason::kUnknownOrder}));
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].cl_ord_id, r1.cl_ord_id);
  h.Feed(OrderStatusReport{.cl_ord_id = r1.cl_ord_id, .instrument = 1, .side = Side::kSell,
                           .status = OrdStatus::kNew, .price = Px("10.01"),
                           .order_qty = Qty{10}, .leaves_qty = Qty{10}});
  EXPECT_EQ(o->status, OrdStatus::kNew);
  EXPECT_EQ(o->cl_ord_id, r1.cl_ord_id);
  EXPECT_EQ(h.ctx().open_orders(1).size(), 1u);
}

TEST(OrderManager, DuplicateOrLateReplaceAckIsIgnored) {
  Harness h;
  const ClOrdId id = h.Buy("10.00", 10);
  h.Feed(OrderAck{.cl_ord_id = id, .instrument = 1});
  ASSERT_TRUE(h.Replace(id, Px("10.05"), Qty{10}));
  const ReplaceOrder r1 = OfKind<ReplaceOrder>(h.Take()).at(0);
  const ReplaceAck ack1{.cl_ord_id = r1.cl_ord_id, .orig_cl_ord_id = id, .price = Px("10.05"),
                        .qty = Qty{10}, .leaves_qty = Qty{10}};
  h.Feed(ack1);
  h.Feed(h.MakeFill(r1.cl_ord_id, 1, Side::kBuy, "10.05", 4, 4, 6));
  ASSERT_TRUE(h.Replace(id, Px("10.06"), Qty{10}));
  const ReplaceOrder r2 = OfKind<ReplaceOrder>(h.Take()).at(0);
  h.Feed(ack1);  // the duplicate
  const OrderState* o = h.ctx().order(id);
  EXPECT_TRUE(o->replace_pending);
  EXPECT_EQ(o->cl_ord_id, r1.cl_ord_id);
  EXPECT_EQ(o->leaves_qty, Qty{6});
  EXPECT_FALSE(h.Replace(id, Px("10.07"), Qty{10}));  // r2 is still in flight
  h.Feed(ReplaceAck{.cl_ord_id = r2.cl_ord_id, .orig_cl_ord_id = r1.cl_ord_id,
                    .price = Px("10.06"), .qty = Qty{10}, .leaves_qty = Qty{6}});
  EXPECT_FALSE(o->replace_pending);
  EXPECT_EQ(o->cl_ord_id, r2.cl_ord_id);
  EXPECT_EQ(o->price, Px("10.06"));
}

// request_timeout: a cancel whose ack was dropped, and an unknown order whose status request
// was rate-limited, are asked about again when the watchdog fires (found by
// fuzz/sim_fault_fuzzer: both left the market maker waiting for good).
TEST(OrderManager, RequestWatchdogAsksAboutUnansweredCancelsAndUnknownOrders) {
  EngineConfig config;
  config.request_timeout = Duration::Millis(500);
  Harness h(config);
  const ClOrdId a = h.Buy("10.00", 10);
  const ClOrdId b = h.Sell("10.20", 10);
  h.Feed(OrderAck{.cl_ord_id = a, .instrument = 1});
  h.Feed(OrderAck{.cl_ord_id = b, .instrument = 1});
  ASSERT_TRUE(h.Cancel(a));  // its CancelAck will never come
  auto sets = OfKind<TimerSet>(h.Take());
  ASSERT_EQ(sets.size(), 1u);  // the watchdog, armed once
  const TimerSet watchdog = sets[0];
  EXPECT_EQ(watchdog.fire_at.ns - h.t, Duration::Millis(500).ns);
  auto o = h.Feed(TimerFired{watchdog.timer_id, watchdog.fire_at},
                  watchdog.fire_at.ns - h.t);
  auto reqs = OfKind<StatusRequest>(o);
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].cl_ord_id, a);
  ASSERT_EQ(OfKind<TimerSet>(o).size(), 1u);  // still waiting: armed again
  h.Feed(OrderStatusReport{.cl_ord_id = a, .instrument = 1, .side = Side::kBuy,
                           .status = OrdStatus::kCanceled, .order_qty = Qty{10}});
  EXPECT_EQ(h.ctx().order(a)->status, OrdStatus::kCanceled);

  // b is unknown after a disconnect; its status request at the logon is rate-limited.
  h.Feed(SessionState{.state = SessionStateKind::kDisconnected});
  reqs = OfKind<StatusRequest>(h.Feed(SessionState{.state = SessionStateKind::kLoggedOn}));
  ASSERT_EQ(reqs.size(), 1u);
  h.Feed(RateLimitReject{.cl_ord_id = b, .action = OrderAction::kStatus,
                         .retry_after = Duration::Millis(100)});
  const int64_t logon = h.t;
  // The watchdog armed last, fired until it asks (it waits request_timeout after the logon).
  auto last_timer = [&h] {
    std::optional<TimerSet> last;
    for (const Payload& p : h.all) {
      if (const auto* t = std::get_if<TimerSet>(&p)) last = *t;
    }
    return last;
  };
  reqs.clear();
  for (int tick = 0; tick < 3 && reqs.empty(); ++tick) {
    const std::optional<TimerSet> next = last_timer();
    ASSERT_TRUE(next.has_value());
    reqs = OfKind<StatusRequest>(h.Feed(TimerFired{next->timer_id, next->fire_at},
                                        std::max<int64_t>(1, next->fire_at.ns - h.t)));
  }
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].cl_ord_id, b);
  EXPECT_GE(h.t - logon, Duration::Millis(500).ns);
  EXPECT_LT(h.t - logon, Duration::Millis(1000).ns);
}

TEST(OrderManager, DuplicateExecIdCountsOnce) {
  Harness h;
  const ClOrdId id = h.Buy("10.00", 10);
  auto f = h.MakeFill(id, 9, Side::kBuy, "10.00", 4, 4, 6);
  h.Feed(f);
  auto o = h.Feed(f);
  EXPECT_EQ(OfKind<Annotation>(o).size(), 1u);
  EXPECT_EQ(h.ctx().position(1).position, Qty{4});
  EXPECT_EQ(h.ctx().order(id)->cum_qty, Qty{4});
  EXPECT_EQ(h.engine->Summary().fills, 1u);
}

TEST(OrderManager, DisconnectMarksUnknownAndStatusReportResolves) {
  Harness h;
  const ClOrdId a = h.Buy("10.00", 10);
  const ClOrdId b = h.Sell("10.20", 5);
  h.Feed(OrderAck{.cl_ord_id = a, .instrument = 1});
  h.Feed(OrderAck{.cl_ord_id = b, .instrument = 1});
  h.Feed(SessionState{.state = SessionStateKind::kDisconnected});
  EXPECT_EQ(h.ctx().order(a)->status, OrdStatus::kUnknown);
  EXPECT_EQ(h.ctx().order(b)->status, OrdStatus::kUnknown);
  auto o = h.Feed(SessionState{.state = SessionStateKind::kLoggedOn});
  auto reqs = OfKind<StatusRequest>(o);
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].cl_ord_id, a);
  EXPECT_EQ(reqs[1].cl_ord_id, b);
  // a was filled 6 while we were away; b was canceled by the venue.
  h.Feed(OrderStatusReport{.cl_ord_id = a, .instrument = 1, .side = Side::kBuy,
                           .status = OrdStatus::kPartiallyFilled, .price = Px("10.00"),
                           .order_qty = Qty{10}, .cum_qty = Qty{6}, .leaves_qty = Qty{4},
                           .avg_price = Px("10.00")});
  h.Feed(OrderStatusReport{.cl_ord_id = b, .instrument = 1, .side = Side::kSell,
                           .status = OrdStatus::kCanceled, .order_qty = Qty{5}});
  EXPECT_EQ(h.ctx().order(a)->status, OrdStatus::kPartiallyFilled);
  EXPECT_EQ(h.ctx().order(b)->status, OrdStatus::kCanceled);
  EXPECT_EQ(h.ctx().position(1).position, Qty{6});
  // The execution report of those 6, resent after the logon, must not count again.
  h.Feed(h.MakeFill(a, 50, Side::kBuy, "10.00", 6, 6, 4));
  EXPECT_EQ(h.ctx().position(1).position, Qty{6});
}

TEST(OrderManager, RejectExpireAndCancelAck) {
  Harness h;
  const ClOrdId a = h.Buy("10.00", 1);
  const ClOrdId b = h.Buy("10.00", 1);
  const ClOrdId c = h.Buy("10.00", 1);
  h.Feed(OrderReject{.cl_ord_id = a, .reason = RejectReason::kInvalidPrice});
  h.Feed(OrderAck{.cl_ord_id = b});
  h.Feed(OrderExpired{.cl_ord_id = b, .expired_qty = Qty{1}});
  h.Feed(OrderAck{.cl_ord_id = c});
  ASSERT_TRUE(h.Cancel(c));
  auto cx = OfKind<CancelOrder>(h.Take()).at(0);
  h.Feed(CancelAck{.cl_ord_id = cx.cl_ord_id, .orig_cl_ord_id = c, .canceled_qty = Qty{1}});
  EXPECT_EQ(h.ctx().order(a)->status, OrdStatus::kRejected);
  EXPECT_EQ(h.ctx().order(b)->status, OrdStatus::kExpired);
  EXPECT_EQ(h.ctx().order(c)->status, OrdStatus::kCanceled);
  EXPECT_TRUE(h.ctx().open_orders(0).empty());
}

}  // namespace
}  // namespace td::engine::testing
