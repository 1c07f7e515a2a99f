// Simulate: a whole simulation run written to a journal in the live format (DESIGN.md,
// "Modes of the replayer"; docs/replayer.md, "Journal of a run"). The header carries engine
// name "tapedeck-engine", the build id, the config text verbatim (engine + scenario +
// operator commands), the seed, the instruments and session_kind "simulate"; created = t0,
// the time of the first market-data record. The same inputs give byte-identical segment files:
// the writer is run with an unbounded linger, so block boundaries depend on sizes only.
#pragma once

#include <string>

#include "journal/writer.h"
#include "replayer/market_source.h"
#include "replayer/run_config.h"
#include "replayer/sim_session.h"

namespace td::replayer {

inline constexpr char kEngineName[] = "tapedeck-engine";
const char* BuildId();

struct SimulateOptions {
  std::string config_text;    // engine + scenario TOML, with the engine selection in it
  std::string config_origin;  // file name, for messages
  uint64_t seed = 0;
  Duration duration;  // 0: until the market data ends (+ kDrainAfterMarket)
  // The journal to create; empty: none (the engine, venue and links alone, as `bench
  // simulate --no-journal` measures them).
  std::string out_dir;
};

// Records a session's inputs and outputs into a journal writer (run with kBlock
// backpressure, which never drops).
class JournalSink : public RecordSink {
 public:
  explicit JournalSink(journal::JournalWriter* w) : writer_(w) {}
  void Record(Timestamp ts, const Payload& payload) override { (void)writer_->Append(ts, payload); }

 private:
  journal::JournalWriter* writer_;
};

// Writer options that make a journal's bytes a function of its records only.
journal::WriterOptions DeterministicWriterOptions();

// Runs the simulation over `source`. Errors: config, venue, source or journal errors.
Result<SessionResult> Simulate(const SimulateOptions& options, MarketSource& source);

}  // namespace td::replayer
