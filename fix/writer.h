// Building and serialising outgoing FIX messages. An OutMessage holds the message type, the
// optional header fields its sender chose (routing, PossResend, ...) and the body fields in the
// order they were added; the MessageWriter adds the standard header the session owns, computes
// BodyLength (9) and CheckSum (10) and writes the bytes. Both are reusable: they keep their
// buffers, so serialising does not allocate in steady state. Single-threaded values.
//
//   OutMessage er(msg_type::kExecutionReport);
//   er.Add(37, "O-1").Add(17, "E-1").AddChar(150, '0').AddChar(39, '0').Add(54, "1")
//     .Add(151, 100).Add(14, 0).Add(6, "0");
//   MessageWriter w;
//   std::string_view bytes = w.Write(er, {.begin_string = "FIX.4.4", .sender_comp_id = "ISLD",
//                                         .target_comp_id = "TW44", .msg_seq_num = 2,
//                                         .sending_time = now});
//
// Field order on the wire: 8, 9, 35, then every other header field in ascending tag order
// (34, 43, 49, 52, 56, 97, 115, 122, 128, ...), then the body in insertion order, then 10.
// FIX 4.4 Volume 2 fixes only the first three; ascending order for the rest is what QuickFIX
// emits and what its acceptance suite compares field by field.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"

namespace td::fix {

class OutMessage {
 public:
  explicit OutMessage(std::string_view msg_type = {}) { Reset(msg_type); }

  // Forgets every field and sets a new message type; keeps the buffers.
  void Reset(std::string_view msg_type);

  // A header field other than the ones the writer owns (8, 9, 10, 34, 35, 43, 49, 52, 56, 122).
  OutMessage& SetHeader(int tag, std::string_view value);
  OutMessage& Add(int tag, std::string_view value);
  OutMessage& Add(int tag, int64_t value);
  OutMessage& Add(int tag, int value) { return Add(tag, static_cast<int64_t>(value)); }
  OutMessage& AddChar(int tag, char value) { return Add(tag, std::string_view(&value, 1)); }
  OutMessage& AddFlag(int tag, bool value) { return AddChar(tag, value ? 'Y' : 'N'); }
  OutMessage& AddUtcTimestamp(int tag, Timestamp t);  // millisecond precision
  // A fixed-point decimal: value / 10^decimals, written with exactly `decimals` digits after
  // the point (none when decimals is 0). Negative values get a leading '-'.
  OutMessage& AddDecimal(int tag, int64_t value, int decimals);

  std::string_view msg_type() const { return msg_type_; }
  std::string_view body() const { return body_; }  // "tag=value<SOH>..."

  struct HeaderField {
    int tag;
    uint32_t offset;  // into header_values_
    uint32_t size;
  };
  const std::vector<HeaderField>& header_fields() const { return header_; }
  std::string_view header_value(const HeaderField& h) const {
    return std::string_view(header_values_).substr(h.offset, h.size);
  }

  // True for the header tags the writer fills itself.
  static bool IsWriterOwnedHeaderTag(int tag);

 private:
  std::string msg_type_;
  std::vector<HeaderField> header_;
  std::string header_values_;
  std::string body_;
};

// The standard header fields a session fills in for every message it sends.
struct HeaderFill {
  std::string_view begin_string;
  std::string_view sender_comp_id;
  std::string_view target_comp_id;
  int64_t msg_seq_num = 0;
  Timestamp sending_time;
  bool poss_dup = false;               // PossDupFlag (43)=Y
  std::string_view orig_sending_time;  // OrigSendingTime (122) text; omitted when empty
};

class MessageWriter {
 public:
  // Upper bound of header fields one message may carry (writer-owned ones included).
  static constexpr size_t kMaxHeaderFields = 64;

  // Serialises `msg` with `hdr`; the view stays valid until the next Write().
  std::string_view Write(const OutMessage& msg, const HeaderFill& hdr);

 private:
  std::string rest_;  // 35 .. last body field
  std::string out_;
};

}  // namespace td::fix
