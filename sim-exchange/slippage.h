// SlippageModel: the expected execution price of an aggressive order when the depth behind the
// touch is unknown (L1 quotes and trades only), by the square-root law:
//
//   impact = spread / 2 + k * sigma * sqrt(excess_qty / recent_volume)
//
// measured from the mid, where sigma is the short-term volatility of the mid (an integer EWMA
// of squared mid changes over fixed intervals), recent_volume an EWMA of the traded volume per
// interval (so both describe the same horizon), and excess_qty the part of the order beyond
// the size displayed at the touch (the displayed part fills at the touch). Everything is
// integer: the square root is Newton's method on uint128. docs/models.md gives the derivation
// and the calibration of k. Single-threaded value; feed it the instrument's L1 and trades in
// time order.
//
//   auto slip = SlippageModel::Create({.k_ppm = 700'000}, tick_size);
//   slip->OnQuote(ts, bid, ask);  slip->OnTrade(ts, qty);
//   Price px = slip->ExecutionPrice(Side::kBuy, order_qty, /*displayed=*/ask_qty);
#pragma once

#include <cstdint>
#include <span>

#include "core/fixed_point.h"
#include "core/ids.h"
#include "core/status.h"
#include "core/time.h"

namespace td::sim {

// floor(sqrt(x)), exact for every x (Newton's method from a power-of-two upper bound).
uint64_t IntegerSqrt(unsigned __int128 x);

struct SlippageParams {
  int64_t k_ppm = 1'000'000;  // k * 1e6; the literature finds k ~ 0.5..1 (docs/models.md)
  Duration interval = Duration::Seconds(1);  // the horizon of sigma and recent_volume
  int64_t alpha_ppm = 100'000;               // EWMA weight of the newest interval, in (0, 1e6]
  // Before the first intervals close: sigma per interval and volume per interval to assume.
  Price initial_sigma;
  Qty initial_volume;
  Qty volume_floor = Qty{1};      // recent_volume never counts as less than this (no division by 0)
  bool displayed_absorbs = true;  // false: the whole order pays the sqrt term (depth unknown)
  Price max_impact = Price{INT64_MAX / 4};  // cap on the sqrt term
};

class SlippageModel {
 public:
  // Errors: alpha or k out of range, a non-positive interval, tick or floor, a negative cap.
  static Result<SlippageModel> Create(const SlippageParams& params, Price tick_size);

  // An L1 update. REQUIRES: ts non-decreasing over OnQuote/OnTrade; bid < ask (a one-sided or
  // crossed quote is ignored).
  void OnQuote(Timestamp ts, Price bid, Price ask);
  void OnTrade(Timestamp ts, Qty qty);

  // Distance from the mid of the average execution price of an aggressive order for
  // `order_qty`, `displayed_qty` being shown at the touch on the other side. Zero before the
  // first quote.
  Price Impact(Qty order_qty, Qty displayed_qty) const;
  // mid + impact for a buy, mid - impact for a sell, rounded to the tick away from the
  // trader (a buy never pays less than the ask). REQUIRES: a quote was seen.
  Price ExecutionPrice(Side side, Qty order_qty, Qty displayed_qty) const;

  bool has_quote() const { return has_quote_; }
  Price sigma() const;        // volatility of the mid per interval
  Qty recent_volume() const;  // EWMA volume per interval (before the floor)
  Price spread() const { return Price{ask_.raw - bid_.raw}; }
  const SlippageParams& params() const { return params_; }

 private:
  SlippageModel(const SlippageParams& p, Price tick) : params_(p), tick_(tick) {}
  void Advance(Timestamp ts);  // closes every interval that ended before ts
  void CloseInterval(int64_t mid2_change, int64_t volume);
  // The impact in half price units (2 * price raw), so a half-tick mid stays exact.
  __int128 Impact2(Qty order_qty, Qty displayed_qty) const;

  SlippageParams params_;
  Price tick_;
  bool has_quote_ = false;
  Price bid_, ask_;
  int64_t interval_index_ = INT64_MIN;  // ts.ns / interval of the open interval
  int64_t interval_volume_ = 0;         // traded in the open interval, Qty raw
  bool has_close_ = false;
  int64_t last_close_mid2_ = 0;  // bid + ask at the last interval close
  __int128 var2_ = 0;            // EWMA of (mid2 change)^2, in (half raw price)^2
  __int128 volume_ = 0;          // EWMA of interval volume, Qty raw
};

// One execution seen in a journal, to calibrate k: how far beyond the half spread the
// average fill price was (in the trader's disfavour), and the model inputs at that time.
struct ImpactObservation {
  Price slippage_beyond_half_spread;
  Price sigma;
  Qty excess_qty;
  Qty recent_volume;
};

inline constexpr size_t kMaxCalibrationObservations = 1'000'000;
inline constexpr int64_t kMaxCalibrationPrice = 10'000'000'000'000;  // $10,000 in Price raw

// Least squares through the origin: k = sum(x y) / sum(x^2) with x = sigma sqrt(excess / V),
// y the observed slippage, in ppm. Errors: no observation with x > 0, more than
// kMaxCalibrationObservations, a volume <= 0, a negative sigma or excess, |x| or |y| above
// kMaxCalibrationPrice (the sums are exact in 128 bits within these bounds).
Result<int64_t> FitImpactCoefficientPpm(std::span<const ImpactObservation> observations);

}  // namespace td::sim
