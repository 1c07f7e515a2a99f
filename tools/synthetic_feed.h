// A cheap deterministic stream of L3 market-data records (about 64 bytes each in memory) for
// benchmarks and the demo: a price random walk around $100 with a one-cent tick, adds,
// cancels and executions. Not a market model (the synthetic generator of marketdata/ is);
// only realistic enough in its field entropy for compression figures to mean something.
#pragma once

#include <cstdint>
#include <vector>

#include "core/event.h"
#include "core/rng.h"

namespace td::tools {

class SyntheticFeed {
 public:
  explicit SyntheticFeed(uint64_t seed) : rng_(seed) {}

  // The next record's payload, and its timestamp in *ts (non-decreasing).
  L3Order Next(Timestamp* ts) {
    now_ns_ += rng_.UniformInt(0, 3) == 0 ? 0 : rng_.UniformInt(50, 20'000);
    mid_ticks_ += rng_.UniformInt(-1, 1);
    L3Order o;
    o.instrument = static_cast<InstrumentId>(1 + rng_.UniformInt(0, 3));
    const int64_t roll = rng_.UniformInt(0, 99);
    o.action = roll < 50 ? L3Action::kAdd : roll < 85 ? L3Action::kDelete : L3Action::kExecute;
    o.side = rng_.UniformInt(0, 1) == 0 ? Side::kBuy : Side::kSell;
    o.order_id = o.action == L3Action::kAdd ? ++last_order_id_
                                            : last_order_id_ - rng_.UniformInt(0, 500);
    const int64_t offset = rng_.UniformInt(0, 10);
    o.price = Price{(mid_ticks_ + (o.side == Side::kBuy ? -offset : offset)) * 10'000'000};
    o.qty = Qty{100 * rng_.UniformInt(1, 10)};
    o.exchange_ts = Timestamp{now_ns_};
    o.receive_ts = Timestamp{now_ns_ + rng_.UniformInt(20'000, 90'000)};
    *ts = o.receive_ts.ns > last_ts_ns_ ? o.receive_ts : Timestamp{last_ts_ns_};
    last_ts_ns_ = ts->ns;
    return o;
  }

 private:
  Rng rng_;
  int64_t now_ns_ = 1'340'285'400'000'000'000;  // 2012-06-21 09:30 ET as UTC ns
  int64_t last_ts_ns_ = 0;
  int64_t mid_ticks_ = 10'000;                   // $100.00
  uint64_t last_order_id_ = 1'000'000;
};

}  // namespace td::tools
