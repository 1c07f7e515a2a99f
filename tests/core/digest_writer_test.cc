// DigestWriter: the hash is XXH3-64 of the little-endian bytes written, whether they fit in its
// buffer (hashed in one call) or are streamed in chunks (large digests, long strings).
#include "core/digest_writer.h"

#include <gtest/gtest.h>
#include <xxhash.h>

#include <string>
#include <vector>

namespace td {
namespace {

void AppendU64(std::string* bytes, uint64_t v) {
  for (int i = 0; i < 8; ++i) bytes->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t Xxh3(const std::string& bytes) { return XXH3_64bits(bytes.data(), bytes.size()); }

TEST(DigestWriter, SmallDigestIsXxh3OfTheLittleEndianBytes) {
  DigestWriter w;
  std::string bytes;
  w.U64(0x0102030405060708ULL);
  AppendU64(&bytes, 0x0102030405060708ULL);
  w.I64(-5);
  AppendU64(&bytes, static_cast<uint64_t>(-5));
  w.Bool(true);
  AppendU64(&bytes, 1);
  w.Str("tapedeck");
  AppendU64(&bytes, 8);
  bytes += "tapedeck";
  w.Str("");
  AppendU64(&bytes, 0);
  EXPECT_EQ(w.Hash(), Xxh3(bytes));
  // Hash() does not end the digest: more bytes extend it.
  w.U64(42);
  AppendU64(&bytes, 42);
  EXPECT_EQ(w.Hash(), Xxh3(bytes));
}

TEST(DigestWriter, StreamedDigestEqualsOneShot) {
  DigestWriter w;
  std::string bytes;
  for (uint64_t i = 0; i < 3000; ++i) {  // 24,000 bytes: several buffer flushes
    w.U64(i * 0x9e3779b97f4a7c15ULL);
    AppendU64(&bytes, i * 0x9e3779b97f4a7c15ULL);
  }
  const std::string long_text(10'000, 'x');  // longer than the buffer: streamed as it is
  w.Str(long_text);
  AppendU64(&bytes, long_text.size());
  bytes += long_text;
  w.U64(7);
  AppendU64(&bytes, 7);
  EXPECT_EQ(w.Hash(), Xxh3(bytes));
}

TEST(DigestWriter, ResetStartsANewDigestAfterStreaming) {
  DigestWriter w;
  for (uint64_t i = 0; i < 1000; ++i) w.U64(i);  // streamed
  (void)w.Hash();
  w.Reset();
  std::string bytes;
  w.Str("after reset");
  AppendU64(&bytes, 11);
  bytes += "after reset";
  EXPECT_EQ(w.Hash(), Xxh3(bytes));
  w.Reset();
  for (uint64_t i = 0; i < 1000; ++i) w.U64(i);
  bytes.clear();
  for (uint64_t i = 0; i < 1000; ++i) AppendU64(&bytes, i);
  EXPECT_EQ(w.Hash(), Xxh3(bytes));
}

TEST(DigestWriter, U64sWritesWhatU64OfEachWouldAcrossTheBufferEdge) {
  std::vector<uint64_t> words;
  for (uint64_t i = 0; i < 24; ++i) words.push_back(i * 0x0101010101010101ULL + 3);
  DigestWriter one_by_one, together;
  for (int round = 0; round < 40; ++round) {  // 40 * 192 bytes: crosses the 4 KiB buffer
    for (uint64_t v : words) one_by_one.U64(v);
    together.U64s(words);
  }
  EXPECT_EQ(together.Hash(), one_by_one.Hash());
}

}  // namespace
}  // namespace td
