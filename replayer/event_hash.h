// EventHash: XXH3-64 over the canonical bytes of a run's engine outputs, the figure that a
// gcc build and a clang build must agree on (DESIGN.md, "Modes of the replayer").
//
// Canonical bytes of one output (docs/replayer.md): the output's time (int64 ns), its kind
// (the Payload index), then every field of the payload in declaration order, each integer,
// enum, bool and fixed-point value widened to a little-endian int64/uint64 (8 bytes), each
// string as its length (uint64) and its bytes. No struct is hashed as raw memory, so padding
// and the compiler's layout never reach the hash. Inputs are not hashed. Single-threaded value.
#pragma once

#include <cstdint>
#include <memory>

#include "core/event.h"

namespace td::replayer {

class EventHash {
 public:
  EventHash();
  ~EventHash();
  EventHash(EventHash&&) noexcept;
  EventHash& operator=(EventHash&&) noexcept;

  // REQUIRES: `output` is an engine output (RecordRole::kOutput); other kinds are folded in
  // by kind and time only.
  void Add(Timestamp ts, const Payload& output);
  uint64_t digest() const;
  uint64_t count() const { return count_; }

 private:
  struct State;
  std::unique_ptr<State> state_;
  uint64_t count_ = 0;
};

}  // namespace td::replayer
