// End-to-end tests of `tapedeck journal ...`: each test runs the built binary as a user would,
// on journals written here with JournalWriter (every record kind), and checks exit codes,
// stdout and stderr. A few tests call tools/json.h directly for exact formatting.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/event.h"
#include "journal/reader.h"
#include "journal/writer.h"
#include "tools/json.h"

extern char** environ;

namespace td::tools {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr char kTapedeck[] = TD_BINARY_DIR "/tools/tapedeck";
constexpr uint64_t kRecords = 20'000;
constexpr int64_t kBaseNs = 1'340'285'400'000'000'000;  // 2012-06-21T13:30:00Z
constexpr uint64_t kGapSeq = 10'000;                    // a 3 s silence before this record
constexpr int64_t kGapNs = 3'000'000'000;
constexpr uint64_t kDroppedPerRecord = 7;

// ---------------------------------------------------------------- running the binary

struct RunResult {
  int exit_code = -1;
  std::string out, err;
};

std::string MakeTempDir(const std::string& prefix) {
  std::string tmpl = ::testing::TempDir() + "/" + prefix + "-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) ADD_FAILURE() << "mkdtemp " << tmpl;
  return tmpl;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs `tapedeck args...` with stdout and stderr captured in files (no pipe to deadlock on).
RunResult Tapedeck(const std::vector<std::string>& args) {
  const std::string dir = MakeTempDir("cli-run");
  const std::string out_path = dir + "/stdout", err_path = dir + "/stderr";
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> argv = {const_cast<char*>(kTapedeck)};
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  RunResult r;
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, kTapedeck, &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    ADD_FAILURE() << "cannot run " << kTapedeck << ": " << std::strerror(rc);
    return r;
  }
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  r.exit_code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
  r.out = ReadText(out_path);
  r.err = ReadText(err_path);
  fs::remove_all(dir);
  return r;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// ---------------------------------------------------------------- the test journal

// One payload of every kind, in Payload order, with strings that need escaping.
std::vector<Payload> OneOfEachKind() {
  const Price px{585'330'000'000};
  const Timestamp t{kBaseNs};
  std::vector<Payload> p = {
      L3Order{1, L3Action::kAdd, Side::kBuy, 16'113'575, px, Qty{18}, t, t},
      TradingStatus{1, TradingState::kHalted, t, t},
      L2Update{2, Side::kSell, Price{30'000'500'000'000}, Qty{1'500'000}, 77, t, t},
      L2Snapshot{2, 78, {{px, Qty{5}}, {Price{px.raw - 10'000'000}, Qty{6}}}, {{px, Qty{7}}}, t, t},
      L1Quote{1, {px, Qty{100}}, {Price{px.raw + 10'000'000}, Qty{200}}, 79, t, t},
      Trade{1, px, Qty{18}, Side::kSell, 555, t, t},
      OrderAck{11, 22, 1},
      OrderReject{12, 1, RejectReason::kPriceBand, "outside \"the\" band"},
      Fill{13, 23, 33, 1, Side::kBuy, px, Qty{5}, Qty{5}, Qty{13}, Liquidity::kMaker, Money{-1'234},
           t},
      CancelAck{14, 13, Qty{13}},
      CancelReject{15, 13, CancelRejectOf::kReplace, RejectReason::kTooLateToCancel, "late"},
      ReplaceAck{16, 13, 23, px, Qty{20}, Qty{15}},
      OrderExpired{17, Qty{3}},
      OrderStatusReport{18, 23, 1, Side::kBuy, OrdStatus::kPartiallyFilled, px, Qty{20}, Qty{5},
                        Qty{15}, px, 0, true},
      RateLimitReject{19, OrderAction::kReplace, Duration::Millis(250), false},
      SessionState{3, SessionStateKind::kLoggedOn, "127.0.0.1:9878"},
      TimerFired{4, t},
      OperatorCommand{OperatorCommandKind::kSetParam, "max_qty", "10", "control socket"},
      NewOrder{20, 2, Side::kSell, OrdType::kStopLimit, TimeInForce::kIoc, px, px, Qty{1}, Qty{0},
               true},
      CancelOrder{21, 20, 2},
      ReplaceOrder{22, 20, 2, px, Qty{2}},
      StatusRequest{0, 9},
      MassCancel{10, 0, Side::kNone},
      TimerSet{5, t},
      TimerCancel{5},
      RiskEvent{RiskEventKind::kBreach, RiskAction::kReject, "max_order_qty", 1, 500, 100, "big"},
      Annotation{"line one\nline two"},
      WireMessage{3, WireDirection::kOutbound,
                  std::string("8=FIX.4.4\x01"
                              "35=0\x01\0end",
                              19)},
      Checkpoint{100, 50, 0x0123456789abcdefULL},
      RecordsDropped{kDroppedPerRecord, t, t},
  };
  return p;
}

// Record `seq`: mostly L3 orders, every 8th one the next kind of OneOfEachKind().
Payload PayloadFor(uint64_t seq) {
  static const std::vector<Payload> kinds = OneOfEachKind();
  if (seq % 8 == 0) return kinds[(seq / 8) % kinds.size()];
  const auto side = seq % 2 ? Side::kBuy : Side::kSell;
  return L3Order{1 + static_cast<InstrumentId>(seq % 2),
                 L3Action::kAdd,
                 side,
                 seq,
                 Price{585'000'000'000 + static_cast<int64_t>(seq % 100) * 10'000'000},
                 Qty{static_cast<int64_t>(seq % 50 + 1)},
                 Timestamp{kBaseNs},
                 Timestamp{kBaseNs}};
}

Timestamp TimeFor(uint64_t seq) {
  return Timestamp{kBaseNs + static_cast<int64_t>(seq) * 1'000 + (seq >= kGapSeq ? kGapNs : 0)};
}

JournalHeader TestHeader() {
  JournalHeader h;
  h.engine_name = "cli-test";
  h.engine_build_id = "build-1";
  h.config_text = "[cli]\nx = 1\n";
  h.seed = 42;
  h.created = Timestamp{kBaseNs};
  h.session_kind = "simulate";
  h.instruments.push_back(InstrumentDef{1, "AAPL", "NASDAQ", AssetClass::kEquity, "USD",
                                        Price{10'000'000}, 0, Qty{1}, Qty{1}});
  h.instruments.push_back(InstrumentDef{2, "BTCUSDT", "BINANCE", AssetClass::kCrypto, "USDT",
                                        Price{10'000'000}, 8, Qty{1'000}, Qty{1'000}});
  return h;
}

struct WrittenJournal {
  std::string dir;
  std::array<uint64_t, kPayloadKindCount> by_kind{};
  uint64_t dropped = 0;
  uint64_t last_chain = 0;
};

// Small blocks and segments, so that the journal has many of both.
WrittenJournal WriteJournal(const std::string& dir) {
  WrittenJournal w;
  w.dir = dir;
  journal::WriterOptions opts;
  opts.block_target_bytes = 4u << 10;
  opts.segment_max_bytes = 128u << 10;
  auto writer = journal::JournalWriter::Create(dir, TestHeader(), opts);
  EXPECT_TRUE(writer.ok()) << writer.status().ToString();
  if (!writer.ok()) return w;
  for (uint64_t seq = 1; seq <= kRecords; ++seq) {
    const Payload p = PayloadFor(seq);
    ++w.by_kind[p.index()];
    if (const auto* d = std::get_if<RecordsDropped>(&p)) w.dropped += d->count;
    std::visit([&](const auto& v) { EXPECT_EQ((*writer)->Append(TimeFor(seq), v), seq); }, p);
  }
  const Status s = (*writer)->Close();
  EXPECT_TRUE(s.ok()) << s.ToString();
  w.last_chain = (*writer)->last_chain();
  return w;
}

std::unique_ptr<journal::JournalReader> OpenReader(const std::string& dir) {
  auto r = journal::JournalReader::Open(dir);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(*r) : nullptr;
}

// One journal shared by the read-only tests; tests that damage one copy it first.
class JournalCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    journal_ = new WrittenJournal(WriteJournal(MakeTempDir("cli-journal") + "/j"));
  }
  static void TearDownTestSuite() {
    fs::remove_all(fs::path(journal_->dir).parent_path());
    delete journal_;
    journal_ = nullptr;
  }
  static const std::string& dir() { return journal_->dir; }
  // Copies live beside the shared journal, so that TearDownTestSuite removes them too.
  static std::string CopyJournal() {
    static int copies = 0;
    std::string to = fs::path(dir()).parent_path() / ("copy-" + std::to_string(++copies));
    fs::copy(dir(), to, fs::copy_options::recursive);
    return to;
  }

  static WrittenJournal* journal_;
};
WrittenJournal* JournalCli::journal_ = nullptr;

json ParseJson(const std::string& text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(j.is_discarded()) << text;
  return j;
}

// ---------------------------------------------------------------- info

TEST_F(JournalCli, InfoShowsCountsAndRange) {
  auto reader = OpenReader(dir());
  ASSERT_NE(reader, nullptr);
  const RunResult r = Tapedeck({"journal", "info", dir(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = ParseJson(r.out);
  EXPECT_EQ(j["records"], kRecords);
  EXPECT_EQ(j["blocks"], reader->blocks().size());
  EXPECT_GT(reader->segments().size(), 1u);
  EXPECT_EQ(j["segments"].size(), reader->segments().size());
  EXPECT_EQ(j["segments"][0]["file"], "seg-000000.tdj");
  EXPECT_EQ(j["first_seq"], 1);
  EXPECT_EQ(j["last_seq"], kRecords);
  EXPECT_EQ(j["first_ts"], TimeFor(1).ns);
  EXPECT_EQ(j["last_ts"], TimeFor(kRecords).ns);
  EXPECT_EQ(j["first_utc"], "2012-06-21T13:30:00.000001000Z");
  EXPECT_EQ(j["index"], "index.tdx");
  EXPECT_EQ(j["hash"], Hex64(journal_->last_chain));
  EXPECT_EQ(j["issues"], 0);
  EXPECT_EQ(j["header"]["engine_name"], "cli-test");
  EXPECT_EQ(j["header"]["seed"], 42);
  EXPECT_EQ(j["header"]["instruments"][1]["symbol"], "BTCUSDT");
  EXPECT_EQ(j["config_text_bytes"], TestHeader().config_text.size());

  const RunResult text = Tapedeck({"journal", "info", dir()});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("records      20000 in"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("cli-test (build build-1)"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("seg-000001.tdj"), std::string::npos) << text.out;
}

// ---------------------------------------------------------------- cat

TEST_F(JournalCli, CatPrintsOneLinePerRecord) {
  const RunResult r = Tapedeck({"journal", "cat", dir()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), kRecords);
  EXPECT_EQ(lines[0],
            "seq=1 ts=1340285400000001000 l3_order instrument=2 add buy order_id=1 price=585.01 "
            "qty=0.00000002 exchange_ts=1340285400000000000 receive_ts=1340285400000000000");
  EXPECT_EQ(lines.back().rfind("seq=20000 ", 0), 0u) << lines.back();
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST_F(JournalCli, CatJsonLinesParseWithSeqTsKind) {
  const RunResult r = Tapedeck({"journal", "cat", dir(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), kRecords);
  std::set<std::string> kinds;
  for (size_t i = 0; i < lines.size(); ++i) {
    const json j = ParseJson(lines[i]);
    ASSERT_EQ(j["seq"], i + 1);
    ASSERT_EQ(j["ts"], TimeFor(i + 1).ns);
    kinds.insert(j["kind"].get<std::string>());
  }
  EXPECT_EQ(kinds.size(), kPayloadKindCount);
}

TEST_F(JournalCli, CatStartsAtSeqOrTimeAndStopsAtLimit) {
  const auto first_seq = [](const RunResult& r) {
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const std::vector<std::string> lines = Lines(r.out);
    return lines.empty() ? json() : ParseJson(lines[0])["seq"];
  };
  const RunResult by_seq = Tapedeck({"journal", "cat", dir(), "--from-seq", "1234", "--json"});
  EXPECT_EQ(first_seq(by_seq), 1234);
  EXPECT_EQ(Lines(by_seq.out).size(), kRecords - 1233);

  const RunResult limited =
      Tapedeck({"journal", "cat", dir(), "--from-seq", "77", "--limit", "10"});
  ASSERT_EQ(Lines(limited.out).size(), 10u);
  EXPECT_EQ(Lines(limited.out)[0].rfind("seq=77 ", 0), 0u);
  EXPECT_EQ(Lines(limited.out)[9].rfind("seq=86 ", 0), 0u);

  // 2012-06-21T13:30:00.005001000Z is the ts of seq 5001; one ns later is seq 5002's turn.
  EXPECT_EQ(first_seq(Tapedeck({"journal", "cat", dir(), "--json", "--limit", "1", "--from-time",
                                "2012-06-21T13:30:00.005001Z"})),
            5001);
  EXPECT_EQ(first_seq(Tapedeck({"journal", "cat", dir(), "--json", "--limit", "1", "--from-time",
                                "2012-06-21T13:30:00.005001001Z"})),
            5002);
  EXPECT_EQ(first_seq(Tapedeck({"journal", "cat", dir(), "--json", "--limit", "1", "--from-time",
                                std::to_string(TimeFor(5001).ns)})),
            5001);
  // Inside the 3 s gap: the first record after it.
  EXPECT_EQ(first_seq(Tapedeck({"journal", "cat", dir(), "--json", "--limit", "1", "--from-time",
                                std::to_string(TimeFor(kGapSeq - 1).ns + 1)})),
            kGapSeq);
  // Past the end: nothing, and no error.
  const RunResult past = Tapedeck({"journal", "cat", dir(), "--from-seq", "999999"});
  EXPECT_EQ(past.exit_code, 0) << past.err;
  EXPECT_TRUE(past.out.empty());
}

TEST_F(JournalCli, CatRejectsBadArgumentsWithExit2) {
  const RunResult bad_time =
      Tapedeck({"journal", "cat", dir(), "--from-time", "2012-13-01T00:00:00Z"});
  EXPECT_EQ(bad_time.exit_code, 2);
  EXPECT_NE(bad_time.err.find("2012-13-01T00:00:00Z"), std::string::npos) << bad_time.err;
  const RunResult both = Tapedeck({"journal", "cat", dir(), "--from-time", "5", "--from-seq", "5"});
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_TRUE(both.out.empty());
}

// A flipped byte inside a block: strict cat prints everything before it and fails naming the
// file and offset; --skip-corrupt warns and prints everything else.
TEST_F(JournalCli, CatStopsAtCorruptBlockUnlessSkipping) {
  const std::string copy = CopyJournal();
  auto reader = OpenReader(copy);
  ASSERT_NE(reader, nullptr);
  const journal::IndexEntry bad = reader->blocks()[3];
  ASSERT_EQ(bad.segment, 0u);
  uint64_t before = 0;
  for (size_t i = 0; i < 3; ++i) before += reader->blocks()[i].record_count;
  reader.reset();
  {
    std::fstream f(copy + "/seg-000000.tdj", std::ios::in | std::ios::out | std::ios::binary);
    const auto at = static_cast<std::streamoff>(bad.offset + 64 + 10);  // in the payload
    f.seekg(at);
    const char c = static_cast<char>(f.get());
    f.seekp(at);
    f.put(static_cast<char>(c ^ 0x5a));
  }
  const std::string where = "seg-000000.tdj offset " + std::to_string(bad.offset);
  // First with index.tdx (the damage is found when the block is read), then without it (found
  // by the scan at open).
  for (bool with_index : {true, false}) {
    SCOPED_TRACE(with_index ? "with index.tdx" : "without index.tdx");
    if (!with_index) fs::remove(copy + "/index.tdx");
    const RunResult strict = Tapedeck({"journal", "cat", copy});
    EXPECT_EQ(strict.exit_code, 1);
    EXPECT_EQ(Lines(strict.out).size(), before);
    EXPECT_NE(strict.err.find(copy + "/" + where), std::string::npos) << strict.err;

    const RunResult skip = Tapedeck({"journal", "cat", copy, "--skip-corrupt"});
    EXPECT_EQ(skip.exit_code, 0) << skip.err;
    EXPECT_EQ(Lines(skip.out).size(), kRecords - bad.record_count);
    EXPECT_NE(skip.err.find("warning"), std::string::npos) << skip.err;
    EXPECT_NE(skip.err.find(where), std::string::npos) << skip.err;
  }

  const RunResult verify = Tapedeck({"journal", "verify", copy});
  EXPECT_EQ(verify.exit_code, 1);
  EXPECT_NE(verify.out.find(copy + "/" + where + ": "), std::string::npos) << verify.out;
}

// ---------------------------------------------------------------- verify and recover

TEST_F(JournalCli, VerifyCleanJournalExitsZero) {
  const RunResult r = Tapedeck({"journal", "verify", dir(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = ParseJson(r.out);
  std::set<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.insert(k);
  EXPECT_EQ(keys, (std::set<std::string>{"records", "blocks", "corrupt_blocks", "first_bad_offset",
                                         "first_bad_file", "truncated_bytes", "hash", "segments",
                                         "torn_tail", "records_after_first_bad", "issues"}));
  EXPECT_EQ(j["records"], kRecords);
  EXPECT_EQ(j["corrupt_blocks"], 0);
  EXPECT_TRUE(j["first_bad_offset"].is_null());
  EXPECT_TRUE(j["first_bad_file"].is_null());
  EXPECT_EQ(j["truncated_bytes"], 0);
  EXPECT_EQ(j["hash"], Hex64(journal_->last_chain));
  EXPECT_EQ(j["hash"].get<std::string>().size(), 16u);
  EXPECT_EQ(j["torn_tail"], false);
  EXPECT_TRUE(j["issues"].empty());

  const RunResult text = Tapedeck({"journal", "verify", dir()});
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find(": clean"), std::string::npos) << text.out;
}

// A segment cut mid-block, as a crash leaves it: verify fails naming the offset; recover cuts
// it; the journal then verifies clean and reads as a prefix of the original.
TEST_F(JournalCli, RecoverTornTailLeavesAPrefix) {
  const std::string copy = CopyJournal();
  auto reader = OpenReader(copy);
  ASSERT_NE(reader, nullptr);
  const journal::IndexEntry last = reader->blocks().back();
  const std::string seg = reader->segments()[last.segment].file;
  const uint64_t kept = kRecords - last.record_count;
  reader.reset();
  fs::resize_file(copy + "/" + seg, last.offset + last.total_bytes / 2);

  const RunResult bad = Tapedeck({"journal", "verify", copy, "--json"});
  EXPECT_EQ(bad.exit_code, 1);
  const json v = ParseJson(bad.out);
  EXPECT_EQ(v["first_bad_offset"], last.offset);
  EXPECT_EQ(v["first_bad_file"], seg);
  EXPECT_EQ(v["torn_tail"], true);
  EXPECT_EQ(v["truncated_bytes"], last.total_bytes / 2);
  EXPECT_EQ(v["records"], kept);
  ASSERT_EQ(v["issues"].size(), 1u);
  EXPECT_EQ(v["issues"][0]["torn"], true);

  const RunResult rec = Tapedeck({"journal", "recover", copy, "--json"});
  ASSERT_EQ(rec.exit_code, 0) << rec.err;
  const json rj = ParseJson(rec.out);
  EXPECT_EQ(rj["changed"], true);
  EXPECT_EQ(rj["records_kept"], kept);
  EXPECT_EQ(rj["bytes_cut"], last.total_bytes / 2);
  EXPECT_EQ(rj["cut_at"]["offset"], last.offset);

  EXPECT_EQ(Tapedeck({"journal", "verify", copy}).exit_code, 0);
  const RunResult again = Tapedeck({"journal", "recover", copy});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.out.find("journal is clean; nothing to recover"), std::string::npos);

  const RunResult original = Tapedeck({"journal", "cat", dir()});
  const RunResult recovered = Tapedeck({"journal", "cat", copy});
  ASSERT_EQ(recovered.exit_code, 0) << recovered.err;
  EXPECT_EQ(Lines(recovered.out).size(), kept);
  EXPECT_EQ(original.out.compare(0, recovered.out.size(), recovered.out), 0);
}

// ---------------------------------------------------------------- stats

TEST_F(JournalCli, StatsCountsByKind) {
  const RunResult r = Tapedeck({"journal", "stats", dir(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = ParseJson(r.out);
  EXPECT_EQ(j["records"], kRecords);
  json expected = json::object();
  for (size_t k = 0; k < kPayloadKindCount; ++k) {
    if (journal_->by_kind[k] != 0) expected[std::string(PayloadKindName(k))] = journal_->by_kind[k];
  }
  EXPECT_EQ(j["by_kind"], expected);
  EXPECT_EQ(j["dropped"], journal_->dropped);
  EXPECT_EQ(j["first_ts"], TimeFor(1).ns);
  EXPECT_EQ(j["last_ts"], TimeFor(kRecords).ns);
  EXPECT_EQ(j["duration_ns"], TimeFor(kRecords).ns - TimeFor(1).ns);
  EXPECT_GT(j["rate_per_s"].get<double>(), 0.0);
  // 1 us apart: the records after the gap all fall in one calendar second.
  EXPECT_EQ(j["peak_rate_per_s"], kRecords - kGapSeq + 1);
  ASSERT_EQ(j["largest_gaps"].size(), 5u);
  EXPECT_EQ(j["largest_gaps"][0]["seq"], kGapSeq);
  EXPECT_EQ(j["largest_gaps"][0]["gap_ns"], kGapNs + 1'000);
  EXPECT_EQ(j["largest_gaps"][1]["gap_ns"], 1'000);

  const RunResult text = Tapedeck({"journal", "stats", dir()});
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find("wire_message"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("BTCUSDT"), std::string::npos) << text.out;
}

// ---------------------------------------------------------------- errors and help

TEST_F(JournalCli, MissingPathIsAnErrorOnStderr) {
  const std::string missing = ::testing::TempDir() + "/no-such-journal";
  for (const char* cmd : {"info", "cat", "verify", "recover", "stats"}) {
    const RunResult r = Tapedeck({"journal", cmd, missing});
    EXPECT_EQ(r.exit_code, 2) << cmd;
    EXPECT_TRUE(r.out.empty()) << cmd << ": " << r.out;
    EXPECT_NE(r.err.find(missing), std::string::npos) << cmd << ": " << r.err;
  }
}

TEST_F(JournalCli, HelpWorksOnEveryCommand) {
  for (const char* cmd : {"info", "cat", "verify", "recover", "stats"}) {
    const RunResult r = Tapedeck({"journal", cmd, "--help"});
    EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_NE(r.out.find("--json"), std::string::npos) << cmd << ": " << r.out;
  }
  const RunResult group = Tapedeck({"journal", "--help"});
  EXPECT_EQ(group.exit_code, 0);
  EXPECT_NE(group.out.find("recover"), std::string::npos) << group.out;
}

// ---------------------------------------------------------------- json.h directly

TEST(EventJson, CompactLineMatchesDomForEveryKind) {
  const JournalHeader h = TestHeader();
  uint64_t seq = 0;
  for (const Payload& p : OneOfEachKind()) {
    const Event e{++seq, TimeFor(seq), p};
    for (const JournalHeader* header : {&h, static_cast<const JournalHeader*>(nullptr)}) {
      std::string line;
      AppendEventJsonLine(e, header, &line);
      EXPECT_EQ(ParseJson(line), EventToJson(e, header)) << line;
      const std::string text = EventToText(e, header);
      EXPECT_EQ(text.find('\n'), std::string::npos) << text;
    }
  }
}

TEST(EventJson, ExactDecimalsEnumsAndWireBytes) {
  const JournalHeader h = TestHeader();
  const std::vector<Payload> kinds = OneOfEachKind();
  const json l2 = EventToJson(Event{1, Timestamp{5}, kinds[2]}, &h);
  EXPECT_EQ(l2["price"], "30000.5");
  EXPECT_EQ(l2["qty"], "0.015");  // BTCUSDT has 8 qty decimals
  EXPECT_EQ(l2["side"], "sell");
  EXPECT_EQ(l2["ts"], 5);
  EXPECT_EQ(EventToJson(Event{1, Timestamp{5}, kinds[2]})["qty"], 1'500'000);  // no header

  const json fill = EventToJson(Event{2, Timestamp{6}, kinds[8]}, &h);
  EXPECT_EQ(fill["fee"], "-0.000001234");
  EXPECT_EQ(fill["liquidity"], "maker");
  EXPECT_EQ(fill["qty"], 5);  // AAPL: 0 decimals, an integer

  const json wire = EventToJson(Event{3, Timestamp{7}, kinds[27]}, &h);
  EXPECT_EQ(wire["kind"], "wire_message");
  EXPECT_EQ(wire["direction"], "outbound");
  EXPECT_EQ(wire["bytes"], std::string("8=FIX.4.4|35=0|\0end", 19));
  const std::string hex = wire["bytes_hex"];
  EXPECT_EQ(hex.size(), 38u);
  EXPECT_EQ(hex.rfind("383d4649582e342e3401", 0), 0u) << hex;  // "8=FIX.4.4" SOH
  EXPECT_EQ(hex.substr(30), "00656e64") << hex;                // NUL "end"
  EXPECT_EQ(EventToJson(Event{4, Timestamp{8}, kinds[28]})["digest"], "0123456789abcdef");
  EXPECT_EQ(EventToJson(Event{5, Timestamp{8}, kinds[17]})["command"], "set_param");
}

TEST(EventText, OneLineWithEscapes) {
  const std::vector<Payload> kinds = OneOfEachKind();
  EXPECT_EQ(EventToText(Event{12, Timestamp{34}, kinds[0]}),
            "seq=12 ts=34 l3_order instrument=1 add buy order_id=16113575 price=585.33 qty=18 "
            "exchange_ts=1340285400000000000 receive_ts=1340285400000000000");
  EXPECT_EQ(EventToText(Event{1, Timestamp{2}, kinds[26]}),
            "seq=1 ts=2 annotation text=\"line one\\nline two\"");
  EXPECT_EQ(EventToText(Event{1, Timestamp{2}, kinds[27]}),
            "seq=1 ts=2 wire_message connection=3 outbound bytes=\"8=FIX.4.4|35=0|\\x00end\"");
}

TEST(UtcTime, FormatsAndParsesWithNanoseconds) {
  EXPECT_EQ(FormatUtc(Timestamp{0}), "1970-01-01T00:00:00.000000000Z");
  EXPECT_EQ(FormatUtc(Timestamp{-1}), "1969-12-31T23:59:59.999999999Z");
  EXPECT_EQ(FormatUtc(Timestamp{kBaseNs + 1}), "2012-06-21T13:30:00.000000001Z");
  EXPECT_EQ(FormatUtc(Timestamp{951'782'400'000'000'000}), "2000-02-29T00:00:00.000000000Z");
  for (int64_t ns :
       {int64_t{0}, int64_t{-1}, kBaseNs + 123'456'789, int64_t{951'782'400} * 1'000'000'000}) {
    Result<Timestamp> back = ParseTimeArg(FormatUtc(Timestamp{ns}));
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back->ns, ns);
  }
  EXPECT_EQ(ParseTimeArg("2012-06-21T13:30:00Z")->ns, kBaseNs);
  EXPECT_EQ(ParseTimeArg("2012-06-21T13:30:00.5Z")->ns, kBaseNs + 500'000'000);
  EXPECT_EQ(ParseTimeArg("-17")->ns, -17);
  for (const char* bad :
       {"", "2012-06-21", "2012-06-21T13:30:00", "2011-02-29T00:00:00Z", "2012-06-21T24:00:00Z",
        "2012-06-21T13:30:00.Z", "2012-06-21T13:30:00.1234567890Z", "12a", "99999999999999999999",
        "2012-06-21T13:30:00Zjunk"}) {
    EXPECT_FALSE(ParseTimeArg(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace td::tools

namespace td::tools {
namespace {

// `bench journal` goes through the real writer and reader and leaves a journal that verifies.
TEST(BenchCli, JournalBenchPrintsEveryFigureAndKeepsAValidJournal) {
  const std::string keep = MakeTempDir("bench") + "/kept";
  const RunResult r =
      Tapedeck({"bench", "journal", "--events", "50000", "--keep", keep, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = ParseJson(r.out);
  for (const char* key : {"append_events_per_s", "write_events_per_s", "read_events_per_s",
                          "compression_ratio", "append_ns_p50", "append_ns_p999"}) {
    ASSERT_TRUE(j.contains(key)) << key;
    EXPECT_GT(j[key].get<double>(), 0) << key;
  }
  EXPECT_EQ(j["events"], 50000);
  const RunResult v = Tapedeck({"journal", "verify", keep, "--json"});
  ASSERT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_EQ(ParseJson(v.out)["records"], 50000);
  // --keep refuses to overwrite.
  EXPECT_EQ(Tapedeck({"bench", "journal", "--events", "10", "--keep", keep}).exit_code, 2);
}

}  // namespace
}  // namespace td::tools

// ---------------------------------------------------------------- market data and book commands

namespace td::tools {
namespace {

const std::string kLobster = std::string(TD_SHARED_DATA_DIR) + "/lobster/";
const std::string kGoog1Msg = kLobster + "GOOG_2012-06-21_34200000_57600000_message_1.csv";
const std::string kGoog1Book = kLobster + "GOOG_2012-06-21_34200000_57600000_orderbook_1.csv";

std::string VerifyHash(const std::string& journal) {
  const RunResult v = Tapedeck({"journal", "verify", journal, "--json"});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  return ParseJson(v.out)["hash"].get<std::string>();
}

// The embedded default market: the same seed gives the same journal, another seed another one.
TEST(SynthCli, SameSeedSameJournal) {
  const std::string dir = MakeTempDir("synth");
  for (const char* name : {"a", "b"}) {
    const RunResult r = Tapedeck({"synth", "--seed", "5", "--duration", "2s", "--instruments", "2",
                                  "-o", dir + "/" + name});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  ASSERT_EQ(Tapedeck({"synth", "--seed", "6", "--duration", "2s", "-o", dir + "/c"}).exit_code, 0);
  EXPECT_EQ(VerifyHash(dir + "/a"), VerifyHash(dir + "/b"));
  EXPECT_NE(VerifyHash(dir + "/a"), VerifyHash(dir + "/c"));
  const RunResult info = Tapedeck({"journal", "info", dir + "/a", "--json"});
  EXPECT_NE(info.out.find("SYN2"), std::string::npos);
  const RunResult bad = Tapedeck({"synth", "--seed", "5", "--duration", "2 parsecs", "-o",
                                  dir + "/d"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_FALSE(bad.err.empty());
}

TEST(BookCli, BenchBookPrintsOpsPerSecond) {
  const RunResult r = Tapedeck({"bench", "book", "--ops", "200000", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(ParseJson(r.out)["ops_per_s"].get<double>(), 0);
}

TEST(LobsterCli, CheckImportAndFidelityOnRealData) {
  if (!fs::exists(kGoog1Msg)) GTEST_SKIP() << "no LOBSTER data at " << kLobster;
  const RunResult check = Tapedeck({"book", "check-lobster", kGoog1Msg, kGoog1Book, "--json"});
  ASSERT_EQ(check.exit_code, 0) << check.err;
  const json c = ParseJson(check.out);
  EXPECT_EQ(c["rows"], 49'482);
  EXPECT_EQ(c["mismatched"], 0);
  EXPECT_TRUE(c["first_mismatch_row"].is_null());

  const std::string j = MakeTempDir("lobster") + "/goog";
  const RunResult imp = Tapedeck({"import", "lobster", kGoog1Msg, kGoog1Book, "-o", j});
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
  const RunResult v = Tapedeck({"journal", "verify", j, "--json"});
  ASSERT_EQ(v.exit_code, 0);
  EXPECT_GE(ParseJson(v.out)["records"].get<uint64_t>(), 49'482u);

  const RunResult fid = Tapedeck({"fidelity", "lobster", kGoog1Msg, kGoog1Book, "--orders", "200",
                                  "--seed", "2", "--json"});
  ASSERT_EQ(fid.exit_code, 0) << fid.err;
  const json f = ParseJson(fid.out);
  EXPECT_EQ(f["orders"], 200);
  EXPECT_GE(f["exact"].get<int>(), 190);
}

// A malformed copy: the error names the file and the line, and nothing is written as valid.
TEST(LobsterCli, MalformedInputNamesFileAndLine) {
  if (!fs::exists(kGoog1Msg)) GTEST_SKIP() << "no LOBSTER data at " << kLobster;
  const std::string dir = MakeTempDir("lobster-bad");
  const std::string msg = dir + "/GOOG_2012-06-21_34200000_57600000_message_1.csv";
  std::vector<std::string> lines = Lines(ReadText(kGoog1Msg));
  lines[99] = "34200.5,1,123,abc,5800000,1";  // line 100: a size that is not a number
  std::ofstream out(msg);
  for (const std::string& l : lines) out << l << "\n";
  out.close();
  const RunResult r = Tapedeck({"book", "check-lobster", msg, kGoog1Book});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("message_1.csv:100"), std::string::npos) << r.err;
}

TEST(BinanceCli, ImportsTheSpotCapture) {
  const std::string capture = std::string(TD_SHARED_DATA_DIR) + "/binance/spot_btcusdt_20240808.gz";
  if (!fs::exists(capture)) GTEST_SKIP() << "no Binance capture at " << capture;
  const std::string j = MakeTempDir("binance") + "/spot";
  const RunResult r = Tapedeck({"import", "binance", capture, "-o", j});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const RunResult stats = Tapedeck({"journal", "stats", j, "--json"});
  ASSERT_EQ(stats.exit_code, 0);
  const json s = ParseJson(stats.out);
  EXPECT_GT(s["by_kind"]["l2_update"].get<uint64_t>(), 100'000u);
  EXPECT_EQ(s["by_kind"]["l2_snapshot"], 1);
  EXPECT_GT(s["by_kind"]["trade"].get<uint64_t>(), 9'000u);
}

}  // namespace
}  // namespace td::tools
