// ExactReplay: feeds a journal's recorded engine inputs, in order and at their recorded times,
// to a fresh engine built from the header (config_text, with --set overrides, seed,
// instruments), and compares every output the engine produces with the recorded outputs in
// order, field by field (Payload's operator==), checkpoint digests included. The first
// divergence is reported with the records just before it; the run carries on only to count.
// Memory is constant in the journal's length. Single-threaded.
//
// Alignment: the engine's outputs for one input are expected as the recorded outputs that
// follow that input (and the outputs of Start(header.created) as those before the first
// input). A recorded output with no produced output left, or a produced output still
// unmatched when the next input comes, is a divergence too (expected or actual absent).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "core/event.h"
#include "core/status.h"
#include "engine/engine.h"

namespace td::replayer {

inline constexpr size_t kDivergenceContextRecords = 5;

struct Divergence {
  SeqNo seq = 0;  // of the recorded record (the next input's seq when expected is absent)
  Timestamp ts;
  std::string kind;               // the kind of the expected record, else of the actual one
  std::optional<Event> expected;  // absent: the engine produced an output the journal lacks
  std::optional<Event> actual;    // absent: the journal has an output the engine did not produce
  std::vector<Event> context;     // up to kDivergenceContextRecords records before it
  // A divergence found only at a Checkpoint (the states differ, no output did yet) in a
  // replay with overrides: the input after which the recorded configuration's engine and the
  // changed one first disagree on their state digest, found by running both in lockstep. That
  // is where the change first mattered (say, the fill the racy variant mishandles).
  std::optional<Event> state_diverged_after;
};

struct ReplayReport {
  uint64_t inputs = 0, outputs = 0, divergences = 0;
  uint64_t event_hash = 0;  // over the outputs the engine produced (docs/replayer.md)
  std::optional<Divergence> first_divergence;
  JournalHeader header;
  // The replaying engine's own account at the end (fills, open orders, positions, PnL, kill
  // switch times): `journal stats` reports it.
  engine::EngineSummary summary;
};

struct ReplayOptions {
  std::vector<std::string> overrides;  // "KEY=VALUE", applied with engine::ApplyOverride
};

// FailedPrecondition for a journal that is not an engine session (session_kind other than
// live, paper, simulate: imports and synthetic market data have nothing to compare).
Result<ReplayReport> ExactReplay(const std::string& journal_dir, const ReplayOptions& options);

}  // namespace td::replayer
