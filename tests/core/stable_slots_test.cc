// StableSlots: slots keep their address and contents as more are made.
#include "core/stable_slots.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace td {
namespace {

TEST(StableSlots, ElementsNeverMoveAsSlotsAreAdded) {
  StableSlots<std::string, 4> slots;
  std::vector<std::string*> where;
  for (uint32_t i = 0; i < 100; ++i) {
    ASSERT_EQ(slots.Add(), i);
    EXPECT_TRUE(slots[i].empty());  // a default value
    slots[i] = "slot " + std::to_string(i);
    where.push_back(&slots[i]);
  }
  EXPECT_EQ(slots.size(), 100u);
  for (uint32_t i = 0; i < 100; ++i) {
    EXPECT_EQ(&slots[i], where[i]);
    EXPECT_EQ(*where[i], "slot " + std::to_string(i));
  }
  const StableSlots<std::string, 4>& view = slots;
  EXPECT_EQ(view[57], "slot 57");
}

}  // namespace
}  // namespace td
