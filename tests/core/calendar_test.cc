// The calendar of core/calendar.h: known dates, and a round trip over six centuries of days.
#include "core/calendar.h"

#include <gtest/gtest.h>

namespace td {
namespace {

TEST(Calendar, KnownDates) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(DaysFromCivil(2012, 6, 21), 15512);
  const CivilDate leap = CivilFromDays(DaysFromCivil(2024, 2, 29));
  EXPECT_EQ(leap.year, 2024);
  EXPECT_EQ(leap.month, 2);
  EXPECT_EQ(leap.day, 29);
}

TEST(Calendar, RoundTripsEveryDayFrom1800To2400) {
  int64_t expected = DaysFromCivil(1800, 1, 1);
  for (int64_t y = 1800; y < 2400; ++y) {
    for (int m = 1; m <= 12; ++m) {
      const int month_days = m == 2 ? ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28)
                                    : (m == 4 || m == 6 || m == 9 || m == 11 ? 30 : 31);
      for (int d = 1; d <= month_days; ++d, ++expected) {
        ASSERT_EQ(DaysFromCivil(y, m, d), expected) << y << "-" << m << "-" << d;
        const CivilDate c = CivilFromDays(expected);
        ASSERT_EQ(c.year, y);
        ASSERT_EQ(c.month, m);
        ASSERT_EQ(c.day, d);
      }
    }
  }
}

}  // namespace
}  // namespace td
