#include "core/event.h"

#include <array>

namespace td {

std::string_view PayloadKindName(size_t index) {
  static constexpr std::array<std::string_view, kPayloadKindCount> kNames = {
      "l3_order",       "trading_status",  "l2_update",     "l2_snapshot",   "l1_quote",
      "trade",          "order_ack",       "order_reject",  "fill",          "cancel_ack",
      "cancel_reject",  "replace_ack",     "order_expired", "order_status",  "rate_limit_reject",
      "session_state",  "timer_fired",     "operator_command", "new_order",  "cancel_order",
      "replace_order",  "status_request",  "mass_cancel",   "timer_set",     "timer_cancel",
      "risk_event",     "annotation",      "wire_message",  "checkpoint",    "records_dropped",
  };
  return index < kNames.size() ? kNames[index] : "unknown";
}

}  // namespace td
