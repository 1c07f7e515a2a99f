// Writing and reading journals: every kind round-trips, segments roll, seeks land on the right
// record, the index file is used when it matches and rebuilt when it does not, and the
// backpressure and durability policies behave as documented.
#include <gtest/gtest.h>

#include <filesystem>

#include "journal/block.h"
#include "journal/format.h"
#include "journal/index.h"
#include "journal/reader.h"
#include "journal/recovery.h"
#include "journal/writer.h"
#include "schema/codec.h"
#include "tests/journal/test_util.h"

namespace td::journal {
namespace {

using testing::EventFor;
using testing::MakeTempDir;
using testing::ReadAll;
using testing::TestHeader;
using testing::TimeFor;
using testing::WriteJournal;

WriterOptions SmallBlocks() {
  WriterOptions o;
  o.block_target_bytes = 4096;
  o.queue_capacity = 1024;
  o.linger = Duration::Micros(100);
  return o;
}

TEST(JournalWriter, EveryRecordReadsBackExactly) {
  const std::string dir = MakeTempDir("rt") + "/j";
  WriteJournal(dir, 20'000, SmallBlocks());
  Status s;
  std::vector<Event> back = ReadAll(dir, &s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(back.size(), 20'000u);
  for (uint64_t seq = 1; seq <= back.size(); ++seq) ASSERT_EQ(back[seq - 1], EventFor(seq));

  auto r = JournalReader::Open(dir);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE((*r)->index_loaded_from_file());
  EXPECT_EQ((*r)->header().engine_name, "journal-test");
  EXPECT_EQ((*r)->header().instruments.size(), 1u);
  EXPECT_EQ((*r)->header().format_version, kFormatVersion);
  EXPECT_GT((*r)->blocks().size(), 10u);
  EXPECT_EQ((*r)->indexed_records(), 20'000u);
}

// The observer sees every record once, in sequence order, on the journal thread; what it kept
// is complete once Close() returns.
TEST(JournalWriter, ObserverSeesEveryRecordOnceInOrder) {
  struct Collect final : RecordObserver {
    void OnRecord(const Event& record) override { seen.push_back(record); }
    std::vector<Event> seen;
  } collect;
  WriterOptions o = SmallBlocks();
  o.observer = &collect;
  WriteJournal(MakeTempDir("observer") + "/j", 20'000, o);
  ASSERT_EQ(collect.seen.size(), 20'000u);
  for (uint64_t seq = 1; seq <= collect.seen.size(); ++seq) {
    ASSERT_EQ(collect.seen[seq - 1], EventFor(seq)) << "seq " << seq;
  }
}

// A journal of format 1 (the records layout), as earlier builds wrote it, still reads back:
// recorded sessions are golden tests, and they outlive the build that recorded them.
TEST(JournalReader, ReadsFormatOneJournals) {
  const std::string dir = MakeTempDir("v1") + "/j";
  std::filesystem::create_directories(dir);
  JournalHeader header = TestHeader();
  header.format_version = 1;
  header.schema_id = schema::SchemaId();
  SegmentHeader sh;
  sh.format_version = 1;
  sh.first_seq = 1;
  sh.header_message = schema::EncodeHeader(header);
  std::vector<uint8_t> file = EncodeSegmentHeader(sh);
  schema::BlockEncoder enc(schema::BlockLayout::kRecords);
  uint64_t chain = 0;
  constexpr uint64_t kRecords = 3'000, kPerBlock = 700;
  for (uint64_t first = 1; first <= kRecords; first += kPerBlock) {
    const uint64_t last = std::min(kRecords, first + kPerBlock - 1);
    enc.Begin(last - first + 1);
    for (uint64_t seq = first; seq <= last; ++seq) enc.Add(EventFor(seq));
    const std::span<const uint8_t> raw = enc.Finish();
    std::vector<uint8_t> block(SealedBytesMax(raw.size()));
    SealInput in;
    in.raw_payload = raw;
    in.record_count = static_cast<uint32_t>(last - first + 1);
    in.first_seq = first;
    in.first_ts = TimeFor(first).ns;
    in.last_ts = TimeFor(last).ns;
    in.prev_chain = chain;
    in.version = 1;
    const BlockHeader h = SealBlock(in, block);
    chain = h.chain;
    file.insert(file.end(), block.begin(), block.begin() + kBlockHeaderBytes + h.stored_bytes);
  }
  testing::WriteBytes(dir + "/" + SegmentFileName(0), file);

  Status s;
  std::vector<Event> back = ReadAll(dir, &s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(back.size(), kRecords);
  for (uint64_t seq = 1; seq <= kRecords; ++seq) ASSERT_EQ(back[seq - 1], EventFor(seq));
  auto r = JournalReader::Open(dir);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->header().format_version, 1u);
  auto v = VerifyJournal(dir);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->clean());
  EXPECT_EQ(v->records, kRecords);
}

// WriterOptions::format_version 1: the records layout, for readers of earlier builds.
TEST(JournalWriter, WritesFormatOneOnRequest) {
  const std::string dir = MakeTempDir("w1") + "/j";
  WriterOptions o = SmallBlocks();
  o.format_version = 1;
  WriteJournal(dir, 5'000, o);
  std::vector<uint8_t> seg = testing::ReadBytes(dir + "/" + SegmentFileName(0));
  auto parsed = ParseSegmentHeader(seg);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->header.format_version, 1u);
  auto block = ParseBlockHeader(std::span(seg).subspan(parsed->consumed));
  ASSERT_TRUE(block.ok()) << block.status().ToString();
  EXPECT_EQ(block->version, 1u);
  Status s;
  std::vector<Event> back = ReadAll(dir, &s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(back.size(), 5'000u);
  for (uint64_t seq = 1; seq <= back.size(); ++seq) ASSERT_EQ(back[seq - 1], EventFor(seq));

  for (uint32_t version : {0u, kFormatVersion + 1}) {
    WriterOptions bad = SmallBlocks();
    bad.format_version = version;
    auto w = JournalWriter::Create(MakeTempDir("w1-bad") + "/j", TestHeader(), bad);
    ASSERT_FALSE(w.ok()) << version;
    EXPECT_NE(w.status().message().find("cannot be written"), std::string::npos)
        << w.status().ToString();
  }
}

TEST(JournalWriter, RollsSegmentsAndChainsAcrossThem) {
  const std::string dir = MakeTempDir("seg") + "/j";
  WriterOptions o = SmallBlocks();
  o.segment_max_bytes = 64 << 10;
  WriteJournal(dir, 30'000, o);
  auto files = ListSegmentFiles(dir);
  ASSERT_TRUE(files.ok());
  EXPECT_GT(files->size(), 3u);
  auto v = VerifyJournal(dir);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->clean());
  EXPECT_EQ(v->records, 30'000u);
  EXPECT_EQ(v->segments, files->size());
  Status s;
  EXPECT_EQ(ReadAll(dir, &s).size(), 30'000u);

  // Removing a middle segment breaks sequence continuity: reported, never papered over.
  const uint64_t in_first = [&] {
    auto r = JournalReader::Open(dir);
    uint64_t n = 0;
    for (const IndexEntry& b : (*r)->blocks()) n += b.segment == 0 ? b.record_count : 0;
    return n;
  }();
  std::filesystem::rename(dir + "/" + (*files)[1], dir + "/removed.tdj");
  v = VerifyJournal(dir);
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->clean());
  EXPECT_EQ(v->records, in_first);

  // Recover cuts at the gap (the later segments do not continue the journal) and keeps them
  // in quarantine; it does not relabel a misplaced segment.
  auto rec = RecoverJournal(dir);
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  EXPECT_EQ(rec->records_kept, in_first);
  EXPECT_EQ(rec->quarantined_files.size(), files->size() - 2);
  v = VerifyJournal(dir);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->clean());
  auto left = ListSegmentFiles(dir);
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(left->size(), 1u);
}

TEST(JournalReader, SeeksBySequenceAndTime) {
  const std::string dir = MakeTempDir("seek") + "/j";
  WriteJournal(dir, 25'000, SmallBlocks());
  auto r = JournalReader::Open(dir);
  ASSERT_TRUE(r.ok());
  for (uint64_t seq : {1ull, 2ull, 777ull, 12'345ull, 24'999ull, 25'000ull}) {
    ASSERT_TRUE((*r)->SeekToSeq(seq).ok());
    const Event* e = (*r)->Next();
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->seq, seq);
  }
  ASSERT_TRUE((*r)->SeekToSeq(25'001).ok());
  EXPECT_EQ((*r)->Next(), nullptr);

  // Time: the first record at or after t. TimeFor repeats times, so the first of a group.
  const Timestamp t = testing::TimeFor(15'001);
  ASSERT_TRUE((*r)->SeekToTime(t).ok());
  const Event* e = (*r)->Next();
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->ts, t);
  EXPECT_LT(testing::TimeFor(e->seq - 1), t);
  // A time inside the 2 s gap lands on the first record after it.
  ASSERT_TRUE((*r)->SeekToTime(testing::TimeFor(9'999) + Duration::Millis(500)).ok());
  e = (*r)->Next();
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->seq, 10'000u);  // TimeFor(10'000) is the first time after the gap
}

TEST(JournalReader, RebuildsAStaleOrMissingIndexByScanning) {
  const std::string dir = MakeTempDir("idx") + "/j";
  WriteJournal(dir, 5'000, SmallBlocks());
  std::filesystem::remove(dir + "/" + kIndexFileName);
  auto r = JournalReader::Open(dir);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE((*r)->index_loaded_from_file());
  EXPECT_EQ((*r)->indexed_records(), 5'000u);

  // A damaged index file is ignored, not trusted.
  testing::WriteBytes(dir + "/" + kIndexFileName, {1, 2, 3});
  r = JournalReader::Open(dir);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE((*r)->index_loaded_from_file());
  Status s;
  EXPECT_EQ(ReadAll(dir, &s).size(), 5'000u);
  // recover on a clean journal rewrites the index.
  ASSERT_TRUE(RecoverJournal(dir).ok());
  r = JournalReader::Open(dir);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE((*r)->index_loaded_from_file());
}

TEST(JournalWriter, DropPolicyCountsAndJournalsEveryLoss) {
  const std::string dir = MakeTempDir("drop") + "/j";
  WriterOptions o = SmallBlocks();
  o.queue_capacity = 4;
  o.backpressure = Backpressure::kDropAndCount;
  auto w = JournalWriter::Create(dir, testing::TestHeader(), o);
  ASSERT_TRUE(w.ok());
  constexpr uint64_t kAttempts = 200'000;
  uint64_t accepted = 0;
  for (uint64_t i = 1; i <= kAttempts; ++i) {
    const Event e = EventFor(i);
    if ((*w)->Append(e.ts, e.payload) != 0) ++accepted;
  }
  ASSERT_TRUE((*w)->Close().ok());
  const WriterStats st = (*w)->stats();
  EXPECT_EQ(st.dropped + accepted, kAttempts);
  Status s;
  std::vector<Event> back = ReadAll(dir, &s);
  ASSERT_TRUE(s.ok());
  uint64_t dropped_in_journal = 0, notes = 0;
  for (const Event& e : back) {
    if (const auto* d = std::get_if<RecordsDropped>(&e.payload)) {
      dropped_in_journal += d->count;
      ++notes;
    }
  }
  // Every drop is in the journal, including drops after the last accepted event (Close()
  // journals those once the queue has drained).
  EXPECT_EQ(back.size(), accepted + notes);
  EXPECT_EQ(dropped_in_journal, st.dropped);
  std::cout << "drop test: " << st.dropped << " of " << kAttempts << " dropped, " << notes
            << " RecordsDropped records\n";
}

TEST(JournalWriter, DurabilityPoliciesSync) {
  for (Durability d : {Durability::kEveryBlock, Durability::kInterval}) {
    const std::string dir = MakeTempDir("sync") + "/j";
    WriterOptions o = SmallBlocks();
    o.durability = d;
    o.sync_interval = Duration::Millis(1);
    auto w = JournalWriter::Create(dir, testing::TestHeader(), o);
    ASSERT_TRUE(w.ok());
    for (uint64_t seq = 1; seq <= 3'000; ++seq) {
      const Event e = EventFor(seq);
      (*w)->Append(e.ts, e.payload);
    }
    ASSERT_TRUE((*w)->Flush().ok());
    EXPECT_GT((*w)->stats().syncs, 0u);
    ASSERT_TRUE((*w)->Close().ok());
    Status s;
    EXPECT_EQ(ReadAll(dir, &s).size(), 3'000u);
  }
}

// A clean close syncs the segment and the index; without sync_on_close (a simulation's
// journal) it syncs nothing, and the journal is just as complete and indexed.
TEST(JournalWriter, CloseSyncsUnlessTold) {
  for (bool sync_on_close : {true, false}) {
    const std::string dir = MakeTempDir("close") + "/j";
    WriterOptions o = SmallBlocks();
    o.sync_on_close = sync_on_close;
    auto w = JournalWriter::Create(dir, testing::TestHeader(), o);
    ASSERT_TRUE(w.ok());
    for (uint64_t seq = 1; seq <= 3'000; ++seq) {
      const Event e = EventFor(seq);
      (*w)->Append(e.ts, e.payload);
    }
    ASSERT_TRUE((*w)->Close().ok());
    EXPECT_EQ((*w)->stats().syncs, sync_on_close ? 1u : 0u);
    Status s;
    EXPECT_EQ(ReadAll(dir, &s).size(), 3'000u);
    auto r = JournalReader::Open(dir);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE((*r)->index_loaded_from_file());
  }
}

TEST(JournalWriter, FlushMakesRecordsReadableWhileOpen) {
  const std::string dir = MakeTempDir("flush") + "/j";
  auto w = JournalWriter::Create(dir, testing::TestHeader(), SmallBlocks());
  ASSERT_TRUE(w.ok());
  for (uint64_t seq = 1; seq <= 100; ++seq) {
    const Event e = EventFor(seq);
    (*w)->Append(e.ts, e.payload);
  }
  ASSERT_TRUE((*w)->Flush().ok());
  Status s;
  EXPECT_EQ(ReadAll(dir, &s).size(), 100u);  // no index yet: found by a scan
  ASSERT_TRUE((*w)->Close().ok());
}

TEST(JournalWriter, OversizedRecordIsReplacedByAnAnnotationSayingSo) {
  const std::string dir = MakeTempDir("big") + "/j";
  auto w = JournalWriter::Create(dir, testing::TestHeader(), SmallBlocks());
  ASSERT_TRUE(w.ok());
  (*w)->Append(Timestamp{1}, Annotation{"before"});
  (*w)->Append(Timestamp{2},
               WireMessage{1, WireDirection::kInbound, std::string(kMaxRecordBytes + 1, 'x')});
  (*w)->Append(Timestamp{3}, Annotation{"after"});
  ASSERT_TRUE((*w)->Close().ok());
  Status s;
  std::vector<Event> back = ReadAll(dir, &s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(back.size(), 3u);
  const auto* note = std::get_if<Annotation>(&back[1].payload);
  ASSERT_NE(note, nullptr);
  EXPECT_NE(note->text.find("wire_message not journaled"), std::string::npos) << note->text;
  EXPECT_EQ(back[1].seq, 2u);
  EXPECT_EQ(std::get<Annotation>(back[2].payload).text, "after");
}

TEST(JournalWriter, EmptyJournalIsValid) {
  const std::string dir = MakeTempDir("empty") + "/j";
  WriteJournal(dir, 0, SmallBlocks());
  auto v = VerifyJournal(dir);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->clean());
  EXPECT_EQ(v->records, 0u);
}

// A blocking producer that fills a queue smaller than a block must not wait for the linger
// (a simulation's is a year): a full queue is written at once, as a block of its own.
// A fixed-size kind is copied into its ring slot as bytes; a kind that owns memory goes to
// the side ring at the same index. Slots taken in turn by either, over many trips around a
// small ring, each read back as appended: typed appends and Payload appends alike.
TEST(JournalWriter, KindsOfEitherStorageTakeTurnsInTheSameSlots) {
  const std::string dir = MakeTempDir("slots") + "/j";
  WriterOptions o = SmallBlocks();
  o.queue_capacity = 4;
  auto w = JournalWriter::Create(dir, testing::TestHeader(), o);
  ASSERT_TRUE(w.ok());
  std::vector<Event> appended;
  for (uint64_t i = 1; i <= 3000; ++i) {
    const Timestamp ts{static_cast<int64_t>(i)};
    Payload p;
    switch (i % 5) {
      case 0:
        p = WireMessage{1, WireDirection::kInbound, std::string(i % 300, 'w')};
        break;
      case 1:
        p = L1Quote{1, {Price{100}, Qty{static_cast<int64_t>(i)}}, {Price{101}, Qty{2}}, i, ts, ts};
        break;
      case 2:
        p = Annotation{"note " + std::to_string(i)};
        break;
      case 3:
        p = Fill{i,          i,      i,      1,      Side::kBuy,
                 Price{100}, Qty{1}, Qty{1}, Qty{0}, Liquidity::kTaker,
                 Money{3},   ts};
        break;
      default:
        p = L2Snapshot{1, i, {{Price{99}, Qty{static_cast<int64_t>(i)}}}, {}, ts, ts};
    }
    appended.push_back(Event{i, ts, p});
    if (i % 2 == 0) {
      ASSERT_EQ((*w)->Append(ts, p), i);
    } else {
      ASSERT_EQ(std::visit([&](const auto& kind) { return (*w)->Append(ts, kind); }, p), i);
    }
  }
  ASSERT_TRUE((*w)->Close().ok());
  Status s;
  std::vector<Event> back = ReadAll(dir, &s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(back.size(), appended.size());
  for (size_t i = 0; i < back.size(); ++i) ASSERT_EQ(back[i], appended[i]) << i;
}

TEST(JournalWriter, FullQueueSmallerThanABlockIsWrittenWithoutWaitingForTheLinger) {
  const std::string dir = MakeTempDir("full") + "/j";
  WriterOptions o;
  o.queue_capacity = 16;  // far less than a 64 KiB block of records
  o.linger = Duration::Seconds(365LL * 24 * 3600);
  o.backpressure = Backpressure::kBlock;
  auto w = JournalWriter::Create(dir, testing::TestHeader(), o);
  ASSERT_TRUE(w.ok());
  for (uint64_t i = 1; i <= 1000; ++i) {
    const Event e = EventFor(i);
    ASSERT_EQ((*w)->Append(e.ts, e.payload), i);
  }
  ASSERT_TRUE((*w)->Close().ok());
  Status s;
  EXPECT_EQ(ReadAll(dir, &s).size(), 1000u);
  EXPECT_TRUE(s.ok()) << s.ToString();
  // Each block is one full queue, whatever the timing (the last one holds the rest): the
  // blocks of a deterministic run do not depend on when the journal thread looked.
  auto r = JournalReader::Open(dir);
  ASSERT_TRUE(r.ok());
  const auto& blocks = (*r)->blocks();
  ASSERT_EQ(blocks.size(), 63u);  // 62 x 16 + 8
  for (size_t i = 0; i + 1 < blocks.size(); ++i) EXPECT_EQ(blocks[i].record_count, 16u) << i;
  EXPECT_EQ(blocks.back().record_count, 8u);
}

TEST(JournalWriter, RefusesBadOptionsAndExistingJournals) {
  const std::string dir = MakeTempDir("opts") + "/j";
  WriterOptions o;
  o.queue_capacity = 1000;
  auto w = JournalWriter::Create(dir, testing::TestHeader(), o);
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.status().message().find("power of two"), std::string::npos);
  WriteJournal(dir, 10, SmallBlocks());
  w = JournalWriter::Create(dir, testing::TestHeader(), SmallBlocks());
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.status().message().find("already holds a journal"), std::string::npos);
}

TEST(JournalWriterDeathTest, TimestampsMustNotGoBackwards) {
  const std::string dir = MakeTempDir("death") + "/j";
  EXPECT_DEATH(
      {
        auto w = JournalWriter::Create(dir, testing::TestHeader(), SmallBlocks());
        (*w)->Append(Timestamp{100}, Annotation{"a"});
        (*w)->Append(Timestamp{99}, Annotation{"b"});
      },
      "timestamps must not decrease");
}

TEST(JournalReader, MissingDirectoryIsAClearError) {
  auto r = JournalReader::Open("/nonexistent/journal");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("/nonexistent/journal"), std::string::npos);
}

}  // namespace
}  // namespace td::journal
