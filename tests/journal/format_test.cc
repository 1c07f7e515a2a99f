// The framing layer: segment and block headers round-trip, every malformed field is caught
// with a message, and sealing/opening a block preserves its records.
#include "journal/format.h"

#include <gtest/gtest.h>

#include "journal/block.h"
#include "schema/codec.h"
#include "tests/journal/test_util.h"

namespace td::journal {
namespace {

TEST(SegmentHeader, RoundTripsAndRejectsDamage) {
  SegmentHeader h;
  h.segment_index = 3;
  h.first_seq = 1001;
  h.prev_chain = 0xfeedfacecafebeefULL;
  h.header_message = {1, 2, 3, 4, 5};
  const std::vector<uint8_t> bytes = EncodeSegmentHeader(h);
  ASSERT_EQ(bytes.size() % 8, 0u);
  auto parsed = ParseSegmentHeader(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->consumed, bytes.size());
  EXPECT_EQ(parsed->header.segment_index, 3u);
  EXPECT_EQ(parsed->header.first_seq, 1001u);
  EXPECT_EQ(parsed->header.prev_chain, h.prev_chain);
  EXPECT_EQ(parsed->header.header_message, h.header_message);

  for (size_t i = 0; i < bytes.size(); ++i) {  // every single byte is covered by a check
    std::vector<uint8_t> bad = bytes;
    bad[i] ^= 0x40;
    EXPECT_FALSE(ParseSegmentHeader(bad).ok()) << "flip at byte " << i << " went unnoticed";
  }
  auto torn = ParseSegmentHeader(std::span(bytes).first(20));
  ASSERT_FALSE(torn.ok());
  EXPECT_NE(torn.status().message().find("incomplete"), std::string::npos);
}

TEST(BlockHeader, RejectsOutOfRangeFields) {
  BlockHeader h;
  h.stored_bytes = 100;
  h.raw_bytes = 300;
  h.record_count = 5;
  h.first_seq = 1;
  uint8_t buf[kBlockHeaderBytes];
  EncodeBlockHeader(h, buf);
  ASSERT_TRUE(ParseBlockHeader(buf).ok());

  auto with = [&](auto mutate) {
    BlockHeader b = h;
    mutate(b);
    EncodeBlockHeader(b, buf);
    return ParseBlockHeader(buf);
  };
  EXPECT_FALSE(with([](BlockHeader& b) { b.raw_bytes = kMaxBlockRawBytes + 1; }).ok());
  EXPECT_FALSE(with([](BlockHeader& b) { b.record_count = 0; }).ok());
  EXPECT_FALSE(with([](BlockHeader& b) { b.first_seq = 0; }).ok());
  EXPECT_FALSE(with([](BlockHeader& b) { b.first_ts = 10, b.last_ts = 5; }).ok());
  EXPECT_FALSE(with([](BlockHeader& b) { b.codec = static_cast<BlockCodec>(9); }).ok());
  EXPECT_FALSE(with([](BlockHeader& b) { b.version = 0; }).ok());
  EXPECT_FALSE(with([](BlockHeader& b) { b.version = kBlockVersion + 1; }).ok());
  EXPECT_TRUE(with([](BlockHeader& b) { b.version = 1; }).ok());  // format 1's blocks
  auto bad_magic = with([](BlockHeader&) {});
  buf[0] ^= 1;
  EXPECT_FALSE(ParseBlockHeader(buf).ok());
}

std::vector<uint8_t> SealEvents(const std::vector<Event>& events, bool compress,
                                uint64_t prev_chain, BlockHeader* header,
                                schema::BlockLayout layout = schema::BlockLayout::kColumns) {
  schema::BlockEncoder enc(layout);
  enc.Begin(schema::CountKinds(events));
  for (const Event& e : events) enc.Add(e);
  std::span<const uint8_t> raw = enc.Finish();
  std::vector<uint8_t> out(SealedBytesMax(raw.size()));
  SealInput in;
  in.raw_payload = raw;
  in.record_count = static_cast<uint32_t>(events.size());
  in.first_seq = events.front().seq;
  in.first_ts = events.front().ts.ns;
  in.last_ts = events.back().ts.ns;
  in.prev_chain = prev_chain;
  in.compress = compress;
  in.version = static_cast<uint16_t>(layout);
  *header = SealBlock(in, out);
  out.resize(kBlockHeaderBytes + header->stored_bytes);
  return out;
}

// Both layouts: a reader opens the blocks of format 1 journals as well as format 2's.
class BlockLayouts : public ::testing::TestWithParam<schema::BlockLayout> {};
INSTANTIATE_TEST_SUITE_P(Block, BlockLayouts,
                         ::testing::Values(schema::BlockLayout::kRecords,
                                           schema::BlockLayout::kColumns),
                         [](const auto& info) {
                           return info.param == schema::BlockLayout::kRecords ? "Records"
                                                                              : "Columns";
                         });

TEST_P(BlockLayouts, SealThenOpenPreservesRecords) {
  std::vector<Event> events;
  for (uint64_t seq = 1; seq <= 500; ++seq) events.push_back(testing::EventFor(seq));
  for (bool compress : {true, false}) {
    BlockHeader h;
    const std::vector<uint8_t> bytes = SealEvents(events, compress, 77, &h, GetParam());
    EXPECT_EQ(h.version, static_cast<uint16_t>(GetParam()));
    EXPECT_EQ(h.codec, compress ? BlockCodec::kLz4 : BlockCodec::kNone);
    EXPECT_EQ(h.chain, ChainHash(77, h.checksum));
    BlockCheck check = CheckBlock(bytes);
    ASSERT_EQ(check.fault, BlockFault::kNone) << check.reason;
    EXPECT_EQ(check.view.total_bytes, bytes.size());
    std::vector<uint64_t> scratch;
    std::vector<Event> back;
    Status s = OpenBlock(check.view, &scratch, &back);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(back, events);
  }
}

TEST(Block, TruncatedAndFlippedBlocksAreNamed) {
  std::vector<Event> events;
  for (uint64_t seq = 1; seq <= 50; ++seq) events.push_back(testing::EventFor(seq));
  BlockHeader h;
  const std::vector<uint8_t> bytes = SealEvents(events, true, 0, &h);
  EXPECT_EQ(CheckBlock(std::span(bytes).first(30)).fault, BlockFault::kTruncated);
  EXPECT_EQ(CheckBlock(std::span(bytes).first(bytes.size() - 1)).fault, BlockFault::kTruncated);
  for (size_t i = 0; i < bytes.size(); i += 7) {
    std::vector<uint8_t> bad = bytes;
    bad[i] ^= 0x01;
    const BlockCheck c = CheckBlock(bad);
    if (i >= 56) {  // the chain field is checked against the previous block by the scanner
      EXPECT_TRUE(c.fault != BlockFault::kNone ||
                  ChainHash(0, c.view.header.checksum) != c.view.header.chain);
    } else {
      EXPECT_NE(c.fault, BlockFault::kNone) << "flip at byte " << i;
    }
  }
}

TEST(Block, FindNextValidBlockSkipsGarbage) {
  std::vector<Event> events = {testing::EventFor(1), testing::EventFor(2)};
  BlockHeader h;
  std::vector<uint8_t> block = SealEvents(events, true, 0, &h);
  std::vector<uint8_t> bytes(100, 0x54);  // 'T' bytes, with a fake magic inside
  bytes[10] = 'T', bytes[11] = 'D', bytes[12] = 'B', bytes[13] = 'K';
  bytes.insert(bytes.end(), block.begin(), block.end());
  EXPECT_EQ(FindNextValidBlock(bytes, 0), 100u);
  EXPECT_EQ(FindNextValidBlock(bytes, 100), bytes.size());
}

}  // namespace
}  // namespace td::journal
