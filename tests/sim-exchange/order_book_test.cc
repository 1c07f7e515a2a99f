// OrderBook unit tests: each order type and time in force, priority on replace, icebergs,
// self-trade prevention, validation, stops, mass cancel and expiry, historical executions
// with our orders ahead and behind, and queue position. Every test checks the whole book's
// invariants after each operation (Book::Do).
#include "sim-exchange/order_book.h"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

namespace td::sim {
namespace {

constexpr int64_t kCent = Price::kScale / 100;
Price Px(int64_t cents) { return Price{cents * kCent}; }

InstrumentDef Instrument(int64_t lot = 1, int64_t min_qty = 1) {
  InstrumentDef d;
  d.id = 1;
  d.symbol = "TEST";
  d.tick_size = Price{kCent};
  d.lot_size = Qty{lot};
  d.min_qty = Qty{min_qty};
  return d;
}

OrderSpec Limit(VenueOrderId id, Side side, int64_t cents, int64_t qty,
                ParticipantId owner = kMarket) {
  OrderSpec s;
  s.id = id;
  s.owner = owner;
  s.side = side;
  s.price = Px(cents);
  s.qty = Qty{qty};
  return s;
}

OrderSpec With(OrderSpec s, TimeInForce tif) {
  s.tif = tif;
  return s;
}

// A book plus the events of its last operation, with the invariants checked after each.
struct Book {
  explicit Book(InstrumentDef inst = Instrument(), BookOptions options = {})
      : book(inst, options) {}

  template <typename F>
  const std::vector<BookEvent>& Do(F f) {
    events.clear();
    f();
    book.CheckInvariants();
    return events;
  }
  const std::vector<BookEvent>& Submit(const OrderSpec& s) {
    return Do([&] { book.Submit(s, Timestamp{}, &events); });
  }
  const std::vector<BookEvent>& Cancel(VenueOrderId id, int64_t qty = 0) {
    return Do([&] { book.Cancel(id, Qty{qty}, &events); });
  }
  const std::vector<BookEvent>& Replace(VenueOrderId id, int64_t cents, int64_t qty) {
    return Do([&] { book.Replace(id, Px(cents), Qty{qty}, Timestamp{}, &events); });
  }
  const std::vector<BookEvent>& Execute(VenueOrderId id, int64_t qty) {
    return Do([&] { book.ExecuteHistorical(id, Qty{qty}, &events); });
  }
  int64_t Leaves(VenueOrderId id) const {
    const auto v = book.Find(id);
    return v ? v->leaves_qty.raw : 0;
  }
  int64_t Ahead(VenueOrderId id) const { return book.Find(id)->queue_ahead_qty.raw; }
  std::vector<LevelView> Levels(Side side) const {
    std::vector<LevelView> v(10);
    v.resize(book.Levels(side, v.size(), v.data()));
    return v;
  }

  OrderBook book;
  std::vector<BookEvent> events;
};

// Fill events as (taker, maker, price cents, qty) for compact assertions.
struct F {
  VenueOrderId taker, maker;
  int64_t cents, qty;
  bool operator==(const F&) const = default;
};
std::ostream& operator<<(std::ostream& os, const F& f) {
  return os << "{taker " << f.taker << " maker " << f.maker << " @" << f.cents << " x" << f.qty
            << "}";
}
std::vector<F> Fills(const std::vector<BookEvent>& events) {
  std::vector<F> out;
  for (const BookEvent& e : events) {
    if (e.kind == BookEventKind::kFill) {
      out.push_back({e.order_id, e.maker_id, e.price.raw / kCent, e.qty.raw});
    }
  }
  return out;
}

const BookEvent& Last(const std::vector<BookEvent>& events) {
  EXPECT_FALSE(events.empty());
  return events.back();
}

// ---------------------------------------------------------------- limit orders and priority

TEST(OrderBook, LimitOrderRestsAndIsAccepted) {
  Book b;
  const auto& ev = b.Submit(Limit(1, Side::kBuy, 10000, 100, 1));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, BookEventKind::kAccepted);
  EXPECT_EQ(ev[0].order_id, 1u);
  EXPECT_EQ(ev[0].owner, 1u);
  EXPECT_EQ(ev[0].qty.raw, 100);
  EXPECT_EQ(ev[0].leaves_qty.raw, 100);
  ASSERT_TRUE(b.book.Best(Side::kBuy));
  EXPECT_EQ(b.book.Best(Side::kBuy)->price, Px(10000));
  EXPECT_FALSE(b.book.Best(Side::kSell));
  EXPECT_EQ(b.book.order_count(), 1u);
}

TEST(OrderBook, MatchesInPriceThenTimePriorityAtTheMakersPrice) {
  Book b;
  b.Submit(Limit(1, Side::kSell, 10002, 100));
  b.Submit(Limit(2, Side::kSell, 10001, 100));
  b.Submit(Limit(3, Side::kSell, 10001, 100));
  const auto& ev = b.Submit(Limit(4, Side::kBuy, 10005, 250));
  EXPECT_EQ(Fills(ev), (std::vector<F>{{4, 2, 10001, 100}, {4, 3, 10001, 100}, {4, 1, 10002, 50}}));
  ASSERT_EQ(ev.size(), 3u);  // fully filled: no kAccepted
  EXPECT_EQ(ev[2].leaves_qty.raw, 0);
  EXPECT_EQ(ev[2].maker_leaves_qty.raw, 50);
  EXPECT_EQ(b.Leaves(1), 50);
  EXPECT_EQ(b.book.last_trade_price(), Px(10002));
}

TEST(OrderBook, PartialFillRestsTheRemainderAfterItsFills) {
  Book b;
  b.Submit(Limit(1, Side::kSell, 10000, 30));
  const auto& ev = b.Submit(Limit(2, Side::kBuy, 10000, 100, 1));
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].kind, BookEventKind::kFill);
  EXPECT_EQ(ev[1].kind, BookEventKind::kAccepted);
  EXPECT_EQ(ev[1].qty.raw, 100);
  EXPECT_EQ(ev[1].leaves_qty.raw, 70);
  EXPECT_EQ(b.book.Best(Side::kBuy)->qty.raw, 70);
  EXPECT_FALSE(b.book.Best(Side::kSell));
}

TEST(OrderBook, LevelsShowDisplayedQuantityAndOrderCountBestFirst) {
  Book b;
  b.Submit(Limit(1, Side::kBuy, 9999, 10));
  b.Submit(Limit(2, Side::kBuy, 10000, 20));
  b.Submit(Limit(3, Side::kBuy, 10000, 30));
  b.Submit(Limit(4, Side::kBuy, 9990, 40));
  const auto levels = b.Levels(Side::kBuy);
  ASSERT_EQ(levels.size(), 3u);
  EXPECT_EQ(levels[0], (LevelView{Px(10000), Qty{50}, 2}));
  EXPECT_EQ(levels[1], (LevelView{Px(9999), Qty{10}, 1}));
  EXPECT_EQ(levels[2], (LevelView{Px(9990), Qty{40}, 1}));
}

// ---------------------------------------------------------------- market, IOC, FOK

TEST(OrderBook, MarketOrderSweepsAndCancelsTheRemainder) {
  Book b;
  b.Submit(Limit(1, Side::kBuy, 10000, 50));
  b.Submit(Limit(2, Side::kBuy, 9000, 50));
  OrderSpec m = Limit(3, Side::kSell, 0, 150, 1);
  m.type = OrdType::kMarket;
  const auto& ev = b.Submit(m);
  EXPECT_EQ(Fills(ev), (std::vector<F>{{3, 1, 10000, 50}, {3, 2, 9000, 50}}));
  EXPECT_EQ(Last(ev).kind, BookEventKind::kCanceled);
  EXPECT_EQ(Last(ev).cause, CancelCause::kNoLiquidity);
  EXPECT_EQ(Last(ev).qty.raw, 50);
  EXPECT_EQ(b.book.order_count(), 0u);
}

TEST(OrderBook, IocCancelsItsRemainder) {
  Book b;
  b.Submit(Limit(1, Side::kSell, 10000, 40));
  const auto& ev = b.Submit(With(Limit(2, Side::kBuy, 10000, 100, 1), TimeInForce::kIoc));
  EXPECT_EQ(Fills(ev), (std::vector<F>{{2, 1, 10000, 40}}));
  EXPECT_EQ(Last(ev).cause, CancelCause::kIocRemainder);
  EXPECT_EQ(Last(ev).qty.raw, 60);
  EXPECT_FALSE(b.book.Find(2));
}

TEST(OrderBook, FokNotFillableIsCanceledWholeAndChangesNothing) {
  Book b;
  b.Submit(Limit(1, Side::kSell, 10000, 40));
  b.Submit(Limit(2, Side::kSell, 10002, 40));
  const auto& ev = b.Submit(With(Limit(3, Side::kBuy, 10001, 50, 1), TimeInForce::kFok));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, BookEventKind::kCanceled);
  EXPECT_EQ(ev[0].cause, CancelCause::kFokNotFillable);
  EXPECT_EQ(ev[0].qty.raw, 50);
  EXPECT_EQ(b.Leaves(1), 40);
  EXPECT_FALSE(b.book.last_trade_price());
}

TEST(OrderBook, FokFillableFillsAcrossLevels) {
  Book b;
  b.Submit(Limit(1, Side::kSell, 10000, 40));
  b.Submit(Limit(2, Side::kSell, 10002, 40));
  const auto& ev = b.Submit(With(Limit(3, Side::kBuy, 10002, 80, 1), TimeInForce::kFok));
  EXPECT_EQ(Fills(ev), (std::vector<F>{{3, 1, 10000, 40}, {3, 2, 10002, 40}}));
  EXPECT_EQ(ev.size(), 2u);
}

TEST(OrderBook, FokCountsAnIcebergsHiddenReserve) {
  Book b;
  OrderSpec ice = Limit(1, Side::kSell, 10000, 100);
  ice.display_qty = Qty{10};
  b.Submit(ice);
  const auto& ev = b.Submit(With(Limit(2, Side::kBuy, 10000, 100, 1), TimeInForce::kFok));
  EXPECT_EQ(Fills(ev).size(), 10u);
  EXPECT_EQ(b.book.order_count(), 0u);
}

TEST(OrderBook, FokWithStpReachesAnotherOwnersIcebergReserve) {
  // STP armed but no order of its owner in the way: the whole reserve counts (the first
  // differential run found the check stopping at the displayed peak here).
  Book b;
  OrderSpec ice = Limit(1, Side::kSell, 10000, 100, 2);
  ice.display_qty = Qty{10};
  b.Submit(ice);
  OrderSpec fok = With(Limit(2, Side::kBuy, 10000, 100, 1), TimeInForce::kFok);
  fok.stp = StpMode::kCancelNewest;
  EXPECT_EQ(Fills(b.Submit(fok)).size(), 10u);
  EXPECT_FALSE(b.book.Find(1));
}

TEST(OrderBook, FokWithStpCountsOnlyWhatIsAheadOfItsOwnOrder) {
  // 40 of another owner, then our own 40, then 40 more: with kCancelNewest the taker would
  // stop at our order, so only 40 is reachable.
  Book b;
  b.Submit(Limit(1, Side::kSell, 10000, 40, 2));
  b.Submit(Limit(2, Side::kSell, 10000, 40, 1));
  b.Submit(Limit(3, Side::kSell, 10000, 40, 2));
  OrderSpec fok = With(Limit(4, Side::kBuy, 10000, 60, 1), TimeInForce::kFok);
  fok.stp = StpMode::kCancelNewest;
  EXPECT_EQ(b.Submit(fok)[0].cause, CancelCause::kFokNotFillable);
  // With kCancelOldest our order is canceled on the way: 80 is reachable.
  fok.stp = StpMode::kCancelOldest;
  const auto& ev = b.Submit(fok);
  EXPECT_EQ(Fills(ev), (std::vector<F>{{4, 1, 10000, 40}, {4, 3, 10000, 20}}));
  EXPECT_EQ(ev[1].kind, BookEventKind::kCanceled);
  EXPECT_EQ(ev[1].order_id, 2u);
  EXPECT_EQ(ev[1].cause, CancelCause::kSelfTrade);
}

// ---------------------------------------------------------------- post-only, DAY and GTC

TEST(OrderBook, PostOnlyThatWouldTakeIsRejected) {
  Book b;
  b.Submit(Limit(1, Side::kSell, 10001, 10));
  OrderSpec po = Limit(2, Side::kBuy, 10001, 10, 1);
  po.post_only = true;
  const auto& ev = b.Submit(po);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, BookEventKind::kRejected);
  EXPECT_EQ(ev[0].reason, RejectReason::kPostOnlyWouldCross);
  EXPECT_EQ(b.Leaves(1), 10);
  po.price = Px(10000);
  EXPECT_EQ(b.Submit(po)[0].kind, BookEventKind::kAccepted);
  // A replace that would take cancels it.
  const auto& rep = b.Replace(2, 10001, 10);
  ASSERT_EQ(rep.size(), 2u);
  EXPECT_EQ(rep[0].kind, BookEventKind::kReplaced);
  EXPECT_EQ(rep[1].kind, BookEventKind::kCanceled);
  EXPECT_EQ(rep[1].cause, CancelCause::kPostOnlyWouldCross);
  EXPECT_FALSE(b.book.Find(2));
}

TEST(OrderBook, PostOnlyMarketOrderIsRejected) {
  Book b;
  OrderSpec m = Limit(1, Side::kBuy, 0, 10, 1);
  m.type = OrdType::kMarket;
  m.post_only = true;
  EXPECT_EQ(b.Submit(m)[0].reason, RejectReason::kOther);
}

TEST(OrderBook, ExpireDayCancelsDayOrdersOnlyIncludingParkedStops) {
  Book b;
  b.Submit(Limit(1, Side::kBuy, 10000, 10));
  b.Submit(With(Limit(2, Side::kBuy, 9999, 10, 1), TimeInForce::kGtc));
  b.Submit(Limit(3, Side::kSell, 10005, 10, 1));
  OrderSpec stop = Limit(4, Side::kBuy, 0, 10, 1);
  stop.type = OrdType::kStop;
  stop.stop_price = Px(10010);
  b.Submit(stop);
  const auto& ev = b.Do([&] { b.book.ExpireDay(&b.events); });
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(ev[0].order_id, 1u);  // bids best first, then asks, then stops
  EXPECT_EQ(ev[1].order_id, 3u);
  EXPECT_EQ(ev[2].order_id, 4u);
  for (const BookEvent& e : ev) EXPECT_EQ(e.cause, CancelCause::kExpired);
  EXPECT_EQ(b.book.order_count(), 1u);
  EXPECT_TRUE(b.book.Find(2));
}

// ---------------------------------------------------------------- icebergs

TEST(OrderBook, IcebergShowsOnlyItsPeak) {
  Book b;
  OrderSpec ice = Limit(1, Side::kSell, 10000, 100, 1);
  ice.display_qty = Qty{10};
  b.Submit(ice);
  EXPECT_EQ(b.book.Best(Side::kSell)->qty.raw, 10);
  const auto v = b.book.Find(1);
  EXPECT_EQ(v->leaves_qty.raw, 100);
  EXPECT_EQ(v->displayed_qty.raw, 10);
}

TEST(OrderBook, IcebergRefreshGoesToTheBackOfTheQueue) {
  Book b;
  OrderSpec ice = Limit(1, Side::kSell, 10000, 30, 1);
  ice.display_qty = Qty{10};
  b.Submit(ice);
  b.Submit(Limit(2, Side::kSell, 10000, 10));
  EXPECT_EQ(b.Ahead(2), 10);
  // The peak is consumed: a new peak of 10 appears behind order 2.
  EXPECT_EQ(Fills(b.Submit(Limit(3, Side::kBuy, 10000, 10))), (std::vector<F>{{3, 1, 10000, 10}}));
  EXPECT_EQ(b.Ahead(2), 0);
  EXPECT_EQ(b.Ahead(1), 10);
  EXPECT_EQ(b.book.Best(Side::kSell)->qty.raw, 20);
  EXPECT_EQ(Fills(b.Submit(Limit(4, Side::kBuy, 10000, 15))),
            (std::vector<F>{{4, 2, 10000, 10}, {4, 1, 10000, 5}}));
  EXPECT_EQ(b.Leaves(1), 15);
  EXPECT_EQ(b.book.Find(1)->displayed_qty.raw, 5);
}

TEST(OrderBook, AggressorReachesTheWholeIcebergReserve) {
  Book b;
  OrderSpec ice = Limit(1, Side::kSell, 10000, 25, 1);
  ice.display_qty = Qty{10};
  b.Submit(ice);
  EXPECT_EQ(Fills(b.Submit(Limit(2, Side::kBuy, 10000, 40))),
            (std::vector<F>{{2, 1, 10000, 10}, {2, 1, 10000, 10}, {2, 1, 10000, 5}}));
  EXPECT_EQ(b.Leaves(2), 15);
}

TEST(OrderBook, PartialCancelOfAnIcebergTakesTheReserveFirst) {
  Book b;
  OrderSpec ice = Limit(1, Side::kSell, 10000, 30, 1);
  ice.display_qty = Qty{10};
  b.Submit(ice);
  b.Cancel(1, 15);
  EXPECT_EQ(b.book.Find(1)->displayed_qty.raw, 10);
  EXPECT_EQ(b.Leaves(1), 15);
  b.Cancel(1, 10);
  EXPECT_EQ(b.book.Find(1)->displayed_qty.raw, 5);
  EXPECT_EQ(b.book.Best(Side::kSell)->qty.raw, 5);
}

// ---------------------------------------------------------------- cancel and replace

TEST(OrderBook, CancelPartialKeepsPriorityFullRemoves) {
  Book b;
  b.Submit(Limit(1, Side::kBuy, 10000, 100));
  b.Submit(Limit(2, Side::kBuy, 10000, 50, 1));
  const auto& ev = b.Cancel(1, 60);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, BookEventKind::kCanceled);
  EXPECT_EQ(ev[0].qty.raw, 60);
  EXPECT_EQ(ev[0].leaves_qty.raw, 40);
  EXPECT_EQ(b.Ahead(2), 40);
  // More than remains: the whole remainder, like a LOBSTER deletion.
  EXPECT_EQ(b.Cancel(1, 500)[0].qty.raw, 40);
  EXPECT_EQ(b.Ahead(2), 0);
  const auto& unknown = b.Cancel(1);
  EXPECT_EQ(unknown[0].kind, BookEventKind::kRejected);
  EXPECT_EQ(unknown[0].reason, RejectReason::kUnknownOrder);
}

TEST(OrderBook, ReplaceDownAtTheSamePriceKeepsPriority) {
  Book b;
  b.Submit(Limit(1, Side::kBuy, 10000, 100, 1));
  b.Submit(Limit(2, Side::kBuy, 10000, 100));
  const auto& ev = b.Replace(1, 10000, 60);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, BookEventKind::kReplaced);
  EXPECT_TRUE(ev[0].kept_priority);
  EXPECT_EQ(ev[0].leaves_qty.raw, 60);
  EXPECT_EQ(b.Ahead(1), 0);
  EXPECT_EQ(b.Ahead(2), 60);
}

TEST(OrderBook, ReplaceUpOrToAnotherPriceLosesPriority) {
  Book b;
  b.Submit(Limit(1, Side::kBuy, 10000, 100, 1));
  b.Submit(Limit(2, Side::kBuy, 10000, 100));
  EXPECT_FALSE(b.Replace(1, 10000, 120)[0].kept_priority);
  EXPECT_EQ(b.Ahead(1), 100);
  EXPECT_EQ(b.Ahead(2), 0);
  b.Submit(Limit(3, Side::kBuy, 9999, 10));
  EXPECT_FALSE(b.Replace(1, 9999, 50)[0].kept_priority);
  EXPECT_EQ(b.Ahead(1), 10);
  // Back to the first price: behind order 2.
  b.Replace(1, 10000, 50);
  EXPECT_EQ(b.Ahead(1), 100);
}

TEST(OrderBook, ReplaceThatCrossesMatches) {
  Book b;
  b.Submit(Limit(1, Side::kSell, 10002, 30));
  b.Submit(Limit(2, Side::kBuy, 10000, 50, 1));
  const auto& ev = b.Replace(2, 10002, 50);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].kind, BookEventKind::kReplaced);
  EXPECT_EQ(Fills(ev), (std::vector<F>{{2, 1, 10002, 30}}));
  EXPECT_EQ(b.Leaves(2), 20);
  EXPECT_EQ(b.book.Best(Side::kBuy)->price, Px(10002));
}

TEST(OrderBook, ReplaceUnknownOrInvalidIsRejected) {
  Book b(Instrument(/*lot=*/10, /*min_qty=*/10));
  EXPECT_EQ(b.Replace(9, 10000, 10)[0].reason, RejectReason::kUnknownOrder);
  b.Submit(Limit(1, Side::kBuy, 10000, 20, 1));
  EXPECT_EQ(b.Replace(1, 10000, 15)[0].reason, RejectReason::kInvalidQty);
  EXPECT_EQ(b.Replace(1, 10000, 0)[0].reason, RejectReason::kInvalidQty);
  const auto& off_tick =
      b.Do([&] { b.book.Replace(1, Price{Px(10000).raw + 1}, Qty{20}, Timestamp{}, &b.events); });
  EXPECT_EQ(off_tick[0].reason, RejectReason::kInvalidPrice);
  EXPECT_EQ(off_tick[0].leaves_qty.raw, 20);
  EXPECT_EQ(b.Leaves(1), 20);
}

// ---------------------------------------------------------------- mass cancel

TEST(OrderBook, MassCancelByOwnerAndSide) {
  Book b;
  b.Submit(Limit(1, Side::kBuy, 10000, 10, 1));
  b.Submit(Limit(2, Side::kBuy, 10001, 10, 2));
  b.Submit(Limit(3, Side::kSell, 10005, 10, 1));
  b.Submit(Limit(4, Side::kBuy, 9999, 10, 1));
  b.Submit(Limit(5, Side::kSell, 10006, 10));
  const auto& buys = b.Do([&] { b.book.MassCancel(1, Side::kBuy, &b.events); });
  ASSERT_EQ(buys.size(), 2u);
  EXPECT_EQ(buys[0].order_id, 1u);
  EXPECT_EQ(buys[1].order_id, 4u);
  EXPECT_EQ(buys[0].cause, CancelCause::kMassCancel);
  EXPECT_TRUE(b.book.Find(3));
  const auto& all = b.Do([&] { b.book.MassCancel(1, Side::kNone, &b.events); });
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].order_id, 3u);
  EXPECT_EQ(b.book.order_count(), 2u);
}

// ---------------------------------------------------------------- self-trade prevention

struct StpCase {
  StpMode mode;
  std::vector<F> fills;
  std::vector<VenueOrderId> canceled;
  bool maker_survives;
};

TEST(OrderBook, SelfTradePreventionModes) {
  const StpCase cases[] = {
      {StpMode::kCancelNewest, {{9, 1, 10000, 10}}, {9}, true},
      {StpMode::kCancelOldest, {{9, 1, 10000, 10}, {9, 3, 10001, 20}}, {2}, false},
      {StpMode::kCancelBoth, {{9, 1, 10000, 10}}, {2, 9}, false},
      {StpMode::kNone, {{9, 1, 10000, 10}, {9, 2, 10000, 20}}, {}, false},
  };
  for (const StpCase& c : cases) {
    SCOPED_TRACE(static_cast<int>(c.mode));
    Book b;
    b.Submit(Limit(1, Side::kSell, 10000, 10, 2));
    b.Submit(Limit(2, Side::kSell, 10000, 20, 1));  // ours
    b.Submit(Limit(3, Side::kSell, 10001, 40, 2));
    OrderSpec taker = Limit(9, Side::kBuy, 10001, 30, 1);
    taker.stp = c.mode;
    const auto& ev = b.Submit(taker);
    EXPECT_EQ(Fills(ev), c.fills);
    std::vector<VenueOrderId> canceled;
    for (const BookEvent& e : ev) {
      if (e.kind == BookEventKind::kCanceled) {
        EXPECT_EQ(e.cause, CancelCause::kSelfTrade);
        canceled.push_back(e.order_id);
      }
    }
    EXPECT_EQ(canceled, c.canceled);
    EXPECT_EQ(b.book.Find(2).has_value(), c.maker_survives);
    EXPECT_FALSE(b.book.Find(9));
  }
}

TEST(OrderBook, HistoricalOrdersNeverSelfTradePrevent) {
  Book b;
  b.Submit(Limit(1, Side::kSell, 10000, 10, kMarket));
  OrderSpec taker = Limit(2, Side::kBuy, 10000, 10, kMarket);
  taker.stp = StpMode::kCancelNewest;
  EXPECT_EQ(Fills(b.Submit(taker)), (std::vector<F>{{2, 1, 10000, 10}}));
}

// ---------------------------------------------------------------- validation

TEST(OrderBook, ValidationRejectsWithFixReasons) {
  Book b(Instrument(/*lot=*/10, /*min_qty=*/20), BookOptions{.price_band_bps = 100});
  auto reason = [&](const OrderSpec& s) {
    const auto& ev = b.Submit(s);
    EXPECT_EQ(ev.size(), 1u);
    return ev[0].kind == BookEventKind::kRejected ? ev[0].reason : RejectReason::kNone;
  };
  OrderSpec off_tick = Limit(1, Side::kBuy, 10000, 20, 1);
  off_tick.price.raw += 1;
  EXPECT_EQ(reason(off_tick), RejectReason::kInvalidPrice);
  EXPECT_EQ(reason(Limit(1, Side::kBuy, 10000, 25, 1)), RejectReason::kInvalidQty);
  EXPECT_EQ(reason(Limit(1, Side::kBuy, 10000, 10, 1)), RejectReason::kInvalidQty);  // < min
  EXPECT_EQ(reason(Limit(1, Side::kBuy, 10000, 0, 1)), RejectReason::kInvalidQty);
  EXPECT_EQ(reason(Limit(1, Side::kBuy, 10000, -10, 1)), RejectReason::kInvalidQty);
  OrderSpec odd_peak = Limit(1, Side::kBuy, 10000, 40, 1);
  odd_peak.display_qty = Qty{15};
  EXPECT_EQ(reason(odd_peak), RejectReason::kInvalidQty);
  EXPECT_EQ(reason(Limit(1, Side::kNone, 10000, 20, 1)), RejectReason::kOther);
  // The band needs a reference: none yet, so anything goes; then mid 100.00.
  EXPECT_EQ(reason(Limit(1, Side::kBuy, 9990, 20, 1)), RejectReason::kNone);
  EXPECT_EQ(reason(Limit(2, Side::kSell, 10010, 20, 1)), RejectReason::kNone);
  EXPECT_EQ(reason(Limit(3, Side::kBuy, 9899, 20, 1)), RejectReason::kPriceBand);  // > 1%
  EXPECT_EQ(reason(Limit(3, Side::kBuy, 9900, 20, 1)), RejectReason::kNone);       // = 1%
  EXPECT_EQ(reason(Limit(3, Side::kBuy, 9900, 20, 1)), RejectReason::kDuplicateOrder);
  // Historical orders skip the instrument rules (not the basic ones).
  OrderSpec hist = Limit(4, Side::kBuy, 5000, 7, kMarket);
  hist.price.raw += 1;
  EXPECT_EQ(reason(hist), RejectReason::kNone);
  EXPECT_EQ(reason(Limit(5, Side::kBuy, 5000, 0, kMarket)), RejectReason::kInvalidQty);
}

TEST(OrderBook, HistoricalOrdersAreValidatedOnRequest) {
  Book b(Instrument(/*lot=*/10, /*min_qty=*/10), BookOptions{.validate_market_orders = true});
  EXPECT_EQ(b.Submit(Limit(1, Side::kBuy, 10000, 7, kMarket))[0].reason, RejectReason::kInvalidQty);
}

TEST(OrderBook, RejectedOrderChangesNothing) {
  Book b(Instrument(/*lot=*/10, /*min_qty=*/10));
  b.Submit(Limit(1, Side::kSell, 10000, 10));
  b.Submit(Limit(2, Side::kBuy, 10000, 15, 1));  // off the lot: would have crossed
  EXPECT_EQ(b.Leaves(1), 10);
  EXPECT_FALSE(b.book.Find(2));
}

// ---------------------------------------------------------------- stops

OrderSpec Stop(VenueOrderId id, Side side, int64_t stop_cents, int64_t qty,
               int64_t limit_cents = 0) {
  OrderSpec s = Limit(id, side, limit_cents, qty, 1);
  s.type = limit_cents == 0 ? OrdType::kStop : OrdType::kStopLimit;
  s.stop_price = Px(stop_cents);
  return s;
}

TEST(OrderBook, BuyStopTriggersWhenATradePrintsAtOrAboveItsStop) {
  Book b;
  b.Submit(Limit(1, Side::kSell, 10001, 10));
  b.Submit(Limit(2, Side::kSell, 10002, 10));
  b.Submit(Limit(3, Side::kSell, 10003, 50));
  const auto& parked = b.Submit(Stop(10, Side::kBuy, 10002, 20));
  ASSERT_EQ(parked.size(), 1u);
  EXPECT_EQ(parked[0].kind, BookEventKind::kAccepted);
  EXPECT_TRUE(b.book.Find(10)->parked_stop);
  EXPECT_EQ(b.book.Best(Side::kBuy), std::nullopt);  // not in the book
  b.Submit(Limit(4, Side::kBuy, 10001, 10));         // prints 100.01: below the stop
  EXPECT_TRUE(b.book.Find(10));
  const auto& ev = b.Submit(Limit(5, Side::kBuy, 10002, 10));  // prints 100.02
  ASSERT_GE(ev.size(), 2u);
  EXPECT_EQ(ev[1].kind, BookEventKind::kTriggered);
  EXPECT_EQ(ev[1].order_id, 10u);
  EXPECT_EQ(ev[1].price, Px(10002));
  EXPECT_EQ(Fills(ev), (std::vector<F>{{5, 2, 10002, 10}, {10, 3, 10003, 20}}));
  EXPECT_FALSE(b.book.Find(10));
}

TEST(OrderBook, SellStopLimitRestsAtItsLimitAfterTriggering) {
  Book b;
  b.Submit(Limit(1, Side::kBuy, 10000, 10));
  b.Submit(Limit(2, Side::kBuy, 9990, 10));
  b.Submit(Stop(10, Side::kSell, 10000, 30, /*limit=*/9995));
  const auto& ev = b.Submit(Limit(3, Side::kSell, 10000, 10));  // prints 100.00 <= stop
  EXPECT_EQ(ev[1].kind, BookEventKind::kTriggered);
  EXPECT_EQ(Fills(ev), (std::vector<F>{{3, 1, 10000, 10}}));  // 99.90 is below the limit
  const auto v = b.book.Find(10);
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->parked_stop);
  EXPECT_EQ(v->price, Px(9995));
  EXPECT_EQ(b.book.Best(Side::kSell)->price, Px(9995));
}

TEST(OrderBook, StopsTriggerInPriceThenArrivalOrderAndCascade) {
  Book b;
  b.Submit(Limit(1, Side::kSell, 10001, 1));
  b.Submit(Limit(2, Side::kSell, 10005, 1));
  b.Submit(Limit(3, Side::kSell, 10006, 100));
  b.Submit(Stop(10, Side::kBuy, 10001, 1));  // triggered by 100.01, second (arrived later)
  b.Submit(Stop(11, Side::kBuy, 10000, 1));  // lowest stop: first
  b.Submit(Stop(12, Side::kBuy, 10001, 1));  // same stop as 10, later
  b.Submit(Stop(13, Side::kBuy, 10006, 1));  // only reached by the cascade
  const auto& ev = b.Submit(Limit(4, Side::kBuy, 10001, 1));
  std::vector<VenueOrderId> triggered;
  for (const BookEvent& e : ev) {
    if (e.kind == BookEventKind::kTriggered) triggered.push_back(e.order_id);
  }
  EXPECT_EQ(triggered, (std::vector<VenueOrderId>{11, 10, 12, 13}));
  // 11 takes 100.05, 10 prints 100.06 (which triggers 13), 12 and 13 take 100.06.
  EXPECT_EQ(Fills(ev), (std::vector<F>{{4, 1, 10001, 1},
                                       {11, 2, 10005, 1},
                                       {10, 3, 10006, 1},
                                       {12, 3, 10006, 1},
                                       {13, 3, 10006, 1}}));
}

TEST(OrderBook, StopWhoseTriggerAlreadyPrintedTriggersAtOnce) {
  Book b;
  b.Submit(Limit(1, Side::kSell, 10000, 10));
  b.Submit(Limit(2, Side::kBuy, 10000, 5));  // last = 100.00
  const auto& ev = b.Submit(Stop(10, Side::kBuy, 9990, 5));
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(ev[0].kind, BookEventKind::kAccepted);
  EXPECT_EQ(ev[1].kind, BookEventKind::kTriggered);
  EXPECT_EQ(Fills(ev), (std::vector<F>{{10, 1, 10000, 5}}));
}

TEST(OrderBook, ParkedStopCanBeCanceledAndMassCanceled) {
  Book b;
  b.Submit(Stop(10, Side::kBuy, 10010, 5));
  b.Submit(Stop(11, Side::kSell, 9990, 5));
  EXPECT_EQ(b.Cancel(10, 2)[0].leaves_qty.raw, 3);
  EXPECT_EQ(b.Cancel(10)[0].qty.raw, 3);
  const auto& ev = b.Do([&] { b.book.MassCancel(1, Side::kNone, &b.events); });
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].order_id, 11u);
  EXPECT_EQ(b.book.order_count(), 0u);
}

// ---------------------------------------------------------------- historical executions

// The level at 100.00 (bid): historical 1 (100), ours 2 (100), historical 3 (100).
Book LevelWithOursInTheMiddle() {
  Book b;
  b.Submit(Limit(1, Side::kBuy, 10000, 100));
  b.Submit(Limit(2, Side::kBuy, 10000, 100, 1));
  b.Submit(Limit(3, Side::kBuy, 10000, 100));
  return b;
}

TEST(OrderBook, ExecuteHistoricalWithNoneOfOursAheadReducesExactlyThatOrder) {
  Book b = LevelWithOursInTheMiddle();
  const auto& ev = b.Execute(1, 60);
  EXPECT_EQ(Fills(ev), (std::vector<F>{{0, 1, 10000, 60}}));
  EXPECT_EQ(ev[0].owner, kMarket);
  EXPECT_EQ(ev[0].maker_leaves_qty.raw, 40);
  EXPECT_EQ(b.Leaves(2), 100);  // ours is behind: untouched
  EXPECT_EQ(b.book.last_trade_price(), Px(10000));
}

TEST(OrderBook, ExecuteHistoricalFillsOursAheadFirstButNotOtherHistoricalOrders) {
  Book b = LevelWithOursInTheMiddle();
  const auto& ev = b.Execute(3, 150);
  EXPECT_EQ(Fills(ev), (std::vector<F>{{0, 2, 10000, 100}, {0, 3, 10000, 50}}));
  EXPECT_EQ(ev[0].leaves_qty.raw, 50);  // what remains of the historical aggressor
  EXPECT_EQ(b.Leaves(1), 100);
  EXPECT_FALSE(b.book.Find(2));
  EXPECT_EQ(b.Leaves(3), 50);
}

TEST(OrderBook, ExecuteHistoricalAbsorbedByOursThenClampedLater) {
  Book b = LevelWithOursInTheMiddle();
  // Ours absorbs 80 of the 80: order 3 receives nothing.
  EXPECT_EQ(Fills(b.Execute(3, 80)), (std::vector<F>{{0, 2, 10000, 80}}));
  EXPECT_EQ(b.Leaves(3), 100);
  // The feed then executes 100 of order 3 twice: ours (20 left) takes 20 first, order 3
  // gets 80; the second time order 3 has 20 left: it gets 20 and the rest is dropped.
  EXPECT_EQ(Fills(b.Execute(3, 100)), (std::vector<F>{{0, 2, 10000, 20}, {0, 3, 10000, 80}}));
  EXPECT_EQ(Fills(b.Execute(3, 100)), (std::vector<F>{{0, 3, 10000, 20}}));
  EXPECT_FALSE(b.book.Find(3));
  // A later reference to the consumed order is tolerated and reported.
  const auto& late = b.Execute(3, 10);
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].kind, BookEventKind::kRejected);
  EXPECT_EQ(late[0].reason, RejectReason::kUnknownOrder);
  EXPECT_EQ(b.Cancel(3)[0].reason, RejectReason::kUnknownOrder);
  EXPECT_EQ(b.Leaves(1), 100);
}

TEST(OrderBook, ExecuteHistoricalOurIcebergAheadRefreshesBehindTheTarget) {
  Book b;
  OrderSpec ice = Limit(1, Side::kSell, 10000, 30, 1);
  ice.display_qty = Qty{10};
  b.Submit(ice);
  b.Submit(Limit(2, Side::kSell, 10000, 100));
  EXPECT_EQ(Fills(b.Execute(2, 50)), (std::vector<F>{{0, 1, 10000, 10}, {0, 2, 10000, 40}}));
  EXPECT_EQ(b.Ahead(1), 60);  // its refreshed peak queues behind order 2
}

TEST(OrderBook, ExecuteHistoricalTriggersStops) {
  Book b;
  b.Submit(Limit(1, Side::kBuy, 10000, 100));
  b.Submit(Limit(2, Side::kBuy, 9999, 100));
  b.Submit(Stop(10, Side::kSell, 10000, 10));
  const auto& ev = b.Execute(1, 100);
  EXPECT_EQ(Fills(ev), (std::vector<F>{{0, 1, 10000, 100}, {10, 2, 9999, 10}}));
}

TEST(OrderBook, ExecuteHistoricalOfAParkedStopOrBadQtyIsRejected) {
  Book b;
  b.Submit(Stop(10, Side::kSell, 10000, 10));
  EXPECT_EQ(b.Execute(10, 5)[0].reason, RejectReason::kUnknownOrder);
  b.Submit(Limit(1, Side::kBuy, 10000, 100));
  EXPECT_EQ(b.Execute(1, 0)[0].reason, RejectReason::kInvalidQty);
  EXPECT_EQ(b.Leaves(1), 100);
}

// ---------------------------------------------------------------- queue position

TEST(OrderBook, QueueAheadCountsDisplayedQuantityAhead) {
  Book b;
  OrderSpec ice = Limit(1, Side::kBuy, 10000, 500);
  ice.display_qty = Qty{50};
  b.Submit(ice);
  b.Submit(Limit(2, Side::kBuy, 10000, 70));
  b.Submit(Limit(3, Side::kBuy, 10000, 30, 1));
  b.Submit(Limit(4, Side::kBuy, 10001, 999));  // another level: not ahead
  EXPECT_EQ(b.Ahead(1), 0);
  EXPECT_EQ(b.Ahead(3), 120);
  b.Cancel(2, 20);
  EXPECT_EQ(b.Ahead(3), 100);
  b.Cancel(1);
  EXPECT_EQ(b.Ahead(3), 50);
  EXPECT_EQ(b.book.Find(3)->displayed_qty.raw, 30);
}

TEST(OrderBook, DuplicateIdOfALiveOrderIsRejectedAndReusableAfterwards) {
  Book b;
  b.Submit(Limit(1, Side::kBuy, 10000, 10));
  EXPECT_EQ(b.Submit(Limit(1, Side::kSell, 10100, 10))[0].reason, RejectReason::kDuplicateOrder);
  b.Cancel(1);
  EXPECT_EQ(b.Submit(Limit(1, Side::kSell, 10100, 10))[0].kind, BookEventKind::kAccepted);
}

TEST(OrderBook, ManyOrdersAndLevelsStayConsistent) {
  // Enough orders to grow the pools and the id index past their initial capacity.
  Book b(Instrument(), BookOptions{.initial_order_capacity = 16});
  for (VenueOrderId id = 1; id <= 3000; ++id) {
    const int64_t cents = 10000 - static_cast<int64_t>(id % 300);
    b.book.Submit(Limit(id, Side::kBuy, cents, 10), Timestamp{}, &b.events);
  }
  b.book.CheckInvariants();
  EXPECT_EQ(b.book.order_count(), 3000u);
  for (VenueOrderId id = 1; id <= 3000; id += 2) b.book.Cancel(id, Qty{0}, &b.events);
  b.book.CheckInvariants();
  EXPECT_EQ(b.book.order_count(), 1500u);
  EXPECT_EQ(b.Levels(Side::kBuy).size(), 10u);
  EXPECT_EQ(b.book.Best(Side::kBuy)->price, Px(10000));
  EXPECT_EQ(b.book.Best(Side::kBuy)->orders, 10u);
}

TEST(OrderBook, BestExcludingTakesAnOwnersDisplayedQuantityOut) {
  Book b;
  b.Submit(Limit(1, Side::kBuy, 10000, 10, 1));  // only owner 1 at the best bid
  b.Submit(Limit(2, Side::kBuy, 9999, 10, 1));
  b.Submit(Limit(3, Side::kBuy, 9999, 25));
  b.Submit(Limit(4, Side::kBuy, 9999, 5, 2));  // another session's order counts
  EXPECT_EQ(b.book.BestExcluding(Side::kBuy, 1, 16), (LevelView{Px(9999), Qty{30}, 2}));
  EXPECT_EQ(b.book.BestExcluding(Side::kBuy, 2, 16), (LevelView{Px(10000), Qty{10}, 1}));
  EXPECT_EQ(b.book.BestExcluding(Side::kBuy, 1, 1), std::nullopt);  // looks at one level only
  EXPECT_EQ(b.book.BestExcluding(Side::kSell, 1, 16), std::nullopt);
  OrderSpec ice = Limit(5, Side::kSell, 10005, 100, 1);
  ice.display_qty = Qty{10};
  b.Submit(ice);
  b.Submit(Limit(6, Side::kSell, 10005, 7));
  EXPECT_EQ(b.book.BestExcluding(Side::kSell, 1, 16), (LevelView{Px(10005), Qty{7}, 1}));
}

// ---------------------------------------------------------------- change marks

TEST(OrderBook, ChangeMarksTellWhetherLevelsAtAPriceOrBetterChanged) {
  Book b;
  EXPECT_TRUE(b.book.ChangedAtOrBetter(Side::kBuy, Px(1)));  // a new book: changed everywhere
  b.Submit(Limit(1, Side::kBuy, 10000, 10));
  b.Submit(Limit(2, Side::kSell, 10010, 10));
  b.book.ClearChanged();
  EXPECT_FALSE(b.book.ChangedAtOrBetter(Side::kBuy, std::nullopt));
  b.Submit(Limit(3, Side::kBuy, 9990, 10));  // below the best bid
  EXPECT_FALSE(b.book.ChangedAtOrBetter(Side::kBuy, Px(10000)));
  EXPECT_TRUE(b.book.ChangedAtOrBetter(Side::kBuy, Px(9990)));
  EXPECT_TRUE(b.book.ChangedAtOrBetter(Side::kBuy, std::nullopt));
  EXPECT_FALSE(b.book.ChangedAtOrBetter(Side::kSell, std::nullopt));
  b.book.ClearChanged();
  b.Execute(2, 4);  // a historical execution at the best ask
  EXPECT_TRUE(b.book.ChangedAtOrBetter(Side::kSell, Px(10010)));
  EXPECT_FALSE(b.book.ChangedAtOrBetter(Side::kSell, Px(10000)));  // better than any change
  EXPECT_FALSE(b.book.ChangedAtOrBetter(Side::kBuy, std::nullopt));
}

// Random operations (limits that rest or trade, icebergs, partial and whole cancels,
// replaces, historical executions) with random clears: whenever the marks say that nothing
// changed at a price or better, the levels at that price or better are the ones of the last
// clear.
TEST(OrderBook, ChangeMarksNeverMissAChange) {
  Book b;
  uint64_t x = 88172645463325252ull;
  auto next = [&](uint64_t n) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    return x % n;
  };
  auto top = [&](Side side) { return b.Levels(side); };  // best 10
  auto at_or_better = [](const std::vector<LevelView>& v, Side side, Price p) {
    std::vector<LevelView> out;
    for (const LevelView& l : v) {
      if (side == Side::kBuy ? l.price >= p : l.price <= p) out.push_back(l);
    }
    return out;
  };
  std::vector<VenueOrderId> ids;
  VenueOrderId next_id = 1;
  std::vector<LevelView> seen[2] = {top(Side::kBuy), top(Side::kSell)};
  b.book.ClearChanged();
  int checked = 0;
  for (int step = 0; step < 20000; ++step) {
    const uint64_t op = next(10);
    if (op < 5 || ids.empty()) {
      const Side side = next(2) == 0 ? Side::kBuy : Side::kSell;
      const int64_t cents = side == Side::kBuy ? 9990 + static_cast<int64_t>(next(14))
                                               : 9997 + static_cast<int64_t>(next(14));
      OrderSpec s = Limit(next_id, side, cents, 1 + static_cast<int64_t>(next(30)), next(3));
      if (next(5) == 0) s.display_qty = Qty{1 + static_cast<int64_t>(next(5))};
      b.Submit(s);
      ids.push_back(next_id++);
    } else {
      const size_t k = next(ids.size());
      const VenueOrderId id = ids[k];
      const int64_t leaves = b.Leaves(id);
      if (leaves == 0) {
        ids.erase(ids.begin() + static_cast<ptrdiff_t>(k));
        continue;
      }
      if (op < 7) {
        b.Cancel(id, next(2) == 0 ? 0 : 1 + static_cast<int64_t>(next(leaves)));
      } else if (op < 8) {
        const OrderView v = *b.book.Find(id);
        const int64_t cents = v.price.raw / kCent + static_cast<int64_t>(next(3)) - 1;
        b.Replace(id, cents, 1 + static_cast<int64_t>(next(30)));
      } else if (b.book.Find(id)->owner == kMarket) {
        b.Execute(id, 1 + static_cast<int64_t>(next(leaves)));
      }
    }
    for (Side side : {Side::kBuy, Side::kSell}) {
      const int s = side == Side::kBuy ? 0 : 1;
      const std::vector<LevelView> now = top(side);
      std::vector<std::optional<Price>> bounds = {std::nullopt};
      for (const LevelView& l : seen[s]) bounds.push_back(l.price);
      for (const LevelView& l : now) bounds.push_back(l.price);
      for (const std::optional<Price>& p : bounds) {
        if (b.book.ChangedAtOrBetter(side, p)) continue;
        ++checked;
        if (!p) {
          ASSERT_EQ(now, seen[s]) << "step " << step;
        } else {
          ASSERT_EQ(at_or_better(now, side, *p), at_or_better(seen[s], side, *p))
              << "step " << step << " price " << p->raw;
        }
      }
    }
    if (next(4) == 0) {
      b.book.ClearChanged();
      seen[0] = top(Side::kBuy);
      seen[1] = top(Side::kSell);
    }
  }
  EXPECT_GT(checked, 10000);
}

}  // namespace
}  // namespace td::sim
