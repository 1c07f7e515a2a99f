#include "journal/index.h"

// Inlined for speed: the checksum runs over every byte written and read.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <cstring>

namespace td::journal {
namespace {

constexpr char kIndexMagic[8] = {'T', 'D', 'J', 'I', 'N', 'D', 'E', 'X'};
constexpr uint32_t kIndexVersion = 1;
constexpr size_t kEntryBytes = 56;
constexpr size_t kSegmentBytes = 16;

template <typename T>
void Put(std::vector<uint8_t>* out, T v) {
  const size_t n = out->size();
  out->resize(n + sizeof(T));
  std::memcpy(out->data() + n, &v, sizeof(T));
}

template <typename T>
T Get(const uint8_t*& p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  p += sizeof(T);
  return v;
}

}  // namespace

std::vector<uint8_t> EncodeIndex(const std::vector<SegmentInfo>& segments,
                                 const std::vector<IndexEntry>& blocks) {
  std::vector<uint8_t> out(kIndexMagic, kIndexMagic + 8);
  Put<uint32_t>(&out, kIndexVersion);
  Put<uint32_t>(&out, static_cast<uint32_t>(segments.size()));
  Put<uint64_t>(&out, blocks.size());
  for (const SegmentInfo& s : segments) {
    Put<uint64_t>(&out, s.file_bytes);
    Put<uint64_t>(&out, s.blocks_start);
  }
  for (const IndexEntry& e : blocks) {
    Put<uint32_t>(&out, e.segment);
    Put<uint32_t>(&out, e.record_count);
    Put<uint64_t>(&out, e.offset);
    Put<uint64_t>(&out, e.first_seq);
    Put<int64_t>(&out, e.first_ts);
    Put<int64_t>(&out, e.last_ts);
    Put<uint64_t>(&out, e.chain);
    Put<uint32_t>(&out, e.total_bytes);
    Put<uint32_t>(&out, 0);
  }
  Put<uint64_t>(&out, XXH3_64bits(out.data(), out.size()));
  return out;
}

Result<LoadedIndex> DecodeIndex(std::span<const uint8_t> bytes) {
  constexpr size_t kFixed = 8 + 4 + 4 + 8;
  if (bytes.size() < kFixed + 8 || std::memcmp(bytes.data(), kIndexMagic, 8) != 0) {
    return Corruption("index file: bad magic or too short");
  }
  uint64_t stored_hash;
  std::memcpy(&stored_hash, bytes.data() + bytes.size() - 8, 8);
  if (XXH3_64bits(bytes.data(), bytes.size() - 8) != stored_hash) {
    return Corruption("index file: checksum mismatch");
  }
  const uint8_t* p = bytes.data() + 8;
  if (Get<uint32_t>(p) != kIndexVersion) return Corruption("index file: unknown version");
  const uint32_t segment_count = Get<uint32_t>(p);
  const uint64_t block_count = Get<uint64_t>(p);
  const uint64_t body = bytes.size() - kFixed - 8;
  if (segment_count > body / kSegmentBytes ||
      block_count > (body - segment_count * kSegmentBytes) / kEntryBytes ||
      body != segment_count * kSegmentBytes + block_count * kEntryBytes) {
    return Corruption("index file: counts do not match its length");
  }
  LoadedIndex idx;
  for (uint32_t i = 0; i < segment_count; ++i) {
    SegmentInfo s;
    s.file = SegmentFileName(i);
    s.file_bytes = Get<uint64_t>(p);
    s.blocks_start = Get<uint64_t>(p);
    s.header_ok = true;
    idx.segments.push_back(s);
  }
  idx.blocks.reserve(block_count);
  for (uint64_t i = 0; i < block_count; ++i) {
    IndexEntry e;
    e.segment = Get<uint32_t>(p);
    e.record_count = Get<uint32_t>(p);
    e.offset = Get<uint64_t>(p);
    e.first_seq = Get<uint64_t>(p);
    e.first_ts = Get<int64_t>(p);
    e.last_ts = Get<int64_t>(p);
    e.chain = Get<uint64_t>(p);
    e.total_bytes = Get<uint32_t>(p);
    (void)Get<uint32_t>(p);
    if (e.segment >= segment_count) return Corruption("index file: entry names a missing segment");
    idx.blocks.push_back(e);
  }
  return idx;
}

}  // namespace td::journal
