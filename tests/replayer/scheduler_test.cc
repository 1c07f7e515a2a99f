// The virtual clock and scheduler: time order, insertion order among equal times, a clock that
// moves only when an item is popped.
#include "replayer/scheduler.h"

#include <gtest/gtest.h>

#include <string>
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

TEST(SchedulerDeathTest, SchedulingInThePastAborts) {
  Scheduler<int> s(Timestamp{10});
  EXPECT_DEATH(s.Schedule(Timestamp{9}, 1), "scheduled in the past");
}

}  // namespace
}  // namespace td::replayer
