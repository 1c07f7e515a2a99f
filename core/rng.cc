// xoshiro256** and its distributions, from integer arithmetic and IEEE-754 basic operations
// only (DESIGN.md, principle 3). Any change to an output here breaks every recorded replay:
// the goldens in tests/core/rng_test.cc must keep passing unchanged.
#include "core/rng.h"

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>

// Bit-identical results need every double operation rounded once, to double. The build passes
// -ffp-contract=off (no fused multiply-add); the pragmas repeat it here so that a build of this
// file without the flag (-march=native with FMA contracted a*b+c and changed the goldens under
// gcc 12) still matches. A platform that keeps wider intermediates (x87) is refused outright.
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif
static_assert(FLT_EVAL_METHOD == 0, "doubles must be evaluated in double precision");
static_assert(std::numeric_limits<double>::is_iec559, "IEEE-754 doubles required");
static_assert(std::has_unique_object_representations_v<td::Rng::State>, "State has padding");

namespace td {
namespace {

// Rejection loops end with probability 1; a bound this far beyond any plausible run of
// rejections (each under 1/2 likely) turns a broken generator into a check failure.
constexpr int kMaxRejections = 1000;

// SplitMix64 (Steele, Lea, Flood 2014), as recommended by the xoshiro authors to expand a
// 64-bit seed: its outputs are a bijection of the counter, so the state is never all zero.
uint64_t SplitMix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

// Rounded half away from zero, clamped to [0, INT64_MAX]; NaN gives 0. std::round is exact
// (IEEE roundToIntegralTiesAway), not a transcendental, so it is the same everywhere.
int64_t RoundToNonNegativeInt64(double x) {
  if (!(x > 0.0)) return 0;
  if (x >= 0x1p63) return std::numeric_limits<int64_t>::max();
  return static_cast<int64_t>(std::round(x));
}

}  // namespace

Rng::Rng(uint64_t seed) {
  uint64_t x = seed;
  for (uint64_t& word : s_) word = SplitMix64(x);
}

// NextU64 and UniformBelow's common path are inline in rng.h.
uint64_t Rng::UniformBelowRejecting(uint64_t n, unsigned __int128 m) {
  auto low = static_cast<uint64_t>(m);
  const uint64_t threshold = (0 - n) % n;  // 2^64 mod n
  for (int tries = 0; low < threshold; ++tries) {
    TD_CHECK_MSG(tries < kMaxRejections, "UniformBelow: endless rejections");
    m = static_cast<unsigned __int128>(NextU64()) * n;
    low = static_cast<uint64_t>(m);
  }
  return static_cast<uint64_t>(m >> 64);
}

int64_t Rng::UniformInt(int64_t lo, int64_t hi) {
  TD_CHECK_MSG(lo <= hi, "UniformInt: lo > hi");
  // Unsigned wrap-around gives the width even for [INT64_MIN, INT64_MAX].
  const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
  const uint64_t offset =
      span == std::numeric_limits<uint64_t>::max() ? NextU64() : UniformBelow(span + 1);
  return static_cast<int64_t>(static_cast<uint64_t>(lo) + offset);
}

double Rng::UniformDouble() { return static_cast<double>(NextU64() >> 11) * 0x1p-53; }

double Rng::Exponential(double mean) {
  TD_CHECK_MSG(mean >= 0.0, "Exponential: mean must be >= 0");
  // 1 - u is exact (u is a multiple of 2^-53) and in (0, 1], so the log is finite.
  const double u = UniformDouble();
  return mean * (0.0 - DetLog(1.0 - u));
}

double Rng::Normal(double mean, double stddev) {
  if (has_spare_normal_) {
    has_spare_normal_ = false;
    return mean + stddev * spare_normal_;
  }
  double u = 0.0;
  double v = 0.0;
  double s = 0.0;  // u^2 + v^2: the pair is kept when it lies inside the unit circle
  for (int tries = 0;; ++tries) {
    TD_CHECK_MSG(tries < kMaxRejections, "Normal: endless rejections");
    u = 2.0 * UniformDouble() - 1.0;
    v = 2.0 * UniformDouble() - 1.0;
    s = u * u + v * v;
    if (s < 1.0 && s > 0.0) break;
  }
  const double factor = std::sqrt(-2.0 * DetLog(s) / s);
  spare_normal_ = v * factor;
  has_spare_normal_ = true;
  return mean + stddev * (u * factor);
}

double Rng::LogNormal(double mu, double sigma) { return DetExp(Normal(mu, sigma)); }

int64_t Rng::ExponentialInt(int64_t mean) {
  TD_CHECK_MSG(mean >= 0, "ExponentialInt: mean must be >= 0");
  return RoundToNonNegativeInt64(Exponential(static_cast<double>(mean)));
}

int64_t Rng::LogNormalInt(int64_t median, int64_t sigma_ppm) {
  TD_CHECK_MSG(median > 0, "LogNormalInt: median must be > 0");
  TD_CHECK_MSG(sigma_ppm >= 0, "LogNormalInt: sigma_ppm must be >= 0");
  const double mu = DetLog(static_cast<double>(median));
  const double sigma = static_cast<double>(sigma_ppm) / 1e6;
  return RoundToNonNegativeInt64(LogNormal(mu, sigma));
}

Rng::State Rng::state() const {
  State st;
  std::copy(std::begin(s_), std::end(s_), std::begin(st.s));
  st.has_spare_normal = has_spare_normal_ ? 1 : 0;
  // A used spare is stale: report 0 so equal streams always give equal states.
  st.spare_normal_bits = has_spare_normal_ ? std::bit_cast<uint64_t>(spare_normal_) : 0;
  return st;
}

void Rng::set_state(const State& st) {
  TD_CHECK_MSG((st.s[0] | st.s[1] | st.s[2] | st.s[3]) != 0,
               "xoshiro256** state must not be all zero");
  TD_CHECK_MSG(st.has_spare_normal <= 1, "State::has_spare_normal must be 0 or 1");
  std::copy(std::begin(st.s), std::end(st.s), std::begin(s_));
  has_spare_normal_ = st.has_spare_normal != 0;
  spare_normal_ = std::bit_cast<double>(st.spare_normal_bits);
}

// ---- DetLog / DetExp -----------------------------------------------------------------------
//
// Both reduce the argument by an exact power of two, then evaluate a fixed polynomial with
// +, -, * and / only. The Cody-Waite split of ln 2 (the fdlibm constants: kLn2Hi has 21 zero
// low bits, so k * kLn2Hi is exact for every exponent k) keeps the reduction accurate.

namespace {

constexpr double kLn2Hi = 0x1.62e42feep-1;
constexpr double kLn2Lo = 0x1.a39ef35793c76p-33;  // ln 2 - kLn2Hi, to 2^-86
constexpr double kInvLn2 = 0x1.71547652b82fep+0;
constexpr double kSqrt2 = 0x1.6a09e667f3bcdp+0;
constexpr uint64_t kMantissaMask = (uint64_t{1} << 52) - 1;
constexpr uint64_t kExponentBias = 1023;
// exp(x) overflows above this and is below half the smallest subnormal under the other.
constexpr double kExpMaxArg = 0x1.62e42fefa39efp+9;   // 709.78...
constexpr double kExpMinArg = -0x1.74910d52d3051p+9;  // -745.13...

// 2^k as a double, built from its bits. REQUIRES: -1022 <= k <= 1023 (normal range).
double Pow2(int k) {
  return std::bit_cast<double>(static_cast<uint64_t>(k + static_cast<int>(kExponentBias)) << 52);
}

// y * 2^k with a single rounding, for the k a reduced exp argument can have (-1075..1024).
double ScaleByPow2(double y, int k) {
  if (k > 1023) return y * 2.0 * Pow2(k - 1);
  // Below the normal range: scale exactly into a normal number first, so that only the
  // final multiplication rounds (into the subnormals).
  if (k < -1022) return y * Pow2(k + 1000) * 0x1p-1000;
  return y * Pow2(k);
}

// R(z) = 2z/3 + 2z^2/5 + 2z^3/7 + ..., the atanh series tail: with s = f / (2 + f),
// log(1 + f) = 2 atanh(s) = 2s + s R(s^2). For |s| <= 0.1716 (z <= 0.0295) the first
// omitted term is below 2^-60 of the result. The coefficients are exact rationals, rounded
// once at compile time.
double AtanhTail(double z) {
  double p = 2.0 / 21.0;
  p = 2.0 / 19.0 + z * p;
  p = 2.0 / 17.0 + z * p;
  p = 2.0 / 15.0 + z * p;
  p = 2.0 / 13.0 + z * p;
  p = 2.0 / 11.0 + z * p;
  p = 2.0 / 9.0 + z * p;
  p = 2.0 / 7.0 + z * p;
  p = 2.0 / 5.0 + z * p;
  p = 2.0 / 3.0 + z * p;
  return z * p;
}

// e^r - 1 - r = r^2/2! + ... + r^13/13! for |r| <= 0.35: the first omitted term, r^14/14!, is
// below 2^-57. Factorials up to 13! are exact doubles, so each coefficient rounds once.
double ExpTail(double r) {
  double p = 1.0 / 6227020800.0;
  p = 1.0 / 479001600.0 + r * p;
  p = 1.0 / 39916800.0 + r * p;
  p = 1.0 / 3628800.0 + r * p;
  p = 1.0 / 362880.0 + r * p;
  p = 1.0 / 40320.0 + r * p;
  p = 1.0 / 5040.0 + r * p;
  p = 1.0 / 720.0 + r * p;
  p = 1.0 / 120.0 + r * p;
  p = 1.0 / 24.0 + r * p;
  p = 1.0 / 6.0 + r * p;
  p = 0.5 + r * p;
  return r * r * p;
}

}  // namespace

double DetLog(double x) {
  TD_CHECK_MSG(x > 0.0 && x <= DBL_MAX, "DetLog: REQUIRES x > 0 and finite");
  int k = 0;
  if (x < DBL_MIN) {  // subnormal: scale into the normal range, exactly
    x *= 0x1p54;
    k = -54;
  }
  // x = 2^k * m with m in [1, 2), read from the bits; then m in [sqrt(2)/2, sqrt(2)] so that
  // f = m - 1 is small on both sides of 1.
  const auto bits = std::bit_cast<uint64_t>(x);
  k += static_cast<int>(bits >> 52) - static_cast<int>(kExponentBias);
  double m = std::bit_cast<double>((bits & kMantissaMask) | (kExponentBias << 52));
  if (m > kSqrt2) {
    m *= 0.5;
    ++k;
  }
  const double f = m - 1.0;  // exact (Sterbenz)
  const double s = f / (2.0 + f);
  const double half_f_squared = 0.5 * f * f;
  const double tail = AtanhTail(s * s);
  const double dk = static_cast<double>(k);
  // log(1 + f) = f - f^2/2 + s (f^2/2 + R): f, the exact leading term, is added last so
  // the rounding error of s only touches the small correction (as fdlibm's e_log.c does).
  return dk * kLn2Hi + (f - (half_f_squared - (s * (half_f_squared + tail) + dk * kLn2Lo)));
}

double DetExp(double x) {
  if (x != x) return x;  // NaN
  if (x > kExpMaxArg) return std::numeric_limits<double>::infinity();
  if (x < kExpMinArg) return 0.0;
  // x = k ln 2 + r with |r| <= ln(2)/2 (plus a rounding hair); r = hi - lo, hi exact.
  const double kd = std::floor(x * kInvLn2 + 0.5);
  const double hi = x - kd * kLn2Hi;
  const double lo = kd * kLn2Lo;
  const double r = hi - lo;
  // e^r = 1 + hi - lo + tail, the small terms summed first.
  const double y = 1.0 + (hi - (lo - ExpTail(r)));
  return ScaleByPow2(y, static_cast<int>(kd));
}

// ---- EmpiricalDistribution -------------------------------------------------------------------

Result<EmpiricalDistribution> EmpiricalDistribution::Create(std::vector<Bin> bins) {
  const std::string where = "empirical distribution: ";
  if (bins.empty()) return InvalidArgument(where + "no bins");
  if (bins.size() > kMaxBins) {
    return InvalidArgument(where + std::to_string(bins.size()) + " bins, more than the " +
                           std::to_string(kMaxBins) + " allowed");
  }
  EmpiricalDistribution dist;
  dist.cumulative_.reserve(bins.size());
  uint64_t total = 0;
  for (size_t i = 0; i < bins.size(); ++i) {
    const Bin& b = bins[i];
    const std::string bin = "bin " + std::to_string(i) + " [" + std::to_string(b.lower) + ", " +
                            std::to_string(b.upper) + ")";
    if (b.upper <= b.lower) {
      return InvalidArgument(where + bin + " is empty: upper must be greater than lower");
    }
    if (b.weight > std::numeric_limits<uint64_t>::max() - total) {
      return InvalidArgument(where + bin + " with weight " + std::to_string(b.weight) +
                             ": total weight overflows uint64");
    }
    total += b.weight;
    dist.cumulative_.push_back(total);
  }
  if (total == 0) return InvalidArgument(where + "total weight is 0 (every bin has weight 0)");
  dist.bins_ = std::move(bins);
  return dist;
}

int64_t EmpiricalDistribution::Sample(Rng& rng) const {
  // The first bin whose cumulative weight exceeds the draw; weight-0 bins never qualify.
  const uint64_t draw = rng.UniformBelow(cumulative_.back());
  const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), draw);
  const Bin& bin = bins_[static_cast<size_t>(it - cumulative_.begin())];
  return rng.UniformInt(bin.lower, bin.upper - 1);
}

}  // namespace td
