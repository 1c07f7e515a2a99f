// KillSwitchState: the kill switch's progress (DESIGN.md: "a kill switch that cancels all and
// flattens"). The steps themselves run in the Engine (engine.cc), each as an output record:
// RiskEvent kKillSwitchFired, MassCancel, a CancelOrder per open order, IOC flatten orders
// crossing the book by kKillSwitchCollarBps, a retry TimerSet every kill_switch_retry, then
// RiskEvent kKillSwitchFlat (or kKillSwitchDeadline) and a final report Annotation.
#pragma once

#include <optional>
#include <string>

#include "core/digest_writer.h"
#include "core/time.h"

namespace td::engine::internal {

// How far through the book a flatten order may reach, vs the touch (or mark).
inline constexpr int64_t kKillSwitchCollarBps = 100;
// Bound on retry rounds, whatever the deadline and retry period say.
inline constexpr uint64_t kKillSwitchMaxRounds = 100'000;

struct KillSwitchState {
  bool active = false;
  bool done = false;  // flat, or gave up at the deadline
  std::string reason;
  Timestamp fired;
  Timestamp deadline;
  TimerId timer = 0;
  uint64_t rounds = 0;
  std::optional<Timestamp> flat_at;

  void Digest(DigestWriter* w) const {
    w->Bool(active);
    w->Bool(done);
    w->Str(reason);
    w->I64(fired.ns);
    w->I64(deadline.ns);
    w->U64(timer);
    w->U64(rounds);
    w->I64(flat_at ? flat_at->ns : -1);
  }
};

}  // namespace td::engine::internal
