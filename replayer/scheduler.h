// VirtualClock and Scheduler: the simulated time of a run and the queue of what happens next.
// Items are ordered by (time, insertion sequence), so two items due at the same time come out
// in the order they were scheduled: the order never depends on a pointer, a hash or a thread.
// The clock moves only when the run pops an item (KJ's timer that moves only when told).
// Single-threaded; the queue is bounded (kMaxScheduledItems), a full queue is a programmer
// error caught by TD_CHECK.
//
//   Scheduler<Item> s(t0);
//   s.Schedule(t0 + Duration::Micros(5), item);
//   while (Item* next = s.PopUntil(end)) Handle(s.now(), *next);  // may Schedule more
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "core/check.h"
#include "core/stable_slots.h"
#include "core/time.h"

namespace td::replayer {

inline constexpr size_t kMaxScheduledItems = size_t{1} << 22;

// The simulated time; it never goes backwards.
class VirtualClock {
 public:
  explicit VirtualClock(Timestamp start) : now_(start) {}
  Timestamp now() const { return now_; }
  void AdvanceTo(Timestamp t) {
    TD_CHECK_MSG(t >= now_, "the virtual clock never goes backwards");
    now_ = t;
  }

 private:
  Timestamp now_;
};

template <typename T>
class Scheduler {
 public:
  explicit Scheduler(Timestamp start) : clock_(start) {}

  // REQUIRES: at >= now() (nothing is scheduled in the past), fewer than kMaxScheduledItems.
  void Schedule(Timestamp at, T item) { Add(at) = std::move(item); }

  // Schedules the item due at `at` and returns it to be filled in place (no temporary T):
  // it holds whatever an item handled earlier left in its slot, so the caller sets every
  // field. The reference stays valid until the next PopUntil hands the item out.
  // REQUIRES: as Schedule.
  T& Add(Timestamp at) {
    TD_CHECK_MSG(at >= clock_.now(), "scheduled in the past");
    TD_CHECK_MSG(heap_.size() < kMaxScheduledItems, "scheduler queue full");
    TD_CHECK_MSG(next_seq_ < kMaxSeq, "scheduler sequence exhausted");
    uint32_t slot;
    if (free_.empty()) {
      slot = items_.Add();
    } else {
      slot = free_.back();
      free_.pop_back();
    }
    heap_.push_back(MakeKey(at, next_seq_++, slot));
    std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
    return items_[slot];
  }

  // The earliest item due at or before `end`, with the clock moved to its time; nullptr (and
  // the clock untouched) when there is none. The item is handed out in place rather than
  // moved out (a Payload's move and destruction cost more than most handlers): it stays
  // valid, and may be moved from, until the next PopUntil, even while Schedule() is called.
  T* PopUntil(Timestamp end) {
    if (popped_ != kNoSlot) free_.push_back(popped_);
    popped_ = kNoSlot;
    if (heap_.empty()) return nullptr;
    const Key k = heap_.front();
    const Timestamp at = KeyTime(k);
    if (at > end) return nullptr;
    std::pop_heap(heap_.begin(), heap_.end(), std::greater<>());
    heap_.pop_back();
    clock_.AdvanceTo(at);
    popped_ = static_cast<uint32_t>(k & kSlotMask);
    return &items_[popped_];
  }

  // The time of the earliest item; Timestamp::Max() when there is none.
  Timestamp next_time() const { return heap_.empty() ? Timestamp::Max() : KeyTime(heap_.front()); }
  Timestamp now() const { return clock_.now(); }
  void AdvanceTo(Timestamp t) { clock_.AdvanceTo(t); }
  size_t size() const { return heap_.size(); }
  bool empty() const { return heap_.empty(); }

 private:
  // The heap orders 16-byte keys, (time, insertion sequence, slot) packed into one unsigned
  // 128-bit integer: the time (its sign bit flipped, so that unsigned order is time order)
  // in the high half, then the sequence (42 bits) and the slot (22 bits). One integer
  // compare orders two keys, and a sift moves a key in registers rather than a struct through
  // memory. The items stay put in items_ (slots recycled through free_). (time, seq) is
  // unique, so the pop order is the same total order whatever the heap's layout.
  __extension__ using Key = unsigned __int128;
  static constexpr int kSlotBits = 22;
  static_assert((size_t{1} << kSlotBits) == kMaxScheduledItems);
  static constexpr uint64_t kSlotMask = (uint64_t{1} << kSlotBits) - 1;
  static constexpr uint64_t kMaxSeq = uint64_t{1} << (64 - kSlotBits);
  static constexpr uint64_t kSignBit = uint64_t{1} << 63;
  static Key MakeKey(Timestamp at, uint64_t seq, uint32_t slot) {
    return (Key{static_cast<uint64_t>(at.ns) ^ kSignBit} << 64) | (seq << kSlotBits) | slot;
  }
  static Timestamp KeyTime(Key k) {
    return Timestamp{static_cast<int64_t>(static_cast<uint64_t>(k >> 64) ^ kSignBit)};
  }
  static constexpr uint32_t kNoSlot = UINT32_MAX;
  VirtualClock clock_;
  uint64_t next_seq_ = 0;
  std::vector<Key> heap_;  // a min-heap (std::greater)
  // The items by slot. They never move, so the item PopUntil handed out stays put when
  // Schedule() adds slots. A free slot holds a handled (possibly moved-from) item.
  StableSlots<T> items_;
  std::vector<uint32_t> free_;  // slots to reuse
  uint32_t popped_ = kNoSlot;   // the slot PopUntil handed out: free from the next PopUntil
};

}  // namespace td::replayer
