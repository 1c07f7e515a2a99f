// SlippageModel: the interval EWMAs of mid variance and volume, the square-root impact and its
// calibration, all in 128-bit integers.
#include "sim-exchange/slippage.h"

#include <algorithm>
#include <bit>
#include <string>

namespace td::sim {
namespace {

using u128 = unsigned __int128;
using i128 = __int128;

constexpr int64_t kPpm = 1'000'000;
constexpr i128 kPpm2 = i128{kPpm} * kPpm;

int BitWidth128(u128 x) {
  const auto hi = static_cast<uint64_t>(x >> 64);
  return hi != 0 ? 64 + std::bit_width(hi) : std::bit_width(static_cast<uint64_t>(x));
}

// x * (alpha) + old * (1 - alpha), i.e. old + alpha (x - old), floor-rounded toward old.
i128 Ewma(i128 old, i128 x, int64_t alpha_ppm) { return old + (x - old) * alpha_ppm / kPpm; }

// ((1e6 - alpha) / 1e6)^n in ppm, by squaring (each step floor-rounded).
int64_t DecayPpm(int64_t alpha_ppm, int64_t n) {
  int64_t result = kPpm;
  int64_t base = kPpm - alpha_ppm;
  while (n > 0 && result > 0) {
    if (n & 1) result = result * base / kPpm;
    base = base * base / kPpm;
    n >>= 1;
  }
  return result;
}

i128 DivFloor128(i128 a, i128 b) {  // REQUIRES: b > 0
  const i128 q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

}  // namespace

uint64_t IntegerSqrt(unsigned __int128 x) {
  if (x == 0) return 0;
  // r0 = 2^ceil(bits/2) >= sqrt(x); Newton's iterates decrease monotonically to floor(sqrt(x))
  // from any start above it, and stop decreasing exactly there.
  u128 r = u128{1} << ((BitWidth128(x) + 1) / 2);
  for (int i = 0; i < 200; ++i) {  // converges in well under 70 steps for 128-bit inputs
    const u128 next = (r + x / r) / 2;
    if (next >= r) return static_cast<uint64_t>(r);
    r = next;
  }
  TD_CHECK_MSG(false, "IntegerSqrt did not converge");
  return 0;
}

Result<SlippageModel> SlippageModel::Create(const SlippageParams& p, Price tick_size) {
  if (p.k_ppm < 0 || p.k_ppm > 100 * kPpm) {
    return InvalidArgument("slippage k = " + FormatDecimal(p.k_ppm, 6) + " is outside [0, 100]");
  }
  if (p.alpha_ppm < 1 || p.alpha_ppm > kPpm) {
    return InvalidArgument("slippage alpha = " + FormatDecimal(p.alpha_ppm, 6) +
                           " is outside (0, 1]");
  }
  if (p.interval.ns <= 0) return InvalidArgument("slippage interval must be positive");
  if (tick_size.raw <= 0) return InvalidArgument("slippage tick size must be positive");
  if (p.volume_floor.raw <= 0) return InvalidArgument("slippage volume_floor must be positive");
  if (p.max_impact.raw < 0 || p.initial_sigma.raw < 0 || p.initial_volume.raw < 0) {
    return InvalidArgument(
        "slippage max_impact, initial_sigma and initial_volume must not be "
        "negative");
  }
  if (p.initial_sigma.raw > kMaxCalibrationPrice) {
    return InvalidArgument("slippage initial_sigma exceeds $10,000 per interval");
  }
  SlippageModel m(p, tick_size);
  const i128 sigma2 = i128{2} * p.initial_sigma.raw;
  m.var2_ = sigma2 * sigma2;
  m.volume_ = p.initial_volume.raw;
  return m;
}

void SlippageModel::CloseInterval(int64_t mid2_change, int64_t volume) {
  // A mid move beyond 2^50 half-units ($560k) is a data error; clamping it keeps every
  // product below 2^127.
  constexpr int64_t kMaxChange = int64_t{1} << 50;
  const int64_t change = std::clamp(mid2_change, -kMaxChange, kMaxChange);
  var2_ = Ewma(var2_, i128{change} * change, params_.alpha_ppm);
  volume_ = Ewma(volume_, volume, params_.alpha_ppm);
}

void SlippageModel::Advance(Timestamp ts) {
  const int64_t index = static_cast<int64_t>(DivFloor128(ts.ns, params_.interval.ns));
  if (interval_index_ == INT64_MIN) {
    interval_index_ = index;
    return;
  }
  TD_CHECK_MSG(index >= interval_index_, "SlippageModel: time went backwards");
  if (index == interval_index_) return;
  // Close the open interval: its mid change (once a previous close gives a reference) and
  // its volume.
  if (has_quote_) {
    const int64_t mid2 = bid_.raw + ask_.raw;
    if (has_close_) {
      CloseInterval(mid2 - last_close_mid2_, interval_volume_);
    } else {
      volume_ = Ewma(volume_, interval_volume_, params_.alpha_ppm);
    }
    last_close_mid2_ = mid2;
    has_close_ = true;
  } else {
    volume_ = Ewma(volume_, interval_volume_, params_.alpha_ppm);
  }
  interval_volume_ = 0;
  // Intervals with no event at all: no mid change, no volume. Applying them one by one would
  // be unbounded, so decay by (1 - alpha)^n in one step.
  const int64_t empty = index - interval_index_ - 1;
  if (empty > 0) {
    const int64_t decay = DecayPpm(params_.alpha_ppm, empty);
    var2_ = var2_ * decay / kPpm;
    volume_ = volume_ * decay / kPpm;
  }
  interval_index_ = index;
}

void SlippageModel::OnQuote(Timestamp ts, Price bid, Price ask) {
  Advance(ts);
  if (!(bid < ask)) return;
  bid_ = bid;
  ask_ = ask;
  has_quote_ = true;
}

void SlippageModel::OnTrade(Timestamp ts, Qty qty) {
  Advance(ts);
  if (qty.raw > 0) interval_volume_ = std::min(interval_volume_ + qty.raw, INT64_MAX / 2);
}

Price SlippageModel::sigma() const {
  return Price{static_cast<int64_t>((IntegerSqrt(static_cast<u128>(var2_)) + 1) / 2)};
}

Qty SlippageModel::recent_volume() const { return Qty{static_cast<int64_t>(volume_)}; }

__int128 SlippageModel::Impact2(Qty order_qty, Qty displayed_qty) const {
  if (!has_quote_) return 0;
  const i128 spread = ask_.raw - bid_.raw;  // = 2 * (spread / 2)
  const int64_t excess =
      params_.displayed_absorbs
          ? std::max<int64_t>(0, order_qty.raw - std::max<int64_t>(0, displayed_qty.raw))
          : std::max<int64_t>(0, order_qty.raw);
  if (excess == 0) return spread;
  const i128 volume = std::max<i128>(volume_, params_.volume_floor.raw);
  // sqrt(excess / V) * 1e6, then 2 sigma * that / 1e6 (both < 2^64, product < 2^128), then k.
  const uint64_t root_ppm = IntegerSqrt(static_cast<u128>(i128{excess} * kPpm2 / volume));
  const uint64_t sigma2 = IntegerSqrt(static_cast<u128>(var2_));
  const u128 scaled = static_cast<u128>(sigma2) * root_ppm / kPpm;
  const i128 cap2 = i128{2} * params_.max_impact.raw;
  if (scaled >= static_cast<u128>(cap2)) return spread + cap2;  // also keeps the next step exact
  const i128 term2 = static_cast<i128>(scaled) * params_.k_ppm / kPpm;
  return spread + std::min(term2, cap2);
}

Price SlippageModel::Impact(Qty order_qty, Qty displayed_qty) const {
  const i128 impact2 = Impact2(order_qty, displayed_qty);
  return Price{static_cast<int64_t>((impact2 + 1) / 2)};  // half units rounded up
}

Price SlippageModel::ExecutionPrice(Side side, Qty order_qty, Qty displayed_qty) const {
  TD_CHECK_MSG(has_quote_, "SlippageModel::ExecutionPrice before any quote");
  TD_CHECK_MSG(side == Side::kBuy || side == Side::kSell, "ExecutionPrice: side must be buy/sell");
  const i128 mid2 = i128{bid_.raw} + ask_.raw;
  const i128 impact2 = Impact2(order_qty, displayed_qty);
  const i128 tick2 = i128{2} * tick_.raw;
  // A buy pays at least mid + impact: round up to the tick; a sell rounds down.
  const i128 ticks = side == Side::kBuy ? -DivFloor128(-(mid2 + impact2), tick2)
                                        : DivFloor128(mid2 - impact2, tick2);
  const i128 price = ticks * tick_.raw;
  TD_CHECK_MSG(price >= INT64_MIN && price <= INT64_MAX, "ExecutionPrice overflows");
  return Price{static_cast<int64_t>(price)};
}

Result<int64_t> FitImpactCoefficientPpm(std::span<const ImpactObservation> observations) {
  if (observations.size() > kMaxCalibrationObservations) {
    return InvalidArgument("slippage calibration: " + std::to_string(observations.size()) +
                           " observations, more than the " +
                           std::to_string(kMaxCalibrationObservations) + " allowed");
  }
  i128 sum_xy = 0;
  i128 sum_xx = 0;
  for (size_t i = 0; i < observations.size(); ++i) {
    const ImpactObservation& o = observations[i];
    const std::string where = "slippage calibration: observation " + std::to_string(i) + ": ";
    if (o.recent_volume.raw <= 0) return InvalidArgument(where + "recent_volume must be > 0");
    if (o.sigma.raw < 0 || o.excess_qty.raw < 0) {
      return InvalidArgument(where + "sigma and excess_qty must not be negative");
    }
    const uint64_t root_ppm =
        IntegerSqrt(static_cast<u128>(i128{o.excess_qty.raw} * kPpm2 / o.recent_volume.raw));
    const i128 x = static_cast<i128>(static_cast<u128>(o.sigma.raw) * root_ppm / kPpm);
    const i128 y = o.slippage_beyond_half_spread.raw;
    if (x > kMaxCalibrationPrice || y > kMaxCalibrationPrice || y < -kMaxCalibrationPrice) {
      return InvalidArgument(where +
                             "sigma * sqrt(excess / volume) or the slippage exceeds $10,000");
    }
    sum_xy += x * y;
    sum_xx += x * x;
  }
  if (sum_xx == 0) {
    return InvalidArgument("slippage calibration: no observation with sigma > 0 and excess > 0");
  }
  // k = sum_xy / sum_xx, in ppm, rounded half away from zero; within the bounds above
  // |sum_xy| * 1e6 < 2^127.
  const i128 num = sum_xy * kPpm;
  const i128 q = (num >= 0 ? num + sum_xx / 2 : num - sum_xx / 2) / sum_xx;
  if (q > INT64_MAX || q < INT64_MIN) return OutOfRange("slippage calibration: k overflows");
  return static_cast<int64_t>(q);
}

}  // namespace td::sim
