#include "replayer/record_kinds.h"

#include <type_traits>

namespace td::replayer {

RecordRole RoleOf(const Payload& p) {
  return std::visit(
      [](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, WireMessage> || std::is_same_v<T, RecordsDropped>) {
          return RecordRole::kOther;
        } else if constexpr (std::is_same_v<T, NewOrder> || std::is_same_v<T, CancelOrder> ||
                             std::is_same_v<T, ReplaceOrder> || std::is_same_v<T, StatusRequest> ||
                             std::is_same_v<T, MassCancel> || std::is_same_v<T, TimerSet> ||
                             std::is_same_v<T, TimerCancel> || std::is_same_v<T, RiskEvent> ||
                             std::is_same_v<T, Annotation> || std::is_same_v<T, Checkpoint>) {
          return RecordRole::kOutput;
        } else {
          return RecordRole::kInput;
        }
      },
      p);
}

bool IsMarketData(const Payload& p) {
  return std::holds_alternative<L3Order>(p) || std::holds_alternative<TradingStatus>(p) ||
         std::holds_alternative<L2Update>(p) || std::holds_alternative<L2Snapshot>(p) ||
         std::holds_alternative<L1Quote>(p) || std::holds_alternative<Trade>(p);
}

bool IsVenueCommand(const Payload& p) {
  return std::holds_alternative<NewOrder>(p) || std::holds_alternative<CancelOrder>(p) ||
         std::holds_alternative<ReplaceOrder>(p) || std::holds_alternative<StatusRequest>(p) ||
         std::holds_alternative<MassCancel>(p);
}

bool IsAck(const Payload& p) {
  return std::holds_alternative<OrderAck>(p) || std::holds_alternative<CancelAck>(p) ||
         std::holds_alternative<ReplaceAck>(p);
}

}  // namespace td::replayer
