// FeeSchedule: exact maker/taker fees and rebates, per-unit charges, rounding modes and
// increments, volume tiers, and the configuration errors Create reports.
#include "sim-exchange/fees.h"

#include <gtest/gtest.h>

namespace td::sim {
namespace {

Price Px(const char* text) { return *Price::Parse(text); }
Money Usd(const char* text) { return *Money::Parse(text); }

FeeSchedule Make(FeeScheduleSpec spec) {
  Result<FeeSchedule> r = FeeSchedule::Create(std::move(spec));
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return std::move(r).value();
}

TEST(FeeSchedule, TakerFeeIsExactOnNotional) {
  // 100 shares at 585.33 = 58'533.00 notional; 3 bps = 17.5599.
  const FeeSchedule f = Make({.base = {.maker_ubps = -200'000, .taker_ubps = 3'000'000}});
  EXPECT_EQ(f.FeeFor(Liquidity::kTaker, Px("585.33"), Qty{100}, 0), Usd("17.5599"));
}

TEST(FeeSchedule, NegativeMakerFeeIsARebate) {
  // -0.2 bps on 58'533.00 = -1.170660.
  const FeeSchedule f = Make({.base = {.maker_ubps = -200'000, .taker_ubps = 3'000'000}});
  EXPECT_EQ(f.FeeFor(Liquidity::kMaker, Px("585.33"), Qty{100}, 0), Usd("-1.17066"));
}

TEST(FeeSchedule, NoLiquidityFlagNoFee) {
  const FeeSchedule f = Make({.base = {.maker_ubps = 1, .taker_ubps = 1}});
  EXPECT_EQ(f.FeeFor(Liquidity::kNone, Px("10"), Qty{100}, 0), Money{0});
}

TEST(FeeSchedule, FractionalQuantityUsesInstrumentDecimals) {
  // 0.015 BTC (3 decimals) at 43'002.63 = 645.03945; 10 bps = 0.645039450.
  const FeeSchedule f = Make({.base = {.taker_ubps = 10 * kMicroBpsPerBps}});
  EXPECT_EQ(f.FeeFor(Liquidity::kTaker, Px("43002.63"), Qty{15}, 3), Usd("0.64503945"));
  // The same at 8 decimals.
  EXPECT_EQ(f.FeeFor(Liquidity::kTaker, Px("43002.63"), Qty{1'500'000}, 8), Usd("0.64503945"));
}

TEST(FeeSchedule, PerUnitChargeAddsToTheRate) {
  // $0.0030 per share taker plus 0.1 bps: 200 x 0.003 = 0.60, 2000.00 notional x 0.1 bps = 0.02.
  const FeeSchedule f = Make({.base = {.taker_ubps = 100'000, .taker_per_unit_nanos = 3'000'000}});
  EXPECT_EQ(f.FeeFor(Liquidity::kTaker, Px("10"), Qty{200}, 0), Usd("0.62"));
  // Per whole unit: 0.5 of a unit at 2 decimals pays half.
  const FeeSchedule g = Make({.base = {.maker_per_unit_nanos = -2'000'000}});
  EXPECT_EQ(g.FeeFor(Liquidity::kMaker, Px("10"), Qty{50}, 2), Usd("-0.001"));
}

TEST(FeeSchedule, RoundingModesToTheCent) {
  const Money cent{10'000'000};
  auto fee = [&](FeeRounding mode, Liquidity liq) {
    const FeeSchedule f = Make({.base = {.maker_ubps = -200'000, .taker_ubps = 10'000'000},
                                .rounding = mode,
                                .increment = cent});
    return liq == Liquidity::kTaker ? f.FeeFor(liq, Px("43002.63"), Qty{15}, 3)  // 0.64503945
                                    : f.FeeFor(liq, Px("585.33"), Qty{100}, 0);  // -1.17066
  };
  EXPECT_EQ(fee(FeeRounding::kHalfAwayFromZero, Liquidity::kTaker), Usd("0.65"));
  EXPECT_EQ(fee(FeeRounding::kUp, Liquidity::kTaker), Usd("0.65"));
  EXPECT_EQ(fee(FeeRounding::kDown, Liquidity::kTaker), Usd("0.64"));
  EXPECT_EQ(fee(FeeRounding::kTowardZero, Liquidity::kTaker), Usd("0.64"));
  EXPECT_EQ(fee(FeeRounding::kHalfAwayFromZero, Liquidity::kMaker), Usd("-1.17"));
  EXPECT_EQ(fee(FeeRounding::kUp, Liquidity::kMaker), Usd("-1.17"));
  EXPECT_EQ(fee(FeeRounding::kDown, Liquidity::kMaker), Usd("-1.18"));
  EXPECT_EQ(fee(FeeRounding::kTowardZero, Liquidity::kMaker), Usd("-1.17"));
}

TEST(FeeSchedule, ExactHalfRoundsAwayFromZero) {
  // 100.00 notional at 0.5 bps = 0.005: to the cent, half away from zero.
  const FeeSchedule f = Make(
      {.base = {.maker_ubps = -500'000, .taker_ubps = 500'000}, .increment = Money{10'000'000}});
  EXPECT_EQ(f.FeeFor(Liquidity::kTaker, Px("1"), Qty{100}, 0), Usd("0.01"));
  EXPECT_EQ(f.FeeFor(Liquidity::kMaker, Px("1"), Qty{100}, 0), Usd("-0.01"));
}

TEST(FeeSchedule, SubNanoFeesRoundAtTheNano) {
  // 1 share at 0.0001 with 1 ubps: 1e-14 of a currency unit.
  const FeeSchedule up = Make({.base = {.taker_ubps = 1}, .rounding = FeeRounding::kUp});
  EXPECT_EQ(up.FeeFor(Liquidity::kTaker, Px("0.0001"), Qty{1}, 0), Money{1});
  const FeeSchedule half = Make({.base = {.taker_ubps = 1}});
  EXPECT_EQ(half.FeeFor(Liquidity::kTaker, Px("0.0001"), Qty{1}, 0), Money{0});
}

TEST(FeeSchedule, VolumeTiersSelectTheRates) {
  const FeeRates base{.maker_ubps = 0, .taker_ubps = 10 * kMicroBpsPerBps};
  const FeeRates t1{.maker_ubps = -100'000, .taker_ubps = 8 * kMicroBpsPerBps};
  const FeeRates t2{.maker_ubps = -200'000, .taker_ubps = 6 * kMicroBpsPerBps};
  FeeSchedule f = Make({.base = base, .tiers = {{Usd("1000000"), t1}, {Usd("10000000"), t2}}});
  EXPECT_EQ(f.rates(), base);
  f.SetVolume30d(Usd("999999.99"));
  EXPECT_EQ(f.rates(), base);
  f.SetVolume30d(Usd("1000000"));
  EXPECT_EQ(f.rates(), t1);
  EXPECT_EQ(f.FeeFor(Liquidity::kTaker, Px("100"), Qty{100}, 0), Usd("8"));
  f.SetVolume30d(Usd("50000000"));
  EXPECT_EQ(f.rates(), t2);
  EXPECT_EQ(f.FeeFor(Liquidity::kMaker, Px("100"), Qty{100}, 0), Usd("-0.2"));
  f.SetVolume30d(Money{0});
  EXPECT_EQ(f.rates(), base);
}

TEST(FeeSchedule, CreateRejectsBadConfigurations) {
  EXPECT_FALSE(FeeSchedule::Create({.increment = Money{0}}).ok());
  EXPECT_FALSE(FeeSchedule::Create({.base = {.taker_ubps = kMaxFeeRateUbps + 1}}).ok());
  EXPECT_FALSE(
      FeeSchedule::Create({.base = {.maker_per_unit_nanos = -kMaxPerUnitFeeNanos - 1}}).ok());
  const Result<FeeSchedule> unsorted =
      FeeSchedule::Create({.tiers = {{Usd("1000"), FeeRates{}}, {Usd("1000"), FeeRates{}}}});
  ASSERT_FALSE(unsorted.ok());
  EXPECT_NE(unsorted.status().message().find("fee tier 1"), std::string::npos);
  EXPECT_FALSE(FeeSchedule::Create({.tiers = {{Usd("-1"), FeeRates{}}}}).ok());
}

}  // namespace
}  // namespace td::sim
