// Tests for core/id_index: lookups after inserts and erases (backward-shift deletion must keep
// every other key reachable), growth past the initial capacity, and a randomised run against
// std::unordered_map as the reference.
#include "core/id_index.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <unordered_map>
#include <vector>

#include "core/rng.h"
#include "tests/test_seed.h"

namespace td {
namespace {

TEST(IdIndex, FindsWhatWasInsertedAndNothingElse) {
  IdIndex index(4);
  index.Insert(7, 70);
  index.Insert(1ull << 63, 1);
  EXPECT_EQ(index.Find(7), 70u);
  EXPECT_EQ(index.Find(1ull << 63), 1u);
  EXPECT_EQ(index.Find(8), kIdIndexNone);
  EXPECT_EQ(index.size(), 2u);
}

TEST(IdIndex, EraseKeepsTheRestOfAProbeRunReachable) {
  // Sequential ids land in runs that wrap around a small table; erasing from the middle of a
  // run must pull the later entries back, not cut them off.
  IdIndex index(8);
  for (uint32_t k = 1; k <= 8; ++k) index.Insert(k, k * 10);
  for (uint32_t k = 1; k <= 8; k += 2) index.Erase(k);
  for (uint32_t k = 1; k <= 8; ++k) {
    EXPECT_EQ(index.Find(k), k % 2 == 1 ? kIdIndexNone : k * 10) << "key " << k;
  }
  EXPECT_EQ(index.size(), 4u);
}

TEST(IdIndex, GrowsPastItsInitialCapacity) {
  IdIndex index(1);
  for (uint32_t k = 0; k < 10'000; ++k) index.Insert(uint64_t{k} * 4096, k);
  for (uint32_t k = 0; k < 10'000; ++k) ASSERT_EQ(index.Find(uint64_t{k} * 4096), k);
  EXPECT_EQ(index.size(), 10'000u);
}

class IdIndexKeys : public ::testing::TestWithParam<IdKeys> {};

TEST_P(IdIndexKeys, MatchesUnorderedMapUnderRandomInsertsAndErases) {
  Rng rng(TestSeed());
  IdIndex index(16, GetParam());
  std::unordered_map<uint64_t, uint32_t> ref;
  std::vector<uint64_t> keys;
  for (int op = 0; op < 200'000; ++op) {
    if (keys.empty() || rng.Bernoulli(3, 5)) {
      // Keys from a small range collide often; from the full range, rarely.
      const uint64_t key = rng.Bernoulli(1, 2) ? rng.UniformBelow(4096) : rng.NextU64();
      if (ref.count(key) != 0) continue;
      const uint32_t value = static_cast<uint32_t>(rng.UniformBelow(kIdIndexNone));
      index.Insert(key, value);
      ref[key] = value;
      keys.push_back(key);
    } else {
      const size_t i = static_cast<size_t>(rng.UniformBelow(keys.size()));
      index.Erase(keys[i]);
      ref.erase(keys[i]);
      keys[i] = keys.back();
      keys.pop_back();
    }
    if (op % 1000 == 0) {
      ASSERT_EQ(index.size(), ref.size());
      for (const auto& [k, v] : ref) ASSERT_EQ(index.Find(k), v) << "key " << k;
      const uint64_t probe = rng.NextU64();
      if (ref.count(probe) == 0) {
        ASSERT_EQ(index.Find(probe), kIdIndexNone);
      }
    }
  }
}

// The engine's use: ids counted out, looked up while recent, dropped oldest first, with the
// window of live ids wrapping the table many times over; and keys that collide at one home.
TEST_P(IdIndexKeys, SequentialIdsInASlidingWindow) {
  IdIndex index(64, GetParam());
  constexpr uint64_t kWindow = 100;
  for (uint64_t id = 1; id <= 20'000; ++id) {
    index.Insert(id, static_cast<uint32_t>(id));
    if (id > kWindow) index.Erase(id - kWindow);
    if (id % 97 == 0) {
      for (uint64_t k = id > kWindow ? id - kWindow + 1 : 1; k <= id; ++k) {
        ASSERT_EQ(index.Find(k), k) << "key " << k;
      }
      ASSERT_EQ(index.Find(id - kWindow), kIdIndexNone);  // dropped (or, early on, never there)
      ASSERT_EQ(index.Find(id + 1), kIdIndexNone);
    }
  }
  EXPECT_EQ(index.size(), kWindow);
  // Keys a table's capacity apart share a home slot under kSequential: slower, still right.
  IdIndex strided(16, GetParam());
  for (uint32_t k = 0; k < 200; ++k) strided.Insert(uint64_t{k} << 20, k);
  for (uint32_t k = 0; k < 200; k += 2) strided.Erase(uint64_t{k} << 20);
  for (uint32_t k = 0; k < 200; ++k) {
    ASSERT_EQ(strided.Find(uint64_t{k} << 20), k % 2 == 0 ? kIdIndexNone : k) << k;
  }
}

INSTANTIATE_TEST_SUITE_P(Keys, IdIndexKeys, ::testing::Values(IdKeys::kSpread, IdKeys::kSequential),
                         [](const auto& info) {
                           return info.param == IdKeys::kSpread ? "Spread" : "Sequential";
                         });

TEST(IdIndexDeathTest, EraseOfAnAbsentKeyAborts) {
  IdIndex index(4);
  index.Insert(1, 1);
  EXPECT_DEATH(index.Erase(2), "absent");
}

}  // namespace
}  // namespace td
