// Real-time pacing (sim-exchange/server/pacer.h): due times come from the absolute anchors
// (W0 + (ts - T0) / X), exactly, in integers, for any speed, without drift or overflow.
#include "sim-exchange/server/pacer.h"

#include <gtest/gtest.h>

#include <limits>

namespace td::server {
namespace {

constexpr Timestamp kT0{1'704'205'800'000'000'000};
constexpr int64_t kW0 = 123'456'789;

TEST(Pacer, ParsesSpeeds) {
  EXPECT_EQ(*ParseSpeed("1"), Speed::Times(1));
  EXPECT_EQ(*ParseSpeed("10x"), Speed::Times(10));
  EXPECT_EQ(ParseSpeed("0.25")->ppm, 250'000);
  EXPECT_EQ(ParseSpeed("2.5X")->ppm, 2'500'000);
  EXPECT_EQ(ParseSpeed("0.000001")->ppm, 1);
  EXPECT_TRUE(ParseSpeed("max")->unpaced());
  EXPECT_TRUE(ParseSpeed("0")->unpaced());
  EXPECT_TRUE(ParseSpeed("0.0")->unpaced());
  for (const char* bad : {"", "x", "-1", "fast", "1e3", "0.0000001", "1000001", ".5"}) {
    Result<Speed> s = ParseSpeed(bad);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_NE(s.status().message().find(std::string("\"") + bad + "\""), std::string::npos)
        << s.status().message();
  }
  EXPECT_EQ(SpeedText(Speed::Max()), "max");
  EXPECT_EQ(SpeedText(*ParseSpeed("2.5")), "2.5x");
}

TEST(Pacer, DueTimeIsW0PlusMarketElapsedOverSpeed) {
  const Pacer one(kT0, kW0, Speed::Times(1));
  EXPECT_EQ(one.DueWallNs(kT0), kW0);
  EXPECT_EQ(one.DueWallNs(kT0 + Duration::Millis(1500)), kW0 + 1'500'000'000);
  const Pacer two(kT0, kW0, Speed::Times(2));
  EXPECT_EQ(two.DueWallNs(kT0 + Duration::Seconds(2)), kW0 + 1'000'000'000);
  const Pacer half(kT0, kW0, *ParseSpeed("0.5"));
  EXPECT_EQ(half.DueWallNs(kT0 + Duration::Seconds(2)), kW0 + 4'000'000'000);
  // Records before T0 are due before W0 (so at once), floored.
  EXPECT_EQ(two.DueWallNs(kT0 - Duration::Nanos(3)), kW0 - 2);
}

// The due time of the k-th record depends on its own ts only: summing per-record waits would
// round every step; the absolute formula rounds once.
TEST(Pacer, NoDriftOverManyRecords) {
  const Pacer third(kT0, kW0, Speed::Times(3));
  int64_t summed = kW0;
  for (int64_t k = 1; k <= 1'000'000; ++k) {
    summed += 1'000 / 3;  // what per-record relative sleeps of 1000 ns / 3 would add up to
  }
  const int64_t absolute = third.DueWallNs(kT0 + Duration::Nanos(1'000 * 1'000'000));
  EXPECT_EQ(absolute, kW0 + 333'333'333);  // floor(1e9 / 3)
  EXPECT_EQ(summed, kW0 + 333'000'000);    // 333 us of drift the pacer does not have
  // An awkward speed: still exact to the nanosecond.
  const Pacer odd(kT0, kW0, *ParseSpeed("0.333333"));
  EXPECT_EQ(odd.DueWallNs(kT0 + Duration::Seconds(1)), kW0 + 3'000'003'000);
}

TEST(Pacer, MarketTimeIsTheInverse) {
  const Pacer p(kT0, kW0, *ParseSpeed("2.5"));
  for (int64_t ms : {0, 1, 7, 1000, 3'600'000}) {
    const Timestamp ts = kT0 + Duration::Millis(ms);
    const int64_t due = p.DueWallNs(ts);
    EXPECT_LE(p.MarketTimeAt(due), ts);
    EXPECT_GE(p.MarketTimeAt(due + 1), ts);
  }
  EXPECT_EQ(p.MarketTimeAt(kW0 + 1'000'000'000), kT0 + Duration::Millis(2500));
}

TEST(Pacer, WallDelayRoundsUp) {
  const Pacer p(kT0, kW0, Speed::Times(3));
  EXPECT_EQ(p.WallDelayNs(Duration::Nanos(10)), 4);
  EXPECT_EQ(p.WallDelayNs(Duration::Nanos(9)), 3);
  EXPECT_EQ(p.WallDelayNs(Duration::Nanos(0)), 0);
  const Pacer slow(kT0, kW0, *ParseSpeed("0.5"));
  EXPECT_EQ(slow.WallDelayNs(Duration::Millis(1)), 2'000'000);
}

TEST(Pacer, UnpacedIsDueAtOnce) {
  const Pacer p(kT0, kW0, Speed::Max());
  EXPECT_EQ(p.DueWallNs(kT0 + Duration::Seconds(3600)), kW0);
  EXPECT_EQ(p.MarketTimeAt(kW0 + 5), kT0);
  EXPECT_EQ(p.WallDelayNs(Duration::Millis(3)), 3'000'000);
}

TEST(Pacer, LargeValuesNeitherOverflowNorWrap) {
  // A day of market time at the slowest speed: 8.64e13 ns * 1e6 overflows int64; saturated.
  const Pacer slowest(kT0, kW0, Speed{1});
  EXPECT_EQ(slowest.DueWallNs(kT0 + Duration::Seconds(86'400)),
            std::numeric_limits<int64_t>::max());
  // A day at the fastest speed: 86.4 ms of wall time.
  const Pacer fastest(kT0, kW0, Speed{kMaxSpeedPpm});
  EXPECT_EQ(fastest.DueWallNs(kT0 + Duration::Seconds(86'400)), kW0 + 86'400'000);
  EXPECT_EQ(fastest.MarketTimeAt(std::numeric_limits<int64_t>::max()), Timestamp::Max());
  const Pacer one(Timestamp::Min(), 0, Speed::Times(1));
  EXPECT_EQ(one.DueWallNs(Timestamp::Max()), std::numeric_limits<int64_t>::max());
}

}  // namespace
}  // namespace td::server
