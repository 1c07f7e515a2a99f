#include "core/time_text.h"

#include <string>

#include "core/fixed_point.h"

namespace td {
namespace {

struct Unit {
  std::string_view name;
  int64_t ns;
};
constexpr Unit kUnits[] = {{"ns", 1},
                           {"us", 1'000},
                           {"ms", 1'000'000},
                           {"s", 1'000'000'000},
                           {"m", 60'000'000'000},
                           {"h", 3'600'000'000'000}};

// Built by appending: gcc 12 warns (-Wrestrict, a false positive) on `"\"" + string + "\""`.
std::string Quoted(std::string_view s) {
  std::string q;
  q.reserve(s.size() + 2);
  q.push_back('"');
  q.append(s);
  q.push_back('"');
  return q;
}

}  // namespace

Result<Duration> ParseDurationText(std::string_view text) {
  const std::string what = "invalid duration " + Quoted(text);
  size_t unit_at = 0;
  while (unit_at < text.size() &&
         ((text[unit_at] >= '0' && text[unit_at] <= '9') || text[unit_at] == '.' ||
          text[unit_at] == '-' || text[unit_at] == '+')) {
    ++unit_at;
  }
  const std::string_view number = text.substr(0, unit_at);
  const std::string_view unit = text.substr(unit_at);
  if (number.empty())
    return InvalidArgument(what + ": expected a number, then a unit (ns, us, ms, s, m, h)");
  if (number[0] == '-') return InvalidArgument(what + ": a duration must not be negative");
  int64_t unit_ns = 0;
  if (unit.empty()) {
    if (number.find('.') != std::string_view::npos) {
      return InvalidArgument(what + ": a number without a unit is whole nanoseconds");
    }
    unit_ns = 1;
  } else {
    for (const Unit& u : kUnits) {
      if (u.name == unit) unit_ns = u.ns;
    }
    if (unit_ns == 0) {
      return InvalidArgument(what + ": unknown unit " + Quoted(unit) +
                             " (use ns, us, ms, s, m or h)");
    }
  }
  Result<int64_t> scaled = ParseDecimal(number, 9);  // value * 1e9
  if (!scaled.ok()) return InvalidArgument(what + ": " + scaled.status().message());
  const __int128 ns_e9 = static_cast<__int128>(*scaled) * unit_ns;
  if (ns_e9 % 1'000'000'000 != 0) {
    return InvalidArgument(what + ": not a whole number of nanoseconds");
  }
  const __int128 ns = ns_e9 / 1'000'000'000;
  if (ns > INT64_MAX) return OutOfRange(what + ": too long for int64 nanoseconds");
  return Duration{static_cast<int64_t>(ns)};
}

}  // namespace td
