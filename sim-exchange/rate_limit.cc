// RateLimiter: sliding window (an exact log of admitted weights) and token bucket (integer
// tokens, refilled at interval boundaries), with the reject/queue policy and the ban.
#include "sim-exchange/rate_limit.h"

#include <algorithm>
#include <string>

#include "core/fixed_point.h"

namespace td::sim {
namespace {

// The sliding-window log holds admitted and queued actions; queueing far ahead could grow it
// without end, so past this many entries an action is rejected whatever the policy.
constexpr size_t kMaxLogEntries = size_t{1} << 20;

Status Positive(std::string_view field, int64_t v, int64_t hi) {
  if (v >= 1 && v <= hi) return Status::Ok();
  return InvalidArgument("rate limit " + std::string(field) + " = " + std::to_string(v) +
                         " is outside [1, " + std::to_string(hi) + "]");
}

constexpr std::string_view kActionNames[kRateActionCount] = {"new", "cancel", "replace", "status",
                                                             "mass_cancel"};

}  // namespace

std::string_view RateOutcomeName(RateOutcome o) {
  switch (o) {
    case RateOutcome::kAccepted:
      return "accepted";
    case RateOutcome::kQueued:
      return "queued";
    case RateOutcome::kRejected:
      return "rejected";
    case RateOutcome::kBanned:
      return "banned";
  }
  return "unknown";
}

Result<RateLimiter> RateLimiter::Create(const RateLimitConfig& c) {
  int64_t limit = 0;
  if (c.kind == RateLimitKind::kSlidingWindow) {
    TD_RETURN_IF_ERROR(Positive("window (ns)", c.window.ns, INT64_MAX / 4));
    TD_RETURN_IF_ERROR(Positive("max_weight", c.window_weight_max, kMaxRateWeight));
    limit = c.window_weight_max;
  } else if (c.kind == RateLimitKind::kTokenBucket) {
    TD_RETURN_IF_ERROR(Positive("capacity", c.bucket_capacity, kMaxRateWeight));
    TD_RETURN_IF_ERROR(Positive("refill", c.refill_tokens, kMaxRateWeight));
    TD_RETURN_IF_ERROR(Positive("refill_interval (ns)", c.refill_interval.ns, INT64_MAX / 4));
    limit = c.bucket_capacity;
  } else {
    return InvalidArgument("rate limit kind " + std::to_string(static_cast<int>(c.kind)) +
                           " is unknown");
  }
  for (size_t i = 0; i < kRateActionCount; ++i) {
    // A weight above the limit could never be admitted: a config error, not a runtime reject.
    TD_RETURN_IF_ERROR(Positive("weight of " + std::string(kActionNames[i]), c.weights[i], limit));
  }
  if (c.policy != RateLimitPolicy::kReject && c.policy != RateLimitPolicy::kQueue) {
    return InvalidArgument("rate limit policy is unknown");
  }
  if (c.max_queue_delay.ns < 0 || c.ban_duration.ns < 0 || c.ban_after_rejects < 0) {
    return InvalidArgument(
        "rate limit max_queue_delay, ban_duration and ban_after_rejects "
        "must not be negative");
  }
  RateLimiter r(c);
  r.tokens_ = c.bucket_capacity;
  return r;
}

int64_t RateLimiter::Weight(OrderAction action) const {
  const auto i = static_cast<size_t>(action) - 1;
  TD_CHECK_MSG(i < kRateActionCount, "RateLimiter: unknown OrderAction");
  return config_.weights[i];
}

// Entries are sorted by time (FIFO). The action fits at t once the entries still inside the
// window ending at t, (t - W, t], leave room for it: drop the oldest until they do; the last
// dropped one leaves the window at its time + W.
Timestamp RateLimiter::WindowFitTime(int64_t weight, Timestamp earliest) const {
  int64_t remaining = log_weight_;
  Timestamp t = earliest;
  for (const Admitted& a : log_) {
    if (remaining + weight <= config_.window_weight_max) break;
    remaining -= a.weight;
    t = std::max(t, a.at + config_.window);
  }
  return t;
}

void RateLimiter::Refill(Timestamp now) {
  if (refilled_at_ == Timestamp::Min()) {  // the first action starts the refill clock
    refilled_at_ = now;
    return;
  }
  const int64_t intervals = (now - refilled_at_).ns / config_.refill_interval.ns;
  if (intervals == 0) return;
  // Past this many intervals the bucket is full whatever it held (even in debt), and the
  // product below cannot overflow.
  const int64_t to_full = DivCeil(config_.bucket_capacity - tokens_, config_.refill_tokens);
  tokens_ =
      intervals >= to_full ? config_.bucket_capacity : tokens_ + intervals * config_.refill_tokens;
  refilled_at_ += config_.refill_interval * intervals;
}

// Tokens reach `weight` after ceil(deficit / R) more refills (queued actions have already
// taken theirs, so tokens_ may be negative).
Timestamp RateLimiter::BucketFitTime(int64_t weight) const {
  if (tokens_ >= weight) return refilled_at_;
  const int64_t refills = DivCeil(weight - tokens_, config_.refill_tokens);
  return refilled_at_ + config_.refill_interval * refills;
}

RateDecision RateLimiter::Reject(Timestamp now, Timestamp fits_at) {
  RateDecision d;
  d.outcome = RateOutcome::kRejected;
  d.send_at = now;
  d.retry_after = fits_at - now;
  ++consecutive_rejects_;
  if (config_.ban_after_rejects > 0 && consecutive_rejects_ >= config_.ban_after_rejects) {
    banned_until_ = now + config_.ban_duration;
    consecutive_rejects_ = 0;
    d.ban_started = true;
    d.retry_after = config_.ban_duration;
  }
  return d;
}

RateDecision RateLimiter::Submit(OrderAction action, Timestamp now) {
  TD_CHECK_MSG(now >= last_now_, "RateLimiter::Submit: time went backwards");
  last_now_ = now;
  const int64_t weight = Weight(action);
  if (Banned(now)) {
    return {.outcome = RateOutcome::kBanned, .send_at = now, .retry_after = banned_until_ - now};
  }
  // FIFO: nothing goes before the last queued action.
  const Timestamp earliest = std::max(now, last_send_at_);
  Timestamp fits_at;
  if (config_.kind == RateLimitKind::kSlidingWindow) {
    while (!log_.empty() && log_.front().at + config_.window <= now) {
      log_weight_ -= log_.front().weight;
      log_.pop_front();
    }
    if (log_.size() >= kMaxLogEntries) return Reject(now, earliest + config_.window);
    fits_at = WindowFitTime(weight, earliest);
  } else {
    Refill(now);
    fits_at = std::max(earliest, BucketFitTime(weight));
  }
  RateDecision d;
  if (fits_at == now) {
    d.outcome = RateOutcome::kAccepted;
  } else if (config_.policy == RateLimitPolicy::kQueue &&
             fits_at - now <= config_.max_queue_delay) {
    d.outcome = RateOutcome::kQueued;
  } else {
    return Reject(now, fits_at);
  }
  d.send_at = fits_at;
  consecutive_rejects_ = 0;
  last_send_at_ = fits_at;
  if (config_.kind == RateLimitKind::kSlidingWindow) {
    log_.push_back({fits_at, weight});
    log_weight_ += weight;
  } else {
    tokens_ -= weight;
  }
  return d;
}

}  // namespace td::sim
