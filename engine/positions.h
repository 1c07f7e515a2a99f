// PositionBook: signed positions, average price, realized and unrealized PnL, fees and
// exposure per instrument, plus a cheap top of book per instrument for marks. All fixed
// point; single-threaded, owned by the Engine.
//
// PnL method: average cost. Adding to a position moves the average price to the
// quantity-weighted mean (rounded half away from zero to 1e-9); reducing realizes
// (fill price - average) * closed qty with the sign of the position; a fill through zero
// closes the whole position at the average and opens the rest at the fill price. Over a
// round trip back to flat the realized total equals FIFO's; in between, the split between
// realized and unrealized differs from FIFO when lots were opened at different prices.
// Money = price raw * qty raw / 10^qty_decimals (Notional, rounded half away from zero).
#pragma once

#include <map>
#include <optional>

#include "core/digest_writer.h"
#include "core/event.h"
#include "core/fixed_point.h"
#include "engine/engine.h"

namespace td::engine::internal {

// Clamps a (possibly negative) int64 money/qty value for saturating conversions.
inline int64_t AbsI64(int64_t v) { return v < 0 ? -v : v; }

struct TopOfBook {
  std::map<int64_t, int64_t> bids, asks;  // price raw -> qty raw (from L2 / L1)
  Price last_trade;
  // The mid of bids and asks (0 without both), set again by every change to them: it is asked
  // on every input (marks, the risk gate, strategies) and changes far less often.
  Price mid;
  Price Bid() const { return bids.empty() ? Price{} : Price{bids.rbegin()->first}; }
  Price Ask() const { return asks.empty() ? Price{} : Price{asks.begin()->first}; }
  // Sets mid again from bids and asks; whether it moved.
  bool UpdateMid() {
    const Price bid = Bid(), ask = Ask();
    const Price before = mid;
    mid = bid.raw <= 0 || ask.raw <= 0 ? Price{} : Price{DivRound(bid.raw + ask.raw, 2)};
    return mid != before;
  }
};

struct PositionRecord {
  Qty position;
  Price avg_price;
  Money realized_pnl;
  Money fees;
};

class PositionBook {
 public:
  explicit PositionBook(const std::vector<InstrumentDef>* instruments)
      : instruments_(instruments) {}

  // Applies one fill (exactly once per exec id: the caller dedupes). Returns the realized PnL
  // change it caused (before fees).
  Money ApplyFill(InstrumentId instrument, Side side, Price price, Qty qty, Money fee);

  // Market data: updates the top of book and last trade used for marks.
  void OnMarketData(const Payload& payload);

  Price Mid(InstrumentId id) const;    // 0 when no two-sided quote
  Price Mark(InstrumentId id) const;   // mid, else last trade, else average price
  std::optional<PriceLevel> Best(InstrumentId id, Side side) const;

  PositionState State(InstrumentId id) const;
  std::vector<PositionState> All() const;
  bool empty() const { return positions_.empty(); }  // instruments with any activity, by id
  Qty Position(InstrumentId id) const;
  // Realized + unrealized - fees, every instrument. Cached (see total_pnl_): the cached case
  // is inline, it is asked after every market-data input.
  Money TotalPnl() const { return total_pnl_ ? *total_pnl_ : ComputeTotalPnl(); }
  Money RealizedPnl() const;
  // |position| * mark summed over instruments of one asset class.
  Money ClassExposure(AssetClass cls) const;
  int QtyDecimals(InstrumentId id) const;
  const InstrumentDef* Def(InstrumentId id) const;

  void Digest(DigestWriter* w) const;

 private:
  const std::vector<InstrumentDef>* instruments_;
  std::map<InstrumentId, PositionRecord> positions_;
  std::map<InstrumentId, TopOfBook> books_;
  // TotalPnl() is asked after every market-data input (the risk gate's AfterMark), most of
  // which (L3 records other than executions, quotes that leave the mid alone) change neither a
  // position nor a mark. It is a function of positions_ and of each book's mid and last trade
  // only (and the fixed instrument list), so it is cached and the cache dropped by every change
  // to those: ApplyFill, and OnMarketData when a mid or last trade moves. Not state: not in the
  // digest.
  mutable std::optional<Money> total_pnl_;
  Money ComputeTotalPnl() const;  // sets total_pnl_
  void SetLastTrade(TopOfBook& book, Price price);
  // OnMarketData's quotes, L2 and trades. Apart from the L3 records (most inputs, and cheap).
  void OnBookData(const Payload& payload);
};

// Saturating Notional for risk arithmetic (overflow saturates rather than aborting).
Money NotionalSat(Price price, Qty qty, int qty_decimals);

}  // namespace td::engine::internal
