// `tapedeck journal info|cat|verify|recover|stats`. Each command is an options struct filled
// by CLI11, a Run function that returns the exit status, and a registration function. Results
// go to stdout, diagnostics to stderr naming the journal path and the problem.
//
// Exit status: 0 success (verify: clean); 1 the journal is corrupt or the operation failed;
// 2 usage errors and journals that cannot be opened.
#include "tools/cli_common.h"
#include "tools/commands.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <limits>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/fixed_point.h"
#include "journal/reader.h"
#include "journal/recovery.h"
#include "replayer/exact_replay.h"
#include "replayer/simulate.h"
#include "tools/json.h"

namespace td::tools {
namespace {

using OrderedJson = nlohmann::ordered_json;  // keys in the order a person expects to read them


// Collects output in a string and writes it with one fwrite per kFlushBytes: `cat` prints
// millions of lines, and a write per line would cost more than formatting them.
class Output {
 public:
  static constexpr size_t kFlushBytes = 1u << 20;

  Output() { buf_.reserve(kFlushBytes + 4096); }
  ~Output() { Flush(); }
  std::string* buffer() { return &buf_; }
  void MaybeFlush() {
    if (buf_.size() >= kFlushBytes) Flush();
  }
  void Flush() {
    if (!buf_.empty()) std::fwrite(buf_.data(), 1, buf_.size(), stdout);
    std::fflush(stdout);
    buf_.clear();
  }

 private:
  std::string buf_;
};

void JournalError(std::string_view command, std::string_view message) {
  PrintError(fmt::format("journal {}", command), message);
}

// Verify and recover fail to open a journal (2) or fail while working on it (1).
int ExitFor(const Status& s) {
  return s.code() == StatusCode::kNotFound || s.code() == StatusCode::kInvalidArgument
             ? kExitUsage
             : kExitFailed;
}

OrderedJson NullOr(bool present, int64_t v) { return present ? OrderedJson(v) : OrderedJson(); }

std::string TimeText(int64_t ns) { return fmt::format("{} ({})", ns, FormatUtc(Timestamp{ns})); }

// ---------------------------------------------------------------- info

struct InfoOptions {
  std::string path;
  bool json = false;
};

// Counts and ranges from the block index: info reads no record.
struct IndexSummary {
  bool any = false;
  uint64_t first_seq = 0, last_seq = 0;
  int64_t first_ts = 0, last_ts = 0;
  uint64_t bytes = 0;
};

IndexSummary Summarize(const journal::JournalReader& r) {
  IndexSummary s;
  for (const journal::SegmentInfo& seg : r.segments()) s.bytes += seg.file_bytes;
  if (r.blocks().empty()) return s;
  const journal::IndexEntry& first = r.blocks().front();
  const journal::IndexEntry& last = r.blocks().back();
  s.any = true;
  s.first_seq = first.first_seq;
  s.last_seq = last.first_seq + last.record_count - 1;
  s.first_ts = first.first_ts;
  s.last_ts = last.last_ts;
  return s;
}

std::string_view IndexSource(const journal::JournalReader& r) {
  return r.index_loaded_from_file() ? "index.tdx" : "scan";
}

OrderedJson InfoJson(const std::string& path, const journal::JournalReader& r) {
  const IndexSummary s = Summarize(r);
  OrderedJson segments = OrderedJson::array();
  for (const journal::SegmentInfo& seg : r.segments()) {
    segments.push_back({{"file", seg.file}, {"bytes", seg.file_bytes}});
  }
  OrderedJson j;
  j["path"] = path;
  j["header"] = HeaderToJson(r.header());
  j["config_text_bytes"] = r.header().config_text.size();
  j["segments"] = std::move(segments);
  j["bytes"] = s.bytes;
  j["records"] = r.indexed_records();
  j["blocks"] = r.blocks().size();
  j["first_seq"] = NullOr(s.any, static_cast<int64_t>(s.first_seq));
  j["last_seq"] = NullOr(s.any, static_cast<int64_t>(s.last_seq));
  j["first_ts"] = NullOr(s.any, s.first_ts);
  j["last_ts"] = NullOr(s.any, s.last_ts);
  j["first_utc"] = s.any ? OrderedJson(FormatUtc(Timestamp{s.first_ts})) : OrderedJson();
  j["last_utc"] = s.any ? OrderedJson(FormatUtc(Timestamp{s.last_ts})) : OrderedJson();
  j["hash"] = Hex64(r.last_chain());
  j["index"] = IndexSource(r);
  j["issues"] = r.issues().size();
  return j;
}

// In the instrument's units when its scale is usable, else the raw integer.
std::string QtyText(Qty q, int decimals) {
  return decimals >= 0 && decimals <= 18 ? FormatDecimal(q.raw, decimals) : std::to_string(q.raw);
}

void PrintInstruments(const JournalHeader& h) {
  fmt::print("instruments  {}\n", h.instruments.size());
  for (const InstrumentDef& d : h.instruments) {
    fmt::print("  {:>4} {:<12} {:<10} {:<4} tick {} qty_decimals {} lot {} min {}\n", d.id,
               d.symbol, d.venue, d.currency, FormatDecimal(d.tick_size.raw, Price::kDecimals),
               d.qty_decimals, QtyText(d.lot_size, d.qty_decimals),
               QtyText(d.min_qty, d.qty_decimals));
  }
}

void PrintInfoText(const std::string& path, const journal::JournalReader& r) {
  const JournalHeader& h = r.header();
  const IndexSummary s = Summarize(r);
  fmt::print("journal      {}\n", path);
  fmt::print("format       version {}, schema {}\n", h.format_version, Hex64(h.schema_id));
  fmt::print("engine       {} (build {})\n", h.engine_name, h.engine_build_id);
  fmt::print("session      {}, seed {}, created {}\n", h.session_kind, h.seed,
             TimeText(h.created.ns));
  fmt::print("config       {} bytes\n", h.config_text.size());
  PrintInstruments(h);
  fmt::print("segments     {} ({} bytes)\n", r.segments().size(), s.bytes);
  for (const journal::SegmentInfo& seg : r.segments()) {
    fmt::print("  {} {} bytes\n", seg.file, seg.file_bytes);
  }
  fmt::print("records      {} in {} blocks\n", r.indexed_records(), r.blocks().size());
  if (s.any) {
    fmt::print("seq          {} .. {}\n", s.first_seq, s.last_seq);
    fmt::print("time         {}\n          .. {}\n", TimeText(s.first_ts), TimeText(s.last_ts));
  }
  fmt::print("hash         {} (chain hash of the last block)\n", Hex64(r.last_chain()));
  fmt::print("index        {}\n", r.index_loaded_from_file()
                                      ? "index.tdx (blocks not re-checked; run verify)"
                                      : "scanned at open");
  fmt::print("issues       {}\n", r.issues().size());
  for (const journal::JournalIssue& i : r.issues()) {
    fmt::print("  {}\n", journal::DescribeIssue(path, i));
  }
}

int RunInfo(const InfoOptions& o) {
  Result<std::unique_ptr<journal::JournalReader>> r = journal::JournalReader::Open(o.path);
  if (!r.ok()) {
    JournalError("info", r.status().ToString());
    return kExitUsage;
  }
  if (o.json) {
    PrintJson(InfoJson(o.path, **r));
  } else {
    PrintInfoText(o.path, **r);
  }
  return kExitOk;
}

// ---------------------------------------------------------------- cat

struct CatOptions {
  std::string path;
  uint64_t from_seq = 0;  // 0: from the start (sequence numbers start at 1)
  std::string from_time;  // empty: from the start
  uint64_t limit = std::numeric_limits<uint64_t>::max();
  bool json = false;
  bool skip_corrupt = false;
};

// Opens the journal for cat and stats. Skipped regions are warned about as they are found,
// after whatever stdout holds, so that a terminal shows them where they occur.
Result<std::unique_ptr<journal::JournalReader>> OpenForReading(std::string_view command,
                                                               const std::string& path,
                                                               bool skip_corrupt, Output* out) {
  journal::ReaderOptions ro;
  ro.skip_corrupt = skip_corrupt;
  if (skip_corrupt) {
    ro.on_issue = [command, path, out](const journal::JournalIssue& issue) {
      out->Flush();
      fmt::print(stderr, "tapedeck journal {}: warning: {} (--skip-corrupt: reading on)\n", command,
                 journal::DescribeIssue(path, issue));
    };
  }
  return journal::JournalReader::Open(path, std::move(ro));
}

// Positions the reader per --from-seq / --from-time; 2 on a usage error, -1 to go on.
int SeekForCat(const CatOptions& o, journal::JournalReader* r) {
  if (o.from_seq != 0 && !o.from_time.empty()) {
    JournalError("cat", "--from-seq and --from-time exclude each other");
    return kExitUsage;
  }
  Status s;
  if (!o.from_time.empty()) {
    Result<Timestamp> t = ParseTimeArg(o.from_time);
    if (!t.ok()) {
      JournalError("cat", t.status().message());
      return kExitUsage;
    }
    s = r->SeekToTime(*t);
  } else if (o.from_seq != 0) {
    s = r->SeekToSeq(o.from_seq);
  }
  if (!s.ok()) {
    JournalError("cat", s.ToString());
    return kExitFailed;
  }
  return -1;
}

int RunCat(const CatOptions& o) {
  Output out;
  auto r = OpenForReading("cat", o.path, o.skip_corrupt, &out);
  if (!r.ok()) {
    JournalError("cat", r.status().ToString());
    return kExitUsage;
  }
  journal::JournalReader& reader = **r;
  if (const int rc = SeekForCat(o, &reader); rc >= 0) return rc;
  const JournalHeader* header = &reader.header();
  std::string* buf = out.buffer();
  for (uint64_t n = 0; n < o.limit; ++n) {
    const Event* e = reader.Next();
    if (e == nullptr) break;
    if (o.json) {
      AppendEventJsonLine(*e, header, buf);
    } else {
      AppendEventText(*e, header, buf);
    }
    buf->push_back('\n');
    out.MaybeFlush();
  }
  out.Flush();  // every good record before the error goes out first
  if (!reader.status().ok()) {
    JournalError("cat", reader.status().ToString() + " (--skip-corrupt reads past it)");
    return kExitFailed;
  }
  if (std::ferror(stdout)) {
    JournalError("cat", "cannot write to stdout");
    return kExitFailed;
  }
  return kExitOk;
}

// ---------------------------------------------------------------- verify

struct VerifyOptions {
  std::string path;
  bool json = false;
};

// The journal ends inside a bad region: a writer stopped mid-block.
bool HasTornTail(const journal::VerifyReport& v) {
  return !v.issues.empty() && v.issues.back().torn && v.issues.back().segment + 1 == v.segments;
}

OrderedJson VerifyJson(const journal::VerifyReport& v) {
  OrderedJson issues = OrderedJson::array();
  for (const journal::JournalIssue& i : v.issues) {
    issues.push_back(
        {{"file", i.file}, {"offset", i.offset}, {"reason", i.reason}, {"torn", i.torn}});
  }
  const journal::JournalIssue* first = v.issues.empty() ? nullptr : &v.issues.front();
  OrderedJson j;
  j["records"] = v.records;
  j["blocks"] = v.blocks;
  j["corrupt_blocks"] = v.corrupt_blocks;
  j["first_bad_offset"] = first ? OrderedJson(first->offset) : OrderedJson();
  j["first_bad_file"] = first ? OrderedJson(first->file) : OrderedJson();
  j["truncated_bytes"] = v.truncated_bytes;
  j["hash"] = Hex64(v.hash);
  j["segments"] = v.segments;
  j["torn_tail"] = HasTornTail(v);
  j["records_after_first_bad"] = v.records_after_first_bad;
  j["issues"] = std::move(issues);
  return j;
}

void PrintVerifyText(const std::string& path, const journal::VerifyReport& v) {
  const char* verdict = v.clean() ? "clean"
                        : v.torn_tail_only()
                            ? "torn tail (a writer stopped mid-block; recover cuts it)"
                            : "CORRUPT";
  fmt::print("journal      {}: {}\n", path, verdict);
  fmt::print("segments     {}\n", v.segments);
  fmt::print("records      {} in {} valid blocks before any damage\n", v.records, v.blocks);
  if (v.records > 0) {
    fmt::print("seq          {} .. {}\n", v.first_seq, v.last_seq);
    fmt::print("time         {}\n          .. {}\n", TimeText(v.first_ts), TimeText(v.last_ts));
  }
  fmt::print("hash         {}\n", Hex64(v.hash));
  if (v.clean()) return;
  fmt::print("bad regions  {}\n", v.corrupt_blocks);
  fmt::print(
      "damaged      {} bytes from the first bad region to the end, holding {} valid "
      "records\n",
      v.truncated_bytes, v.records_after_first_bad);
  for (const journal::JournalIssue& i : v.issues) {
    fmt::print("{}\n", journal::DescribeIssue(path, i));
  }
}

int RunVerify(const VerifyOptions& o) {
  Result<journal::VerifyReport> v = journal::VerifyJournal(o.path);
  if (!v.ok()) {
    JournalError("verify", v.status().ToString());
    return ExitFor(v.status());
  }
  if (o.json) {
    PrintJson(VerifyJson(*v));
  } else {
    PrintVerifyText(o.path, *v);
  }
  return v->clean() ? kExitOk : kExitFailed;
}

// ---------------------------------------------------------------- recover

struct RecoverOptions {
  std::string path;
  bool json = false;
};

OrderedJson RecoverJson(const journal::RecoverReport& rep) {
  OrderedJson cut;
  if (rep.cut_at) {
    cut = {
        {"file", rep.cut_at->file}, {"offset", rep.cut_at->offset}, {"reason", rep.cut_at->reason}};
  }
  OrderedJson j;
  j["changed"] = rep.changed;
  j["records_kept"] = rep.records_kept;
  j["bytes_cut"] = rep.bytes_cut;
  j["cut_at"] = std::move(cut);
  j["records_quarantined"] = rep.records_quarantined;
  j["quarantined_files"] = rep.quarantined_files;
  return j;
}

void PrintRecoverText(const std::string& path, const journal::RecoverReport& rep) {
  if (!rep.changed) {
    fmt::print("journal is clean; nothing to recover ({} records)\n", rep.records_kept);
    return;
  }
  fmt::print("kept {} records; cut {} bytes", rep.records_kept, rep.bytes_cut);
  if (rep.cut_at) fmt::print(" from {}", journal::DescribeIssue(path, *rep.cut_at));
  fmt::print("\n");
  for (const std::string& f : rep.quarantined_files) fmt::print("moved to {}\n", f);
  fmt::print("{} valid records sit in quarantine\n", rep.records_quarantined);
}

// RecoverJournal works in a bounded number of passes; a journal it changed is verified again
// so that exit 0 always means "verify now passes".
Status CheckRecovered(const std::string& path) {
  Result<journal::VerifyReport> v = journal::VerifyJournal(path);
  if (!v.ok()) return v.status();
  if (v->clean()) return Status::Ok();
  return Corruption(fmt::format("recover left {} bad regions, the first at {}", v->issues.size(),
                                journal::DescribeIssue(path, v->issues.front())));
}

int RunRecover(const RecoverOptions& o) {
  Result<journal::RecoverReport> rep = journal::RecoverJournal(o.path);
  if (!rep.ok()) {
    JournalError("recover", rep.status().ToString());
    return ExitFor(rep.status());
  }
  if (o.json) {
    PrintJson(RecoverJson(*rep));
  } else {
    PrintRecoverText(o.path, *rep);
  }
  if (!rep->changed) return kExitOk;
  const Status s = CheckRecovered(o.path);
  if (!s.ok()) JournalError("recover", s.ToString());
  return s.ok() ? kExitOk : kExitFailed;
}

// ---------------------------------------------------------------- stats

struct StatsOptions {
  std::string path;
  bool json = false;
  bool skip_corrupt = false;
};

constexpr size_t kLargestGapsMax = 5;

struct Gap {
  int64_t ts = 0;  // of the record after the gap
  uint64_t seq = 0;
  int64_t gap_ns = 0;
};

// The instrument of a market-data record; nullopt for every other kind.
std::optional<InstrumentId> MarketDataInstrument(const Payload& p) {
  return std::visit(
      [](const auto& v) -> std::optional<InstrumentId> {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, L3Order> || std::is_same_v<T, TradingStatus> ||
                      std::is_same_v<T, L2Update> || std::is_same_v<T, L2Snapshot> ||
                      std::is_same_v<T, L1Quote> || std::is_same_v<T, Trade>) {
          return v.instrument;
        } else {
          return std::nullopt;
        }
      },
      p);
}

// One pass over the records; memory bounded by the number of instruments.
class StatsAccumulator {
 public:
  void Add(const Event& e) {
    ++by_kind_[e.payload.index()];
    if (records_++ == 0) {
      first_ts_ = e.ts.ns;
    } else {
      AddGap(Gap{e.ts.ns, e.seq, e.ts.ns - last_ts_});
    }
    last_ts_ = e.ts.ns;
    CountSecond(e.ts.ns);
    if (const auto* d = std::get_if<RecordsDropped>(&e.payload)) dropped_ += d->count;
    if (const auto id = MarketDataInstrument(e.payload)) ++by_instrument_[*id];
  }

  OrderedJson ToJson(const JournalHeader& h) const;
  void PrintText(const JournalHeader& h) const;

 private:
  // Keeps the kLargestGapsMax largest, largest first; among equal gaps the earliest.
  void AddGap(const Gap& g) {
    auto it =
        std::find_if(gaps_.begin(), gaps_.end(), [&](const Gap& o) { return g.gap_ns > o.gap_ns; });
    if (it == gaps_.end() && gaps_.size() >= kLargestGapsMax) return;
    gaps_.insert(it, g);
    if (gaps_.size() > kLargestGapsMax) gaps_.pop_back();
  }
  // Peak rate over whole calendar seconds, [k s, (k+1) s).
  void CountSecond(int64_t ts_ns) {
    const int64_t second = DivFloor(ts_ns, kNanosPerSecond);
    if (records_ == 1 || second != second_) {
      second_ = second;
      second_count_ = 0;
    }
    if (++second_count_ > peak_count_) {
      peak_count_ = second_count_;
      peak_second_ = second_;
    }
  }
  int64_t duration_ns() const { return records_ == 0 ? 0 : last_ts_ - first_ts_; }
  OrderedJson RateJson() const {
    if (duration_ns() <= 0) return OrderedJson();
    // Reports may use floating point; no state depends on it.
    return static_cast<double>(records_) * 1e9 / static_cast<double>(duration_ns());
  }

  uint64_t records_ = 0;
  std::array<uint64_t, kPayloadKindCount> by_kind_{};
  int64_t first_ts_ = 0, last_ts_ = 0;
  int64_t second_ = 0;
  uint64_t second_count_ = 0, peak_count_ = 0;
  int64_t peak_second_ = 0;
  std::vector<Gap> gaps_;
  uint64_t dropped_ = 0;
  std::map<InstrumentId, uint64_t> by_instrument_;
};

std::string SymbolOf(const JournalHeader& h, InstrumentId id) {
  for (const InstrumentDef& d : h.instruments) {
    if (d.id == id) return d.symbol;
  }
  return "";
}

OrderedJson StatsAccumulator::ToJson(const JournalHeader& h) const {
  OrderedJson by_kind = OrderedJson::object();
  for (size_t k = 0; k < kPayloadKindCount; ++k) {
    if (by_kind_[k] != 0) by_kind[std::string(PayloadKindName(k))] = by_kind_[k];
  }
  OrderedJson gaps = OrderedJson::array();
  for (const Gap& g : gaps_) gaps.push_back({{"ts", g.ts}, {"seq", g.seq}, {"gap_ns", g.gap_ns}});
  OrderedJson instruments = OrderedJson::array();
  for (const auto& [id, n] : by_instrument_) {
    instruments.push_back({{"instrument", id}, {"symbol", SymbolOf(h, id)}, {"records", n}});
  }
  const bool any = records_ > 0;
  OrderedJson j;
  j["records"] = records_;
  j["by_kind"] = std::move(by_kind);
  j["first_ts"] = NullOr(any, first_ts_);
  j["last_ts"] = NullOr(any, last_ts_);
  j["duration_ns"] = duration_ns();
  j["rate_per_s"] = RateJson();
  j["peak_rate_per_s"] = peak_count_;
  j["peak_second_ts"] = NullOr(any, peak_second_ * kNanosPerSecond);
  j["largest_gaps"] = std::move(gaps);
  j["dropped"] = dropped_;
  j["by_instrument"] = std::move(instruments);
  return j;
}

void StatsAccumulator::PrintText(const JournalHeader& h) const {
  fmt::print("records      {}\n", records_);
  if (records_ == 0) return;
  fmt::print("time         {}\n          .. {}\n", TimeText(first_ts_), TimeText(last_ts_));
  fmt::print("duration     {} s\n", FormatDecimalFixed(duration_ns(), 9));
  const OrderedJson rate = RateJson();
  fmt::print("rate         {} records/s average, {} peak (in {})\n",
             rate.is_null() ? std::string("-") : fmt::format("{:.1f}", rate.get<double>()),
             peak_count_, FormatUtc(Timestamp{peak_second_ * kNanosPerSecond}));
  fmt::print("dropped      {}\n", dropped_);
  fmt::print("by kind\n");
  for (size_t k = 0; k < kPayloadKindCount; ++k) {
    if (by_kind_[k] != 0) fmt::print("  {:<20} {:>12}\n", PayloadKindName(k), by_kind_[k]);
  }
  if (!by_instrument_.empty()) fmt::print("market data by instrument\n");
  for (const auto& [id, n] : by_instrument_) {
    fmt::print("  {:>4} {:<15} {:>12}\n", id, SymbolOf(h, id), n);
  }
  fmt::print("largest gaps\n");
  for (const Gap& g : gaps_) {
    fmt::print("  {} s before seq {} at {}\n", FormatDecimalFixed(g.gap_ns, 9), g.seq,
               TimeText(g.ts));
  }
}

// The trading figures of an engine session (fills, open_orders_at_end, positions,
// realized_pnl, kill_switch), from an exact replay of the journal's inputs through a fresh
// engine built from the header (replayer/exact_replay.h): the engine's own account, so they
// hold even where the journal's outputs were cut short. null for journals that are not an
// engine session (market data, imports) or whose replay fails (the reason in
// `trading_error`).
void AddTradingStats(const std::string& path, const JournalHeader& h, OrderedJson* j) {
  auto set_null = [&] {
    for (const char* k : {"fills", "open_orders_at_end", "positions", "realized_pnl",
                          "kill_switch"}) {
      (*j)[k] = nullptr;
    }
  };
  if (h.engine_name != replayer::kEngineName) return set_null();
  Result<replayer::ReplayReport> r = replayer::ExactReplay(path, {});
  if (!r.ok()) {
    set_null();
    (*j)["trading_error"] = r.status().ToString();
    return;
  }
  const engine::EngineSummary& s = r->summary;
  OrderedJson positions = OrderedJson::array();
  for (const auto& p : s.positions) {
    positions.push_back({{"instrument", p.instrument},
                         {"symbol", SymbolOf(h, p.instrument)},
                         {"position", p.position.raw},
                         {"avg_price", p.avg_price.ToString()},
                         {"realized_pnl", p.realized_pnl.ToString()},
                         {"fees", p.fees.ToString()}});
  }
  (*j)["fills"] = s.fills;
  (*j)["open_orders_at_end"] = s.open_orders;
  (*j)["positions"] = std::move(positions);
  (*j)["realized_pnl"] = s.realized_pnl.ToString();
  (*j)["kill_switch"] =
      s.kill_switch_fired
          ? OrderedJson{{"fired", s.kill_switch_fired->ns},
                        {"flat", s.kill_switch_flat ? OrderedJson(s.kill_switch_flat->ns)
                                                    : OrderedJson()}}
          : OrderedJson();
}

int RunStats(const StatsOptions& o) {
  Output out;
  auto r = OpenForReading("stats", o.path, o.skip_corrupt, &out);
  if (!r.ok()) {
    JournalError("stats", r.status().ToString());
    return kExitUsage;
  }
  StatsAccumulator acc;
  while (const Event* e = (*r)->Next()) acc.Add(*e);
  if (!(*r)->status().ok()) {
    JournalError("stats", (*r)->status().ToString() + " (--skip-corrupt reads past it)");
    return kExitFailed;
  }
  if (o.json) {
    OrderedJson j = acc.ToJson((*r)->header());
    AddTradingStats(o.path, (*r)->header(), &j);
    PrintJson(j);
  } else {
    acc.PrintText((*r)->header());
  }
  return kExitOk;
}

// ---------------------------------------------------------------- registration

// CLI11 2.1 reads "-1" into an unsigned option as 2^64-1; say no instead.
std::string NotNegative(const std::string& value) {
  return !value.empty() && value[0] == '-' ? "must not be negative" : "";
}

CLI::Option* AddPath(CLI::App* cmd, std::string* path) {
  return cmd->add_option("path", *path, "Journal directory (holding seg-*.tdj)")->required();
}

void AddInfo(CLI::App& journal, int* exit_code) {
  auto o = std::make_shared<InfoOptions>();
  CLI::App* cmd = journal.add_subcommand(
      "info", "Show the header, segments, record and block counts, and the time range");
  AddPath(cmd, &o->path);
  cmd->add_flag("--json", o->json, "Print JSON");
  cmd->callback([o, exit_code] { *exit_code = RunInfo(*o); });
}

void AddCat(CLI::App& journal, int* exit_code) {
  auto o = std::make_shared<CatOptions>();
  CLI::App* cmd = journal.add_subcommand(
      "cat",
      "Print records, one a line. Stops with exit 1 at the first corrupt block "
      "(after printing every record before it) unless --skip-corrupt");
  AddPath(cmd, &o->path);
  cmd->add_option("--from-seq", o->from_seq, "Start at the first record with seq >= N")
      ->check(NotNegative);
  cmd->add_option("--from-time", o->from_time,
                  "Start at the first record with ts >= T: integer ns since the epoch, or "
                  "UTC like 2012-06-21T13:30:00.000000001Z");
  cmd->add_option("--limit", o->limit, "Print at most N records")->check(NotNegative);
  cmd->add_flag("--json", o->json, "One compact JSON object a line");
  cmd->add_flag("--skip-corrupt", o->skip_corrupt,
                "Warn about each corrupt region on stderr and go on reading (exit 0)");
  cmd->callback([o, exit_code] { *exit_code = RunCat(*o); });
}

void AddVerify(CLI::App& journal, int* exit_code) {
  auto o = std::make_shared<VerifyOptions>();
  CLI::App* cmd = journal.add_subcommand(
      "verify",
      "Check every block (framing, checksum, hash chain, sequence, decoding); "
      "exit 0 when clean, 1 when anything is corrupt or torn");
  AddPath(cmd, &o->path);
  cmd->add_flag("--json", o->json, "Print JSON");
  cmd->callback([o, exit_code] { *exit_code = RunVerify(*o); });
}

void AddRecover(CLI::App& journal, int* exit_code) {
  auto o = std::make_shared<RecoverOptions>();
  CLI::App* cmd = journal.add_subcommand(
      "recover",
      "Cut the journal back to its longest valid prefix; the cut bytes move to "
      "<path>/quarantine/, nothing is deleted");
  AddPath(cmd, &o->path);
  cmd->add_flag("--json", o->json, "Print JSON");
  cmd->callback([o, exit_code] { *exit_code = RunRecover(*o); });
}

void AddStats(CLI::App& journal, int* exit_code) {
  auto o = std::make_shared<StatsOptions>();
  CLI::App* cmd = journal.add_subcommand(
      "stats",
      "Count records by kind and instrument; duration, average and peak rate "
      "(whole calendar seconds), largest time gaps, dropped records");
  AddPath(cmd, &o->path);
  cmd->add_flag("--json", o->json, "Print JSON");
  cmd->add_flag("--skip-corrupt", o->skip_corrupt,
                "Warn about each corrupt region on stderr and count the rest");
  cmd->callback([o, exit_code] { *exit_code = RunStats(*o); });
}

}  // namespace

void RegisterJournalCommands(CLI::App& app, int* exit_code) {
  CLI::App* journal = app.add_subcommand("journal",
                                         "Inspect, verify and repair journals (directories of "
                                         "seg-*.tdj segment files)");
  journal->require_subcommand(1);
  AddInfo(*journal, exit_code);
  AddCat(*journal, exit_code);
  AddVerify(*journal, exit_code);
  AddRecover(*journal, exit_code);
  AddStats(*journal, exit_code);
}

}  // namespace td::tools
