// The journal reader fuzz target's committed corpus, run as a plain test in every build
// (including the sanitizer build), plus seeded mutations of it: the fuzzer's findings stay
// fixed without needing clang or libFuzzer.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "tests/journal/test_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace td::journal {
namespace {

std::vector<std::vector<uint8_t>> LoadCorpus() {
  std::vector<std::vector<uint8_t>> corpus;
  const std::filesystem::path dir = std::string(TD_SOURCE_DIR) + "/fuzz/corpus/journal_reader";
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) corpus.push_back(testing::ReadBytes(f.string()));
  return corpus;
}

TEST(JournalReaderFuzzCorpus, EveryInputRunsCleanly) {
  const auto corpus = LoadCorpus();
  ASSERT_GE(corpus.size(), 5u);
  for (const auto& input : corpus) LLVMFuzzerTestOneInput(input.data(), input.size());
}

TEST(JournalReaderFuzzCorpus, SeededMutationsRunCleanly) {
  const uint64_t seed = 7;
  std::cout << "mutation seed " << seed << "\n";
  std::mt19937_64 gen(seed);  // test-only randomness
  const auto corpus = LoadCorpus();
  for (int i = 0; i < 3000; ++i) {
    std::vector<uint8_t> input = corpus[gen() % corpus.size()];
    switch (gen() % 3) {
      case 0:
        for (int k = 0; k < 4 && !input.empty(); ++k) input[gen() % input.size()] ^= gen() & 0xff;
        break;
      case 1:
        input.resize(gen() % (input.size() + 1));
        break;
      default:
        if (!input.empty()) input.erase(input.begin() + static_cast<long>(gen() % input.size()));
    }
    LLVMFuzzerTestOneInput(input.data(), input.size());
  }
}

}  // namespace
}  // namespace td::journal
