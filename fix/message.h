// A parsed FIX tag=value message: a view over the bytes of one framed message, with its fields
// as string_views into those bytes (no copies). The field vector is reserved once, so parsing
// does not allocate in steady state. A Message never owns the bytes: they must outlive it.
// Single-threaded; reusable (Parse() again replaces the content).
//
//   Message msg;
//   Status s = msg.Parse(frame);     // validates 8/9/35 order, BodyLength and CheckSum
//   if (!s.ok()) { /* garbled: "offset 57, tag 10: CheckSum is 256 but the bytes sum to 112" */ }
//   std::string_view cl_ord_id = msg.Get(tag::kClOrdId);
//
// Repeating groups stay flat here (FIX order on the wire); the dictionary (fix/dictionary.h)
// knows which tags open a group and the validator (fix/validator.h) checks their structure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace td::fix {

struct Field {
  int tag = 0;             // may be <= 0 when the sender wrote "0=" or "-1=" (rejected later)
  std::string_view value;  // into the message bytes; empty when the sender wrote "tag="
};

// The most fields one message may carry; a message with more is reported, not truncated.
inline constexpr size_t kMaxFieldsPerMessage = 4096;

// Sum of the bytes mod 256, as CheckSum (10) is defined (FIX 4.4 Volume 2, "CheckSum").
uint8_t ComputeCheckSum(std::string_view bytes);

// The data field whose length a field of this tag gives (RawDataLength 95 -> RawData 96, ...),
// or 0. These are FIX 4.4's Length/Data pairs; a Data value may contain SOH.
int DataTagForLengthTag(int length_tag);

class Message {
 public:
  Message();

  // Parses one complete framed message (as fix/framer.h delimits it). Checks that the first
  // three fields are 8, 9, 35, that CheckSum (10) is the last field with three digits, that
  // BodyLength is the exact byte count and that the checksum matches. Any failure means the
  // message is garbled (FIX 4.4 Volume 2: ignore it); the error names the offset and tag.
  Status Parse(std::string_view frame);
  // Splits into fields without the 8/9/35/10 structure checks (for stored or partial input).
  Status ParseFieldsOnly(std::string_view bytes);

  std::string_view raw() const { return raw_; }
  std::span<const Field> fields() const { return {fields_.data(), fields_.size()}; }
  size_t size() const { return fields_.size(); }
  const Field& field(size_t i) const { return fields_[i]; }

  const Field* Find(int tag) const;
  bool Has(int tag) const { return Find(tag) != nullptr; }
  std::string_view Get(int tag) const;  // "" when absent
  // The value as a non-negative decimal integer; NotFound or InvalidArgument naming the tag.
  Result<int64_t> GetInt(int tag) const;
  bool GetFlag(int tag) const { return Get(tag) == "Y"; }

  std::string_view begin_string() const { return Get(8); }
  std::string_view msg_type() const { return Get(35); }
  // MsgSeqNum (34), or 0 when absent or not a number.
  int64_t seq_num() const;

 private:
  Status Split(std::string_view bytes);

  std::string_view raw_;
  std::vector<Field> fields_;
};

// A decimal integer in [0, 2^62), no sign, no spaces; false otherwise.
bool ParseNonNegative(std::string_view text, int64_t* out);

}  // namespace td::fix
