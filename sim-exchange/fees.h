// FeeSchedule: a venue's maker/taker fees in fixed point, optionally tiered by trailing 30-day
// traded notional. A fee is a rate on the notional (in micro basis points, so that every
// published schedule is exact: 0.0175% = 1.75 bps = 1'750'000 ubps) plus an optional charge
// per whole unit of quantity (US equities' $0.0030 per share = 3'000'000 nanos), summed
// exactly and rounded once, with an explicit mode, to a stated increment (a nano, or a cent).
// Positive = paid; negative = a rebate (a negative maker fee). Values, single-threaded.
//
//   auto fees = FeeSchedule::Create({.base = {.maker_ubps = -200'000, .taker_ubps = 3'000'000}});
//   Money fee = fees->FeeFor(Liquidity::kTaker, *Price::Parse("585.33"), Qty{100}, 0);
//   // 100 x 585.33 x 3 bps = 17.5599 USD: fee.raw == 17'559'900'000
#pragma once

#include <cstdint>
#include <vector>

#include "core/event.h"
#include "core/status.h"

namespace td::sim {

inline constexpr int64_t kMicroBpsPerBps = 1'000'000;
// Bounds, checked by Create: a rate beyond +-100%, a per-unit charge or a rounding increment
// beyond 1000 currency units is a configuration error. FeeFor checks its 128-bit arithmetic.
inline constexpr int64_t kMaxFeeRateUbps = 10'000 * kMicroBpsPerBps;
inline constexpr int64_t kMaxPerUnitFeeNanos = 1'000 * Money::kScale;
inline constexpr size_t kMaxFeeTiers = 64;

struct FeeRates {
  int64_t maker_ubps = 0;  // on notional, in 1e-6 bps (1e-10); negative = rebate
  int64_t taker_ubps = 0;
  int64_t maker_per_unit_nanos = 0;  // per whole unit of quantity (share, contract, coin)
  int64_t taker_per_unit_nanos = 0;
  bool operator==(const FeeRates&) const = default;
};

struct FeeTier {
  Money min_volume_30d{};  // the tier applies from this trailing 30-day notional up
  FeeRates rates{};
};

enum class FeeRounding : uint8_t {
  kHalfAwayFromZero = 1,
  kUp,          // toward +infinity: a fee rounds up, a rebate shrinks (the venue's favour)
  kDown,        // toward -infinity
  kTowardZero,  // truncation
};

struct FeeScheduleSpec {
  FeeRates base{};               // below the first tier's volume (or always, without tiers)
  std::vector<FeeTier> tiers{};  // strictly ascending min_volume_30d
  FeeRounding rounding = FeeRounding::kHalfAwayFromZero;
  Money increment{1};  // fees are multiples of this: 1 nano, or 10'000'000 (a cent)
};

class FeeSchedule {
 public:
  // InvalidArgument naming the problem: tiers out of order or too many, a rate, per-unit
  // charge or increment out of bounds, a non-positive increment or a negative tier volume.
  static Result<FeeSchedule> Create(FeeScheduleSpec spec);

  // Selects the tier for the trailing 30-day traded notional: the last tier whose
  // min_volume_30d <= volume, else the base rates.
  void SetVolume30d(Money volume);
  const FeeRates& rates() const { return tier_ < 0 ? spec_.base : spec_.tiers[tier_].rates; }

  // The fee of one fill: price * qty / 10^qty_decimals * rate + qty / 10^qty_decimals *
  // per_unit, computed exactly in 128 bits and rounded once to the increment. kNone: zero.
  // REQUIRES: 0 <= qty_decimals <= 18; the result fits in int64 (checked).
  Money FeeFor(Liquidity liquidity, Price price, Qty qty, int qty_decimals) const;

 private:
  explicit FeeSchedule(FeeScheduleSpec spec);

  FeeScheduleSpec spec_;
  int tier_ = -1;  // index into spec_.tiers; -1: the base rates
};

}  // namespace td::sim
