// Tests of the L2 queue-position models: the fixed-point power, each model's reaction to
// trades, cancels and joins, the ordering between models on random sequences, a golden
// sequence pinning the arithmetic, and the configuration text.
#include "sim-exchange/queue_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "core/rng.h"
#include "tests/test_seed.h"

namespace td::sim {
namespace {

// ---------------------------------------------------------------- PowFraction

TEST(PowFraction, ExactPointsAndIdentities) {
  EXPECT_EQ(PowFraction(0, 2, 1), 0);
  EXPECT_EQ(PowFraction(0, 1, 3), 0);
  EXPECT_EQ(PowFraction(kProbOne, 3, 2), kProbOne);
  EXPECT_EQ(PowFraction(kProbOne / 3, 0, 1), kProbOne);  // x^0 = 1
  EXPECT_EQ(PowFraction(kProbOne / 2, 2, 1), kProbOne / 4);
  EXPECT_EQ(PowFraction(kProbOne / 4, 1, 2), kProbOne / 2);  // exact square root
  EXPECT_EQ(PowFraction(kProbOne / 8, 1, 3), kProbOne / 2);  // exact cube root
  EXPECT_EQ(PowFraction(12345678, 1, 1), 12345678);
}

// Within a few units of 2^-30 of the real power, and monotone in x.
TEST(PowFraction, CloseToRealPowerAndMonotone) {
  const int exps[][2] = {{1, 1}, {2, 1}, {3, 1}, {1, 2}, {3, 2}, {2, 3}, {8, 1}, {1, 8}, {5, 7}};
  for (const auto& e : exps) {
    int64_t prev = -1;
    for (int64_t x = 0; x <= kProbOne; x += kProbOne / 1024) {
      const int64_t p = PowFraction(x, e[0], e[1]);
      const double real = std::pow(static_cast<double>(x) / static_cast<double>(kProbOne),
                                   static_cast<double>(e[0]) / e[1]) *
                          static_cast<double>(kProbOne);
      ASSERT_NEAR(static_cast<double>(p), real, 16.0) << e[0] << "/" << e[1] << " x=" << x;
      ASSERT_GE(p, prev) << e[0] << "/" << e[1] << " x=" << x;
      ASSERT_GE(p, 0);
      ASSERT_LE(p, kProbOne);
      prev = p;
    }
  }
}

// ---------------------------------------------------------------- the models

TEST(ConservativeQueueModel, CancelsNeverMoveUsExceptBelowTheDisplayedQty) {
  ConservativeQueueModel m;
  m.OnOrderPlaced(Qty{500});
  EXPECT_EQ(m.QtyAhead().raw, 500);
  m.OnLevelChange(Qty{800});  // 300 joins behind us
  EXPECT_EQ(m.QtyAhead().raw, 500);
  m.OnLevelChange(Qty{600});  // 200 canceled: assumed behind us
  EXPECT_EQ(m.QtyAhead().raw, 500);
  m.OnLevelChange(Qty{400});  // the level shows less than we had ahead: capped
  EXPECT_EQ(m.QtyAhead().raw, 400);
  EXPECT_EQ(m.FilledQty(Qty{150}).raw, 0);
  m.OnTrade(Qty{150});
  EXPECT_EQ(m.QtyAhead().raw, 250);
  EXPECT_EQ(m.FilledQty(Qty{300}).raw, 50);  // a query: no state change
  EXPECT_EQ(m.QtyAhead().raw, 250);
  m.OnTrade(Qty{300});
  EXPECT_EQ(m.QtyAhead().raw, 0);
  EXPECT_EQ(m.FilledQty(Qty{7}).raw, 7);
}

// A decrease already explained by trades at our price is not a cancel, in either model.
TEST(QueueModels, TradesExplainTheFollowingDecrease) {
  for (const char* text : {"conservative", "probabilistic:1/1", "probabilistic:0/1"}) {
    auto m = MakeQueueModel(*ParseQueueModelConfig(text));
    m->OnOrderPlaced(Qty{500});
    m->OnLevelChange(Qty{1000});  // 500 behind us
    m->OnTrade(Qty{100});
    m->OnTrade(Qty{50});
    EXPECT_EQ(m->QtyAhead().raw, 350) << text;
    m->OnLevelChange(Qty{850});  // exactly the trades
    EXPECT_EQ(m->QtyAhead().raw, 350) << text;
    m->OnTrade(Qty{50});
    m->OnLevelChange(Qty{900});  // a trade and a join at once: nothing canceled
    EXPECT_EQ(m->QtyAhead().raw, 300) << text;
  }
}

// Of a cancel of 200 with 500 ahead and 500 behind (x = 1/2), the share credited ahead is
// 200 * (1/2)^(num/den), rounded down.
TEST(ProbabilisticQueueModel, CreditsTheExpectedShareAhead) {
  struct Case {
    int num, den;
    int64_t ahead_after;
  };
  const Case cases[] = {
      {1, 1, 400},  // proportional: 100 ahead
      {2, 1, 450},  // 1/4: 50
      {3, 1, 475},  // 1/8: 25
      {1, 2, 359},  // sqrt(1/2) = 0.7071: 141
      {0, 1, 300},  // always ahead: 200
  };
  for (const Case& c : cases) {
    ProbabilisticQueueModel m(c.num, c.den);
    m.OnOrderPlaced(Qty{500});
    m.OnLevelChange(Qty{1000});
    m.OnLevelChange(Qty{800});
    EXPECT_EQ(m.QtyAhead().raw, c.ahead_after) << c.num << "/" << c.den;
  }
}

// Right after we join, nobody is behind us: a cancel can only come from ahead.
TEST(ProbabilisticQueueModel, CancelWithNobodyBehindComesFromAhead) {
  ProbabilisticQueueModel m(8, 1);
  m.OnOrderPlaced(Qty{500});
  m.OnLevelChange(Qty{300});
  EXPECT_EQ(m.QtyAhead().raw, 300);
  // A cancel larger than the queue behind: the rest came from ahead.
  m.OnLevelChange(Qty{400});  // 100 behind
  m.OnLevelChange(Qty{100});  // 300 canceled, at most 100 of them behind
  EXPECT_EQ(m.QtyAhead().raw, 100);
}

// On any sequence the conservative model keeps the most ahead, "always ahead" (exponent 0)
// the least, and every model stays within [0, displayed level].
TEST(QueueModels, OrderedAndBoundedOnRandomSequences) {
  Rng rng(TestSeed(20240808));
  for (int run = 0; run < 200; ++run) {
    std::vector<std::unique_ptr<QueueModel>> models;
    for (const char* t : {"conservative", "probabilistic:3/1", "probabilistic:3/2",
                          "probabilistic:1/1", "probabilistic:1/3", "probabilistic:0/1"}) {
      models.push_back(MakeQueueModel(*ParseQueueModelConfig(t)));
    }
    int64_t level = rng.UniformInt(0, 100'000'000);
    for (auto& m : models) m->OnOrderPlaced(Qty{level});
    for (int step = 0; step < 200; ++step) {
      if (rng.Bernoulli(1, 3) && level > 0) {
        const int64_t t = rng.UniformInt(1, level);
        for (auto& m : models) {
          const int64_t expected_fill = std::max<int64_t>(0, t - m->QtyAhead().raw);
          ASSERT_EQ(m->FilledQty(Qty{t}).raw, expected_fill);
          m->OnTrade(Qty{t});
        }
        level -= t;
      }
      level = std::max<int64_t>(0, level + rng.UniformInt(-40'000'000, 40'000'000));
      for (auto& m : models) m->OnLevelChange(Qty{level});
      for (size_t i = 0; i < models.size(); ++i) {
        const int64_t a = models[i]->QtyAhead().raw;
        ASSERT_GE(a, 0);
        ASSERT_LE(a, level);
        if (i > 0) {
          ASSERT_LE(a, models[0]->QtyAhead().raw) << "run " << run << " step " << step;
          ASSERT_GE(a, models.back()->QtyAhead().raw) << "run " << run << " step " << step;
        }
      }
    }
  }
}

constexpr int64_t kGoldenAhead = 571106918;
constexpr uint64_t kGoldenChecksum = 6942533317106680771u;

// A fixed sequence gives fixed numbers: the arithmetic is integer, so these hold on every
// compiler and machine; a change here changes simulation results.
TEST(QueueModels, GoldenSequence) {
  ProbabilisticQueueModel m(3, 2);
  Rng rng(7);
  int64_t level = 5'000'000'000;  // 50 BTC at 8 decimals
  m.OnOrderPlaced(Qty{level});
  level *= 2;  // as much joins behind us
  m.OnLevelChange(Qty{level});
  uint64_t checksum = 0;
  for (int step = 0; step < 40; ++step) {
    if (rng.Bernoulli(1, 4) && level > 0) {
      const int64_t t = rng.UniformInt(1, level / 10 + 1);
      m.OnTrade(Qty{t});
      level = std::max<int64_t>(0, level - t);
    }
    level = std::max<int64_t>(0, level + rng.UniformInt(-300'000'000, 310'000'000));
    m.OnLevelChange(Qty{level});
    checksum = checksum * 31 + static_cast<uint64_t>(m.QtyAhead().raw);
  }
  std::printf("golden: ahead %lld checksum %llu\n", static_cast<long long>(m.QtyAhead().raw),
              static_cast<unsigned long long>(checksum));
  EXPECT_EQ(m.QtyAhead().raw, kGoldenAhead);
  EXPECT_EQ(checksum, kGoldenChecksum);
}

TEST(QueueModelConfig, ParsesAndPrints) {
  auto c = ParseQueueModelConfig("conservative");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->kind, QueueModelKind::kConservative);
  c = ParseQueueModelConfig("probabilistic");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(QueueModelConfigText(*c), "probabilistic:2/1");
  c = ParseQueueModelConfig("probabilistic:3/2");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->exponent_num, 3);
  EXPECT_EQ(c->exponent_den, 2);
  EXPECT_EQ(QueueModelConfigText(*c), "probabilistic:3/2");
  for (const char* bad : {"", "fifo", "probabilistic:", "probabilistic:3", "probabilistic:3/",
                          "probabilistic:/2", "probabilistic:3/0", "probabilistic:9/1",
                          "probabilistic:-1/2", "probabilistic:1.5/1", "probabilistic3/2"}) {
    EXPECT_FALSE(ParseQueueModelConfig(bad).ok()) << bad;
  }
  EXPECT_NE(ParseQueueModelConfig("fifo").status().message().find("\"fifo\""), std::string::npos);
}

TEST(QueueModelDeathTest, TradeBeforePlacementIsAProgrammerError) {
  EXPECT_DEATH(
      {
        ConservativeQueueModel m;
        m.OnTrade(Qty{1});
      },
      "trade before the order was placed");
}

}  // namespace
}  // namespace td::sim
