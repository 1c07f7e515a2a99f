// The journal codec: converts between the in-memory records of core/event.h and their
// Cap'n Proto encoding defined in schema/tapedeck.capnp. Pure: no I/O, no clocks, no threads.
// Cap'n Proto exceptions never escape; malformed input becomes a Corruption status.
//
// A block payload is one Cap'n Proto message (standard flat-array framing: segment table, then
// segments) in one of two layouts (BlockLayout): a RecordBlock holding a list of Records (each
// with its sequence number), or a RecordColumns holding the records by column.
//
//   BlockEncoder enc(BlockLayout::kColumns);
//   enc.Begin(CountKinds(events));
//   for (const Event& e : events) enc.Add(e);
//   std::span<const uint8_t> bytes = enc.Finish();
//   std::vector<Event> back;
//   Status s = DecodeBlock(bytes, BlockLayout::kColumns, events.front().seq, &back);
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/event.h"
#include "core/status.h"

namespace td::schema {

// The 64-bit file id of schema/tapedeck.capnp; a journal header records it.
uint64_t SchemaId();

// The layouts of a block payload. The value is the journal block version that uses it
// (docs/journal-format.md).
enum class BlockLayout : uint16_t {
  // RecordBlock: a list of Records, each with its seq and ts and a pointer to its contents.
  // Journal format 1, and the market-data frames of sim-exchange/server.
  kRecords = 1,
  // RecordColumns: a ts column, a kind column and one list per kind; record i's seq is the
  // block's first seq + i. Journal format 2: a third smaller, and faster to compress.
  kColumns = 2,
};

// How many records of each kind (by Payload index) a block holds.
using KindCounts = std::array<uint32_t, kPayloadKindCount>;
KindCounts CountKinds(std::span<const Event> events);

// Builds one block payload. Reusable: Begin() starts a new block. Not thread-safe.
class BlockEncoder {
 public:
  explicit BlockEncoder(BlockLayout layout = BlockLayout::kRecords);
  ~BlockEncoder();
  BlockEncoder(const BlockEncoder&) = delete;
  BlockEncoder& operator=(const BlockEncoder&) = delete;

  // REQUIRES: the records layout; count > 0. Then exactly `count` Add() calls before Finish().
  void Begin(size_t count);
  // REQUIRES: a total count > 0. Then exactly that many Add() calls of each kind, in any order,
  // before Finish().
  void Begin(const KindCounts& counts);
  void Add(const Event& event);
  // The encoded bytes (8-byte aligned), valid until the next Begin().
  std::span<const uint8_t> Finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Decodes a block payload, replacing *out's contents (its storage is reused). In the columns
// layout record i gets the sequence number first_seq + i; the records layout carries its own.
// Corruption status (naming the record index) on malformed bytes or unknown kinds.
// `bytes` need not be aligned (it is copied when it is not).
Status DecodeBlock(std::span<const uint8_t> bytes, BlockLayout layout, uint64_t first_seq,
                   std::vector<Event>* out);
// The records layout.
Status DecodeBlock(std::span<const uint8_t> bytes, std::vector<Event>* out);

// The journal header, as a standalone Cap'n Proto message (flat-array framing).
std::vector<uint8_t> EncodeHeader(const JournalHeader& header);
Result<JournalHeader> DecodeHeader(std::span<const uint8_t> bytes);

}  // namespace td::schema
