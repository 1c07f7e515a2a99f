// SimVenue: acks, immediate fills against historical liquidity with maker/taker fees, fills
// of our resting order by a historical execution of an order behind it, cancel, replace and
// too-late, IOC expiry, unknown symbol, rate limit, mass cancel, status and mass status,
// cancel on disconnect, quote-only fills, and digest determinism.
#include "sim-exchange/venue.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace td::sim {
namespace {

constexpr int64_t kCent = Price::kScale / 100;
Price Px(int64_t cents) { return Price{cents * kCent}; }

InstrumentDef Instrument(InstrumentId id = 1) {
  InstrumentDef d;
  d.id = id;
  d.symbol = "TEST" + std::to_string(id);
  d.tick_size = Price{kCent};
  d.lot_size = Qty{1};
  d.min_qty = Qty{1};
  return d;
}

// Maker rebate 0.2 bps, taker fee 3 bps.
VenueConfig Config() {
  VenueConfig c;
  c.fees.base = {.maker_ubps = -200'000, .taker_ubps = 3'000'000};
  return c;
}

Event At(int64_t ts, Payload p) {
  Event e;
  e.ts = Timestamp{ts};
  e.payload = std::move(p);
  return e;
}

L3Order Add(VenueOrderId id, Side side, int64_t cents, int64_t qty) {
  L3Order m;
  m.instrument = 1;
  m.action = L3Action::kAdd;
  m.side = side;
  m.order_id = id;
  m.price = Px(cents);
  m.qty = Qty{qty};
  return m;
}

L3Order Execute(VenueOrderId id, Side side, int64_t cents, int64_t qty) {
  L3Order m = Add(id, side, cents, qty);
  m.action = L3Action::kExecute;
  return m;
}

NewOrder Buy(ClOrdId id, int64_t cents, int64_t qty, TimeInForce tif = TimeInForce::kDay) {
  NewOrder n;
  n.cl_ord_id = id;
  n.instrument = 1;
  n.side = Side::kBuy;
  n.price = Px(cents);
  n.qty = Qty{qty};
  n.tif = tif;
  return n;
}

NewOrder Sell(ClOrdId id, int64_t cents, int64_t qty, TimeInForce tif = TimeInForce::kDay) {
  NewOrder n = Buy(id, cents, qty, tif);
  n.side = Side::kSell;
  return n;
}

CancelOrder Cancel(ClOrdId id, ClOrdId orig) {
  return {.cl_ord_id = id, .orig_cl_ord_id = orig, .instrument = 1};
}

Trade Print(int64_t cents, int64_t qty) {
  Trade t;
  t.instrument = 1;
  t.price = Px(cents);
  t.qty = Qty{qty};
  return t;
}

struct Harness {
  SimVenue venue;
  int64_t ts = 1'000;
  explicit Harness(VenueConfig c = Config(), uint64_t seed = 7)
      : venue({Instrument(1), Instrument(2)}, std::move(c), seed) {}

  std::vector<Payload> Md(Payload p) {
    std::vector<Payload> out;
    venue.OnMarketData(At(ts++, std::move(p)), &out);
    return out;
  }
  std::vector<Payload> Cmd(Payload p) {
    std::vector<Payload> out;
    const CommandResult r = venue.OnCommand(At(ts++, std::move(p)), &out);
    EXPECT_NE(r.outcome, CommandOutcome::kQueued);
    return out;
  }
};

template <typename T>
const T& As(const Payload& p) {
  EXPECT_TRUE(std::holds_alternative<T>(p)) << "payload index " << p.index();
  return std::get<T>(p);
}

TEST(SimVenue, NewOrderAckThenTakerFillAgainstHistoricalLiquidity) {
  Harness h;
  EXPECT_TRUE(h.Md(Add(10, Side::kSell, 10'000, 30)).empty());
  EXPECT_TRUE(h.Md(Add(11, Side::kSell, 10'001, 30)).empty());
  std::vector<Payload> r = h.Cmd(Buy(1, 10'001, 50));
  ASSERT_EQ(r.size(), 3u);
  const OrderAck& ack = As<OrderAck>(r[0]);
  EXPECT_EQ(ack.cl_ord_id, 1u);
  EXPECT_EQ(ack.venue_order_id, kOurVenueIdBase + 1);
  const Fill& f1 = As<Fill>(r[1]);
  EXPECT_EQ(f1.price, Px(10'000));
  EXPECT_EQ(f1.qty, Qty{30});
  EXPECT_EQ(f1.cum_qty, Qty{30});
  EXPECT_EQ(f1.leaves_qty, Qty{20});
  EXPECT_EQ(f1.liquidity, Liquidity::kTaker);
  EXPECT_EQ(f1.exec_id, 1u);
  // 30 x 100.00 = 3000.00 notional x 3 bps = 0.90.
  EXPECT_EQ(f1.fee, *Money::Parse("0.9"));
  const Fill& f2 = As<Fill>(r[2]);
  EXPECT_EQ(f2.price, Px(10'001));
  EXPECT_EQ(f2.leaves_qty, Qty{0});
  EXPECT_EQ(f2.exec_id, 2u);
  EXPECT_EQ(h.venue.FindOrder(1)->status, OrdStatus::kFilled);
  EXPECT_EQ(h.venue.counters().fills, 2u);
}

TEST(SimVenue, RestingOrderFilledAsMakerByHistoricalExecutionBehindIt) {
  Harness h;
  h.Md(Add(10, Side::kBuy, 9'900, 100));
  std::vector<Payload> r = h.Cmd(Buy(1, 9'900, 40));
  ASSERT_EQ(r.size(), 1u);
  As<OrderAck>(r[0]);
  h.Md(Add(12, Side::kBuy, 9'900, 50));  // behind us
  // The feed executes order 12 (behind us) for 60: we are ahead of it, so we trade first.
  r = h.Md(Execute(12, Side::kBuy, 9'900, 60));
  ASSERT_EQ(r.size(), 1u);
  const Fill& f = As<Fill>(r[0]);
  EXPECT_EQ(f.cl_ord_id, 1u);
  EXPECT_EQ(f.qty, Qty{40});
  EXPECT_EQ(f.liquidity, Liquidity::kMaker);
  // 40 x 99.00 = 3960 x -0.2 bps = -0.0792 (a rebate).
  EXPECT_EQ(f.fee, *Money::Parse("-0.0792"));
  EXPECT_EQ(f.leaves_qty, Qty{0});
  // Order 10 (ahead of us) untouched; 12 got what was left (20 of its 50).
  EXPECT_EQ(h.venue.book(1)->Find(10)->leaves_qty, Qty{100});
  EXPECT_EQ(h.venue.book(1)->Find(12)->leaves_qty, Qty{30});
}

TEST(SimVenue, UnknownHistoricalReferencesAreCounted) {
  Harness h;
  EXPECT_TRUE(h.Md(Execute(99, Side::kBuy, 9'900, 10)).empty());
  L3Order del = Add(98, Side::kBuy, 0, 0);
  del.action = L3Action::kDelete;
  EXPECT_TRUE(h.Md(del).empty());
  EXPECT_EQ(h.venue.counters().historical_unknown_refs, 2u);
  // A feed reference to one of our venue ids is refused: the feed never moves our orders.
  h.Cmd(Buy(1, 9'900, 10));
  EXPECT_TRUE(h.Md(Execute(kOurVenueIdBase + 1, Side::kBuy, 9'900, 10)).empty());
  EXPECT_EQ(h.venue.FindOrder(1)->leaves_qty, Qty{10});
  EXPECT_EQ(h.venue.counters().historical_unknown_refs, 3u);
}

TEST(SimVenue, CancelThenTooLateThenUnknown) {
  Harness h;
  h.Cmd(Buy(1, 9'900, 10));
  std::vector<Payload> r = h.Cmd(Cancel(2, 1));
  ASSERT_EQ(r.size(), 1u);
  const CancelAck& a = As<CancelAck>(r[0]);
  EXPECT_EQ(a.cl_ord_id, 2u);
  EXPECT_EQ(a.orig_cl_ord_id, 1u);
  EXPECT_EQ(a.canceled_qty, Qty{10});
  EXPECT_EQ(h.venue.book(1)->order_count(), 0u);

  r = h.Cmd(Cancel(3, 1));  // already canceled
  EXPECT_EQ(As<CancelReject>(r[0]).reason, RejectReason::kTooLateToCancel);
  r = h.Cmd(Cancel(4, 77));
  EXPECT_EQ(As<CancelReject>(r[0]).reason, RejectReason::kUnknownOrder);

  // Filled, then a cancel: too late.
  h.Md(Add(10, Side::kSell, 10'000, 5));
  r = h.Cmd(Buy(5, 10'000, 5));
  ASSERT_EQ(r.size(), 2u);
  r = h.Cmd(Cancel(6, 5));
  EXPECT_EQ(As<CancelReject>(r[0]).reason, RejectReason::kTooLateToCancel);
  EXPECT_EQ(h.venue.counters().cancel_rejects, 3u);
}

TEST(SimVenue, FaultOracleCancelTooLateKeepsOrderLive) {
  VenueConfig c = Config();
  c.faults = FaultConfig{};
  c.faults->cancel_too_late = {1, 1};
  Harness h(c);
  h.Cmd(Buy(1, 9'900, 10));
  std::vector<Payload> r = h.Cmd(Cancel(2, 1));
  const CancelReject& rej = As<CancelReject>(r[0]);
  EXPECT_EQ(rej.reason, RejectReason::kTooLateToCancel);
  EXPECT_EQ(h.venue.FindOrder(1)->status, OrdStatus::kNew);
  EXPECT_EQ(h.venue.book(1)->order_count(), 1u);
  EXPECT_EQ(h.venue.counters().cancels_too_late, 1u);
}

TEST(SimVenue, FillBeforeAckFault) {
  VenueConfig c = Config();
  c.faults = FaultConfig{};
  c.faults->fill_before_ack = {1, 1};
  Harness h(c);
  h.Md(Add(10, Side::kSell, 10'000, 5));
  std::vector<Payload> r = h.Cmd(Buy(1, 10'000, 8));
  ASSERT_EQ(r.size(), 2u);
  As<Fill>(r[0]);
  As<OrderAck>(r[1]);
  EXPECT_EQ(h.venue.counters().fills_before_ack, 1u);
}

TEST(SimVenue, ReplaceMovesClOrdIdAndRejectsBadOnes) {
  Harness h;
  h.Md(Add(10, Side::kSell, 10'000, 5));
  h.Cmd(Buy(1, 9'900, 10));
  // Replace to 100.00 x 12: crosses the 5 at 100.00, rests 7.
  std::vector<Payload> r = h.Cmd(ReplaceOrder{
      .cl_ord_id = 2, .orig_cl_ord_id = 1, .instrument = 1, .price = Px(10'000), .qty = Qty{12}});
  ASSERT_EQ(r.size(), 2u);
  const ReplaceAck& ra = As<ReplaceAck>(r[0]);
  EXPECT_EQ(ra.cl_ord_id, 2u);
  EXPECT_EQ(ra.orig_cl_ord_id, 1u);
  EXPECT_EQ(ra.leaves_qty, Qty{12});
  const Fill& f = As<Fill>(r[1]);
  EXPECT_EQ(f.cl_ord_id, 2u);
  EXPECT_EQ(f.leaves_qty, Qty{7});
  EXPECT_EQ(h.venue.FindOrder(1)->status, OrdStatus::kReplaced);
  EXPECT_EQ(h.venue.FindOrder(2)->status, OrdStatus::kPartiallyFilled);

  // Below the filled quantity: kInvalidQty. Of the old id: unknown.
  r = h.Cmd(ReplaceOrder{
      .cl_ord_id = 3, .orig_cl_ord_id = 2, .instrument = 1, .price = Px(9'900), .qty = Qty{5}});
  EXPECT_EQ(As<CancelReject>(r[0]).reason, RejectReason::kInvalidQty);
  EXPECT_EQ(As<CancelReject>(r[0]).response_to, CancelRejectOf::kReplace);
  r = h.Cmd(ReplaceOrder{
      .cl_ord_id = 4, .orig_cl_ord_id = 1, .instrument = 1, .price = Px(9'900), .qty = Qty{20}});
  EXPECT_EQ(As<CancelReject>(r[0]).reason, RejectReason::kUnknownOrder);
  // A valid one: FIX OrderQty 20 with 5 filled leaves 15.
  r = h.Cmd(ReplaceOrder{
      .cl_ord_id = 5, .orig_cl_ord_id = 2, .instrument = 1, .price = Px(9'900), .qty = Qty{20}});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(As<ReplaceAck>(r[0]).leaves_qty, Qty{15});
  EXPECT_EQ(h.venue.book(1)->Find(kOurVenueIdBase + 1)->leaves_qty, Qty{15});
}

TEST(SimVenue, IocRemainderExpires) {
  Harness h;
  h.Md(Add(10, Side::kSell, 10'000, 5));
  std::vector<Payload> r = h.Cmd(Buy(1, 10'000, 8, TimeInForce::kIoc));
  ASSERT_EQ(r.size(), 3u);
  As<OrderAck>(r[0]);
  EXPECT_EQ(As<Fill>(r[1]).qty, Qty{5});
  const OrderExpired& e = As<OrderExpired>(r[2]);
  EXPECT_EQ(e.cl_ord_id, 1u);
  EXPECT_EQ(e.expired_qty, Qty{3});
  EXPECT_EQ(h.venue.FindOrder(1)->status, OrdStatus::kExpired);
}

TEST(SimVenue, UnknownSymbolRejectNamesIt) {
  Harness h;
  NewOrder n = Buy(1, 10'000, 1);
  n.instrument = 42;
  std::vector<Payload> r = h.Cmd(n);
  const OrderReject& rej = As<OrderReject>(r[0]);
  EXPECT_EQ(rej.reason, RejectReason::kUnknownSymbol);
  EXPECT_NE(rej.text.find("42"), std::string::npos) << rej.text;
  // A duplicate cl_ord_id, and a book reject (off tick).
  h.Cmd(Buy(2, 10'000, 1));
  EXPECT_EQ(As<OrderReject>(h.Cmd(Buy(2, 10'000, 1))[0]).reason, RejectReason::kDuplicateOrder);
  NewOrder off = Buy(3, 10'000, 1);
  off.price.raw += 1;
  EXPECT_EQ(As<OrderReject>(h.Cmd(off)[0]).reason, RejectReason::kInvalidPrice);
}

TEST(SimVenue, RateLimitRejects) {
  VenueConfig c = Config();
  c.rate_limit = RateLimitConfig{.window = Duration::Seconds(1), .window_weight_max = 2};
  Harness h(c);
  As<OrderAck>(h.Cmd(Buy(1, 9'900, 1))[0]);
  As<OrderAck>(h.Cmd(Buy(2, 9'900, 1))[0]);
  std::vector<Payload> r = h.Cmd(Buy(3, 9'900, 1));
  ASSERT_EQ(r.size(), 1u);
  const RateLimitReject& rl = As<RateLimitReject>(r[0]);
  EXPECT_EQ(rl.cl_ord_id, 3u);
  EXPECT_EQ(rl.action, OrderAction::kNew);
  EXPECT_GT(rl.retry_after.ns, 0);
  EXPECT_FALSE(h.venue.FindOrder(3).has_value());
}

TEST(SimVenue, RateLimitQueueDefersToExecuteAdmitted) {
  VenueConfig c = Config();
  c.rate_limit = RateLimitConfig{
      .window = Duration::Seconds(1), .window_weight_max = 1, .policy = RateLimitPolicy::kQueue};
  Harness h(c);
  h.Cmd(Buy(1, 9'900, 1));
  std::vector<Payload> out;
  const Event e = At(h.ts++, Buy(2, 9'900, 1));
  const CommandResult r = h.venue.OnCommand(e, &out);
  ASSERT_EQ(r.outcome, CommandOutcome::kQueued);
  EXPECT_TRUE(out.empty());
  EXPECT_GT(r.send_at, e.ts);
  h.venue.ExecuteAdmitted(At(r.send_at.ns, e.payload), &out);
  As<OrderAck>(out.at(0));
}

TEST(SimVenue, MassCancelAcksEachOrder) {
  Harness h;
  h.Cmd(Buy(1, 9'900, 1));
  h.Cmd(Sell(2, 10'100, 1));
  NewOrder other = Buy(3, 9'900, 1);
  other.instrument = 2;
  h.Cmd(other);
  std::vector<Payload> r = h.Cmd(MassCancel{.request_id = 9, .instrument = 1});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(As<CancelAck>(r[0]).orig_cl_ord_id, 1u);
  EXPECT_EQ(As<CancelAck>(r[1]).orig_cl_ord_id, 2u);
  EXPECT_EQ(As<CancelAck>(r[1]).cl_ord_id, 9u);
  EXPECT_EQ(h.venue.FindOrder(3)->status, OrdStatus::kNew);
  EXPECT_EQ(h.Cmd(MassCancel{.request_id = 10}).size(), 1u);  // instrument 2's
  EXPECT_TRUE(h.Cmd(MassCancel{.request_id = 11}).empty());
}

TEST(SimVenue, StatusAndMassStatus) {
  Harness h;
  h.Md(Add(10, Side::kSell, 10'000, 4));
  h.Cmd(Buy(1, 10'000, 10));  // 4 filled, 6 open
  h.Cmd(Buy(2, 9'900, 3));
  h.Cmd(Buy(3, 9'800, 3));
  h.Cmd(Cancel(4, 3));
  std::vector<Payload> r = h.Cmd(StatusRequest{.cl_ord_id = 1});
  ASSERT_EQ(r.size(), 1u);
  const OrderStatusReport& s = As<OrderStatusReport>(r[0]);
  EXPECT_EQ(s.status, OrdStatus::kPartiallyFilled);
  EXPECT_EQ(s.cum_qty, Qty{4});
  EXPECT_EQ(s.leaves_qty, Qty{6});
  EXPECT_EQ(s.avg_price, Px(10'000));
  EXPECT_EQ(As<OrderStatusReport>(h.Cmd(StatusRequest{.cl_ord_id = 55})[0]).status,
            OrdStatus::kUnknown);

  r = h.Cmd(StatusRequest{.cl_ord_id = 0, .mass_status_id = 7});
  ASSERT_EQ(r.size(), 2u);  // the two open ones
  EXPECT_EQ(As<OrderStatusReport>(r[0]).cl_ord_id, 1u);
  EXPECT_FALSE(As<OrderStatusReport>(r[0]).last_report);
  EXPECT_EQ(As<OrderStatusReport>(r[1]).cl_ord_id, 2u);
  EXPECT_TRUE(As<OrderStatusReport>(r[1]).last_report);
  EXPECT_EQ(As<OrderStatusReport>(r[1]).mass_status_id, 7u);
}

TEST(SimVenue, CancelOnDisconnectIsSilentUntilMassStatus) {
  Harness h;
  h.Cmd(Buy(1, 9'900, 3));
  h.Cmd(Sell(2, 10'100, 3));
  std::vector<Payload> silent;
  h.venue.OnDisconnect(OpenOrderPolicy::kKeep, &silent);
  EXPECT_TRUE(silent.empty());
  EXPECT_EQ(h.venue.book(1)->order_count(), 2u);
  h.venue.OnDisconnect(OpenOrderPolicy::kCancelAll, &silent);
  ASSERT_EQ(silent.size(), 2u);
  EXPECT_EQ(As<CancelAck>(silent[0]).cl_ord_id, 0u);
  EXPECT_EQ(h.venue.book(1)->order_count(), 0u);
  EXPECT_EQ(h.venue.counters().silent_cancels, 2u);
  std::vector<Payload> r = h.Cmd(StatusRequest{.mass_status_id = 1});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(As<OrderStatusReport>(r[0]).status, OrdStatus::kCanceled);
  // Told once: the next mass status has nothing left.
  r = h.Cmd(StatusRequest{.mass_status_id = 2});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(As<OrderStatusReport>(r[0]).status, OrdStatus::kUnknown);
  EXPECT_EQ(As<OrderStatusReport>(r[0]).cl_ord_id, 0u);
}

TEST(SimVenue, EndOfDayExpiresDayOrdersOnly) {
  Harness h;
  h.Cmd(Buy(1, 9'900, 3));
  h.Cmd(Buy(2, 9'900, 3, TimeInForce::kGtc));
  std::vector<Payload> r;
  h.venue.EndOfDay(&r);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(As<OrderExpired>(r[0]).cl_ord_id, 1u);
  EXPECT_EQ(h.venue.FindOrder(2)->status, OrdStatus::kNew);
}

TEST(SimVenue, QuoteOnlyTradeThroughFillsRestingAndAggressorGetsTouch) {
  Harness h;
  L1Quote q;
  q.instrument = 1;
  q.bid = {Px(9'990), Qty{100}};
  q.ask = {Px(10'000), Qty{50}};
  h.Md(q);
  h.Cmd(Buy(1, 9'980, 10));
  // A print at our price does not fill us; one through it does, at our price, as maker.
  EXPECT_TRUE(h.Md(Print(9'980, 100)).empty());
  std::vector<Payload> r = h.Md(Print(9'970, 4));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(As<Fill>(r[0]).price, Px(9'980));
  EXPECT_EQ(As<Fill>(r[0]).qty, Qty{4});
  EXPECT_EQ(As<Fill>(r[0]).liquidity, Liquidity::kMaker);
  // A marketable buy for less than the displayed ask fills whole as taker, at or above it.
  r = h.Cmd(Buy(2, 10'100, 20, TimeInForce::kIoc));
  ASSERT_GE(r.size(), 2u);
  As<OrderAck>(r[0]);
  const Fill& f = As<Fill>(r[1]);
  EXPECT_EQ(f.liquidity, Liquidity::kTaker);
  EXPECT_GE(f.price, Px(10'000));
  EXPECT_LE(f.price, Px(10'100));
  EXPECT_EQ(h.venue.FindOrder(2)->status, OrdStatus::kFilled);
  EXPECT_EQ(h.venue.book(1)->order_count(), 1u);  // only our first buy; no synthetic left
}

// Two venues fed the same inputs have equal digests at every step; a different input
// changes it.
TEST(SimVenue, StateDigestIsDeterministic) {
  auto run = [](int64_t last_qty) {
    Harness h;
    std::vector<uint64_t> digests;
    h.Md(Add(10, Side::kSell, 10'000, 5));
    digests.push_back(h.venue.StateDigest());
    h.Cmd(Buy(1, 10'000, 8));
    digests.push_back(h.venue.StateDigest());
    h.Cmd(Buy(2, 9'900, last_qty));
    digests.push_back(h.venue.StateDigest());
    return digests;
  };
  const std::vector<uint64_t> a = run(3), b = run(3), c = run(4);
  EXPECT_EQ(a, b);
  EXPECT_NE(a[0], a[1]);
  EXPECT_EQ(a[1], c[1]);
  EXPECT_NE(a[2], c[2]);
}

}  // namespace
}  // namespace td::sim
