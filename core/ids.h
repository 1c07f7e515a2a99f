// Identifiers and small enums shared by every room. Ids are plain integers chosen by their
// owner (the engine numbers its ClOrdIds, the venue its order ids); 0 means "none".
#pragma once

#include <cstdint>
#include <string_view>

namespace td {

using InstrumentId = uint32_t;  // index into the journal header's instrument table, from 1
using ClOrdId = uint64_t;       // client order id, chosen by the engine
using VenueOrderId = uint64_t;  // the venue's (or the historical feed's) order id
using ExecId = uint64_t;        // execution id, unique per venue session
using TimerId = uint64_t;
using ConnectionId = uint32_t;
using SeqNo = uint64_t;         // journal sequence number, from 1, no gaps

enum class Side : uint8_t { kNone = 0, kBuy = 1, kSell = 2 };

constexpr Side Opposite(Side s) {
  return s == Side::kBuy ? Side::kSell : (s == Side::kSell ? Side::kBuy : Side::kNone);
}
constexpr std::string_view SideName(Side s) {
  return s == Side::kBuy ? "buy" : (s == Side::kSell ? "sell" : "none");
}

enum class AssetClass : uint8_t { kUnknown = 0, kEquity, kCrypto, kFuture, kOption, kFx };

}  // namespace td
