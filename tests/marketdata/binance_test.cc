// Tests of the Binance capture importer: the synchronisation rules on small hand-written
// captures, then the two real captures of ../shared/data/binance (skipped when absent), then
// malformed copies of a real capture (truncated gzip, corrupt JSON, bad decimal, over-long
// line, time disorder) made in a temporary directory.
#include "marketdata/binance.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "journal/reader.h"

namespace td::marketdata {
namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------- helpers

// A fresh directory under the test temp dir (named by pid: runs may overlap), removed with
// the object.
class ScopedDir {
 public:
  explicit ScopedDir(const std::string& name)
      : path_((fs::path(::testing::TempDir()) /
               ("binance_test_" + std::to_string(getpid()) + "_" + name))
                  .string()) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~ScopedDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  ScopedDir(const ScopedDir&) = delete;
  ScopedDir& operator=(const ScopedDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void WriteText(const std::string& path, const std::vector<std::string>& lines) {
  std::ofstream f(path, std::ios::binary);
  for (const std::string& l : lines) f << l << '\n';
  ASSERT_TRUE(f.good()) << path;
}

struct Imported {
  Status status;
  BinanceImportStats stats;
  std::vector<Event> events;
};

Imported Import(const std::string& path, BinanceImportOptions options = {}) {
  Imported r;
  r.status = ImportBinanceCapture(
      path, options,
      [&r](const Event& e) {
        r.events.push_back(e);
        return Status::Ok();
      },
      &r.stats);
  return r;
}

template <typename T>
std::vector<T> OfKind(const std::vector<Event>& events) {
  std::vector<T> out;
  for (const Event& e : events) {
    if (const T* p = std::get_if<T>(&e.payload)) out.push_back(*p);
  }
  return out;
}

std::string SharedPath(const std::string& name) {
  return std::string(TD_SHARED_DATA_DIR) + "/binance/" + name;
}

#define SKIP_WITHOUT(path)                         \
  if (!fs::exists(path))                           \
  GTEST_SKIP() << "shared data absent: " << (path) \
               << " (see ../shared/data/README.md; CI always has it)"

uint64_t CountAnnotations(const std::vector<Event>& events, const std::string& needle) {
  uint64_t n = 0;
  for (const Annotation& a : OfKind<Annotation>(events))
    n += a.text.find(needle) != std::string::npos;
  return n;
}

// ---------------------------------------------------------------- synthetic captures

std::string Depth(int64_t ts, uint64_t first, uint64_t last, const std::string& bids,
                  const std::string& asks, const std::string& pu = "") {
  return std::to_string(ts) + R"( {"stream":"toyusdt@depth@100ms","data":)" +
         R"({"e":"depthUpdate","E":1000,"s":"TOYUSDT","U":)" + std::to_string(first) + R"(,"u":)" +
         std::to_string(last) + pu + R"(,"b":)" + bids + R"(,"a":)" + asks + "}}";
}

std::string Snapshot(int64_t ts, uint64_t id, const std::string& bids, const std::string& asks) {
  return std::to_string(ts) + R"( {"lastUpdateId":)" + std::to_string(id) + R"(,"bids":)" + bids +
         R"(,"asks":)" + asks + "}";
}

std::string Pu(uint64_t pu) { return ",\"pu\":" + std::to_string(pu); }

// A spot bookTicker (no "e", no time): `prices` is `"b":"..","B":"..","a":"..","A":".."`.
std::string Ticker(int64_t ts, uint64_t id, const std::string& prices) {
  return std::to_string(ts) + R"( {"stream":"toyusdt@bookTicker","data":{"u":)" +
         std::to_string(id) + R"(,"s":"TOYUSDT",)" + prices + "}}";
}

// A trade of `symbol` with T = `trade_ms` and the buyer-is-maker flag `m`.
std::string TradeLine(int64_t ts, const std::string& symbol, uint64_t id,
                      const std::string& price_qty, int64_t trade_ms, bool m) {
  return std::to_string(ts) + R"( {"stream":"x@trade","data":{"e":"trade","E":)" +
         std::to_string(trade_ms + 1) + R"(,"s":")" + symbol + R"(","t":)" + std::to_string(id) +
         "," + price_qty + R"(,"T":)" + std::to_string(trade_ms) + R"(,"m":)" +
         (m ? "true" : "false") + "}}";
}

// Spot rules: stale, bridge, continuity, gap, resynchronisation by a later snapshot.
TEST(BinanceImport, SpotSyncRulesOnToyCapture) {
  const ScopedDir scoped("toy_spot");
  const std::string& dir = scoped.path();
  const std::string path = dir + "/toy_spot.txt";
  WriteText(path, {
                      Depth(10, 1, 5, R"([["100.00","2"]])", "[]"),  // stale: u <= 7
                      Depth(20, 6, 8, R"([["100.00","3"]])", "[]"),  // bridges 7+1
                      Snapshot(30, 7, R"([["100.00","1"],["99.00","1"]])", R"([["101.00","1"]])"),
                      Depth(40, 9, 10, "[]", R"([["101.00","0"],["102.00","4"]])"),  // U == 8+1
                      Ticker(45, 10, R"("b":"100.00","B":"3","a":"102.00","A":"4")"),
                      Depth(50, 12, 13, R"([["99.50","1"]])", "[]"),  // gap: U != 11
                      Depth(60, 14, 15, R"([["98.00","1"]])", "[]"),  // buffered
                      Snapshot(70, 14, R"([["100.00","3"]])", R"([["102.00","4"]])"),  // resync
                      Ticker(75, 16, R"("b":"100.00","B":"3","a":"102.00","A":"4")"),
                  });
  Imported r = Import(path);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  const BinanceImportStats& s = r.stats;
  EXPECT_EQ(s.lines, 9u);
  EXPECT_EQ(s.snapshots, 2u);
  EXPECT_EQ(s.diffs, 5u);
  EXPECT_EQ(s.diffs_before_snapshot, 2u);
  EXPECT_EQ(s.diffs_applied, 3u);  // 6-8 (from the buffer), 9-10, 14-15 (after the resync)
  EXPECT_EQ(s.diffs_stale, 2u);    // 1-5, and 12-13 against the second snapshot
  EXPECT_EQ(s.diffs_unsynced, 0u);
  EXPECT_EQ(s.diffs_applied + s.diffs_stale + s.diffs_unsynced, s.diffs);
  EXPECT_EQ(s.first_applied_line, 2u);
  EXPECT_EQ(s.first_applied_U, 6u);
  EXPECT_EQ(s.first_applied_u, 8u);
  EXPECT_EQ(s.syncs, 2u);
  ASSERT_EQ(s.gaps, 1u);
  ASSERT_EQ(s.gap_list.size(), 1u);
  EXPECT_EQ(s.gap_list[0].line, 6u);
  EXPECT_EQ(s.gap_list[0].expected, 11u);
  EXPECT_TRUE(s.synced_at_end);
  EXPECT_EQ(s.crossed_books, 0u);
  // The book after u=10 (bid 100 x 3, ask 102 x 4) is matched with the ticker of u=10.
  EXPECT_EQ(s.ticker_full_agree, s.ticker_compared);
  EXPECT_GE(s.ticker_compared, 1u);
  EXPECT_EQ(CountAnnotations(r.events, "depth gap at line 6"), 1u);
  EXPECT_EQ(CountAnnotations(r.events, "book synchronised"), 2u);
  // One record per level, every line kept, in input order, instrument 1.
  EXPECT_EQ(OfKind<L2Update>(r.events).size(), 6u);
  EXPECT_EQ(OfKind<L2Snapshot>(r.events).size(), 2u);
  const auto updates = OfKind<L2Update>(r.events);
  EXPECT_EQ(updates[0].update_id, 5u);
  EXPECT_EQ(updates[0].side, Side::kBuy);
  EXPECT_EQ(updates[0].price.raw, 100'000'000'000);
  EXPECT_EQ(updates[0].qty.raw, 200'000'000);           // 2 at 8 decimals
  EXPECT_EQ(updates[0].exchange_ts.ns, 1'000'000'000);  // E = 1000 ms
  EXPECT_EQ(updates[2].side, Side::kSell);
  EXPECT_EQ(updates[2].qty.raw, 0);
}

// USD-M rules: u < lastUpdateId is stale, U <= lastUpdateId <= u bridges, then pu chains.
TEST(BinanceImport, UsdmSyncRulesOnToyCapture) {
  const ScopedDir scoped("toy_usdm");
  const std::string& dir = scoped.path();
  const std::string path = dir + "/toy_usdm.txt";
  WriteText(path,
            {
                Depth(10, 1, 4, R"([["100.0","2"]])", "[]", Pu(0)),  // stale: 4 < 7
                Depth(20, 5, 7, R"([["100.0","3"]])", "[]", Pu(4)),  // u == lastUpdateId: bridges
                Snapshot(30, 7, R"([["100.0","1"]])", R"([["101.0","1"]])"),
                Depth(40, 9, 12, "[]", R"([["101.0","2"]])", Pu(7)),    // pu == 7: in sequence
                Depth(50, 15, 18, "[]", R"([["101.0","3"]])", Pu(13)),  // pu != 12: gap
            });
  Imported r = Import(path);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  const BinanceImportStats& s = r.stats;
  EXPECT_EQ(s.diffs_applied, 2u);
  EXPECT_EQ(s.diffs_stale, 1u);
  EXPECT_EQ(s.diffs_unsynced, 1u);  // after the gap, no snapshot came
  EXPECT_EQ(s.first_applied_line, 2u);
  EXPECT_EQ(s.first_applied_pu, 4u);
  ASSERT_EQ(s.gaps, 1u);
  EXPECT_EQ(s.gap_list[0].line, 5u);
  EXPECT_EQ(s.gap_list[0].expected, 12u);
  EXPECT_FALSE(s.synced_at_end);
  EXPECT_EQ(CountAnnotations(r.events, "pu=13, expected pu=12"), 1u);
}

// A first diff that does not bridge the snapshot is a gap too (the snapshot is too old).
TEST(BinanceImport, FirstDiffThatDoesNotBridgeIsAGap) {
  const ScopedDir scoped("toy_nobridge");
  const std::string& dir = scoped.path();
  const std::string path = dir + "/nobridge.txt";
  WriteText(path, {
                      Snapshot(10, 7, R"([["100.00","1"]])", R"([["101.00","1"]])"),
                      Depth(20, 20, 25, R"([["100.00","3"]])", "[]"),
                  });
  Imported r = Import(path);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.stats.gaps, 1u);
  EXPECT_EQ(r.stats.diffs_unsynced, 1u);
  EXPECT_EQ(r.stats.syncs, 0u);
  EXPECT_EQ(CountAnnotations(r.events, "does not bridge"), 1u);
}

// Trades and tickers: aggressor from m, exchange time from T, other symbols kept raw, a diff
// that crosses the book is counted and annotated.
TEST(BinanceImport, TradesTickersOtherSymbolsAndCrossedBook) {
  const ScopedDir scoped("toy_misc");
  const std::string& dir = scoped.path();
  const std::string path = dir + "/misc.txt";
  WriteText(path, {
                      TradeLine(5, "TOYUSDT", 7, R"("p":"100.50","q":"0.25")", 2000, true),
                      TradeLine(6, "TOYUSDT", 8, R"("p":"100.50","q":"0.25")", 2001, false),
                      TradeLine(7, "ETHUSDT", 9, R"("p":"3.5","q":"1")", 2001, false),
                      R"(8 {"result":null,"id":1})",
                      Snapshot(10, 7, R"([["100.00","1"]])", R"([["101.00","1"]])"),
                      Depth(20, 8, 9, R"([["101.50","1"]])", "[]"),  // bid above the ask: crossed
                      "",
                  });
  Imported r = Import(path);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  const auto trades = OfKind<Trade>(r.events);
  ASSERT_EQ(trades.size(), 2u);
  EXPECT_EQ(trades[0].aggressor, Side::kSell);  // buyer is maker
  EXPECT_EQ(trades[1].aggressor, Side::kBuy);
  EXPECT_EQ(trades[0].exchange_ts.ns, 2'000'000'000);
  EXPECT_EQ(trades[0].receive_ts.ns, 5);
  EXPECT_EQ(trades[0].price.raw, 100'500'000'000);
  EXPECT_EQ(trades[0].qty.raw, 25'000'000);
  EXPECT_EQ(trades[0].trade_id, 7u);
  EXPECT_EQ(OfKind<WireMessage>(r.events).size(), 2u);  // ETHUSDT trade and the reply
  EXPECT_EQ(r.stats.other_messages, 2u);
  EXPECT_EQ(r.stats.blank_lines, 1u);
  EXPECT_EQ(r.stats.crossed_books, 1u);
  EXPECT_EQ(r.stats.first_crossed_line, 6u);
  EXPECT_EQ(CountAnnotations(r.events, "crossed book after the diff of line 6"), 1u);
}

// ---------------------------------------------------------------- the real captures

struct Expected {
  const char* file;
  uint64_t lines, snapshots, diffs, tickers, trades;
  uint64_t before_snapshot, stale, first_applied_line;
  bool usdm;
};

// Every line is one message; counts from `zcat | wc -l` and the stream names.
constexpr Expected kSpot{
    "spot_btcusdt_20240808.gz", 41'249, 1, 3'451, 28'040, 9'757, 3, 2, 6, false};
constexpr Expected kUsdm{
    "usdm_btcusdt_20240808.gz", 93'954, 1, 6'551, 66'089, 21'313, 6, 4, 42, true};

void CheckCapture(const Expected& x) {
  const BinanceImportOptions options;
  Imported r = Import(SharedPath(x.file), options);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  const BinanceImportStats& s = r.stats;
  // Every line gave at least one record or is counted as a non-record.
  EXPECT_EQ(s.lines, x.lines);
  EXPECT_EQ(
      s.snapshots + s.diffs + s.tickers + s.trades + s.other_messages + s.blank_lines + s.bad_lines,
      s.lines);
  EXPECT_EQ(s.bad_lines, 0u);
  EXPECT_EQ(s.other_messages, 0u);
  EXPECT_EQ(s.diffs_empty, 0u);
  EXPECT_GE(s.records, s.lines);
  EXPECT_EQ(s.records, r.events.size());
  EXPECT_EQ(s.snapshots, x.snapshots);
  EXPECT_EQ(s.diffs, x.diffs);
  EXPECT_EQ(s.tickers, x.tickers);
  EXPECT_EQ(s.trades, x.trades);
  EXPECT_EQ(OfKind<L1Quote>(r.events).size(), x.tickers);
  EXPECT_EQ(OfKind<Trade>(r.events).size(), x.trades);
  EXPECT_EQ(OfKind<L2Snapshot>(r.events).size(), x.snapshots);

  // Synchronisation: the first applied diff was received before the snapshot and bridges it.
  EXPECT_EQ(s.diffs_before_snapshot, x.before_snapshot);
  EXPECT_EQ(s.diffs_stale, x.stale);
  EXPECT_EQ(s.diffs_applied, x.diffs - x.stale);
  EXPECT_EQ(s.diffs_unsynced, 0u);
  EXPECT_EQ(s.first_applied_line, x.first_applied_line);
  const uint64_t id = s.snapshot_update_id;
  if (x.usdm) {
    EXPECT_LE(s.first_applied_U, id);
    EXPECT_GE(s.first_applied_u, id);
  } else {
    EXPECT_LE(s.first_applied_U, id + 1);
    EXPECT_GE(s.first_applied_u, id + 1);
  }
  EXPECT_EQ(s.gaps, 0u);
  EXPECT_EQ(s.syncs, 1u);
  EXPECT_TRUE(s.synced_at_end);
  EXPECT_EQ(s.crossed_books, 0u);
  EXPECT_EQ(s.ts_clamped, 0u);

  // The rebuilt book against bookTicker, matched by update id: measured 100% on both
  // captures (prices and quantities); a real mismatch would be an importer bug.
  const double agree = static_cast<double>(s.ticker_full_agree) /
                       static_cast<double>(std::max<uint64_t>(1, s.ticker_compared));
  std::printf("%s: %llu book states compared with bookTicker, %.4f%% agree\n", x.file,
              static_cast<unsigned long long>(s.ticker_compared), 100.0 * agree);
  EXPECT_GE(s.ticker_compared, s.diffs_applied - 2);
  EXPECT_GE(agree, 0.999);

  // Journal times never decrease; exchange times are within seconds of receive times.
  int64_t last = INT64_MIN;
  for (const Event& e : r.events) {
    ASSERT_GE(e.ts.ns, last);
    last = e.ts.ns;
  }
  for (const Trade& t : OfKind<Trade>(r.events)) {
    ASSERT_NE(t.aggressor, Side::kNone);
    ASSERT_LT(std::abs(t.exchange_ts.ns - t.receive_ts.ns), 10 * kNanosPerSecond);
  }
}

TEST(BinanceCapture, SpotImportsSyncsAndAgreesWithTicker) {
  SKIP_WITHOUT(SharedPath(kSpot.file));
  CheckCapture(kSpot);
}

TEST(BinanceCapture, UsdmImportsSyncsAndAgreesWithTicker) {
  SKIP_WITHOUT(SharedPath(kUsdm.file));
  CheckCapture(kUsdm);
}

// A consumer of the journal rebuilds the same book with the rule documented in binance.h
// (buffer updates before the snapshot, then apply update_id > lastUpdateId; >= on USD-M),
// and its best bid and ask agree with bookTicker matched by update id.
void CheckConsumerRule(const Expected& x) {
  Imported r = Import(SharedPath(x.file));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  std::map<int64_t, int64_t, std::greater<>> bids;
  std::map<int64_t, int64_t> asks;
  std::vector<L2Update> pending;
  bool have_snapshot = false;
  uint64_t snapshot_id = 0;
  auto apply = [&](const L2Update& u) {
    if (x.usdm ? u.update_id < snapshot_id : u.update_id <= snapshot_id) return;
    if (u.side == Side::kBuy) {
      if (u.qty.raw == 0)
        bids.erase(u.price.raw);
      else
        bids[u.price.raw] = u.qty.raw;
    } else {
      if (u.qty.raw == 0)
        asks.erase(u.price.raw);
      else
        asks[u.price.raw] = u.qty.raw;
    }
  };
  struct Top {
    uint64_t id;
    int64_t bid, bid_qty, ask, ask_qty;
  };
  std::vector<Top> states, tickers;
  uint64_t state_id = 0;
  auto record_state = [&] {
    if (state_id != 0 && !bids.empty() && !asks.empty()) {
      states.push_back({state_id, bids.begin()->first, bids.begin()->second, asks.begin()->first,
                        asks.begin()->second});
    }
  };
  for (const Event& e : r.events) {
    if (const auto* snap = std::get_if<L2Snapshot>(&e.payload)) {
      have_snapshot = true;
      snapshot_id = snap->update_id;
      for (const PriceLevel& l : snap->bids) bids[l.price.raw] = l.qty.raw;
      for (const PriceLevel& l : snap->asks) asks[l.price.raw] = l.qty.raw;
      for (const L2Update& u : pending) apply(u);
      state_id = pending.empty() ? snapshot_id : std::max(snapshot_id, pending.back().update_id);
      pending.clear();
    } else if (const auto* u = std::get_if<L2Update>(&e.payload)) {
      if (!have_snapshot) {
        pending.push_back(*u);
        continue;
      }
      if (u->update_id != state_id) record_state();  // a new diff starts: the last is whole
      state_id = u->update_id;
      apply(*u);
    } else if (const auto* q = std::get_if<L1Quote>(&e.payload)) {
      tickers.push_back(
          {q->update_id, q->bid.price.raw, q->bid.qty.raw, q->ask.price.raw, q->ask.qty.raw});
    }
  }
  ASSERT_FALSE(states.empty());
  std::sort(tickers.begin(), tickers.end(), [](const Top& a, const Top& b) { return a.id < b.id; });
  uint64_t compared = 0, agree = 0;
  for (const Top& st : states) {
    auto it = std::upper_bound(tickers.begin(), tickers.end(), st.id,
                               [](uint64_t id, const Top& t) { return id < t.id; });
    if (it == tickers.begin() || it == tickers.end()) continue;
    const Top& t = *std::prev(it);
    ++compared;
    agree +=
        t.bid == st.bid && t.ask == st.ask && t.bid_qty == st.bid_qty && t.ask_qty == st.ask_qty;
  }
  EXPECT_GE(compared, x.diffs - x.stale - 3);
  EXPECT_GE(static_cast<double>(agree), 0.999 * static_cast<double>(compared));
}

TEST(BinanceCapture, SpotJournalConsumerRuleRebuildsTheBook) {
  SKIP_WITHOUT(SharedPath(kSpot.file));
  CheckConsumerRule(kSpot);
}

TEST(BinanceCapture, UsdmJournalConsumerRuleRebuildsTheBook) {
  SKIP_WITHOUT(SharedPath(kUsdm.file));
  CheckConsumerRule(kUsdm);
}

// The probe finds market, symbol and tick from the data; the journal holds every record.
TEST(BinanceCapture, JournalHeaderAndRoundTrip) {
  SKIP_WITHOUT(SharedPath(kSpot.file));
  SKIP_WITHOUT(SharedPath(kUsdm.file));
  for (const Expected* x : {&kSpot, &kUsdm}) {
    Result<BinanceCaptureInfo> info = ProbeBinanceCapture(SharedPath(x->file));
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    EXPECT_EQ(info->market, x->usdm ? BinanceMarket::kUsdmFutures : BinanceMarket::kSpot);
    EXPECT_EQ(info->symbol, "BTCUSDT");
    EXPECT_EQ(info->tick_size.raw, x->usdm ? 100'000'000 : 10'000'000);  // 0.1 / 0.01

    const ScopedDir scoped(std::string("journal_") + (x->usdm ? "usdm" : "spot"));
    const std::string& dir = scoped.path();
    const std::string journal = dir + "/j";
    BinanceImportStats stats;
    Status s = ImportBinanceToJournal(SharedPath(x->file), journal, {}, &stats);
    ASSERT_TRUE(s.ok()) << s.ToString();
    auto reader = journal::JournalReader::Open(journal);
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    const JournalHeader& h = (*reader)->header();
    EXPECT_EQ(h.session_kind, "import");
    ASSERT_EQ(h.instruments.size(), 1u);
    EXPECT_EQ(h.instruments[0].symbol, "BTCUSDT");
    EXPECT_EQ(h.instruments[0].venue, x->usdm ? "BINANCE-USDM" : "BINANCE");
    EXPECT_EQ(h.instruments[0].asset_class, AssetClass::kCrypto);
    EXPECT_EQ(h.instruments[0].currency, "USDT");
    EXPECT_EQ(h.instruments[0].qty_decimals, 8);
    EXPECT_EQ(h.instruments[0].tick_size, info->tick_size);
    uint64_t n = 0;
    while ((*reader)->Next() != nullptr) ++n;
    EXPECT_TRUE((*reader)->status().ok()) << (*reader)->status().ToString();
    EXPECT_EQ(n, stats.records);
  }
}

// ---------------------------------------------------------------- malformed copies

std::vector<std::string> ReadLines(const std::string& path) {
  auto reader = GzipLineReader::Open(path, kMaxBinanceLineBytes);
  EXPECT_TRUE(reader.ok());
  std::vector<std::string> lines;
  std::string line;
  while (true) {
    Result<bool> more = (*reader)->Next(&line);
    EXPECT_TRUE(more.ok()) << more.status().ToString();
    if (!more.ok() || !*more) break;
    lines.push_back(line);
  }
  return lines;
}

// The index (0-based) of the first trade line at or after `from`.
size_t TradeLineAfter(const std::vector<std::string>& lines, size_t from) {
  for (size_t i = from; i < lines.size(); ++i) {
    if (lines[i].find("@trade\"") != std::string::npos) return i;
  }
  return lines.size();
}

class BinanceMalformed : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(SharedPath(kSpot.file))) {
      GTEST_SKIP() << "shared data absent: " << SharedPath(kSpot.file);
    }
    scoped_ = std::make_unique<ScopedDir>(
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    dir_ = scoped_->path();
    lines_ = ReadLines(SharedPath(kSpot.file));
    ASSERT_EQ(lines_.size(), kSpot.lines);
  }

  // Writes lines_ with line `index` replaced, imports it strictly and with skip_bad_lines, and
  // checks both: the strict error names file and line; the skip import loses only that line.
  void CheckBadLine(size_t index, const std::string& replacement, const std::string& expected) {
    std::vector<std::string> copy = lines_;
    copy[index] = replacement;
    const std::string path = dir_ + "/spot_bad.txt";
    WriteText(path, copy);
    const std::string where = "spot_bad.txt:" + std::to_string(index + 1) + ": ";

    Imported strict = Import(path);
    ASSERT_FALSE(strict.status.ok());
    EXPECT_EQ(strict.status.message().rfind(where + expected, 0), 0u) << strict.status.message();
    EXPECT_EQ(strict.stats.lines, index + 1);

    BinanceImportOptions skip;
    skip.skip_bad_lines = true;
    Imported skipped = Import(path, skip);
    ASSERT_TRUE(skipped.status.ok()) << skipped.status.ToString();
    EXPECT_EQ(skipped.stats.lines, kSpot.lines);
    EXPECT_EQ(skipped.stats.bad_lines, 1u);
    EXPECT_EQ(skipped.stats.trades, kSpot.trades - 1);  // the bad line was a trade
    EXPECT_EQ(skipped.stats.tickers, kSpot.tickers);
    EXPECT_EQ(skipped.stats.diffs_applied, kSpot.diffs - kSpot.stale);
    EXPECT_EQ(skipped.stats.gaps, 0u);
    EXPECT_EQ(CountAnnotations(skipped.events, "skipped bad line: " + where), 1u);
  }

  std::unique_ptr<ScopedDir> scoped_;
  std::string dir_;
  std::vector<std::string> lines_;
};

TEST_F(BinanceMalformed, CorruptJsonLineNamesFileAndLine) {
  const size_t i = TradeLineAfter(lines_, 1233);
  CheckBadLine(i, lines_[i].substr(0, lines_[i].size() / 2), "malformed JSON");
}

TEST_F(BinanceMalformed, BadDecimalNamesFileLineAndField) {
  const size_t i = TradeLineAfter(lines_, 20000);
  const std::string& line = lines_[i];
  const size_t p = line.find("\"p\":\"");
  ASSERT_NE(p, std::string::npos);
  // "61234.5" becomes "6x1234.5". (Built by concatenation: std::string::insert trips a
  // false -Wrestrict in GCC 12 at -O3.)
  const std::string bad = line.substr(0, p + 6) + "x" + line.substr(p + 6);
  CheckBadLine(i, bad, "trade: field \"p\": invalid decimal");
}

TEST_F(BinanceMalformed, MissingFieldNamesIt) {
  const size_t i = TradeLineAfter(lines_, 30000);
  std::string bad = lines_[i];
  const size_t m = bad.find(",\"m\":");
  ASSERT_NE(m, std::string::npos);
  bad.erase(m, bad.find(',', m + 1) - m);  // drop `"m":true`
  CheckBadLine(i, bad, "trade: missing field \"m\"");
}

// A truncated gzip: every complete line before the cut is imported (the same records as the
// full capture's start), then an error names the file and the line the input broke in.
TEST_F(BinanceMalformed, TruncatedGzipKeepsEverythingBefore) {
  const std::string path = dir_ + "/spot_truncated.gz";
  {
    std::ifstream in(SharedPath(kSpot.file), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(path, std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  }
  const Imported full = Import(SharedPath(kSpot.file));
  for (bool skip : {false, true}) {
    BinanceImportOptions options;
    options.skip_bad_lines = skip;
    Imported r = Import(path, options);
    ASSERT_FALSE(r.status.ok());
    EXPECT_NE(r.status.message().find("truncated gzip input"), std::string::npos)
        << r.status.message();
    EXPECT_EQ(r.status.message().rfind(
                  "spot_truncated.gz:" + std::to_string(r.stats.lines + 1) + ": ", 0),
              0u)
        << r.status.message();
    EXPECT_FALSE(r.stats.input_error.empty());
    EXPECT_GT(r.stats.lines, kSpot.lines / 4);
    EXPECT_LT(r.stats.lines, kSpot.lines);
    ASSERT_LE(r.events.size(), full.events.size());
    ASSERT_GT(r.events.size(), 0u);
    for (size_t k = 0; k < r.events.size(); ++k) ASSERT_EQ(r.events[k], full.events[k]) << k;
  }
}

// The line bound: with a 40,000-byte limit the 1000-level snapshot line (64 KB; every other
// line is shorter than 35 KB) is refused, by name.
TEST_F(BinanceMalformed, OverlongLineIsAnErrorOrSkipped) {
  BinanceImportOptions options;
  options.max_line_bytes = 40'000;
  Imported strict = Import(SharedPath(kSpot.file), options);
  ASSERT_FALSE(strict.status.ok());
  EXPECT_EQ(strict.status.message(), std::string(kSpot.file) + ":8: line longer than 40000 bytes");
  options.skip_bad_lines = true;
  Imported skipped = Import(SharedPath(kSpot.file), options);
  ASSERT_TRUE(skipped.status.ok()) << skipped.status.ToString();
  EXPECT_EQ(skipped.stats.lines, kSpot.lines);
  EXPECT_EQ(skipped.stats.bad_lines, 1u);
  EXPECT_EQ(skipped.stats.snapshots, 0u);
  EXPECT_EQ(skipped.stats.diffs_unsynced, kSpot.diffs);  // nothing to apply them to
  EXPECT_EQ(skipped.stats.trades, kSpot.trades);
}

// A receive time going backwards is kept, its journal time clamped to the previous one.
TEST_F(BinanceMalformed, BackwardsReceiveTimeIsClamped) {
  std::vector<std::string> copy = lines_;
  const size_t i = TradeLineAfter(lines_, 500);
  const int64_t prev_ts = std::stoll(copy[i - 1].substr(0, copy[i - 1].find(' ')));
  const int64_t bad_ts = prev_ts - 5'000'000;
  copy[i] = std::to_string(bad_ts) + copy[i].substr(copy[i].find(' '));
  const std::string path = dir_ + "/spot_disorder.txt";
  WriteText(path, copy);
  Imported r = Import(path);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.stats.ts_clamped, 1u);
  bool found = false;
  for (const Event& e : r.events) {
    const Trade* t = std::get_if<Trade>(&e.payload);
    if (t != nullptr && t->receive_ts.ns == bad_ts) {
      EXPECT_EQ(e.ts.ns, prev_ts);
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

TEST(BinanceImport, MissingFileIsNotFound) {
  Imported r = Import("/nonexistent/capture.gz");
  EXPECT_EQ(r.status.code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace td::marketdata
