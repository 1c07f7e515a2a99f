// The proleptic Gregorian calendar against days since 1970-01-01 (day 0), exact in integers:
// Howard Hinnant's days_from_civil / civil_from_days ("chrono-Compatible Low-Level Date
// Algorithms", public domain). Used by every parser and printer of dates (FIX UTC timestamps,
// LOBSTER file dates, the CLI's JSON times).
#pragma once

#include <cstdint>

namespace td {

struct CivilDate {
  int64_t year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
};

int64_t DaysFromCivil(int64_t year, int month, int day);
CivilDate CivilFromDays(int64_t days);

}  // namespace td
