// IdIndex: a map from a 64-bit id (an order id, a ClOrdId) to a 32-bit index into the
// owner's own storage, for the lookups of the hot paths (books, the venue, the order manager).
// Open addressing with linear probing and backward-shift deletion (no tombstones), keys spread
// by Fibonacci hashing; the only allocation is growth, when half full. It is never iterated,
// so its layout (which depends on the history of inserts and erases) cannot reach an output.
// Single-threaded value.
//
//   IdIndex index(1024);
//   index.Insert(order_id, slot);
//   if (uint32_t i = index.Find(order_id); i != kIdIndexNone) Use(pool[i]);
//   index.Erase(order_id);
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "core/check.h"

namespace td {

// What Find returns for an absent key; never a stored value.
inline constexpr uint32_t kIdIndexNone = std::numeric_limits<uint32_t>::max();

class IdIndex {
 public:
  explicit IdIndex(size_t expected) {
    size_t cap = 16;
    while (cap < expected * 2) cap *= 2;
    Reset(cap);
  }

  uint32_t Find(uint64_t key) const {
    for (size_t i = Home(key);; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.value == kIdIndexNone) return kIdIndexNone;
      if (s.key == key) return s.value;
    }
  }

  // REQUIRES: key absent, value != kIdIndexNone.
  void Insert(uint64_t key, uint32_t value) {
    TD_CHECK_MSG(value != kIdIndexNone, "IdIndex::Insert of the reserved value");
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    size_t i = Home(key);
    while (slots_[i].value != kIdIndexNone) i = (i + 1) & mask_;
    slots_[i] = Slot{key, value};
    ++size_;
  }

  // REQUIRES: key present.
  void Erase(uint64_t key) {
    size_t i = Home(key);
    for (;; i = (i + 1) & mask_) {
      TD_CHECK_MSG(slots_[i].value != kIdIndexNone, "IdIndex::Erase of an absent id");
      if (slots_[i].key == key) break;
    }
    // Pull back every following entry of the probe run that may live at the hole.
    for (size_t j = (i + 1) & mask_; slots_[j].value != kIdIndexNone; j = (j + 1) & mask_) {
      const size_t home = Home(slots_[j].key);
      if (((j - home) & mask_) >= ((j - i) & mask_)) {
        slots_[i] = slots_[j];
        i = j;
      }
    }
    slots_[i].value = kIdIndexNone;
    --size_;
  }

  size_t size() const { return size_; }

 private:
  struct Slot {
    uint64_t key = 0;
    uint32_t value = kIdIndexNone;  // kIdIndexNone: empty
  };

  size_t Home(uint64_t key) const {
    return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_);
  }

  void Reset(size_t cap) {
    slots_.assign(cap, Slot{});
    mask_ = cap - 1;
    shift_ = 64 - std::countr_zero(cap);
    size_ = 0;
  }

  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    Reset(old.size() * 2);
    for (const Slot& s : old) {
      if (s.value != kIdIndexNone) Insert(s.key, s.value);
    }
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  int shift_ = 64;
  size_t size_ = 0;
};

}  // namespace td
