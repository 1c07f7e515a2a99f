#include "sim-exchange/fees.h"

#include <string>

namespace td::sim {
namespace {

using Int128 = __int128;

Int128 Pow10(int n) {
  Int128 p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

// num / den rounded per `mode`. REQUIRES: den > 0.
Int128 Divide(Int128 num, Int128 den, FeeRounding mode) {
  const Int128 q = num / den;  // truncates toward zero
  const Int128 r = num % den;  // same sign as num
  if (r == 0) return q;
  switch (mode) {
    case FeeRounding::kTowardZero:
      return q;
    case FeeRounding::kDown:
      return num < 0 ? q - 1 : q;
    case FeeRounding::kUp:
      return num > 0 ? q + 1 : q;
    case FeeRounding::kHalfAwayFromZero: {
      const Int128 abs_r = r < 0 ? -r : r;
      if (abs_r * 2 < den) return q;
      return num < 0 ? q - 1 : q + 1;
    }
  }
  return q;
}

Status CheckRates(const FeeRates& r, const std::string& what) {
  for (int64_t ubps : {r.maker_ubps, r.taker_ubps}) {
    if (ubps < -kMaxFeeRateUbps || ubps > kMaxFeeRateUbps) {
      return InvalidArgument(what + ": fee rate " + std::to_string(ubps) +
                             " ubps is beyond +-100%");
    }
  }
  for (int64_t nanos : {r.maker_per_unit_nanos, r.taker_per_unit_nanos}) {
    if (nanos < -kMaxPerUnitFeeNanos || nanos > kMaxPerUnitFeeNanos) {
      return InvalidArgument(what + ": per-unit fee " + std::to_string(nanos) +
                             " nanos is beyond +-1000 currency units");
    }
  }
  return Status::Ok();
}

}  // namespace

FeeSchedule::FeeSchedule(FeeScheduleSpec spec) : spec_(std::move(spec)) {}

Result<FeeSchedule> FeeSchedule::Create(FeeScheduleSpec spec) {
  if (spec.increment.raw <= 0 || spec.increment.raw > kMaxPerUnitFeeNanos) {
    return InvalidArgument("fee rounding increment must be in (0, 1000] currency units, got " +
                           std::to_string(spec.increment.raw) + " nanos");
  }
  if (spec.rounding < FeeRounding::kHalfAwayFromZero || spec.rounding > FeeRounding::kTowardZero) {
    return InvalidArgument("unknown fee rounding mode");
  }
  if (spec.tiers.size() > kMaxFeeTiers) {
    return InvalidArgument(std::to_string(spec.tiers.size()) + " fee tiers, at most " +
                           std::to_string(kMaxFeeTiers));
  }
  TD_RETURN_IF_ERROR(CheckRates(spec.base, "base rates"));
  for (size_t i = 0; i < spec.tiers.size(); ++i) {
    const std::string what = "fee tier " + std::to_string(i);
    TD_RETURN_IF_ERROR(CheckRates(spec.tiers[i].rates, what));
    if (spec.tiers[i].min_volume_30d.raw < 0) {
      return InvalidArgument(what + ": negative min_volume_30d");
    }
    if (i > 0 && spec.tiers[i].min_volume_30d <= spec.tiers[i - 1].min_volume_30d) {
      return InvalidArgument(what + ": min_volume_30d " + spec.tiers[i].min_volume_30d.ToString() +
                             " does not exceed the previous tier's " +
                             spec.tiers[i - 1].min_volume_30d.ToString());
    }
  }
  return FeeSchedule(std::move(spec));
}

void FeeSchedule::SetVolume30d(Money volume) {
  tier_ = -1;
  for (size_t i = 0; i < spec_.tiers.size() && spec_.tiers[i].min_volume_30d <= volume; ++i) {
    tier_ = static_cast<int>(i);
  }
}

Money FeeSchedule::FeeFor(Liquidity liquidity, Price price, Qty qty, int qty_decimals) const {
  TD_CHECK(qty_decimals >= 0 && qty_decimals <= 18);
  if (liquidity != Liquidity::kMaker && liquidity != Liquidity::kTaker) return Money{0};
  const FeeRates& r = rates();
  const bool maker = liquidity == Liquidity::kMaker;
  const int64_t ubps = maker ? r.maker_ubps : r.taker_ubps;
  const int64_t per_unit = maker ? r.maker_per_unit_nanos : r.taker_per_unit_nanos;
  // fee_nanos = (price_nanos * qty_raw * ubps / 1e10 + qty_raw * per_unit_nanos) / 10^qd,
  // brought over the common denominator 1e10 * 10^qd * increment and divided once, so that
  // the rounding happens exactly once. Every product is checked: realistic prices and
  // quantities are far inside 128 bits, absurd ones abort instead of wrapping.
  constexpr Int128 kUbpsScale = Int128{10'000} * kMicroBpsPerBps;  // 1e10 ubps = 100%
  Int128 price_qty = 0;
  Int128 notional_term = 0;
  Int128 unit_term = 0;
  Int128 num = 0;
  Int128 den = 0;
  const bool overflow =
      __builtin_mul_overflow(static_cast<Int128>(price.raw), static_cast<Int128>(qty.raw),
                             &price_qty) ||
      __builtin_mul_overflow(price_qty, static_cast<Int128>(ubps), &notional_term) ||
      __builtin_mul_overflow(static_cast<Int128>(qty.raw) * per_unit, kUbpsScale, &unit_term) ||
      __builtin_add_overflow(notional_term, unit_term, &num) ||
      __builtin_mul_overflow(kUbpsScale * Pow10(qty_decimals),
                             static_cast<Int128>(spec_.increment.raw), &den);
  TD_CHECK_MSG(!overflow, "fee computation overflows 128 bits");
  const Int128 units = Divide(num, den, spec_.rounding);
  const Int128 fee = units * spec_.increment.raw;
  TD_CHECK_MSG(fee >= INT64_MIN && fee <= INT64_MAX, "fee does not fit in int64 nanos");
  return Money{static_cast<int64_t>(fee)};
}

}  // namespace td::sim
