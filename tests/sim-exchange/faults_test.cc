// Tests for sim-exchange/faults: the disconnect timeline (scheduled, random, outages and their
// precedence), the per-message decisions' frequencies and stream discipline, and validation.
#include "sim-exchange/faults.h"

#include <gtest/gtest.h>

#include <vector>

namespace td::sim {
namespace {

constexpr Timestamp kStart{1'700'000'000'000'000'000};

VenueFaults Make(FaultConfig c) {
  Result<VenueFaults> f = VenueFaults::Create(std::move(c), kStart);
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  return std::move(f).value();
}

TEST(VenueFaults, NoneNeverFails) {
  VenueFaults f = VenueFaults::None(kStart);
  Rng rng(1);
  EXPECT_FALSE(f.NextDisconnect(kStart, rng).has_value());
  EXPECT_FALSE(f.OutageAt(kStart).has_value());
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(f.DecideAck(rng).fate, AckFate::kDeliver);
    EXPECT_FALSE(f.CancelTooLate(rng));
    EXPECT_FALSE(f.FillBeforeAck(rng));
    EXPECT_FALSE(f.StaleSnapshotAge(rng).has_value());
  }
}

TEST(VenueFaults, ScheduledDisconnectsInTimeOrder) {
  FaultConfig c;
  c.disconnects = {{Duration::Seconds(600), Duration::Seconds(5)},
                   {Duration::Seconds(60), Duration::Seconds(1)}};
  c.disconnect_open_orders = OpenOrderPolicy::kCancelAll;
  VenueFaults f = Make(c);
  Rng rng(1);
  std::optional<Disconnect> d = f.NextDisconnect(kStart, rng);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->at, kStart + Duration::Seconds(60));
  EXPECT_EQ(d->reconnect_at, kStart + Duration::Seconds(61));
  EXPECT_EQ(d->cause, DisconnectCause::kScheduled);
  EXPECT_EQ(d->open_orders, OpenOrderPolicy::kCancelAll);
  // Asking at the disconnect time itself still returns it (at or after now).
  EXPECT_EQ(f.NextDisconnect(d->at, rng)->at, d->at);
  d = f.NextDisconnect(d->reconnect_at, rng);
  EXPECT_EQ(d->at, kStart + Duration::Seconds(600));
  EXPECT_FALSE(f.NextDisconnect(d->reconnect_at, rng).has_value());
}

TEST(VenueFaults, OutagesCarryTheirPolicyAndWinTies) {
  FaultConfig c;
  c.disconnects = {{Duration::Seconds(100), Duration::Seconds(1)}};
  c.outages = {{Duration::Seconds(100), Duration::Seconds(30), OpenOrderPolicy::kKeep}};
  VenueFaults f = Make(c);
  Rng rng(1);
  const std::optional<Disconnect> d = f.NextDisconnect(kStart, rng);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->cause, DisconnectCause::kOutage);
  EXPECT_EQ(d->open_orders, OpenOrderPolicy::kKeep);
  EXPECT_EQ(d->reconnect_at, kStart + Duration::Seconds(130));
  EXPECT_FALSE(f.OutageAt(kStart + Duration::Seconds(100) - Duration::Nanos(1)).has_value());
  EXPECT_TRUE(f.OutageAt(kStart + Duration::Seconds(100)).has_value());
  EXPECT_TRUE(f.OutageAt(kStart + Duration::Seconds(130) - Duration::Nanos(1)).has_value());
  EXPECT_FALSE(f.OutageAt(kStart + Duration::Seconds(130)).has_value());
}

TEST(VenueFaults, RandomDisconnectsArePoissonAndIdempotentPerNow) {
  FaultConfig c;
  c.random_disconnect_mean_interval = Duration::Seconds(60);
  c.reconnect_delay = ConstantLatencySpec(2'000'000'000);
  VenueFaults f = Make(c);
  Rng rng(12345);
  Timestamp now = kStart;
  __int128 total_gap = 0;
  constexpr int kN = 20'000;
  for (int i = 0; i < kN; ++i) {
    const std::optional<Disconnect> d = f.NextDisconnect(now, rng);
    ASSERT_TRUE(d.has_value());
    ASSERT_EQ(f.NextDisconnect(now, rng), d);  // same question, same answer, no draw
    EXPECT_EQ(d->cause, DisconnectCause::kRandom);
    EXPECT_EQ(d->reconnect_at - d->at, Duration::Seconds(2));
    total_gap += (d->at - now).ns;
    now = d->reconnect_at;
  }
  const auto mean_s = static_cast<int64_t>(total_gap / kN / 1'000'000);  // ms
  EXPECT_NEAR(mean_s, 60'000, 1'500);
}

TEST(VenueFaults, AckFrequenciesMatchTheirRatios) {
  FaultConfig c;
  c.drop_ack = {1, 100};
  c.duplicate_ack = {1, 50};
  c.delay_ack = {1, 10};
  LatencySpec delay;
  delay.kind = LatencyKind::kUniform;
  delay.lo_ns = 1'000'000;
  delay.hi_ns = 5'000'000;
  c.ack_delay = delay;
  VenueFaults f = Make(c);
  Rng rng(99);
  int drop = 0, dup = 0, late = 0;
  constexpr int kN = 200'000;
  for (int i = 0; i < kN; ++i) {
    const AckDecision a = f.DecideAck(rng);
    drop += a.fate == AckFate::kDrop;
    dup += a.fate == AckFate::kDuplicate;
    if (a.fate == AckFate::kDelay) {
      ++late;
      ASSERT_GE(a.extra_delay.ns, 1'000'000);
      ASSERT_LE(a.extra_delay.ns, 5'000'000);
    }
  }
  EXPECT_NEAR(drop, kN / 100, 200);
  EXPECT_NEAR(dup, kN * 99 / 100 / 50, 200);             // not dropped, then duplicated
  EXPECT_NEAR(late, kN * 99 / 100 * 49 / 50 / 10, 400);  // neither, then delayed
}

TEST(VenueFaults, ChangingOneProbabilityKeepsTheOtherDecisions) {
  // Each decision draws once whatever its probability, so the cancel-too-late outcomes are
  // the same whether fill_before_ack is 0 or 1/2.
  FaultConfig a;
  a.cancel_too_late = {1, 3};
  FaultConfig b = a;
  b.fill_before_ack = {1, 2};
  VenueFaults fa = Make(a), fb = Make(b);
  Rng ra(5), rb(5);
  for (int i = 0; i < 1000; ++i) {
    fa.FillBeforeAck(ra);
    fb.FillBeforeAck(rb);
    ASSERT_EQ(fa.CancelTooLate(ra), fb.CancelTooLate(rb)) << i;
  }
}

TEST(VenueFaults, StaleSnapshotAge) {
  FaultConfig c;
  c.stale_book_after_reconnect = {1, 1};
  c.stale_book_age = Duration::Millis(750);
  VenueFaults f = Make(c);
  Rng rng(1);
  EXPECT_EQ(f.StaleSnapshotAge(rng), Duration::Millis(750));
}

TEST(VenueFaults, ValidationNamesTheField) {
  FaultConfig c;
  c.drop_ack = {3, 2};
  Result<VenueFaults> r = VenueFaults::Create(c, kStart);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("drop_ack"), std::string::npos);
  FaultConfig overlap;
  overlap.outages = {{Duration::Seconds(10), Duration::Seconds(10), OpenOrderPolicy::kKeep},
                     {Duration::Seconds(15), Duration::Seconds(1), OpenOrderPolicy::kKeep}};
  r = VenueFaults::Create(overlap, kStart);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("overlaps"), std::string::npos);
  FaultConfig neg;
  neg.disconnects = {{Duration::Seconds(-1), Duration::Seconds(1)}};
  EXPECT_FALSE(VenueFaults::Create(neg, kStart).ok());
  FaultConfig zero_den;
  zero_den.cancel_too_late = {0, 0};
  EXPECT_FALSE(VenueFaults::Create(zero_den, kStart).ok());
}

}  // namespace
}  // namespace td::sim
