// The Binance capture importer: line reader, message parsing, depth synchronisation, book
// checks. See binance.h for the rules; comments here explain the choices of the code.
#include "marketdata/binance.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <utility>

#include "core/fixed_point.h"
#include "journal/writer.h"

namespace td::marketdata {

std::string_view BinanceMarketName(BinanceMarket m) {
  return m == BinanceMarket::kUsdmFutures ? "usdm" : "spot";
}

std::string_view BinanceVenue(BinanceMarket m) {
  return m == BinanceMarket::kUsdmFutures ? "BINANCE-USDM" : "BINANCE";
}

// ---------------------------------------------------------------- GzipLineReader

namespace {
constexpr size_t kReadChunkBytes = 256u << 10;
}  // namespace

GzipLineReader::GzipLineReader(void* gz, size_t max_line_bytes)
    : gz_(gz), max_line_bytes_(max_line_bytes), buf_(kReadChunkBytes) {}

GzipLineReader::~GzipLineReader() { gzclose(static_cast<gzFile>(gz_)); }

Result<std::unique_ptr<GzipLineReader>> GzipLineReader::Open(const std::string& path,
                                                             size_t max_line_bytes) {
  TD_CHECK(max_line_bytes > 0);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return NotFound(path + ": no such file");
  gzFile gz = gzopen(path.c_str(), "rb");
  if (gz == nullptr) return IoError(path + ": cannot open: " + std::strerror(errno));
  gzbuffer(gz, kReadChunkBytes);
  return std::unique_ptr<GzipLineReader>(new GzipLineReader(gz, max_line_bytes));
}

Status GzipLineReader::Refill() {
  gzFile gz = static_cast<gzFile>(gz_);
  const int n = gzread(gz, buf_.data(), static_cast<unsigned>(buf_.size()));
  int err = Z_OK;
  const char* msg = gzerror(gz, &err);
  // gzread reports a truncated stream as a short read with Z_BUF_ERROR, not as -1: check it,
  // or a cut-off capture would import as if it were complete.
  if (n < 0 || (err != Z_OK && err != Z_BUF_ERROR)) {
    return Corruption(std::string("corrupt gzip data: ") + (msg != nullptr ? msg : "read error"));
  }
  pos_ = 0;
  end_ = static_cast<size_t>(n);
  if (n == 0) {
    eof_ = true;
    if (err == Z_BUF_ERROR) return Corruption("truncated gzip input (unexpected end of file)");
  }
  return Status::Ok();
}

Result<bool> GzipLineReader::Next(std::string* line) {
  line->clear();
  bool started = false;  // read at least a byte of this line
  while (true) {
    if (pos_ == end_) {
      if (eof_) break;
      Status s = Refill();
      if (!s.ok()) {
        ++line_number_;  // the line the input broke in (possibly empty)
        return s;
      }
      if (eof_) break;
    }
    const char* begin = buf_.data() + pos_;
    const char* nl = static_cast<const char*>(std::memchr(begin, '\n', end_ - pos_));
    const size_t take = (nl != nullptr ? static_cast<size_t>(nl - begin) : end_ - pos_);
    pos_ += take + (nl != nullptr ? 1 : 0);
    started = true;
    if (discarding_) {
      if (nl != nullptr) discarding_ = false;
      continue;  // the rest of an over-long line, already reported
    }
    if (line->size() + take > max_line_bytes_) {
      ++line_number_;
      line->clear();
      discarding_ = (nl == nullptr);
      return OutOfRange("line longer than " + std::to_string(max_line_bytes_) + " bytes");
    }
    line->append(begin, take);
    if (nl != nullptr) {
      ++line_number_;
      return true;
    }
  }
  if (!started || discarding_) return false;
  ++line_number_;  // a last line without '\n'
  return true;
}

// ---------------------------------------------------------------- message parsing

namespace {

using Json = nlohmann::json;

enum class MsgKind : uint8_t { kSnapshot, kDepth, kTicker, kTrade, kOther };

struct DepthDiff {
  uint64_t first_id = 0;      // U
  uint64_t last_id = 0;       // u
  uint64_t prev_last_id = 0;  // pu (USD-M)
  bool has_prev = false;
  Timestamp exchange_ts;
  std::vector<PriceLevel> bids, asks;
};

// One parsed line. Parsing is complete before anything is emitted, so a bad line yields no
// record at all.
struct Message {
  MsgKind kind = MsgKind::kOther;
  Timestamp receive_ts;
  L2Snapshot snapshot;
  DepthDiff diff;
  L1Quote quote;
  Trade trade;
  std::string raw;  // kOther: the JSON text
};

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

Status FieldError(std::string_view kind, std::string_view field, std::string_view what) {
  return InvalidArgument(std::string(kind) + ": field " + Quote(field) + ": " + std::string(what));
}

Result<const Json*> Field(const Json& obj, std::string_view kind, const char* name) {
  auto it = obj.find(name);
  if (it == obj.end()) return InvalidArgument(std::string(kind) + ": missing field " + Quote(name));
  return &*it;
}

Result<uint64_t> UintField(const Json& obj, std::string_view kind, const char* name) {
  Result<const Json*> f = Field(obj, kind, name);
  if (!f.ok()) return f.status();
  if (!(*f)->is_number_unsigned()) return FieldError(kind, name, "expected a non-negative integer");
  return (*f)->get<uint64_t>();
}

// Binance times are integer milliseconds since the epoch.
Result<Timestamp> MillisField(const Json& obj, std::string_view kind, const char* name) {
  Result<uint64_t> ms = UintField(obj, kind, name);
  if (!ms.ok()) return ms.status();
  constexpr uint64_t kMaxMillis = std::numeric_limits<int64_t>::max() / 1'000'000;
  if (*ms > kMaxMillis) return FieldError(kind, name, "time out of range");
  return Timestamp{static_cast<int64_t>(*ms) * 1'000'000};
}

// T (transaction time) when present, else E (event time), else 0: see binance.h.
Result<Timestamp> ExchangeTime(const Json& obj, std::string_view kind) {
  if (obj.contains("T")) return MillisField(obj, kind, "T");
  if (obj.contains("E")) return MillisField(obj, kind, "E");
  return Timestamp{0};
}

Result<int64_t> Decimal(const Json& v, std::string_view kind, std::string_view field, int decimals,
                        bool positive) {
  if (!v.is_string()) return FieldError(kind, field, "expected a decimal string");
  Result<int64_t> r = ParseDecimal(v.get_ref<const std::string&>(), decimals);
  if (!r.ok()) return FieldError(kind, field, r.status().message());
  if (*r < 0 || (positive && *r == 0)) {
    return FieldError(kind, field,
                      "must be " + std::string(positive ? "positive" : "non-negative") + ": " +
                          Quote(v.get_ref<const std::string&>()));
  }
  return r;
}

Result<int64_t> DecimalField(const Json& obj, std::string_view kind, const char* name, int decimals,
                             bool positive) {
  Result<const Json*> f = Field(obj, kind, name);
  if (!f.ok()) return f.status();
  return Decimal(**f, kind, name, decimals, positive);
}

Status ParseLevels(const Json& obj, std::string_view kind, const char* name, int qty_decimals,
                   std::vector<PriceLevel>* out) {
  Result<const Json*> f = Field(obj, kind, name);
  if (!f.ok()) return f.status();
  if (!(*f)->is_array()) return FieldError(kind, name, "expected an array of [price, qty]");
  out->reserve((*f)->size());
  for (size_t i = 0; i < (*f)->size(); ++i) {
    const Json& lv = (**f)[i];
    const std::string at = std::string(name) + "[" + std::to_string(i) + "]";
    if (!lv.is_array() || lv.size() < 2) return FieldError(kind, at, "expected [price, qty]");
    Result<int64_t> px = Decimal(lv[0], kind, at + " price", Price::kDecimals, true);
    if (!px.ok()) return px.status();
    Result<int64_t> qty = Decimal(lv[1], kind, at + " qty", qty_decimals, false);
    if (!qty.ok()) return qty.status();
    out->push_back({Price{*px}, Qty{*qty}});
  }
  return Status::Ok();
}

// A REST snapshot lists bids best (highest) first and asks best (lowest) first, each price once.
Status CheckSnapshotOrder(const std::vector<PriceLevel>& levels, bool bids, const char* name) {
  for (size_t i = 1; i < levels.size(); ++i) {
    const bool ok =
        bids ? levels[i].price < levels[i - 1].price : levels[i].price > levels[i - 1].price;
    if (!ok) {
      return FieldError("snapshot", name,
                        std::string("prices not strictly ") + (bids ? "descending" : "ascending") +
                            " at index " + std::to_string(i));
    }
  }
  return Status::Ok();
}

Status ParseSnapshot(const Json& obj, int qty_decimals, L2Snapshot* s) {
  Result<uint64_t> id = UintField(obj, "snapshot", "lastUpdateId");
  if (!id.ok()) return id.status();
  s->update_id = *id;
  TD_RETURN_IF_ERROR(ParseLevels(obj, "snapshot", "bids", qty_decimals, &s->bids));
  TD_RETURN_IF_ERROR(ParseLevels(obj, "snapshot", "asks", qty_decimals, &s->asks));
  TD_RETURN_IF_ERROR(CheckSnapshotOrder(s->bids, true, "bids"));
  TD_RETURN_IF_ERROR(CheckSnapshotOrder(s->asks, false, "asks"));
  Result<Timestamp> ts = ExchangeTime(obj, "snapshot");
  if (!ts.ok()) return ts.status();
  s->exchange_ts = *ts;
  return Status::Ok();
}

Status ParseDepth(const Json& obj, int qty_decimals, DepthDiff* d) {
  Result<uint64_t> first = UintField(obj, "depth", "U");
  if (!first.ok()) return first.status();
  Result<uint64_t> last = UintField(obj, "depth", "u");
  if (!last.ok()) return last.status();
  if (*first > *last) return FieldError("depth", "U", "greater than u");
  d->first_id = *first;
  d->last_id = *last;
  if (obj.contains("pu")) {
    Result<uint64_t> prev = UintField(obj, "depth", "pu");
    if (!prev.ok()) return prev.status();
    d->prev_last_id = *prev;
    d->has_prev = true;
  }
  Result<Timestamp> ts =
      obj.contains("T") ? MillisField(obj, "depth", "T") : MillisField(obj, "depth", "E");
  if (!ts.ok()) return ts.status();
  d->exchange_ts = *ts;
  TD_RETURN_IF_ERROR(ParseLevels(obj, "depth", "b", qty_decimals, &d->bids));
  return ParseLevels(obj, "depth", "a", qty_decimals, &d->asks);
}

Status ParseTicker(const Json& obj, int qty_decimals, L1Quote* q) {
  constexpr std::string_view kKind = "bookTicker";
  Result<uint64_t> id = UintField(obj, kKind, "u");
  if (!id.ok()) return id.status();
  q->update_id = *id;
  Result<int64_t> bid = DecimalField(obj, kKind, "b", Price::kDecimals, false);
  if (!bid.ok()) return bid.status();
  Result<int64_t> bid_qty = DecimalField(obj, kKind, "B", qty_decimals, false);
  if (!bid_qty.ok()) return bid_qty.status();
  Result<int64_t> ask = DecimalField(obj, kKind, "a", Price::kDecimals, false);
  if (!ask.ok()) return ask.status();
  Result<int64_t> ask_qty = DecimalField(obj, kKind, "A", qty_decimals, false);
  if (!ask_qty.ok()) return ask_qty.status();
  q->bid = {Price{*bid}, Qty{*bid_qty}};
  q->ask = {Price{*ask}, Qty{*ask_qty}};
  Result<Timestamp> ts = ExchangeTime(obj, kKind);
  if (!ts.ok()) return ts.status();
  q->exchange_ts = *ts;
  return Status::Ok();
}

Status ParseTrade(const Json& obj, int qty_decimals, Trade* t) {
  Result<uint64_t> id = UintField(obj, "trade", "t");
  if (!id.ok()) return id.status();
  t->trade_id = *id;
  Result<int64_t> px = DecimalField(obj, "trade", "p", Price::kDecimals, true);
  if (!px.ok()) return px.status();
  Result<int64_t> qty = DecimalField(obj, "trade", "q", qty_decimals, true);
  if (!qty.ok()) return qty.status();
  t->price = Price{*px};
  t->qty = Qty{*qty};
  Result<const Json*> m = Field(obj, "trade", "m");
  if (!m.ok()) return m.status();
  if (!(*m)->is_boolean()) return FieldError("trade", "m", "expected true or false");
  // m: the buyer is the maker, so the seller took liquidity.
  t->aggressor = (*m)->get<bool>() ? Side::kSell : Side::kBuy;
  Result<Timestamp> ts = MillisField(obj, "trade", "T");
  if (!ts.ok()) return ts.status();
  t->exchange_ts = *ts;
  return Status::Ok();
}

MsgKind KindOfEvent(const Json& data, std::string_view stream) {
  auto e = data.find("e");
  if (e != data.end()) {
    if (!e->is_string()) return MsgKind::kOther;
    const std::string& name = e->get_ref<const std::string&>();
    if (name == "depthUpdate") return MsgKind::kDepth;
    if (name == "trade") return MsgKind::kTrade;
    if (name == "bookTicker") return MsgKind::kTicker;
    return MsgKind::kOther;
  }
  // Spot bookTicker events carry no "e"; the stream name says what they are.
  const size_t at = stream.find('@');
  if (at != std::string_view::npos && stream.substr(at + 1) == "bookTicker") {
    return MsgKind::kTicker;
  }
  return MsgKind::kOther;
}

// Finds what a line's JSON is and where its payload object is.
Result<MsgKind> Classify(const Json& root, const Json** data) {
  if (!root.is_object()) return InvalidArgument("expected a JSON object");
  *data = &root;
  auto stream = root.find("stream");
  if (stream != root.end()) {
    if (!stream->is_string()) return FieldError("stream message", "stream", "expected a string");
    auto d = root.find("data");
    if (d == root.end() || !d->is_object()) {
      return FieldError("stream message", "data", "expected an object");
    }
    *data = &*d;
    return KindOfEvent(*d, stream->get_ref<const std::string&>());
  }
  if (root.contains("lastUpdateId")) return MsgKind::kSnapshot;
  return KindOfEvent(root, "");
}

std::string_view KindText(MsgKind k) {
  switch (k) {
    case MsgKind::kSnapshot:
      return "snapshot";
    case MsgKind::kDepth:
      return "depth";
    case MsgKind::kTicker:
      return "bookTicker";
    case MsgKind::kTrade:
      return "trade";
    case MsgKind::kOther:
      return "message";
  }
  return "message";
}

// `symbol` is the one imported: empty adopts the first one seen. Messages of another symbol
// become kOther (journaled raw).
Status ParseMessage(std::string_view line, int qty_decimals, std::string* symbol, Message* m) {
  const size_t space = line.find(' ');
  if (space == std::string_view::npos) {
    return InvalidArgument("expected `<local_receive_ns> <json>`");
  }
  Result<int64_t> ns = ParseDecimal(line.substr(0, space), 0);
  if (!ns.ok() || *ns < 0) {
    return InvalidArgument("receive timestamp: " +
                           (ns.ok() ? std::string("negative") : ns.status().message()));
  }
  m->receive_ts = Timestamp{*ns};
  const std::string_view text = line.substr(space + 1);
  Json root;
  try {  // nlohmann reports the position of a syntax error only through its exception
    root = Json::parse(text);
  } catch (const Json::exception& e) {
    return InvalidArgument(std::string("malformed JSON: ") + e.what());
  }
  const Json* data = nullptr;
  Result<MsgKind> kind = Classify(root, &data);
  if (!kind.ok()) return kind.status();
  m->kind = *kind;
  if (m->kind == MsgKind::kDepth || m->kind == MsgKind::kTicker || m->kind == MsgKind::kTrade) {
    Result<const Json*> s = Field(*data, KindText(m->kind), "s");
    if (!s.ok()) return s.status();
    if (!(*s)->is_string()) return FieldError(KindText(m->kind), "s", "expected a string");
    const std::string& sym = (*s)->get_ref<const std::string&>();
    if (symbol->empty()) *symbol = sym;
    if (sym != *symbol) m->kind = MsgKind::kOther;
  }
  switch (m->kind) {
    case MsgKind::kSnapshot:
      return ParseSnapshot(*data, qty_decimals, &m->snapshot);
    case MsgKind::kDepth:
      return ParseDepth(*data, qty_decimals, &m->diff);
    case MsgKind::kTicker:
      return ParseTicker(*data, qty_decimals, &m->quote);
    case MsgKind::kTrade:
      return ParseTrade(*data, qty_decimals, &m->trade);
    case MsgKind::kOther:
      m->raw = std::string(text);
      return Status::Ok();
  }
  return Status::Ok();
}

// ---------------------------------------------------------------- book checks

struct Top {
  PriceLevel bid, ask;  // zero when the side is empty
  bool operator==(const Top&) const = default;
};

// Matches each book state (after an applied diff, id u) with the bookTicker that has the
// largest update id <= u, once a ticker with an id > u has arrived (tickers arrive in id
// order, so none <= u can come later). Bounded: kMaxHistory tickers and pending states.
class TickerCheck {
 public:
  static constexpr size_t kMaxHistory = 4096;

  explicit TickerCheck(BinanceImportStats* stats) : stats_(stats) {}

  void OnTicker(uint64_t id, const Top& top) {
    if (!tickers_.empty() && id <= tickers_.back().first) {
      if (id == tickers_.back().first) tickers_.back().second = top;
      return;  // out of id order: not usable as a reference
    }
    tickers_.emplace_back(id, top);
    if (tickers_.size() > kMaxHistory) tickers_.pop_front();
    while (!pending_.empty() && pending_.front().first < id) {
      Resolve(pending_.front());
      pending_.pop_front();
    }
  }

  void OnBookState(uint64_t id, const Top& top) {
    if (!tickers_.empty() && tickers_.back().first > id) {
      Resolve({id, top});
      return;
    }
    pending_.emplace_back(id, top);
    if (pending_.size() > kMaxHistory) {
      pending_.pop_front();
      ++stats_->ticker_uncompared;
    }
  }

  void Finish() {
    stats_->ticker_uncompared += pending_.size();
    pending_.clear();
  }

 private:
  void Resolve(const std::pair<uint64_t, Top>& state) {
    auto it = std::upper_bound(tickers_.begin(), tickers_.end(), state.first,
                               [](uint64_t id, const auto& t) { return id < t.first; });
    if (it == tickers_.begin()) {
      ++stats_->ticker_uncompared;
      return;
    }
    const Top& t = std::prev(it)->second;
    ++stats_->ticker_compared;
    if (t.bid.price == state.second.bid.price && t.ask.price == state.second.ask.price) {
      ++stats_->ticker_price_agree;
      if (t == state.second) ++stats_->ticker_full_agree;
    }
  }

  BinanceImportStats* stats_;
  std::deque<std::pair<uint64_t, Top>> tickers_, pending_;
};

// The L2 book rebuilt from the snapshot and the diffs, with Binance's synchronisation rules
// (binance.h). Findings worth a journal annotation are appended to *notes.
class DepthSync {
 public:
  static constexpr uint64_t kMaxCrossedNotes = 100;

  DepthSync(BinanceMarket market, size_t max_buffered, BinanceImportStats* stats,
            TickerCheck* ticker_check)
      : market_(market), max_buffered_(max_buffered), stats_(stats), ticker_check_(ticker_check) {}

  void OnSnapshot(const L2Snapshot& snap, uint64_t line, std::vector<std::string>* notes) {
    bids_.clear();
    asks_.clear();
    for (const PriceLevel& l : snap.bids) Set(&bids_, l);
    for (const PriceLevel& l : snap.asks) Set(&asks_, l);
    snapshot_id_ = snap.update_id;
    snapshot_line_ = line;
    state_ = State::kAwaitingFirstDiff;
    stale_since_snapshot_ = 0;
    ticker_check_->OnBookState(snap.update_id, BookTop());
    std::deque<Buffered> buffered;
    buffered.swap(buffer_);
    for (const Buffered& b : buffered) Process(b.diff, b.line, notes);
  }

  void OnDiff(DepthDiff diff, uint64_t line, std::vector<std::string>* notes) {
    if (state_ == State::kAwaitingSnapshot) {
      Buffer(std::move(diff), line);
      return;
    }
    Process(diff, line, notes);
  }

  void Finish() {
    stats_->diffs_unsynced += buffer_.size();
    buffer_.clear();
    stats_->synced_at_end = state_ == State::kSynced;
  }

  void set_market(BinanceMarket m) { market_ = m; }

 private:
  enum class State : uint8_t { kAwaitingSnapshot, kAwaitingFirstDiff, kSynced };
  struct Buffered {
    DepthDiff diff;
    uint64_t line;
  };
  using Bids = std::map<int64_t, int64_t, std::greater<>>;
  using Asks = std::map<int64_t, int64_t>;

  bool usdm() const { return market_ == BinanceMarket::kUsdmFutures; }

  void Buffer(DepthDiff diff, uint64_t line) {
    if (buffer_.size() >= max_buffered_) {
      buffer_.pop_front();
      ++stats_->diffs_unsynced;
    }
    buffer_.push_back({std::move(diff), line});
  }

  void Process(const DepthDiff& d, uint64_t line, std::vector<std::string>* notes) {
    if (state_ == State::kAwaitingFirstDiff) {
      // Spot: u <= lastUpdateId is in the snapshot; USD-M: u < lastUpdateId.
      if (usdm() ? d.last_id < snapshot_id_ : d.last_id <= snapshot_id_) {
        ++stats_->diffs_stale;
        ++stale_since_snapshot_;
        return;
      }
      const uint64_t bridge = usdm() ? snapshot_id_ : snapshot_id_ + 1;
      if (!(d.first_id <= bridge && bridge <= d.last_id)) {
        Gap(d, line, 0,
            "first diff after the snapshot of line " + std::to_string(snapshot_line_) +
                " (lastUpdateId " + std::to_string(snapshot_id_) + ") does not bridge it: U=" +
                std::to_string(d.first_id) + " u=" + std::to_string(d.last_id),
            notes);
        return;
      }
      Apply(d, line, notes);
      NoteSync(d, line, notes);
      return;
    }
    const bool in_sequence =
        usdm() ? d.has_prev && d.prev_last_id == last_id_ : d.first_id == last_id_ + 1;
    if (!in_sequence) {
      const uint64_t expected = usdm() ? last_id_ : last_id_ + 1;
      const std::string got =
          usdm() ? (d.has_prev ? "pu=" + std::to_string(d.prev_last_id) : std::string("no pu"))
                 : "U=" + std::to_string(d.first_id);
      Gap(d, line, expected,
          got + ", expected " + (usdm() ? "pu=" : "U=") + std::to_string(expected), notes);
      return;
    }
    Apply(d, line, notes);
  }

  void NoteSync(const DepthDiff& d, uint64_t line, std::vector<std::string>* notes) {
    state_ = State::kSynced;
    if (stats_->syncs++ == 0) {
      stats_->first_applied_line = line;
      stats_->first_applied_U = d.first_id;
      stats_->first_applied_u = d.last_id;
      stats_->first_applied_pu = d.prev_last_id;
    }
    notes->push_back("book synchronised: snapshot of line " + std::to_string(snapshot_line_) +
                     " (lastUpdateId " + std::to_string(snapshot_id_) +
                     "), first applied diff line " + std::to_string(line) +
                     " (U=" + std::to_string(d.first_id) + " u=" + std::to_string(d.last_id) +
                     "), " + std::to_string(stale_since_snapshot_) +
                     " diff(s) before it not applied (already in the snapshot)");
  }

  void Gap(const DepthDiff& d, uint64_t line, uint64_t expected, const std::string& what,
           std::vector<std::string>* notes) {
    ++stats_->gaps;
    if (stats_->gap_list.size() < kMaxReportedGaps) {
      stats_->gap_list.push_back({line, d.first_id, expected});
    }
    notes->push_back("depth gap at line " + std::to_string(line) + ": " + what +
                     "; book unsynchronised until the next snapshot");
    state_ = State::kAwaitingSnapshot;
    Buffer(d, line);
  }

  void Apply(const DepthDiff& d, uint64_t line, std::vector<std::string>* notes) {
    for (const PriceLevel& l : d.bids) Set(&bids_, l);
    for (const PriceLevel& l : d.asks) Set(&asks_, l);
    last_id_ = d.last_id;
    ++stats_->diffs_applied;
    const Top top = BookTop();
    // Checked after the whole diff: its levels are one atomic change.
    if (!bids_.empty() && !asks_.empty() && top.bid.price >= top.ask.price) {
      if (stats_->crossed_books++ == 0) stats_->first_crossed_line = line;
      if (stats_->crossed_books <= kMaxCrossedNotes) {
        notes->push_back("crossed book after the diff of line " + std::to_string(line) +
                         " (u=" + std::to_string(d.last_id) + "): best bid " +
                         top.bid.price.ToString() + " >= best ask " + top.ask.price.ToString());
      }
    }
    ticker_check_->OnBookState(d.last_id, top);
  }

  template <typename Map>
  static void Set(Map* side, const PriceLevel& l) {
    if (l.qty.raw == 0) {
      side->erase(l.price.raw);  // removing an absent level is normal on Binance
    } else {
      (*side)[l.price.raw] = l.qty.raw;
    }
  }

  Top BookTop() const {
    Top t;
    if (!bids_.empty()) t.bid = {Price{bids_.begin()->first}, Qty{bids_.begin()->second}};
    if (!asks_.empty()) t.ask = {Price{asks_.begin()->first}, Qty{asks_.begin()->second}};
    return t;
  }

  BinanceMarket market_;
  const size_t max_buffered_;
  BinanceImportStats* stats_;
  TickerCheck* ticker_check_;
  State state_ = State::kAwaitingSnapshot;
  uint64_t snapshot_id_ = 0, snapshot_line_ = 0, last_id_ = 0;
  uint64_t stale_since_snapshot_ = 0;
  Bids bids_;
  Asks asks_;
  std::deque<Buffered> buffer_;
};

// ---------------------------------------------------------------- the importer

class Importer {
 public:
  Importer(const std::string& path, const BinanceImportOptions& options, const EventSink& sink,
           BinanceImportStats* stats)
      : file_name_(std::filesystem::path(path).filename().string()),
        options_(options),
        symbol_(options.symbol),
        market_known_(options.market.has_value()),
        sink_(sink),
        stats_(stats),
        ticker_check_(stats),
        sync_(options.market.value_or(BinanceMarket::kSpot), options.max_buffered_diffs, stats,
              &ticker_check_) {}

  Status Run(GzipLineReader* reader) {
    std::string line;
    while (true) {
      Result<bool> more = reader->Next(&line);
      line_ = reader->line_number();
      if (!more.ok()) {
        const bool read_error = more.status().code() != StatusCode::kOutOfRange;
        if (read_error) {  // final: the rest of the input cannot be read
          Status s = Located(more.status());
          stats_->input_error = s.message();
          Finish();
          return s;
        }
        ++stats_->lines;
        TD_RETURN_IF_ERROR(BadLine(Located(more.status())));
        continue;
      }
      if (!*more) break;
      ++stats_->lines;
      Status s = HandleLine(line);
      if (s.code() == StatusCode::kInternal) {  // the sink failed: stop
        Finish();
        return s;
      }
      if (!s.ok()) TD_RETURN_IF_ERROR(BadLine(Located(s)));
    }
    Finish();
    return Status::Ok();
  }

 private:
  Status Located(const Status& s) const {
    return Status(s.code(), file_name_ + ":" + std::to_string(line_) + ": " + s.message());
  }

  // Under skip_bad_lines, the line is counted and annotated; otherwise the import stops.
  Status BadLine(const Status& s) {
    if (stats_->errors.size() < kMaxReportedErrors) stats_->errors.push_back(s.message());
    if (!options_.skip_bad_lines) {
      Finish();
      return s;
    }
    ++stats_->bad_lines;
    // Journal time of a bad line: the previous line's, its own being untrustworthy.
    return Emit(last_ts_ == INT64_MIN ? Timestamp{0} : Timestamp{last_ts_},
                Annotation{"binance import: skipped bad line: " + s.message()});
  }

  Status HandleLine(std::string_view line) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.empty()) {
      ++stats_->blank_lines;
      return Status::Ok();
    }
    Message m;
    TD_RETURN_IF_ERROR(ParseMessage(line, options_.qty_decimals, &symbol_, &m));
    Timestamp ts = m.receive_ts;
    if (ts.ns < last_ts_) {  // input disorder: keep the record, clamp its journal time
      ++stats_->ts_clamped;
      ts = Timestamp{last_ts_};
    }
    return Dispatch(std::move(m), ts);
  }

  Status Dispatch(Message m, Timestamp ts) {
    const InstrumentId inst = options_.instrument;
    std::vector<std::string> notes;
    switch (m.kind) {
      case MsgKind::kSnapshot:
        ++stats_->snapshots;
        if (stats_->snapshots == 1) stats_->snapshot_update_id = m.snapshot.update_id;
        m.snapshot.instrument = inst;
        m.snapshot.receive_ts = m.receive_ts;
        TD_RETURN_IF_ERROR(Emit(ts, m.snapshot));
        sync_.OnSnapshot(m.snapshot, line_, &notes);
        break;
      case MsgKind::kDepth:
        TD_RETURN_IF_ERROR(EmitDiff(m, ts, &notes));
        break;
      case MsgKind::kTicker:
        ++stats_->tickers;
        m.quote.instrument = inst;
        m.quote.receive_ts = m.receive_ts;
        ticker_check_.OnTicker(m.quote.update_id, Top{m.quote.bid, m.quote.ask});
        TD_RETURN_IF_ERROR(Emit(ts, m.quote));
        break;
      case MsgKind::kTrade:
        ++stats_->trades;
        m.trade.instrument = inst;
        m.trade.receive_ts = m.receive_ts;
        TD_RETURN_IF_ERROR(Emit(ts, m.trade));
        break;
      case MsgKind::kOther:
        ++stats_->other_messages;
        TD_RETURN_IF_ERROR(Emit(ts, WireMessage{0, WireDirection::kInbound, std::move(m.raw)}));
        break;
    }
    for (std::string& n : notes) TD_RETURN_IF_ERROR(Emit(ts, Annotation{"binance import: " + n}));
    return Status::Ok();
  }

  Status EmitDiff(Message& m, Timestamp ts, std::vector<std::string>* notes) {
    DepthDiff& d = m.diff;
    if (!market_known_) {  // the first diff tells: only USD-M diffs carry pu
      sync_.set_market(d.has_prev ? BinanceMarket::kUsdmFutures : BinanceMarket::kSpot);
      market_known_ = true;
    }
    ++stats_->diffs;
    if (stats_->snapshots == 0) ++stats_->diffs_before_snapshot;
    if (d.bids.empty() && d.asks.empty()) ++stats_->diffs_empty;
    L2Update u;
    u.instrument = options_.instrument;
    u.update_id = d.last_id;
    u.exchange_ts = d.exchange_ts;
    u.receive_ts = m.receive_ts;
    for (int side = 0; side < 2; ++side) {
      u.side = side == 0 ? Side::kBuy : Side::kSell;
      for (const PriceLevel& l : side == 0 ? d.bids : d.asks) {
        u.price = l.price;
        u.qty = l.qty;
        TD_RETURN_IF_ERROR(Emit(ts, u));
      }
    }
    sync_.OnDiff(std::move(d), line_, notes);
    return Status::Ok();
  }

  template <typename T>
  Status Emit(Timestamp ts, T payload) {
    Event e;
    e.ts = ts;
    e.payload = std::move(payload);
    if (stats_->records == 0) stats_->first_ts = ts;
    stats_->last_ts = ts;
    last_ts_ = ts.ns;
    ++stats_->records;
    ++stats_->records_by_kind[e.payload.index()];
    Status s = sink_(e);
    // A sink failure is not the line's fault: kInternal makes Run stop instead of skipping.
    if (!s.ok()) return Status(StatusCode::kInternal, "writing records: " + s.ToString());
    return Status::Ok();
  }

  void Finish() {
    if (finished_) return;
    finished_ = true;
    sync_.Finish();
    ticker_check_.Finish();
  }

  const std::string file_name_;
  const BinanceImportOptions& options_;
  std::string symbol_;
  bool market_known_;
  const EventSink& sink_;
  BinanceImportStats* stats_;
  TickerCheck ticker_check_;
  DepthSync sync_;
  uint64_t line_ = 0;
  int64_t last_ts_ = INT64_MIN;
  bool finished_ = false;
};

std::string QuoteCurrency(const std::string& symbol) {
  static constexpr std::string_view kQuotes[] = {"FDUSD", "USDT", "USDC", "BUSD", "TUSD",
                                                 "BTC",   "ETH",  "BNB",  "EUR",  "TRY"};
  for (std::string_view q : kQuotes) {
    if (symbol.size() > q.size() && std::string_view(symbol).ends_with(q)) return std::string(q);
  }
  return "";
}

}  // namespace

// ---------------------------------------------------------------- public functions

Status ImportBinanceCapture(const std::string& path, const BinanceImportOptions& options,
                            const EventSink& sink, BinanceImportStats* stats) {
  *stats = BinanceImportStats{};
  Result<std::unique_ptr<GzipLineReader>> reader =
      GzipLineReader::Open(path, options.max_line_bytes);
  if (!reader.ok()) return reader.status();
  Importer importer(path, options, sink, stats);
  return importer.Run(reader->get());
}

Result<BinanceCaptureInfo> ProbeBinanceCapture(const std::string& path, int qty_decimals) {
  Result<std::unique_ptr<GzipLineReader>> reader = GzipLineReader::Open(path, kMaxBinanceLineBytes);
  if (!reader.ok()) return reader.status();
  BinanceCaptureInfo info;
  bool market_known = false, have_ts = false, seen_snapshot = false;
  int64_t tick = 0, lot = 0;
  auto add_price = [&](Price p) { tick = std::gcd(tick, p.raw); };
  auto add_qty = [&](Qty q) { lot = std::gcd(lot, q.raw); };
  auto add_levels = [&](const std::vector<PriceLevel>& levels) {
    for (const PriceLevel& l : levels) add_price(l.price), add_qty(l.qty);
  };
  std::string line;
  while (info.lines_probed < kMaxProbeLines && !(seen_snapshot && market_known)) {
    Result<bool> more = (*reader)->Next(&line);
    if (!more.ok() || !*more) break;  // the import reports what the probe cannot read
    ++info.lines_probed;
    Message m;
    if (!ParseMessage(line, qty_decimals, &info.symbol, &m).ok()) continue;
    if (!have_ts) info.first_receive_ts = m.receive_ts, have_ts = true;
    switch (m.kind) {
      case MsgKind::kSnapshot:
        seen_snapshot = true;
        add_levels(m.snapshot.bids);
        add_levels(m.snapshot.asks);
        break;
      case MsgKind::kDepth:
        if (!market_known) {
          info.market = m.diff.has_prev ? BinanceMarket::kUsdmFutures : BinanceMarket::kSpot;
          market_known = true;
        }
        add_levels(m.diff.bids);
        add_levels(m.diff.asks);
        break;
      case MsgKind::kTicker:
        add_price(m.quote.bid.price), add_price(m.quote.ask.price);
        add_qty(m.quote.bid.qty), add_qty(m.quote.ask.qty);
        break;
      case MsgKind::kTrade:
        add_price(m.trade.price), add_qty(m.trade.qty);
        break;
      case MsgKind::kOther:
        break;
    }
  }
  info.tick_size = Price{tick};
  info.lot_size = Qty{lot};
  return info;
}

JournalHeader BinanceJournalHeader(const BinanceCaptureInfo& info,
                                   const BinanceImportOptions& options) {
  const BinanceMarket market = options.market.value_or(info.market);
  InstrumentDef inst;
  inst.id = options.instrument;
  inst.symbol = options.symbol.empty() ? info.symbol : options.symbol;
  inst.venue = std::string(BinanceVenue(market));
  inst.asset_class = AssetClass::kCrypto;
  inst.currency = QuoteCurrency(inst.symbol);
  inst.tick_size = info.tick_size;
  inst.qty_decimals = options.qty_decimals;
  inst.lot_size = info.lot_size;
  JournalHeader h;
  h.engine_name = "tapedeck import binance";
  h.session_kind = "import";
  h.created = info.first_receive_ts;
  h.config_text = "[import]\nformat = \"binance\"\nmarket = \"" +
                  std::string(BinanceMarketName(market)) + "\"\nsymbol = \"" + inst.symbol +
                  "\"\nskip_bad_lines = " + (options.skip_bad_lines ? "true" : "false") + "\n";
  h.instruments.push_back(std::move(inst));
  return h;
}

Status ImportBinanceToJournal(const std::string& path, const std::string& journal_dir,
                              const BinanceImportOptions& options, BinanceImportStats* stats) {
  *stats = BinanceImportStats{};
  Result<BinanceCaptureInfo> info = ProbeBinanceCapture(path, options.qty_decimals);
  if (!info.ok()) return info.status();
  BinanceImportOptions opts = options;
  if (!opts.market) opts.market = info->market;
  if (opts.symbol.empty()) opts.symbol = info->symbol;
  auto writer = journal::JournalWriter::Create(journal_dir, BinanceJournalHeader(*info, opts), {});
  if (!writer.ok()) return writer.status();
  journal::JournalWriter* w = writer->get();
  Status imported = ImportBinanceCapture(
      path, opts,
      [w](const Event& e) -> Status {
        if (w->Append(e.ts, e.payload) == 0) return IoError("journal append failed");
        return Status::Ok();
      },
      stats);
  Status closed = w->Close();  // a journal of everything before an error stays readable
  if (!imported.ok()) return imported;
  return closed;
}

}  // namespace td::marketdata
