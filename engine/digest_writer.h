// DigestWriter: appends fixed-width little-endian integers to a byte buffer that is then
// hashed with XXH3-64. The canonical serialisation behind Engine::StateDigest(): only values
// (never pointers or padding) go in, in an order fixed by the caller. Value, single-threaded.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace td::engine::internal {

class DigestWriter {
 public:
  void U64(uint64_t v) {
    for (int i = 0; i < 8; ++i) bytes_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  void I64(int64_t v) { U64(static_cast<uint64_t>(v)); }
  void Bool(bool b) { U64(b ? 1 : 0); }
  void Str(std::string_view s) {
    U64(s.size());
    bytes_.append(s);
  }
  const std::string& bytes() const { return bytes_; }
  uint64_t Hash() const;  // XXH3-64 of bytes()

 private:
  std::string bytes_;
};

// Clamps a (possibly negative) int64 money/qty value for saturating conversions.
inline int64_t AbsI64(int64_t v) { return v < 0 ? -v : v; }

}  // namespace td::engine::internal
