// RunLobsterFidelity: how well the simulated book reproduces history for orders of ours. It
// takes N historical limit orders out of a LOBSTER day (type-1 adds whose whole life is in
// the file, drawn with td::Rng from a seed), resubmits each as OUR order (owner 1) at its
// historical time, price and size with zero latency, lets the rest of the historical stream
// drive the book (LobsterReplay::Substitute: the feed's cancels, deletes and executions of the
// historical order act on ours, which holds its exact FIFO place), and compares our fills with
// the historical order's executions. docs/lobster-replay.md, "Fidelity", has the method and
// the measured figures. Single-threaded; reads the message file twice.
//
//   auto r = RunLobsterFidelity(message_path, orderbook_path, {.orders = 500, .seed = 7});
//   r->exact * 100.0 / r->orders  // percentage of orders whose fills are reproduced exactly
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "marketdata/lobster.h"
#include "marketdata/lobster_replay.h"

namespace td::marketdata {

// Ids of our resubmitted orders: kLobsterOurIdBase + k, k = 1..N in the order of their adds.
inline constexpr VenueOrderId kLobsterOurIdBase = VenueOrderId{1} << 61;
inline constexpr sim::ParticipantId kLobsterOurOwner = 1;
inline constexpr uint64_t kMaxFidelityOrders = 1'000'000;

struct LobsterFidelityOptions {
  uint64_t orders = 1000;    // N; fewer when the file has fewer candidates
  uint64_t seed = 1;         // td::Rng seed of the draw
  bool filled_only = false;  // draw only among candidates that had at least one execution
  LobsterReaderOptions reader;
};

struct LobsterFidelityOrder {
  VenueOrderId historical_id = 0;
  VenueOrderId our_id = 0;
  uint64_t add_row = 0;  // line of its add in the message file
  Side side = Side::kNone;
  int64_t price = 0;  // USD x 10000
  int64_t qty = 0;
  int64_t hist_filled_qty = 0;
  int64_t our_filled_qty = 0;
  uint32_t hist_fill_times = 0;  // distinct times with an execution
  uint32_t our_fill_times = 0;
  bool exact = false;  // the same quantity filled at each of the same times
};

struct LobsterFidelityResult {
  uint64_t candidates = 0;             // adds whose whole life is in the file
  uint64_t candidates_with_fills = 0;  // ... with at least one execution
  uint64_t orders = 0;                 // drawn
  uint64_t exact = 0;                  // same fill times, same quantity at each
  uint64_t same_filled_qty = 0;        // same total filled quantity (times aside)
  uint64_t orders_with_fills = 0;      // drawn orders that executed historically
  uint64_t exact_with_fills = 0;
  int64_t hist_filled_qty = 0;
  int64_t our_filled_qty = 0;
  int64_t abs_error_qty = 0;        // sum over orders of |ours - historical|
  double filled_qty_error_pct = 0;  // abs_error_qty / hist_filled_qty x 100 (0 when no fills)
  std::vector<LobsterFidelityOrder> per_order;  // in the order of their adds
  LobsterReplayStats replay;                    // of the run with our orders in the book
};

Result<LobsterFidelityResult> RunLobsterFidelity(const std::string& message_path,
                                                 const std::string& orderbook_path,
                                                 const LobsterFidelityOptions& options = {});

}  // namespace td::marketdata
