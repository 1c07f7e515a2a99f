// RateLimiter: a venue's order-entry rate limit, as the simulated exchange enforces it. Either
// a sliding window (at most N weight admitted in any window of length W) or a token bucket
// (capacity C, R tokens added every I ns); each action type has a weight; an over-limit action
// is rejected or queued until it fits (policy); N consecutive rejects ban the session for a
// while. Pure: time comes in as `now`, which must not decrease. Single-threaded value.
//
//   auto rl = RateLimiter::Create({.kind = RateLimitKind::kSlidingWindow,
//                                  .window = Duration::Seconds(1), .window_weight_max = 10});
//   RateDecision d = rl->Submit(OrderAction::kNew, now);
//   if (d.outcome == RateOutcome::kRejected) ... d.retry_after ...
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <string_view>

#include "core/event.h"
#include "core/status.h"
#include "core/time.h"

namespace td::sim {

enum class RateLimitKind : uint8_t { kSlidingWindow = 1, kTokenBucket };
enum class RateLimitPolicy : uint8_t { kReject = 1, kQueue };

inline constexpr int64_t kMaxRateWeight = 1'000'000;  // per window / bucket capacity
inline constexpr size_t kRateActionCount = 5;         // OrderAction kNew .. kMassCancel

struct RateLimitConfig {
  RateLimitKind kind = RateLimitKind::kSlidingWindow;
  // Sliding window: the weight admitted in (t - window, t] never exceeds window_weight_max.
  Duration window = Duration::Seconds(1);
  int64_t window_weight_max = 100;
  // Token bucket: starts full; refill_tokens are added at every refill_interval boundary
  // (counted from the first Submit), never beyond bucket_capacity.
  int64_t bucket_capacity = 100;
  int64_t refill_tokens = 10;
  Duration refill_interval = Duration::Millis(100);
  // Weight of each OrderAction, indexed by static_cast<int>(action) - 1:
  // new, cancel, replace, status, mass-cancel. Each in [1, the window max / capacity].
  std::array<int64_t, kRateActionCount> weights = {1, 1, 1, 1, 1};
  RateLimitPolicy policy = RateLimitPolicy::kReject;
  // kQueue: an action that would wait longer than this is rejected instead.
  Duration max_queue_delay = Duration::Seconds(1);
  // After this many consecutive rejects (0 = never) every action is rejected, banned, for
  // ban_duration. Rejects during a ban do not extend it; the count restarts after it.
  int64_t ban_after_rejects = 0;
  Duration ban_duration = Duration::Seconds(60);
};

enum class RateOutcome : uint8_t {
  kAccepted = 1,  // goes now
  kQueued,        // goes at send_at (> now), in FIFO order with other queued actions
  kRejected,      // over the limit; retry_after says when it would have fitted
  kBanned,        // the session is banned; retry_after is the time left
};

std::string_view RateOutcomeName(RateOutcome o);

struct RateDecision {
  RateOutcome outcome = RateOutcome::kAccepted;
  Timestamp send_at;         // kAccepted: now; kQueued: when the action may go
  Duration retry_after;      // kRejected / kBanned
  bool ban_started = false;  // this reject started a ban
};

class RateLimiter {
 public:
  // Errors name the field: non-positive window, limits or weights, a weight that can never
  // fit, a negative ban or queue delay.
  static Result<RateLimiter> Create(const RateLimitConfig& config);

  // Decides `action` at `now` and, when it is accepted or queued, charges its weight.
  // REQUIRES: now >= the previous call's now.
  RateDecision Submit(OrderAction action, Timestamp now);

  bool Banned(Timestamp now) const { return now < banned_until_; }
  int64_t consecutive_rejects() const { return consecutive_rejects_; }
  int64_t Weight(OrderAction action) const;
  const RateLimitConfig& config() const { return config_; }

 private:
  explicit RateLimiter(const RateLimitConfig& c) : config_(c) {}
  // The earliest time >= earliest at which `weight` fits (expired entries already dropped).
  Timestamp WindowFitTime(int64_t weight, Timestamp earliest) const;
  Timestamp BucketFitTime(int64_t weight) const;
  void Refill(Timestamp now);
  RateDecision Reject(Timestamp now, Timestamp fits_at);

  RateLimitConfig config_;
  int64_t consecutive_rejects_ = 0;
  Timestamp banned_until_ = Timestamp::Min();
  Timestamp last_now_ = Timestamp::Min();
  Timestamp last_send_at_ = Timestamp::Min();  // FIFO: a queued action never overtakes

  // Sliding window: admitted (send time, weight), oldest first; bounded by window_weight_max
  // entries since every weight is >= 1.
  struct Admitted {
    Timestamp at;
    int64_t weight;
  };
  std::deque<Admitted> log_;
  int64_t log_weight_ = 0;

  // Token bucket: may go negative while queued actions hold reservations.
  int64_t tokens_ = 0;
  Timestamp refilled_at_ = Timestamp::Min();  // the last refill boundary
};

}  // namespace td::sim
