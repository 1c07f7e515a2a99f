#include "journal/block.h"

#include <lz4.h>

#include <cstring>
#include <string>

#include "schema/codec.h"

namespace td::journal {

static_assert(static_cast<uint16_t>(schema::BlockLayout::kRecords) == 1 &&
              static_cast<uint16_t>(schema::BlockLayout::kColumns) == kBlockVersion);

size_t SealedBytesMax(size_t raw_bytes) {
  TD_CHECK(raw_bytes <= kMaxBlockRawBytes);
  return kBlockHeaderBytes + static_cast<size_t>(LZ4_compressBound(static_cast<int>(raw_bytes)));
}

BlockHeader SealBlock(const SealInput& in, std::span<uint8_t> out) {
  TD_CHECK(!in.raw_payload.empty() && in.raw_payload.size() <= kMaxBlockRawBytes);
  TD_CHECK(in.record_count > 0 && in.record_count <= kMaxBlockRecords);
  TD_CHECK(in.first_seq > 0 && in.last_ts >= in.first_ts);
  TD_CHECK(in.version >= 1 && in.version <= kBlockVersion);
  TD_CHECK(out.size() >= SealedBytesMax(in.raw_payload.size()));
  const int raw = static_cast<int>(in.raw_payload.size());
  const int bound = LZ4_compressBound(raw);
  uint8_t* payload = out.data() + kBlockHeaderBytes;

  BlockHeader h;
  h.version = in.version;
  h.raw_bytes = static_cast<uint32_t>(raw);
  h.record_count = in.record_count;
  h.first_seq = in.first_seq;
  h.first_ts = in.first_ts;
  h.last_ts = in.last_ts;
  int stored = 0;
  if (in.compress) {
    stored = LZ4_compress_default(reinterpret_cast<const char*>(in.raw_payload.data()),
                                  reinterpret_cast<char*>(payload), raw, bound);
  }
  if (stored > 0 && stored < raw) {
    h.codec = BlockCodec::kLz4;
  } else {
    h.codec = BlockCodec::kNone;
    stored = raw;
    std::memcpy(payload, in.raw_payload.data(), in.raw_payload.size());
  }
  h.stored_bytes = static_cast<uint32_t>(stored);

  uint8_t* header = out.data();
  EncodeBlockHeader(h, header);  // checksum and chain still 0: they cover bytes [0, 48)
  h.checksum = BlockChecksum({header, 48}, {payload, static_cast<size_t>(stored)});
  h.chain = ChainHash(in.prev_chain, h.checksum);
  EncodeBlockHeader(h, header);
  return h;
}

BlockCheck CheckBlock(std::span<const uint8_t> bytes) {
  BlockCheck c;
  if (bytes.size() < kBlockHeaderBytes) {
    c.fault = BlockFault::kTruncated;
    c.reason = "block header truncated: " + std::to_string(bytes.size()) + " of 64 bytes present";
    return c;
  }
  Result<BlockHeader> h = ParseBlockHeader(bytes);
  if (!h.ok()) {
    c.fault = BlockFault::kBadHeader;
    c.reason = h.status().message();
    return c;
  }
  const size_t total = kBlockHeaderBytes + h->stored_bytes;
  if (bytes.size() < total) {
    c.fault = BlockFault::kTruncated;
    c.reason = "block truncated: " + std::to_string(bytes.size()) + " of " +
               std::to_string(total) + " bytes present";
    return c;
  }
  std::span<const uint8_t> stored = bytes.subspan(kBlockHeaderBytes, h->stored_bytes);
  if (BlockChecksum(bytes.first(48), stored) != h->checksum) {
    c.fault = BlockFault::kChecksum;
    c.reason = "block checksum mismatch";
    return c;
  }
  c.view = BlockView{*h, stored, total};
  return c;
}

Status OpenBlock(const BlockView& block, std::vector<uint64_t>* scratch,
                 std::vector<Event>* events) {
  const BlockHeader& h = block.header;
  std::span<const uint8_t> raw = block.stored;
  if (h.codec == BlockCodec::kLz4) {
    scratch->resize((h.raw_bytes + 7) / 8);
    const int n = LZ4_decompress_safe(reinterpret_cast<const char*>(block.stored.data()),
                                      reinterpret_cast<char*>(scratch->data()),
                                      static_cast<int>(h.stored_bytes),
                                      static_cast<int>(h.raw_bytes));
    if (n != static_cast<int>(h.raw_bytes)) {
      return Corruption("block payload does not decompress to its stated length");
    }
    raw = {reinterpret_cast<const uint8_t*>(scratch->data()), h.raw_bytes};
  }
  // The block's version names its payload's layout (format.h).
  TD_RETURN_IF_ERROR(
      schema::DecodeBlock(raw, static_cast<schema::BlockLayout>(h.version), h.first_seq, events));
  if (events->size() != h.record_count) {
    return Corruption("block holds " + std::to_string(events->size()) + " records, header says " +
                      std::to_string(h.record_count));
  }
  int64_t prev_ts = h.first_ts;
  for (size_t i = 0; i < events->size(); ++i) {
    const Event& e = (*events)[i];
    if (e.seq != h.first_seq + i) {
      return Corruption("record " + std::to_string(i) + " has sequence " + std::to_string(e.seq) +
                        ", expected " + std::to_string(h.first_seq + i));
    }
    if (e.ts.ns < prev_ts || e.ts.ns > h.last_ts) {
      return Corruption("record seq " + std::to_string(e.seq) + " has timestamp " +
                        std::to_string(e.ts.ns) + " outside the block's range or out of order");
    }
    prev_ts = e.ts.ns;
  }
  if (events->front().ts.ns != h.first_ts || events->back().ts.ns != h.last_ts) {
    return Corruption("block timestamps disagree with its records");
  }
  return Status::Ok();
}

size_t FindNextValidBlock(std::span<const uint8_t> bytes, size_t from) {
  uint8_t magic[4];
  std::memcpy(magic, &kBlockMagic, 4);
  for (size_t pos = from + 1; pos + kBlockHeaderBytes <= bytes.size(); ++pos) {
    const void* hit = std::memchr(bytes.data() + pos, magic[0], bytes.size() - pos);
    if (hit == nullptr) break;
    pos = static_cast<size_t>(static_cast<const uint8_t*>(hit) - bytes.data());
    if (pos + kBlockHeaderBytes > bytes.size()) break;
    if (std::memcmp(bytes.data() + pos, magic, 4) != 0) continue;
    if (CheckBlock(bytes.subspan(pos)).fault == BlockFault::kNone) return pos;
  }
  return bytes.size();
}

}  // namespace td::journal
