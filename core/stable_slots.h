// StableSlots: a growing array whose elements never move. Slots are made in chunks of
// kPerChunk (allocated as needed, never freed), so a reference or pointer to one stays valid
// while more are added, and finding slot i is a shift and a mask. Reusing freed slots is the
// owner's business (a free list of indices). Single-threaded value.
//
//   StableSlots<OrderRecord> records;
//   const uint32_t i = records.Add();  // a default OrderRecord
//   OrderRecord& r = records[i];       // stays valid across later Add()s
#pragma once

#include <bit>
#include <cstdint>
#include <memory>
#include <vector>

namespace td {

template <typename T, uint32_t kPerChunk = 256>
class StableSlots {
  static_assert(std::has_single_bit(kPerChunk), "kPerChunk must be a power of two");

 public:
  // A new slot, holding a default-constructed T; its index.
  uint32_t Add() {
    const uint32_t i = size_++;
    if (i % kPerChunk == 0) chunks_.push_back(std::make_unique<T[]>(kPerChunk));
    return i;
  }
  T& operator[](uint32_t i) { return chunks_[i / kPerChunk][i % kPerChunk]; }
  const T& operator[](uint32_t i) const { return chunks_[i / kPerChunk][i % kPerChunk]; }
  uint32_t size() const { return size_; }  // slots made so far

 private:
  std::vector<std::unique_ptr<T[]>> chunks_;
  uint32_t size_ = 0;
};

}  // namespace td
