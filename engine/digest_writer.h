// DigestWriter: streams fixed-width little-endian integers into an XXH3-64 hash. The canonical
// serialisation behind Engine::StateDigest(): only values (never pointers or padding) go in,
// in an order fixed by the caller. The hash equals XXH3-64 of the concatenated bytes; they are
// hashed in chunks as they come, so a digest of a large state needs no large buffer.
// Value, single-threaded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

struct XXH3_state_s;

namespace td::engine::internal {

class DigestWriter {
 public:
  DigestWriter();
  ~DigestWriter();
  DigestWriter(const DigestWriter&) = delete;
  DigestWriter& operator=(const DigestWriter&) = delete;

  void U64(uint64_t v) {
    if (used_ + 8 > sizeof buf_) Flush();
    for (int i = 0; i < 8; ++i) buf_[used_++] = static_cast<char>((v >> (8 * i)) & 0xff);
  }
  void I64(int64_t v) { U64(static_cast<uint64_t>(v)); }
  void Bool(bool b) { U64(b ? 1 : 0); }
  void Str(std::string_view s);
  uint64_t Hash();  // XXH3-64 of every byte written so far
  void Reset();     // forget them: the writer starts a new digest

 private:
  struct StateDeleter {
    void operator()(XXH3_state_s* s) const;
  };
  void Flush();

  std::unique_ptr<XXH3_state_s, StateDeleter> state_;
  size_t used_ = 0;
  char buf_[4096];
};

// Clamps a (possibly negative) int64 money/qty value for saturating conversions.
inline int64_t AbsI64(int64_t v) { return v < 0 ? -v : v; }

}  // namespace td::engine::internal
