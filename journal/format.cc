#include "journal/format.h"

// Inlined for speed: the checksum runs over every byte written and read.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <bit>

#include <cstdio>
#include <cstring>

namespace td::journal {
namespace {

void PutU16(uint8_t* p, uint16_t v) { std::memcpy(p, &v, 2); }
void PutU32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }
void PutU64(uint8_t* p, uint64_t v) { std::memcpy(p, &v, 8); }
uint16_t GetU16(const uint8_t* p) { uint16_t v; std::memcpy(&v, p, 2); return v; }
uint32_t GetU32(const uint8_t* p) { uint32_t v; std::memcpy(&v, p, 4); return v; }
uint64_t GetU64(const uint8_t* p) { uint64_t v; std::memcpy(&v, p, 8); return v; }

static_assert(std::endian::native == std::endian::little,
              "the journal format is little-endian; add byte swaps for big-endian hosts");

size_t PadTo8(size_t n) { return (n + 7) & ~size_t{7}; }

}  // namespace

std::vector<uint8_t> EncodeSegmentHeader(const SegmentHeader& h) {
  TD_CHECK(h.header_message.size() <= kMaxHeaderMessageBytes);
  std::vector<uint8_t> out(PadTo8(kSegmentHeaderBytes + h.header_message.size()), 0);
  uint8_t* p = out.data();
  std::memcpy(p, kSegmentMagic, 8);
  PutU32(p + 8, h.format_version);
  PutU32(p + 12, h.segment_index);
  PutU64(p + 16, h.first_seq);
  PutU64(p + 24, h.prev_chain);
  PutU32(p + 32, static_cast<uint32_t>(h.header_message.size()));
  PutU32(p + 36, 0);
  std::memcpy(p + kSegmentHeaderBytes, h.header_message.data(), h.header_message.size());
  XXH3_state_t state;
  XXH3_64bits_reset(&state);
  XXH3_64bits_update(&state, p, 40);
  XXH3_64bits_update(&state, h.header_message.data(), h.header_message.size());
  PutU64(p + 40, XXH3_64bits_digest(&state));
  return out;
}

Result<SegmentHeaderParse> ParseSegmentHeader(std::span<const uint8_t> bytes) {
  if (bytes.size() < kSegmentHeaderBytes) {
    return Corruption("segment header incomplete: " + std::to_string(bytes.size()) + " of " +
                      std::to_string(kSegmentHeaderBytes) + " bytes");
  }
  const uint8_t* p = bytes.data();
  if (std::memcmp(p, kSegmentMagic, 8) != 0) return Corruption("not a journal segment (bad magic)");
  SegmentHeaderParse r;
  r.header.format_version = GetU32(p + 8);
  if (r.header.format_version < kOldestFormatVersion || r.header.format_version > kFormatVersion) {
    return Corruption("unsupported journal format version " +
                      std::to_string(r.header.format_version) + " (this build reads " +
                      std::to_string(kOldestFormatVersion) + " to " +
                      std::to_string(kFormatVersion) + ")");
  }
  r.header.segment_index = GetU32(p + 12);
  r.header.first_seq = GetU64(p + 16);
  r.header.prev_chain = GetU64(p + 24);
  const uint32_t message_bytes = GetU32(p + 32);
  if (message_bytes > kMaxHeaderMessageBytes || GetU32(p + 36) != 0) {
    return Corruption("segment header has a bad length field");
  }
  const size_t total = PadTo8(kSegmentHeaderBytes + message_bytes);
  if (bytes.size() < total) {
    return Corruption("segment header incomplete: " + std::to_string(bytes.size()) + " of " +
                      std::to_string(total) + " bytes");
  }
  XXH3_state_t state;
  XXH3_64bits_reset(&state);
  XXH3_64bits_update(&state, p, 40);
  XXH3_64bits_update(&state, p + kSegmentHeaderBytes, message_bytes);
  if (XXH3_64bits_digest(&state) != GetU64(p + 40)) {
    return Corruption("segment header checksum mismatch");
  }
  // The padding is not checksummed, so it must be zero: no byte of a segment goes unchecked.
  for (size_t i = kSegmentHeaderBytes + message_bytes; i < total; ++i) {
    if (p[i] != 0) return Corruption("segment header padding is not zero");
  }
  r.header.header_message.assign(p + kSegmentHeaderBytes, p + kSegmentHeaderBytes + message_bytes);
  r.consumed = total;
  return r;
}

uint64_t BlockChecksum(std::span<const uint8_t> header48, std::span<const uint8_t> stored) {
  XXH3_state_t state;
  XXH3_64bits_reset(&state);
  XXH3_64bits_update(&state, header48.data(), header48.size());
  XXH3_64bits_update(&state, stored.data(), stored.size());
  return XXH3_64bits_digest(&state);
}

uint64_t ChainHash(uint64_t prev_chain, uint64_t checksum) {
  uint8_t buf[16];
  PutU64(buf, prev_chain);
  PutU64(buf + 8, checksum);
  return XXH3_64bits(buf, sizeof buf);
}

void EncodeBlockHeader(const BlockHeader& h, uint8_t out[kBlockHeaderBytes]) {
  PutU32(out, kBlockMagic);
  PutU16(out + 4, h.version);
  PutU16(out + 6, static_cast<uint16_t>(h.codec));
  PutU32(out + 8, h.stored_bytes);
  PutU32(out + 12, h.raw_bytes);
  PutU32(out + 16, h.record_count);
  PutU32(out + 20, 0);
  PutU64(out + 24, h.first_seq);
  PutU64(out + 32, static_cast<uint64_t>(h.first_ts));
  PutU64(out + 40, static_cast<uint64_t>(h.last_ts));
  PutU64(out + 48, h.checksum);
  PutU64(out + 56, h.chain);
}

Result<BlockHeader> ParseBlockHeader(std::span<const uint8_t> bytes) {
  if (bytes.size() < kBlockHeaderBytes) {
    return Corruption("block header incomplete: " + std::to_string(bytes.size()) + " of 64 bytes");
  }
  const uint8_t* p = bytes.data();
  if (GetU32(p) != kBlockMagic) return Corruption("bad block magic");
  BlockHeader h;
  h.version = GetU16(p + 4);
  if (h.version < 1 || h.version > kBlockVersion) {
    return Corruption("unsupported block version " + std::to_string(h.version) +
                      " (this build reads 1 to " + std::to_string(kBlockVersion) + ")");
  }
  const uint16_t codec = GetU16(p + 6);
  if (codec > static_cast<uint16_t>(BlockCodec::kLz4)) {
    return Corruption("unknown block codec " + std::to_string(codec));
  }
  h.codec = static_cast<BlockCodec>(codec);
  h.stored_bytes = GetU32(p + 8);
  h.raw_bytes = GetU32(p + 12);
  h.record_count = GetU32(p + 16);
  if (GetU32(p + 20) != 0) return Corruption("block header reserved field is not zero");
  h.first_seq = GetU64(p + 24);
  h.first_ts = static_cast<int64_t>(GetU64(p + 32));
  h.last_ts = static_cast<int64_t>(GetU64(p + 40));
  h.checksum = GetU64(p + 48);
  h.chain = GetU64(p + 56);
  if (h.raw_bytes == 0 || h.raw_bytes > kMaxBlockRawBytes) {
    return Corruption("block raw length " + std::to_string(h.raw_bytes) + " out of range");
  }
  if (h.stored_bytes == 0 || h.stored_bytes > kMaxBlockStoredBytes ||
      (h.codec == BlockCodec::kNone && h.stored_bytes != h.raw_bytes)) {
    return Corruption("block stored length " + std::to_string(h.stored_bytes) + " out of range");
  }
  if (h.record_count == 0 || h.record_count > kMaxBlockRecords) {
    return Corruption("block record count " + std::to_string(h.record_count) + " out of range");
  }
  if (h.first_seq == 0 || h.first_seq > UINT64_MAX - h.record_count) {
    return Corruption("block first sequence " + std::to_string(h.first_seq) + " out of range");
  }
  if (h.last_ts < h.first_ts) return Corruption("block last timestamp before first");
  return h;
}

std::string SegmentFileName(uint32_t segment_index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "seg-%06u.tdj", segment_index);
  return buf;
}

}  // namespace td::journal
