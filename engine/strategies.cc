// The sample strategies behind MakeStrategy: market-maker, momentum and twap. Each reads its
// parameters from ctx.param() with defaults, keeps its state in plain integers and folds it
// into StateDigest(). Quantities in parameters are decimal text in the instrument's units
// ("size" = "1.5"); prices move in ticks of the instrument's tick_size.
#include <string>

#include "core/digest_writer.h"
#include "core/fixed_point.h"
#include "core/time_text.h"
#include "engine/engine.h"
#include "engine/positions.h"

// Designated initializers leave the defaulted members out on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace td::engine {
namespace {

using internal::AbsI64;

int64_t IntParam(Context& ctx, std::string_view key, int64_t def) {
  auto v = ctx.param(key);
  if (!v) return def;
  Result<int64_t> r = ParseDecimal(*v, 0);
  return r.ok() ? *r : def;
}

Qty QtyParam(Context& ctx, std::string_view key, const InstrumentDef& d, int64_t def_units) {
  auto v = ctx.param(key);
  if (v) {
    Result<Qty> q = Qty::Parse(*v, d.qty_decimals);
    if (q.ok()) return *q;
  }
  int64_t scale = 1;
  for (int i = 0; i < d.qty_decimals; ++i) scale *= 10;
  return Qty{def_units * scale};
}

const InstrumentDef* PickInstrument(Context& ctx) {
  const InstrumentId id = static_cast<InstrumentId>(IntParam(ctx, "instrument", 0));
  if (id != 0) return ctx.instrument(id);
  return ctx.instruments().empty() ? nullptr : &ctx.instruments().front();
}

int64_t Tick(const InstrumentDef& d) { return d.tick_size.raw > 0 ? d.tick_size.raw : 1; }

bool IsTerminalStatus(OrdStatus s) {
  return s == OrdStatus::kFilled || s == OrdStatus::kCanceled || s == OrdStatus::kRejected ||
         s == OrdStatus::kExpired || s == OrdStatus::kReplaced;
}

// ---------------------------------------------------------------- market maker

// Quotes one bid and one ask around mid: mid -/+ spread_ticks, shifted against inventory by
// skew_ticks_per_unit per whole unit held; a side is not quoted when its fill would take
// |inventory| past max_inventory. On a mid change it cancels a stale quote and quotes again
// once the cancel is resolved (CancelAck, or a fill that finished the order); with
// requote = "replace" it moves the quote with one replace instead (same order quantity).
//
// bug "cancel-fill-race" (the racy variant, kept on purpose for replay-divergence demos):
// it keeps its own inventory count from its fills, and when a fill arrives for a quote it has
// already asked to cancel (the venue filled it before the cancel got there), it assumes the
// cancel won: it drops that fill from its count and forgets the quote at once, re-quoting the
// full size on that side. Two things go wrong: for a moment two orders work on the side, and
// its inventory undercounts the real position, so max_inventory stops protecting it and the
// engine's max_position gate is what refuses its orders. Until that race happens it behaves
// exactly like the correct variant, so a replay with the bug diverges at the race itself.
// The correct variant counts every fill and reads the position from the engine.
class MarketMaker final : public Strategy {
 public:
  explicit MarketMaker(bool racy) : racy_(racy) {}
  std::string_view name() const override { return racy_ ? "market-maker(cancel-fill-race)"
                                                         : "market-maker"; }

  void OnStart(Context& ctx) override {
    def_ = PickInstrument(ctx);
    if (def_ == nullptr) return;
    spread_ticks_ = IntParam(ctx, "spread_ticks", 2);
    skew_ticks_per_unit_ = IntParam(ctx, "skew_ticks_per_unit", 0);
    size_ = QtyParam(ctx, "size", *def_, 1);
    max_inventory_ = QtyParam(ctx, "max_inventory", *def_, 10);
    amend_ = ctx.param("requote").value_or("cancel") == "replace";
  }

  void OnMarketData(Context& ctx, const Event& event) override {
    (void)event;
    if (def_ == nullptr) return;
    const Price mid = ctx.mid(def_->id);
    if (mid.raw <= 0 || mid == last_mid_) return;
    last_mid_ = mid;
    Requote(ctx);
  }

  void OnOrderUpdate(Context& ctx, const OrderUpdate& u) override {
    for (Quote& q : quotes_) {
      // q.live is the id SendNew returned, the key of the order's chain whatever replaces
      // followed: the order is ours when that is its original id.
      const bool mine = q.live != 0 && u.order->orig_cl_ord_id == q.live;
      if (!mine) continue;
      if (u.fill_qty.raw > 0 && racy_ && q.cancel_sent) {
        q.live = 0;  // racy: "the cancel won", the fill is dropped (see the class comment)
        continue;
      }
      if (u.fill_qty.raw > 0) {
        own_inventory_ += q.side == Side::kBuy ? u.fill_qty.raw : -u.fill_qty.raw;
      }
      if (IsTerminalStatus(u.order->status)) q.live = 0;
    }
    Requote(ctx);
  }

  uint64_t StateDigest() const override {
    DigestWriter w;
    w.I64(last_mid_.raw);
    w.I64(own_inventory_);
    for (const Quote& q : quotes_) {
      w.U64(q.live);
      w.I64(q.price.raw);
      w.U64(q.cancel_sent ? 1 : 0);
    }
    return w.Hash();
  }

 private:
  struct Quote {
    Side side;
    ClOrdId live = 0;  // the working (or cancel-pending) quote
    Price price;
    bool cancel_sent = false;  // we asked the venue to cancel `live`
  };

  int64_t Inventory(Context& ctx) const {
    return racy_ ? own_inventory_ : ctx.position_qty(def_->id).raw;
  }

  // Cancels (or replaces) a quote away from where it should be, and quotes each free side.
  // Out of line: OnMarketData calls it only when the mid moved, and returns early on most inputs.
  void Requote(Context& ctx);

  bool racy_;
  bool amend_ = false;  // requote = "replace": move a quote with a replace, not cancel + new
  const InstrumentDef* def_ = nullptr;
  int64_t spread_ticks_ = 2, skew_ticks_per_unit_ = 0;
  Qty size_, max_inventory_;
  Price last_mid_;
  int64_t own_inventory_ = 0;
  Quote quotes_[2] = {{Side::kBuy}, {Side::kSell}};
};

void MarketMaker::Requote(Context& ctx) {
  if (def_ == nullptr || last_mid_.raw <= 0) return;
  const int64_t tick = Tick(*def_);
  const int64_t inv = Inventory(ctx);
  int64_t unit = 1;
  for (int i = 0; i < def_->qty_decimals; ++i) unit *= 10;
  const int64_t skew = skew_ticks_per_unit_ * inv / unit * tick;
  for (Quote& q : quotes_) {
    const int64_t raw = q.side == Side::kBuy
                            ? last_mid_.raw - spread_ticks_ * tick - skew
                            : last_mid_.raw + spread_ticks_ * tick - skew;
    const Price want{q.side == Side::kBuy ? DivFloor(raw, tick) * tick
                                          : DivCeil(raw, tick) * tick};
    if (q.live != 0) {
      const OrderState* o = ctx.order(q.live);
      if (o == nullptr || IsTerminalStatus(o->status)) {
        q.live = 0;
      } else if (o->cancel_pending || o->replace_pending ||
                 o->status == OrdStatus::kUnknown) {
        continue;  // wait for the venue's answer (a status report, after a disconnect)
      } else if (o->price != want) {
        if (amend_) {  // one OrderCancelReplaceRequest: same order quantity, new price
          (void)ctx.SendReplace(q.live, want, o->order_qty);
          continue;
        }
        q.cancel_sent = ctx.SendCancel(q.live);
        continue;  // quote again once the cancel resolves
      } else {
        continue;
      }
    }
    const int64_t after = q.side == Side::kBuy ? inv + size_.raw : inv - size_.raw;
    if (AbsI64(after) > max_inventory_.raw || want.raw <= 0) continue;
    q.price = want;
    q.cancel_sent = false;
    q.live = ctx.SendNew({.instrument = def_->id, .side = q.side, .type = OrdType::kLimit,
                          .tif = TimeInForce::kDay, .price = want, .qty = size_,
                          .post_only = true});
  }
}

// ---------------------------------------------------------------- momentum

// An aggressive taker: after `n` consecutive trades with the same aggressor side it crosses
// the spread by `cross_ticks` with an IOC of `size` in that direction, unless that would take
// |position| past max_position.
class Momentum final : public Strategy {
 public:
  std::string_view name() const override { return "momentum"; }
  void OnStart(Context& ctx) override {
    def_ = PickInstrument(ctx);
    if (def_ == nullptr) return;
    n_ = std::max<int64_t>(1, IntParam(ctx, "n", 3));
    cross_ticks_ = IntParam(ctx, "cross_ticks", 1);
    size_ = QtyParam(ctx, "size", *def_, 1);
    max_position_ = QtyParam(ctx, "max_position", *def_, 10);
  }
  void OnMarketData(Context& ctx, const Event& event) override {
    const auto* t = std::get_if<Trade>(&event.payload);
    if (def_ == nullptr || t == nullptr || t->instrument != def_->id) return;
    if (t->aggressor == Side::kNone) return;
    run_ = t->aggressor == run_side_ ? run_ + 1 : 1;
    run_side_ = t->aggressor;
    if (run_ < n_ || !ctx.open_orders(def_->id).empty()) return;
    run_ = 0;
    const int64_t pos = ctx.position(def_->id).position.raw;
    const int64_t after = run_side_ == Side::kBuy ? pos + size_.raw : pos - size_.raw;
    if (AbsI64(after) > max_position_.raw) return;
    const auto touch = ctx.best(def_->id, Opposite(run_side_));
    const Price ref = touch ? touch->price : t->price;
    const int64_t reach = cross_ticks_ * Tick(*def_);
    const Price px{run_side_ == Side::kBuy ? ref.raw + reach : ref.raw - reach};
    if (px.raw <= 0) return;
    ctx.SendNew({.instrument = def_->id, .side = run_side_, .type = OrdType::kLimit,
                 .tif = TimeInForce::kIoc, .price = px, .qty = size_});
  }
  uint64_t StateDigest() const override {
    DigestWriter w;
    w.I64(run_);
    w.U64(static_cast<uint64_t>(run_side_));
    return w.Hash();
  }

 private:
  const InstrumentDef* def_ = nullptr;
  int64_t n_ = 3, cross_ticks_ = 1, run_ = 0;
  Side run_side_ = Side::kNone;
  Qty size_, max_position_;
};

// ---------------------------------------------------------------- twap

// Executes target_qty on `side` over `duration` (e.g. "60s") in `slices` equal slices, one per
// timer, each an IOC crossing the touch by cross_ticks (a market order when there is no book).
// What a slice does not fill rolls into the next slices.
class Twap final : public Strategy {
 public:
  std::string_view name() const override { return "twap"; }
  void OnStart(Context& ctx) override {
    def_ = PickInstrument(ctx);
    if (def_ == nullptr) return;
    const std::string side = ctx.param("side").value_or("buy");
    side_ = side == "sell" ? Side::kSell : Side::kBuy;
    target_ = QtyParam(ctx, "target_qty", *def_, 10);
    slices_ = std::max<int64_t>(1, IntParam(ctx, "slices", 10));
    cross_ticks_ = IntParam(ctx, "cross_ticks", 1);
    int64_t duration_ns = 60 * kNanosPerSecond;
    if (auto d = ctx.param("duration")) {
      Result<Duration> v = ParseDurationText(*d);  // a bad value keeps the default
      if (v.ok() && v->ns > 0) duration_ns = v->ns;
    }
    interval_ = Duration::Nanos(std::max<int64_t>(1, duration_ns / slices_));
    ctx.SetTimer(ctx.now() + interval_);
  }
  void OnMarketData(Context& ctx, const Event& event) override { (void)ctx, (void)event; }
  void OnOrderUpdate(Context& ctx, const OrderUpdate& u) override {
    (void)ctx;
    filled_ += u.fill_qty.raw;
  }
  void OnTimer(Context& ctx, TimerId id) override {
    (void)id;
    if (def_ == nullptr || sent_slices_ >= slices_) return;
    ++sent_slices_;
    const int64_t remaining = target_.raw - filled_;
    const int64_t left = slices_ - sent_slices_ + 1;
    const int64_t qty = remaining <= 0 ? 0 : (remaining + left - 1) / left;
    if (qty > 0 && ctx.open_orders(def_->id).empty()) {
      NewOrderParams p{.instrument = def_->id, .side = side_, .type = OrdType::kLimit,
                       .tif = TimeInForce::kIoc, .qty = Qty{qty}};
      const auto touch = ctx.best(def_->id, Opposite(side_));
      if (touch) {
        const int64_t reach = cross_ticks_ * Tick(*def_);
        p.price = Price{side_ == Side::kBuy ? touch->price.raw + reach
                                            : touch->price.raw - reach};
      } else {
        p.type = OrdType::kMarket;
      }
      ctx.SendNew(p);
    }
    if (sent_slices_ < slices_) ctx.SetTimer(ctx.now() + interval_);
  }
  uint64_t StateDigest() const override {
    DigestWriter w;
    w.I64(filled_);
    w.I64(sent_slices_);
    return w.Hash();
  }

 private:
  const InstrumentDef* def_ = nullptr;
  Side side_ = Side::kBuy;
  Qty target_;
  int64_t slices_ = 10, cross_ticks_ = 1, sent_slices_ = 0, filled_ = 0;
  Duration interval_;
};

}  // namespace

Result<std::unique_ptr<Strategy>> MakeStrategy(std::string_view name, std::string_view bug) {
  if (!bug.empty() && bug != "cancel-fill-race") {
    return InvalidArgument("unknown bug \"" + std::string(bug) + "\" (known: cancel-fill-race)");
  }
  if (!bug.empty() && name != "market-maker") {
    return InvalidArgument("bug \"cancel-fill-race\" applies only to market-maker");
  }
  if (name == "market-maker") {
    return std::unique_ptr<Strategy>(std::make_unique<MarketMaker>(!bug.empty()));
  }
  if (name == "momentum") return std::unique_ptr<Strategy>(std::make_unique<Momentum>());
  if (name == "twap") return std::unique_ptr<Strategy>(std::make_unique<Twap>());
  return InvalidArgument("unknown strategy \"" + std::string(name) +
                         "\" (known: market-maker, momentum, twap)");
}

}  // namespace td::engine
