#include "fix/message.h"

#include <string>

#include "fix/fields.h"

namespace td::fix {
namespace {

std::string At(size_t offset, int tag) {
  std::string s = "offset " + std::to_string(offset);
  if (tag != 0) s += ", tag " + std::to_string(tag);
  return s + ": ";
}

}  // namespace

uint8_t ComputeCheckSum(std::string_view bytes) {
  uint32_t sum = 0;
  for (unsigned char c : bytes) sum += c;
  return static_cast<uint8_t>(sum & 0xff);
}

int DataTagForLengthTag(int length_tag) {
  switch (length_tag) {
    case 90:
      return 91;  // SecureDataLen -> SecureData
    case 93:
      return 89;  // SignatureLength -> Signature
    case 95:
      return 96;  // RawDataLength -> RawData
    case 212:
      return 213;  // XmlDataLen -> XmlData
    case 348:
      return 349;  // EncodedIssuerLen
    case 350:
      return 351;  // EncodedSecurityDescLen
    case 352:
      return 353;  // EncodedListExecInstLen
    case 354:
      return 355;  // EncodedTextLen
    case 356:
      return 357;  // EncodedSubjectLen
    case 358:
      return 359;  // EncodedHeadlineLen
    case 360:
      return 361;  // EncodedAllocTextLen
    case 362:
      return 363;  // EncodedUnderlyingIssuerLen
    case 364:
      return 365;  // EncodedUnderlyingSecurityDescLen
    case 445:
      return 446;  // EncodedListStatusTextLen
    case 618:
      return 619;  // EncodedLegIssuerLen
    case 621:
      return 622;  // EncodedLegSecurityDescLen
    default:
      return 0;
  }
}

bool ParseNonNegative(std::string_view text, int64_t* out) {
  if (text.empty() || text.size() > 18) return false;
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

Message::Message() { fields_.reserve(64); }

Status Message::Split(std::string_view bytes) {
  raw_ = bytes;
  fields_.clear();
  size_t pos = 0;
  int64_t pending_data_len = -1;  // set by a Length field, consumed by its Data field
  int pending_data_tag = 0;
  while (pos < bytes.size()) {
    if (fields_.size() == kMaxFieldsPerMessage) {
      return InvalidArgument(At(pos, 0) + "more than " + std::to_string(kMaxFieldsPerMessage) +
                             " fields in one message");
    }
    // Tag: an optional '-' and 1..9 digits, then '='.
    const size_t tag_begin = pos;
    bool negative = false;
    if (bytes[pos] == '-') negative = true, ++pos;
    int64_t tag = 0;
    size_t digits = 0;
    while (pos < bytes.size() && bytes[pos] >= '0' && bytes[pos] <= '9' && digits < 10) {
      tag = tag * 10 + (bytes[pos] - '0');
      ++pos, ++digits;
    }
    if (digits == 0 || digits > 9 || pos >= bytes.size() || bytes[pos] != '=') {
      const size_t end = bytes.find_first_of(std::string_view("=\x01", 2), tag_begin);
      const std::string_view text =
          bytes.substr(tag_begin, (end == std::string_view::npos ? bytes.size() : end) - tag_begin);
      if (end == std::string_view::npos || bytes[end] != '=') {
        return InvalidArgument(At(tag_begin, 0) + "field '" + std::string(text.substr(0, 32)) +
                               "' has no '='");
      }
      return InvalidArgument(At(tag_begin, 0) + "tag '" + std::string(text.substr(0, 32)) +
                             "' is not a number");
    }
    const int itag = static_cast<int>(negative ? -tag : tag);
    ++pos;  // '='
    size_t value_end;
    if (itag == pending_data_tag && pending_data_len >= 0) {
      // A Data field: exactly the announced length, which may include SOH.
      if (static_cast<size_t>(pending_data_len) > bytes.size() - pos) {
        return InvalidArgument(At(tag_begin, itag) + "data field announces " +
                               std::to_string(pending_data_len) + " bytes but only " +
                               std::to_string(bytes.size() - pos) + " remain");
      }
      value_end = pos + static_cast<size_t>(pending_data_len);
      if (value_end >= bytes.size() || bytes[value_end] != kSoh) {
        return InvalidArgument(At(tag_begin, itag) +
                               "data field is not followed by SOH at its announced length");
      }
    } else {
      value_end = bytes.find(kSoh, pos);
      if (value_end == std::string_view::npos) {
        return InvalidArgument(At(tag_begin, itag) + "field is not terminated by SOH");
      }
    }
    fields_.push_back(Field{itag, bytes.substr(pos, value_end - pos)});
    pending_data_tag = DataTagForLengthTag(itag);
    pending_data_len = -1;
    if (pending_data_tag != 0) {
      int64_t n;
      if (ParseNonNegative(fields_.back().value, &n)) pending_data_len = n;
    }
    pos = value_end + 1;
  }
  return Status::Ok();
}

Status Message::ParseFieldsOnly(std::string_view bytes) { return Split(bytes); }

Status Message::Parse(std::string_view frame) {
  TD_RETURN_IF_ERROR(Split(frame));
  const size_t n = fields_.size();
  if (n < 4) {
    return InvalidArgument(At(0, 0) + "a message needs at least 8, 9, 35 and 10; found " +
                           std::to_string(n) + " fields");
  }
  auto offset_of = [&](size_t i) {  // of the field's tag (written without leading zeros)
    size_t digits = fields_[i].tag <= 0 ? 1 + (fields_[i].tag < 0) : 0;
    for (int t = fields_[i].tag < 0 ? -fields_[i].tag : fields_[i].tag; t > 0; t /= 10) ++digits;
    return static_cast<size_t>(fields_[i].value.data() - frame.data()) - digits - 1;
  };
  if (fields_[0].tag != tag::kBeginString) {
    return InvalidArgument(At(0, fields_[0].tag) + "first field must be BeginString (8)");
  }
  if (fields_[1].tag != tag::kBodyLength) {
    return InvalidArgument(At(offset_of(1), fields_[1].tag) +
                           "second field must be BodyLength (9)");
  }
  if (fields_[2].tag != tag::kMsgType) {
    return InvalidArgument(At(offset_of(2), fields_[2].tag) + "third field must be MsgType (35)");
  }
  if (fields_[2].value.empty()) {
    return InvalidArgument(At(offset_of(2), tag::kMsgType) + "MsgType is empty");
  }
  const Field& last = fields_[n - 1];
  const size_t checksum_offset = offset_of(n - 1);
  if (last.tag != tag::kCheckSum) {
    return InvalidArgument(At(checksum_offset, last.tag) + "last field must be CheckSum (10)");
  }
  int64_t body_length;
  if (!ParseNonNegative(fields_[1].value, &body_length)) {
    return InvalidArgument(At(offset_of(1), tag::kBodyLength) + "BodyLength '" +
                           std::string(fields_[1].value) + "' is not a number");
  }
  const size_t body_begin = static_cast<size_t>(fields_[2].value.data() - frame.data()) - 3;
  const size_t actual_body = checksum_offset - body_begin;
  if (static_cast<size_t>(body_length) != actual_body) {
    return InvalidArgument(
        At(offset_of(1), tag::kBodyLength) + "BodyLength is " + std::to_string(body_length) +
        " but the body (offset " + std::to_string(body_begin) + " to the CheckSum at offset " +
        std::to_string(checksum_offset) + ") is " + std::to_string(actual_body) + " bytes");
  }
  for (size_t i = 3; i + 1 < n; ++i) {
    if (fields_[i].tag == tag::kCheckSum) {
      return InvalidArgument(At(offset_of(i), tag::kCheckSum) +
                             "CheckSum (10) before the end of the message");
    }
  }
  int64_t sum;
  if (last.value.size() != 3 || !ParseNonNegative(last.value, &sum)) {
    return InvalidArgument(At(checksum_offset, tag::kCheckSum) + "CheckSum '" +
                           std::string(last.value) + "' is not three digits");
  }
  const uint8_t computed = ComputeCheckSum(frame.substr(0, checksum_offset));
  if (sum != computed) {
    return InvalidArgument(At(checksum_offset, tag::kCheckSum) + "CheckSum is " +
                           std::string(last.value) + " but the bytes before it sum to " +
                           std::to_string(computed) + " (mod 256)");
  }
  return Status::Ok();
}

const Field* Message::Find(int tag) const {
  for (const Field& f : fields_) {
    if (f.tag == tag) return &f;
  }
  return nullptr;
}

std::string_view Message::Get(int tag) const {
  const Field* f = Find(tag);
  return f ? f->value : std::string_view();
}

Result<int64_t> Message::GetInt(int tag) const {
  const Field* f = Find(tag);
  if (f == nullptr) return NotFound("tag " + std::to_string(tag) + " is absent");
  int64_t v;
  if (!ParseNonNegative(f->value, &v)) {
    return InvalidArgument("tag " + std::to_string(tag) + " value '" + std::string(f->value) +
                           "' is not a non-negative integer");
  }
  return v;
}

int64_t Message::seq_num() const {
  int64_t v = 0;
  const Field* f = Find(tag::kMsgSeqNum);
  if (f == nullptr || !ParseNonNegative(f->value, &v)) return 0;
  return v;
}

}  // namespace td::fix
