// Boundary: the journaling edge of a live or paper session (DESIGN.md, principle 4). Every
// engine input is appended to the journal before Engine::Dispatch, every output right after the
// dispatch (stamped with the input's time, as exact replay expects) and before the runtime
// sends it anywhere, and every raw wire message (FIX in and out) as a WireMessage with its
// credentials redacted. Pure: no sockets, no clock; the runtime passes the times it read.
// Times are clamped to be non-decreasing (the journal and the engine both require it).
// Single-threaded. Re-entrant calls of Input() from an output handler are queued and
// dispatched after the current input, in order. A null sink is recording off: nothing is
// journaled (wire messages are not even redacted) and everything else runs unchanged; only
// `tapedeck bench recording` uses it, as the baseline it compares recording with.
//
//   Boundary b(&engine, &sink, [&](Timestamp ts, const Payload& out) { send(out); });
//   b.Start(t0);
//   b.Wire(now, 1, WireDirection::kInbound, frame);
//   b.Input(now, Fill{...});
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string_view>
#include <utility>
#include <vector>

#include "core/event.h"
#include "engine/engine.h"
#include "replayer/sim_session.h"

namespace td::recorder {

// Inputs queued while one is being dispatched (an output handler feeding input back).
inline constexpr size_t kMaxQueuedInputs = 100'000;

struct BoundaryCounters {
  uint64_t inputs = 0, outputs = 0, wire_in = 0, wire_out = 0, fills = 0;
  uint64_t market_data = 0, venue_inputs = 0, timers_fired = 0, operator_commands = 0;
};

class Boundary {
 public:
  using OutputHandler = std::function<void(Timestamp ts, const Payload& output)>;

  // REQUIRES: engine and sink outlive the Boundary. sink == nullptr: recording off.
  Boundary(engine::Engine* engine, replayer::RecordSink* sink, OutputHandler on_output);

  // The engine's Start(t0): its outputs are journaled at t0, then handed to the handler.
  void Start(Timestamp t0);
  // One engine input received at `ts`: journal, dispatch, journal outputs, handle outputs.
  void Input(Timestamp ts, Payload input);
  // A raw FIX message as read or written; journaled redacted (fix/redact.h), never dispatched.
  void Wire(Timestamp ts, ConnectionId connection, WireDirection direction,
            std::string_view bytes);

  const BoundaryCounters& counters() const { return counters_; }
  Timestamp last_ts() const { return last_ts_; }

 private:
  Timestamp Clamp(Timestamp ts);
  void DispatchOne(Timestamp ts, Payload&& payload);

  engine::Engine* engine_;
  replayer::RecordSink* sink_;
  OutputHandler on_output_;
  Timestamp last_ts_ = Timestamp::Min();
  bool dispatching_ = false;
  std::deque<std::pair<Timestamp, Payload>> queued_;
  Event event_;                  // the input being dispatched (its buffers reused)
  std::vector<Payload> out_, outputs_;
  BoundaryCounters counters_;
};

}  // namespace td::recorder
