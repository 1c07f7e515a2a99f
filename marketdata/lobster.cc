// LOBSTER file reading: file names, time text, message and orderbook lines. Integer
// arithmetic only; see lobster.h and docs/lobster-replay.md, "Reading".
#include "marketdata/lobster.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace td::marketdata {
namespace {

constexpr const char* kMessageFields[] = {"Time", "Type", "OrderID", "Size", "Price", "Direction"};
constexpr int kMessageFieldCount = 6;
constexpr size_t kMaxQuotedChars = 40;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string Quote(std::string_view text) {
  std::string out = "\"";
  for (size_t i = 0; i < text.size() && i < kMaxQuotedChars; ++i) {
    const char c = text[i];
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += c;
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      const auto u = static_cast<unsigned char>(c);
      out += {'\\', 'x', kHex[u >> 4], kHex[u & 15]};
    }
  }
  if (text.size() > kMaxQuotedChars) out += "...";
  return out + '"';
}

std::string BaseName(std::string_view path) {
  const size_t slash = path.find_last_of('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

// A signed decimal integer, strict: [+-]? digit{1,18}. Cheap: this is the parser's hot path.
bool ParseInt(std::string_view s, int64_t* out) {
  size_t i = 0;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    i = 1;
  }
  const size_t digits = s.size() - i;
  if (digits == 0 || digits > 18) return false;
  int64_t v = 0;
  for (; i < s.size(); ++i) {
    if (!IsDigit(s[i])) return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = negative ? -v : v;
  return true;
}

// Scans a field of ParseInt's grammar at `p`, up to the next ',' or `end`, in one pass: the
// orderbook file's hot loop. Returns where the field ends, or nullptr when it is malformed.
const char* ScanInt(const char* p, const char* end, int64_t* out) {
  bool negative = false;
  if (p < end && (*p == '-' || *p == '+')) negative = *p++ == '-';
  const char* const digits = p;
  int64_t v = 0;
  while (p < end && IsDigit(*p)) {
    if (p - digits == 18) return nullptr;  // a 19th digit could overflow
    v = v * 10 + (*p++ - '0');
  }
  if (p == digits || (p < end && *p != ',')) return nullptr;
  *out = negative ? -v : v;
  return p;
}

// Splits `line` at commas into at most `max` fields; returns how many there were (possibly
// more than max, in which case the surplus is not stored).
size_t Split(std::string_view line, std::string_view* fields, size_t max) {
  size_t n = 0, start = 0;
  for (;;) {
    const size_t comma = line.find(',', start);
    const size_t end = comma == std::string_view::npos ? line.size() : comma;
    if (n < max) fields[n] = line.substr(start, end - start);
    ++n;
    if (comma == std::string_view::npos) return n;
    start = comma + 1;
  }
}

}  // namespace

// ---------------------------------------------------------------- names and time

Result<LobsterFileName> ParseLobsterFileName(std::string_view path) {
  const std::string base = BaseName(path);
  auto bad = [&](std::string_view why) {
    return InvalidArgument(std::string(path) + ": not a LOBSTER file name (" + std::string(why) +
                           "); expected TICKER_YYYY-MM-DD_StartMs_EndMs_message_LEVEL.csv");
  };
  std::string_view s = base;
  if (s.size() < 4 || s.substr(s.size() - 4) != ".csv") return bad("no .csv suffix");
  s.remove_suffix(4);
  // From the right: LEVEL, kind, end, start, date; the ticker is what is left (it may
  // contain '_' in principle).
  std::string_view parts[5];
  for (int k = 4; k >= 0; --k) {
    const size_t u = s.find_last_of('_');
    if (u == std::string_view::npos) return bad("too few '_'-separated parts");
    parts[k] = s.substr(u + 1);
    s = s.substr(0, u);
  }
  LobsterFileName n;
  n.symbol = std::string(s);
  if (n.symbol.empty()) return bad("empty ticker");
  const std::string_view date = parts[0];
  int64_t y = 0, m = 0, d = 0;
  if (date.size() != 10 || date[4] != '-' || date[7] != '-' || !ParseInt(date.substr(0, 4), &y) ||
      !ParseInt(date.substr(5, 2), &m) || !ParseInt(date.substr(8, 2), &d) || m < 1 || m > 12 ||
      d < 1 || d > 31) {
    return bad("date " + Quote(date) + " is not YYYY-MM-DD");
  }
  n.year = static_cast<int>(y);
  n.month = static_cast<int>(m);
  n.day = static_cast<int>(d);
  if (!ParseInt(parts[1], &n.start_ms) || !ParseInt(parts[2], &n.end_ms) || n.start_ms < 0 ||
      n.end_ms < n.start_ms) {
    return bad("start and end must be milliseconds after midnight");
  }
  if (parts[3] == "message") {
    n.is_message = true;
  } else if (parts[3] != "orderbook") {
    return bad("kind " + Quote(parts[3]) + " is neither message nor orderbook");
  }
  int64_t levels = 0;
  if (!ParseInt(parts[4], &levels) || levels < 1 || levels > kMaxLobsterLevels) {
    return bad("level " + Quote(parts[4]) + " is not in [1, " + std::to_string(kMaxLobsterLevels) +
               "]");
  }
  n.levels = static_cast<int>(levels);
  return n;
}

Result<int64_t> ParseLobsterTime(std::string_view text, bool* artefact) {
  *artefact = false;
  auto bad = [&](std::string_view why) {
    return InvalidArgument("invalid time " + Quote(text) + ": " + std::string(why));
  };
  // Seconds after midnight: at most 6 digits (LOBSTER windows are within a day; a bound
  // keeps every product below inside int64).
  size_t i = 0;
  int64_t seconds = 0;
  while (i < text.size() && IsDigit(text[i])) {
    if (i == 6) return bad("more than 6 digits of seconds");
    seconds = seconds * 10 + (text[i] - '0');
    ++i;
  }
  if (i == 0) return bad("expected digits of seconds after midnight");
  int64_t nanos = 0;
  if (i < text.size()) {
    if (text[i] != '.')
      return bad(std::string("unexpected character at position ") + std::to_string(i));
    ++i;
    const size_t first = i;
    int decimals = 0;
    bool round_up = false;
    for (; i < text.size(); ++i) {
      if (!IsDigit(text[i])) {
        return bad("unexpected character at position " + std::to_string(i));
      }
      if (decimals < 9) {
        nanos = nanos * 10 + (text[i] - '0');
      } else if (decimals == 9) {
        round_up = text[i] >= '5';  // half up on the 10th decimal; later digits cannot matter
        *artefact = true;
      } else {
        *artefact = true;
      }
      ++decimals;
    }
    if (i == first) return bad("no digits after '.'");
    for (int k = decimals; k < 9; ++k) nanos *= 10;
    if (round_up) ++nanos;  // may carry into the seconds: 34200.9999999996 -> 34201
  }
  return seconds * kNanosPerSecond + nanos;
}

int Weekday(int64_t days) {
  // 1970-01-01 was a Thursday (4).
  return static_cast<int>(days >= -4 ? (days + 4) % 7 : (days + 5) % 7 + 6);
}

namespace {

// Day of the month of the n-th (1-based) Sunday of year/month; n = -1: the last one.
int NthSunday(int year, int month, int n) {
  if (n > 0) {
    const int first_wd = Weekday(DaysFromCivil(year, month, 1));
    return 1 + (7 - first_wd) % 7 + 7 * (n - 1);
  }
  const int next_month = month == 12 ? 1 : month + 1;
  const int next_year = month == 12 ? year + 1 : year;
  const int64_t last = DaysFromCivil(next_year, next_month, 1) - 1;
  const int64_t first = DaysFromCivil(year, month, 1);
  return static_cast<int>(last - Weekday(last) - first) + 1;
}

}  // namespace

int64_t UsEasternUtcOffsetSeconds(int year, int month, int day) {
  constexpr int64_t kEst = -5 * 3600, kEdt = -4 * 3600;
  int start_month, start_day, end_month, end_day;
  if (year >= 2007) {
    start_month = 3, start_day = NthSunday(year, 3, 2);
    end_month = 11, end_day = NthSunday(year, 11, 1);
  } else {
    start_month = 4, start_day = NthSunday(year, 4, 1);
    end_month = 10, end_day = NthSunday(year, 10, -1);
  }
  const int date = month * 100 + day;
  // The change happens at 02:00 local: the session of the start day is already EDT, the
  // session of the end day already EST.
  const bool dst = date >= start_month * 100 + start_day && date < end_month * 100 + end_day;
  return dst ? kEdt : kEst;
}

Timestamp LocalToUtc(int year, int month, int day, int64_t utc_offset_s, int64_t time_ns) {
  const int64_t midnight_local_s = DaysFromCivil(year, month, day) * 86'400;
  return Timestamp{(midnight_local_s - utc_offset_s) * kNanosPerSecond + time_ns};
}

InstrumentDef LobsterInstrument(InstrumentId id, std::string symbol) {
  InstrumentDef d;
  d.id = id;
  d.symbol = std::move(symbol);
  d.venue = "NASDAQ";
  d.asset_class = AssetClass::kEquity;
  d.currency = "USD";
  d.tick_size = Price{Price::kScale / 100};
  d.qty_decimals = 0;
  d.lot_size = Qty{1};
  d.min_qty = Qty{1};
  return d;
}

// ---------------------------------------------------------------- LineReader

Result<std::unique_ptr<LineReader>> LineReader::Open(const std::string& path, size_t buffer_bytes) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    const int err = errno;
    return Status(err == ENOENT ? StatusCode::kNotFound : StatusCode::kIoError,
                  path + ": cannot open: " + std::strerror(err));
  }
  return std::unique_ptr<LineReader>(
      new LineReader(path, f, std::max(buffer_bytes, 2 * kMaxLobsterLineBytes)));
}

LineReader::LineReader(std::string path, std::FILE* f, size_t buffer_bytes)
    : path_(std::move(path)), file_(f), buf_(buffer_bytes) {}

LineReader::~LineReader() {
  if (file_ != nullptr) std::fclose(file_);
}

Status LineReader::Fill() {
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  const size_t got = std::fread(buf_.data() + end_, 1, buf_.size() - end_, file_);
  end_ += got;
  if (got == 0) {
    if (std::ferror(file_)) {
      return IoError(path_ + ":" + std::to_string(line_ + 1) +
                     ": read error: " + std::strerror(errno));
    }
    eof_ = true;
  }
  return Status::Ok();
}

Result<bool> LineReader::Next(std::string_view* line) {
  for (;;) {
    const char* start = buf_.data() + begin_;
    const void* nl = std::memchr(start, '\n', end_ - begin_);
    if (nl != nullptr) {
      size_t len = static_cast<const char*>(nl) - start;
      begin_ += len + 1;
      if (len > 0 && start[len - 1] == '\r') --len;
      ++line_;
      if (len > kMaxLobsterLineBytes) break;
      *line = std::string_view(start, len);
      return true;
    }
    if (end_ - begin_ > kMaxLobsterLineBytes) {
      ++line_;
      break;
    }
    if (eof_) {
      if (begin_ == end_) return false;
      // The last line has no newline.
      size_t len = end_ - begin_;
      if (start[len - 1] == '\r') --len;
      begin_ = end_;
      ++line_;
      *line = std::string_view(start, len);
      return true;
    }
    TD_RETURN_IF_ERROR(Fill());
  }
  return InvalidArgument(path_ + ":" + std::to_string(line_) + ": line longer than " +
                         std::to_string(kMaxLobsterLineBytes) + " bytes");
}

// ---------------------------------------------------------------- LobsterReader

Result<std::unique_ptr<LobsterReader>> LobsterReader::Open(const std::string& message_path,
                                                           const std::string& orderbook_path,
                                                           const LobsterReaderOptions& options) {
  Result<LobsterFileName> name = ParseLobsterFileName(message_path);
  if (!name.ok()) return name.status();
  if (!name->is_message) {
    return InvalidArgument(message_path + ": is an orderbook file; give the message file first");
  }
  std::unique_ptr<LobsterReader> r(new LobsterReader());
  r->name_ = *name;
  Result<std::unique_ptr<LineReader>> m = LineReader::Open(message_path, options.buffer_bytes);
  if (!m.ok()) return m.status();
  r->messages_ = std::move(*m);
  if (!orderbook_path.empty()) {
    Result<LobsterFileName> ob = ParseLobsterFileName(orderbook_path);
    if (!ob.ok()) return ob.status();
    if (ob->is_message) {
      return InvalidArgument(orderbook_path + ": is a message file, expected its orderbook file");
    }
    if (ob->symbol != name->symbol || ob->year != name->year || ob->month != name->month ||
        ob->day != name->day || ob->start_ms != name->start_ms || ob->end_ms != name->end_ms ||
        ob->levels != name->levels) {
      return InvalidArgument(orderbook_path + ": does not belong to " + message_path +
                             " (ticker, date, window and level must be the same)");
    }
    Result<std::unique_ptr<LineReader>> o = LineReader::Open(orderbook_path, options.buffer_bytes);
    if (!o.ok()) return o.status();
    r->orderbook_ = std::move(*o);
    r->row_.asks.reserve(name->levels);
    r->row_.bids.reserve(name->levels);
  }
  r->utc_offset_s_ = options.utc_offset_s.has_value()
                         ? *options.utc_offset_s
                         : UsEasternUtcOffsetSeconds(name->year, name->month, name->day);
  r->midnight_utc_ns_ = LocalToUtc(name->year, name->month, name->day, r->utc_offset_s_, 0).ns;
  return r;
}

const std::string& LobsterReader::orderbook_path() const {
  static const std::string kNone;
  return orderbook_ ? orderbook_->path() : kNone;
}

Result<bool> LobsterReader::Next() {
  std::string_view line;
  Result<bool> got = messages_->Next(&line);
  if (!got.ok()) return got.status();
  if (!*got) {
    if (orderbook_) {
      std::string_view extra;
      Result<bool> more = orderbook_->Next(&extra);
      if (!more.ok()) return more.status();
      if (*more) {
        return Corruption(orderbook_->path() + ":" + std::to_string(orderbook_->line_number()) +
                          ": orderbook file has more rows than the " + std::to_string(count_) +
                          " messages of " + messages_->path());
      }
    }
    return false;
  }
  ++count_;
  TD_RETURN_IF_ERROR(ParseMessage(line));
  if (orderbook_) {
    Result<bool> row = orderbook_->Next(&line);
    if (!row.ok()) return row.status();
    if (!*row) {
      return Corruption(orderbook_->path() + ": orderbook file ends after " +
                        std::to_string(count_ - 1) + " rows, but " + messages_->path() +
                        " has more messages (line " + std::to_string(count_) + ")");
    }
    TD_RETURN_IF_ERROR(ParseRow(line));
  }
  return true;
}

Status LobsterReader::ParseMessage(std::string_view line) {
  auto where = [&](int field) {
    return messages_->path() + ":" + std::to_string(messages_->line_number()) + ": field " +
           std::to_string(field + 1) + " (" + kMessageFields[field] + "): ";
  };
  std::string_view f[kMessageFieldCount];
  const size_t n = Split(line, f, kMessageFieldCount);
  if (n != kMessageFieldCount) {
    return InvalidArgument(messages_->path() + ":" + std::to_string(messages_->line_number()) +
                           ": expected 6 comma-separated fields (Time,Type,OrderID,Size,Price,"
                           "Direction), found " +
                           std::to_string(n) + " in " + Quote(line));
  }
  LobsterMessage& m = message_;
  bool artefact = false;
  Result<int64_t> t = ParseLobsterTime(f[0], &artefact);
  if (!t.ok()) return InvalidArgument(where(0) + t.status().message());
  if (*t < last_time_ns_) {
    return InvalidArgument(where(0) + "time " + std::string(f[0]) +
                           " is before the previous message's " + last_time_text_ +
                           " (times never decrease)");
  }
  if (artefact) ++time_artefacts_;
  last_time_ns_ = *t;
  last_time_text_.assign(f[0]);
  m.time_ns = *t;

  int64_t v = 0;
  if (!ParseInt(f[1], &v) || v < 1 || v > 7) {
    return InvalidArgument(where(1) + Quote(f[1]) + " is not a LOBSTER event type (1..7)");
  }
  m.type = static_cast<LobsterType>(v);
  if (!ParseInt(f[2], &m.order_id)) {
    return InvalidArgument(where(2) + Quote(f[2]) + " is not an integer");
  }
  if (!ParseInt(f[3], &m.size) || m.size < 0) {
    return InvalidArgument(where(3) + Quote(f[3]) + " is not a non-negative integer");
  }
  if (!ParseInt(f[4], &m.price)) {
    return InvalidArgument(where(4) + Quote(f[4]) + " is not an integer (USD x 10000)");
  }
  if (!ParseInt(f[5], &v) || (v != 1 && v != -1)) {
    return InvalidArgument(where(5) + Quote(f[5]) + " is neither 1 (buy) nor -1 (sell)");
  }
  m.direction = static_cast<int>(v);

  // Per-type rules (LOBSTER ReadMe, "Message File" and "Trading Halts").
  switch (m.type) {
    case LobsterType::kHalt:
      if (m.price < -1 || m.price > 1) {
        return InvalidArgument(where(4) + "a type-7 message has price -1, 0 or 1, not " +
                               std::string(f[4]));
      }
      break;
    case LobsterType::kCross:
      if (m.size <= 0) return InvalidArgument(where(3) + "a cross must have a positive size");
      if (m.price <= 0) return InvalidArgument(where(4) + "price must be positive");
      break;
    default:
      if (m.size <= 0) {
        return InvalidArgument(where(3) + "type " + std::to_string(static_cast<int>(m.type)) +
                               " needs a positive size, not " + std::string(f[3]));
      }
      if (m.price <= 0 || m.price >= kLobsterEmptyAsk) {
        return InvalidArgument(where(4) + "price " + std::string(f[4]) +
                               " is not a positive USD x 10000 price");
      }
      if (m.type != LobsterType::kExecuteHidden && m.order_id <= 0) {
        return InvalidArgument(where(2) + "type " + std::to_string(static_cast<int>(m.type)) +
                               " needs a positive order id, not " + std::string(f[2]));
      }
      break;
  }
  return Status::Ok();
}

Status LobsterReader::ParseRow(std::string_view line) {
  const int levels = name_.levels;
  const size_t want = static_cast<size_t>(4 * levels);
  auto where = [&](size_t field) {
    static constexpr const char* kNames[] = {"AskPrice", "AskSize", "BidPrice", "BidSize"};
    return orderbook_->path() + ":" + std::to_string(orderbook_->line_number()) + ": field " +
           std::to_string(field + 1) + " (" + kNames[field % 4] + std::to_string(field / 4 + 1) +
           "): ";
  };
  row_.asks.clear();
  row_.bids.clear();
  auto count_error = [&](size_t found) {
    return InvalidArgument(orderbook_->path() + ":" + std::to_string(orderbook_->line_number()) +
                           ": expected " + std::to_string(want) + " fields (4 x level " +
                           std::to_string(levels) + "), found " + std::to_string(found));
  };
  bool ask_gap = false, bid_gap = false;  // an empty level seen: every deeper one is empty
  int64_t vals[4];
  const char* p = line.data();
  const char* const end = p + line.size();
  for (size_t field = 0; field < want; ++field) {
    const char* const start = p;
    p = ScanInt(p, end, &vals[field % 4]);
    if (p == nullptr) {
      const char* stop = start;
      while (stop < end && *stop != ',') ++stop;
      return InvalidArgument(where(field) + Quote(std::string_view(start, stop - start)) +
                             " is not an integer");
    }
    const bool last = field + 1 == want;
    if (p == end && !last) return count_error(field + 1);
    if (p != end && last) {
      size_t found = want;
      for (; p < end; ++p) found += *p == ',';
      return count_error(found);
    }
    ++p;  // the comma
    if (field % 4 != 3) continue;
    const int64_t ap = vals[0], as = vals[1], bp = vals[2], bs = vals[3];
    if (as < 0) return InvalidArgument(where(field - 2) + "negative size");
    if (bs < 0) return InvalidArgument(where(field) + "negative size");
    if (as == 0) {
      ask_gap = true;
    } else {
      if (ask_gap || (!row_.asks.empty() && ap <= row_.asks.back().price) || ap <= 0 ||
          ap >= kLobsterEmptyAsk) {
        return InvalidArgument(where(field - 3) + "ask " + std::to_string(ap) +
                               " breaks the order of the ask levels");
      }
      row_.asks.push_back({ap, as});
    }
    if (bs == 0) {
      bid_gap = true;
    } else {
      if (bid_gap || (!row_.bids.empty() && bp >= row_.bids.back().price) || bp <= 0) {
        return InvalidArgument(where(field - 1) + "bid " + std::to_string(bp) +
                               " breaks the order of the bid levels");
      }
      row_.bids.push_back({bp, bs});
    }
  }
  return Status::Ok();
}

}  // namespace td::marketdata
