// Pacer (pacer.h): the wall/market time mapping, in 128-bit integer arithmetic so that a
// day of nanoseconds times a speed in millionths never overflows.
#include "sim-exchange/server/pacer.h"

#include <limits>

#include "core/fixed_point.h"

namespace td::server {
namespace {

using i128 = __int128;

int64_t Saturate(i128 v) {
  if (v > std::numeric_limits<int64_t>::max()) return std::numeric_limits<int64_t>::max();
  if (v < std::numeric_limits<int64_t>::min()) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(v);
}

i128 FloorDiv(i128 num, i128 den) {
  i128 q = num / den;
  if ((num % den != 0) && ((num < 0) != (den < 0))) --q;
  return q;
}

}  // namespace

Result<Speed> ParseSpeed(std::string_view text) {
  const std::string quoted = "invalid speed \"" + std::string(text) + "\": ";
  if (text == "max" || text == "0") return Speed::Max();
  std::string_view digits = text;
  if (!digits.empty() && (digits.back() == 'x' || digits.back() == 'X')) {
    digits.remove_suffix(1);
  }
  Result<int64_t> ppm = ParseDecimal(digits, 6);
  if (!ppm.ok()) {
    return InvalidArgument(quoted + "expected a decimal such as 1, 2.5 or 0.25, or max");
  }
  if (*ppm == 0) return Speed::Max();
  if (*ppm < 0 || *ppm > kMaxSpeedPpm) {
    return InvalidArgument(quoted + "must be in (0, 1000000], or 0/max for unpaced");
  }
  return Speed{*ppm};
}

std::string SpeedText(Speed speed) {
  if (speed.unpaced()) return "max";
  return FormatDecimal(speed.ppm, 6) + "x";
}

Pacer::Pacer(Timestamp t0, int64_t wall0_ns, Speed speed)
    : t0_(t0), wall0_ns_(wall0_ns), speed_(speed) {
  TD_CHECK(speed.ppm >= 0 && speed.ppm <= kMaxSpeedPpm);
}

int64_t Pacer::DueWallNs(Timestamp ts) const {
  if (speed_.unpaced()) return wall0_ns_;
  const i128 market = static_cast<i128>(ts.ns) - t0_.ns;
  return Saturate(wall0_ns_ + FloorDiv(market * kSpeedOne, speed_.ppm));
}

Timestamp Pacer::MarketTimeAt(int64_t wall_ns) const {
  if (speed_.unpaced()) return t0_;
  const i128 wall = static_cast<i128>(wall_ns) - wall0_ns_;
  return Timestamp{Saturate(t0_.ns + FloorDiv(wall * speed_.ppm, kSpeedOne))};
}

int64_t Pacer::WallDelayNs(Duration market_delay) const {
  if (speed_.unpaced()) return market_delay.ns;
  const i128 d = static_cast<i128>(market_delay.ns) * kSpeedOne;
  return Saturate(-FloorDiv(-d, speed_.ppm));  // ceil
}

}  // namespace td::server
