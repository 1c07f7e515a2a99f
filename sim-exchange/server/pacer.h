// Real-time pacing of a market replay: the wall time at which a record of market time `ts` is
// due is W0 + (ts - T0) / X, computed from the absolute anchors every time (never by adding up
// relative sleeps), so rounding and scheduling delays never accumulate into drift. The speed
// X is an exact integer in millionths (1x = 1'000'000); speed 0 ("max") means unpaced: every
// record is due at once. Pure value: the caller reads its clock and passes wall times in (ns
// of any monotonic clock).
//
//   Result<Speed> speed = ParseSpeed("2.5");   // or "1", "0.25", "max", "0"
//   Pacer pacer(first_record_ts, steady_now_ns, *speed);
//   int64_t due_ns = pacer.DueWallNs(record.ts);
//   Timestamp market_now = pacer.MarketTimeAt(steady_now_ns);
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/time.h"

namespace td::server {

inline constexpr int64_t kSpeedOne = 1'000'000;                          // 1x, in millionths
inline constexpr int64_t kMaxSpeedPpm = int64_t{1'000'000} * kSpeedOne;  // 1,000,000x

struct Speed {
  int64_t ppm = kSpeedOne;  // 0 = unpaced (as fast as possible)
  static constexpr Speed Max() { return Speed{0}; }
  static constexpr Speed Times(int64_t x) { return Speed{x * kSpeedOne}; }
  bool unpaced() const { return ppm == 0; }
  bool operator==(const Speed&) const = default;
};

// "1", "10", "0.5", "2.25" (at most 6 decimals, in (0, 1000000]), with an optional trailing
// 'x' ("10x"); "max" or "0" for unpaced. Errors quote the text.
Result<Speed> ParseSpeed(std::string_view text);
std::string SpeedText(Speed speed);  // "max", "1x", "2.5x"

class Pacer {
 public:
  // REQUIRES: 0 <= speed.ppm <= kMaxSpeedPpm.
  Pacer(Timestamp t0, int64_t wall0_ns, Speed speed);

  // W0 + floor((ts - T0) / X), saturated to int64; a record before T0 is due before W0 (so
  // at once). Unpaced: W0 for every record.
  int64_t DueWallNs(Timestamp ts) const;
  // The inverse: T0 + floor((wall - W0) * X), saturated. Unpaced: T0 (the market clock of an
  // unpaced replay is the last record released, which the caller tracks).
  Timestamp MarketTimeAt(int64_t wall_ns) const;
  // How long a market-time delay lasts on the wall: ceil(d / X); unpaced: d (1:1).
  int64_t WallDelayNs(Duration market_delay) const;

  Timestamp t0() const { return t0_; }
  int64_t wall0_ns() const { return wall0_ns_; }
  Speed speed() const { return speed_; }

 private:
  Timestamp t0_;
  int64_t wall0_ns_ = 0;
  Speed speed_;
};

}  // namespace td::server
