#include "sim-exchange/book_ops.h"

#include <algorithm>

namespace td::sim {
namespace {

constexpr int64_t kCent = Price::kScale / 100;
constexpr int64_t kDiffBasePrice = 100 * Price::kScale;
constexpr int64_t kDiffLot = 10;
constexpr int64_t kDiffCenterMaxTicks = 40;  // the decoder's center stays within +-40 ticks
constexpr int kDiffRecentIds = 40;           // cancels and executions aim this far back

std::string_view KindName(BookOp::Kind k) {
  switch (k) {
    case BookOp::Kind::kSubmit:
      return "submit";
    case BookOp::Kind::kCancel:
      return "cancel";
    case BookOp::Kind::kReplace:
      return "replace";
    case BookOp::Kind::kExecuteHistorical:
      return "execute_historical";
    case BookOp::Kind::kMassCancel:
      return "mass_cancel";
    case BookOp::Kind::kExpireDay:
      return "expire_day";
  }
  return "?";
}

std::string_view EventKindName(BookEventKind k) {
  switch (k) {
    case BookEventKind::kAccepted:
      return "accepted";
    case BookEventKind::kRejected:
      return "rejected";
    case BookEventKind::kFill:
      return "fill";
    case BookEventKind::kCanceled:
      return "canceled";
    case BookEventKind::kTriggered:
      return "triggered";
    case BookEventKind::kReplaced:
      return "replaced";
  }
  return "?";
}

std::string N(int64_t v) { return std::to_string(v); }

}  // namespace

std::string DescribeOp(const BookOp& op) {
  std::string s(KindName(op.kind));
  switch (op.kind) {
    case BookOp::Kind::kSubmit: {
      const OrderSpec& o = op.spec;
      s += " id=" + N(static_cast<int64_t>(o.id)) + " owner=" + N(o.owner) + " " +
           std::string(SideName(o.side)) + " type=" + N(static_cast<int>(o.type)) +
           " tif=" + N(static_cast<int>(o.tif)) + " px=" + o.price.ToString() +
           " stop=" + o.stop_price.ToString() + " qty=" + N(o.qty.raw) +
           " display=" + N(o.display_qty.raw) + " post_only=" + N(o.post_only) +
           " stp=" + N(static_cast<int>(o.stp));
      break;
    }
    case BookOp::Kind::kCancel:
    case BookOp::Kind::kExecuteHistorical:
      s += " id=" + N(static_cast<int64_t>(op.id)) + " qty=" + N(op.qty.raw);
      break;
    case BookOp::Kind::kReplace:
      s += " id=" + N(static_cast<int64_t>(op.id)) + " px=" + op.price.ToString() +
           " qty=" + N(op.qty.raw);
      break;
    case BookOp::Kind::kMassCancel:
      s += " owner=" + N(op.owner) + " side=" + std::string(SideName(op.side));
      break;
    case BookOp::Kind::kExpireDay:
      break;
  }
  return s;
}

std::string DescribeEvent(const BookEvent& e) {
  std::string s(EventKindName(e.kind));
  s += " id=" + N(static_cast<int64_t>(e.order_id)) + " owner=" + N(e.owner) +
       " px=" + e.price.ToString() + " qty=" + N(e.qty.raw) + " leaves=" + N(e.leaves_qty.raw);
  if (e.kind == BookEventKind::kRejected) s += " reason=" + N(static_cast<int>(e.reason));
  if (e.kind == BookEventKind::kCanceled) s += " cause=" + N(static_cast<int>(e.cause));
  if (e.kind == BookEventKind::kFill) {
    s += " maker=" + N(static_cast<int64_t>(e.maker_id)) + " maker_owner=" + N(e.maker_owner) +
         " maker_leaves=" + N(e.maker_leaves_qty.raw);
  }
  if (e.kind == BookEventKind::kReplaced) s += " kept=" + N(e.kept_priority);
  return s;
}

InstrumentDef DifferentialInstrument() {
  InstrumentDef d;
  d.id = 1;
  d.symbol = "DIFF";
  d.venue = "SIM";
  d.asset_class = AssetClass::kEquity;
  d.currency = "USD";
  d.tick_size = Price{kCent};
  d.qty_decimals = 0;
  d.lot_size = Qty{kDiffLot};
  d.min_qty = Qty{kDiffLot};
  return d;
}

// ---------------------------------------------------------------- BookOpDecoder

BookOpDecoder::BookOpDecoder(std::span<const uint8_t> bytes, const InstrumentDef& instrument)
    : bytes_(bytes), instrument_(instrument) {}

uint8_t BookOpDecoder::Byte() { return pos_ < bytes_.size() ? bytes_[pos_++] : 0; }

int64_t BookOpDecoder::PriceAt(int64_t offset_ticks) const {
  return kDiffBasePrice + (center_ticks_ + offset_ticks) * instrument_.tick_size.raw;
}

VenueOrderId BookOpDecoder::RecentId(uint8_t b) const {
  const uint64_t back = 1 + b % kDiffRecentIds;
  return next_id_ > back ? next_id_ - back : 0;  // 0 was never used: an unknown id
}

bool BookOpDecoder::Next(BookOp* op) {
  if (pos_ >= bytes_.size()) return false;
  *op = BookOp{};
  const int64_t lot = std::max<int64_t>(instrument_.lot_size.raw, 1);
  uint8_t sel = Byte();
  if (sel >= 230 && sel < 240) {  // the center drifts, then a submit
    center_ticks_ = std::clamp<int64_t>(center_ticks_ + Byte() % 7 - 3, -kDiffCenterMaxTicks,
                                        kDiffCenterMaxTicks);
    sel = 0;
  }
  if (sel >= 110 && sel < 175) {
    op->kind = BookOp::Kind::kCancel;
    op->id = RecentId(Byte());
    const uint8_t q = Byte();
    op->qty = Qty{q < 128 ? 0 : q < 250 ? (1 + q % 6) * lot : q == 250 ? -lot : lot / 2 + 1};
    return true;
  }
  if (sel >= 175 && sel < 200) {
    op->kind = BookOp::Kind::kReplace;
    op->id = RecentId(Byte());
    const uint8_t p = Byte();
    op->price = Price{PriceAt(p % 21 - 10) + (p >= 246 ? 1 : 0)};
    const uint8_t q = Byte();
    op->qty = Qty{q < 250 ? (1 + q % 8) * lot : q < 253 ? 0 : lot + 1};
    return true;
  }
  if (sel >= 200 && sel < 230) {
    op->kind = BookOp::Kind::kExecuteHistorical;
    op->id = RecentId(Byte());
    const uint8_t q = Byte();
    op->qty = Qty{q < 252 ? (1 + q % 12) * lot : q < 254 ? 0 : -lot};
    return true;
  }
  // Rare, as they empty much of the book: mass cancel ~0.4%, end of day ~0.02%.
  if (sel >= 240 && sel < 244) {
    const uint8_t b = Byte();
    if (b < 64) {
      op->kind = BookOp::Kind::kMassCancel;
      op->owner = b & 3;
      op->side = static_cast<Side>((b >> 2) % 3);
      return true;
    }
  }
  if (sel == 248 && Byte() < 16) {
    op->kind = BookOp::Kind::kExpireDay;
    return true;
  }
  // A new order.
  op->kind = BookOp::Kind::kSubmit;
  OrderSpec& s = op->spec;
  const uint8_t b1 = Byte();
  s.owner = b1 & 3;
  s.side = (b1 >> 2) & 1 ? Side::kSell : Side::kBuy;
  const int t = (b1 >> 3) & 15;
  s.type = t < 10   ? OrdType::kLimit
           : t < 12 ? OrdType::kMarket
           : t < 14 ? OrdType::kStop
                    : OrdType::kStopLimit;
  const uint8_t b2 = Byte();
  static constexpr TimeInForce kTifs[8] = {TimeInForce::kDay, TimeInForce::kDay, TimeInForce::kDay,
                                           TimeInForce::kDay, TimeInForce::kGtc, TimeInForce::kGtc,
                                           TimeInForce::kIoc, TimeInForce::kFok};
  s.tif = kTifs[b2 & 7];
  s.post_only = ((b2 >> 3) & 7) == 0;
  s.stp = static_cast<StpMode>((b2 >> 6) & 3);
  const uint8_t b3 = Byte();
  // Buys mostly below the center and sells above, overlapping by a few ticks: the book
  // builds depth and orders still cross.
  const int64_t passive = b3 % 16 - 3;
  const int64_t offset = s.side == Side::kBuy ? -passive : passive;
  if (b3 < 231) {
    s.price = Price{PriceAt(offset)};
  } else if (b3 < 246) {  // ~6% away: outside a 5% band
    s.price = Price{PriceAt((b3 & 1) ? 600 : -600)};
  } else {
    s.price = Price{PriceAt(offset) + 1};  // off the tick
  }
  const uint8_t b4 = Byte();
  s.qty = Qty{b4 < 232   ? (1 + b4 % 8) * lot
              : b4 < 248 ? (10 + b4 % 30) * lot  // large: sweeps levels
              : b4 < 250 ? lot + 1               // off the lot
              : b4 < 252 ? 0
              : b4 < 253 ? -lot
                         : lot - 1};  // below the minimum
  const uint8_t b5 = Byte();
  if (b5 % 8 == 0) {
    s.display_qty = Qty{(1 + (b5 >> 3) % 3) * lot};  // iceberg
  } else if (b5 % 8 == 1) {
    s.display_qty = s.qty;  // fully displayed, said explicitly
  }
  if (s.type == OrdType::kStop || s.type == OrdType::kStopLimit) {
    const uint8_t b6 = Byte();
    s.stop_price = Price{PriceAt(b6 % 21 - 10) + (b6 >= 250 ? 1 : 0)};
  }
  if (b5 >= 250 && next_id_ > 2) {
    s.id = next_id_ - 1 - b5 % 2;  // perhaps still live: a duplicate
  } else {
    s.id = next_id_++;
  }
  return true;
}

// ---------------------------------------------------------------- MixedWorkload

InstrumentDef MixedWorkload::Instrument() {
  InstrumentDef d;
  d.id = 1;
  d.symbol = "BENCH";
  d.venue = "SIM";
  d.asset_class = AssetClass::kEquity;
  d.currency = "USD";
  d.tick_size = Price{kCent};
  d.qty_decimals = 0;
  d.lot_size = Qty{1};
  d.min_qty = Qty{1};
  return d;
}

MixedWorkload::MixedWorkload(WorkloadOptions options)
    : options_(options),
      instrument_(Instrument()),
      rng_(options.seed),
      shadow_(instrument_, BookOptions{.initial_order_capacity =
                                           static_cast<uint32_t>(options.live_orders_target * 2)}) {
  live_.reserve(options_.live_orders_target * 2);
}

void MixedWorkload::AddLive(VenueOrderId id) {
  if (live_pos_.emplace(id, live_.size()).second) live_.push_back(id);
}

void MixedWorkload::RemoveLive(VenueOrderId id) {
  const auto it = live_pos_.find(id);
  if (it == live_pos_.end()) return;
  const size_t pos = it->second;
  live_pos_.erase(it);
  if (pos + 1 != live_.size()) {
    live_[pos] = live_.back();
    live_pos_[live_[pos]] = pos;
  }
  live_.pop_back();
}

void MixedWorkload::Track(const std::vector<BookEvent>& events) {
  for (const BookEvent& e : events) {
    if (e.kind == BookEventKind::kAccepted) AddLive(e.order_id);
    if (e.kind == BookEventKind::kFill && e.maker_leaves_qty.raw == 0) RemoveLive(e.maker_id);
    if (e.kind == BookEventKind::kCanceled && e.leaves_qty.raw == 0) RemoveLive(e.order_id);
  }
}

// A limit order a few ticks from the mid on its passive side: mostly at the top.
BookOp MixedWorkload::MakeAdd() {
  BookOp op;
  op.kind = BookOp::Kind::kSubmit;
  OrderSpec& s = op.spec;
  s.id = next_id_++;
  s.owner = rng_.Bernoulli(1, 10) ? 1 : kMarket;
  s.side = rng_.Bernoulli(1, 2) ? Side::kBuy : Side::kSell;
  const uint64_t r = rng_.UniformBelow(100);
  const int64_t depth = r < 70   ? static_cast<int64_t>(rng_.UniformBelow(4))
                        : r < 95 ? rng_.UniformInt(4, 19)
                                 : rng_.UniformInt(20, 199);
  const int64_t ticks = s.side == Side::kBuy ? mid_ticks_ - depth : mid_ticks_ + 1 + depth;
  s.price = Price{ticks * kCent};
  s.qty = Qty{100 * rng_.UniformInt(1, 10)};
  s.tif = TimeInForce::kDay;
  return op;
}

BookOp MixedWorkload::MakeCancel() {
  if (live_.empty()) return MakeAdd();
  BookOp op;
  op.kind = BookOp::Kind::kCancel;
  op.id = live_[rng_.UniformBelow(live_.size())];
  // Below the target depth half the cancels are partial: the depth settles near the target
  // without changing the mix of operations.
  if (live_.size() < options_.live_orders_target && rng_.Bernoulli(1, 2)) {
    const std::optional<OrderView> v = shadow_.Find(op.id);
    if (v && v->leaves_qty.raw > 1) op.qty = Qty{rng_.UniformInt(1, v->leaves_qty.raw - 1)};
  }
  return op;
}

// Half marketable orders (IOC limits through the touch, some market orders), half historical
// executions against an order at or near the best price.
BookOp MixedWorkload::MakeExecution() {
  if (rng_.Bernoulli(1, 2)) {
    const Side side = rng_.Bernoulli(1, 2) ? Side::kBuy : Side::kSell;
    const std::optional<LevelView> touch = shadow_.Best(Opposite(side));
    if (!touch) return MakeAdd();
    BookOp op;
    op.kind = BookOp::Kind::kSubmit;
    OrderSpec& s = op.spec;
    s.id = next_id_++;
    s.owner = rng_.Bernoulli(1, 10) ? 1 : kMarket;
    s.side = side;
    s.qty = Qty{100 * rng_.UniformInt(1, 4)};
    if (rng_.Bernoulli(3, 10)) {
      s.type = OrdType::kMarket;
    } else {
      const int64_t through = rng_.UniformInt(0, 1) * kCent;
      s.price = Price{touch->price.raw + (side == Side::kBuy ? through : -through)};
      s.tif = TimeInForce::kIoc;
    }
    return op;
  }
  if (live_.empty()) return MakeAdd();
  // The candidate nearest the top among a few random live orders.
  VenueOrderId best_id = 0;
  int64_t best_distance = INT64_MAX;
  int64_t best_leaves = 0;
  for (int i = 0; i < 4; ++i) {
    const VenueOrderId id = live_[rng_.UniformBelow(live_.size())];
    const std::optional<OrderView> v = shadow_.Find(id);
    if (!v) continue;
    const std::optional<LevelView> top = shadow_.Best(v->side);
    const int64_t distance = top ? std::abs(top->price.raw - v->price.raw) : 0;
    if (distance < best_distance) {
      best_distance = distance;
      best_id = id;
      best_leaves = v->leaves_qty.raw;
    }
  }
  if (best_id == 0) return MakeAdd();
  BookOp op;
  op.kind = BookOp::Kind::kExecuteHistorical;
  op.id = best_id;
  op.qty = Qty{rng_.Bernoulli(4, 10) || best_leaves < 2 ? best_leaves
                                                        : rng_.UniformInt(1, best_leaves - 1)};
  return op;
}

void MixedWorkload::NextChunk(size_t n, std::vector<BookOp>* ops) {
  ops->clear();
  for (size_t i = 0; i < n; ++i) {
    // The mid follows the book, plus a drift that random-walks within +-2 ticks: adds then
    // sometimes improve or cross the touch, and the book moves.
    if (rng_.UniformBelow(64) == 0) {
      drift_ticks_ = std::clamp<int64_t>(drift_ticks_ + (rng_.Bernoulli(1, 2) ? 1 : -1), -2, 2);
    }
    const std::optional<LevelView> bid = shadow_.Best(Side::kBuy);
    const std::optional<LevelView> ask = shadow_.Best(Side::kSell);
    if (bid && ask) mid_ticks_ = (bid->price.raw + ask->price.raw) / (2 * kCent) + drift_ticks_;
    // The first live_orders_target operations are adds that build the book; then ~50/35/15,
    // adds turning into cancels only if the book grows past 1.5 x its target depth.
    const bool filling = next_id_ <= options_.live_orders_target;
    const uint64_t r = filling ? 0 : rng_.UniformBelow(100);
    BookOp op;
    if (r < 50 && live_.size() <= options_.live_orders_target * 3 / 2) {
      op = MakeAdd();
    } else if (r < 85) {
      op = MakeCancel();
    } else {
      op = MakeExecution();
    }
    events_.clear();
    ApplyOp(op, &shadow_, &events_);
    Track(events_);
    ops->push_back(op);
  }
}

}  // namespace td::sim
