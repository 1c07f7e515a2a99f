// The seed of a randomised test: TD_TEST_SEED=<n> replays another; the seed used is printed,
// so that a failure can be replayed.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace td {

inline uint64_t TestSeed(uint64_t fallback = 20240601) {
  const char* env = std::getenv("TD_TEST_SEED");
  const uint64_t seed = env != nullptr ? std::strtoull(env, nullptr, 10) : fallback;
  std::printf("TD_TEST_SEED=%llu\n", static_cast<unsigned long long>(seed));
  return seed;
}

}  // namespace td
