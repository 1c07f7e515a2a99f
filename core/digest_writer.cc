// DigestWriter: the streaming XXH3 behind the state digests (see digest_writer.h).
#include "core/digest_writer.h"

#include <xxhash.h>

#include "core/check.h"

namespace td {

void DigestWriter::StateDeleter::operator()(XXH3_state_s* s) const { XXH3_freeState(s); }

DigestWriter::DigestWriter() = default;

DigestWriter::~DigestWriter() = default;

void DigestWriter::Flush(std::string_view more) {
  if (state_ == nullptr) {
    state_.reset(XXH3_createState());
    TD_CHECK(state_ != nullptr);
  }
  if (!streaming_) {
    XXH3_64bits_reset(state_.get());
    streaming_ = true;
  }
  XXH3_64bits_update(state_.get(), buf_, used_);
  used_ = 0;
  if (!more.empty()) XXH3_64bits_update(state_.get(), more.data(), more.size());
}

void DigestWriter::Str(std::string_view s) {
  U64(s.size());
  if (s.empty()) return;
  if (used_ + s.size() <= sizeof buf_) {
    std::memcpy(buf_ + used_, s.data(), s.size());
    used_ += s.size();
  } else {
    Flush(s);
  }
}

void DigestWriter::Reset() {
  used_ = 0;
  streaming_ = false;
}

uint64_t DigestWriter::Hash() {
  // The same value either way: XXH3-64 of every byte written, however they were chunked.
  if (!streaming_) return XXH3_64bits(buf_, used_);
  Flush();
  return XXH3_64bits_digest(state_.get());
}

}  // namespace td
