// Helpers for the fix/ tests: readable messages written with '|' for SOH, completed with a
// correct BodyLength and CheckSum; a fixed start time for fake clocks.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include "core/time.h"
#include "fix/utc_time.h"

namespace td::fix::testing {

// 2024-01-02 03:04:05 UTC.
inline constexpr Timestamp kT0{1704164645LL * kNanosPerSecond};

inline std::string Soh(std::string s) {
  for (char& c : s) {
    if (c == '|') c = '\x01';
  }
  return s;
}

inline std::string Pipes(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c == '\x01') c = '|';
  }
  return out;
}

// "35=0|34=2|..." -> "8=FIX.4.4<SOH>9=..<SOH>35=0<SOH>34=2<SOH>...10=xxx<SOH>".
inline std::string Fix(std::string_view body, std::string_view begin_string = "FIX.4.4") {
  const std::string b = Soh(std::string(body));
  std::string m =
      "8=" + std::string(begin_string) + "\x01" + "9=" + std::to_string(b.size()) + "\x01" + b;
  unsigned sum = 0;
  for (unsigned char c : m) sum += c;
  char cs[16];
  std::snprintf(cs, sizeof cs, "10=%03u\x01", sum % 256);
  return m + cs;
}

inline std::string Ts(Timestamp t) {
  char buf[kUtcTimestampMillisLen];
  FormatUtcTimestampMillis(t, buf);
  return std::string(buf, sizeof buf);
}

}  // namespace td::fix::testing
