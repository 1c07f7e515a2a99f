// Sealing and opening journal blocks: compression (LZ4 block API), checksum, hash chain, and
// the checks a reader makes before it trusts a block. Pure functions on bytes.
//
// A block on disk is a 64-byte BlockHeader followed by `stored_bytes` of payload; the payload,
// once decompressed, is one Cap'n Proto message in the layout the block's version names
// (schema/codec.h: version 1 a RecordBlock, version 2 a RecordColumns).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/event.h"
#include "core/status.h"
#include "journal/format.h"

namespace td::journal {

struct SealInput {
  std::span<const uint8_t> raw_payload;  // the encoded block payload
  uint32_t record_count = 0;
  uint64_t first_seq = 0;
  int64_t first_ts = 0;
  int64_t last_ts = 0;
  uint64_t prev_chain = 0;
  bool compress = true;  // falls back to stored-uncompressed when LZ4 does not shrink it
  uint16_t version = kBlockVersion;  // names the payload's layout (schema::BlockLayout)
};

// The most bytes SealBlock writes for a payload of `raw_bytes`: the header, and LZ4's bound.
size_t SealedBytesMax(size_t raw_bytes);

// Writes header + stored payload at the start of `out` and returns the header written: the
// block is the first kBlockHeaderBytes + stored_bytes bytes. The caller owns the buffer, so
// that a writer reuses one without zero-filling it for every block.
// REQUIRES: raw_payload.size() in (0, kMaxBlockRawBytes], record_count in (0, kMaxBlockRecords],
// out.size() >= SealedBytesMax(raw_payload.size()).
BlockHeader SealBlock(const SealInput& in, std::span<uint8_t> out);

// A block whose header parsed and whose checksum matched.
struct BlockView {
  BlockHeader header;
  std::span<const uint8_t> stored;  // the payload bytes
  size_t total_bytes = 0;           // header + payload
};

// Why a block could not be used; kTruncated means the bytes end inside it.
enum class BlockFault : uint8_t { kNone = 0, kTruncated, kBadHeader, kChecksum };

struct BlockCheck {
  BlockFault fault = BlockFault::kNone;
  std::string reason;
  BlockView view;  // valid when fault == kNone
};

// Checks the block starting at bytes[0] (bytes runs to the end of the segment).
BlockCheck CheckBlock(std::span<const uint8_t> bytes);

// Decompresses and decodes a checked block into *events, then checks that the records agree
// with the header (count, sequence numbers first_seq.., timestamps within [first_ts, last_ts]
// and non-decreasing). `scratch` is reused between calls.
Status OpenBlock(const BlockView& block, std::vector<uint64_t>* scratch, std::vector<Event>* events);

// The offset of the next position after `from` where a valid block starts (magic, sane header
// and matching checksum), or bytes.size() when there is none.
size_t FindNextValidBlock(std::span<const uint8_t> bytes, size_t from);

}  // namespace td::journal
