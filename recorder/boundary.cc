#include "recorder/boundary.h"

#include "core/check.h"
#include "fix/redact.h"
#include "replayer/record_kinds.h"

namespace td::recorder {

Boundary::Boundary(engine::Engine* engine, replayer::RecordSink* sink, OutputHandler on_output)
    : engine_(engine), sink_(sink), on_output_(std::move(on_output)) {}

Timestamp Boundary::Clamp(Timestamp ts) {
  if (ts < last_ts_) ts = last_ts_;
  last_ts_ = ts;
  return ts;
}

void Boundary::Start(Timestamp t0) {
  t0 = Clamp(t0);
  out_.clear();
  engine_->Start(t0, &out_);
  std::vector<Payload> outputs = std::move(out_);
  out_.clear();
  if (sink_ != nullptr) {
    for (const Payload& o : outputs) sink_->Record(t0, o);
  }
  counters_.outputs += outputs.size();
  dispatching_ = true;
  for (const Payload& o : outputs) on_output_(t0, o);
  dispatching_ = false;
  while (!queued_.empty()) {
    auto [ts, input] = std::move(queued_.front());
    queued_.pop_front();
    DispatchOne(ts, std::move(input));
  }
}

void Boundary::Input(Timestamp ts, Payload input) {
  TD_CHECK(replayer::RoleOf(input) == replayer::RecordRole::kInput);
  if (dispatching_) {
    TD_CHECK(queued_.size() < kMaxQueuedInputs);
    queued_.emplace_back(ts, std::move(input));
    return;
  }
  DispatchOne(ts, std::move(input));
  while (!queued_.empty()) {
    auto [qts, q] = std::move(queued_.front());
    queued_.pop_front();
    DispatchOne(qts, std::move(q));
  }
}

void Boundary::DispatchOne(Timestamp ts, Payload&& payload) {
  ts = Clamp(ts);
  event_.ts = ts;
  event_.payload = std::move(payload);
  const Payload& input = event_.payload;
  if (sink_ != nullptr) sink_->Record(ts, input);  // before the engine sees it
  ++counters_.inputs;
  if (replayer::IsMarketData(input)) {
    ++counters_.market_data;
  } else if (std::holds_alternative<TimerFired>(input)) {
    ++counters_.timers_fired;
  } else if (std::holds_alternative<OperatorCommand>(input)) {
    ++counters_.operator_commands;
  } else if (!std::holds_alternative<SessionState>(input)) {
    ++counters_.venue_inputs;
    if (std::holds_alternative<Fill>(input)) ++counters_.fills;
  }
  out_.clear();
  engine_->Dispatch(event_, &out_);
  // The outputs move to outputs_ (buffers swapped, never freed): a handler below may feed an
  // input, which is queued and dispatched only after this loop.
  outputs_.clear();
  outputs_.swap(out_);
  // Every output is on the journal before the first of them leaves the process.
  if (sink_ != nullptr) {
    for (const Payload& o : outputs_) sink_->Record(ts, o);
  }
  counters_.outputs += outputs_.size();
  dispatching_ = true;
  for (const Payload& o : outputs_) on_output_(ts, o);
  dispatching_ = false;
}

void Boundary::Wire(Timestamp ts, ConnectionId connection, WireDirection direction,
                    std::string_view bytes) {
  ts = Clamp(ts);
  if (sink_ != nullptr) {
    WireMessage w{connection, direction, fix::RedactCredentials(bytes)};
    sink_->Record(ts, w);
  }
  if (direction == WireDirection::kInbound) {
    ++counters_.wire_in;
  } else {
    ++counters_.wire_out;
  }
}

}  // namespace td::recorder
