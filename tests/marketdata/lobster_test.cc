// Tests of the LOBSTER reader, importer, book reconstruction and fidelity harness. Small
// synthetic files written here pin exact behaviour (time text, errors with file:line,
// seeding, learning); the real sample files in TD_SHARED_DATA_DIR/lobster (skipped when
// absent) prove the reconstruction on whole days: 0 mismatches on every row of every file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "journal/reader.h"
#include "marketdata/lobster.h"
#include "marketdata/lobster_fidelity.h"
#include "marketdata/lobster_import.h"
#include "marketdata/lobster_replay.h"

namespace td::marketdata {
namespace {

namespace fs = std::filesystem;

const fs::path kLobsterDir = fs::path(TD_SHARED_DATA_DIR) / "lobster";
constexpr char kGoog10[] = "GOOG_2012-06-21_34200000_57600000_message_10.csv";
constexpr char kGoog1[] = "GOOG_2012-06-21_34200000_57600000_message_1.csv";

std::string OrderbookFor(const std::string& message_path) {
  std::string s = message_path;
  const size_t at = s.rfind("_message_");
  return s.replace(at, 9, "_orderbook_");
}

#define TD_REQUIRE_LOBSTER(file)                                                           \
  if (!fs::exists(kLobsterDir / (file))) {                                                 \
    GTEST_SKIP() << "LOBSTER sample data not found at " << (kLobsterDir / (file)).string() \
                 << " (set up ../shared/data, see its README.md)";                         \
  }

// A fresh directory for one test's files.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ =
        fs::temp_directory_path() / ("tapedeck-lobster-" + std::string(info->test_suite_name()) +
                                     "-" + info->name() + "-" + std::to_string(::getpid()));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string Write(const std::string& name, const std::string& text) const {
    const std::string p = (path_ / name).string();
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

std::string ReadText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string l; std::getline(ss, l);) out.push_back(l);
  return out;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string s;
  for (const std::string& l : lines) s += l + "\n";
  return s;
}

// A level-1 day of our own: the book starts empty; an add, a second add on the other side,
// then a delete.
constexpr char kMsgName[] = "TEST_2012-06-21_34200000_57600000_message_1.csv";
constexpr char kObName[] = "TEST_2012-06-21_34200000_57600000_orderbook_1.csv";
const char* const kMsg =
    "34200.1,1,1,100,1000000,1\n"
    "34200.2,1,2,50,1010000,-1\n"
    "34200.3,3,1,100,1000000,1\n";
const char* const kOb =
    "9999999999,0,1000000,100\n"
    "1010000,50,1000000,100\n"
    "1010000,50,-9999999999,0\n";

// Runs a reader to its end; returns the first error (ok at a clean end).
Status ReadToEnd(const std::string& msg, const std::string& ob, uint64_t* count = nullptr) {
  Result<std::unique_ptr<LobsterReader>> r = LobsterReader::Open(msg, ob);
  if (!r.ok()) return r.status();
  for (;;) {
    Result<bool> more = (*r)->Next();
    if (!more.ok()) return more.status();
    if (!*more) break;
  }
  if (count != nullptr) *count = (*r)->messages();
  return Status::Ok();
}

// ---------------------------------------------------------------- time

TEST(LobsterTime, ParsesDecimalTextExactly) {
  bool artefact = true;
  EXPECT_EQ(*ParseLobsterTime("34200.004241176", &artefact), 34'200'004'241'176);
  EXPECT_FALSE(artefact);
  EXPECT_EQ(*ParseLobsterTime("34200.0599", &artefact), 34'200'059'900'000);
  EXPECT_EQ(*ParseLobsterTime("34200.05990197", &artefact), 34'200'059'901'970);
  EXPECT_EQ(*ParseLobsterTime("34200", &artefact), 34'200'000'000'000);
  EXPECT_EQ(*ParseLobsterTime("0.000000001", &artefact), 1);
  EXPECT_EQ(*ParseLobsterTime("57599.999999999", &artefact), 57'599'999'999'999);
  EXPECT_FALSE(artefact);
}

TEST(LobsterTime, RoundsFloatArtefactsToTheNearestNanosecond) {
  bool artefact = false;
  // The ReadMe's example: a double's repr of 43002.632812672.
  EXPECT_EQ(*ParseLobsterTime("43002.632812672004", &artefact), 43'002'632'812'672);
  EXPECT_TRUE(artefact);
  // Just below a nanosecond: rounding recovers it where truncation would lose one.
  EXPECT_EQ(*ParseLobsterTime("43002.632812672999998", &artefact), 43'002'632'812'673);
  EXPECT_TRUE(artefact);
  EXPECT_EQ(*ParseLobsterTime("1.0000000005", &artefact), 1'000'000'001);  // half up
  EXPECT_EQ(*ParseLobsterTime("1.0000000004999", &artefact), 1'000'000'000);
  // The carry reaches the seconds.
  EXPECT_EQ(*ParseLobsterTime("34200.9999999996", &artefact), 34'201'000'000'000);
  // Ten decimals ending in zero are still flagged (not LOBSTER's 4..9), and exact.
  EXPECT_EQ(*ParseLobsterTime("1.1234567890", &artefact), 1'123'456'789);
  EXPECT_TRUE(artefact);
}

TEST(LobsterTime, RejectsMalformedText) {
  bool artefact = false;
  for (const char* bad : {"", ".5", "1.", "1e5", "-1", "+1", "1.2.3", "1234567.0", " 1", "1 ",
                          "12a.5", "34200,1", "0x10"}) {
    Result<int64_t> r = ParseLobsterTime(bad, &artefact);
    EXPECT_FALSE(r.ok()) << '"' << bad << '"';
    if (!r.ok()) {
      EXPECT_NE(r.status().message().find("invalid time"), std::string::npos);
    }
  }
}

TEST(LobsterTime, CivilDatesAndWeekdays) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2012, 6, 21), 15512);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  EXPECT_EQ(Weekday(DaysFromCivil(2012, 6, 21)), 4);   // a Thursday
  EXPECT_EQ(Weekday(DaysFromCivil(1969, 12, 28)), 0);  // a Sunday
}

TEST(LobsterTime, UsEasternDaylightSavingRule) {
  constexpr int64_t kEdt = -4 * 3600, kEst = -5 * 3600;
  EXPECT_EQ(UsEasternUtcOffsetSeconds(2012, 6, 21), kEdt);
  EXPECT_EQ(UsEasternUtcOffsetSeconds(2012, 1, 3), kEst);
  // 2007+: second Sunday of March .. first Sunday of November (the change days' sessions
  // are on the new offset).
  EXPECT_EQ(UsEasternUtcOffsetSeconds(2012, 3, 9), kEst);
  EXPECT_EQ(UsEasternUtcOffsetSeconds(2012, 3, 11), kEdt);
  EXPECT_EQ(UsEasternUtcOffsetSeconds(2012, 11, 2), kEdt);
  EXPECT_EQ(UsEasternUtcOffsetSeconds(2012, 11, 4), kEst);
  // 1987-2006: first Sunday of April .. last Sunday of October.
  EXPECT_EQ(UsEasternUtcOffsetSeconds(2006, 3, 15), kEst);
  EXPECT_EQ(UsEasternUtcOffsetSeconds(2006, 4, 2), kEdt);
  EXPECT_EQ(UsEasternUtcOffsetSeconds(2006, 10, 27), kEdt);
  EXPECT_EQ(UsEasternUtcOffsetSeconds(2006, 10, 29), kEst);
}

TEST(LobsterTime, LocalSessionTimeToUtcEpoch) {
  // 09:30 EDT on 2012-06-21 is 13:30 UTC.
  EXPECT_EQ(LocalToUtc(2012, 6, 21, -4 * 3600, 34'200'000'000'000).ns, 1'340'285'400'000'000'000);
  EXPECT_EQ(LocalToUtc(2012, 1, 3, -5 * 3600, 0).ns, (15342LL * 86400 + 5 * 3600) * 1'000'000'000);
}

// ---------------------------------------------------------------- file names

TEST(LobsterFile, ParsesNames) {
  Result<LobsterFileName> n =
      ParseLobsterFileName("/x/y/GOOG_2012-06-21_34200000_57600000_orderbook_10.csv");
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(n->symbol, "GOOG");
  EXPECT_EQ(n->year, 2012);
  EXPECT_EQ(n->month, 6);
  EXPECT_EQ(n->day, 21);
  EXPECT_EQ(n->start_ms, 34'200'000);
  EXPECT_EQ(n->end_ms, 57'600'000);
  EXPECT_FALSE(n->is_message);
  EXPECT_EQ(n->levels, 10);
  for (const char* bad : {"GOOG.csv", "GOOG_2012-6-21_1_2_message_1.csv",
                          "GOOG_2012-06-21_1_2_trades_1.csv", "GOOG_2012-06-21_1_2_message_0.csv",
                          "GOOG_2012-06-21_1_2_message_1.txt", "_2012-06-21_1_2_message_1.csv"}) {
    EXPECT_FALSE(ParseLobsterFileName(bad).ok()) << bad;
  }
}

// ---------------------------------------------------------------- reader

TEST(LobsterReader, ReadsMessagesAndRowsInLockstep) {
  TempDir dir;
  const std::string msg = dir.Write(kMsgName, kMsg), ob = dir.Write(kObName, kOb);
  Result<std::unique_ptr<LobsterReader>> r = LobsterReader::Open(msg, ob);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(*(*r)->Next());
  const LobsterMessage& m = (*r)->message();
  EXPECT_EQ(m.time_ns, 34'200'100'000'000);
  EXPECT_EQ(m.type, LobsterType::kAdd);
  EXPECT_EQ(m.order_id, 1);
  EXPECT_EQ(m.size, 100);
  EXPECT_EQ(m.price, 1'000'000);
  EXPECT_EQ(m.side(), Side::kBuy);
  EXPECT_EQ(LobsterPrice(m.price).ToString(), "100");
  EXPECT_EQ((*r)->ToUtc(m.time_ns).ns, 1'340'285'400'100'000'000);
  EXPECT_TRUE((*r)->row().asks.empty());  // the dummy ask level is dropped
  ASSERT_EQ((*r)->row().bids.size(), 1u);
  EXPECT_EQ((*r)->row().bids[0], (LobsterLevel{1'000'000, 100}));
  ASSERT_TRUE(*(*r)->Next());
  ASSERT_TRUE(*(*r)->Next());
  EXPECT_TRUE((*r)->row().bids.empty());
  EXPECT_EQ((*r)->line(), 3u);
  EXPECT_FALSE(*(*r)->Next());
}

TEST(LobsterReader, AcceptsCrLfAndAMissingFinalNewline) {
  TempDir dir;
  std::string msg_text = kMsg, ob_text = kOb;
  msg_text.pop_back();
  std::string crlf;
  for (char c : ob_text) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  uint64_t n = 0;
  Status s = ReadToEnd(dir.Write(kMsgName, msg_text), dir.Write(kObName, crlf), &n);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(n, 3u);
}

// Each malformed input names the file, the line and the field.
TEST(LobsterReader, ErrorsNameFileLineAndField) {
  struct Case {
    int line;  // 1-based line of kMsg to replace
    std::string text;
    std::string expect;  // substring of the error after "<file>:"
  };
  const std::vector<Case> cases = {
      {2, "34200.2,9,2,50,1010000,-1", "2: field 2 (Type): \"9\" is not a LOBSTER event type"},
      {2, "34200.2,1,2,50,1010000", "2: expected 6 comma-separated fields"},
      {2, "34200.2,1,2,50,1010000,-1,7", "2: expected 6 comma-separated fields"},
      {2, "34200.2,1,2,50,10.10,-1", "2: field 5 (Price): \"10.10\" is not an integer"},
      {2, "34200.2,1,2,fifty,1010000,-1", "2: field 4 (Size)"},
      {2, "34200.2,1,2,0,1010000,-1", "2: field 4 (Size): type 1 needs a positive size"},
      {2, "34200.2,1,2,50,1010000,0", "2: field 6 (Direction)"},
      {2, "34200.2,1,x,50,1010000,-1", "2: field 3 (OrderID)"},
      {3, "34200.15,3,1,100,1000000,1", "3: field 1 (Time): time 34200.15 is before"},
      {3, "34200.3s,3,1,100,1000000,1", "3: field 1 (Time): invalid time"},
      {2, "34200.2,7,0,0,5,-1", "2: field 5 (Price): a type-7 message has price -1, 0 or 1"},
  };
  for (const Case& c : cases) {
    TempDir dir;
    std::vector<std::string> lines = Lines(kMsg);
    lines[c.line - 1] = c.text;
    const std::string msg = dir.Write(kMsgName, Join(lines));
    Status s = ReadToEnd(msg, dir.Write(kObName, kOb));
    ASSERT_FALSE(s.ok()) << c.text;
    EXPECT_NE(s.message().find(msg + ":" + c.expect), std::string::npos)
        << "got: " << s.message() << "\nwant: " << msg << ":" << c.expect;
  }
}

TEST(LobsterReader, OrderbookErrorsNameFileLineAndField) {
  TempDir dir;
  const std::string msg = dir.Write(kMsgName, kMsg);
  std::vector<std::string> ob = Lines(kOb);
  ob[1] = "1010000,50,1000000x,100";
  std::string path = dir.Write(kObName, Join(ob));
  Status s = ReadToEnd(msg, path);
  EXPECT_NE(s.message().find(path + ":2: field 3 (BidPrice1)"), std::string::npos) << s.message();
  ob[1] = "1010000,50,1000000";
  path = dir.Write(kObName, Join(ob));
  s = ReadToEnd(msg, path);
  EXPECT_NE(s.message().find(path + ":2: expected 4 fields (4 x level 1), found 3"),
            std::string::npos)
      << s.message();
}

TEST(LobsterReader, OrderbookRowCountMustEqualMessageCount) {
  TempDir dir;
  const std::string msg = dir.Write(kMsgName, kMsg);
  std::vector<std::string> ob = Lines(kOb);
  const std::vector<std::string> shorter(ob.begin(), ob.end() - 1);
  std::string path = dir.Write(kObName, Join(shorter));
  Status s = ReadToEnd(msg, path);
  EXPECT_NE(s.message().find(path + ": orderbook file ends after 2 rows"), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("(line 3)"), std::string::npos) << s.message();
  ob.push_back(ob.back());
  path = dir.Write(kObName, Join(ob));
  s = ReadToEnd(msg, path);
  EXPECT_NE(s.message().find(path + ":4: orderbook file has more rows than the 3 messages"),
            std::string::npos)
      << s.message();
}

TEST(LobsterReader, RejectsMismatchedFilePairs) {
  TempDir dir;
  const std::string msg = dir.Write(kMsgName, kMsg);
  const std::string other = dir.Write("TEST_2012-06-22_34200000_57600000_orderbook_1.csv", kOb);
  EXPECT_FALSE(LobsterReader::Open(msg, other).ok());
  EXPECT_FALSE(LobsterReader::Open(dir.Write(kObName, kOb), msg).ok());
  Result<std::unique_ptr<LobsterReader>> r = LobsterReader::Open(dir / "nope_message_1.csv", "");
  EXPECT_FALSE(r.ok());
}

// A real file, copied and broken at a known line: the error names the copy and the line.
TEST(LobsterReader, MalformedCopyOfRealFile) {
  TD_REQUIRE_LOBSTER(kGoog1);
  TempDir dir;
  std::vector<std::string> lines = Lines(ReadText(kLobsterDir / kGoog1));
  // Keep the time (it must not decrease); replace the price.
  std::string& l = lines[1233];
  const size_t price_at = [&] {
    size_t p = 0;
    for (int k = 0; k < 4; ++k) p = l.find(',', p) + 1;
    return p;
  }();
  l.replace(price_at, l.find(',', price_at) - price_at, "notaprice");
  const std::string msg = dir.Write(kGoog1, Join(lines));
  const std::string ob = dir.Write(fs::path(OrderbookFor(kGoog1)).filename().string(),
                                   ReadText(OrderbookFor((kLobsterDir / kGoog1).string())));
  Status s = ReadToEnd(msg, ob);
  EXPECT_NE(s.message().find(std::string(kGoog1) + ":1234: field 5 (Price)"), std::string::npos)
      << s.message();
}

// ---------------------------------------------------------------- seeding and replay

TEST(LobsterReplay, SeedUndoesTheFirstMessage) {
  LobsterBookRow row;
  row.bids = {{5'794'000, 496}, {5'787'000, 400}};
  row.asks = {{5'802'300, 100}};
  LobsterMessage m{.time_ns = 1,
                   .type = LobsterType::kExecute,
                   .order_id = 7,
                   .size = 4,
                   .price = 5'794'000,
                   .direction = 1};
  LobsterWindow w = SeedWindow(m, row, 2);
  EXPECT_EQ(w.bids.levels[0], (LobsterLevel{5'794'000, 500}));
  EXPECT_EQ(w.bids.boundary, 5'787'000);  // the row's side is full: the book beyond is unknown
  EXPECT_FALSE(w.asks.boundary.has_value());
  // A delete that emptied a level puts it back in price order.
  m = {.time_ns = 1,
       .type = LobsterType::kDelete,
       .order_id = 7,
       .size = 5,
       .price = 5'790'000,
       .direction = 1};
  w = SeedWindow(m, row, 2);
  ASSERT_EQ(w.bids.levels.size(), 3u);
  EXPECT_EQ(w.bids.levels[1], (LobsterLevel{5'790'000, 5}));
  // An add is taken out.
  m = {.time_ns = 1,
       .type = LobsterType::kAdd,
       .order_id = 7,
       .size = 100,
       .price = 5'802'300,
       .direction = -1};
  w = SeedWindow(m, row, 2);
  EXPECT_TRUE(w.asks.levels.empty());
}

TEST(LobsterReplay, SyntheticDayMatchesEveryRow) {
  TempDir dir;
  Result<LobsterCheckResult> r = CheckLobster(dir.Write(kMsgName, kMsg), dir.Write(kObName, kOb));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stats.rows, 3u);
  EXPECT_EQ(r->stats.matched, 3u);
  EXPECT_EQ(r->stats.mismatched, 0u);
  EXPECT_EQ(r->stats.seeded_levels, 0u);
}

// Level 1: liquidity the messages never showed is seeded, reduced by references to unknown
// orders, and learned from the previous row when a deeper level enters the window.
TEST(LobsterReplay, UnknownOrdersAndLearnedLevels) {
  TempDir dir;
  const std::string msg = dir.Write(kMsgName,
                                    "34200.1,4,900,30,1000000,1\n"  // unknown order executes
                                    "34200.2,3,901,70,1000000,1\n"  // the rest of the level
                                    "34200.3,2,902,10,990000,1\n"   // unknown, at the new best
                                    "34200.4,1,5,20,990000,1\n");   // a known add
  const std::string ob = dir.Write(kObName,
                                   "1010000,50,1000000,70\n"
                                   "1010000,50,990000,300\n"  // 99.00 enters: unknowable here
                                   "1010000,50,990000,290\n"
                                   "1010000,50,990000,310\n");
  Result<LobsterCheckResult> r = CheckLobster(msg, ob);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const LobsterReplayStats& s = r->stats;
  EXPECT_EQ(s.mismatched, 0u) << s.first_mismatch;
  EXPECT_EQ(s.seeded_levels, 2u);  // bid 100.00 x 100, ask 101.00 x 50
  EXPECT_EQ(s.unknown_order_refs, 3u);
  EXPECT_EQ(s.rows_with_entering_levels, 1u);
  EXPECT_EQ(s.levels_learned, 1u);  // 99.00 x 300, from row 2, before message 3
  EXPECT_EQ(s.learned_qty, 300u);
}

TEST(LobsterReplay, DetectsAWrongMessage) {
  TempDir dir;
  // The delete claims 60 of an order of 100: 40 shares stay in the book, the row says none.
  std::vector<std::string> lines = Lines(kMsg);
  lines[2] = "34200.3,3,1,60,1000000,1";
  Result<LobsterCheckResult> r =
      CheckLobster(dir.Write(kMsgName, Join(lines)), dir.Write(kObName, kOb));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->stats.mismatched, 1u);
  EXPECT_EQ(r->stats.first_mismatch_row, 3u);
  EXPECT_NE(r->stats.first_mismatch.find("bid level 1: file none, book 100 x 40"),
            std::string::npos)
      << r->stats.first_mismatch;
}

// The whole point: every row of every LOBSTER file reproduced.
TEST(LobsterReplay, RealFilesHaveNoMismatch) {
  if (!fs::exists(kLobsterDir)) {
    GTEST_SKIP() << "LOBSTER sample data not found at " << kLobsterDir.string();
  }
  std::vector<std::string> messages;
  for (const auto& e : fs::directory_iterator(kLobsterDir)) {
    const std::string name = e.path().filename().string();
    if (name.find("_message_") != std::string::npos && e.path().extension() == ".csv") {
      messages.push_back(e.path().string());
    }
  }
  std::sort(messages.begin(), messages.end());
  ASSERT_FALSE(messages.empty());
  for (const std::string& m : messages) {
    Result<LobsterCheckResult> r = CheckLobster(m, OrderbookFor(m));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    const LobsterReplayStats& s = r->stats;
    std::string lines = ReadText(m);
    const uint64_t rows = static_cast<uint64_t>(std::count(lines.begin(), lines.end(), '\n'));
    EXPECT_EQ(s.rows, rows) << m;
    EXPECT_EQ(s.matched, rows) << m;
    EXPECT_EQ(s.mismatched, 0u) << m << ": " << s.first_mismatch;
    EXPECT_EQ(s.unexpected_fills, 0u) << m;
    EXPECT_GT(s.unknown_order_refs, 0u) << m;  // the known trap is there, and handled
    std::printf(
        "  %s: rows %llu matched %llu mismatched %llu levels_learned %llu "
        "unknown_order_refs %llu\n",
        fs::path(m).filename().c_str(), static_cast<unsigned long long>(s.rows),
        static_cast<unsigned long long>(s.matched), static_cast<unsigned long long>(s.mismatched),
        static_cast<unsigned long long>(s.levels_learned),
        static_cast<unsigned long long>(s.unknown_order_refs));
  }
}

// A real file with one message altered: the check points at that row.
TEST(LobsterReplay, RealFileWithAnAlteredDeleteIsCaughtAtItsRow) {
  TD_REQUIRE_LOBSTER(kGoog1);
  TempDir dir;
  std::vector<std::string> lines = Lines(ReadText(kLobsterDir / kGoog1));
  // The first delete after line 5000 of an order added in the file: take one share less.
  std::map<std::string, bool> added;
  size_t target = 0;
  for (size_t i = 0; i < lines.size() && target == 0; ++i) {
    std::vector<std::string> f;
    std::stringstream ss(lines[i]);
    for (std::string x; std::getline(ss, x, ',');) f.push_back(x);
    if (f[1] == "1") added[f[2]] = true;
    if (i >= 5000 && f[1] == "3" && added.count(f[2]) && std::stoll(f[3]) > 1) {
      f[3] = std::to_string(std::stoll(f[3]) - 1);
      lines[i] = f[0] + "," + f[1] + "," + f[2] + "," + f[3] + "," + f[4] + "," + f[5];
      target = i + 1;
    }
  }
  ASSERT_NE(target, 0u);
  const std::string msg = dir.Write(kGoog1, Join(lines));
  const std::string ob = dir.Write(fs::path(OrderbookFor(kGoog1)).filename().string(),
                                   ReadText(OrderbookFor((kLobsterDir / kGoog1).string())));
  Result<LobsterCheckResult> r = CheckLobster(msg, ob);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_GE(r->stats.mismatched, 1u);
  EXPECT_EQ(r->stats.first_mismatch_row, target) << r->stats.first_mismatch;
}

// ---------------------------------------------------------------- import

std::map<std::string, uint64_t> CountKinds(const std::string& dir, std::vector<Event>* first,
                                           size_t keep) {
  std::map<std::string, uint64_t> kinds;
  Result<std::unique_ptr<journal::JournalReader>> r = journal::JournalReader::Open(dir);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return kinds;
  while (const Event* e = (*r)->Next()) {
    ++kinds[std::string(KindName(*e))];
    if (first->size() < keep) first->push_back(*e);
  }
  EXPECT_TRUE((*r)->status().ok()) << (*r)->status().ToString();
  return kinds;
}

TEST(LobsterImport, SyntheticDayReadsBack) {
  TempDir dir;
  Result<LobsterImportStats> st =
      ImportLobster(dir.Write(kMsgName, kMsg), dir.Write(kObName, kOb), dir / "j");
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->messages, 3u);
  EXPECT_EQ(st->records, 4u);  // empty seed snapshot + 3 messages
  std::vector<Event> ev;
  auto kinds = CountKinds(dir / "j", &ev, 10);
  EXPECT_EQ(kinds["l2_snapshot"], 1u);
  EXPECT_EQ(kinds["l3_order"], 3u);
  ASSERT_EQ(ev.size(), 4u);
  const auto& add = std::get<L3Order>(ev[1].payload);
  EXPECT_EQ(add.action, L3Action::kAdd);
  EXPECT_EQ(add.order_id, 1u);
  EXPECT_EQ(add.price.ToString(), "100");
  EXPECT_EQ(add.exchange_ts.ns, 1'340'285'400'100'000'000);
  EXPECT_EQ(ev[1].ts, add.exchange_ts);
  EXPECT_EQ(std::get<L3Order>(ev[3].payload).action, L3Action::kDelete);
}

TEST(LobsterImport, HiddenCrossAndHaltRecords) {
  TempDir dir;
  const std::string msg = dir.Write(kMsgName,
                                    "34200.1,5,0,10,1005000,-1\n"
                                    "34200.2,6,-4,300,1006000,1\n"
                                    "34200.3,7,0,0,-1,-1\n"
                                    "34200.4,7,0,0,0,-1\n"
                                    "34200.5,7,0,0,1,-1\n");
  const std::string row = "1010000,50,1000000,100\n";
  const std::string ob = dir.Write(kObName, row + row + row + row + row);
  LobsterImportOptions opts;
  opts.symbol = "XYZ";
  Result<LobsterImportStats> st = ImportLobster(msg, ob, dir / "j", opts);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->trades, 2u);
  EXPECT_EQ(st->statuses, 3u);
  EXPECT_EQ(st->annotations, 1u);
  std::vector<Event> ev;
  auto kinds = CountKinds(dir / "j", &ev, 20);
  EXPECT_EQ(kinds["trade"], 2u);
  EXPECT_EQ(kinds["trading_status"], 3u);
  EXPECT_EQ(kinds["annotation"], 1u);
  // Seed: a snapshot, then a placeholder add per level, bids first, ids from the pseudo base.
  const auto& seed_bid = std::get<L3Order>(ev[1].payload);
  EXPECT_EQ(seed_bid.order_id, kLobsterPseudoIdBase + 1);
  EXPECT_EQ(seed_bid.side, Side::kBuy);
  const auto& hidden = std::get<Trade>(ev[3].payload);
  EXPECT_EQ(hidden.aggressor, Side::kBuy);  // it hit a hidden sell order
  EXPECT_EQ(hidden.price.ToString(), "100.5");
  EXPECT_EQ(std::get<TradingStatus>(ev[6].payload).state, TradingState::kHalted);
  EXPECT_EQ(std::get<TradingStatus>(ev[7].payload).state, TradingState::kQuoting);
  EXPECT_EQ(std::get<TradingStatus>(ev[8].payload).state, TradingState::kTrading);
  Result<std::unique_ptr<journal::JournalReader>> r = journal::JournalReader::Open(dir / "j");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ((*r)->header().instruments.size(), 1u);
  EXPECT_EQ((*r)->header().instruments[0].symbol, "XYZ");
  EXPECT_EQ((*r)->header().instruments[0].venue, "NASDAQ");
  EXPECT_EQ((*r)->header().instruments[0].tick_size.ToString(), "0.01");
}

TEST(LobsterImport, RealFileRecordCounts) {
  TD_REQUIRE_LOBSTER(kGoog10);
  TempDir dir;
  const std::string msg = (kLobsterDir / kGoog10).string();
  Result<LobsterImportStats> st = ImportLobster(msg, OrderbookFor(msg), dir / "j");
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  std::map<std::string, uint64_t> types;
  for (const std::string& l : Lines(ReadText(msg))) ++types[l.substr(l.find(',') + 1, 1)];
  EXPECT_EQ(st->messages, 147'916u);
  EXPECT_EQ(st->seed_levels, 20u);
  std::vector<Event> ev;
  auto kinds = CountKinds(dir / "j", &ev, 1);
  EXPECT_EQ(kinds["l2_snapshot"], 1u);
  EXPECT_EQ(kinds["l3_order"], types["1"] + types["2"] + types["3"] + types["4"] + 20);
  EXPECT_EQ(kinds["trade"], types["5"] + types["6"]);
  EXPECT_EQ(kinds["trading_status"], types["7"]);
}

TEST(LobsterImport, InputErrorIsReported) {
  TempDir dir;
  std::vector<std::string> lines = Lines(kMsg);
  lines[2] = "34200.3,3,1";
  const std::string msg = dir.Write(kMsgName, Join(lines));
  Result<LobsterImportStats> st = ImportLobster(msg, dir.Write(kObName, kOb), dir / "j");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.status().message().find(msg + ":3:"), std::string::npos) << st.status().message();
}

// ---------------------------------------------------------------- fidelity

TEST(LobsterFidelity, GoogLevel10ReproducesHistoricalFills) {
  TD_REQUIRE_LOBSTER(kGoog10);
  const std::string msg = (kLobsterDir / kGoog10).string();
  for (bool filled_only : {false, true}) {
    LobsterFidelityOptions opts;
    opts.orders = 200;
    opts.seed = 7;
    opts.filled_only = filled_only;
    Result<LobsterFidelityResult> r = RunLobsterFidelity(msg, OrderbookFor(msg), opts);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->orders, 200u);
    EXPECT_GT(r->candidates, 60'000u);
    EXPECT_GE(r->exact * 100, r->orders * 95) << "exact " << r->exact;
    EXPECT_LT(r->filled_qty_error_pct, 5.0);
    if (filled_only) {
      EXPECT_EQ(r->orders_with_fills, 200u);
      EXPECT_GT(r->hist_filled_qty, 0);
    }
    std::printf(
        "  fidelity (seed 7, 200 orders%s): exact %llu, with fills %llu/%llu, "
        "filled qty ours %lld hist %lld, error %.3f%%\n",
        filled_only ? ", filled only" : "", static_cast<unsigned long long>(r->exact),
        static_cast<unsigned long long>(r->exact_with_fills),
        static_cast<unsigned long long>(r->orders_with_fills),
        static_cast<long long>(r->our_filled_qty), static_cast<long long>(r->hist_filled_qty),
        r->filled_qty_error_pct);
  }
}

TEST(LobsterFidelity, SameSeedSameDraw) {
  TD_REQUIRE_LOBSTER(kGoog1);
  const std::string msg = (kLobsterDir / kGoog1).string();
  LobsterFidelityOptions opts;
  opts.orders = 50;
  opts.seed = 3;
  Result<LobsterFidelityResult> a = RunLobsterFidelity(msg, OrderbookFor(msg), opts);
  Result<LobsterFidelityResult> b = RunLobsterFidelity(msg, OrderbookFor(msg), opts);
  opts.seed = 4;
  Result<LobsterFidelityResult> c = RunLobsterFidelity(msg, OrderbookFor(msg), opts);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  std::vector<VenueOrderId> ia, ib, ic;
  for (const auto& o : a->per_order) ia.push_back(o.historical_id);
  for (const auto& o : b->per_order) ib.push_back(o.historical_id);
  for (const auto& o : c->per_order) ic.push_back(o.historical_id);
  EXPECT_EQ(ia, ib);
  EXPECT_NE(ia, ic);
  EXPECT_TRUE(std::is_sorted(a->per_order.begin(), a->per_order.end(),
                             [](const auto& x, const auto& y) { return x.add_row < y.add_row; }));
}

}  // namespace
}  // namespace td::marketdata
