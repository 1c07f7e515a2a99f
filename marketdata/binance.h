// Imports raw Binance websocket captures (spot and USD-M futures) into td::Event records, and
// checks on the way that the diff-depth stream rebuilds a consistent order book. Streaming:
// memory is bounded by the line limit, the book and the bounded buffers below, never by the
// capture's length. Single-threaded; no clock is read.
//
// Input: gzip text (plain text is read too), one message a line, `<local_receive_ns> <json>`,
// the JSON being a combined-stream wrapper `{"stream": "btcusdt@trade", "data": {...}}`, a bare
// stream event (`{"e": "trade", ...}`) or a REST depth snapshot (`{"lastUpdateId": ...}`).
//
// Records, in input order, one line giving one or more:
//   REST snapshot          -> L2Snapshot  (update_id = lastUpdateId)
//   depthUpdate            -> one L2Update per level, bids then asks (update_id = u; qty 0
//                             removes the level)
//   bookTicker             -> L1Quote     (update_id = u)
//   trade                  -> Trade       (aggressor sell when m, the buyer-is-maker flag, is
//                             true; buy otherwise)
//   anything else, and messages of another symbol than the one imported
//                          -> WireMessage (the raw JSON, kept so that nothing valid is lost)
//   importer findings      -> Annotation  ("binance import: ..."): book synchronised, depth
//                             gap, crossed book, skipped bad line
// receive_ts is the line's local receive time; exchange_ts the transaction time T when the
// message has one (futures, trades) and the event time E otherwise, ms -> ns; 0 when the
// message carries no time at all (spot bookTicker, the spot REST snapshot). A journal's
// timestamps must not decrease, so a record's journal ts is its receive time clamped to the
// previous line's (the clamp is counted; receive_ts keeps the recorded value).
//
// Depth synchronisation (per Binance's "How to manage a local order book correctly", spot
// web-socket-streams.md before 2024-11 and the USD-M futures page):
//   spot   - diffs are buffered until a snapshot; a diff with u <= lastUpdateId is stale; the
//            first applied diff must have U <= lastUpdateId+1 <= u; each later one must have
//            U == previous u + 1.
//   USD-M  - diffs are buffered until a snapshot; a diff with u < lastUpdateId is stale; the
//            first applied diff must have U <= lastUpdateId <= u; each later one must have
//            pu == previous u.
// Every diff is journaled when it arrives, whether or not it is applied; the summary counts it
// as applied, stale or unsynced. A sequence break (or a first diff that does not bridge the
// snapshot) is a gap: it is counted with its line, an Annotation names it, and the book is
// unsynchronised: later diffs are buffered (bounded) until another snapshot arrives, which
// resynchronises the book exactly as the first one did. Without another snapshot they stay
// unapplied. A snapshot that arrives while synced replaces the book and restarts the sync.
//
// To rebuild the book from such a journal, a consumer follows the same rule on the records:
// keep the L2Updates that precede the L2Snapshot, then apply, in journal order, those with
// update_id > the snapshot's (>= for USD-M), and stop at a "depth gap" annotation until the
// next snapshot.
//
// Checks while importing: the book is never crossed after an applied diff (crossed states are
// counted and annotated); and each book state after an applied diff is compared with the
// bookTicker that has the largest u <= the diff's u — the best bid and ask then agree exactly
// when the streams are consistent. Comparing at arrival time instead would be wrong: the diff
// stream is batched (100 ms on spot) while bookTicker is real time.
//
//   BinanceImportStats stats;
//   Status s = ImportBinanceToJournal("spot_btcusdt_20240808.gz", "out.journal", {}, &stats);
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/event.h"
#include "core/status.h"

namespace td::marketdata {

// A line longer than this is an error (a 5000-level REST snapshot is about 330 KB).
inline constexpr size_t kMaxBinanceLineBytes = 4u << 20;
// Diffs kept while waiting for a snapshot; beyond it the oldest is given up (counted unsynced).
inline constexpr size_t kMaxBufferedDiffs = 10'000;
// Gap and error details kept in the stats (the counts are exact past these).
inline constexpr size_t kMaxReportedGaps = 100;
inline constexpr size_t kMaxReportedErrors = 20;
// Lines read by ProbeBinanceCapture at most.
inline constexpr uint64_t kMaxProbeLines = 100'000;

enum class BinanceMarket : uint8_t { kSpot = 1, kUsdmFutures = 2 };

std::string_view BinanceMarketName(BinanceMarket m);  // "spot", "usdm"
std::string_view BinanceVenue(BinanceMarket m);       // "BINANCE", "BINANCE-USDM"

// Reads a gzip (or plain) text file line by line with a bound on the line length. A truncated
// gzip stream or corrupt deflate data is an error after the last complete line.
class GzipLineReader {
 public:
  static Result<std::unique_ptr<GzipLineReader>> Open(const std::string& path,
                                                      size_t max_line_bytes);
  ~GzipLineReader();
  GzipLineReader(const GzipLineReader&) = delete;
  GzipLineReader& operator=(const GzipLineReader&) = delete;

  // Stores the next line (without '\n', '\r' kept) in *line and returns true, or returns
  // false at the end of the input. A line over the limit is an OutOfRange error; the next
  // call continues after it. A read error (truncated or corrupt input) is final.
  Result<bool> Next(std::string* line);
  // The number of the line last returned or failed, from 1.
  uint64_t line_number() const { return line_number_; }

 private:
  GzipLineReader(void* gz, size_t max_line_bytes);
  Status Refill();

  void* gz_;  // gzFile, kept opaque so that zlib stays out of this header
  size_t max_line_bytes_;
  std::vector<char> buf_;
  size_t pos_ = 0, end_ = 0;
  bool eof_ = false;
  bool discarding_ = false;  // skipping the rest of an over-long line
  uint64_t line_number_ = 0;
};

// What the first lines of a capture say: the market (a depth diff with "pu", or a bookTicker
// with "e", is USD-M), the symbol (the first "s"), the tick and lot size (the greatest common
// divisor of the prices and of the non-zero quantities seen, the REST snapshot included) and
// the first receive time. Reads until it has seen a snapshot and a depth diff, or
// kMaxProbeLines; lines it cannot parse are left to the import to report.
struct BinanceCaptureInfo {
  BinanceMarket market = BinanceMarket::kSpot;
  std::string symbol;
  Price tick_size;
  Qty lot_size;  // at qty_decimals 8
  Timestamp first_receive_ts;
  uint64_t lines_probed = 0;
};
Result<BinanceCaptureInfo> ProbeBinanceCapture(const std::string& path, int qty_decimals = 8);

struct BinanceImportOptions {
  std::string symbol;                   // the symbol to import; empty: the capture's first
  std::optional<BinanceMarket> market;  // empty: probed from the capture
  InstrumentId instrument = 1;
  int qty_decimals = 8;         // BTC quantities have 8 decimals on Binance
  bool skip_bad_lines = false;  // false: stop at the first bad line
  size_t max_line_bytes = kMaxBinanceLineBytes;
  size_t max_buffered_diffs = kMaxBufferedDiffs;
};

struct BinanceGap {
  uint64_t line = 0;
  uint64_t first_update_id = 0;  // U of the diff that broke the sequence
  uint64_t expected = 0;         // spot: U expected; USD-M: pu expected (0: after a snapshot)
};

struct BinanceImportStats {
  uint64_t lines = 0;               // lines read, bad ones included
  uint64_t blank_lines = 0;         // empty lines: no record
  uint64_t bad_lines = 0;           // skipped under skip_bad_lines (each also annotated)
  std::vector<std::string> errors;  // the first kMaxReportedErrors messages
  std::string input_error;          // truncated or corrupt input (the import stopped there)

  uint64_t records = 0;
  std::array<uint64_t, kPayloadKindCount> records_by_kind{};

  uint64_t snapshots = 0;
  uint64_t trades = 0;
  uint64_t tickers = 0;
  uint64_t other_messages = 0;  // journaled as WireMessage
  uint64_t ts_clamped = 0;      // lines whose receive time went backwards

  // Depth diffs: diffs == applied + stale + unsynced once the import has finished.
  uint64_t diffs = 0;
  uint64_t diffs_empty = 0;            // no level: no L2Update record (still sequenced)
  uint64_t diffs_before_snapshot = 0;  // arrived before the first snapshot (buffered)
  uint64_t diffs_applied = 0;
  uint64_t diffs_stale = 0;         // u already in the snapshot (dropped by rule)
  uint64_t diffs_unsynced = 0;      // no snapshot to apply them to (or buffer overflow)
  uint64_t syncs = 0;               // times the book became synchronised
  uint64_t first_applied_line = 0;  // of the first sync
  uint64_t first_applied_U = 0, first_applied_u = 0, first_applied_pu = 0;
  uint64_t snapshot_update_id = 0;  // of the first snapshot
  uint64_t gaps = 0;
  std::vector<BinanceGap> gap_list;  // the first kMaxReportedGaps
  bool synced_at_end = false;

  // Book validation.
  uint64_t crossed_books = 0;  // applied diffs after which best bid >= best ask
  uint64_t first_crossed_line = 0;
  uint64_t ticker_compared = 0;     // book states matched with a bookTicker by update id
  uint64_t ticker_price_agree = 0;  // best bid and ask prices equal
  uint64_t ticker_full_agree = 0;   // prices and quantities equal
  uint64_t ticker_uncompared = 0;   // book states with no ticker to compare with

  Timestamp first_ts, last_ts;  // receive times (journal ts)
};

using EventSink = std::function<Status(const Event& event)>;

// Reads `path` and hands every record to `sink` (Event::seq left 0, Event::ts the journal ts).
// Stops at the first bad line unless options.skip_bad_lines, at a read error, or at the first
// error of the sink. Errors name the file and line:
//   `spot_btcusdt_20240808.gz:1234: trade: field "p": invalid decimal "6x": ...`
// *stats is filled in either case.
Status ImportBinanceCapture(const std::string& path, const BinanceImportOptions& options,
                            const EventSink& sink, BinanceImportStats* stats);

// The journal header of an import: session_kind "import", one instrument (id
// options.instrument) described from the probe.
JournalHeader BinanceJournalHeader(const BinanceCaptureInfo& info,
                                   const BinanceImportOptions& options);

// Probes `path`, creates the journal `journal_dir` and imports into it. With skip_bad_lines, a
// truncated input still gives a complete journal of what came before, and an error.
Status ImportBinanceToJournal(const std::string& path, const std::string& journal_dir,
                              const BinanceImportOptions& options, BinanceImportStats* stats);

}  // namespace td::marketdata
