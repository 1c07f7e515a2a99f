// IdIndex: a map from a 64-bit id (an order id, a ClOrdId) to a 32-bit index into the
// owner's own storage, for the lookups of the hot paths (books, the venue, the order manager).
// Open addressing with linear probing, Robin Hood insertion (an entry further from its home
// slot takes the place of one nearer to its own) and backward-shift deletion (no tombstones);
// the only allocation is growth, when half full. Robin Hood keeps each run of entries in the
// order of their home slots, so an erase shifts back only the entries displaced past the hole
// and stops at the first that sits at home: with sequential keys a run can be the whole window
// of live ids, and an erase that walked to the run's end cost that much each time. It is never
// iterated, so its layout (which depends on the history of inserts and erases) cannot reach an
// output. Single-threaded value.
//
// Where a key lands depends on what the keys are like (IdKeys):
// - kSpread (the default): any ids, e.g. a venue's order ids. Fibonacci hashing spreads them
//   over the table.
// - kSequential: ids handed out by counting, e.g. the ClOrdIds an engine assigns. A key lands
//   at key mod capacity, so consecutive ids share cache lines and the newest ones (the ones
//   looked up) stay in cache together; with Fibonacci hashing every new id was a cache miss.
//   Still correct for any keys, but keys that step by the table's capacity would all collide.
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
#include <utility>
#include <vector>

#include "core/check.h"

namespace td {

// What Find returns for an absent key; never a stored value.
inline constexpr uint32_t kIdIndexNone = std::numeric_limits<uint32_t>::max();

enum class IdKeys : uint8_t { kSpread, kSequential };

class IdIndex {
 public:
  explicit IdIndex(size_t expected, IdKeys keys = IdKeys::kSpread) : keys_(keys) {
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
    Slot in{key, value};
    size_t i = Home(key);
    for (size_t distance = 0; slots_[i].value != kIdIndexNone; i = (i + 1) & mask_, ++distance) {
      const size_t theirs = Distance(i);
      if (theirs < distance) {  // nearer its home than `in` is: `in` takes its place
        std::swap(in, slots_[i]);
        distance = theirs;
      }
    }
    slots_[i] = in;
    ++size_;
  }

  // REQUIRES: key present.
  void Erase(uint64_t key) {
    size_t i = Home(key);
    for (;; i = (i + 1) & mask_) {
      TD_CHECK_MSG(slots_[i].value != kIdIndexNone, "IdIndex::Erase of an absent id");
      if (slots_[i].key == key) break;
    }
    // Pull back the following entries that are displaced from their home, up to the first
    // that is at home (or an empty slot): the run is in home order, so none after it may move.
    for (size_t j = (i + 1) & mask_; slots_[j].value != kIdIndexNone && Distance(j) != 0;
         j = (j + 1) & mask_) {
      slots_[i] = slots_[j];
      i = j;
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
    if (keys_ == IdKeys::kSequential) return static_cast<size_t>(key) & mask_;
    return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_);
  }

  // How far the entry in slot i is from its home slot.
  size_t Distance(size_t i) const { return (i - Home(slots_[i].key)) & mask_; }

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
  IdKeys keys_;
  size_t mask_ = 0;
  int shift_ = 64;
  size_t size_ = 0;
};

}  // namespace td
