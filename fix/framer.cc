#include "fix/framer.h"

#include "fix/fields.h"

namespace td::fix {
namespace {

constexpr size_t kMaxBeginStringBytes = 32;  // "8=FIXT.1.1" and friends, with room to spare
constexpr size_t kMaxBodyLengthDigits = 9;

Frame Garbage(size_t n, std::string_view why) { return Frame{FrameKind::kGarbage, n, why}; }
Frame NeedMore() { return Frame{}; }

}  // namespace

Frame FindFrame(std::string_view buf, size_t max_message_bytes) {
  if (buf.empty()) return NeedMore();
  const size_t start = buf.find("8=");
  if (start == std::string_view::npos) {
    // Keep a trailing '8': it may be the start of "8=" split across reads.
    const size_t keep = buf.back() == '8' ? 1 : 0;
    if (buf.size() == keep) return NeedMore();
    return Garbage(buf.size() - keep, "bytes before BeginString (8=)");
  }
  if (start > 0) return Garbage(start, "bytes before BeginString (8=)");

  const size_t soh1 = buf.find(kSoh, 2);
  if (soh1 == std::string_view::npos) {
    return buf.size() > kMaxBeginStringBytes ? Garbage(2, "BeginString (8) is not terminated")
                                             : NeedMore();
  }
  if (soh1 > kMaxBeginStringBytes) return Garbage(2, "BeginString (8) is too long");
  if (buf.size() < soh1 + 3) return NeedMore();
  if (buf.substr(soh1 + 1, 2) != "9=") {
    return Garbage(2, "BeginString (8) is not followed by BodyLength (9)");
  }
  const size_t len_begin = soh1 + 3;
  const size_t soh2 = buf.find(kSoh, len_begin);
  if (soh2 == std::string_view::npos) {
    return buf.size() - len_begin > kMaxBodyLengthDigits
               ? Garbage(2, "BodyLength (9) is not terminated")
               : NeedMore();
  }
  const std::string_view digits = buf.substr(len_begin, soh2 - len_begin);
  if (digits.empty() || digits.size() > kMaxBodyLengthDigits) {
    return Garbage(2, "BodyLength (9) is not a number");
  }
  size_t body_length = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return Garbage(2, "BodyLength (9) is not a number");
    body_length = body_length * 10 + static_cast<size_t>(c - '0');
  }
  const size_t body_begin = soh2 + 1;
  if (body_begin + body_length > max_message_bytes) {
    return Garbage(2, "BodyLength (9) exceeds the maximum message size");
  }
  const size_t body_end = body_begin + body_length;
  if (buf.size() < body_end) return NeedMore();
  // The checksum field: the first "<SOH>10=" whose SOH is the body's last byte or later.
  const size_t search_from = body_end > 0 ? body_end - 1 : 0;
  const size_t cs = buf.find(std::string_view("\x01"
                                              "10=",
                                              4),
                             search_from);
  if (cs == std::string_view::npos) {
    return buf.size() > max_message_bytes
               ? Garbage(2, "no CheckSum (10) within the maximum message size")
               : NeedMore();
  }
  const size_t end = buf.find(kSoh, cs + 4);
  if (end == std::string_view::npos) {
    return buf.size() > max_message_bytes ? Garbage(2, "CheckSum (10) is not terminated")
                                          : NeedMore();
  }
  if (end + 1 > max_message_bytes) {
    return Garbage(2, "message exceeds the maximum message size");
  }
  return Frame{FrameKind::kFrame, end + 1, {}};
}

}  // namespace td::fix
