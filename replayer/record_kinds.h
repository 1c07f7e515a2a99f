// Which records of a journal are engine inputs, engine outputs or market data: the split
// every replayer mode is built on (DESIGN.md, "Event model"). Pure functions.
#pragma once

#include "core/event.h"

namespace td::replayer {

enum class RecordRole : uint8_t {
  kInput = 1,  // market data, venue messages, TimerFired, SessionState, OperatorCommand
  kOutput,     // commands, timer set/cancel, risk events, annotations, checkpoints
  kOther,      // wire bytes, RecordsDropped: neither fed nor compared
};

RecordRole RoleOf(const Payload& p);
bool IsMarketData(const Payload& p);
// Commands the venue handles: NewOrder, CancelOrder, ReplaceOrder, StatusRequest, MassCancel.
bool IsVenueCommand(const Payload& p);
// OrderAck, CancelAck, ReplaceAck: the replies the ack fault model may drop, duplicate or delay.
bool IsAck(const Payload& p);

}  // namespace td::replayer
