// Validation of a parsed message against the data dictionary, producing the FIX session-level
// reject reason (SessionRejectReason, 373) and the offending tag (RefTagID, 371) the session
// sends back in a Reject (3). Pure; no allocation.
//
// Checks, in this order (the order QuickFIX applies, which the acceptance suite observes when a
// message has more than one problem):
//   1. structure: a header field after a body field -> 14 (tag specified out of required order)
//   2. MsgType defined -> else 11 (invalid MsgType)
//   3. required fields: header, trailer, then body, lowest tag first -> 1
//   4. each field, header first, then trailer, then body, in message order:
//      repeated outside a group -> 13; empty value -> 4; tag <= 0 or not in the dictionary -> 0;
//      malformed for its type -> 6; not one of its enumerated values -> 5; not allowed in this
//      message type -> 2; repeating groups: entry not starting with the delimiter or members out
//      of definition order -> 15; entry count different from the NumInGroup value -> 16;
//      a required entry member missing -> 1.
// Reason 3 (undefined tag) is not produced: like QuickFIX we report unknown tags as 0.
//
//   std::optional<Rejection> r = Validate(dict, msg);
//   if (r) SendReject(msg, r->reason, r->ref_tag);
#pragma once

#include <optional>

#include "fix/dictionary.h"
#include "fix/fields.h"
#include "fix/message.h"

namespace td::fix {

struct Rejection {
  SessionRejectReason reason = SessionRejectReason::kOther;
  int ref_tag = 0;
  bool has_ref_tag = false;  // RefTagID (371) is sent only when true
};

std::optional<Rejection> Validate(const Dictionary& dict, const Message& msg);

}  // namespace td::fix
