// Finds one complete FIX message at the front of a byte stream buffer (TCP delivers partial,
// several or garbage-prefixed messages). Pure function over the buffer; the caller owns it.
//
// The end of a message is found the way FIX engines (QuickFIX among them) find it: read
// BodyLength (9) right after BeginString (8), jump that many bytes, then take the first
// "<SOH>10=...<SOH>" at or after that point. A wrong BodyLength therefore still yields a frame
// (which Message::Parse then reports as garbled) instead of losing sync with the stream: a
// too-long length swallows the next message, as FIX 4.4 Volume 2 expects ("garbled: ignore").
//
//   for (;;) {
//     Frame f = FindFrame(buf);
//     if (f.kind == FrameKind::kNeedMore) break;
//     if (f.kind == FrameKind::kGarbage) { report(f.problem); buf.remove_prefix(f.size); continue;
//     } handle(buf.substr(0, f.size)); buf.remove_prefix(f.size);
//   }
#pragma once

#include <cstddef>
#include <string_view>

namespace td::fix {

// Upper bound of one message (header to checksum). Larger input is reported as garbage.
inline constexpr size_t kMaxMessageBytes = 1 << 20;

enum class FrameKind { kNeedMore, kFrame, kGarbage };

struct Frame {
  FrameKind kind = FrameKind::kNeedMore;
  size_t size = 0;           // kFrame: message length; kGarbage: bytes to drop
  std::string_view problem;  // kGarbage: what was wrong (static text)
};

Frame FindFrame(std::string_view buffer, size_t max_message_bytes = kMaxMessageBytes);

}  // namespace td::fix
