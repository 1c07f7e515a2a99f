// Tests for sim-exchange/rate_limit: the exact edges of the sliding window and the token
// bucket, per-action weights, the queue policy (FIFO send times, max delay), the ban, and
// config validation.
#include "sim-exchange/rate_limit.h"

#include <gtest/gtest.h>

namespace td::sim {
namespace {

constexpr Timestamp T0{1'000'000'000'000};

Timestamp At(int64_t ms) { return T0 + Duration::Millis(ms); }

RateLimitConfig Window(int64_t max_weight, Duration window) {
  RateLimitConfig c;
  c.kind = RateLimitKind::kSlidingWindow;
  c.window_weight_max = max_weight;
  c.window = window;
  return c;
}

RateLimitConfig Bucket(int64_t capacity, int64_t refill, Duration interval) {
  RateLimitConfig c;
  c.kind = RateLimitKind::kTokenBucket;
  c.bucket_capacity = capacity;
  c.refill_tokens = refill;
  c.refill_interval = interval;
  return c;
}

RateLimiter Make(const RateLimitConfig& c) {
  Result<RateLimiter> r = RateLimiter::Create(c);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return std::move(r).value();
}

TEST(SlidingWindow, AdmitsUpToTheLimitThenRejectsWithRetryAfter) {
  RateLimiter rl = Make(Window(3, Duration::Seconds(1)));
  EXPECT_EQ(rl.Submit(OrderAction::kNew, At(0)).outcome, RateOutcome::kAccepted);
  EXPECT_EQ(rl.Submit(OrderAction::kNew, At(100)).outcome, RateOutcome::kAccepted);
  EXPECT_EQ(rl.Submit(OrderAction::kNew, At(200)).outcome, RateOutcome::kAccepted);
  const RateDecision d = rl.Submit(OrderAction::kNew, At(300));
  EXPECT_EQ(d.outcome, RateOutcome::kRejected);
  EXPECT_EQ(d.retry_after, Duration::Millis(700));  // the action at 0 leaves at 1000
}

TEST(SlidingWindow, ExactEdgeOfTheWindow) {
  // An action admitted at t counts in (t - W, t]: one nanosecond before t + W it still
  // counts, at t + W exactly it no longer does.
  RateLimiter rl = Make(Window(1, Duration::Seconds(1)));
  ASSERT_EQ(rl.Submit(OrderAction::kNew, At(0)).outcome, RateOutcome::kAccepted);
  const RateDecision before = rl.Submit(OrderAction::kNew, At(1000) - Duration::Nanos(1));
  EXPECT_EQ(before.outcome, RateOutcome::kRejected);
  EXPECT_EQ(before.retry_after, Duration::Nanos(1));
  EXPECT_EQ(rl.Submit(OrderAction::kNew, At(1000)).outcome, RateOutcome::kAccepted);
}

TEST(SlidingWindow, RejectedActionsDoNotConsumeCapacity) {
  RateLimiter rl = Make(Window(2, Duration::Seconds(1)));
  ASSERT_EQ(rl.Submit(OrderAction::kNew, At(0)).outcome, RateOutcome::kAccepted);
  ASSERT_EQ(rl.Submit(OrderAction::kNew, At(0)).outcome, RateOutcome::kAccepted);
  for (int i = 1; i < 10; ++i) {
    ASSERT_EQ(rl.Submit(OrderAction::kNew, At(i * 10)).outcome, RateOutcome::kRejected);
  }
  EXPECT_EQ(rl.Submit(OrderAction::kNew, At(1000)).outcome, RateOutcome::kAccepted);
  EXPECT_EQ(rl.Submit(OrderAction::kNew, At(1000)).outcome, RateOutcome::kAccepted);
}

TEST(SlidingWindow, WeightsPerAction) {
  RateLimitConfig c = Window(10, Duration::Seconds(1));
  c.weights = {1, 1, 2, 1, 10};  // new, cancel, replace, status, mass-cancel
  RateLimiter rl = Make(c);
  EXPECT_EQ(rl.Weight(OrderAction::kMassCancel), 10);
  EXPECT_EQ(rl.Submit(OrderAction::kReplace, At(0)).outcome, RateOutcome::kAccepted);
  // 2 used: a mass cancel (10) no longer fits until the replace leaves the window.
  const RateDecision d = rl.Submit(OrderAction::kMassCancel, At(1));
  EXPECT_EQ(d.outcome, RateOutcome::kRejected);
  EXPECT_EQ(d.retry_after, Duration::Millis(999));
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(rl.Submit(OrderAction::kCancel, At(2)).outcome, RateOutcome::kAccepted);
  }
  EXPECT_EQ(rl.Submit(OrderAction::kStatus, At(2)).outcome, RateOutcome::kRejected);
}

TEST(SlidingWindow, QueuePolicyGivesFifoSendTimes) {
  RateLimitConfig c = Window(2, Duration::Seconds(1));
  c.policy = RateLimitPolicy::kQueue;
  c.max_queue_delay = Duration::Seconds(2);
  RateLimiter rl = Make(c);
  EXPECT_EQ(rl.Submit(OrderAction::kNew, At(0)).outcome, RateOutcome::kAccepted);
  EXPECT_EQ(rl.Submit(OrderAction::kNew, At(500)).outcome, RateOutcome::kAccepted);
  RateDecision q1 = rl.Submit(OrderAction::kNew, At(600));
  EXPECT_EQ(q1.outcome, RateOutcome::kQueued);
  EXPECT_EQ(q1.send_at, At(1000));
  RateDecision q2 = rl.Submit(OrderAction::kNew, At(600));
  EXPECT_EQ(q2.outcome, RateOutcome::kQueued);
  EXPECT_EQ(q2.send_at, At(1500));
  RateDecision q3 = rl.Submit(OrderAction::kNew, At(700));
  EXPECT_EQ(q3.send_at, At(2000));  // behind the queued ones, never before them
  // 1000 + 1000 + ... : the next would wait until 2500, beyond the 2 s allowed from 700?
  // 2500 - 700 = 1800 <= 2000: still queued; the one after (3000 - 700 = 2300) is rejected.
  EXPECT_EQ(rl.Submit(OrderAction::kNew, At(700)).send_at, At(2500));
  const RateDecision r = rl.Submit(OrderAction::kNew, At(700));
  EXPECT_EQ(r.outcome, RateOutcome::kRejected);
  EXPECT_EQ(r.retry_after, Duration::Millis(2300));
}

TEST(TokenBucket, StartsFullAndRefillsAtIntervalBoundaries) {
  RateLimiter rl = Make(Bucket(3, 1, Duration::Millis(100)));
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(rl.Submit(OrderAction::kNew, At(0)).outcome, RateOutcome::kAccepted);
  }
  RateDecision d = rl.Submit(OrderAction::kNew, At(50));
  EXPECT_EQ(d.outcome, RateOutcome::kRejected);
  EXPECT_EQ(d.retry_after, Duration::Millis(50));
  EXPECT_EQ(rl.Submit(OrderAction::kNew, At(100) - Duration::Nanos(1)).outcome,
            RateOutcome::kRejected);
  EXPECT_EQ(rl.Submit(OrderAction::kNew, At(100)).outcome, RateOutcome::kAccepted);
  EXPECT_EQ(rl.Submit(OrderAction::kNew, At(150)).outcome, RateOutcome::kRejected);
  // A long pause refills to capacity, not beyond.
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(rl.Submit(OrderAction::kNew, At(10'000)).outcome, RateOutcome::kAccepted);
  }
  EXPECT_EQ(rl.Submit(OrderAction::kNew, At(10'000)).outcome, RateOutcome::kRejected);
}

TEST(TokenBucket, QueuedActionsReserveTokens) {
  RateLimitConfig c = Bucket(2, 1, Duration::Millis(100));
  c.policy = RateLimitPolicy::kQueue;
  RateLimiter rl = Make(c);
  EXPECT_EQ(rl.Submit(OrderAction::kNew, At(0)).outcome, RateOutcome::kAccepted);
  EXPECT_EQ(rl.Submit(OrderAction::kNew, At(0)).outcome, RateOutcome::kAccepted);
  EXPECT_EQ(rl.Submit(OrderAction::kNew, At(10)).send_at, At(100));
  EXPECT_EQ(rl.Submit(OrderAction::kNew, At(10)).send_at, At(200));
  EXPECT_EQ(rl.Submit(OrderAction::kNew, At(20)).send_at, At(300));
  // At 250 the two first queued ones have gone; the bucket still owes the one at 300.
  EXPECT_EQ(rl.Submit(OrderAction::kNew, At(250)).send_at, At(400));
}

TEST(RateLimiter, BanAfterConsecutiveRejects) {
  RateLimitConfig c = Window(1, Duration::Seconds(1));
  c.ban_after_rejects = 3;
  c.ban_duration = Duration::Seconds(30);
  RateLimiter rl = Make(c);
  ASSERT_EQ(rl.Submit(OrderAction::kNew, At(0)).outcome, RateOutcome::kAccepted);
  EXPECT_EQ(rl.Submit(OrderAction::kNew, At(1)).outcome, RateOutcome::kRejected);
  EXPECT_EQ(rl.consecutive_rejects(), 1);
  EXPECT_EQ(rl.Submit(OrderAction::kNew, At(2)).outcome, RateOutcome::kRejected);
  const RateDecision third = rl.Submit(OrderAction::kNew, At(3));
  EXPECT_EQ(third.outcome, RateOutcome::kRejected);
  EXPECT_TRUE(third.ban_started);
  EXPECT_EQ(third.retry_after, Duration::Seconds(30));
  EXPECT_TRUE(rl.Banned(At(3)));
  // During the ban everything is refused, even what the window would take; not extended.
  const RateDecision banned = rl.Submit(OrderAction::kStatus, At(5'000));
  EXPECT_EQ(banned.outcome, RateOutcome::kBanned);
  EXPECT_EQ(banned.retry_after, At(30'003) - At(5'000));
  EXPECT_EQ(rl.Submit(OrderAction::kNew, At(30'003) - Duration::Nanos(1)).outcome,
            RateOutcome::kBanned);
  EXPECT_FALSE(rl.Banned(At(30'003)));
  EXPECT_EQ(rl.Submit(OrderAction::kNew, At(30'003)).outcome, RateOutcome::kAccepted);
}

TEST(RateLimiter, AnAcceptResetsTheRejectCount) {
  RateLimitConfig c = Window(1, Duration::Millis(10));
  c.ban_after_rejects = 2;
  RateLimiter rl = Make(c);
  ASSERT_EQ(rl.Submit(OrderAction::kNew, At(0)).outcome, RateOutcome::kAccepted);
  ASSERT_EQ(rl.Submit(OrderAction::kNew, At(1)).outcome, RateOutcome::kRejected);
  ASSERT_EQ(rl.Submit(OrderAction::kNew, At(10)).outcome, RateOutcome::kAccepted);
  EXPECT_EQ(rl.consecutive_rejects(), 0);
  const RateDecision d = rl.Submit(OrderAction::kNew, At(11));
  EXPECT_EQ(d.outcome, RateOutcome::kRejected);
  EXPECT_FALSE(d.ban_started);
}

TEST(RateLimiter, ConfigErrorsNameTheField) {
  RateLimitConfig c = Window(5, Duration::Seconds(1));
  c.weights[4] = 6;  // a mass cancel could never fit
  Result<RateLimiter> r = RateLimiter::Create(c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("mass_cancel"), std::string::npos) << r.status().message();
  EXPECT_FALSE(RateLimiter::Create(Window(0, Duration::Seconds(1))).ok());
  EXPECT_FALSE(RateLimiter::Create(Window(1, Duration::Nanos(0))).ok());
  EXPECT_FALSE(RateLimiter::Create(Bucket(1, 0, Duration::Millis(1))).ok());
  RateLimitConfig neg = Window(1, Duration::Seconds(1));
  neg.ban_duration = Duration::Nanos(-1);
  EXPECT_FALSE(RateLimiter::Create(neg).ok());
}

}  // namespace
}  // namespace td::sim
