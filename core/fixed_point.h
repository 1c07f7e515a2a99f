// Fixed-point numbers for prices, quantities and money, and exact decimal text conversion.
// No floating point ever enters state: text is parsed digit by digit into int64 and formatted
// back the same way, with an error (never silent rounding) on overflow or excess decimals.
//
//   Price p = *Price::Parse("585.33");           // p.raw == 585'330'000'000
//   Qty q = *Qty::Parse("0.015", /*decimals=*/3); // q.raw == 15
//   FormatDecimal(p.raw, Price::kDecimals) == "585.33"
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace td {

// Parses decimal text ("-12.345", "7", "+0.5") into an integer scaled by 10^decimals.
// Grammar, strict on purpose: [+-]? digit+ ('.' digit+)?. So ".5", "1.", "-", "." and ""
// are errors, as are whitespace, exponents ("1e5"), and more fractional digits than
// `decimals` unless the extra digits are all zero ("1.50" at 1 decimal is 15; LOBSTER's
// "43002.632812672004" at 9 decimals is an error, never silently rounded). Values outside
// int64 (INT64_MIN itself is accepted) are OutOfRange; the rest InvalidArgument. Messages
// quote the text: `invalid decimal "12a": unexpected character 'a' at position 2`.
// REQUIRES: 0 <= decimals <= 18.
Result<int64_t> ParseDecimal(std::string_view text, int decimals);

// Formats raw / 10^decimals exactly, trimming trailing fractional zeros ("585.33", "7",
// "-0.000000001"). REQUIRES: 0 <= decimals <= 18.
std::string FormatDecimal(int64_t raw, int decimals);

// Same as FormatDecimal but always prints exactly `decimals` fractional digits.
std::string FormatDecimalFixed(int64_t raw, int decimals);

// Integer division with explicit rounding. REQUIRES: den != 0.
int64_t DivFloor(int64_t num, int64_t den);
int64_t DivCeil(int64_t num, int64_t den);
int64_t DivRound(int64_t num, int64_t den);  // half away from zero

// a * b / den without intermediate overflow (128-bit), rounded half away from zero.
// Returns an OutOfRange status when the result does not fit in int64.
Result<int64_t> MulDivRound(int64_t a, int64_t b, int64_t den);

// Price in units of 1e-9 of the quote currency.
struct Price {
  static constexpr int kDecimals = 9;
  static constexpr int64_t kScale = 1'000'000'000;
  int64_t raw = 0;

  static Result<Price> Parse(std::string_view text);
  std::string ToString() const { return FormatDecimal(raw, kDecimals); }
  constexpr auto operator<=>(const Price&) const = default;
};

// Money (cash, PnL, fees) in units of 1e-9 of the currency ("nanos").
struct Money {
  static constexpr int kDecimals = 9;
  static constexpr int64_t kScale = 1'000'000'000;
  int64_t raw = 0;

  static Result<Money> Parse(std::string_view text);
  std::string ToString() const { return FormatDecimal(raw, kDecimals); }
  constexpr auto operator<=>(const Money&) const = default;
  constexpr Money operator+(Money o) const { return {raw + o.raw}; }
  constexpr Money operator-(Money o) const { return {raw - o.raw}; }
  constexpr Money& operator+=(Money o) { raw += o.raw; return *this; }
};

// Quantity in units of 10^-decimals, the decimals being a property of the instrument
// (InstrumentDef::qty_decimals): 0 for shares, 8 for BTC. The scale is not stored here;
// arithmetic between quantities of different instruments is a programmer error.
struct Qty {
  int64_t raw = 0;

  static Result<Qty> Parse(std::string_view text, int decimals);
  std::string ToString(int decimals) const { return FormatDecimal(raw, decimals); }
  constexpr auto operator<=>(const Qty&) const = default;
  constexpr Qty operator+(Qty o) const { return {raw + o.raw}; }
  constexpr Qty operator-(Qty o) const { return {raw - o.raw}; }
  constexpr Qty& operator+=(Qty o) { raw += o.raw; return *this; }
  constexpr Qty& operator-=(Qty o) { raw -= o.raw; return *this; }
};

// Notional value of qty at price: price * qty / 10^qty_decimals, rounded half away from
// zero, as Money. OutOfRange when it does not fit.
Result<Money> Notional(Price price, Qty qty, int qty_decimals);

}  // namespace td
