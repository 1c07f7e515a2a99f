// RiskGate: pre-trade checks on every new or replaced order, and the circuit breakers
// evaluated after fills and marks. Single-threaded, owned by the Engine; it reads positions
// and open orders, and returns the RiskEvent of a refusal or breach (the Engine emits it).
//
// Pre-trade, in order: max_order_qty, max_order_notional, price_collar_bps (vs mid),
// max_position (position + same-side open leaves + this order), max_gross_exposure (per
// instrument, projected), max_gross_exposure_by_class, max_open_orders, max_orders_per_second
// (a rolling one-second window of ctx time, bounded by the limit itself). Refusals are
// RiskEvent{kBreach, kReject}. Circuit breakers (per_trade_stop_loss, max_daily_loss,
// max_drawdown) fire once each per session with the configured on_breach action.
#pragma once

#include <deque>
#include <optional>
#include <set>
#include <string>

#include "core/digest_writer.h"
#include "engine/engine.h"
#include "engine/order_manager.h"
#include "engine/positions.h"

namespace td::engine::internal {

struct OrderIntent {
  InstrumentId instrument = 0;
  Side side = Side::kNone;
  OrdType type = OrdType::kLimit;
  Price price;
  Qty qty;               // the quantity this order adds to the open leaves
  bool is_replace = false;
  Qty replaced_leaves;   // for a replace: the leaves it takes the place of
};

class RiskGate {
 public:
  explicit RiskGate(RiskLimits limits) : limits_(std::move(limits)) {}

  // Pre-trade: a refusal, or nullopt when the order may go. Records the send time on success.
  std::optional<RiskEvent> Check(const OrderIntent& o, const PositionBook& positions,
                                 const OrderManager& orders, Timestamp now);

  // After a fill (realized change of that fill, net of its fee) or a mark: the breaches.
  std::vector<RiskEvent> AfterFill(InstrumentId instrument, Money fill_pnl,
                                   const PositionBook& positions);
  // Inline: asked after every market-data input, where it mostly moves the PnL peak (and
  // without a loss or drawdown limit that is all).
  std::vector<RiskEvent> AfterMark(const PositionBook& positions) {
    const Money pnl = positions.TotalPnl();
    if (pnl > pnl_peak_) pnl_peak_ = pnl;
    if (limits_.max_daily_loss.raw <= 0 && limits_.max_drawdown.raw <= 0) return {};
    return MarkBreaches(pnl);
  }

  const RiskLimits& limits() const { return limits_; }
  void Digest(DigestWriter* w) const;

 private:
  std::vector<RiskEvent> MarkBreaches(Money pnl);  // AfterMark with a limit set
  std::optional<RiskEvent> Breaker(const std::string& rule, InstrumentId instrument,
                                   int64_t value, int64_t limit);

  RiskLimits limits_;
  std::deque<Timestamp> sends_;  // send times in the last second; size <= max_orders_per_second
  Money pnl_peak_;
  Money session_start_pnl_;
  std::set<std::string> tripped_;  // circuit breakers that fired (each fires once)
};

}  // namespace td::engine::internal
