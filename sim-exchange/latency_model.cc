// LatencyModel: the base draws, the integer AR(1) step and the log-spaced histogram fit.
// Doubles appear only inside Rng's distributions and in two correctly rounded constants
// computed once per model (sqrt(1 - phi^2), the lognormal mean), so results are bit-identical
// on every compiler (DESIGN.md, principle 3).
#include "sim-exchange/latency_model.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <map>
#include <string>

#include "core/fixed_point.h"

namespace td::sim {
namespace {

// floor(sqrt(x)) for x < 2^53: the double sqrt is correctly rounded, the loops fix the last
// unit so the result is exact whatever the rounding did.
int64_t FloorSqrt(int64_t x) {
  auto r = static_cast<int64_t>(std::sqrt(static_cast<double>(x)));
  while (r > 0 && r * r > x) --r;
  while ((r + 1) * (r + 1) <= x) ++r;
  return r;
}

int64_t Clamp(int64_t v, int64_t lo, int64_t hi) { return std::min(std::max(v, lo), hi); }

Status CheckRange(std::string_view field, int64_t v, int64_t lo, int64_t hi) {
  if (v >= lo && v <= hi) return Status::Ok();
  return InvalidArgument("latency " + std::string(field) + " = " + std::to_string(v) +
                         " is outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
}

}  // namespace

std::string_view LatencyKindName(LatencyKind kind) {
  switch (kind) {
    case LatencyKind::kConstant:
      return "constant";
    case LatencyKind::kUniform:
      return "uniform";
    case LatencyKind::kLogNormal:
      return "lognormal";
    case LatencyKind::kEmpirical:
      return "empirical";
  }
  return "unknown";
}

Result<LatencyModel> LatencyModel::Create(LatencySpec spec) {
  TD_RETURN_IF_ERROR(CheckRange("min", spec.min_ns, 0, kMaxLatencyNs));
  TD_RETURN_IF_ERROR(CheckRange("max", spec.max_ns, spec.min_ns, kMaxLatencyNs));
  TD_RETURN_IF_ERROR(CheckRange("phi (ppm)", spec.phi_ppm, 0, kPpm - 1));
  LatencyModel m(spec);
  switch (spec.kind) {
    case LatencyKind::kConstant:
      TD_RETURN_IF_ERROR(CheckRange("value", spec.constant_ns, 0, kMaxLatencyNs));
      m.mean_ns_ = spec.constant_ns;
      break;
    case LatencyKind::kUniform:
      TD_RETURN_IF_ERROR(CheckRange("lo", spec.lo_ns, 0, kMaxLatencyNs));
      TD_RETURN_IF_ERROR(CheckRange("hi", spec.hi_ns, spec.lo_ns, kMaxLatencyNs));
      m.mean_ns_ = spec.lo_ns + (spec.hi_ns - spec.lo_ns) / 2;
      break;
    case LatencyKind::kLogNormal: {
      TD_RETURN_IF_ERROR(CheckRange("median", spec.median_ns, 1, kMaxLatencyNs));
      // sigma above 5 puts the mean e^(sigma^2/2) ~ 2.7e5 times the median: not a latency.
      TD_RETURN_IF_ERROR(CheckRange("sigma (ppm)", spec.sigma_ppm, 0, 5 * kPpm));
      const double sigma = static_cast<double>(spec.sigma_ppm) / 1e6;
      const double mean = static_cast<double>(spec.median_ns) * DetExp(sigma * sigma / 2.0);
      m.mean_ns_ = mean >= static_cast<double>(kMaxLatencyNs)
                       ? kMaxLatencyNs
                       : static_cast<int64_t>(std::round(mean));
      break;
    }
    case LatencyKind::kEmpirical: {
      for (const EmpiricalDistribution::Bin& b : spec.bins) {
        if (b.lower < 0 || b.upper > kMaxLatencyNs + 1) {
          return InvalidArgument("latency histogram bin [" + std::to_string(b.lower) + ", " +
                                 std::to_string(b.upper) + ") is outside [0, 1h]");
        }
      }
      Result<EmpiricalDistribution> dist = EmpiricalDistribution::Create(spec.bins);
      if (!dist.ok()) return dist.status();
      m.empirical_ = std::move(dist).value();
      // Mean of the bin midpoints (a uniform integer in [lower, upper - 1] has mean
      // (lower + upper - 1) / 2), weighted; 128-bit so no realistic histogram overflows.
      __int128 num = 0;
      __int128 den = 0;
      for (const EmpiricalDistribution::Bin& b : m.empirical_.bins()) {
        num += static_cast<__int128>(b.lower + b.upper - 1) * b.weight;
        den += static_cast<__int128>(b.weight) * 2;
      }
      m.mean_ns_ = static_cast<int64_t>((num + den / 2) / den);
      break;
    }
    default:
      return InvalidArgument("latency kind " + std::to_string(static_cast<int>(spec.kind)) +
                             " is unknown");
  }
  m.innovation_ppm_ = FloorSqrt(kPpm * kPpm - spec.phi_ppm * spec.phi_ppm);
  m.last_ns_ = m.mean_ns_;
  if (spec.kind == LatencyKind::kConstant && spec.phi_ppm == 0) {
    m.fixed_ns_ = Clamp(spec.constant_ns, spec.min_ns, spec.max_ns);
  }
  return m;
}

LatencyModel LatencyModel::Constant(int64_t ns) {
  Result<LatencyModel> m = Create(ConstantLatencySpec(ns));
  TD_CHECK_MSG(m.ok(), m.status().ToString().c_str());
  return std::move(m).value();
}

int64_t LatencyModel::Draw(Rng& rng) const {
  switch (spec_.kind) {
    case LatencyKind::kConstant:
      return spec_.constant_ns;
    case LatencyKind::kUniform:
      return rng.UniformInt(spec_.lo_ns, spec_.hi_ns);
    case LatencyKind::kLogNormal:
      return std::min(rng.LogNormalInt(spec_.median_ns, spec_.sigma_ppm), kMaxLatencyNs);
    case LatencyKind::kEmpirical:
      return empirical_.Sample(rng);
  }
  TD_CHECK_MSG(false, "LatencyModel: unknown kind");
  return 0;
}

// x_t = mu + phi (x_{t-1} - mu) + sqrt(1 - phi^2) (y_t - mu), y_t the base draw: the
// stationary mean is mu and the stationary spread the base one, while the lag-1
// autocorrelation is phi. 128-bit products, rounded half away from zero.
int64_t LatencyModel::Step(Rng& rng) {
  const int64_t y = Draw(rng);
  int64_t x = y;
  if (spec_.phi_ppm != 0) {
    const __int128 sum = static_cast<__int128>(spec_.phi_ppm) * (last_ns_ - mean_ns_) +
                         static_cast<__int128>(innovation_ppm_) * (y - mean_ns_);
    const __int128 half = kPpm / 2;
    const __int128 step = sum >= 0 ? (sum + half) / kPpm : -((-sum + half) / kPpm);
    // The state stays unclamped (within +-kMaxLatencyNs, so it cannot overflow): clamping it
    // would bias the mean and shorten the memory of the process near the bounds.
    x = Clamp(static_cast<int64_t>(mean_ns_ + step), -kMaxLatencyNs, kMaxLatencyNs);
  }
  last_ns_ = x;
  return Clamp(x, spec_.min_ns, spec_.max_ns);
}

Result<EmpiricalDistribution> FitEmpiricalLatency(std::span<const int64_t> observed_ns,
                                                  int bins_per_octave) {
  TD_CHECK_MSG(bins_per_octave >= 1 && bins_per_octave <= 1024 &&
                   std::has_single_bit(static_cast<unsigned>(bins_per_octave)),
               "FitEmpiricalLatency: bins_per_octave must be a power of two in [1, 1024]");
  if (observed_ns.empty()) return InvalidArgument("latency fit: no observations");
  if (observed_ns.size() > kMaxFitObservations) {
    return InvalidArgument("latency fit: " + std::to_string(observed_ns.size()) +
                           " observations, more than the " + std::to_string(kMaxFitObservations) +
                           " allowed");
  }
  const int sub_bits = std::countr_zero(static_cast<unsigned>(bins_per_octave));
  std::map<int64_t, EmpiricalDistribution::Bin> bins;  // by lower bound: ascending output
  for (size_t i = 0; i < observed_ns.size(); ++i) {
    const int64_t v = observed_ns[i];
    if (v < 0 || v > kMaxLatencyNs) {
      return InvalidArgument("latency fit: observation " + std::to_string(i) + " = " +
                             std::to_string(v) + " ns is outside [0, 1h]");
    }
    // Octave k holds [2^k, 2^(k+1)); its bins are 2^(k - sub_bits) wide, or 1 wide when the
    // octave has fewer values than bins.
    const int k = static_cast<int>(std::bit_width(static_cast<uint64_t>(v))) - 1;
    const int shift = std::max(0, k - sub_bits);
    const int64_t lower = (v >> shift) << shift;
    EmpiricalDistribution::Bin& b = bins[lower];
    b.lower = lower;
    b.upper = lower + (int64_t{1} << shift);
    ++b.weight;
  }
  std::vector<EmpiricalDistribution::Bin> out;
  out.reserve(bins.size());
  for (const auto& [lower, bin] : bins) out.push_back(bin);
  return EmpiricalDistribution::Create(std::move(out));
}

}  // namespace td::sim
