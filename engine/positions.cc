// PositionBook: average-cost positions and PnL, marks from market data (see positions.h).
#include "engine/positions.h"

#include <limits>
#include <type_traits>

namespace td::engine::internal {

Money NotionalSat(Price price, Qty qty, int qty_decimals) {
  Result<Money> m = Notional(price, qty, qty_decimals);
  if (m.ok()) return *m;
  const bool negative = (price.raw < 0) != (qty.raw < 0);
  return Money{negative ? std::numeric_limits<int64_t>::min() / 2
                        : std::numeric_limits<int64_t>::max() / 2};
}

const InstrumentDef* PositionBook::Def(InstrumentId id) const {
  for (const InstrumentDef& d : *instruments_) {
    if (d.id == id) return &d;
  }
  return nullptr;
}

int PositionBook::QtyDecimals(InstrumentId id) const {
  const InstrumentDef* d = Def(id);
  return d ? d->qty_decimals : 0;
}

Money PositionBook::ApplyFill(InstrumentId instrument, Side side, Price price, Qty qty,
                              Money fee) {
  total_pnl_.reset();
  PositionRecord& p = positions_[instrument];
  const int dec = QtyDecimals(instrument);
  p.fees += fee;
  const int64_t signed_qty = side == Side::kBuy ? qty.raw : -qty.raw;
  const int64_t pos = p.position.raw;
  Money realized{0};
  if (pos == 0 || (pos > 0) == (signed_qty > 0)) {
    // Opening or adding: quantity-weighted average price.
    const __int128 num = static_cast<__int128>(p.avg_price.raw) * AbsI64(pos) +
                         static_cast<__int128>(price.raw) * AbsI64(signed_qty);
    const __int128 den = AbsI64(pos) + AbsI64(signed_qty);
    __int128 avg = num / den;
    if ((num % den) * 2 >= den) avg += 1;  // prices are positive: half up
    p.avg_price = Price{static_cast<int64_t>(avg)};
    p.position.raw = pos + signed_qty;
    return realized;
  }
  // Reducing, closing or flipping.
  const int64_t closed = std::min(AbsI64(pos), AbsI64(signed_qty));
  const int64_t diff = pos > 0 ? price.raw - p.avg_price.raw : p.avg_price.raw - price.raw;
  realized = NotionalSat(Price{diff}, Qty{closed}, dec);
  p.realized_pnl += realized;
  p.position.raw = pos + signed_qty;
  if (p.position.raw == 0) {
    p.avg_price = Price{0};
  } else if ((p.position.raw > 0) != (pos > 0)) {
    p.avg_price = price;  // flipped through zero: the remainder opens at the fill price
  }
  return realized;
}

namespace {

void SetLevel(std::map<int64_t, int64_t>& side, Price px, Qty q) {
  if (q.raw <= 0) {
    side.erase(px.raw);
  } else {
    side[px.raw] = q.raw;
  }
}

// An L1 side: the map ends up holding that one level (none without a price and a quantity).
// Its node is reused rather than freed and allocated again, so an L1 stream does not allocate.
void SetOnlyLevel(std::map<int64_t, int64_t>& side, PriceLevel level) {
  if (level.price.raw <= 0 || level.qty.raw <= 0) {
    side.clear();
  } else if (side.size() == 1 && side.begin()->first == level.price.raw) {
    side.begin()->second = level.qty.raw;  // the same price: only its quantity changes
  } else if (side.size() == 1) {
    auto node = side.extract(side.begin());
    node.key() = level.price.raw;
    node.mapped() = level.qty.raw;
    side.insert(std::move(node));
  } else {
    side.clear();
    side.emplace(level.price.raw, level.qty.raw);
  }
}

}  // namespace

void PositionBook::SetLastTrade(TopOfBook& book, Price price) {
  if (book.last_trade == price) return;
  book.last_trade = price;
  total_pnl_.reset();
}

void PositionBook::OnMarketData(const Payload& payload) {
  if (const auto* o = std::get_if<L3Order>(&payload)) {
    // L3 streams: no book is rebuilt here (the sim-exchange owns that); executions give the
    // mark. Any other L3 record changes nothing here.
    if (o->action == L3Action::kExecute || o->action == L3Action::kExecuteHidden ||
        o->action == L3Action::kCross) {
      if (o->price.raw > 0) SetLastTrade(books_[o->instrument], o->price);
    }
    return;
  }
  OnBookData(payload);
}

void PositionBook::OnBookData(const Payload& payload) {
  bool mid_moved = false;
  if (const auto* q = std::get_if<L1Quote>(&payload)) {
    TopOfBook& b = books_[q->instrument];
    SetOnlyLevel(b.bids, q->bid);
    SetOnlyLevel(b.asks, q->ask);
    mid_moved = b.UpdateMid();
  } else if (const auto* u = std::get_if<L2Update>(&payload)) {
    TopOfBook& b = books_[u->instrument];
    SetLevel(u->side == Side::kBuy ? b.bids : b.asks, u->price, u->qty);
    mid_moved = b.UpdateMid();
  } else if (const auto* s = std::get_if<L2Snapshot>(&payload)) {
    TopOfBook& b = books_[s->instrument];
    b.bids.clear();
    b.asks.clear();
    for (const PriceLevel& l : s->bids) SetLevel(b.bids, l.price, l.qty);
    for (const PriceLevel& l : s->asks) SetLevel(b.asks, l.price, l.qty);
    mid_moved = b.UpdateMid();
  } else if (const auto* t = std::get_if<Trade>(&payload)) {
    SetLastTrade(books_[t->instrument], t->price);
  }
  if (mid_moved) total_pnl_.reset();
}

Price PositionBook::Mid(InstrumentId id) const {
  auto it = books_.find(id);
  return it == books_.end() ? Price{} : it->second.mid;
}

Price PositionBook::Mark(InstrumentId id) const {
  const Price mid = Mid(id);
  if (mid.raw > 0) return mid;
  auto it = books_.find(id);
  if (it != books_.end() && it->second.last_trade.raw > 0) return it->second.last_trade;
  auto p = positions_.find(id);
  return p == positions_.end() ? Price{} : p->second.avg_price;
}

std::optional<PriceLevel> PositionBook::Best(InstrumentId id, Side side) const {
  auto it = books_.find(id);
  if (it == books_.end()) return std::nullopt;
  const auto& levels = side == Side::kBuy ? it->second.bids : it->second.asks;
  if (levels.empty()) return std::nullopt;
  const auto& [px, q] = side == Side::kBuy ? *levels.rbegin() : *levels.begin();
  return PriceLevel{Price{px}, Qty{q}};
}

Qty PositionBook::Position(InstrumentId id) const {
  auto it = positions_.find(id);
  return it == positions_.end() ? Qty{} : it->second.position;
}

PositionState PositionBook::State(InstrumentId id) const {
  PositionState s;
  s.instrument = id;
  auto it = positions_.find(id);
  if (it == positions_.end()) return s;
  const PositionRecord& p = it->second;
  const int dec = QtyDecimals(id);
  s.position = p.position;
  s.avg_price = p.avg_price;
  s.realized_pnl = p.realized_pnl;
  s.fees = p.fees;
  const Price mark = Mark(id);
  if (p.position.raw != 0 && mark.raw > 0) {
    s.unrealized_pnl = NotionalSat(Price{mark.raw - p.avg_price.raw}, p.position, dec);
    s.exposure = NotionalSat(mark, Qty{AbsI64(p.position.raw)}, dec);
  }
  return s;
}

std::vector<PositionState> PositionBook::All() const {
  std::vector<PositionState> out;
  for (const auto& [id, rec] : positions_) out.push_back(State(id));
  return out;
}

Money PositionBook::ComputeTotalPnl() const {
  Money total{0};
  // State(id)'s PnL terms without its exposure (not needed here): the same arithmetic, in the
  // same order, one Notional instead of two, and no mark at all for a flat position.
  for (const auto& [id, p] : positions_) {
    Money unrealized{0};
    if (p.position.raw != 0) {
      const Price mark = Mark(id);
      if (mark.raw > 0) {
        unrealized = NotionalSat(Price{mark.raw - p.avg_price.raw}, p.position, QtyDecimals(id));
      }
    }
    total += p.realized_pnl + unrealized - p.fees;
  }
  total_pnl_ = total;
  return total;
}

Money PositionBook::RealizedPnl() const {
  Money total{0};
  for (const auto& [id, rec] : positions_) total += rec.realized_pnl;
  return total;
}

Money PositionBook::ClassExposure(AssetClass cls) const {
  Money total{0};
  for (const auto& [id, rec] : positions_) {
    const InstrumentDef* d = Def(id);
    if (d != nullptr && d->asset_class == cls) total += State(id).exposure;
  }
  return total;
}

void PositionBook::Digest(DigestWriter* w) const {
  w->U64(positions_.size());
  for (const auto& [id, p] : positions_) {
    w->U64(id);
    w->I64(p.position.raw);
    w->I64(p.avg_price.raw);
    w->I64(p.realized_pnl.raw);
    w->I64(p.fees.raw);
  }
  w->U64(books_.size());
  for (const auto& [id, b] : books_) {
    w->U64(id);
    w->I64(b.Bid().raw);
    w->I64(b.Ask().raw);
    w->I64(b.last_trade.raw);
  }
}

}  // namespace td::engine::internal
