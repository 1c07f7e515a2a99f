// ReferenceBook: a deliberately simple model of OrderBook's rules, for differential testing.
// std::map of price levels per side, a std::deque of orders per level, orders found by
// scanning, a FOK checked by matching a copy of the book, stops in a plain vector: no pools,
// no indices, no cleverness, so that it is easy to believe and slow. It implements the same
// contract (order_book.h, docs/order-book.md) and emits the same BookEvents in the same order.
//
// DifferentialChecker runs one operation sequence through an OrderBook and a ReferenceBook
// and compares, after every step: every event (so every fill's taker, maker, price, qty and
// leaves), the top levels of both sides, the orders touched, the live order count and the
// last trade price; it checks OrderBook::CheckInvariants() and quantity conservation per
// order (submitted + replace changes == filled + canceled + resting). Used by
// fuzz/order_book_fuzzer.cc and tests/sim-exchange/order_book_differential_test.cc.
//
//   DifferentialChecker check(DifferentialInstrument(), {});
//   for (const BookOp& op : ops) TD_RETURN_IF_ERROR(check.Step(op));
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <vector>

#include "core/status.h"
#include "sim-exchange/book_ops.h"
#include "sim-exchange/order_book.h"

namespace td::sim {

class ReferenceBook {
 public:
  ReferenceBook(const InstrumentDef& instrument, BookOptions options);

  void Submit(const OrderSpec& spec, Timestamp now, std::vector<BookEvent>* out);
  void Cancel(VenueOrderId id, Qty qty, std::vector<BookEvent>* out);
  void Replace(VenueOrderId id, Price price, Qty qty, Timestamp now, std::vector<BookEvent>* out);
  void ExecuteHistorical(VenueOrderId id, Qty qty, std::vector<BookEvent>* out);
  void MassCancel(ParticipantId owner, Side side, std::vector<BookEvent>* out);
  void ExpireDay(std::vector<BookEvent>* out);

  std::optional<OrderView> Find(VenueOrderId id) const;
  std::vector<LevelView> Levels(Side side, size_t n) const;
  size_t order_count() const;
  std::optional<Price> last_trade_price() const { return last_; }

 private:
  struct Ord {
    OrderSpec spec;  // spec.price and spec.qty as of the last replace
    int64_t leaves = 0;
    int64_t visible = 0;  // displayed, while resting
    int64_t peak = 0;     // iceberg display size, 0 = fully displayed
    uint64_t seq = 0;     // stops: arrival order
  };
  using Queue = std::deque<Ord>;
  using SideBook = std::map<int64_t, Queue>;  // by price; best bid last, best ask first

  enum class Entry { kNew, kTriggered, kReplaced };

  SideBook& BookSide(Side s) { return s == Side::kBuy ? bids_ : asks_; }
  static Queue* BestQueue(SideBook& book, Side book_side, int64_t* price);
  // Where an order is: in a level's queue (q, pos, price, book) or parked (stop_index).
  struct Where {
    Ord* ord = nullptr;
    SideBook* book = nullptr;
    Queue* q = nullptr;
    size_t pos = 0;
    int64_t price = 0;
    bool parked = false;
    size_t stop_index = 0;
  };
  Where Locate(VenueOrderId id);
  void Remove(const Where& w);
  static void Reduce(Ord& o, int64_t new_leaves);
  bool IsLive(VenueOrderId id) const;
  bool Validated(ParticipantId owner) const;
  RejectReason Validate(const OrderSpec& s) const;
  bool InBand(int64_t price) const;
  bool Match(Ord& taker, SideBook& opposite, bool dry, std::vector<BookEvent>* out);
  void Enter(Ord o, Entry entry, int64_t order_qty, std::vector<BookEvent>* out);
  void Trade(int64_t price);
  void RunTriggered(std::vector<BookEvent>* out);
  void Fill(Ord& maker, Queue& q, size_t pos, int64_t price, VenueOrderId taker_id,
            ParticipantId taker_owner, int64_t* taker_leaves, bool dry,
            std::vector<BookEvent>* out);
  template <typename Pred>
  void CancelAll(Pred pred, CancelCause cause, std::vector<BookEvent>* out);

  InstrumentDef instrument_;
  BookOptions options_;
  SideBook bids_;
  SideBook asks_;
  std::vector<Ord> stops_;      // arrival order
  std::vector<Ord> triggered_;  // waiting to enter, in trigger order
  uint64_t seq_ = 0;
  std::optional<Price> last_;
};

class DifferentialChecker {
 public:
  DifferentialChecker(const InstrumentDef& instrument, BookOptions options);

  // Applies `op` to both books. A non-ok status describes the first difference (or broken
  // conservation) with the step number, the operation and both event lists.
  Status Step(const BookOp& op);

  uint64_t steps() const { return steps_; }
  uint64_t fills() const { return fills_; }
  uint64_t events() const { return events_; }
  uint64_t events_of(BookEventKind kind) const { return kinds_[static_cast<size_t>(kind) & 7]; }
  uint64_t max_live_orders() const { return max_live_; }
  const OrderBook& book() const { return book_; }

 private:
  struct Flow {
    int64_t in = 0;  // submitted, adjusted by replaces
    int64_t filled = 0;
    int64_t canceled = 0;
  };
  Status Compare(const BookOp& op);
  Status CheckConservation(const BookOp& op);

  OrderBook book_;
  ReferenceBook ref_;
  std::vector<BookEvent> got_;
  std::vector<BookEvent> want_;
  std::map<VenueOrderId, Flow> flows_;  // live orders
  uint64_t steps_ = 0;
  uint64_t fills_ = 0;
  uint64_t events_ = 0;
  uint64_t kinds_[8] = {};
  uint64_t max_live_ = 0;
};

}  // namespace td::sim
