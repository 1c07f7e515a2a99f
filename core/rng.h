// Rng: the project's deterministic random generator (xoshiro256**, seeded through
// SplitMix64) and its distributions. Every distribution is implemented here with integer
// arithmetic or IEEE-754 basic operations only (+ - * / sqrt, correctly rounded everywhere),
// never std::*_distribution or libm's log/exp, so a seed gives the same stream on gcc and
// clang, on every machine. Golden tests in tests/core/rng_test.cc pin the outputs.
// Single-threaded; a value (copying it forks the stream).
//
//   Rng rng(42);
//   int64_t latency_ns = rng.LogNormalInt(/*median=*/50'000, /*sigma_ppm=*/400'000);
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/check.h"
#include "core/status.h"

namespace td {

class Rng {
 public:
  explicit Rng(uint64_t seed);

  uint64_t NextU64();
  // Uniform integer in [0, n), unbiased (Lemire's multiply-and-reject); the primitive under
  // UniformInt, Bernoulli and EmpiricalDistribution. REQUIRES: n > 0.
  uint64_t UniformBelow(uint64_t n);
  // Uniform integer in [lo, hi], unbiased (Lemire's multiply-and-reject).
  // REQUIRES: lo <= hi.
  int64_t UniformInt(int64_t lo, int64_t hi);
  // True with probability num / den. REQUIRES: 0 <= num <= den, den > 0.
  bool Bernoulli(uint64_t num, uint64_t den);
  // Uniform double in [0, 1) with 53 random bits.
  double UniformDouble();
  // Exponential with the given mean. REQUIRES: mean >= 0 (0 gives 0, still drawing).
  double Exponential(double mean);
  // Normal(mean, stddev), Marsaglia's polar method (uses sqrt and Log below).
  double Normal(double mean, double stddev);
  // exp(Normal(mu, sigma)).
  double LogNormal(double mu, double sigma);

  // Integer conveniences for models that work in nanoseconds or ticks: the double result
  // rounded half away from zero and clamped to [0, INT64_MAX].
  int64_t ExponentialInt(int64_t mean);
  // Lognormal with the given median (e^mu) and sigma in parts per million (400'000 = 0.4).
  int64_t LogNormalInt(int64_t median, int64_t sigma_ppm);

  // State, for journaling a checkpoint and restoring it. It includes the cached spare normal
  // (as its bit pattern): without it a restored Rng would diverge at the next Normal().
  // All uint64_t, so no padding bytes: safe to hash or copy into a journal as raw bytes.
  struct State {
    uint64_t s[4];
    uint64_t has_spare_normal = 0;   // 0 or 1
    uint64_t spare_normal_bits = 0;  // std::bit_cast<uint64_t>(the spare), 0 when none
  };
  State state() const;
  void set_state(const State& st);

 private:
  // UniformBelow's rare path: the first draw's product `m` fell in the zone that may be
  // rejected. REQUIRES: n > 0, the low word of m below n.
  uint64_t UniformBelowRejecting(uint64_t n, unsigned __int128 m);

  uint64_t s_[4];
  // Marsaglia's polar method makes two normals at a time; the second is kept here.
  bool has_spare_normal_ = false;
  double spare_normal_ = 0.0;
};

// NextU64, UniformBelow and Bernoulli are here, inline: the venue and its links draw a few
// Bernoullis per message, and the call cost more than the generator.

// xoshiro256** 1.0 (Blackman and Vigna, https://prng.di.unimi.it/xoshiro256starstar.c).
inline uint64_t Rng::NextU64() {
  const uint64_t result = std::rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = std::rotl(s_[3], 45);
  return result;
}

// Lemire, "Fast Random Integer Generation in an Interval" (2019), algorithm 5: the high word
// of x * n is uniform once the low words below 2^64 mod n are rejected. That threshold is
// below n, so a low word >= n is always kept without computing it.
inline uint64_t Rng::UniformBelow(uint64_t n) {
  TD_CHECK_MSG(n > 0, "UniformBelow(0)");
  const unsigned __int128 m = static_cast<unsigned __int128>(NextU64()) * n;
  if (static_cast<uint64_t>(m) < n) return UniformBelowRejecting(n, m);
  return static_cast<uint64_t>(m >> 64);
}

inline bool Rng::Bernoulli(uint64_t num, uint64_t den) {
  TD_CHECK_MSG(den > 0 && num <= den, "Bernoulli: REQUIRES 0 <= num <= den, den > 0");
  // Always one draw, even for 0/den and den/den: the stream position must not depend on the
  // probability, or a config change would shift every later random decision.
  return UniformBelow(den) < num;
}

// Deterministic natural logarithm and exponential from IEEE basic operations only
// (range reduction by exact power-of-two scaling, then a polynomial). Accurate to a few
// ulp, and, more to the point, bit-identical on every conforming compiler and machine.
double DetLog(double x);  // REQUIRES: x > 0 and finite
double DetExp(double x);  // saturates to +inf above ~709.78 and to 0 below ~-745

// A histogram to sample from: bins [lower, upper) with integer weights. Sampling picks a bin
// with probability weight / total weight, then a uniform integer inside it. Used for
// empirical latency fitted from a recorded journal.
class EmpiricalDistribution {
 public:
  static constexpr size_t kMaxBins = 1 << 16;
  struct Bin {
    int64_t lower = 0;
    int64_t upper = 0;  // exclusive; REQUIRES upper > lower
    uint64_t weight = 0;
  };
  // Errors: no bins, more than kMaxBins, a bin with upper <= lower, total weight 0 or
  // overflowing uint64. Bins with weight 0 are allowed (never sampled).
  static Result<EmpiricalDistribution> Create(std::vector<Bin> bins);

  int64_t Sample(Rng& rng) const;
  const std::vector<Bin>& bins() const { return bins_; }

 private:
  std::vector<Bin> bins_;
  std::vector<uint64_t> cumulative_;  // cumulative_[i] = sum of weights of bins 0..i
};

}  // namespace td
