#include "fix/writer.h"

#include <array>
#include <charconv>

#include "core/check.h"
#include "fix/fields.h"
#include "fix/message.h"
#include "fix/utc_time.h"

namespace td::fix {
namespace {

void AppendInt(std::string* out, int64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, static_cast<size_t>(r.ptr - buf));
}

void AppendField(std::string* out, int tag, std::string_view value) {
  AppendInt(out, tag);
  out->push_back('=');
  out->append(value);
  out->push_back(kSoh);
}

}  // namespace

void OutMessage::Reset(std::string_view msg_type) {
  msg_type_.assign(msg_type);
  header_.clear();
  header_values_.clear();
  body_.clear();
}

bool OutMessage::IsWriterOwnedHeaderTag(int tag) {
  switch (tag) {
    case tag::kBeginString:
    case tag::kBodyLength:
    case tag::kCheckSum:
    case tag::kMsgSeqNum:
    case tag::kMsgType:
    case tag::kPossDupFlag:
    case tag::kSenderCompId:
    case tag::kSendingTime:
    case tag::kTargetCompId:
    case tag::kOrigSendingTime:
      return true;
    default:
      return false;
  }
}

OutMessage& OutMessage::SetHeader(int tag, std::string_view value) {
  TD_CHECK_MSG(!IsWriterOwnedHeaderTag(tag), "the writer fills this header field itself");
  for (HeaderField& h : header_) {
    if (h.tag == tag) {  // replace: append the new value, point at it
      h.offset = static_cast<uint32_t>(header_values_.size());
      h.size = static_cast<uint32_t>(value.size());
      header_values_.append(value);
      return *this;
    }
  }
  header_.push_back(HeaderField{tag, static_cast<uint32_t>(header_values_.size()),
                                static_cast<uint32_t>(value.size())});
  header_values_.append(value);
  return *this;
}

OutMessage& OutMessage::Add(int tag, std::string_view value) {
  AppendField(&body_, tag, value);
  return *this;
}

OutMessage& OutMessage::Add(int tag, int64_t value) {
  AppendInt(&body_, tag);
  body_.push_back('=');
  AppendInt(&body_, value);
  body_.push_back(kSoh);
  return *this;
}

OutMessage& OutMessage::AddUtcTimestamp(int tag, Timestamp t) {
  char buf[kUtcTimestampMillisLen];
  FormatUtcTimestampMillis(t, buf);
  return Add(tag, std::string_view(buf, sizeof buf));
}

OutMessage& OutMessage::AddDecimal(int tag, int64_t value, int decimals) {
  TD_CHECK(decimals >= 0 && decimals <= 18);
  AppendInt(&body_, tag);
  body_.push_back('=');
  // Work on the magnitude as unsigned so INT64_MIN is exact.
  uint64_t mag = value < 0 ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
  if (value < 0) body_.push_back('-');
  char digits[24];
  const auto r = std::to_chars(digits, digits + sizeof digits, mag);
  std::string_view d(digits, static_cast<size_t>(r.ptr - digits));
  if (decimals == 0) {
    body_.append(d);
  } else {
    const size_t dec = static_cast<size_t>(decimals);
    if (d.size() <= dec) {
      body_.append("0.");
      body_.append(dec - d.size(), '0');
      body_.append(d);
    } else {
      body_.append(d.substr(0, d.size() - dec));
      body_.push_back('.');
      body_.append(d.substr(d.size() - dec));
    }
  }
  body_.push_back(kSoh);
  return *this;
}

std::string_view MessageWriter::Write(const OutMessage& msg, const HeaderFill& hdr) {
  TD_CHECK_MSG(!msg.msg_type().empty(), "OutMessage without MsgType");
  struct Entry {
    int tag;
    std::string_view value;
  };
  std::array<Entry, kMaxHeaderFields> entries;
  size_t n = 0;
  char seq[24];
  const auto seq_end = std::to_chars(seq, seq + sizeof seq, hdr.msg_seq_num).ptr;
  char sending[kUtcTimestampMillisLen];
  FormatUtcTimestampMillis(hdr.sending_time, sending);
  entries[n++] = {tag::kMsgSeqNum, std::string_view(seq, static_cast<size_t>(seq_end - seq))};
  if (hdr.poss_dup) entries[n++] = {tag::kPossDupFlag, "Y"};
  entries[n++] = {tag::kSenderCompId, hdr.sender_comp_id};
  entries[n++] = {tag::kSendingTime, std::string_view(sending, sizeof sending)};
  entries[n++] = {tag::kTargetCompId, hdr.target_comp_id};
  if (!hdr.orig_sending_time.empty()) {
    entries[n++] = {tag::kOrigSendingTime, hdr.orig_sending_time};
  }
  TD_CHECK_MSG(msg.header_fields().size() + n <= kMaxHeaderFields, "too many header fields");
  for (const OutMessage::HeaderField& h : msg.header_fields()) {
    entries[n++] = {h.tag, msg.header_value(h)};
  }
  // Insertion sort: stable, allocation-free, and n is a handful.
  for (size_t i = 1; i < n; ++i) {
    const Entry e = entries[i];
    size_t j = i;
    for (; j > 0 && entries[j - 1].tag > e.tag; --j) entries[j] = entries[j - 1];
    entries[j] = e;
  }

  rest_.clear();
  AppendField(&rest_, tag::kMsgType, msg.msg_type());
  for (size_t i = 0; i < n; ++i) AppendField(&rest_, entries[i].tag, entries[i].value);
  rest_.append(msg.body());

  out_.clear();
  AppendField(&out_, tag::kBeginString, hdr.begin_string);
  AppendInt(&out_, tag::kBodyLength);
  out_.push_back('=');
  AppendInt(&out_, static_cast<int64_t>(rest_.size()));
  out_.push_back(kSoh);
  out_.append(rest_);
  const uint8_t sum = ComputeCheckSum(out_);
  const char cs[] = {'1',
                     '0',
                     '=',
                     static_cast<char>('0' + sum / 100),
                     static_cast<char>('0' + sum / 10 % 10),
                     static_cast<char>('0' + sum % 10),
                     kSoh};
  out_.append(cs, sizeof cs);
  return out_;
}

}  // namespace td::fix
