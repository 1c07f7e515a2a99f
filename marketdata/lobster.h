// LobsterReader: a streaming reader of LOBSTER's sample-file format (LOBSTER ReadMe, "Output
// Structure"): the message file `TICKER_YYYY-MM-DD_Start_End_message_LEVEL.csv`, and, in
// lockstep, the orderbook file whose row i is the book after message i. Values are parsed
// from text with integer arithmetic only (no double anywhere): times become integer
// nanoseconds after midnight, prices stay in LOBSTER units (USD x 10000) until converted
// with LobsterPrice(). Every error names the file and the line:
//
//   GOOG_2012-06-21_34200000_57600000_message_10.csv:1234: field 4 (Size): ...
//
// Single-threaded; a reader owns its two files. docs/lobster-replay.md, "Reading", has the
// details (time conversion, float artefacts, the DST rule).
//
//   auto r = LobsterReader::Open(message_path, orderbook_path);
//   if (!r.ok()) return r.status();
//   for (;;) {
//     Result<bool> more = (*r)->Next();
//     if (!more.ok()) return more.status();
//     if (!*more) break;
//     const LobsterMessage& m = (*r)->message();  // and (*r)->row(): the book after m
//   }
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/calendar.h"  // DaysFromCivil, with Weekday below
#include "core/event.h"
#include "core/fixed_point.h"
#include "core/ids.h"
#include "core/status.h"
#include "core/time.h"

namespace td::marketdata {

// Column 2 of the message file (LOBSTER ReadMe, "Message File"; type 6, auction cross, is
// documented on lobsterdata.com rather than in the sample ReadMe).
enum class LobsterType : uint8_t {
  kAdd = 1,            // submission of a new limit order
  kCancel = 2,         // partial cancellation: Size shares removed
  kDelete = 3,         // total deletion: Size is what the order still had
  kExecute = 4,        // execution of a visible limit order
  kExecuteHidden = 5,  // execution of a hidden limit order (OrderID 0): no book change
  kCross = 6,          // auction cross (negative pseudo OrderID): no book change
  kHalt = 7,           // trading halt indicator: Price -1 halt, 0 quoting, 1 trading
};

struct LobsterMessage {
  int64_t time_ns = 0;  // nanoseconds after midnight, exchange local time (US/Eastern)
  LobsterType type = LobsterType::kAdd;
  int64_t order_id = 0;  // negative for type-6 pseudo ids, 0 for types 5 and 7
  int64_t size = 0;      // shares
  int64_t price = 0;     // USD x 10000; for type 7: -1, 0 or 1
  int direction = 0;     // 1 buy, -1 sell; for executions the side of the resting order

  Side side() const { return direction > 0 ? Side::kBuy : Side::kSell; }
};

// The dummy prices of unoccupied levels (LOBSTER ReadMe, "Unoccupied Price Levels").
inline constexpr int64_t kLobsterEmptyAsk = 9'999'999'999;
inline constexpr int64_t kLobsterEmptyBid = -9'999'999'999;
// Bounds: LOBSTER sells up to 200 levels; a line longer than this is not LOBSTER.
inline constexpr int kMaxLobsterLevels = 200;
inline constexpr size_t kMaxLobsterLineBytes = 64 * 1024;
// LOBSTER prices are USD x 10^4; td::Price is USD x 10^9.
inline constexpr int64_t kLobsterPriceScale = Price::kScale / 10'000;

inline Price LobsterPrice(int64_t lobster_price) {
  return Price{lobster_price * kLobsterPriceScale};
}

struct LobsterLevel {
  int64_t price = 0;  // USD x 10000
  int64_t size = 0;
  bool operator==(const LobsterLevel&) const = default;
};

// One orderbook row: the occupied levels of each side, best first (dummy levels dropped, so
// a side with fewer than `levels` entries shows the whole side).
struct LobsterBookRow {
  std::vector<LobsterLevel> asks;
  std::vector<LobsterLevel> bids;
  const std::vector<LobsterLevel>& side(Side s) const { return s == Side::kBuy ? bids : asks; }
};

// What a LOBSTER file name says: TICKER_YYYY-MM-DD_StartMs_EndMs_(message|orderbook)_LEVEL.csv.
struct LobsterFileName {
  std::string symbol;
  int year = 0, month = 0, day = 0;
  int64_t start_ms = 0, end_ms = 0;  // milliseconds after midnight, local time
  bool is_message = false;
  int levels = 0;
};

// Parses the last path component. InvalidArgument naming the path when it does not follow
// the pattern (the date is what turns local times into UTC, so it is required).
Result<LobsterFileName> ParseLobsterFileName(std::string_view path);

// Parses LOBSTER's time text ("34200.004241176", "34200.0599", "34200") into nanoseconds
// after midnight, digit by digit. Grammar: digit{1,6} ('.' digit+)?. Up to 9 decimals are
// exact. Some files carry float artefacts with more than 9 decimals
// ("43002.632812672004"): they are ROUNDED to the nearest nanosecond, half up, on the 10th
// decimal (the artefact is a double's shortest repr of a 9-decimal value, off by less than
// half a nanosecond either way, so rounding recovers the value and truncation would not),
// and *artefact is set. InvalidArgument quoting the text otherwise.
Result<int64_t> ParseLobsterTime(std::string_view text, bool* artefact);

// Day of the week, 0 = Sunday.
int Weekday(int64_t days_since_epoch);

// The offset of US/Eastern from UTC, in seconds (-4 h or -5 h), during the regular trading
// session (09:30-16:00) of the given date, by the US DST rule: since 2007 daylight time runs
// from the second Sunday of March to the first Sunday of November, 1987-2006 from the first
// Sunday of April to the last Sunday of October (changes at 02:00 local, before any session,
// so a change day's session is already on the new offset). Before 1987: not supported
// (returns the 1987 rule), pass an explicit offset instead.
int64_t UsEasternUtcOffsetSeconds(int year, int month, int day);

// UTC nanoseconds since the epoch of `time_ns` after local midnight of the date.
Timestamp LocalToUtc(int year, int month, int day, int64_t utc_offset_s, int64_t time_ns);

struct LobsterReaderOptions {
  // UTC offset of the files' local time, seconds (east positive: US/Eastern summer is
  // -14400). Unset: UsEasternUtcOffsetSeconds() of the date in the file name.
  std::optional<int64_t> utc_offset_s;
  size_t buffer_bytes = 1 << 20;  // read buffer per file
};

// Reads one file line by line through a fixed buffer; the lines handed out stay valid until
// the next call. Exposed for the tests and the importer's own uses.
class LineReader {
 public:
  static Result<std::unique_ptr<LineReader>> Open(const std::string& path, size_t buffer_bytes);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // The next line without its "\n" or "\r\n"; false at the end of the file. A line longer
  // than kMaxLobsterLineBytes or a read error is a non-ok status naming path:line.
  Result<bool> Next(std::string_view* line);
  uint64_t line_number() const { return line_; }  // of the line last returned, from 1
  const std::string& path() const { return path_; }

 private:
  LineReader(std::string path, std::FILE* f, size_t buffer_bytes);
  Status Fill();

  std::string path_;
  std::FILE* file_ = nullptr;
  std::vector<char> buf_;
  size_t begin_ = 0, end_ = 0;
  bool eof_ = false;
  uint64_t line_ = 0;
};

class LobsterReader {
 public:
  // Opens the message file and, unless `orderbook_path` is empty, its orderbook file. Both
  // names must follow the LOBSTER pattern; the orderbook's must have the same ticker, date,
  // window and level as the message file's.
  static Result<std::unique_ptr<LobsterReader>> Open(const std::string& message_path,
                                                     const std::string& orderbook_path,
                                                     const LobsterReaderOptions& options = {});

  // Advances to the next message (and orderbook row). True with message() and row() set;
  // false after the last one, once both files have ended together. Errors name file:line:
  // malformed fields, times that decrease, and orderbook files with more or fewer rows than
  // the message file.
  Result<bool> Next();

  const LobsterMessage& message() const { return message_; }
  const LobsterBookRow& row() const { return row_; }  // empty without an orderbook file
  bool has_orderbook() const { return orderbook_ != nullptr; }
  uint64_t line() const { return count_; }  // of the current message (= of its row), from 1
  uint64_t messages() const { return count_; }
  const LobsterFileName& file_name() const { return name_; }
  int levels() const { return name_.levels; }
  int64_t utc_offset_s() const { return utc_offset_s_; }
  // Times with more than 9 decimals, rounded to the nanosecond (see ParseLobsterTime).
  uint64_t time_artefacts() const { return time_artefacts_; }
  const std::string& message_path() const { return messages_->path(); }
  const std::string& orderbook_path() const;

  // Exchange time of a message as UTC nanoseconds since the epoch.
  Timestamp ToUtc(int64_t time_ns) const { return Timestamp{midnight_utc_ns_ + time_ns}; }

 private:
  LobsterReader() = default;
  Status ParseMessage(std::string_view line);
  Status ParseRow(std::string_view line);

  LobsterFileName name_;
  std::unique_ptr<LineReader> messages_;
  std::unique_ptr<LineReader> orderbook_;
  int64_t utc_offset_s_ = 0;
  int64_t midnight_utc_ns_ = 0;
  LobsterMessage message_;
  LobsterBookRow row_;
  uint64_t count_ = 0;
  int64_t last_time_ns_ = INT64_MIN;
  std::string last_time_text_;
  uint64_t time_artefacts_ = 0;
};

// The instrument a LOBSTER file describes: a Nasdaq equity in USD, tick 0.01, lot 1 share,
// quantities in whole shares.
InstrumentDef LobsterInstrument(InstrumentId id, std::string symbol);

}  // namespace td::marketdata
