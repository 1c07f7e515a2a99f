// RiskGate: pre-trade limits and circuit breakers (see risk.h).
#include "engine/risk.h"

// Designated initializers leave the defaulted members out on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace td::engine::internal {
namespace {

RiskEvent Refuse(std::string rule, InstrumentId instrument, int64_t value, int64_t limit,
                 std::string text = {}) {
  return RiskEvent{.kind = RiskEventKind::kBreach,
                   .action = RiskAction::kReject,
                   .rule = std::move(rule),
                   .instrument = instrument,
                   .value = value,
                   .limit = limit,
                   .text = std::move(text)};
}

}  // namespace

std::optional<RiskEvent> RiskGate::Check(const OrderIntent& o, const PositionBook& positions,
                                         const OrderManager& orders, Timestamp now) {
  const RiskLimits& l = limits_;
  const InstrumentDef* def = positions.Def(o.instrument);
  if (def == nullptr) return Refuse("unknown_instrument", o.instrument, o.instrument, 0);
  const int dec = def->qty_decimals;
  if (o.qty.raw <= 0 && !o.is_replace) return Refuse("invalid_qty", o.instrument, o.qty.raw, 0);
  const Qty total_qty = o.is_replace ? Qty{o.qty.raw + o.replaced_leaves.raw} : o.qty;
  if (l.max_order_qty.raw > 0 && total_qty > l.max_order_qty) {
    return Refuse("max_order_qty", o.instrument, total_qty.raw, l.max_order_qty.raw);
  }
  const Price mid = positions.Mid(o.instrument);
  const Price ref = o.type == OrdType::kMarket || o.price.raw <= 0 ? positions.Mark(o.instrument)
                                                                   : o.price;
  if (l.max_order_notional.raw > 0) {
    const Money notional = NotionalSat(ref, total_qty, dec);
    if (notional > l.max_order_notional) {
      return Refuse("max_order_notional", o.instrument, notional.raw, l.max_order_notional.raw);
    }
  }
  if (l.price_collar_bps > 0 && o.type != OrdType::kMarket && mid.raw > 0) {
    const int64_t dev_bps = *MulDivRound(AbsI64(o.price.raw - mid.raw), 10'000, mid.raw);
    if (dev_bps > l.price_collar_bps) {
      return Refuse("price_collar_bps", o.instrument, dev_bps, l.price_collar_bps);
    }
  }
  // Projected position: the worst case if every open order on this side fills.
  const int64_t same_side_leaves = orders.OpenLeaves(o.instrument, o.side);
  const int64_t pos = positions.Position(o.instrument).raw;
  const int64_t add = same_side_leaves + o.qty.raw;
  const int64_t projected = o.side == Side::kBuy ? pos + add : pos - add;
  if (l.max_position.raw > 0 && AbsI64(projected) > l.max_position.raw &&
      AbsI64(projected) > AbsI64(pos)) {
    return Refuse("max_position", o.instrument, projected, l.max_position.raw);
  }
  // The exposures (two notionals) only matter to an exposure limit.
  auto cls = l.max_gross_exposure_by_class.find(def->asset_class);
  const bool class_limit = cls != l.max_gross_exposure_by_class.end() && cls->second.raw > 0;
  if (l.max_gross_exposure.raw > 0 || class_limit) {
    const Price mark_now = positions.Mark(o.instrument);
    const Price mark = mark_now.raw > 0 ? mark_now : ref;
    const Money projected_exposure = NotionalSat(mark, Qty{AbsI64(projected)}, dec);
    const Money current_exposure = NotionalSat(mark, Qty{AbsI64(pos)}, dec);
    const bool grows = projected_exposure > current_exposure;
    if (l.max_gross_exposure.raw > 0 && grows && projected_exposure > l.max_gross_exposure) {
      return Refuse("max_gross_exposure", o.instrument, projected_exposure.raw,
                    l.max_gross_exposure.raw);
    }
    if (class_limit && grows) {
      const Money total = positions.ClassExposure(def->asset_class) - current_exposure +
                          projected_exposure;
      if (total > cls->second) {
        return Refuse("max_gross_exposure_by_class", o.instrument, total.raw, cls->second.raw);
      }
    }
  }
  if (l.max_open_orders > 0 && !o.is_replace && orders.open_count() >= l.max_open_orders) {
    return Refuse("max_open_orders", o.instrument, static_cast<int64_t>(orders.open_count()) + 1,
                  l.max_open_orders);
  }
  if (l.max_orders_per_second > 0) {
    while (!sends_.empty() && now - sends_.front() >= Duration::Seconds(1)) sends_.pop_front();
    if (sends_.size() >= l.max_orders_per_second) {
      return Refuse("max_orders_per_second", o.instrument,
                    static_cast<int64_t>(sends_.size()) + 1, l.max_orders_per_second);
    }
    sends_.push_back(now);
  }
  return std::nullopt;
}

std::optional<RiskEvent> RiskGate::Breaker(const std::string& rule, InstrumentId instrument,
                                           int64_t value, int64_t limit) {
  if (!tripped_.insert(rule).second) return std::nullopt;
  return RiskEvent{.kind = RiskEventKind::kBreach,
                   .action = limits_.on_breach,
                   .rule = rule,
                   .instrument = instrument,
                   .value = value,
                   .limit = limit,
                   .text = "circuit breaker"};
}

std::vector<RiskEvent> RiskGate::AfterFill(InstrumentId instrument, Money fill_pnl,
                                           const PositionBook& positions) {
  std::vector<RiskEvent> out;
  if (limits_.per_trade_stop_loss.raw > 0 && -fill_pnl.raw > limits_.per_trade_stop_loss.raw) {
    if (auto e = Breaker("per_trade_stop_loss", instrument, -fill_pnl.raw,
                         limits_.per_trade_stop_loss.raw)) {
      out.push_back(*e);
    }
  }
  for (RiskEvent& e : AfterMark(positions)) out.push_back(std::move(e));
  return out;
}

std::vector<RiskEvent> RiskGate::MarkBreaches(Money pnl) {
  std::vector<RiskEvent> out;
  const int64_t loss = session_start_pnl_.raw - pnl.raw;
  if (limits_.max_daily_loss.raw > 0 && loss > limits_.max_daily_loss.raw) {
    if (auto e = Breaker("max_daily_loss", 0, loss, limits_.max_daily_loss.raw)) out.push_back(*e);
  }
  const int64_t drawdown = pnl_peak_.raw - pnl.raw;
  if (limits_.max_drawdown.raw > 0 && drawdown > limits_.max_drawdown.raw) {
    if (auto e = Breaker("max_drawdown", 0, drawdown, limits_.max_drawdown.raw)) {
      out.push_back(*e);
    }
  }
  return out;
}

void RiskGate::Digest(DigestWriter* w) const {
  w->U64(sends_.size());
  for (Timestamp t : sends_) w->I64(t.ns);
  w->I64(pnl_peak_.raw);
  w->U64(tripped_.size());
  for (const std::string& r : tripped_) w->Str(r);
}

}  // namespace td::engine::internal
