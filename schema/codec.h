// The journal codec: converts between the in-memory records of core/event.h and their
// Cap'n Proto encoding defined in schema/tapedeck.capnp. Pure: no I/O, no clocks, no threads.
// Cap'n Proto exceptions never escape; malformed input becomes a Corruption status.
//
// A journal block's payload is one Cap'n Proto message (standard flat-array framing: segment
// table, then segments) whose root is a RecordBlock holding a list of Records.
//
//   BlockEncoder enc;
//   enc.Begin(events.size());
//   for (const Event& e : events) enc.Add(e);
//   std::span<const uint8_t> bytes = enc.Finish();
//   std::vector<Event> back;
//   Status s = DecodeBlock(bytes, &back);
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/event.h"
#include "core/status.h"

namespace td::schema {

// The 64-bit file id of schema/tapedeck.capnp; a journal header records it.
uint64_t SchemaId();

// Builds one block payload. Reusable: Begin() starts a new block. Not thread-safe.
class BlockEncoder {
 public:
  BlockEncoder();
  ~BlockEncoder();
  BlockEncoder(const BlockEncoder&) = delete;
  BlockEncoder& operator=(const BlockEncoder&) = delete;

  // REQUIRES: count > 0; then exactly `count` Add() calls before Finish().
  void Begin(size_t count);
  void Add(const Event& event);
  // The encoded bytes (8-byte aligned), valid until the next Begin().
  std::span<const uint8_t> Finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Decodes a block payload, replacing *out's contents (its storage is reused).
// Corruption status (naming the record index) on malformed bytes or unknown kinds.
// `bytes` need not be aligned (it is copied when it is not).
Status DecodeBlock(std::span<const uint8_t> bytes, std::vector<Event>* out);

// The journal header, as a standalone Cap'n Proto message (flat-array framing).
std::vector<uint8_t> EncodeHeader(const JournalHeader& header);
Result<JournalHeader> DecodeHeader(std::span<const uint8_t> bytes);

}  // namespace td::schema
