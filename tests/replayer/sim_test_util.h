// Helpers of the replayer tests that run whole simulations as `tapedeck simulate --synth`
// does.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "replayer/market_source.h"
#include "replayer/simulate.h"

namespace td::replayer::testing {

// A scratch directory for journals, unique to the test process.
inline std::filesystem::path TempJournalDir(const std::string& name) {
  return std::filesystem::temp_directory_path() /
         ("td_" + name + "_" + std::to_string(::getpid()));
}

// A file of the source tree (examples/...), whole.
inline std::string ReadSourceFile(const std::string& relative) {
  std::ifstream in(std::string(TD_SOURCE_DIR) + "/" + relative, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Simulates `config` on the synthetic market of `seed` (its first `market` of data), with
// run seed `seed`, into `dir` (emptied first). `duration` 0: until the data ends + the drain.
inline Result<SessionResult> SimulateSynthetic(const std::string& config,
                                               const std::string& origin, uint64_t seed,
                                               const std::filesystem::path& dir, Duration market,
                                               Duration duration) {
  std::filesystem::remove_all(dir);
  marketdata::SyntheticConfig sc;
  sc.duration = market;
  SyntheticMarketSource source(sc, seed);
  SimulateOptions o;
  o.config_text = config;
  o.config_origin = origin;
  o.seed = seed;
  o.duration = duration;
  o.out_dir = dir.string();
  return Simulate(o, source);
}

}  // namespace td::replayer::testing
