// OrderBook: one instrument's L3 limit order book with price-time priority, and the matching
// engine of the simulated exchange. Historical orders (from LOBSTER or the synthetic
// generator, owner kMarket) and our own orders (owner >= 1) rest in the same FIFO queues, so
// our orders hold their exact place among historical ones. Pure and single-threaded: no
// clock (times come in as arguments), no I/O. Every operation appends what happened to an
// output vector of BookEvents, in the order it happened.
//
// Invariants: a level's total equals the sum of its orders' displayed quantities; the book is
// never crossed after an operation returns (checked after every operation); every order id is
// unique while it rests or is parked; validated orders have quantities that are positive
// multiples of the lot size. CheckInvariants() verifies all of them with a full walk.
//
// Semantics in brief (docs/order-book.md has the details):
// - Matching is price-time priority; a fill is priced at the maker's price. The incoming
//   order's StpMode decides self-trade prevention; it applies only between orders of the same
//   owner >= 1.
// - Iceberg (display_qty > 0): only the peak is displayed and queued. When the peak is
//   consumed it refreshes from the hidden reserve and goes to the BACK of its level's queue
//   (the rule of most venues: a refreshed peak is a new displayed order). An aggressor keeps
//   matching the refreshed peaks, so the whole reserve is reachable in one sweep.
// - Stops (kStop, kStopLimit) park until a trade prints at or through the stop price (buy:
//   trade >= stop; sell: trade <= stop). Each print triggers, in this order, buy stops by
//   ascending stop then arrival, then sell stops by descending stop then arrival; triggered
//   stops enter one after the other as new aggressive orders (kTriggered, then their fills),
//   after the operation that triggered them, and may trigger more. A stop whose trigger has
//   already printed when it arrives triggers at once.
// - Events: kAccepted only when a new order rests or parks (after its fills, if any); a
//   triggered stop or replaced order that rests emits nothing more. kFill.order_id is the
//   taker; for ExecuteHistorical it is 0 (the feed's anonymous aggressor). kTriggered.price
//   is the stop price. kRejected: the request changed nothing; kCanceled: quantity left the
//   book (FOK not fillable, post-only on a replace or trigger, IOC and market remainders,
//   STP, requests, mass cancel, expiry).
//
//   OrderBook book(instrument);
//   std::vector<BookEvent> events;
//   book.Submit({.id = 1, .owner = 1, .side = Side::kBuy, .price = px, .qty = q}, now, &events);
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "core/event.h"

namespace td::sim {

using ParticipantId = uint32_t;
inline constexpr ParticipantId kMarket = 0;  // the historical market; sessions are 1, 2, ...

enum class StpMode : uint8_t { kNone = 0, kCancelNewest, kCancelOldest, kCancelBoth };

struct OrderSpec {
  VenueOrderId id = 0;  // unique among live orders; chosen by the caller
  ParticipantId owner = kMarket;
  Side side = Side::kNone;
  OrdType type = OrdType::kLimit;
  TimeInForce tif = TimeInForce::kDay;
  Price price;       // limit price (kLimit, kStopLimit)
  Price stop_price;  // trigger (kStop, kStopLimit)
  Qty qty;
  Qty display_qty;  // iceberg peak; 0 = fully displayed
  bool post_only = false;
  StpMode stp = StpMode::kNone;
};

enum class BookEventKind : uint8_t {
  kAccepted = 1,  // resting (or parked as an untriggered stop)
  kRejected,      // `reason` says why; nothing changed
  kFill,          // one match: maker and taker, price, qty, leaves of both
  kCanceled,      // `qty` removed from `order_id`, for `cause`
  kTriggered,     // a stop order became active
  kReplaced,      // `order_id` now has `price`/`qty`; `kept_priority` tells
};

enum class CancelCause : uint8_t {
  kRequested = 1,
  kIocRemainder,
  kFokNotFillable,
  kSelfTrade,
  kPostOnlyWouldCross,
  kNoLiquidity,  // market order remainder
  kMassCancel,
  kExpired,
};

struct BookEvent {
  BookEventKind kind = BookEventKind::kAccepted;
  VenueOrderId order_id = 0;  // the order concerned (for kFill: the taker)
  ParticipantId owner = kMarket;
  RejectReason reason = RejectReason::kNone;
  CancelCause cause = CancelCause::kRequested;
  Price price;
  Qty qty;
  Qty leaves_qty;  // of order_id after this event
  // kFill only:
  VenueOrderId maker_id = 0;
  ParticipantId maker_owner = kMarket;
  Qty maker_leaves_qty;
  bool kept_priority = false;  // kReplaced only
  bool operator==(const BookEvent&) const = default;
};

// A kRejected event: `reason` for order `id`; nothing in the book changed.
inline BookEvent RejectedEvent(VenueOrderId id, ParticipantId owner, RejectReason reason,
                               int64_t price, int64_t qty, int64_t leaves) {
  BookEvent e;
  e.kind = BookEventKind::kRejected;
  e.order_id = id;
  e.owner = owner;
  e.reason = reason;
  e.price = Price{price};
  e.qty = Qty{qty};
  e.leaves_qty = Qty{leaves};
  return e;
}

struct LevelView {
  Price price;
  Qty qty;  // displayed quantity at the level
  uint32_t orders = 0;
  bool operator==(const LevelView&) const = default;
};

struct OrderView {
  VenueOrderId id = 0;
  ParticipantId owner = kMarket;
  Side side = Side::kNone;
  Price price;
  Qty leaves_qty;  // remaining, displayed + hidden
  Qty displayed_qty;
  Qty queue_ahead_qty;       // displayed quantity ahead of it at its level (0 for a parked stop)
  bool parked_stop = false;  // an untriggered stop: not in the book yet
  bool operator==(const OrderView&) const = default;
};

struct BookOptions {
  // Reject limit prices further than this from the reference (last trade, else mid); 0 = off.
  int64_t price_band_bps = 0;
  // Validate tick, lot and minimum quantity against the InstrumentDef (off for historical
  // feeds whose data predates the instrument rules).
  bool validate_market_orders = false;
  // Orders the pool and id index hold before they first grow: past this, operations do not
  // allocate (a book with at most this many live orders never allocates after warm-up).
  uint32_t initial_order_capacity = 1024;
};

// Bounds: a Submit or Replace beyond them is rejected with kOrderExceedsLimit.
inline constexpr size_t kMaxLiveOrders = size_t{1} << 24;  // resting + parked, per book
inline constexpr size_t kMaxLevelsPerSide = size_t{1} << 20;

class OrderBook {
 public:
  explicit OrderBook(const InstrumentDef& instrument, BookOptions options = {});
  ~OrderBook();
  OrderBook(OrderBook&&) noexcept;
  OrderBook& operator=(OrderBook&&) noexcept;

  // New order: validation, matching against the opposite side (price-time priority), then per
  // type and time in force: rest, cancel the remainder (IOC, market), reject whole (FOK not
  // fillable, post-only that would cross). Stop orders park until the last trade price
  // reaches their trigger.
  //
  // Validation (owner >= 1 always; kMarket only with validate_market_orders), in this order:
  // price on the tick (limit and stop prices), quantity and display_qty positive multiples of
  // the lot and qty >= min_qty, limit price within price_band_bps of the reference (last
  // trade, else mid; no reference, no check). Always: a side, known enums, qty > 0,
  // display_qty >= 0, no live order with the same id (kDuplicateOrder), post-only only on
  // limit and stop-limit orders, the bounds above. FOK that cannot fill whole: kCanceled
  // kFokNotFillable; post-only that would take: kRejected kPostOnlyWouldCross.
  // `now` is not used by the matching (it is here for models that want it).
  void Submit(const OrderSpec& spec, Timestamp now, std::vector<BookEvent>* out);

  // Removes `qty` from a resting order (LOBSTER type 2, partial cancel); qty 0 or >= its
  // remaining removes it (type 3). Unknown id: a kRejected event with kUnknownOrder. A partial
  // cancel keeps priority and takes from an iceberg's hidden reserve first. Negative qty, or
  // (for validated owners) a qty off the lot: kRejected kInvalidQty.
  void Cancel(VenueOrderId id, Qty qty, std::vector<BookEvent>* out);

  // Cancel/replace: keeps time priority only when the price is unchanged and the quantity
  // goes down; otherwise the order moves to the back of its (new) level, and may match.
  // `qty` is the new remaining (leaves) quantity, not the FIX OrderQty: the venue layer
  // subtracts what has already filled. kReplaced comes first; when priority is lost the order
  // then matches as an aggressor (a post-only one that would take is canceled instead), and
  // its remainder rests. A parked stop may be replaced too (its limit price and quantity; the
  // trigger is unchanged). Validation as in Submit, except min_qty (a partly filled order may
  // legitimately leave less than the minimum).
  void Replace(VenueOrderId id, Price price, Qty qty, Timestamp now, std::vector<BookEvent>* out);

  // A historical execution reported by the feed against resting order `id` (LOBSTER type 4):
  // an aggressor of `qty` on the opposite side that reached id's level. Precisely: it first
  // fills OUR orders (owner >= 1) that are queued ahead of `id` at that level, in FIFO order,
  // each up to its displayed quantity, consuming `qty`; then `id` itself with what is left
  // (at most its displayed quantity). Historical orders ahead of `id` are not touched: the
  // feed says exactly which historical order executed. What neither absorbed is dropped (the
  // historical aggressor's quantity was finite), so `id` may receive less than `qty`; its
  // later feed events are clamped to what remains (Cancel already treats a quantity beyond
  // the remaining as a full cancel), and a reference to an order already consumed gets a
  // kRejected kUnknownOrder that the caller may count and otherwise ignore. See
  // docs/lobster-replay.md, "Reconciliation". Fills name taker order 0, owner kMarket.
  void ExecuteHistorical(VenueOrderId id, Qty qty, std::vector<BookEvent>* out);

  // Cancels every live order of `owner` (on `side`, or both when kNone), parked stops
  // included: buy levels best first, then sell levels, FIFO within a level, then parked buy
  // and sell stops in trigger order. Cause kMassCancel.
  void MassCancel(ParticipantId owner, Side side, std::vector<BookEvent>* out);

  // End of the trading day: cancels every live order whose time in force is kDay (parked
  // stops included), in MassCancel's order, with cause kExpired. GTC orders stay.
  void ExpireDay(std::vector<BookEvent>* out);

  std::optional<OrderView> Find(VenueOrderId id) const;
  // The best `n` levels of a side, best first; returns how many were written.
  size_t Levels(Side side, size_t n, LevelView* out) const;
  std::optional<LevelView> Best(Side side) const;
  // The best level of `side` as the others see it: the displayed quantity (and count) of
  // `owner`'s orders taken out, and a level that holds only theirs skipped; nullopt when the
  // first `max_levels` levels hold nothing else. For a feed that shows a participant the
  // market without its own orders.
  std::optional<LevelView> BestExcluding(Side side, ParticipantId owner, size_t max_levels) const;
  // For the one observer of the top of the book (the simulated L1 feed, which would otherwise
  // read the top levels after every record): whether the displayed book of `side` changed (a
  // level's displayed quantity; a level added or removed) at `price` or better, or anywhere
  // on the side when `price` is nullopt, since the last ClearChanged(). A new book counts as
  // changed everywhere. The marks are the observer's bookkeeping, not the book's state: they
  // are cleared through const, and never digested.
  bool ChangedAtOrBetter(Side side, std::optional<Price> price) const;
  void ClearChanged() const;
  // Live orders: resting plus parked stops.
  size_t order_count() const;
  // The price of the last trade (ours or historical), if any trade has happened.
  std::optional<Price> last_trade_price() const;

  // Walks the whole book and TD_CHECKs every invariant above (O(orders)); for tests, fuzzers
  // and debugging, not the hot path.
  void CheckInvariants() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace td::sim
