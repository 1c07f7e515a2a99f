// Decimal text <-> scaled int64, and integer division with explicit rounding. Integer
// arithmetic only (no double anywhere), so every value parses, formats and rounds the same on
// every compiler and machine. Stateless.
#include "core/fixed_point.h"

#include <limits>

namespace td {
namespace {

constexpr int kMaxDecimals = 18;
constexpr uint64_t kInt64MinMagnitude = uint64_t{1} << 63;  // |INT64_MIN|, one more than MAX
// Error messages quote the offending text; a runaway input (a whole CSV line, a binary blob)
// is cut to this many characters so the message stays readable.
constexpr size_t kMaxQuotedChars = 64;

uint64_t Pow10(int decimals) {
  TD_CHECK_MSG(decimals >= 0 && decimals <= kMaxDecimals, "decimals must be in [0, 18]");
  uint64_t p = 1;
  for (int i = 0; i < decimals; ++i) p *= 10;
  return p;
}

// One character, printable as itself, anything else as \xNN (a NUL or a tab must be visible).
std::string Printable(char c) {
  if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') return std::string(1, c);
  if (c == '"' || c == '\\') return std::string{'\\', c};
  static constexpr char kHex[] = "0123456789abcdef";
  const auto u = static_cast<unsigned char>(c);
  return std::string{'\\', 'x', kHex[u >> 4], kHex[u & 15]};
}

// The text in double quotes, escaped and cut to kMaxQuotedChars.
std::string Quote(std::string_view text) {
  std::string out = "\"";
  for (size_t i = 0; i < text.size() && i < kMaxQuotedChars; ++i) out += Printable(text[i]);
  if (text.size() > kMaxQuotedChars) out += "...";
  out += '"';
  return out;
}

Status Invalid(std::string_view text, std::string_view why) {
  return InvalidArgument("invalid decimal " + Quote(text) + ": " + std::string(why));
}

Status UnexpectedChar(std::string_view text, size_t pos) {
  return Invalid(text, "unexpected character '" + Printable(text[pos]) + "' at position " +
                           std::to_string(pos));
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Accumulates the magnitude digit by digit (integer digits, then fraction digits, then the
// zeros that pad the fraction to `decimals`, so the result is already scaled); false when it
// would exceed `limit`. Checking before the multiply keeps every intermediate inside uint64.
bool AppendDigit(uint64_t& magnitude, int digit, uint64_t limit) {
  if (magnitude > (limit - static_cast<uint64_t>(digit)) / 10) return false;
  magnitude = magnitude * 10 + static_cast<uint64_t>(digit);
  return true;
}

// Two's-complement negation in unsigned arithmetic, so INT64_MIN needs no special case.
int64_t ApplySign(uint64_t magnitude, bool negative) {
  return static_cast<int64_t>(negative ? 0 - magnitude : magnitude);
}

uint64_t Magnitude(int64_t v) {
  const auto u = static_cast<uint64_t>(v);
  return v < 0 ? 0 - u : u;
}

// Digits of `v`, zero-padded on the left to `width`.
std::string Digits(uint64_t v, int width) {
  char buf[24];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n < width) buf[n++] = '0';
  std::string out;
  while (n > 0) out += buf[--n];
  return out;
}

std::string Format(int64_t raw, int decimals, bool trim_zeros) {
  const uint64_t scale = Pow10(decimals);
  const uint64_t magnitude = Magnitude(raw);
  std::string out = raw < 0 ? "-" : "";
  out += Digits(magnitude / scale, 0);
  if (decimals == 0) return out;
  std::string fraction = Digits(magnitude % scale, decimals);
  if (trim_zeros) {
    while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
    if (fraction.empty()) return out;
  }
  return out + "." + fraction;
}

// |r| * 2 >= |den|: the remainder is at least half the divisor, round away from zero.
// Both magnitudes are below 2^64 and 2|r| < 2|den| <= 2^65, hence the 128-bit compare.
bool AtLeastHalf(unsigned __int128 r_magnitude, unsigned __int128 den_magnitude) {
  return r_magnitude * 2 >= den_magnitude;
}

unsigned __int128 Magnitude128(__int128 v) {
  const auto u = static_cast<unsigned __int128>(v);
  return v < 0 ? 0 - u : u;
}

// The pieces of [+-]? digit+ ('.' digit+)?, checked for syntax only: errors about the
// shape of the text come before errors about its value.
struct DecimalSyntax {
  bool negative = false;
  std::string_view integer;
  std::string_view fraction;  // empty when there is no '.'
};

// Digits from `pos` on; advances `pos` past them.
std::string_view TakeDigits(std::string_view text, size_t& pos) {
  const size_t begin = pos;
  while (pos < text.size() && IsDigit(text[pos])) ++pos;
  return text.substr(begin, pos - begin);
}

Result<DecimalSyntax> SplitDecimal(std::string_view text) {
  if (text.empty()) return Invalid(text, "empty");
  DecimalSyntax out;
  size_t pos = 0;
  out.negative = text[0] == '-';
  if (text[0] == '-' || text[0] == '+') ++pos;
  out.integer = TakeDigits(text, pos);
  if (out.integer.empty()) {
    if (pos == text.size()) return Invalid(text, "no digits");
    if (text[pos] == '.') return Invalid(text, "no digits before '.'");
    return UnexpectedChar(text, pos);
  }
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    out.fraction = TakeDigits(text, pos);
    if (out.fraction.empty() && pos == text.size()) return Invalid(text, "no digits after '.'");
  }
  if (pos != text.size()) return UnexpectedChar(text, pos);
  return out;
}

}  // namespace

Result<int64_t> ParseDecimal(std::string_view text, int decimals) {
  TD_CHECK_MSG(decimals >= 0 && decimals <= kMaxDecimals, "decimals must be in [0, 18]");
  Result<DecimalSyntax> syntax = SplitDecimal(text);
  if (!syntax.ok()) return syntax.status();
  std::string_view fraction = syntax->fraction;
  if (fraction.size() > static_cast<size_t>(decimals)) {
    // "1.50" at 1 decimal is exactly 1.5: accept. "1.55" is not representable: refuse.
    if (fraction.find_first_not_of('0', decimals) != std::string_view::npos) {
      return Invalid(text, "too many decimals (at most " + std::to_string(decimals) +
                               ", and the extra digits are not all zero)");
    }
    fraction = fraction.substr(0, decimals);
  }
  const uint64_t limit = syntax->negative
                             ? kInt64MinMagnitude
                             : static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  uint64_t magnitude = 0;
  bool fits = true;
  for (char c : syntax->integer) fits = fits && AppendDigit(magnitude, c - '0', limit);
  for (char c : fraction) fits = fits && AppendDigit(magnitude, c - '0', limit);
  for (size_t i = fraction.size(); i < static_cast<size_t>(decimals); ++i) {
    fits = fits && AppendDigit(magnitude, 0, limit);
  }
  if (!fits) {
    return OutOfRange("decimal " + Quote(text) + " does not fit in int64 at " +
                      std::to_string(decimals) + " decimals");
  }
  return ApplySign(magnitude, syntax->negative);
}

std::string FormatDecimal(int64_t raw, int decimals) { return Format(raw, decimals, true); }

std::string FormatDecimalFixed(int64_t raw, int decimals) { return Format(raw, decimals, false); }

int64_t DivFloor(int64_t num, int64_t den) {
  TD_CHECK(den != 0);
  TD_CHECK_MSG(!(num == std::numeric_limits<int64_t>::min() && den == -1), "INT64_MIN / -1");
  const int64_t q = num / den;
  const bool inexact = num % den != 0;
  return inexact && ((num < 0) != (den < 0)) ? q - 1 : q;
}

int64_t DivCeil(int64_t num, int64_t den) {
  TD_CHECK(den != 0);
  TD_CHECK_MSG(!(num == std::numeric_limits<int64_t>::min() && den == -1), "INT64_MIN / -1");
  const int64_t q = num / den;
  const bool inexact = num % den != 0;
  return inexact && ((num < 0) == (den < 0)) ? q + 1 : q;
}

int64_t DivRound(int64_t num, int64_t den) {
  TD_CHECK(den != 0);
  TD_CHECK_MSG(!(num == std::numeric_limits<int64_t>::min() && den == -1), "INT64_MIN / -1");
  const int64_t q = num / den;
  const int64_t r = num % den;
  if (!AtLeastHalf(Magnitude(r), Magnitude(den))) return q;
  // |den| >= 2 here (r != 0), so |q| <= 2^62 and the step cannot overflow.
  return (num < 0) != (den < 0) ? q - 1 : q + 1;
}

Result<int64_t> MulDivRound(int64_t a, int64_t b, int64_t den) {
  TD_CHECK(den != 0);
  // Most products (a notional of a few lots) fit in 64 bits: the same quotient and rounding
  // without the 128-bit division. INT64_MIN / -1 is left to the 128-bit path.
  if (int64_t p; !__builtin_mul_overflow(a, b, &p) && den != -1) {
    const int64_t q = p / den;
    const int64_t r = p % den;
    if (!AtLeastHalf(Magnitude(r), Magnitude(den))) return q;
    return (p < 0) != (den < 0) ? q - 1 : q + 1;
  }
  // |a * b| <= 2^126: exact in 128 bits.
  const __int128 product = static_cast<__int128>(a) * b;
  __int128 q = product / den;
  const __int128 r = product % den;
  if (AtLeastHalf(Magnitude128(r), Magnitude(den))) q += (product < 0) != (den < 0) ? -1 : 1;
  if (q > std::numeric_limits<int64_t>::max() || q < std::numeric_limits<int64_t>::min()) {
    return OutOfRange(std::to_string(a) + " * " + std::to_string(b) + " / " + std::to_string(den) +
                      " does not fit in int64");
  }
  return static_cast<int64_t>(q);
}

Result<Price> Price::Parse(std::string_view text) {
  Result<int64_t> raw = ParseDecimal(text, kDecimals);
  if (!raw.ok()) return raw.status();
  return Price{*raw};
}

Result<Money> Money::Parse(std::string_view text) {
  Result<int64_t> raw = ParseDecimal(text, kDecimals);
  if (!raw.ok()) return raw.status();
  return Money{*raw};
}

Result<Qty> Qty::Parse(std::string_view text, int decimals) {
  Result<int64_t> raw = ParseDecimal(text, decimals);
  if (!raw.ok()) return raw.status();
  return Qty{*raw};
}

Result<Money> Notional(Price price, Qty qty, int qty_decimals) {
  const auto scale = static_cast<int64_t>(Pow10(qty_decimals));
  Result<int64_t> raw = MulDivRound(price.raw, qty.raw, scale);
  if (!raw.ok()) {
    return OutOfRange("notional of qty " + qty.ToString(qty_decimals) + " at price " +
                      price.ToString() + " does not fit in Money");
  }
  return Money{*raw};
}

}  // namespace td
