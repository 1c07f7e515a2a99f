// Tests for sim-exchange/latency_model: each distribution's bounds and loose statistics
// (seeded), the AR(1) correlation it promises, determinism goldens, validation errors, and
// the log-spaced histogram fit.
#include "sim-exchange/latency_model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace td::sim {
namespace {

LatencyModel Make(const LatencySpec& spec) {
  Result<LatencyModel> m = LatencyModel::Create(spec);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return std::move(m).value();
}

LatencySpec Uniform(int64_t lo, int64_t hi) {
  LatencySpec s;
  s.kind = LatencyKind::kUniform;
  s.lo_ns = lo;
  s.hi_ns = hi;
  return s;
}

LatencySpec LogNormal(int64_t median, int64_t sigma_ppm) {
  LatencySpec s;
  s.kind = LatencyKind::kLogNormal;
  s.median_ns = median;
  s.sigma_ppm = sigma_ppm;
  return s;
}

int64_t Mean(const std::vector<int64_t>& v) {
  __int128 sum = 0;
  for (int64_t x : v) sum += x;
  return static_cast<int64_t>(sum / static_cast<__int128>(v.size()));
}

// Lag-1 autocorrelation in ppm, computed in doubles: only a test statistic.
int64_t Lag1Ppm(const std::vector<int64_t>& v) {
  double mean = 0;
  for (int64_t x : v) mean += static_cast<double>(x);
  mean /= static_cast<double>(v.size());
  double num = 0, den = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    const double d = static_cast<double>(v[i]) - mean;
    den += d * d;
    if (i > 0) num += d * (static_cast<double>(v[i - 1]) - mean);
  }
  return static_cast<int64_t>(num / den * 1e6);
}

std::vector<int64_t> Draw(LatencyModel m, uint64_t seed, int n) {
  Rng rng(seed);
  std::vector<int64_t> out;
  for (int i = 0; i < n; ++i) out.push_back(m.Sample(rng));
  return out;
}

TEST(LatencyModel, ConstantDrawsNothing) {
  LatencyModel m = LatencyModel::Constant(42'000);
  Rng rng(1), untouched(1);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(m.Sample(rng), 42'000);
  EXPECT_EQ(rng.NextU64(), untouched.NextU64());
  EXPECT_EQ(m.mean_ns(), 42'000);
}

TEST(LatencyModel, UniformStaysInBoundsAndCentres) {
  const std::vector<int64_t> v = Draw(Make(Uniform(100, 200)), 7, 100'000);
  EXPECT_EQ(*std::min_element(v.begin(), v.end()), 100);
  EXPECT_EQ(*std::max_element(v.begin(), v.end()), 200);
  EXPECT_NEAR(Mean(v), 150, 1);
}

TEST(LatencyModel, LogNormalMedianAndMean) {
  LatencyModel m = Make(LogNormal(200'000, 500'000));
  // e^(0.125) = 1.1331...: the AR(1) centre is the mean, not the median.
  EXPECT_NEAR(m.mean_ns(), 226'630, 2);
  std::vector<int64_t> v = Draw(m, 11, 100'001);
  std::nth_element(v.begin(), v.begin() + 50'000, v.end());
  EXPECT_NEAR(v[50'000], 200'000, 3'000);
  EXPECT_NEAR(Mean(v), 226'630, 3'000);
}

TEST(LatencyModel, EmpiricalSamplesOnlyItsBins) {
  LatencySpec s;
  s.kind = LatencyKind::kEmpirical;
  s.bins = {{10, 20, 3}, {100, 101, 1}};
  LatencyModel m = Make(s);
  // Mean of midpoints: (3 * 14.5 + 1 * 100) / 4 = 35.875 -> 36.
  EXPECT_EQ(m.mean_ns(), 36);
  int high = 0;
  for (int64_t x : Draw(m, 3, 40'000)) {
    ASSERT_TRUE((x >= 10 && x < 20) || x == 100) << x;
    high += x == 100;
  }
  EXPECT_NEAR(high, 10'000, 500);
}

TEST(LatencyModel, BurstCorrelationHasPromisedLag1AndKeepsMeanAndSpread) {
  // Far enough from 0 that the AR(1) excursions (up to (phi + sqrt(1 - phi^2)) times the
  // half-width) are never clamped.
  LatencySpec independent = Uniform(1'000'000, 2'000'000);
  LatencySpec bursty = independent;
  bursty.phi_ppm = 900'000;
  const std::vector<int64_t> a = Draw(Make(independent), 5, 200'000);
  const std::vector<int64_t> b = Draw(Make(bursty), 5, 200'000);
  EXPECT_NEAR(Lag1Ppm(a), 0, 10'000);
  EXPECT_NEAR(Lag1Ppm(b), 900'000, 10'000);
  EXPECT_NEAR(Mean(b), 1'500'000, 10'000);
  // sqrt(1 - phi^2) scaling keeps the stationary variance that of the base distribution.
  auto var = [](const std::vector<int64_t>& v) {
    double m = 0, s = 0;
    for (int64_t x : v) m += static_cast<double>(x);
    m /= static_cast<double>(v.size());
    for (int64_t x : v) s += (static_cast<double>(x) - m) * (static_cast<double>(x) - m);
    return s / static_cast<double>(v.size());
  };
  EXPECT_NEAR(var(b) / var(a), 1.0, 0.1);
}

TEST(LatencyModel, ClampsToMinAndMax) {
  LatencySpec s = LogNormal(1'000, 2'000'000);
  s.min_ns = 500;
  s.max_ns = 2'000;
  for (int64_t x : Draw(Make(s), 9, 10'000)) {
    ASSERT_GE(x, 500);
    ASSERT_LE(x, 2'000);
  }
}

TEST(LatencyModel, CorrelationDoesNotShiftTheRandomStream) {
  LatencySpec s = Uniform(0, 1000);
  LatencySpec c = s;
  c.phi_ppm = 500'000;
  LatencyModel a = Make(s), b = Make(c);
  Rng ra(77), rb(77);
  for (int i = 0; i < 1000; ++i) {
    a.Sample(ra);
    b.Sample(rb);
  }
  EXPECT_EQ(ra.NextU64(), rb.NextU64());
}

// Pins the exact outputs: a change here changes every recorded simulation.
TEST(LatencyModel, GoldenStream) {
  LatencySpec s = LogNormal(250'000, 400'000);
  s.phi_ppm = 800'000;
  LatencyModel m = Make(s);
  Rng rng(1);
  std::vector<int64_t> got;
  for (int i = 0; i < 6; ++i) got.push_back(m.Sample(rng));
  const std::vector<int64_t> golden = {427'075, 395'161, 460'315, 329'809, 334'264, 268'339};
  EXPECT_EQ(got, golden);
}

TEST(LatencyModel, RejectsBadSpecs) {
  EXPECT_FALSE(LatencyModel::Create(Uniform(10, 5)).ok());
  EXPECT_FALSE(LatencyModel::Create(Uniform(-1, 5)).ok());
  EXPECT_FALSE(LatencyModel::Create(LogNormal(0, 100)).ok());
  EXPECT_FALSE(LatencyModel::Create(LogNormal(100, 6'000'000)).ok());
  LatencySpec phi = Uniform(0, 1);
  phi.phi_ppm = 1'000'000;
  Result<LatencyModel> r = LatencyModel::Create(phi);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("phi"), std::string::npos) << r.status().message();
  LatencySpec empty;
  empty.kind = LatencyKind::kEmpirical;
  EXPECT_FALSE(LatencyModel::Create(empty).ok());
}

TEST(FitEmpiricalLatency, LogSpacedIntegerBins) {
  // Octave [64, 128) with 4 bins per octave: bins 16 wide; [8, 16): 2 wide; below 4: unit.
  const std::vector<int64_t> obs = {0, 3, 3, 9, 64, 79, 80, 127, 1'000'000};
  Result<EmpiricalDistribution> d = FitEmpiricalLatency(obs, 4);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  std::vector<std::tuple<int64_t, int64_t, uint64_t>> bins;
  for (const auto& b : d->bins()) bins.emplace_back(b.lower, b.upper, b.weight);
  const std::vector<std::tuple<int64_t, int64_t, uint64_t>> want = {{0, 1, 1},
                                                                    {3, 4, 2},
                                                                    {8, 10, 1},
                                                                    {64, 80, 2},
                                                                    {80, 96, 1},
                                                                    {112, 128, 1},
                                                                    {917'504, 1'048'576, 1}};
  EXPECT_EQ(bins, want);
}

TEST(FitEmpiricalLatency, RelativeWidthBoundedAndSamplesNearData) {
  Rng rng(21);
  LatencyModel truth = Make(LogNormal(300'000, 300'000));
  std::vector<int64_t> obs;
  for (int i = 0; i < 50'000; ++i) obs.push_back(truth.Sample(rng));
  Result<EmpiricalDistribution> d = FitEmpiricalLatency(obs, 16);
  ASSERT_TRUE(d.ok());
  for (const auto& b : d->bins()) {
    EXPECT_LE((b.upper - b.lower) * 16, b.lower) << b.lower;  // width <= lower / 16
  }
  LatencySpec s;
  s.kind = LatencyKind::kEmpirical;
  s.bins = d->bins();
  LatencyModel fitted = Make(s);
  EXPECT_NEAR(fitted.mean_ns(), Mean(obs), Mean(obs) / 50);
}

TEST(FitEmpiricalLatency, Errors) {
  EXPECT_FALSE(FitEmpiricalLatency({}, 8).ok());
  const std::vector<int64_t> negative = {5, -1};
  Result<EmpiricalDistribution> r = FitEmpiricalLatency(negative, 8);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("observation 1"), std::string::npos);
}

TEST(LatencyProfile, IndependentStates) {
  LatencySpec s = Uniform(0, 1000);
  s.phi_ppm = 990'000;
  LatencyProfile p{Make(s), Make(s), LatencyModel::Constant(5)};
  Rng rng(3);
  for (int i = 0; i < 100; ++i) p.order_entry.Sample(rng);
  // venue_response has not moved from its mean: its first sample stays close to it.
  LatencyModel fresh = Make(s);
  Rng r1(99), r2(99);
  EXPECT_EQ(p.venue_response.Sample(r1), fresh.Sample(r2));
  EXPECT_EQ(p.market_data.Sample(rng), 5);
}

}  // namespace
}  // namespace td::sim
