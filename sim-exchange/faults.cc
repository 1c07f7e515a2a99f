// VenueFaults: validation of the schedule, the disconnect timeline and the per-message draws.
#include "sim-exchange/faults.h"

#include <algorithm>
#include <utility>

namespace td::sim {
namespace {

Status CheckProbability(std::string_view field, const Probability& p) {
  if (p.Valid()) return Status::Ok();
  return InvalidArgument("faults " + std::string(field) + " = " + p.ToString() +
                         " is not a probability (need den > 0 and num <= den)");
}

Status CheckNonNegative(std::string_view field, Duration d) {
  if (d.ns >= 0) return Status::Ok();
  return InvalidArgument("faults " + std::string(field) + " = " + std::to_string(d.ns) +
                         " ns is negative");
}

// The earlier of two candidates; on a tie the first one (callers pass the more severe first).
std::optional<Disconnect> Earlier(std::optional<Disconnect> a, std::optional<Disconnect> b) {
  if (!a) return b;
  if (!b) return a;
  return b->at < a->at ? b : a;
}

}  // namespace

std::string_view OpenOrderPolicyName(OpenOrderPolicy p) {
  return p == OpenOrderPolicy::kCancelAll ? "cancel_all" : "keep";
}

std::string_view DisconnectCauseName(DisconnectCause c) {
  switch (c) {
    case DisconnectCause::kScheduled:
      return "scheduled";
    case DisconnectCause::kRandom:
      return "random";
    case DisconnectCause::kOutage:
      return "outage";
  }
  return "unknown";
}

std::string_view AckFateName(AckFate f) {
  switch (f) {
    case AckFate::kDeliver:
      return "deliver";
    case AckFate::kDrop:
      return "drop";
    case AckFate::kDuplicate:
      return "duplicate";
    case AckFate::kDelay:
      return "delay";
  }
  return "unknown";
}

Result<VenueFaults> VenueFaults::Create(FaultConfig c, Timestamp session_start) {
  TD_RETURN_IF_ERROR(CheckProbability("drop_ack", c.drop_ack));
  TD_RETURN_IF_ERROR(CheckProbability("duplicate_ack", c.duplicate_ack));
  TD_RETURN_IF_ERROR(CheckProbability("delay_ack", c.delay_ack));
  TD_RETURN_IF_ERROR(CheckProbability("fill_before_ack", c.fill_before_ack));
  TD_RETURN_IF_ERROR(CheckProbability("cancel_too_late", c.cancel_too_late));
  TD_RETURN_IF_ERROR(CheckProbability("stale_book_after_reconnect", c.stale_book_after_reconnect));
  TD_RETURN_IF_ERROR(
      CheckNonNegative("random_disconnect_mean_interval", c.random_disconnect_mean_interval));
  TD_RETURN_IF_ERROR(CheckNonNegative("stale_book_age", c.stale_book_age));
  if (c.disconnects.size() > kMaxScheduledFaults || c.outages.size() > kMaxScheduledFaults) {
    return InvalidArgument("faults: more than " + std::to_string(kMaxScheduledFaults) +
                           " scheduled disconnects or outages");
  }
  for (const ScheduledDisconnect& d : c.disconnects) {
    TD_RETURN_IF_ERROR(CheckNonNegative("disconnect.at", d.at));
    TD_RETURN_IF_ERROR(CheckNonNegative("disconnect.down_for", d.down_for));
  }
  for (const OutageSpec& o : c.outages) {
    TD_RETURN_IF_ERROR(CheckNonNegative("outage.at", o.at));
    TD_RETURN_IF_ERROR(CheckNonNegative("outage.length", o.length));
  }
  // stable_sort: equal times keep their file order, so the schedule is deterministic.
  std::stable_sort(c.disconnects.begin(), c.disconnects.end(),
                   [](const auto& a, const auto& b) { return a.at < b.at; });
  std::stable_sort(c.outages.begin(), c.outages.end(),
                   [](const auto& a, const auto& b) { return a.at < b.at; });
  for (size_t i = 1; i < c.outages.size(); ++i) {
    if (c.outages[i - 1].at + c.outages[i - 1].length > c.outages[i].at) {
      return InvalidArgument("faults: outage at +" + std::to_string(c.outages[i].at.ns) +
                             " ns overlaps the one at +" + std::to_string(c.outages[i - 1].at.ns) +
                             " ns");
    }
  }
  Result<LatencyModel> reconnect = LatencyModel::Create(c.reconnect_delay);
  if (!reconnect.ok())
    return InvalidArgument("faults reconnect_delay: " + reconnect.status().message());
  Result<LatencyModel> delay = LatencyModel::Create(c.ack_delay);
  if (!delay.ok()) return InvalidArgument("faults ack_delay: " + delay.status().message());
  return VenueFaults(std::move(c), session_start, std::move(reconnect).value(),
                     std::move(delay).value());
}

VenueFaults VenueFaults::None(Timestamp session_start) {
  Result<VenueFaults> f = Create(FaultConfig{}, session_start);
  TD_CHECK_MSG(f.ok(), f.status().ToString().c_str());
  return std::move(f).value();
}

std::optional<Disconnect> VenueFaults::NextScheduled(Timestamp now) const {
  const auto& list = config_.disconnects;
  const auto it =
      std::lower_bound(list.begin(), list.end(), now - start_,
                       [](const ScheduledDisconnect& d, Duration t) { return d.at < t; });
  if (it == list.end()) return std::nullopt;
  return Disconnect{.at = start_ + it->at,
                    .reconnect_at = start_ + it->at + it->down_for,
                    .cause = DisconnectCause::kScheduled,
                    .open_orders = config_.disconnect_open_orders};
}

std::optional<Disconnect> VenueFaults::NextOutage(Timestamp now) const {
  const auto& list = config_.outages;
  const auto it = std::lower_bound(list.begin(), list.end(), now - start_,
                                   [](const OutageSpec& o, Duration t) { return o.at < t; });
  if (it == list.end()) return std::nullopt;
  return Disconnect{.at = start_ + it->at,
                    .reconnect_at = start_ + it->at + it->length,
                    .cause = DisconnectCause::kOutage,
                    .open_orders = it->open_orders};
}

std::optional<Disconnect> VenueFaults::OutageAt(Timestamp now) const {
  const auto& list = config_.outages;
  // The last outage starting at or before now; it is in effect if it has not ended.
  const auto it = std::upper_bound(list.begin(), list.end(), now - start_,
                                   [](Duration t, const OutageSpec& o) { return t < o.at; });
  if (it == list.begin()) return std::nullopt;
  const OutageSpec& o = *(it - 1);
  if (now >= start_ + o.at + o.length) return std::nullopt;
  return Disconnect{.at = start_ + o.at,
                    .reconnect_at = start_ + o.at + o.length,
                    .cause = DisconnectCause::kOutage,
                    .open_orders = o.open_orders};
}

std::optional<Disconnect> VenueFaults::NextDisconnect(Timestamp now, Rng& rng) {
  if (config_.random_disconnect_mean_interval.ns > 0 && (!next_random_ || next_random_->at < now)) {
    const int64_t gap_ns = rng.ExponentialInt(config_.random_disconnect_mean_interval.ns);
    const Timestamp at = now + Duration{gap_ns};
    next_random_ = Disconnect{.at = at,
                              .reconnect_at = at + Duration{reconnect_delay_.Sample(rng)},
                              .cause = DisconnectCause::kRandom,
                              .open_orders = config_.disconnect_open_orders};
  }
  return Earlier(Earlier(NextOutage(now), NextScheduled(now)), next_random_);
}

std::optional<Duration> VenueFaults::DelayAck(Rng& rng) {
  if (!config_.delay_ack.Draw(rng)) return std::nullopt;
  return Duration{ack_delay_.Sample(rng)};
}

AckDecision VenueFaults::DecideAck(Rng& rng) {
  const bool drop = DropAck(rng);
  const bool duplicate = DuplicateAck(rng);
  const std::optional<Duration> delay = DelayAck(rng);
  if (drop) return {.fate = AckFate::kDrop, .extra_delay = {}};
  if (duplicate) return {.fate = AckFate::kDuplicate, .extra_delay = {}};
  if (delay) return {.fate = AckFate::kDelay, .extra_delay = *delay};
  return {};
}

std::optional<Duration> VenueFaults::StaleSnapshotAge(Rng& rng) const {
  if (!config_.stale_book_after_reconnect.Draw(rng)) return std::nullopt;
  return config_.stale_book_age;
}

}  // namespace td::sim
