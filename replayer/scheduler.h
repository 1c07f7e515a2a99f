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

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <queue>
#include <utility>
#include <vector>

#include "core/check.h"
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
  void Schedule(Timestamp at, T item) {
    TD_CHECK_MSG(at >= clock_.now(), "scheduled in the past");
    TD_CHECK_MSG(heap_.size() < kMaxScheduledItems, "scheduler queue full");
    uint32_t slot;
    if (free_.empty()) {
      slot = static_cast<uint32_t>(items_.size());
      items_.push_back(std::move(item));
    } else {
      slot = free_.back();
      free_.pop_back();
      items_[slot] = std::move(item);
    }
    heap_.push(Key{at, next_seq_++, slot});
  }

  // The earliest item due at or before `end`, with the clock moved to its time; nullptr (and
  // the clock untouched) when there is none. The item is handed out in place rather than
  // moved out (a Payload's move and destruction cost more than most handlers): it stays
  // valid, and may be moved from, until the next PopUntil, even while Schedule() is called.
  T* PopUntil(Timestamp end) {
    if (popped_ != kNoSlot) free_.push_back(popped_);
    popped_ = kNoSlot;
    if (heap_.empty() || heap_.top().at > end) return nullptr;
    const Key k = heap_.top();
    heap_.pop();
    clock_.AdvanceTo(k.at);
    popped_ = k.slot;
    return &items_[k.slot];
  }

  std::optional<Timestamp> next_time() const {
    if (heap_.empty()) return std::nullopt;
    return heap_.top().at;
  }
  Timestamp now() const { return clock_.now(); }
  void AdvanceTo(Timestamp t) { clock_.AdvanceTo(t); }
  size_t size() const { return heap_.size(); }
  bool empty() const { return heap_.empty(); }

 private:
  // The heap orders small keys; the items stay put in items_ (recycled through free_), so a
  // sift moves 24 bytes instead of a whole item. (at, seq) is unique, so the pop order is the
  // same total order whatever the heap's layout.
  struct Key {
    Timestamp at;
    uint64_t seq;
    uint32_t slot;
  };
  struct Later {
    bool operator()(const Key& a, const Key& b) const {
      return a.at != b.at ? a.at > b.at : a.seq > b.seq;
    }
  };
  static constexpr uint32_t kNoSlot = UINT32_MAX;
  VirtualClock clock_;
  uint64_t next_seq_ = 0;
  std::priority_queue<Key, std::vector<Key>, Later> heap_;
  // By slot; a deque, so that the item PopUntil handed out stays put when Schedule() grows it.
  // A free slot holds a handled (possibly moved-from) item.
  std::deque<T> items_;
  std::vector<uint32_t> free_;   // slots to reuse
  uint32_t popped_ = kNoSlot;    // the slot PopUntil handed out: free from the next PopUntil
};

}  // namespace td::replayer
