// ImportLobster: converts a LOBSTER message file (with its orderbook file, for the seed) into
// a journal. The first records are the seed, the book before message 1 (docs/lobster-replay.md,
// "Seeding"): one L2Snapshot, then one kAdd L3Order per seeded level with a placeholder id
// (kLobsterPseudoIdBase + 1, + 2, ...: bids best first, then asks best first). Then one record
// per message, in order:
//
//   type 1 add -> L3Order kAdd         type 5 hidden execution -> Trade (aggressor opposite)
//   type 2     -> L3Order kCancel       type 6 cross -> Annotation, then Trade (no aggressor)
//   type 3     -> L3Order kDelete       type 7 halt  -> TradingStatus (-1 halted, 0 quoting,
//   type 4     -> L3Order kExecute                                       1 trading)
//
// Record and exchange timestamps are the message time in UTC ns (receive_ts = exchange_ts:
// LOBSTER has no local receive time). Single-threaded apart from the journal's own thread.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"
#include "journal/writer.h"
#include "marketdata/lobster.h"

namespace td::marketdata {

struct LobsterImportOptions {
  std::string symbol;  // empty: the ticker of the file name
  LobsterReaderOptions reader;
  journal::WriterOptions writer;
};

struct LobsterImportStats {
  uint64_t messages = 0;
  uint64_t records = 0;         // journaled, seed included
  uint64_t seed_levels = 0;     // kAdd placeholders of the seed
  uint64_t l3_orders = 0;       // from messages (types 1-4)
  uint64_t trades = 0;          // types 5 and 6
  uint64_t statuses = 0;        // type 7
  uint64_t annotations = 0;     // one per type 6
  uint64_t time_artefacts = 0;  // times rounded to the nanosecond
  int levels = 0;
  std::string symbol;
  Timestamp first_ts, last_ts;
};

// Writes the journal into `out_dir` (which must not exist or be empty). Errors name the
// input file and line, or the journal directory.
Result<LobsterImportStats> ImportLobster(const std::string& message_path,
                                         const std::string& orderbook_path,
                                         const std::string& out_dir,
                                         const LobsterImportOptions& options = {});

}  // namespace td::marketdata
