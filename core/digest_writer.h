// DigestWriter: streams fixed-width little-endian integers into an XXH3-64 hash. The canonical
// serialisation behind the state digests (Engine::StateDigest(), SimVenue::StateDigest()): only
// values (never pointers or padding) go in, in an order fixed by the caller. The hash equals
// XXH3-64 of the concatenated bytes. A digest that fits in the buffer (most: an order's state is
// folded on every close) is hashed in one call at Hash(); a larger one is streamed in chunks as
// they come, so it needs no large buffer. Value, single-threaded.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>

struct XXH3_state_s;

namespace td {

class DigestWriter {
 public:
  DigestWriter();
  ~DigestWriter();
  DigestWriter(const DigestWriter&) = delete;
  DigestWriter& operator=(const DigestWriter&) = delete;

  void U64(uint64_t v) {
    if (used_ + 8 > sizeof buf_) Flush();
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(buf_ + used_, &v, 8);
      used_ += 8;
    } else {
      for (int i = 0; i < 8; ++i) buf_[used_++] = static_cast<char>((v >> (8 * i)) & 0xff);
    }
  }
  // The words in order, as U64 of each would write them (one copy when they fit the buffer).
  void U64s(std::span<const uint64_t> words) {
    const size_t bytes = words.size_bytes();
    if (std::endian::native == std::endian::little && used_ + bytes <= sizeof buf_) {
      std::memcpy(buf_ + used_, words.data(), bytes);
      used_ += bytes;
    } else {
      for (uint64_t v : words) U64(v);
    }
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
  // Hands the buffered bytes (and then `more`) to the streaming state, starting it if needed.
  void Flush(std::string_view more = {});

  // Created on the first flush: a writer whose bytes all fit in buf_ never needs it.
  std::unique_ptr<XXH3_state_s, StateDeleter> state_;
  bool streaming_ = false;  // bytes went to state_ since the last Reset()
  size_t used_ = 0;
  char buf_[4096];
};

}  // namespace td
