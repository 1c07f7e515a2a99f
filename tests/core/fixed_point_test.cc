// Tests for core/fixed_point: strict decimal parsing with quoted error messages, exact
// formatting that round-trips every int64, and integer division with explicit rounding.
#include "core/fixed_point.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>

#include "core/rng.h"
#include "tests/test_seed.h"

namespace td {
namespace {

constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

int64_t ParseOk(std::string_view text, int decimals) {
  const Result<int64_t> r = ParseDecimal(text, decimals);
  EXPECT_TRUE(r.ok()) << '"' << text << "\": " << r.status().ToString();
  return r.ok() ? *r : 0;
}

// ---- ParseDecimal -----------------------------------------------------------------------------

TEST(ParseDecimal, AcceptsSignDigitsAndFraction) {
  EXPECT_EQ(ParseOk("585.33", 9), 585'330'000'000);
  EXPECT_EQ(ParseOk("7", 0), 7);
  EXPECT_EQ(ParseOk("7", 9), 7'000'000'000);
  EXPECT_EQ(ParseOk("+0.5", 1), 5);
  EXPECT_EQ(ParseOk("-12.345", 3), -12'345);
  EXPECT_EQ(ParseOk("-12.3", 3), -12'300);
  EXPECT_EQ(ParseOk("0.000000001", 9), 1);
  EXPECT_EQ(ParseOk("-0.000000001", 9), -1);
  EXPECT_EQ(ParseOk("-0", 2), 0);
  EXPECT_EQ(ParseOk("007.50", 2), 750);
  EXPECT_EQ(ParseOk("00000000000000000000000000000001", 0), 1);  // leading zeros never overflow
}

TEST(ParseDecimal, ExtraFractionalDigitsAreFineWhenAllZero) {
  EXPECT_EQ(ParseOk("1.50", 1), 15);
  EXPECT_EQ(ParseOk("1.000000000000", 9), 1'000'000'000);
  EXPECT_EQ(ParseOk("2.0", 0), 2);
}

TEST(ParseDecimal, TooManyNonZeroDecimalsIsAnErrorNeverARounding) {
  // LOBSTER prices written through a float: the tail digits are noise, not half-ticks.
  const Result<int64_t> r = ParseDecimal("43002.632812672004", 9);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "invalid decimal \"43002.632812672004\": too many decimals (at most 9, and the "
            "extra digits are not all zero)");
  EXPECT_FALSE(ParseDecimal("1.05", 1).ok());
  EXPECT_FALSE(ParseDecimal("1.5", 0).ok());
  EXPECT_FALSE(ParseDecimal("1.0000000001", 9).ok());
}

TEST(ParseDecimal, RejectsMalformedTextWithAQuotedMessage) {
  struct Case {
    std::string text;
    std::string message;
  };
  const Case kCases[] = {
      {"", "invalid decimal \"\": empty"},
      {"-", "invalid decimal \"-\": no digits"},
      {"+", "invalid decimal \"+\": no digits"},
      {".", "invalid decimal \".\": no digits before '.'"},
      {".5", "invalid decimal \".5\": no digits before '.'"},
      {"-.5", "invalid decimal \"-.5\": no digits before '.'"},
      {"1.", "invalid decimal \"1.\": no digits after '.'"},
      {"12a", "invalid decimal \"12a\": unexpected character 'a' at position 2"},
      {" 1", "invalid decimal \" 1\": unexpected character ' ' at position 0"},
      {"1 ", "invalid decimal \"1 \": unexpected character ' ' at position 1"},
      {"1e5", "invalid decimal \"1e5\": unexpected character 'e' at position 1"},
      {"1E5", "invalid decimal \"1E5\": unexpected character 'E' at position 1"},
      {"1,5", "invalid decimal \"1,5\": unexpected character ',' at position 1"},
      {"--1", "invalid decimal \"--1\": unexpected character '-' at position 1"},
      {"+-1", "invalid decimal \"+-1\": unexpected character '-' at position 1"},
      {"1.2.3", "invalid decimal \"1.2.3\": unexpected character '.' at position 3"},
      {"1.x", "invalid decimal \"1.x\": unexpected character 'x' at position 2"},
      {"0x10", "invalid decimal \"0x10\": unexpected character 'x' at position 1"},
      {"nan", "invalid decimal \"nan\": unexpected character 'n' at position 0"},
      {"-inf", "invalid decimal \"-inf\": unexpected character 'i' at position 1"},
      {"1\t", "invalid decimal \"1\\x09\": unexpected character '\\x09' at position 1"},
      {std::string("1\0", 2),
       "invalid decimal \"1\\x00\": unexpected character '\\x00' at "
       "position 1"},
      {"\"1\"", "invalid decimal \"\\\"1\\\"\": unexpected character '\\\"' at position 0"},
  };
  for (const Case& c : kCases) {
    const Result<int64_t> r = ParseDecimal(c.text, 4);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << c.text;
    EXPECT_EQ(r.status().message(), c.message);
  }
}

TEST(ParseDecimal, LongTextIsCutInTheMessage) {
  const std::string text = std::string(100, '1') + "x";
  const Result<int64_t> r = ParseDecimal(text, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "invalid decimal \"" + std::string(64, '1') +
                                      "...\": unexpected character 'x' at position 100");
}

TEST(ParseDecimal, Int64LimitsAtEveryScale) {
  EXPECT_EQ(ParseOk("9223372036854775807", 0), kInt64Max);
  EXPECT_EQ(ParseOk("-9223372036854775808", 0), kInt64Min);
  EXPECT_EQ(ParseOk("9223372036.854775807", 9), kInt64Max);
  EXPECT_EQ(ParseOk("-9223372036.854775808", 9), kInt64Min);
  EXPECT_EQ(ParseOk("9.223372036854775807", 18), kInt64Max);
  EXPECT_EQ(ParseOk("-9.223372036854775808", 18), kInt64Min);
  EXPECT_EQ(ParseOk("-9.2233720368547758080000", 18), kInt64Min);

  struct Case {
    const char* text;
    int decimals;
  };
  const Case kOverflows[] = {
      {"9223372036854775808", 0},
      {"-9223372036854775809", 0},
      {"9223372036.854775808", 9},
      {"-9223372036.854775809", 9},
      {"9223372037", 9},
      {"9223372037.0", 9},
      {"10", 18},
      {"99999999999999999999999", 0},
      {"18446744073709551616", 0},
      {"-18446744073709551616", 0},
  };
  for (const Case& c : kOverflows) {
    const Result<int64_t> r = ParseDecimal(c.text, c.decimals);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().code(), StatusCode::kOutOfRange) << c.text;
    EXPECT_EQ(r.status().message(), "decimal \"" + std::string(c.text) +
                                        "\" does not fit in int64 at " +
                                        std::to_string(c.decimals) + " decimals");
  }
}

// ---- FormatDecimal ----------------------------------------------------------------------------

TEST(FormatDecimal, TrimsTrailingZeros) {
  EXPECT_EQ(FormatDecimal(585'330'000'000, 9), "585.33");
  EXPECT_EQ(FormatDecimal(7'000'000'000, 9), "7");
  EXPECT_EQ(FormatDecimal(-1, 9), "-0.000000001");
  EXPECT_EQ(FormatDecimal(0, 9), "0");
  EXPECT_EQ(FormatDecimal(-5, 0), "-5");
  EXPECT_EQ(FormatDecimal(-50, 1), "-5");
  EXPECT_EQ(FormatDecimal(kInt64Min, 0), "-9223372036854775808");
  EXPECT_EQ(FormatDecimal(kInt64Max, 0), "9223372036854775807");
  EXPECT_EQ(FormatDecimal(kInt64Min, 18), "-9.223372036854775808");
  EXPECT_EQ(FormatDecimal(kInt64Min, 9), "-9223372036.854775808");
}

TEST(FormatDecimalFixed, PrintsExactlyTheGivenDecimals) {
  EXPECT_EQ(FormatDecimalFixed(585'330'000'000, 9), "585.330000000");
  EXPECT_EQ(FormatDecimalFixed(0, 2), "0.00");
  EXPECT_EQ(FormatDecimalFixed(-5, 2), "-0.05");
  EXPECT_EQ(FormatDecimalFixed(7, 0), "7");
  EXPECT_EQ(FormatDecimalFixed(1, 18), "0.000000000000000001");
}

TEST(FormatDecimal, RoundTripsEveryInt64AtEveryScale) {
  Rng rng(TestSeed());
  for (int decimals = 0; decimals <= 18; ++decimals) {
    std::vector<int64_t> values = {kInt64Min, kInt64Min + 1, -1, 0, 1, kInt64Max - 1, kInt64Max};
    for (int i = 0; i < 2000; ++i) {
      // Mix full-width values with short ones, where trailing zeros and padding show up.
      const int64_t v = rng.UniformInt(kInt64Min, kInt64Max);
      values.push_back(i % 2 == 0 ? v : v >> rng.UniformInt(0, 63));
    }
    for (int64_t v : values) {
      const std::string text = FormatDecimal(v, decimals);
      ASSERT_EQ(ParseOk(text, decimals), v) << text << " at " << decimals << " decimals";
      const std::string fixed = FormatDecimalFixed(v, decimals);
      ASSERT_EQ(ParseOk(fixed, decimals), v) << fixed << " at " << decimals << " decimals";
    }
  }
}

// ---- Division ---------------------------------------------------------------------------------

TEST(Division, RoundsAsNamed) {
  struct Case {
    int64_t num, den, floor, ceil, round;
  };
  const Case kCases[] = {
      {7, 2, 3, 4, 4},
      {-7, 2, -4, -3, -4},
      {7, -2, -4, -3, -4},
      {-7, -2, 3, 4, 4},
      {5, 3, 1, 2, 2},
      {4, 3, 1, 2, 1},
      {-4, 3, -2, -1, -1},
      {-5, 3, -2, -1, -2},
      {6, 3, 2, 2, 2},
      {-6, 3, -2, -2, -2},
      {0, 5, 0, 0, 0},
      {1, 2, 0, 1, 1},
      {-1, 2, -1, 0, -1},
      {1, 3, 0, 1, 0},
      {kInt64Max, 1, kInt64Max, kInt64Max, kInt64Max},
      {kInt64Min, 1, kInt64Min, kInt64Min, kInt64Min},
      {kInt64Min, 2, kInt64Min / 2, kInt64Min / 2, kInt64Min / 2},
      {kInt64Min, -2, kInt64Max / 2 + 1, kInt64Max / 2 + 1, kInt64Max / 2 + 1},
      {kInt64Max, 2, kInt64Max / 2, kInt64Max / 2 + 1, kInt64Max / 2 + 1},
      {kInt64Min, kInt64Max, -2, -1, -1},
      {kInt64Max, kInt64Min, -1, 0, -1},
      {kInt64Min + 1, kInt64Min, 0, 1, 1},
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(DivFloor(c.num, c.den), c.floor) << c.num << " / " << c.den;
    EXPECT_EQ(DivCeil(c.num, c.den), c.ceil) << c.num << " / " << c.den;
    EXPECT_EQ(DivRound(c.num, c.den), c.round) << c.num << " / " << c.den;
  }
}

TEST(Division, PropertiesHoldForRandomOperands) {
  Rng rng(TestSeed());
  for (int i = 0; i < 100'000; ++i) {
    const int64_t num = rng.UniformInt(kInt64Min + 1, kInt64Max) >> rng.UniformInt(0, 62);
    int64_t den = rng.UniformInt(kInt64Min + 1, kInt64Max) >> rng.UniformInt(0, 63);
    if (den == 0) den = 1;
    const __int128 n = num, d = den;
    const __int128 f = DivFloor(num, den), c = DivCeil(num, den), r = DivRound(num, den);
    // floor: the largest q with q * d <= n (for d > 0; mirrored for d < 0).
    ASSERT_TRUE(d > 0 ? f * d <= n && n < (f + 1) * d : f * d >= n && n > (f + 1) * d);
    ASSERT_EQ(c, n % d == 0 ? f : f + 1);
    // round: within half of the divisor, ties away from zero.
    const __int128 twice_error = 2 * (n - r * d);
    const __int128 abs_d = d < 0 ? -d : d;
    ASSERT_LE(twice_error < 0 ? -twice_error : twice_error, abs_d) << num << " / " << den;
    if (twice_error == abs_d || twice_error == -abs_d) {
      ASSERT_EQ(r < 0, (num < 0) != (den < 0)) << num << " / " << den;
    }
  }
}

TEST(MulDivRound, UsesA128BitIntermediate) {
  EXPECT_EQ(*MulDivRound(3, 5, 2), 8);  // 7.5
  EXPECT_EQ(*MulDivRound(-3, 5, 2), -8);
  EXPECT_EQ(*MulDivRound(3, 5, -2), -8);
  EXPECT_EQ(*MulDivRound(1, 1, 3), 0);
  EXPECT_EQ(*MulDivRound(2, 1, 3), 1);
  EXPECT_EQ(*MulDivRound(kInt64Max, kInt64Max, kInt64Max), kInt64Max);
  EXPECT_EQ(*MulDivRound(kInt64Min, kInt64Min, kInt64Min), kInt64Min);
  EXPECT_EQ(*MulDivRound(kInt64Min, -1, -1), kInt64Min);
  EXPECT_EQ(*MulDivRound(kInt64Max, 3, 4), 6'917'529'027'641'081'855);  // ...855.25
}

// Products that fit in 64 bits take a shorter path: it must agree with 128-bit arithmetic
// (quotient, and rounding half away from zero) on both sides of that boundary.
TEST(MulDivRound, AgreesWith128BitArithmeticOnSmallAndLargeProducts) {
  Rng rng(TestSeed());
  for (int i = 0; i < 200'000; ++i) {
    const int64_t bound = rng.Bernoulli(1, 2) ? int64_t{1} << 31 : kInt64Max;
    const int64_t a = rng.UniformInt(-bound, bound), b = rng.UniformInt(-bound, bound);
    int64_t den = rng.UniformInt(-1000, 1000);
    if (den == 0) den = 1;
    const __int128 product = static_cast<__int128>(a) * b;
    __int128 q = product / den;
    const __int128 r = product % den;
    const __int128 abs_r = r < 0 ? -r : r, abs_den = den < 0 ? -den : den;
    if (abs_r * 2 >= abs_den) q += (product < 0) != (den < 0) ? -1 : 1;
    const Result<int64_t> got = MulDivRound(a, b, den);
    if (q > kInt64Max || q < kInt64Min) {
      ASSERT_FALSE(got.ok()) << a << " * " << b << " / " << den;
    } else {
      ASSERT_TRUE(got.ok()) << a << " * " << b << " / " << den;
      ASSERT_EQ(*got, static_cast<int64_t>(q)) << a << " * " << b << " / " << den;
    }
  }
}

TEST(MulDivRound, OutOfRangeWhenTheResultDoesNotFit) {
  const Result<int64_t> r = MulDivRound(kInt64Max, 2, 1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(r.status().message(), "9223372036854775807 * 2 / 1 does not fit in int64");
  EXPECT_FALSE(MulDivRound(kInt64Min, -1, 1).ok());
  EXPECT_FALSE(MulDivRound(kInt64Min, 1, -1).ok());
  // Rounding alone decides the edges: (2^32 - 1)(2^32 + 1) / 2 = 2^63 - 0.5 rounds up to 2^63,
  // one past INT64_MAX, while its negation rounds to -2^63, which is INT64_MIN and fits.
  EXPECT_FALSE(MulDivRound(4'294'967'295, 4'294'967'297, 2).ok());
  EXPECT_EQ(*MulDivRound(-4'294'967'295, 4'294'967'297, 2), kInt64Min);
}

TEST(DivisionDeathTest, ZeroDivisorAndInt64MinOverMinusOne) {
  EXPECT_DEATH(DivFloor(1, 0), "den != 0");
  EXPECT_DEATH(DivCeil(1, 0), "den != 0");
  EXPECT_DEATH(DivRound(1, 0), "den != 0");
  EXPECT_DEATH((void)MulDivRound(1, 1, 0), "den != 0");
  EXPECT_DEATH(DivFloor(kInt64Min, -1), "INT64_MIN / -1");
  EXPECT_DEATH(DivRound(kInt64Min, -1), "INT64_MIN / -1");
}

// ---- Price, Money, Qty, Notional --------------------------------------------------------------

TEST(Price, ParsesAtNineDecimals) {
  const Result<Price> p = Price::Parse("585.33");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->raw, 585'330'000'000);
  EXPECT_EQ(p->ToString(), "585.33");
  EXPECT_LT(*Price::Parse("585.32"), *p);
  const Result<Price> bad = Price::Parse("585.33 ");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "invalid decimal \"585.33 \": unexpected character ' ' at position 6");
}

TEST(Money, ParsesAndAdds) {
  Money m = *Money::Parse("-1.5");
  EXPECT_EQ(m.raw, -1'500'000'000);
  m += *Money::Parse("0.25");
  EXPECT_EQ(m.ToString(), "-1.25");
  EXPECT_EQ((m - Money{250'000'000}).ToString(), "-1.5");
  EXPECT_FALSE(Money::Parse("1e3").ok());
}

TEST(Qty, ParsesAtTheInstrumentDecimals) {
  EXPECT_EQ(Qty::Parse("0.015", 3)->raw, 15);
  EXPECT_EQ(Qty::Parse("100", 0)->raw, 100);
  EXPECT_EQ(Qty::Parse("0.00000001", 8)->raw, 1);
  EXPECT_FALSE(Qty::Parse("0.5", 0).ok());
  EXPECT_EQ(Qty{15}.ToString(3), "0.015");
}

TEST(Notional, PriceTimesQtyRoundedHalfAwayFromZero) {
  // 100 shares at 585.33
  EXPECT_EQ(Notional(*Price::Parse("585.33"), Qty{100}, 0)->raw, 58'533'000'000'000);
  // 0.015 BTC (8 decimals) at 43002.5 = 645.0375
  EXPECT_EQ(Notional(*Price::Parse("43002.5"), *Qty::Parse("0.015", 8), 8)->ToString(), "645.0375");
  // 1 nano * 0.5 = 0.5 nano: away from zero, for a short position too.
  EXPECT_EQ(Notional(Price{1}, Qty{5}, 1)->raw, 1);
  EXPECT_EQ(Notional(Price{1}, Qty{-5}, 1)->raw, -1);
  EXPECT_EQ(Notional(Price{1}, Qty{4}, 1)->raw, 0);
}

TEST(Notional, OutOfRangeNamesTheOperands) {
  const Result<Money> n = Notional(*Price::Parse("1000000000"), Qty{1'000'000}, 0);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(n.status().message(),
            "notional of qty 1000000 at price 1000000000 does not fit in Money");
}

}  // namespace
}  // namespace td
