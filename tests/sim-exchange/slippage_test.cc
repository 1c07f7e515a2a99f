// Tests for sim-exchange/slippage: the exact integer sqrt, the interval EWMAs of volatility and
// volume, the square-root law with the displayed size, tick rounding, and calibration.
#include "sim-exchange/slippage.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/rng.h"

namespace td::sim {
namespace {

constexpr int64_t kTick = 10'000'000;  // $0.01
constexpr Timestamp T0{1'700'000'000'000'000'000};

Timestamp Sec(int64_t s) { return T0 + Duration::Seconds(s); }
Price Cents(int64_t c) { return Price{c * kTick}; }

SlippageModel Make(const SlippageParams& p) {
  Result<SlippageModel> m = SlippageModel::Create(p, Price{kTick});
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return std::move(m).value();
}

TEST(IntegerSqrt, ExactOnBoundariesAndRandomInputs) {
  EXPECT_EQ(IntegerSqrt(0), 0u);
  EXPECT_EQ(IntegerSqrt(1), 1u);
  EXPECT_EQ(IntegerSqrt(3), 1u);
  EXPECT_EQ(IntegerSqrt(4), 2u);
  EXPECT_EQ(IntegerSqrt(1'000'000'000'000), 1'000'000u);
  const unsigned __int128 max = ~static_cast<unsigned __int128>(0);
  EXPECT_EQ(IntegerSqrt(max), UINT64_MAX);
  Rng rng(2024);
  for (int i = 0; i < 100'000; ++i) {
    const unsigned __int128 x =
        (static_cast<unsigned __int128>(rng.NextU64()) << rng.UniformInt(0, 64)) ^ rng.NextU64();
    const unsigned __int128 r = IntegerSqrt(x);
    ASSERT_LE(r * r, x);
    ASSERT_GT((r + 1) * (r + 1), x);  // (r+1)^2 <= 2^128 only overflows when r = 2^64-1
  }
}

TEST(Slippage, WithinDisplayedSizeFillsAtTheTouch) {
  SlippageModel m = Make({});
  m.OnQuote(Sec(0), Cents(10'000), Cents(10'002));
  EXPECT_EQ(m.Impact(Qty{100}, Qty{500}), Cents(1));  // half the spread
  EXPECT_EQ(m.ExecutionPrice(Side::kBuy, Qty{100}, Qty{500}), Cents(10'002));
  EXPECT_EQ(m.ExecutionPrice(Side::kSell, Qty{100}, Qty{500}), Cents(10'000));
}

TEST(Slippage, SquareRootLawBeyondDisplayedSize) {
  SlippageParams p;
  p.k_ppm = 1'000'000;
  p.initial_sigma = Cents(10);     // 10 cents per interval
  p.initial_volume = Qty{10'000};  // per interval
  SlippageModel m = Make(p);
  m.OnQuote(Sec(0), Cents(10'000), Cents(10'002));
  // excess 2'500 of volume 10'000: sqrt(0.25) = 0.5; impact = 1 + 1 * 10 * 0.5 = 6 cents.
  EXPECT_EQ(m.Impact(Qty{3'000}, Qty{500}), Cents(6));
  EXPECT_EQ(m.ExecutionPrice(Side::kBuy, Qty{3'000}, Qty{500}), Cents(10'007));
  EXPECT_EQ(m.ExecutionPrice(Side::kSell, Qty{3'000}, Qty{500}), Cents(9'995));
  // Four times the excess doubles the size term.
  EXPECT_EQ(m.Impact(Qty{10'500}, Qty{500}), Cents(11));
  // Depth unknown: the whole order pays.
  SlippageParams q = p;
  q.displayed_absorbs = false;
  SlippageModel n = Make(q);
  n.OnQuote(Sec(0), Cents(10'000), Cents(10'002));
  EXPECT_EQ(n.Impact(Qty{2'500}, Qty{500}), Cents(6));
}

TEST(Slippage, RoundsAwayFromTheTrader) {
  SlippageParams p;
  p.initial_sigma = Cents(1);
  p.initial_volume = Qty{100};
  SlippageModel m = Make(p);
  m.OnQuote(Sec(0), Cents(10'000), Cents(10'001));  // mid on a half tick
  // excess 1 of 100: sqrt(0.01) * 1 cent = 0.1 cent beyond the half spread, so a buy averages
  // 100.011 and pays 100.02 (rounded up), a sell averages 99.999 and gets 99.99.
  EXPECT_EQ(m.Impact(Qty{1}, Qty{0}), Price{6'000'000});
  EXPECT_EQ(m.ExecutionPrice(Side::kBuy, Qty{1}, Qty{0}), Cents(10'002));
  EXPECT_EQ(m.ExecutionPrice(Side::kSell, Qty{1}, Qty{0}), Cents(9'999));
}

TEST(Slippage, VolatilityAndVolumeEwmaPerInterval) {
  SlippageParams p;
  p.alpha_ppm = 1'000'000;  // alpha 1: the last interval alone
  SlippageModel m = Make(p);
  m.OnQuote(Sec(0), Cents(10'000), Cents(10'002));
  m.OnTrade(Sec(0), Qty{300});
  m.OnQuote(Sec(1), Cents(10'003), Cents(10'005));  // closes interval 0: no reference yet
  EXPECT_EQ(m.recent_volume(), Qty{300});
  EXPECT_EQ(m.sigma(), Price{0});
  m.OnTrade(Sec(1), Qty{700});
  m.OnQuote(Sec(2), Cents(10'000), Cents(10'002));  // mid 100.01 -> 100.04: 3 cents
  EXPECT_EQ(m.sigma(), Cents(3));
  EXPECT_EQ(m.recent_volume(), Qty{700});
}

TEST(Slippage, EmptyIntervalsDecayInOneStep) {
  SlippageParams p;
  p.alpha_ppm = 500'000;
  p.initial_volume = Qty{1'000'000};
  SlippageModel m = Make(p);
  m.OnTrade(Sec(0), Qty{0});
  m.OnTrade(Sec(1), Qty{0});  // one closed: 1e6 / 2
  EXPECT_EQ(m.recent_volume(), Qty{500'000});
  m.OnTrade(Sec(4), Qty{0});  // one closed + two empty: / 8
  EXPECT_EQ(m.recent_volume(), Qty{62'500});
  m.OnTrade(Sec(1'000'000'000), Qty{0});  // a huge gap is O(log n), and decays to 0
  EXPECT_EQ(m.recent_volume(), Qty{0});
}

TEST(Slippage, SigmaTracksARandomWalk) {
  // Mid moves +-1 cent per second at random: sigma per 1 s interval is 1 cent.
  SlippageParams p;
  p.alpha_ppm = 20'000;
  SlippageModel m = Make(p);
  Rng rng(8);
  int64_t bid = 10'000;
  for (int s = 0; s < 5'000; ++s) {
    bid += rng.UniformBelow(2) == 0 ? 1 : -1;
    m.OnQuote(Sec(s), Cents(bid), Cents(bid + 1));
  }
  EXPECT_EQ(m.sigma(), Cents(1));
}

TEST(Slippage, CapAndValidation) {
  SlippageParams p;
  p.initial_sigma = Cents(100);
  p.initial_volume = Qty{1};
  p.max_impact = Cents(5);
  SlippageModel m = Make(p);
  m.OnQuote(Sec(0), Cents(10'000), Cents(10'002));
  EXPECT_EQ(m.Impact(Qty{1'000'000'000}, Qty{0}), Cents(6));
  SlippageParams bad;
  bad.alpha_ppm = 0;
  EXPECT_FALSE(SlippageModel::Create(bad, Price{kTick}).ok());
  EXPECT_FALSE(SlippageModel::Create({}, Price{0}).ok());
  bad = {};
  bad.k_ppm = -1;
  EXPECT_FALSE(SlippageModel::Create(bad, Price{kTick}).ok());
}

TEST(Slippage, CalibrationRecoversK) {
  // Observations generated with k = 0.7 (and rounding noise) give back 0.7.
  std::vector<ImpactObservation> obs;
  Rng rng(31);
  for (int i = 0; i < 1'000; ++i) {
    const int64_t sigma = rng.UniformInt(1, 20) * kTick;
    const int64_t volume = rng.UniformInt(1'000, 100'000);
    const int64_t excess = rng.UniformInt(1, 50'000);
    const double x = static_cast<double>(sigma) * std::sqrt(static_cast<double>(excess) / volume);
    obs.push_back({Price{static_cast<int64_t>(0.7 * x)}, Price{sigma}, Qty{excess}, Qty{volume}});
  }
  Result<int64_t> k = FitImpactCoefficientPpm(obs);
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  EXPECT_NEAR(*k, 700'000, 100);
  EXPECT_FALSE(FitImpactCoefficientPpm({}).ok());
  obs[3].recent_volume = Qty{0};
  Result<int64_t> bad = FitImpactCoefficientPpm(obs);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("observation 3"), std::string::npos);
}

}  // namespace
}  // namespace td::sim
