// WhatIf: the journal's engine inputs up to time T, then the simulated venue with (possibly
// other) scenario models from T on (DESIGN.md, "Modes of the replayer"). Before T the engine
// is fed exactly as in exact replay, and its commands also reach the SimVenue (whose replies
// are discarded) so that the venue holds our orders at T; the journal's market data reaches
// the venue throughout. From T, the recorded market data after T is the only recorded input:
// venue replies, timers, disconnects and operator commands are simulated. The result counts
// both parts and the event hash covers every output. Single-threaded.
#pragma once

#include <string>

#include "replayer/sim_session.h"

namespace td::replayer {

struct WhatIfOptions {
  Timestamp from;           // T
  std::string config_text;  // empty: the journal header's config_text
  std::string config_origin;
  std::string out_dir;  // optional: journal of the what-if run
};

struct WhatIfReport {
  SessionResult result;
  uint64_t recorded_inputs = 0;  // fed before T
  JournalHeader header;
};

Result<WhatIfReport> WhatIf(const std::string& journal_dir, const WhatIfOptions& options);

}  // namespace td::replayer
