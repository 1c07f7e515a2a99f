// Sample strategies on synthetic market data; determinism of the whole engine; the racy
// market maker diverging from the correct one on a crafted cancel/fill race.
#include "tests/engine/engine_test_util.h"


namespace td::engine::testing {
namespace {

std::unique_ptr<Strategy> Make(const char* name, const char* bug = "") {
  auto s = MakeStrategy(name, bug);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return std::move(s).value();
}

TEST(Strategies, UnknownNameIsAnError) {
  auto s = MakeStrategy("nope", "");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("market-maker"), std::string::npos);
}

TEST(Strategies, MarketMakerQuotesBothSidesAroundMid) {
  EngineConfig c;
  c.params = {{"spread_ticks", "2"}, {"size", "3"}};
  Harness h(c, Make("market-maker"));
  auto o = h.Quote("99.99", "100.01");
  auto n = OfKind<NewOrder>(o);
  ASSERT_EQ(n.size(), 2u);
  EXPECT_EQ(n[0].side, Side::kBuy);
  EXPECT_EQ(n[0].price, Px("99.98"));
  EXPECT_EQ(n[1].price, Px("100.02"));
  EXPECT_EQ(n[0].qty, Qty{3});
  // Mid moves: the stale quotes are canceled first.
  o = h.Quote("100.09", "100.11");
  EXPECT_EQ(OfKind<CancelOrder>(o).size(), 2u);
  EXPECT_TRUE(OfKind<NewOrder>(o).empty());
}

TEST(Strategies, MomentumTakesAfterNTradesOneWay) {
  EngineConfig c;
  c.params = {{"n", "3"}};
  Harness h(c, Make("momentum"));
  h.Quote("9.99", "10.01");
  EXPECT_TRUE(OfKind<NewOrder>(h.Feed(Trade{.instrument = 1, .price = Px("10.01"), .qty = Qty{1},
                                            .aggressor = Side::kBuy})).empty());
  h.Feed(Trade{.instrument = 1, .price = Px("10.01"), .qty = Qty{1}, .aggressor = Side::kBuy});
  auto n = OfKind<NewOrder>(h.Feed(Trade{.instrument = 1, .price = Px("10.01"), .qty = Qty{1},
                                         .aggressor = Side::kBuy}));
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].side, Side::kBuy);
  EXPECT_EQ(n[0].tif, TimeInForce::kIoc);
  EXPECT_EQ(n[0].price, Px("10.02"));
}

TEST(Strategies, TwapSlicesOnTimers) {
  EngineConfig c;
  c.params = {{"target_qty", "10"}, {"slices", "4"}, {"duration", "4s"}, {"side", "sell"}};
  Harness h(c, Make("twap"));
  auto timers = OfKind<TimerSet>(h.Take());
  ASSERT_EQ(timers.size(), 1u);
  h.Quote("9.99", "10.01");
  auto o = h.Feed(TimerFired{.timer_id = timers[0].timer_id}, 1'000'000'000);
  auto n = OfKind<NewOrder>(o);
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].side, Side::kSell);
  EXPECT_EQ(n[0].qty, Qty{3});  // ceil(10 / 4)
  EXPECT_EQ(OfKind<TimerSet>(o).size(), 1u);
}

// A fixed session: quotes moving, acks, fills, a cancel race, a disconnect.
std::vector<Payload> Session(InstrumentId inst = 1) {
  std::vector<Payload> in;
  auto q = [&](const char* b, const char* a) {
    in.push_back(L1Quote{.instrument = inst, .bid = {Px(b), Qty{100}}, .ask = {Px(a), Qty{100}}});
  };
  q("99.99", "100.01");
  in.push_back(OrderAck{.cl_ord_id = 1});
  in.push_back(OrderAck{.cl_ord_id = 2});
  q("100.04", "100.06");  // both quotes go stale: cancels 3 and 4 (racy: plus new quotes)
  // The venue filled the bid before the cancel arrived; the cancel is too late.
  in.push_back(Fill{.cl_ord_id = 1, .exec_id = 1, .instrument = inst, .side = Side::kBuy,
                    .price = Px("99.98"), .qty = Qty{1}, .cum_qty = Qty{1}, .leaves_qty = Qty{0}});
  in.push_back(CancelReject{.cl_ord_id = 3, .orig_cl_ord_id = 1,
                            .reason = RejectReason::kTooLateToCancel});
  in.push_back(CancelAck{.cl_ord_id = 4, .orig_cl_ord_id = 2, .canceled_qty = Qty{1}});
  q("100.09", "100.11");
  for (ClOrdId id = 5; id <= 8; ++id) in.push_back(OrderAck{.cl_ord_id = id});
  in.push_back(Fill{.cl_ord_id = 5, .exec_id = 2, .instrument = inst, .side = Side::kBuy,
                    .price = Px("100.03"), .qty = Qty{1}, .cum_qty = Qty{1}, .leaves_qty = Qty{0}});
  q("100.19", "100.21");
  in.push_back(SessionState{.state = SessionStateKind::kDisconnected});
  in.push_back(SessionState{.state = SessionStateKind::kLoggedOn});
  q("100.29", "100.31");
  return in;
}

struct SessionRun {
  std::vector<Payload> outputs;
  uint64_t digest = 0;
  int64_t position = 0;
};

SessionRun RunSession(const char* bug, RiskLimits risk = {}) {
  EngineConfig c;
  c.bug = bug;
  c.checkpoint_every_inputs = 4;
  c.risk = risk;
  c.params = {{"size", "1"}, {"max_inventory", "1"}};
  Engine e(c, Make("market-maker", bug), Instruments(), 7);
  SessionRun r;
  e.Start(Timestamp{1'000}, &r.outputs);
  int64_t t = 1'000;
  for (Payload& p : Session()) {
    t += 1'000'000;
    e.Dispatch(Event{.ts = Timestamp{t}, .payload = std::move(p)}, &r.outputs);
  }
  r.digest = e.StateDigest();
  r.position = e.Summary().positions.empty() ? 0 : e.Summary().positions[0].position.raw;
  return r;
}

TEST(Determinism, SameInputsSameOutputsAndDigest) {
  SessionRun a = RunSession("");
  SessionRun b = RunSession("");
  EXPECT_EQ(a.outputs, b.outputs);
  EXPECT_EQ(a.digest, b.digest);
  auto cps = OfKind<Checkpoint>(a.outputs);
  ASSERT_GE(cps.size(), 3u);
  EXPECT_EQ(cps[0].inputs, 4u);
  SessionRun racy1 = RunSession("cancel-fill-race");
  SessionRun racy2 = RunSession("cancel-fill-race");
  EXPECT_EQ(racy1.outputs, racy2.outputs);
  EXPECT_EQ(racy1.digest, racy2.digest);
}

TEST(RacyVariant, CancelFillRaceDivergesAndBreachesInventory) {
  RiskLimits risk{.max_position = Qty{1}};
  SessionRun good = RunSession("", risk);
  SessionRun racy = RunSession("cancel-fill-race", risk);
  EXPECT_NE(good.outputs, racy.outputs);
  EXPECT_NE(good.digest, racy.digest);
  // The correct maker never asks for more than its inventory limit; the racy one, believing
  // itself flat after the race, keeps bidding and runs into the engine's max_position gate.
  auto breaches = [](const SessionRun& r) {
    int n = 0;
    for (const RiskEvent& e : OfKind<RiskEvent>(r.outputs)) n += e.rule == "max_position";
    return n;
  };
  EXPECT_EQ(breaches(good), 0);
  EXPECT_GT(breaches(racy), 0);
}

}  // namespace
}  // namespace td::engine::testing
