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
  while (auto e = s.PopUntil(Timestamp::Max())) {
    EXPECT_EQ(s.now(), e->at);
    order.push_back(e->item);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"a", "b", "c", "d"}));
}

TEST(Scheduler, ClockMovesOnlyWhenTold) {
  Scheduler<int> s(Timestamp{10});
  s.Schedule(Timestamp{50}, 1);
  EXPECT_EQ(s.now(), Timestamp{10});
  EXPECT_FALSE(s.PopUntil(Timestamp{49}).has_value());
  EXPECT_EQ(s.now(), Timestamp{10});  // nothing popped: the clock did not move
  auto e = s.PopUntil(Timestamp{50});
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(s.now(), Timestamp{50});
  EXPECT_TRUE(s.empty());
}

TEST(SchedulerDeathTest, SchedulingInThePastAborts) {
  Scheduler<int> s(Timestamp{10});
  EXPECT_DEATH(s.Schedule(Timestamp{9}, 1), "scheduled in the past");
}

}  // namespace
}  // namespace td::replayer
