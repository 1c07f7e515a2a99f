#include "sim-exchange/reference_book.h"

#include <algorithm>
#include <set>
#include <string>

namespace td::sim {
namespace {

bool IsStop(OrdType t) { return t == OrdType::kStop || t == OrdType::kStopLimit; }
bool IsMarket(OrdType t) { return t == OrdType::kMarket || t == OrdType::kStop; }
bool HasLimit(OrdType t) { return t == OrdType::kLimit || t == OrdType::kStopLimit; }

bool Crosses(Side taker, int64_t limit, int64_t price) {
  return taker == Side::kBuy ? price <= limit : price >= limit;
}

}  // namespace

// ---------------------------------------------------------------- ReferenceBook

ReferenceBook::ReferenceBook(const InstrumentDef& instrument, BookOptions options)
    : instrument_(instrument), options_(options) {}

namespace {

template <typename O>
BookEvent EventOf(BookEventKind kind, const O& o) {
  BookEvent e;
  e.kind = kind;
  e.order_id = o.spec.id;
  e.owner = o.spec.owner;
  e.price = o.spec.price;
  e.leaves_qty = Qty{o.leaves};
  return e;
}

}  // namespace

ReferenceBook::Queue* ReferenceBook::BestQueue(SideBook& book, Side book_side, int64_t* price) {
  if (book.empty()) return nullptr;
  auto it = book_side == Side::kBuy ? std::prev(book.end()) : book.begin();
  *price = it->first;
  return &it->second;
}

ReferenceBook::Where ReferenceBook::Locate(VenueOrderId id) {
  Where w;
  for (SideBook* book : {&bids_, &asks_}) {
    for (auto& [price, q] : *book) {
      for (size_t i = 0; i < q.size(); ++i) {
        if (q[i].spec.id == id) {
          w.ord = &q[i];
          w.book = book;
          w.q = &q;
          w.pos = i;
          w.price = price;
          return w;
        }
      }
    }
  }
  for (size_t i = 0; i < stops_.size(); ++i) {
    if (stops_[i].spec.id == id) {
      w.ord = &stops_[i];
      w.parked = true;
      w.stop_index = i;
      return w;
    }
  }
  return w;
}

void ReferenceBook::Remove(const Where& w) {
  if (w.parked) {
    stops_.erase(stops_.begin() + static_cast<ptrdiff_t>(w.stop_index));
    return;
  }
  w.q->erase(w.q->begin() + static_cast<ptrdiff_t>(w.pos));
  if (w.q->empty()) w.book->erase(w.price);
}

void ReferenceBook::Reduce(Ord& o, int64_t new_leaves) {
  const int64_t cut = o.leaves - new_leaves;
  const int64_t hidden = o.leaves - o.visible;
  o.leaves = new_leaves;
  if (cut > hidden) o.visible -= cut - hidden;
}

bool ReferenceBook::IsLive(VenueOrderId id) const {
  return const_cast<ReferenceBook*>(this)->Locate(id).ord != nullptr;
}

bool ReferenceBook::Validated(ParticipantId owner) const {
  return owner != kMarket || options_.validate_market_orders;
}

bool ReferenceBook::InBand(int64_t price) const {
  if (options_.price_band_bps <= 0) return true;
  __int128 ref;
  if (last_) {
    ref = last_->raw;
  } else if (!bids_.empty() && !asks_.empty()) {
    const __int128 sum = static_cast<__int128>(bids_.rbegin()->first) + asks_.begin()->first;
    ref = sum >> 1;
  } else {
    return true;
  }
  if (ref <= 0) return true;
  const __int128 diff = price > ref ? price - ref : ref - price;
  return diff * 10'000 <= static_cast<__int128>(options_.price_band_bps) * ref;
}

RejectReason ReferenceBook::Validate(const OrderSpec& s) const {
  if (s.side != Side::kBuy && s.side != Side::kSell) return RejectReason::kOther;
  if (s.type < OrdType::kLimit || s.type > OrdType::kStopLimit) return RejectReason::kOther;
  if (s.tif < TimeInForce::kDay || s.tif > TimeInForce::kFok) return RejectReason::kOther;
  if (s.stp > StpMode::kCancelBoth) return RejectReason::kOther;
  if (IsLive(s.id)) return RejectReason::kDuplicateOrder;
  if (s.qty.raw <= 0 || s.display_qty.raw < 0) return RejectReason::kInvalidQty;
  if (s.post_only && IsMarket(s.type)) return RejectReason::kOther;
  if (Validated(s.owner)) {
    const int64_t lot = instrument_.lot_size.raw;
    const int64_t tick = instrument_.tick_size.raw;
    if (lot > 0 && (s.qty.raw % lot != 0 || s.display_qty.raw % lot != 0)) {
      return RejectReason::kInvalidQty;
    }
    if (s.qty < instrument_.min_qty) return RejectReason::kInvalidQty;
    if (tick > 0 && HasLimit(s.type) && s.price.raw % tick != 0) return RejectReason::kInvalidPrice;
    if (tick > 0 && IsStop(s.type) && s.stop_price.raw % tick != 0) {
      return RejectReason::kInvalidPrice;
    }
    if (s.type == OrdType::kLimit && !InBand(s.price.raw)) return RejectReason::kPriceBand;
  }
  return RejectReason::kNone;
}

void ReferenceBook::Trade(int64_t price) {
  last_ = Price{price};
  std::vector<Ord> buys;
  std::vector<Ord> sells;
  std::vector<Ord> rest;
  for (const Ord& s : stops_) {
    if (s.spec.side == Side::kBuy && price >= s.spec.stop_price.raw) {
      buys.push_back(s);
    } else if (s.spec.side == Side::kSell && price <= s.spec.stop_price.raw) {
      sells.push_back(s);
    } else {
      rest.push_back(s);
    }
  }
  std::stable_sort(buys.begin(), buys.end(), [](const Ord& a, const Ord& b) {
    return a.spec.stop_price < b.spec.stop_price;
  });
  std::stable_sort(sells.begin(), sells.end(), [](const Ord& a, const Ord& b) {
    return a.spec.stop_price > b.spec.stop_price;
  });
  stops_ = rest;
  for (const Ord& o : buys) triggered_.push_back(o);
  for (const Ord& o : sells) triggered_.push_back(o);
}

void ReferenceBook::Fill(Ord& maker, Queue& q, size_t pos, int64_t price, VenueOrderId taker_id,
                         ParticipantId taker_owner, int64_t* taker_leaves, bool dry,
                         std::vector<BookEvent>* out) {
  const int64_t qty = std::min(*taker_leaves, maker.visible);
  *taker_leaves -= qty;
  maker.leaves -= qty;
  maker.visible -= qty;
  BookEvent e;
  e.kind = BookEventKind::kFill;
  e.order_id = taker_id;
  e.owner = taker_owner;
  e.price = Price{price};
  e.qty = Qty{qty};
  e.leaves_qty = Qty{*taker_leaves};
  e.maker_id = maker.spec.id;
  e.maker_owner = maker.spec.owner;
  e.maker_leaves_qty = Qty{maker.leaves};
  out->push_back(e);
  if (!dry) Trade(price);
  if (maker.visible > 0) return;
  if (maker.leaves == 0) {
    q.erase(q.begin() + static_cast<ptrdiff_t>(pos));
    return;
  }
  // An iceberg shows a new peak, at the back of the queue.
  Ord refreshed = maker;
  refreshed.visible = std::min(refreshed.peak, refreshed.leaves);
  q.erase(q.begin() + static_cast<ptrdiff_t>(pos));
  q.push_back(refreshed);
}

bool ReferenceBook::Match(Ord& taker, SideBook& opposite, bool dry, std::vector<BookEvent>* out) {
  const Side opposite_side = Opposite(taker.spec.side);
  while (taker.leaves > 0) {
    int64_t price = 0;
    Queue* q = BestQueue(opposite, opposite_side, &price);
    if (q == nullptr) break;
    if (!IsMarket(taker.spec.type) && !Crosses(taker.spec.side, taker.spec.price.raw, price)) break;
    Ord& maker = q->front();
    if (taker.spec.owner != kMarket && taker.spec.stp != StpMode::kNone &&
        maker.spec.owner == taker.spec.owner) {
      if (taker.spec.stp != StpMode::kCancelNewest) {
        BookEvent e = EventOf(BookEventKind::kCanceled, maker);
        e.cause = CancelCause::kSelfTrade;
        e.qty = Qty{maker.leaves};
        e.leaves_qty = Qty{0};
        out->push_back(e);
        q->pop_front();
        if (q->empty()) opposite.erase(price);
      }
      if (taker.spec.stp == StpMode::kCancelOldest) continue;
      BookEvent e = EventOf(BookEventKind::kCanceled, taker);
      e.cause = CancelCause::kSelfTrade;
      e.qty = Qty{taker.leaves};
      e.leaves_qty = Qty{0};
      out->push_back(e);
      taker.leaves = 0;
      return false;
    }
    Fill(maker, *q, 0, price, taker.spec.id, taker.spec.owner, &taker.leaves, dry, out);
    if (q->empty()) opposite.erase(price);
  }
  return true;
}

void ReferenceBook::Enter(Ord o, Entry entry, int64_t order_qty, std::vector<BookEvent>* out) {
  SideBook& opposite = BookSide(Opposite(o.spec.side));
  auto cancel = [&](CancelCause cause) {
    BookEvent e = EventOf(BookEventKind::kCanceled, o);
    e.cause = cause;
    e.qty = Qty{o.leaves};
    e.leaves_qty = Qty{0};
    out->push_back(e);
  };
  if (o.spec.post_only) {
    int64_t price = 0;
    if (BestQueue(opposite, Opposite(o.spec.side), &price) != nullptr &&
        (IsMarket(o.spec.type) || Crosses(o.spec.side, o.spec.price.raw, price))) {
      if (entry == Entry::kNew) {
        out->push_back(RejectedEvent(o.spec.id, o.spec.owner, RejectReason::kPostOnlyWouldCross,
                                o.spec.price.raw, order_qty, 0));
      } else {
        cancel(CancelCause::kPostOnlyWouldCross);
      }
      return;
    }
  }
  if (o.spec.tif == TimeInForce::kFok) {
    // Try it on a copy of the book: fillable means filled whole and not stopped by STP.
    SideBook copy = opposite;
    Ord trial = o;
    std::vector<BookEvent> scratch;
    const bool alive = Match(trial, copy, /*dry=*/true, &scratch);
    if (!alive || trial.leaves > 0) {
      cancel(CancelCause::kFokNotFillable);
      return;
    }
  }
  if (!Match(o, opposite, /*dry=*/false, out)) return;
  if (o.leaves == 0) return;
  if (IsMarket(o.spec.type)) {
    cancel(CancelCause::kNoLiquidity);
    return;
  }
  if (o.spec.tif == TimeInForce::kIoc || o.spec.tif == TimeInForce::kFok) {
    cancel(CancelCause::kIocRemainder);
    return;
  }
  o.visible = o.peak > 0 ? std::min(o.peak, o.leaves) : o.leaves;
  BookSide(o.spec.side)[o.spec.price.raw].push_back(o);
  if (entry == Entry::kNew) {
    BookEvent e = EventOf(BookEventKind::kAccepted, o);
    e.qty = Qty{order_qty};
    out->push_back(e);
  }
}

void ReferenceBook::RunTriggered(std::vector<BookEvent>* out) {
  for (size_t i = 0; i < triggered_.size(); ++i) {
    const Ord o = triggered_[i];  // a copy: Enter may append to triggered_
    BookEvent e = EventOf(BookEventKind::kTriggered, o);
    e.price = o.spec.stop_price;
    e.qty = Qty{o.leaves};
    out->push_back(e);
    Enter(o, Entry::kTriggered, o.leaves, out);
  }
  triggered_.clear();
}

void ReferenceBook::Submit(const OrderSpec& spec, Timestamp, std::vector<BookEvent>* out) {
  const RejectReason reason = Validate(spec);
  if (reason != RejectReason::kNone) {
    out->push_back(RejectedEvent(spec.id, spec.owner, reason, spec.price.raw, spec.qty.raw, 0));
    return;
  }
  Ord o;
  o.spec = spec;
  o.leaves = spec.qty.raw;
  o.peak = spec.display_qty.raw >= spec.qty.raw ? 0 : spec.display_qty.raw;
  if (IsStop(spec.type)) {
    BookEvent e = EventOf(BookEventKind::kAccepted, o);
    e.qty = spec.qty;
    out->push_back(e);
    const bool reached =
        last_ && (spec.side == Side::kBuy ? *last_ >= spec.stop_price : *last_ <= spec.stop_price);
    if (reached) {
      triggered_.push_back(o);
    } else {
      o.seq = ++seq_;
      stops_.push_back(o);
    }
  } else {
    Enter(o, Entry::kNew, spec.qty.raw, out);
  }
  RunTriggered(out);
}

void ReferenceBook::Cancel(VenueOrderId id, Qty qty, std::vector<BookEvent>* out) {
  const Where w = Locate(id);
  if (w.ord == nullptr) {
    out->push_back(RejectedEvent(id, kMarket, RejectReason::kUnknownOrder, 0, qty.raw, 0));
    return;
  }
  Ord& o = *w.ord;
  const int64_t lot = instrument_.lot_size.raw;
  if (qty.raw < 0 || (Validated(o.spec.owner) && lot > 0 && qty.raw % lot != 0)) {
    out->push_back(
        RejectedEvent(id, o.spec.owner, RejectReason::kInvalidQty, o.spec.price.raw, qty.raw, o.leaves));
    return;
  }
  BookEvent e = EventOf(BookEventKind::kCanceled, o);
  e.cause = CancelCause::kRequested;
  if (qty.raw == 0 || qty.raw >= o.leaves) {
    e.qty = Qty{o.leaves};
    e.leaves_qty = Qty{0};
    Remove(w);
  } else {
    Reduce(o, o.leaves - qty.raw);
    e.qty = qty;
    e.leaves_qty = Qty{o.leaves};
  }
  out->push_back(e);
}

void ReferenceBook::Replace(VenueOrderId id, Price price, Qty qty, Timestamp,
                            std::vector<BookEvent>* out) {
  const Where w = Locate(id);
  if (w.ord == nullptr) {
    out->push_back(RejectedEvent(id, kMarket, RejectReason::kUnknownOrder, price.raw, qty.raw, 0));
    return;
  }
  Ord& o = *w.ord;
  RejectReason reason = RejectReason::kNone;
  const int64_t lot = instrument_.lot_size.raw;
  const int64_t tick = instrument_.tick_size.raw;
  if (qty.raw <= 0) {
    reason = RejectReason::kInvalidQty;
  } else if (Validated(o.spec.owner)) {
    if (lot > 0 && qty.raw % lot != 0) {
      reason = RejectReason::kInvalidQty;
    } else if (tick > 0 && HasLimit(o.spec.type) && price.raw % tick != 0) {
      reason = RejectReason::kInvalidPrice;
    } else if (tick > 0 && IsStop(o.spec.type) && o.spec.stop_price.raw % tick != 0) {
      reason = RejectReason::kInvalidPrice;
    } else if (o.spec.type == OrdType::kLimit && price != o.spec.price && !InBand(price.raw)) {
      reason = RejectReason::kPriceBand;
    }
  }
  if (reason != RejectReason::kNone) {
    out->push_back(RejectedEvent(id, o.spec.owner, reason, price.raw, qty.raw, o.leaves));
    return;
  }
  const bool kept = price == o.spec.price && qty.raw <= o.leaves;
  auto replaced = [&](const Ord& now) {
    BookEvent e = EventOf(BookEventKind::kReplaced, now);
    e.qty = qty;
    e.kept_priority = kept;
    out->push_back(e);
  };
  if (kept) {
    Reduce(o, qty.raw);
    replaced(o);
    return;
  }
  Ord moved = o;
  Remove(w);
  moved.spec.price = price;
  moved.leaves = qty.raw;
  if (w.parked) {
    moved.seq = ++seq_;
    stops_.push_back(moved);
    replaced(moved);
    return;
  }
  moved.visible = 0;
  replaced(moved);
  Enter(moved, Entry::kReplaced, qty.raw, out);
  RunTriggered(out);
}

void ReferenceBook::ExecuteHistorical(VenueOrderId id, Qty qty, std::vector<BookEvent>* out) {
  const Where w = Locate(id);
  if (w.ord == nullptr || w.parked) {
    out->push_back(RejectedEvent(id, w.ord ? w.ord->spec.owner : kMarket, RejectReason::kUnknownOrder, 0,
                            qty.raw, w.ord ? w.ord->leaves : 0));
    return;
  }
  if (qty.raw <= 0) {
    out->push_back(RejectedEvent(id, w.ord->spec.owner, RejectReason::kInvalidQty, w.ord->spec.price.raw,
                            qty.raw, w.ord->leaves));
    return;
  }
  Queue& q = *w.q;
  const int64_t price = w.price;
  int64_t remaining = qty.raw;
  // Ours ahead of `id` first, in queue order.
  size_t i = 0;
  while (q[i].spec.id != id && remaining > 0) {
    if (q[i].spec.owner == kMarket) {
      ++i;
      continue;
    }
    const VenueOrderId maker = q[i].spec.id;
    Fill(q[i], q, i, price, 0, kMarket, &remaining, /*dry=*/false, out);
    if (q[i].spec.id == maker) ++i;  // still there: partly filled
  }
  if (remaining > 0) {
    size_t j = 0;
    while (q[j].spec.id != id) ++j;
    Fill(q[j], q, j, price, 0, kMarket, &remaining, /*dry=*/false, out);
  }
  if (q.empty()) w.book->erase(price);
  RunTriggered(out);
}

template <typename Pred>
void ReferenceBook::CancelAll(Pred pred, CancelCause cause, std::vector<BookEvent>* out) {
  auto cancel = [&](const Ord& o) {
    BookEvent e = EventOf(BookEventKind::kCanceled, o);
    e.cause = cause;
    e.qty = Qty{o.leaves};
    e.leaves_qty = Qty{0};
    out->push_back(e);
  };
  std::vector<int64_t> bid_prices;
  for (auto it = bids_.rbegin(); it != bids_.rend(); ++it) bid_prices.push_back(it->first);
  std::vector<int64_t> ask_prices;
  for (const auto& [price, q] : asks_) ask_prices.push_back(price);
  for (SideBook* book : {&bids_, &asks_}) {
    for (int64_t price : book == &bids_ ? bid_prices : ask_prices) {
      Queue& q = (*book)[price];
      for (size_t i = 0; i < q.size();) {
        if (pred(q[i])) {
          cancel(q[i]);
          q.erase(q.begin() + static_cast<ptrdiff_t>(i));
        } else {
          ++i;
        }
      }
      if (q.empty()) book->erase(price);
    }
  }
  // Parked stops in trigger order: buys by rising stop, then sells by falling stop, each in
  // arrival order among equal stops.
  std::vector<Ord> buys;
  std::vector<Ord> sells;
  for (const Ord& s : stops_) (s.spec.side == Side::kBuy ? buys : sells).push_back(s);
  std::stable_sort(buys.begin(), buys.end(), [](const Ord& a, const Ord& b) {
    return a.spec.stop_price < b.spec.stop_price;
  });
  std::stable_sort(sells.begin(), sells.end(), [](const Ord& a, const Ord& b) {
    return a.spec.stop_price > b.spec.stop_price;
  });
  std::set<VenueOrderId> gone;
  for (const std::vector<Ord>* v : {&buys, &sells}) {
    for (const Ord& s : *v) {
      if (pred(s)) {
        cancel(s);
        gone.insert(s.spec.id);
      }
    }
  }
  std::erase_if(stops_, [&](const Ord& s) { return gone.count(s.spec.id) > 0; });
}

void ReferenceBook::MassCancel(ParticipantId owner, Side side, std::vector<BookEvent>* out) {
  CancelAll(
      [&](const Ord& o) {
        return o.spec.owner == owner && (side == Side::kNone || o.spec.side == side);
      },
      CancelCause::kMassCancel, out);
}

void ReferenceBook::ExpireDay(std::vector<BookEvent>* out) {
  CancelAll([](const Ord& o) { return o.spec.tif == TimeInForce::kDay; }, CancelCause::kExpired,
            out);
}

std::optional<OrderView> ReferenceBook::Find(VenueOrderId id) const {
  const Where w = const_cast<ReferenceBook*>(this)->Locate(id);
  if (w.ord == nullptr) return std::nullopt;
  OrderView v;
  v.id = id;
  v.owner = w.ord->spec.owner;
  v.side = w.ord->spec.side;
  v.price = w.ord->spec.price;
  v.leaves_qty = Qty{w.ord->leaves};
  v.parked_stop = w.parked;
  if (!w.parked) {
    v.displayed_qty = Qty{w.ord->visible};
    for (size_t i = 0; i < w.pos; ++i) v.queue_ahead_qty += Qty{(*w.q)[i].visible};
  }
  return v;
}

std::vector<LevelView> ReferenceBook::Levels(Side side, size_t n) const {
  std::vector<LevelView> v;
  auto add = [&](int64_t price, const Queue& q) {
    LevelView l;
    l.price = Price{price};
    for (const Ord& o : q) l.qty += Qty{o.visible};
    l.orders = static_cast<uint32_t>(q.size());
    v.push_back(l);
  };
  if (side == Side::kBuy) {
    for (auto it = bids_.rbegin(); it != bids_.rend() && v.size() < n; ++it)
      add(it->first, it->second);
  } else if (side == Side::kSell) {
    for (auto it = asks_.begin(); it != asks_.end() && v.size() < n; ++it)
      add(it->first, it->second);
  }
  return v;
}

size_t ReferenceBook::order_count() const {
  size_t n = stops_.size();
  for (const auto& [p, q] : bids_) n += q.size();
  for (const auto& [p, q] : asks_) n += q.size();
  return n;
}

// ---------------------------------------------------------------- DifferentialChecker

namespace {

constexpr size_t kComparedLevels = 5;
constexpr size_t kMaxEventsShown = 40;

std::string ListEvents(const std::vector<BookEvent>& events) {
  std::string s;
  for (size_t i = 0; i < events.size() && i < kMaxEventsShown; ++i) {
    s += "\n    [" + std::to_string(i) + "] " + DescribeEvent(events[i]);
  }
  if (events.size() > kMaxEventsShown) s += "\n    ...";
  return s;
}

std::string DescribeView(const std::optional<OrderView>& v) {
  if (!v) return "(none)";
  return "id=" + std::to_string(v->id) + " owner=" + std::to_string(v->owner) +
         " side=" + std::string(SideName(v->side)) + " px=" + v->price.ToString() +
         " leaves=" + std::to_string(v->leaves_qty.raw) +
         " displayed=" + std::to_string(v->displayed_qty.raw) +
         " ahead=" + std::to_string(v->queue_ahead_qty.raw) +
         " parked=" + std::to_string(v->parked_stop);
}

}  // namespace

DifferentialChecker::DifferentialChecker(const InstrumentDef& instrument, BookOptions options)
    : book_(instrument, options), ref_(instrument, options) {}

Status DifferentialChecker::Step(const BookOp& op) {
  ++steps_;
  got_.clear();
  want_.clear();
  ApplyOp(op, &book_, &got_);
  ApplyOp(op, &ref_, &want_);
  events_ += got_.size();
  for (const BookEvent& e : got_) ++kinds_[static_cast<size_t>(e.kind) & 7];
  max_live_ = std::max<uint64_t>(max_live_, book_.order_count());
  TD_RETURN_IF_ERROR(Compare(op));
  book_.CheckInvariants();
  return CheckConservation(op);
}

Status DifferentialChecker::Compare(const BookOp& op) {
  const std::string where = "step " + std::to_string(steps_) + " (" + DescribeOp(op) + "): ";
  if (got_ != want_) {
    size_t i = 0;
    while (i < got_.size() && i < want_.size() && got_[i] == want_[i]) ++i;
    return Corruption(where + "events differ at index " + std::to_string(i) +
                      "\n  order book:" + ListEvents(got_) + "\n  reference:" + ListEvents(want_));
  }
  for (Side side : {Side::kBuy, Side::kSell}) {
    LevelView got[kComparedLevels];
    const size_t n = book_.Levels(side, kComparedLevels, got);
    const std::vector<LevelView> want = ref_.Levels(side, kComparedLevels);
    if (!std::equal(got, got + n, want.begin(), want.end())) {
      std::string s = where + std::string(SideName(side)) + " levels differ:";
      for (size_t k = 0; k < n; ++k) {
        s += " book " + got[k].price.ToString() + "x" + std::to_string(got[k].qty.raw) + "/" +
             std::to_string(got[k].orders);
      }
      for (const LevelView& l : want) {
        s += " ref " + l.price.ToString() + "x" + std::to_string(l.qty.raw) + "/" +
             std::to_string(l.orders);
      }
      return Corruption(s);
    }
  }
  if (book_.order_count() != ref_.order_count()) {
    return Corruption(where + "order count " + std::to_string(book_.order_count()) + " vs " +
                      std::to_string(ref_.order_count()));
  }
  if (book_.last_trade_price() != ref_.last_trade_price()) {
    return Corruption(where + "last trade price differs");
  }
  std::set<VenueOrderId> ids = {op.id, op.spec.id};
  for (const BookEvent& e : got_) {
    ids.insert(e.order_id);
    if (e.kind == BookEventKind::kFill) {
      ids.insert(e.maker_id);
      ++fills_;
    }
  }
  for (VenueOrderId id : ids) {
    const std::optional<OrderView> a = book_.Find(id);
    const std::optional<OrderView> b = ref_.Find(id);
    if (a != b) {
      return Corruption(where + "order " + std::to_string(id) + ": book " + DescribeView(a) +
                        ", reference " + DescribeView(b));
    }
  }
  return Status::Ok();
}

Status DifferentialChecker::CheckConservation(const BookOp& op) {
  const std::string where = "step " + std::to_string(steps_) + " (" + DescribeOp(op) + "): ";
  std::set<VenueOrderId> touched;
  if (op.kind == BookOp::Kind::kSubmit &&
      !(got_.size() == 1 && got_[0].kind == BookEventKind::kRejected)) {
    flows_[op.spec.id] = Flow{.in = op.spec.qty.raw};
    touched.insert(op.spec.id);
  }
  auto flow = [&](VenueOrderId id) -> Flow* {
    const auto it = flows_.find(id);
    touched.insert(id);
    return it == flows_.end() ? nullptr : &it->second;
  };
  for (const BookEvent& e : got_) {
    switch (e.kind) {
      case BookEventKind::kFill: {
        if (e.qty.raw <= 0) return Corruption(where + "fill of " + std::to_string(e.qty.raw));
        Flow* maker = flow(e.maker_id);
        if (maker == nullptr) return Corruption(where + "fill of an unknown maker");
        maker->filled += e.qty.raw;
        if (e.order_id != 0) {  // 0: the feed's anonymous aggressor
          Flow* taker = flow(e.order_id);
          if (taker == nullptr) return Corruption(where + "fill of an unknown taker");
          taker->filled += e.qty.raw;
        }
        break;
      }
      case BookEventKind::kCanceled: {
        Flow* f = flow(e.order_id);
        if (f == nullptr) return Corruption(where + "cancel of an unknown order");
        f->canceled += e.qty.raw;
        break;
      }
      case BookEventKind::kReplaced: {
        Flow* f = flow(e.order_id);
        if (f == nullptr) return Corruption(where + "replace of an unknown order");
        const int64_t leaves_before = f->in - f->filled - f->canceled;
        f->in += e.qty.raw - leaves_before;
        break;
      }
      case BookEventKind::kAccepted:
      case BookEventKind::kRejected:
      case BookEventKind::kTriggered:
        break;
    }
  }
  for (VenueOrderId id : touched) {
    const auto it = flows_.find(id);
    if (it == flows_.end()) continue;
    const std::optional<OrderView> v = book_.Find(id);
    const int64_t resting = v ? v->leaves_qty.raw : 0;
    const Flow& f = it->second;
    if (f.in != f.filled + f.canceled + resting) {
      return Corruption(where + "order " + std::to_string(id) + " does not add up: in " +
                        std::to_string(f.in) + " != filled " + std::to_string(f.filled) +
                        " + canceled " + std::to_string(f.canceled) + " + resting " +
                        std::to_string(resting) + ListEvents(got_));
    }
    if (!v) flows_.erase(it);
  }
  return Status::Ok();
}

}  // namespace td::sim
