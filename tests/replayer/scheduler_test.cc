// The virtual clock and scheduler: time order, insertion order among equal times, a clock that
// moves only when an item is popped.
#include "replayer/scheduler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace td::replayer {
namespace {

TEST(Scheduler, PopsByTimeThenInsertionOrder) {
  Scheduler<std::string> s(Timestamp{100});
  s.Schedule(Timestamp{300}, "c");
  s.Schedule(Timestamp{200}, "a");
  s.Schedule(Timestamp{300}, "d");
  s.Schedule(Timestamp{200}, "b");
  std::vector<std::string> order;
  while (std::string* e = s.PopUntil(Timestamp::Max())) order.push_back(*e);
  EXPECT_EQ(order, (std::vector<std::string>{"a", "b", "c", "d"}));
}

TEST(Scheduler, ClockMovesOnlyWhenTold) {
  Scheduler<int> s(Timestamp{10});
  s.Schedule(Timestamp{50}, 1);
  EXPECT_EQ(s.now(), Timestamp{10});
  EXPECT_EQ(s.PopUntil(Timestamp{49}), nullptr);
  EXPECT_EQ(s.now(), Timestamp{10});  // nothing popped: the clock did not move
  int* e = s.PopUntil(Timestamp{50});
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(*e, 1);
  EXPECT_EQ(s.now(), Timestamp{50});
  EXPECT_TRUE(s.empty());
}

// A handler schedules while it still reads the item it was handed: the item must not move
// (the deque does not relocate it) nor be overwritten (its slot is reused only after the next
// PopUntil).
TEST(Scheduler, PoppedItemSurvivesSchedulingUntilNextPop) {
  Scheduler<std::string> s(Timestamp{0});
  s.Schedule(Timestamp{1}, "first");
  std::string* e = s.PopUntil(Timestamp::Max());
  ASSERT_NE(e, nullptr);
  for (int i = 0; i < 1000; ++i) s.Schedule(Timestamp{2}, "later " + std::to_string(i));
  EXPECT_EQ(*e, "first");
  std::vector<std::string> order;
  while (std::string* next = s.PopUntil(Timestamp::Max())) order.push_back(*next);
  ASSERT_EQ(order.size(), 1000u);
  EXPECT_EQ(order.front(), "later 0");
  EXPECT_EQ(order.back(), "later 999");
}

// Times in and out of order, many equal, scheduled between pops: each pop is the least
// (time, insertion order) not yet popped.
TEST(Scheduler, MixedOrderPopsLikeAStableSort) {
  Scheduler<int> s(Timestamp{0});
  std::vector<std::pair<int64_t, int>> expected;  // (time, insertion index), sorted on pop
  std::vector<std::pair<int64_t, int>> popped;
  uint64_t x = 12345;
  int next = 0;
  for (int round = 0; round < 200; ++round) {
    for (int i = 0; i < 5; ++i) {
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      const int64_t at = s.now().ns + static_cast<int64_t>((x >> 33) % 8);
      s.Schedule(Timestamp{at}, next);
      expected.emplace_back(at, next++);
    }
    for (int i = 0; i < 3; ++i) {
      int* item = s.PopUntil(Timestamp::Max());
      ASSERT_NE(item, nullptr);
      popped.emplace_back(s.now().ns, *item);
    }
  }
  while (int* item = s.PopUntil(Timestamp::Max())) popped.emplace_back(s.now().ns, *item);
  // Each pop is the least (time, index) scheduled so far and not yet popped.
  ASSERT_EQ(popped.size(), expected.size());
  std::vector<std::pair<int64_t, int>> pending;
  size_t scheduled = 0;
  for (size_t p = 0; p < popped.size(); ++p) {
    // Items scheduled before this pop: 5 per round, popped 3 per round.
    const size_t round = p / 3;
    const size_t before = p < 600 ? std::min(expected.size(), 5 * (round + 1)) : expected.size();
    while (scheduled < before) pending.push_back(expected[scheduled++]);
    auto least = std::min_element(pending.begin(), pending.end());
    EXPECT_EQ(popped[p], *least) << "pop " << p;
    pending.erase(least);
  }
}

// Keys pack the time with its sign bit flipped: times before the epoch, at it and far after
// it still pop in time order, and equal times in insertion order. Add hands out the slot to
// fill in place.
TEST(Scheduler, OrdersTimesAcrossTheEpochAndFillsItemsInPlace) {
  Scheduler<int> s(Timestamp{-1'000});
  s.Add(Timestamp::Max()) = 5;
  s.Add(Timestamp{0}) = 3;
  s.Add(Timestamp{-999}) = 1;
  s.Add(Timestamp{1}) = 4;
  s.Add(Timestamp{-999}) = 2;
  EXPECT_EQ(s.next_time(), Timestamp{-999});
  std::vector<std::pair<int64_t, int>> order;
  while (int* e = s.PopUntil(Timestamp::Max())) order.emplace_back(s.now().ns, *e);
  EXPECT_EQ(order, (std::vector<std::pair<int64_t, int>>{
                       {-999, 1}, {-999, 2}, {0, 3}, {1, 4}, {Timestamp::Max().ns, 5}}));
  EXPECT_EQ(s.next_time(), Timestamp::Max());  // empty
}

TEST(SchedulerDeathTest, SchedulingInThePastAborts) {
  Scheduler<int> s(Timestamp{10});
  EXPECT_DEATH(s.Schedule(Timestamp{9}, 1), "scheduled in the past");
}

}  // namespace
}  // namespace td::replayer
