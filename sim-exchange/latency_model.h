// LatencyModel: seeded one-way delays, in integer nanoseconds, for the simulated exchange:
// constant, uniform, lognormal or an empirical histogram, each optionally with AR(1) burst
// correlation so that slow periods persist instead of every message drawing independently.
// A LatencyProfile holds the three delays of a venue link (order entry, venue responses,
// market data), each with its own AR(1) state. Values, single-threaded; randomness comes
// only from the Rng passed in (docs/models.md gives the math).
//
//   LatencySpec spec;
//   spec.kind = LatencyKind::kLogNormal;
//   spec.median_ns = 200'000;
//   spec.sigma_ppm = 400'000;  // sigma 0.4
//   spec.phi_ppm = 900'000;    // bursts: successive delays correlate at 0.9
//   Result<LatencyModel> m = LatencyModel::Create(spec);
//   int64_t delay_ns = m->Sample(rng);
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "core/rng.h"
#include "core/status.h"

namespace td::sim {

enum class LatencyKind : uint8_t { kConstant = 1, kUniform, kLogNormal, kEmpirical };

std::string_view LatencyKindName(LatencyKind kind);

// Every bound is inclusive and in nanoseconds.
inline constexpr int64_t kMaxLatencyNs = 3'600'000'000'000;  // one hour: beyond is a config bug
inline constexpr int64_t kPpm = 1'000'000;

struct LatencySpec {
  LatencyKind kind = LatencyKind::kConstant;
  int64_t constant_ns = 0;                       // kConstant
  int64_t lo_ns = 0, hi_ns = 0;                  // kUniform: [lo, hi]
  int64_t median_ns = 0;                         // kLogNormal: e^mu
  int64_t sigma_ppm = 0;                         // kLogNormal: sigma * 1e6
  std::vector<EmpiricalDistribution::Bin> bins;  // kEmpirical, bounds in ns
  // AR(1) correlation of successive samples, phi * 1e6 in [0, 1e6): 0 = independent draws.
  int64_t phi_ppm = 0;
  // Every sample is clamped to [min_ns, max_ns] (after the AR(1) step, whose own state is not
  // clamped: with phi > 0 a draw can leave the base distribution's range, never this one).
  int64_t min_ns = 0;
  int64_t max_ns = kMaxLatencyNs;
};

// A constant delay: the one-line spec most configs start from.
inline LatencySpec ConstantLatencySpec(int64_t ns) {
  LatencySpec spec;
  spec.constant_ns = ns;
  return spec;
}

class LatencyModel {
 public:
  // Errors name the offending field: negative or reversed bounds, sigma out of range, phi
  // outside [0, 1e6), an invalid histogram.
  static Result<LatencyModel> Create(LatencySpec spec);
  static LatencyModel Constant(int64_t ns);  // REQUIRES: 0 <= ns <= kMaxLatencyNs

  // The next delay, in [min_ns, max_ns]. kConstant draws nothing from `rng`; the others draw
  // the same way whatever the AR(1) setting, so turning correlation on does not shift the
  // rest of a simulation's random stream.
  int64_t Sample(Rng& rng) { return fixed_ns_ >= 0 ? fixed_ns_ : Step(rng); }

  // The stationary mean (the AR(1) centre mu): exact for constant, uniform and empirical,
  // median * e^(sigma^2 / 2) rounded for lognormal.
  int64_t mean_ns() const { return mean_ns_; }
  const LatencySpec& spec() const { return spec_; }
  // Forgets the AR(1) history (the next sample starts from the mean).
  void Reset() { last_ns_ = mean_ns_; }

 private:
  explicit LatencyModel(LatencySpec spec) : spec_(std::move(spec)) {}
  int64_t Draw(Rng& rng) const;
  // Sample for every model but a constant one without AR(1): the base draw, then the AR(1) step.
  int64_t Step(Rng& rng);

  LatencySpec spec_;
  EmpiricalDistribution empirical_;  // kEmpirical only
  int64_t mean_ns_ = 0;
  int64_t innovation_ppm_ = kPpm;  // sqrt(1 - phi^2) * 1e6, so the spread stays the base one
  int64_t last_ns_ = 0;            // x_{t-1}, before clamping to [min_ns, max_ns]
  // >= 0: every sample is this value (a constant without AR(1): no draw, and last_ns_ is never
  // read); -1 otherwise. Sample is on the path of every message of a simulated link.
  int64_t fixed_ns_ = -1;
};

// Fits an empirical latency histogram to observed delays (say, ack latencies measured from a
// live journal). Bins are log-spaced and integer-exact: values below `bins_per_octave` get a
// bin each; above, every octave [2^k, 2^(k+1)) is cut into `bins_per_octave` equal bins
// (HDR-histogram layout), so the relative bin width is at most 1 / bins_per_octave. Only
// non-empty bins are kept. REQUIRES: bins_per_octave a power of two in [1, 1024]. Errors: no
// observations, a negative one, more than kMaxFitObservations.
inline constexpr size_t kMaxFitObservations = size_t{1} << 28;
Result<EmpiricalDistribution> FitEmpiricalLatency(std::span<const int64_t> observed_ns,
                                                  int bins_per_octave);

// The three delays of one venue link. Each keeps its own AR(1) state.
struct LatencyProfile {
  LatencyModel order_entry = LatencyModel::Constant(0);     // engine -> venue
  LatencyModel venue_response = LatencyModel::Constant(0);  // venue -> engine (acks, fills)
  LatencyModel market_data = LatencyModel::Constant(0);     // venue feed -> engine
};

}  // namespace td::sim
