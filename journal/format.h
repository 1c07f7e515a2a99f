// The journal's on-disk framing (docs/journal-format.md): segment headers and block headers,
// little-endian, fixed size, with their checksums and the hash chain. Pure functions on bytes;
// no I/O. Both the writer and the reader (and the fuzz target) go through here, so a header is
// checked on write and checked again on read.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"

namespace td::journal {

// The version this build writes, and the oldest it reads. Version 2 changed only the block
// payload (the columns layout, schema/codec.h); its blocks carry version 2.
inline constexpr uint32_t kFormatVersion = 2;
inline constexpr uint32_t kOldestFormatVersion = 1;

// ---- segment files: <dir>/seg-NNNNNN.tdj

inline constexpr char kSegmentMagic[8] = {'T', 'D', 'J', 'O', 'U', 'R', 'N', 'L'};
inline constexpr size_t kSegmentHeaderBytes = 48;     // fixed part, before the header message
inline constexpr uint32_t kMaxHeaderMessageBytes = 16u << 20;

struct SegmentHeader {
  uint32_t format_version = kFormatVersion;
  uint32_t segment_index = 0;
  uint64_t first_seq = 0;   // sequence number of the segment's first record
  uint64_t prev_chain = 0;  // chain hash of the previous segment's last block (0 for the first)
  std::vector<uint8_t> header_message;  // the JournalHeader, Cap'n Proto encoded
};

// The fixed part followed by the header message, padded to 8 bytes.
std::vector<uint8_t> EncodeSegmentHeader(const SegmentHeader& h);

// Parses the segment header at the start of `bytes`. On success *consumed is the offset of the
// first block. Errors name what is wrong; an incomplete header is reported as such (torn).
struct SegmentHeaderParse {
  SegmentHeader header;
  size_t consumed = 0;
};
Result<SegmentHeaderParse> ParseSegmentHeader(std::span<const uint8_t> bytes);

// ---- blocks

inline constexpr uint32_t kBlockMagic = 0x4b424454;  // "TDBK" little-endian
// A block's version names its payload layout: 1 the records layout, 2 the columns layout
// (schema::BlockLayout). A writer writes kBlockVersion; a reader reads both.
inline constexpr uint16_t kBlockVersion = 2;
inline constexpr size_t kBlockHeaderBytes = 64;
inline constexpr uint32_t kMaxBlockRawBytes = 16u << 20;      // one record may be up to ~16 MiB
inline constexpr uint32_t kMaxBlockStoredBytes = kMaxBlockRawBytes + (kMaxBlockRawBytes / 255) + 16;
inline constexpr uint32_t kMaxBlockRecords = kMaxBlockRawBytes / 8;

enum class BlockCodec : uint16_t { kNone = 0, kLz4 = 1 };

struct BlockHeader {
  uint16_t version = kBlockVersion;
  BlockCodec codec = BlockCodec::kLz4;
  uint32_t stored_bytes = 0;  // payload bytes following the header
  uint32_t raw_bytes = 0;     // payload bytes after decompression
  uint32_t record_count = 0;
  uint64_t first_seq = 0;
  int64_t first_ts = 0;
  int64_t last_ts = 0;
  uint64_t checksum = 0;  // XXH3-64 of header bytes [0, 48) and the stored payload
  uint64_t chain = 0;     // ChainHash(previous block's chain, checksum)
};

// XXH3-64 of the first 48 header bytes followed by the stored payload.
uint64_t BlockChecksum(std::span<const uint8_t> header48, std::span<const uint8_t> stored);
// The hash chain: XXH3-64 of (prev_chain, checksum) as 16 little-endian bytes.
uint64_t ChainHash(uint64_t prev_chain, uint64_t checksum);

void EncodeBlockHeader(const BlockHeader& h, uint8_t out[kBlockHeaderBytes]);

// Decodes and sanity-checks a block header (magic, version, codec, length bounds, counts);
// the checksum is verified separately, against the payload. The message says which field is
// wrong.
Result<BlockHeader> ParseBlockHeader(std::span<const uint8_t> bytes);

std::string SegmentFileName(uint32_t segment_index);  // "seg-000000.tdj"

}  // namespace td::journal
