// DigestWriter: the streaming XXH3 behind engine state digests (see digest_writer.h).
#include "engine/digest_writer.h"

#include <xxhash.h>

#include "core/check.h"

namespace td::engine::internal {

void DigestWriter::StateDeleter::operator()(XXH3_state_s* s) const { XXH3_freeState(s); }

DigestWriter::DigestWriter() : state_(XXH3_createState()) {
  TD_CHECK(state_ != nullptr);
  Reset();
}

DigestWriter::~DigestWriter() = default;

void DigestWriter::Flush() {
  XXH3_64bits_update(state_.get(), buf_, used_);
  used_ = 0;
}

void DigestWriter::Str(std::string_view s) {
  U64(s.size());
  Flush();
  XXH3_64bits_update(state_.get(), s.data(), s.size());
}

void DigestWriter::Reset() {
  used_ = 0;
  XXH3_64bits_reset(state_.get());
}

uint64_t DigestWriter::Hash() {
  Flush();
  return XXH3_64bits_digest(state_.get());
}

}  // namespace td::engine::internal
