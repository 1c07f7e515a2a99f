// OrderBook's data structures (docs/order-book.md):
// - an order pool (vector + free list; an order is an index, never a pointer, so the pool may
//   grow) and an id -> index hash map used only for lookups, never iterated;
// - per price level an intrusive doubly-linked FIFO of pool indices, the level itself in a
//   level pool so that an order knows its level in O(1); and, threaded through the same
//   orders, a second FIFO of only our orders (owner >= 1) at the level, with a queue sequence
//   number per order, so that a historical execution finds the orders of ours ahead of its
//   target in O(ours ahead) instead of walking the queue;
// - per side a vector of (key, level) sorted so that the best level is at the back: the best
//   price is O(1), and inserting or removing a level near the top moves few elements;
// - parked stops per side in a vector sorted so that the next one to trigger is at the back.
// After warm-up (pools, index and vectors at their high-water mark) no operation allocates.
#include "sim-exchange/order_book.h"

#include <algorithm>
#include <bit>
#include <limits>

#include "core/check.h"
#include "core/id_index.h"

namespace td::sim {
namespace {

constexpr uint32_t kNil = std::numeric_limits<uint32_t>::max();
constexpr int64_t kBpsPerUnit = 10'000;
// The back of a side's level vector is the best level; this many levels are checked one by
// one from the back before a binary search (most activity is at the top of the book).
constexpr int kLinearLevelProbes = 8;

enum class OrderState : uint8_t {
  kFree = 0,
  kResting,  // in a level's queue
  kParked,   // an untriggered stop
  kActive,   // being entered as an aggressor, or triggered and waiting to enter
};

struct Order {
  VenueOrderId id = 0;
  int64_t price = 0;    // limit price (meaningless for kMarket and kStop)
  int64_t stop = 0;     // trigger price (kStop, kStopLimit)
  int64_t leaves = 0;   // remaining, displayed + hidden
  int64_t visible = 0;  // displayed part, > 0 while resting
  int64_t peak = 0;     // iceberg display size; 0 = fully displayed
  // Resting: when it joined the back of its level's queue (queue order = seq order).
  // Parked: its arrival order among parked stops.
  uint64_t seq = 0;
  uint32_t prev = kNil;  // FIFO neighbours at the level; `next` also links the free list
  uint32_t next = kNil;
  uint32_t ours_prev = kNil;  // neighbours in the level's FIFO of our orders (owner >= 1)
  uint32_t ours_next = kNil;
  uint32_t level = kNil;
  ParticipantId owner = kMarket;
  Side side = Side::kNone;
  OrdType type = OrdType::kLimit;
  TimeInForce tif = TimeInForce::kDay;
  StpMode stp = StpMode::kNone;
  bool post_only = false;
  OrderState state = OrderState::kFree;
};

struct Level {
  int64_t price = 0;
  int64_t visible = 0;  // sum of the displayed quantities of its orders
  uint32_t count = 0;
  uint32_t head = kNil;  // also links the free list
  uint32_t tail = kNil;
  uint32_t ours_head = kNil;  // our orders (owner >= 1) at the level, in queue order
  uint32_t ours_tail = kNil;
};

// Level keys grow toward the best price, so that for both sides the best level is at the
// back: bids by price, asks by ~price (-price - 1, which cannot overflow).
struct LevelRef {
  int64_t key = 0;
  uint32_t level = kNil;
};

// Stop keys grow toward the next stop to trigger (buy stops: lowest stop first; sell stops:
// highest first); among equal keys the oldest (smallest seq) sorts last, i.e. triggers first.
struct StopRef {
  int64_t key = 0;
  uint64_t seq = 0;
  uint32_t order = kNil;
};

bool StopSortsBefore(const StopRef& a, const StopRef& b) {
  return a.key < b.key || (a.key == b.key && a.seq > b.seq);
}

int SideIndex(Side s) { return s == Side::kBuy ? 0 : 1; }
int64_t LevelKey(Side s, int64_t price) { return s == Side::kBuy ? price : ~price; }
int64_t StopKey(Side s, int64_t stop) { return s == Side::kBuy ? ~stop : stop; }
bool IsStopType(OrdType t) { return t == OrdType::kStop || t == OrdType::kStopLimit; }
bool IsMarketType(OrdType t) { return t == OrdType::kMarket || t == OrdType::kStop; }
bool HasLimitPrice(OrdType t) { return t == OrdType::kLimit || t == OrdType::kStopLimit; }

// Does a `side` order limited at `limit` trade with a resting level at `level_price`?
bool Crosses(Side side, int64_t limit, int64_t level_price) {
  return side == Side::kBuy ? level_price <= limit : level_price >= limit;
}

// Has a print at `trade` reached the trigger of a `side` stop at `stop`?
bool StopReached(Side side, int64_t stop, int64_t trade) {
  return side == Side::kBuy ? trade >= stop : trade <= stop;
}

// First position in `v` whose key is >= `key`.
size_t LevelLowerBound(const std::vector<LevelRef>& v, int64_t key) {
  size_t i = v.size();
  for (int probe = 0; probe < kLinearLevelProbes && i > 0; ++probe, --i) {
    if (v[i - 1].key < key) return i;
  }
  return static_cast<size_t>(
      std::lower_bound(v.begin(), v.begin() + static_cast<ptrdiff_t>(i), key,
                       [](const LevelRef& r, int64_t k) { return r.key < k; }) -
      v.begin());
}

enum class Entry : uint8_t { kNew, kTriggered, kReplaced };

}  // namespace

struct OrderBook::Impl {
  Impl(const InstrumentDef& inst, BookOptions opts)
      : instrument(inst), options(opts), index(opts.initial_order_capacity) {
    orders.reserve(opts.initial_order_capacity);
    levels.reserve(1024);
    for (auto& s : sides) s.reserve(1024);
    for (auto& s : stops) s.reserve(64);
    pending.reserve(64);
  }

  InstrumentDef instrument;
  BookOptions options;
  std::vector<Order> orders;
  uint32_t free_orders = kNil;
  size_t live = 0;
  std::vector<Level> levels;
  uint32_t free_levels = kNil;
  std::vector<LevelRef> sides[2];  // [0] bids, [1] asks; best at the back
  std::vector<StopRef> stops[2];   // parked buy and sell stops; next to trigger at the back
  uint64_t stop_seq = 0;
  uint64_t queue_seq = 0;
  std::vector<uint32_t> pending;  // triggered stops waiting to enter, in trigger order
  IdIndex index;
  int64_t last_price = 0;
  bool has_last = false;
  // The change marks (OrderBook::ChangedAtOrBetter): per side, whether a displayed level
  // changed since the last ClearChanged, and the best level key that did. Bookkeeping for the
  // observer, not the book's state (mutable; never digested). A new book is changed
  // everywhere.
  mutable bool changed[2] = {true, true};
  mutable int64_t changed_key[2] = {std::numeric_limits<int64_t>::max(),
                                    std::numeric_limits<int64_t>::max()};

  void MarkChanged(Side side, int64_t price) {
    const int s = SideIndex(side);
    const int64_t key = LevelKey(side, price);
    if (!changed[s] || key > changed_key[s]) changed_key[s] = key;
    changed[s] = true;
  }

  // ------------------------------------------------------------------ pools

  // A pool slot holding `o`.
  uint32_t AllocOrder(const Order& o) {
    uint32_t oi;
    if (free_orders != kNil) {
      oi = free_orders;
      free_orders = orders[oi].next;
      orders[oi] = o;
    } else {
      oi = static_cast<uint32_t>(orders.size());
      orders.push_back(o);
    }
    ++live;
    return oi;
  }

  // Forgets the order: out of the index, back to the pool. REQUIRES: in no level, not parked.
  void FreeOrder(uint32_t oi) {
    Order& o = orders[oi];
    index.Erase(o.id);
    o.state = OrderState::kFree;
    o.next = free_orders;
    free_orders = oi;
    --live;
  }

  uint32_t AllocLevel(int64_t price) {
    uint32_t li;
    if (free_levels != kNil) {
      li = free_levels;
      free_levels = levels[li].head;
    } else {
      li = static_cast<uint32_t>(levels.size());
      levels.emplace_back();
    }
    levels[li] = Level{.price = price};
    return li;
  }

  // ------------------------------------------------------------------ levels and queues

  uint32_t FindOrAddLevel(Side side, int64_t price) {
    std::vector<LevelRef>& v = sides[SideIndex(side)];
    const int64_t key = LevelKey(side, price);
    const size_t pos = LevelLowerBound(v, key);
    if (pos < v.size() && v[pos].key == key) return v[pos].level;
    const uint32_t li = AllocLevel(price);
    v.insert(v.begin() + static_cast<ptrdiff_t>(pos), LevelRef{key, li});
    return li;
  }

  void RemoveLevel(Side side, uint32_t li) {
    std::vector<LevelRef>& v = sides[SideIndex(side)];
    const size_t pos = LevelLowerBound(v, LevelKey(side, levels[li].price));
    TD_CHECK(pos < v.size() && v[pos].level == li);
    v.erase(v.begin() + static_cast<ptrdiff_t>(pos));
    levels[li].head = free_levels;
    free_levels = li;
  }

  void PushBack(uint32_t li, uint32_t oi) {
    Level& lv = levels[li];
    Order& o = orders[oi];
    o.level = li;
    o.next = kNil;
    o.prev = lv.tail;
    if (lv.tail != kNil) {
      orders[lv.tail].next = oi;
    } else {
      lv.head = oi;
    }
    lv.tail = oi;
    ++lv.count;
    lv.visible += o.visible;
    MarkChanged(o.side, lv.price);
    o.seq = ++queue_seq;
    if (o.owner != kMarket) OursPushBack(lv, oi);
  }

  void OursPushBack(Level& lv, uint32_t oi) {
    Order& o = orders[oi];
    o.ours_next = kNil;
    o.ours_prev = lv.ours_tail;
    if (lv.ours_tail != kNil) {
      orders[lv.ours_tail].ours_next = oi;
    } else {
      lv.ours_head = oi;
    }
    lv.ours_tail = oi;
  }

  void OursUnlink(Level& lv, uint32_t oi) {
    Order& o = orders[oi];
    if (o.ours_prev != kNil) {
      orders[o.ours_prev].ours_next = o.ours_next;
    } else {
      lv.ours_head = o.ours_next;
    }
    if (o.ours_next != kNil) {
      orders[o.ours_next].ours_prev = o.ours_prev;
    } else {
      lv.ours_tail = o.ours_prev;
    }
  }

  // Takes a resting order out of its level's queue; removes the level when it empties.
  void Unlink(uint32_t oi) {
    Order& o = orders[oi];
    Level& lv = levels[o.level];
    if (o.prev != kNil) {
      orders[o.prev].next = o.next;
    } else {
      lv.head = o.next;
    }
    if (o.next != kNil) {
      orders[o.next].prev = o.prev;
    } else {
      lv.tail = o.prev;
    }
    lv.visible -= o.visible;
    --lv.count;
    MarkChanged(o.side, lv.price);
    if (o.owner != kMarket) OursUnlink(lv, oi);
    if (lv.count == 0) RemoveLevel(o.side, o.level);
    o.level = kNil;
  }

  // Rests an active order at its price, its displayed peak at the back of the queue.
  void Rest(uint32_t oi) {
    Order& o = orders[oi];
    o.visible = o.peak > 0 ? std::min(o.peak, o.leaves) : o.leaves;
    o.state = OrderState::kResting;
    PushBack(FindOrAddLevel(o.side, o.price), oi);
  }

  // An iceberg whose displayed peak was consumed shows a new peak from its reserve and goes
  // to the back of its level's queue. REQUIRES: resting, visible == 0 < leaves.
  void Refresh(uint32_t oi) {
    Order& o = orders[oi];
    Level& lv = levels[o.level];
    o.visible = std::min(o.peak, o.leaves);
    lv.visible += o.visible;
    MarkChanged(o.side, lv.price);
    o.seq = ++queue_seq;
    if (o.owner != kMarket && lv.ours_tail != oi) {
      OursUnlink(lv, oi);
      OursPushBack(lv, oi);
    }
    if (lv.tail == oi) return;
    if (o.prev != kNil) {
      orders[o.prev].next = o.next;
    } else {
      lv.head = o.next;
    }
    orders[o.next].prev = o.prev;
    o.prev = lv.tail;
    o.next = kNil;
    orders[lv.tail].next = oi;
    lv.tail = oi;
  }

  // Lowers the remaining quantity in place, hidden reserve first; priority is unchanged.
  // REQUIRES: 0 < new_leaves <= leaves.
  void ReduceTo(uint32_t oi, int64_t new_leaves) {
    Order& o = orders[oi];
    const int64_t cut = o.leaves - new_leaves;
    const int64_t hidden = o.leaves - o.visible;
    o.leaves = new_leaves;
    if (cut > hidden && o.state == OrderState::kResting) {
      o.visible -= cut - hidden;
      levels[o.level].visible -= cut - hidden;
      MarkChanged(o.side, levels[o.level].price);
    }
  }

  // ------------------------------------------------------------------ stops

  void Park(uint32_t oi) {
    Order& o = orders[oi];
    o.state = OrderState::kParked;
    o.seq = ++stop_seq;
    const StopRef ref{StopKey(o.side, o.stop), o.seq, oi};
    std::vector<StopRef>& v = stops[SideIndex(o.side)];
    v.insert(std::lower_bound(v.begin(), v.end(), ref, StopSortsBefore), ref);
  }

  void Unpark(uint32_t oi) {
    const Order& o = orders[oi];
    const StopRef ref{StopKey(o.side, o.stop), o.seq, oi};
    std::vector<StopRef>& v = stops[SideIndex(o.side)];
    const auto it = std::lower_bound(v.begin(), v.end(), ref, StopSortsBefore);
    TD_CHECK(it != v.end() && it->order == oi);
    v.erase(it);
  }

  // A trade printed at `price`: moves the stops it reaches to the pending queue.
  void OnTrade(int64_t price) {
    last_price = price;
    has_last = true;
    if (stops[0].empty() && stops[1].empty()) return;
    for (int s = 0; s < 2; ++s) {
      std::vector<StopRef>& v = stops[s];
      while (!v.empty() &&
             StopReached(orders[v.back().order].side, orders[v.back().order].stop, price)) {
        orders[v.back().order].state = OrderState::kActive;
        pending.push_back(v.back().order);
        v.pop_back();
      }
    }
  }

  // Enters the triggered stops one after the other; each may trigger more (appended to the
  // queue). Bounded: a stop triggers at most once. Usually there are none: that check stays
  // inline in every operation, and the loop (a whole Enter per stop) stays out of line.
  void RunPending(std::vector<BookEvent>* out) {
    if (!pending.empty()) EnterPending(out);
  }

  [[gnu::noinline]] void EnterPending(std::vector<BookEvent>* out) {
    for (size_t i = 0; i < pending.size(); ++i) {
      const uint32_t oi = pending[i];
      const Order& o = orders[oi];
      BookEvent e = EventFor(BookEventKind::kTriggered, o);
      e.price = Price{o.stop};
      e.qty = Qty{o.leaves};
      out->push_back(e);
      Enter(oi, Entry::kTriggered, o.leaves, out);
    }
    pending.clear();
  }

  // ------------------------------------------------------------------ events

  static BookEvent EventFor(BookEventKind kind, const Order& o) {
    BookEvent e;
    e.kind = kind;
    e.order_id = o.id;
    e.owner = o.owner;
    e.price = Price{o.price};
    e.leaves_qty = Qty{o.leaves};
    return e;
  }

  // Removes an order whole, whatever its state, and reports it.
  void CancelWhole(uint32_t oi, CancelCause cause, std::vector<BookEvent>* out) {
    Order& o = orders[oi];
    BookEvent e = EventFor(BookEventKind::kCanceled, o);
    e.cause = cause;
    e.qty = Qty{o.leaves};
    e.leaves_qty = Qty{0};
    out->push_back(e);
    if (o.state == OrderState::kResting) Unlink(oi);
    if (o.state == OrderState::kParked) Unpark(oi);
    o.leaves = 0;
    FreeOrder(oi);
  }

  // ------------------------------------------------------------------ matching

  bool WouldTake(const Order& t) const {
    const std::vector<LevelRef>& opp = sides[SideIndex(Opposite(t.side))];
    if (opp.empty()) return false;
    return IsMarketType(t.type) || Crosses(t.side, t.price, levels[opp.back().level].price);
  }

  bool StpApplies(const Order& t) const { return t.owner != kMarket && t.stp != StpMode::kNone; }

  // Whether `t` would fill whole, matching as Match() does: every crossing level's orders in
  // full (refreshed iceberg peaks are reached again) unless self-trade prevention would cancel
  // the taker at an order of its own, in which case only the displayed quantity queued ahead
  // of that order counts (peaks refreshed before it go behind it). Walks no further than
  // needed.
  bool FokFillable(const Order& t) const {
    const std::vector<LevelRef>& opp = sides[SideIndex(Opposite(t.side))];
    const bool market = IsMarketType(t.type);
    const bool stp = StpApplies(t);
    const bool may_block = stp && t.stp != StpMode::kCancelOldest;
    int64_t need = t.leaves;
    for (size_t i = opp.size(); i-- > 0;) {
      const Level& lv = levels[opp[i].level];
      if (!market && !Crosses(t.side, t.price, lv.price)) break;
      int64_t visible_ahead = 0;
      int64_t reachable = 0;
      for (uint32_t oi = lv.head; oi != kNil; oi = orders[oi].next) {
        const Order& o = orders[oi];
        if (stp && o.owner == t.owner) {
          if (!may_block) continue;  // kCancelOldest: canceled on the way, the taker goes on
          return visible_ahead >= need;
        }
        visible_ahead += o.visible;
        reachable += o.leaves;
        if (visible_ahead >= need || (!may_block && reachable >= need)) return true;
      }
      need -= reachable;
      if (need <= 0) return true;
    }
    return false;
  }

  static void EmitFill(VenueOrderId taker_id, ParticipantId taker_owner, int64_t taker_leaves,
                       const Order& m, int64_t price, int64_t qty, std::vector<BookEvent>* out) {
    BookEvent e;
    e.kind = BookEventKind::kFill;
    e.order_id = taker_id;
    e.owner = taker_owner;
    e.price = Price{price};
    e.qty = Qty{qty};
    e.leaves_qty = Qty{taker_leaves};
    e.maker_id = m.id;
    e.maker_owner = m.owner;
    e.maker_leaves_qty = Qty{m.leaves};
    out->push_back(e);
  }

  // After a maker's displayed peak is consumed: gone, or refreshed to the back.
  void AfterMakerFill(uint32_t mi) {
    Order& m = orders[mi];
    if (m.visible > 0) return;
    if (m.leaves == 0) {
      Unlink(mi);
      FreeOrder(mi);
    } else {
      Refresh(mi);
    }
  }

  // Matches active order `ti` against the opposite side in price-time priority until it is
  // filled or no longer crosses. Returns false when self-trade prevention canceled the taker
  // (the event is emitted; the caller frees it).
  bool Match(uint32_t ti, std::vector<BookEvent>* out) {
    Order& t = orders[ti];
    std::vector<LevelRef>& opp = sides[SideIndex(Opposite(t.side))];
    const bool market = IsMarketType(t.type);
    const bool stp = StpApplies(t);
    while (t.leaves > 0 && !opp.empty()) {
      const uint32_t li = opp.back().level;
      Level& lv = levels[li];
      if (!market && !Crosses(t.side, t.price, lv.price)) break;
      const uint32_t mi = lv.head;
      Order& m = orders[mi];
      if (stp && m.owner == t.owner) {
        if (t.stp != StpMode::kCancelNewest) CancelWhole(mi, CancelCause::kSelfTrade, out);
        if (t.stp == StpMode::kCancelOldest) continue;
        BookEvent e = EventFor(BookEventKind::kCanceled, t);
        e.cause = CancelCause::kSelfTrade;
        e.qty = Qty{t.leaves};
        e.leaves_qty = Qty{0};
        out->push_back(e);
        t.leaves = 0;
        return false;
      }
      const int64_t q = std::min(t.leaves, m.visible);
      t.leaves -= q;
      m.leaves -= q;
      m.visible -= q;
      lv.visible -= q;
      MarkChanged(m.side, lv.price);
      const int64_t price = lv.price;
      EmitFill(t.id, t.owner, t.leaves, m, price, q, out);
      OnTrade(price);
      AfterMakerFill(mi);
    }
    return true;
  }

  // An active order arrives (new, triggered, or replaced without priority): post-only and FOK
  // checks, matching, then rest or cancel the remainder per type and time in force.
  void Enter(uint32_t oi, Entry entry, int64_t order_qty, std::vector<BookEvent>* out) {
    Order& o = orders[oi];
    o.state = OrderState::kActive;
    // Most orders rest without taking (every historical add): then Match, which would stop at
    // the first level, is not called at all. Nothing below changes the book before it.
    const bool takes = WouldTake(o);
    if (o.post_only && takes) {
      BookEvent e =
          EventFor(entry == Entry::kNew ? BookEventKind::kRejected : BookEventKind::kCanceled, o);
      if (entry == Entry::kNew) {
        e.reason = RejectReason::kPostOnlyWouldCross;
        e.qty = Qty{order_qty};
      } else {
        e.cause = CancelCause::kPostOnlyWouldCross;
        e.qty = Qty{o.leaves};
      }
      e.leaves_qty = Qty{0};
      out->push_back(e);
      FreeOrder(oi);
      return;
    }
    if (o.tif == TimeInForce::kFok && !FokFillable(o)) {
      CancelWhole(oi, CancelCause::kFokNotFillable, out);
      return;
    }
    if (takes && !Match(oi, out)) {
      FreeOrder(oi);
      return;
    }
    if (o.leaves == 0) {
      FreeOrder(oi);
      return;
    }
    if (IsMarketType(o.type)) {
      CancelWhole(oi, CancelCause::kNoLiquidity, out);
      return;
    }
    if (o.tif == TimeInForce::kIoc || o.tif == TimeInForce::kFok) {
      TD_CHECK_MSG(o.tif != TimeInForce::kFok, "a fillable FOK order left a remainder");
      CancelWhole(oi, CancelCause::kIocRemainder, out);
      return;
    }
    Rest(oi);
    if (entry == Entry::kNew) {
      BookEvent e = EventFor(BookEventKind::kAccepted, o);
      e.qty = Qty{order_qty};
      out->push_back(e);
    }
  }

  // ------------------------------------------------------------------ validation

  bool Validated(ParticipantId owner) const {
    return owner != kMarket || options.validate_market_orders;
  }

  // Within price_band_bps of the last trade, else of the mid; no reference, no check.
  bool InBand(int64_t price) const {
    if (options.price_band_bps <= 0) return true;
    __int128 ref;
    if (has_last) {
      ref = last_price;
    } else if (!sides[0].empty() && !sides[1].empty()) {
      const __int128 bid = levels[sides[0].back().level].price;
      const __int128 ask = levels[sides[1].back().level].price;
      ref = (bid + ask) >> 1;  // floor
    } else {
      return true;
    }
    if (ref <= 0) return true;
    __int128 diff = static_cast<__int128>(price) - ref;
    if (diff < 0) diff = -diff;
    return diff * kBpsPerUnit <= static_cast<__int128>(options.price_band_bps) * ref;
  }

  RejectReason CheckLotAndTick(OrdType type, int64_t price, int64_t stop, int64_t qty,
                               int64_t display, bool check_min) const {
    const int64_t lot = instrument.lot_size.raw;
    if (lot > 0 && (qty % lot != 0 || display % lot != 0)) return RejectReason::kInvalidQty;
    if (check_min && qty < instrument.min_qty.raw) return RejectReason::kInvalidQty;
    const int64_t tick = instrument.tick_size.raw;
    if (tick > 0) {
      if (HasLimitPrice(type) && price % tick != 0) return RejectReason::kInvalidPrice;
      if (IsStopType(type) && stop % tick != 0) return RejectReason::kInvalidPrice;
    }
    return RejectReason::kNone;
  }

  RejectReason ValidateNew(const OrderSpec& s) const {
    if (s.side != Side::kBuy && s.side != Side::kSell) return RejectReason::kOther;
    if (s.type < OrdType::kLimit || s.type > OrdType::kStopLimit) return RejectReason::kOther;
    if (s.tif < TimeInForce::kDay || s.tif > TimeInForce::kFok) return RejectReason::kOther;
    if (s.stp > StpMode::kCancelBoth) return RejectReason::kOther;
    if (index.Find(s.id) != kNil) return RejectReason::kDuplicateOrder;
    if (s.qty.raw <= 0 || s.display_qty.raw < 0) return RejectReason::kInvalidQty;
    if (s.post_only && IsMarketType(s.type)) return RejectReason::kOther;
    if (live >= kMaxLiveOrders || sides[SideIndex(s.side)].size() >= kMaxLevelsPerSide) {
      return RejectReason::kOrderExceedsLimit;
    }
    if (Validated(s.owner)) {
      const RejectReason r = CheckLotAndTick(s.type, s.price.raw, s.stop_price.raw, s.qty.raw,
                                             s.display_qty.raw, /*check_min=*/true);
      if (r != RejectReason::kNone) return r;
      if (s.type == OrdType::kLimit && !InBand(s.price.raw)) return RejectReason::kPriceBand;
    }
    return RejectReason::kNone;
  }

  RejectReason ValidateReplace(const Order& o, int64_t price, int64_t qty) const {
    if (qty <= 0) return RejectReason::kInvalidQty;
    if (price != o.price && sides[SideIndex(o.side)].size() >= kMaxLevelsPerSide) {
      return RejectReason::kOrderExceedsLimit;
    }
    if (Validated(o.owner)) {
      const RejectReason r =
          CheckLotAndTick(o.type, price, o.stop, qty, /*display=*/0, /*check_min=*/false);
      if (r != RejectReason::kNone) return r;
      if (o.type == OrdType::kLimit && price != o.price && !InBand(price)) {
        return RejectReason::kPriceBand;
      }
    }
    return RejectReason::kNone;
  }

  void CheckUncrossed() const {
    if (sides[0].empty() || sides[1].empty()) return;
    TD_CHECK_MSG(levels[sides[0].back().level].price < levels[sides[1].back().level].price,
                 "order book crossed after an operation");
  }

  // ------------------------------------------------------------------ operations

  void Submit(const OrderSpec& spec, std::vector<BookEvent>* out) {
    const RejectReason reason = ValidateNew(spec);
    if (reason != RejectReason::kNone) {
      out->push_back(RejectedEvent(spec.id, spec.owner, reason, spec.price.raw, spec.qty.raw, 0));
      return;
    }
    const uint32_t oi =
        AllocOrder(Order{.id = spec.id,
                         .price = spec.price.raw,
                         .stop = spec.stop_price.raw,
                         .leaves = spec.qty.raw,
                         .peak = spec.display_qty.raw >= spec.qty.raw ? 0 : spec.display_qty.raw,
                         .owner = spec.owner,
                         .side = spec.side,
                         .type = spec.type,
                         .tif = spec.tif,
                         .stp = spec.stp,
                         .post_only = spec.post_only,
                         .state = OrderState::kActive});
    Order& o = orders[oi];
    index.Insert(spec.id, oi);
    if (IsStopType(spec.type)) {
      BookEvent e = EventFor(BookEventKind::kAccepted, o);
      e.qty = spec.qty;
      out->push_back(e);
      if (has_last && StopReached(o.side, o.stop, last_price)) {
        pending.push_back(oi);  // its trigger has already printed
      } else {
        Park(oi);
      }
    } else {
      Enter(oi, Entry::kNew, spec.qty.raw, out);
    }
    RunPending(out);
    CheckUncrossed();
  }

  void Cancel(VenueOrderId id, Qty qty, std::vector<BookEvent>* out) {
    const uint32_t oi = index.Find(id);
    if (oi == kNil) {
      out->push_back(RejectedEvent(id, kMarket, RejectReason::kUnknownOrder, 0, qty.raw, 0));
      return;
    }
    Order& o = orders[oi];
    const int64_t lot = instrument.lot_size.raw;
    if (qty.raw < 0 || (Validated(o.owner) && lot > 0 && qty.raw % lot != 0)) {
      out->push_back(
          RejectedEvent(id, o.owner, RejectReason::kInvalidQty, o.price, qty.raw, o.leaves));
      return;
    }
    if (qty.raw == 0 || qty.raw >= o.leaves) {
      CancelWhole(oi, CancelCause::kRequested, out);
      return;
    }
    ReduceTo(oi, o.leaves - qty.raw);
    BookEvent e = EventFor(BookEventKind::kCanceled, o);
    e.cause = CancelCause::kRequested;
    e.qty = qty;
    out->push_back(e);
  }

  void Replace(VenueOrderId id, Price price, Qty qty, std::vector<BookEvent>* out) {
    const uint32_t oi = index.Find(id);
    if (oi == kNil) {
      out->push_back(
          RejectedEvent(id, kMarket, RejectReason::kUnknownOrder, price.raw, qty.raw, 0));
      return;
    }
    Order& o = orders[oi];
    const RejectReason reason = ValidateReplace(o, price.raw, qty.raw);
    if (reason != RejectReason::kNone) {
      out->push_back(RejectedEvent(id, o.owner, reason, price.raw, qty.raw, o.leaves));
      return;
    }
    const bool kept = price.raw == o.price && qty.raw <= o.leaves;
    if (kept) {
      ReduceTo(oi, qty.raw);
    } else if (o.state == OrderState::kParked) {
      Unpark(oi);
      o.price = price.raw;
      o.leaves = qty.raw;
      Park(oi);  // a new arrival among stops
    } else {
      Unlink(oi);
      o.price = price.raw;
      o.leaves = qty.raw;
      o.visible = 0;
      o.state = OrderState::kActive;
    }
    BookEvent e = EventFor(BookEventKind::kReplaced, o);
    e.qty = qty;
    e.kept_priority = kept;
    out->push_back(e);
    if (o.state != OrderState::kActive) return;
    Enter(oi, Entry::kReplaced, qty.raw, out);
    RunPending(out);
    CheckUncrossed();
  }

  // One fill of the feed's anonymous aggressor against resting order `mi`, at most its
  // displayed quantity. Returns what is left of the aggressor.
  int64_t HistoricalFill(uint32_t mi, int64_t remaining, std::vector<BookEvent>* out) {
    Order& m = orders[mi];
    Level& lv = levels[m.level];
    const int64_t q = std::min(remaining, m.visible);
    m.leaves -= q;
    m.visible -= q;
    lv.visible -= q;
    MarkChanged(m.side, lv.price);
    const int64_t price = lv.price;
    EmitFill(/*taker_id=*/0, kMarket, remaining - q, m, price, q, out);
    OnTrade(price);
    AfterMakerFill(mi);
    return remaining - q;
  }

  void ExecuteHistorical(VenueOrderId id, Qty qty, std::vector<BookEvent>* out) {
    const uint32_t oi = index.Find(id);
    if (oi == kNil || orders[oi].state != OrderState::kResting) {
      const int64_t leaves = oi == kNil ? 0 : orders[oi].leaves;
      out->push_back(RejectedEvent(id, oi == kNil ? kMarket : orders[oi].owner,
                                   RejectReason::kUnknownOrder, 0, qty.raw, leaves));
      return;
    }
    if (qty.raw <= 0) {
      const Order& o = orders[oi];
      out->push_back(
          RejectedEvent(id, o.owner, RejectReason::kInvalidQty, o.price, qty.raw, o.leaves));
      return;
    }
    // Our orders queued ahead of `id` (smaller queue seq) trade first, found on the level's
    // list of ours. An iceberg of ours refreshed here moves behind `id` (a new, larger seq),
    // so the walk meets it once.
    int64_t remaining = qty.raw;
    const uint64_t target_seq = orders[oi].seq;
    uint32_t cur = levels[orders[oi].level].ours_head;
    while (cur != kNil && orders[cur].seq < target_seq && remaining > 0) {
      const uint32_t next = orders[cur].ours_next;
      remaining = HistoricalFill(cur, remaining, out);
      cur = next;
    }
    // Then `id` itself; what it cannot take is dropped (the historical aggressor was finite).
    if (remaining > 0) HistoricalFill(oi, remaining, out);
    RunPending(out);
    CheckUncrossed();
  }

  // Cancels every live order matching `pred`: bid levels best first, then ask levels, FIFO
  // within a level, then parked buy and sell stops in trigger order.
  template <typename Pred>
  void CancelWhere(Pred pred, CancelCause cause, std::vector<BookEvent>* out) {
    for (int s = 0; s < 2; ++s) {
      // From the back: erasing level i only shifts the levels already visited.
      for (size_t i = sides[s].size(); i-- > 0;) {
        uint32_t oi = levels[sides[s][i].level].head;
        while (oi != kNil) {
          const uint32_t next = orders[oi].next;
          if (pred(orders[oi])) CancelWhole(oi, cause, out);
          oi = next;
        }
      }
    }
    for (int s = 0; s < 2; ++s) {
      for (size_t i = stops[s].size(); i-- > 0;) {
        const uint32_t oi = stops[s][i].order;
        if (pred(orders[oi])) CancelWhole(oi, cause, out);
      }
    }
  }

  // ------------------------------------------------------------------ queries

  std::optional<OrderView> Find(VenueOrderId id) const {
    const uint32_t oi = index.Find(id);
    if (oi == kNil) return std::nullopt;
    const Order& o = orders[oi];
    OrderView v;
    v.id = o.id;
    v.owner = o.owner;
    v.side = o.side;
    v.price = Price{o.price};
    v.leaves_qty = Qty{o.leaves};
    v.parked_stop = o.state == OrderState::kParked;
    if (o.state == OrderState::kResting) {
      v.displayed_qty = Qty{o.visible};
      int64_t ahead = 0;
      for (uint32_t i = levels[o.level].head; i != oi; i = orders[i].next)
        ahead += orders[i].visible;
      v.queue_ahead_qty = Qty{ahead};
    }
    return v;
  }

  // The i-th best level of a side's vector (the best is at the back). REQUIRES: i < v.size().
  const Level& NthBest(const std::vector<LevelRef>& v, size_t i) const {
    return levels[v[v.size() - 1 - i].level];
  }

  size_t Levels(Side side, size_t n, LevelView* out) const {
    if (side != Side::kBuy && side != Side::kSell) return 0;
    const std::vector<LevelRef>& v = sides[SideIndex(side)];
    const size_t k = std::min(n, v.size());
    for (size_t i = 0; i < k; ++i) {
      const Level& lv = NthBest(v, i);
      out[i] = LevelView{Price{lv.price}, Qty{lv.visible}, lv.count};
    }
    return k;
  }

  std::optional<LevelView> BestExcluding(Side side, ParticipantId owner, size_t n) const {
    if (side != Side::kBuy && side != Side::kSell) return std::nullopt;
    const std::vector<LevelRef>& v = sides[SideIndex(side)];
    const size_t k = std::min(n, v.size());
    for (size_t i = 0; i < k; ++i) {
      const Level& lv = NthBest(v, i);
      int64_t qty = lv.visible;
      uint32_t count = lv.count;
      for (uint32_t oi = lv.ours_head; oi != kNil; oi = orders[oi].ours_next) {
        if (orders[oi].owner == owner) qty -= orders[oi].visible, --count;
      }
      if (qty > 0) return LevelView{Price{lv.price}, Qty{qty}, count};
    }
    return std::nullopt;
  }

  void CheckInvariants() const {
    size_t resting = 0;
    for (int s = 0; s < 2; ++s) {
      const Side side = s == 0 ? Side::kBuy : Side::kSell;
      const std::vector<LevelRef>& v = sides[s];
      TD_CHECK(v.size() <= kMaxLevelsPerSide + live);
      for (size_t i = 0; i < v.size(); ++i) {
        if (i > 0) TD_CHECK_MSG(v[i - 1].key < v[i].key, "levels out of order");
        const Level& lv = levels[v[i].level];
        TD_CHECK(v[i].key == LevelKey(side, lv.price));
        TD_CHECK_MSG(lv.count > 0 && lv.head != kNil, "empty level kept");
        int64_t visible = 0;
        uint32_t count = 0;
        uint32_t prev = kNil;
        for (uint32_t oi = lv.head; oi != kNil; oi = orders[oi].next) {
          const Order& o = orders[oi];
          TD_CHECK(o.state == OrderState::kResting && o.level == v[i].level);
          TD_CHECK(o.side == side && o.price == lv.price && o.prev == prev);
          TD_CHECK_MSG(o.visible > 0 && o.visible <= o.leaves, "bad displayed quantity");
          TD_CHECK(o.peak > 0 ? o.visible <= o.peak : o.visible == o.leaves);
          TD_CHECK(index.Find(o.id) == oi);
          visible += o.visible;
          ++count;
          prev = oi;
        }
        TD_CHECK(lv.tail == prev);
        TD_CHECK_MSG(visible == lv.visible && count == lv.count, "level total mismatch");
        // The list of ours: exactly the owner >= 1 orders of the queue, in queue order.
        uint32_t ours = lv.ours_head;
        uint32_t ours_prev = kNil;
        uint64_t last_seq = 0;
        for (uint32_t oi = lv.head; oi != kNil; oi = orders[oi].next) {
          TD_CHECK_MSG(orders[oi].seq > last_seq, "queue sequence out of order");
          last_seq = orders[oi].seq;
          if (orders[oi].owner == kMarket) continue;
          TD_CHECK_MSG(ours == oi && orders[oi].ours_prev == ours_prev, "bad list of ours");
          ours_prev = ours;
          ours = orders[oi].ours_next;
        }
        TD_CHECK(ours == kNil && lv.ours_tail == ours_prev);
        resting += count;
      }
    }
    size_t parked = 0;
    for (int s = 0; s < 2; ++s) {
      const std::vector<StopRef>& v = stops[s];
      for (size_t i = 0; i < v.size(); ++i) {
        if (i > 0) TD_CHECK(StopSortsBefore(v[i - 1], v[i]));
        const Order& o = orders[v[i].order];
        TD_CHECK(o.state == OrderState::kParked && SideIndex(o.side) == s && o.leaves > 0);
        TD_CHECK(index.Find(o.id) == v[i].order);
        ++parked;
      }
    }
    TD_CHECK_MSG(resting + parked == live && index.size() == live, "live order count mismatch");
    TD_CHECK(pending.empty());
    CheckUncrossed();
  }
};

OrderBook::OrderBook(const InstrumentDef& instrument, BookOptions options)
    : impl_(std::make_unique<Impl>(instrument, options)) {}
OrderBook::~OrderBook() = default;
OrderBook::OrderBook(OrderBook&&) noexcept = default;
OrderBook& OrderBook::operator=(OrderBook&&) noexcept = default;

void OrderBook::Submit(const OrderSpec& spec, Timestamp /*now*/, std::vector<BookEvent>* out) {
  impl_->Submit(spec, out);
}

void OrderBook::Cancel(VenueOrderId id, Qty qty, std::vector<BookEvent>* out) {
  impl_->Cancel(id, qty, out);
}

void OrderBook::Replace(VenueOrderId id, Price price, Qty qty, Timestamp /*now*/,
                        std::vector<BookEvent>* out) {
  impl_->Replace(id, price, qty, out);
}

void OrderBook::ExecuteHistorical(VenueOrderId id, Qty qty, std::vector<BookEvent>* out) {
  impl_->ExecuteHistorical(id, qty, out);
}

void OrderBook::MassCancel(ParticipantId owner, Side side, std::vector<BookEvent>* out) {
  impl_->CancelWhere(
      [owner, side](const Order& o) {
        return o.owner == owner && (side == Side::kNone || o.side == side);
      },
      CancelCause::kMassCancel, out);
}

void OrderBook::ExpireDay(std::vector<BookEvent>* out) {
  impl_->CancelWhere([](const Order& o) { return o.tif == TimeInForce::kDay; },
                     CancelCause::kExpired, out);
}

std::optional<OrderView> OrderBook::Find(VenueOrderId id) const { return impl_->Find(id); }

size_t OrderBook::Levels(Side side, size_t n, LevelView* out) const {
  return impl_->Levels(side, n, out);
}

std::optional<LevelView> OrderBook::BestExcluding(Side side, ParticipantId owner,
                                                  size_t max_levels) const {
  return impl_->BestExcluding(side, owner, max_levels);
}

bool OrderBook::ChangedAtOrBetter(Side side, std::optional<Price> price) const {
  if (side != Side::kBuy && side != Side::kSell) return false;
  const int s = SideIndex(side);
  if (!impl_->changed[s]) return false;
  return !price || impl_->changed_key[s] >= LevelKey(side, price->raw);
}

void OrderBook::ClearChanged() const { impl_->changed[0] = impl_->changed[1] = false; }

std::optional<LevelView> OrderBook::Best(Side side) const {
  LevelView v;
  if (impl_->Levels(side, 1, &v) == 0) return std::nullopt;
  return v;
}

size_t OrderBook::order_count() const { return impl_->live; }

std::optional<Price> OrderBook::last_trade_price() const {
  if (!impl_->has_last) return std::nullopt;
  return Price{impl_->last_price};
}

void OrderBook::CheckInvariants() const { impl_->CheckInvariants(); }

}  // namespace td::sim
