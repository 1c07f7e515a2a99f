// Timestamp and Duration: int64 nanoseconds. A Timestamp is nanoseconds since the Unix epoch
// (UTC) for live and imported data; a simulation's virtual clock uses the same unit. Values;
// no clock is read here (the live runtime alone reads the system clock).
#pragma once

#include <compare>
#include <cstdint>
#include <limits>

namespace td {

struct Duration {
  int64_t ns = 0;

  static constexpr Duration Nanos(int64_t n) { return {n}; }
  static constexpr Duration Micros(int64_t n) { return {n * 1'000}; }
  static constexpr Duration Millis(int64_t n) { return {n * 1'000'000}; }
  static constexpr Duration Seconds(int64_t n) { return {n * 1'000'000'000}; }

  constexpr auto operator<=>(const Duration&) const = default;
  constexpr Duration operator+(Duration o) const { return {ns + o.ns}; }
  constexpr Duration operator-(Duration o) const { return {ns - o.ns}; }
  constexpr Duration operator*(int64_t k) const { return {ns * k}; }
  constexpr Duration& operator+=(Duration o) { ns += o.ns; return *this; }
};

struct Timestamp {
  int64_t ns = 0;

  static constexpr Timestamp Min() { return {std::numeric_limits<int64_t>::min()}; }
  static constexpr Timestamp Max() { return {std::numeric_limits<int64_t>::max()}; }

  constexpr auto operator<=>(const Timestamp&) const = default;
  constexpr Timestamp operator+(Duration d) const { return {ns + d.ns}; }
  constexpr Timestamp operator-(Duration d) const { return {ns - d.ns}; }
  constexpr Duration operator-(Timestamp o) const { return {ns - o.ns}; }
  constexpr Timestamp& operator+=(Duration d) { ns += d.ns; return *this; }
};

inline constexpr int64_t kNanosPerSecond = 1'000'000'000;

}  // namespace td
