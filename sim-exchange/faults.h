// VenueFaults: the fault schedule of one simulated venue, as a decision oracle. The replayer
// asks it when the connection drops next (scheduled disconnects, random ones at a Poisson
// rate, venue outages with their open-order policy) and, message by message, whether an ack
// is dropped, duplicated or delayed, whether a fill overtakes its ack, whether a cancel is
// rejected as too late, and whether the book snapshot after a reconnect is stale. It applies
// nothing itself. Single-threaded value; every random decision draws from the Rng passed in.
// Each yes/no decision is one Bernoulli draw made whatever its probability (0 included), so
// changing one probability does not shift the draws of the others (docs/models.md).
//
//   auto faults = VenueFaults::Create(config, session_start);
//   if (std::optional<Disconnect> d = faults->NextDisconnect(now, rng)) schedule(d->at, ...);
//   AckDecision a = faults->DecideAck(rng);  // kDeliver, kDrop, kDuplicate or kDelay
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/rng.h"
#include "core/status.h"
#include "core/time.h"
#include "sim-exchange/latency_model.h"

namespace td::sim {

// num / den, exact. Parsed from "1/1000", "0.001" or "0.1%" by the scenario loader.
struct Probability {
  uint64_t num = 0;
  uint64_t den = 1;
  bool operator==(const Probability&) const = default;
  bool Valid() const { return den > 0 && num <= den; }
  // Always one draw, even for 0 and 1 (Rng::Bernoulli).
  bool Draw(Rng& rng) const { return rng.Bernoulli(num, den); }
  std::string ToString() const { return std::to_string(num) + "/" + std::to_string(den); }
};

enum class OpenOrderPolicy : uint8_t {
  kCancelAll = 1,  // the venue cancels every open order of the session (cancel on disconnect)
  kKeep,           // open orders stay in the book and may fill while the session is away
};
enum class DisconnectCause : uint8_t { kScheduled = 1, kRandom, kOutage };

std::string_view OpenOrderPolicyName(OpenOrderPolicy p);
std::string_view DisconnectCauseName(DisconnectCause c);

// Times of scheduled faults are offsets from the session start.
struct ScheduledDisconnect {
  Duration at;
  Duration down_for = Duration::Seconds(1);
};

// The venue itself is down: no session can connect, no order matches.
struct OutageSpec {
  Duration at;
  Duration length = Duration::Seconds(60);
  OpenOrderPolicy open_orders = OpenOrderPolicy::kCancelAll;
};

inline constexpr size_t kMaxScheduledFaults = 100'000;

struct FaultConfig {
  std::vector<ScheduledDisconnect> disconnects;
  // Random disconnects: exponential gaps with this mean (0 = none), each down for a
  // reconnect delay drawn from `reconnect_delay`.
  Duration random_disconnect_mean_interval;
  LatencySpec reconnect_delay = ConstantLatencySpec(1'000'000'000);
  // What the venue does with open orders when a session disconnects (scheduled or random).
  OpenOrderPolicy disconnect_open_orders = OpenOrderPolicy::kKeep;
  std::vector<OutageSpec> outages;  // must not overlap

  Probability drop_ack;       // the ack never arrives
  Probability duplicate_ack;  // the ack arrives twice
  Probability delay_ack;      // the ack arrives late by a draw from ack_delay
  LatencySpec ack_delay = ConstantLatencySpec(10'000'000);
  Probability fill_before_ack;  // a fill of a new order arrives before its ack
  Probability cancel_too_late;  // a cancel is rejected kTooLateToCancel though it could work
  // After a reconnect the first book snapshot is this old (it shows the book as of
  // stale_book_age before the reconnect), with this probability.
  Probability stale_book_after_reconnect;
  Duration stale_book_age = Duration::Millis(500);
};

struct Disconnect {
  Timestamp at;
  Timestamp reconnect_at;  // the session may log on again from here
  DisconnectCause cause = DisconnectCause::kScheduled;
  OpenOrderPolicy open_orders = OpenOrderPolicy::kKeep;
  bool operator==(const Disconnect&) const = default;
};

enum class AckFate : uint8_t { kDeliver = 1, kDrop, kDuplicate, kDelay };
std::string_view AckFateName(AckFate f);

struct AckDecision {
  AckFate fate = AckFate::kDeliver;
  Duration extra_delay;  // kDelay only
};

class VenueFaults {
 public:
  // Errors name the field: invalid probability, negative time, overlapping outages, more
  // than kMaxScheduledFaults entries, an invalid latency spec.
  static Result<VenueFaults> Create(FaultConfig config, Timestamp session_start);
  // No faults at all.
  static VenueFaults None(Timestamp session_start);

  // ---- connection
  // The first disconnect starting at or after `now`, or nullopt when none is left: the
  // earliest of the next scheduled disconnect, the next outage and the next random one.
  // The random process is a cursor: its next time is drawn (exponential gap from `now`) only
  // when the previous one is before `now`, so asking twice at the same `now` gives the same
  // answer. A random disconnect falling inside a down period is skipped: after handling a
  // disconnect, ask again with now = its reconnect_at.
  std::optional<Disconnect> NextDisconnect(Timestamp now, Rng& rng);
  // The outage in effect at `now`, if any.
  std::optional<Disconnect> OutageAt(Timestamp now) const;

  // ---- per message (one Bernoulli draw each, plus a delay draw when delayed)
  bool DropAck(Rng& rng) const { return config_.drop_ack.Draw(rng); }
  bool DuplicateAck(Rng& rng) const { return config_.duplicate_ack.Draw(rng); }
  // The extra delay of this ack, or nullopt when it is on time.
  std::optional<Duration> DelayAck(Rng& rng);
  // The three above in a fixed order (drop, duplicate, delay; the first that fires wins), each
  // drawn every time.
  AckDecision DecideAck(Rng& rng);
  bool FillBeforeAck(Rng& rng) const { return config_.fill_before_ack.Draw(rng); }
  bool CancelTooLate(Rng& rng) const { return config_.cancel_too_late.Draw(rng); }
  // On reconnect: how old the first snapshot is, or nullopt when it is fresh.
  std::optional<Duration> StaleSnapshotAge(Rng& rng) const;

  const FaultConfig& config() const { return config_; }
  Timestamp session_start() const { return start_; }

 private:
  VenueFaults(FaultConfig config, Timestamp start, LatencyModel reconnect, LatencyModel delay)
      : config_(std::move(config)),
        start_(start),
        reconnect_delay_(std::move(reconnect)),
        ack_delay_(std::move(delay)) {}
  std::optional<Disconnect> NextScheduled(Timestamp now) const;
  std::optional<Disconnect> NextOutage(Timestamp now) const;

  FaultConfig config_;  // disconnects and outages sorted by time
  Timestamp start_;
  LatencyModel reconnect_delay_;
  LatencyModel ack_delay_;
  std::optional<Disconnect> next_random_;  // the random process's cursor
};

}  // namespace td::sim
