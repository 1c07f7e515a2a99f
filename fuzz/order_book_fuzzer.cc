// libFuzzer target for the order book: the input's first byte picks the book options, the
// rest decodes (BookOpDecoder) into a sequence of operations, which run through OrderBook and
// the simple ReferenceBook side by side. Every event (so every fill's maker, taker, price and
// quantity), the top 5 levels of both sides, the orders touched and per-order conservation
// (submitted = filled + canceled + resting) must agree after every step, and the book's
// invariants must hold; any difference traps with a description of the step.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <span>

#include "sim-exchange/book_ops.h"
#include "sim-exchange/reference_book.h"

namespace {
constexpr size_t kMaxOpsPerInput = 4096;  // the reference is slow; longer inputs are cut
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  td::sim::BookOptions options;
  options.price_band_bps = (data[0] & 1) ? 500 : 0;
  options.validate_market_orders = (data[0] & 2) != 0;
  options.initial_order_capacity = 4;  // the pools and the id index grow early
  const td::InstrumentDef instrument = td::sim::DifferentialInstrument();
  td::sim::DifferentialChecker check(instrument, options);
  td::sim::BookOpDecoder decoder(std::span<const uint8_t>(data + 1, size - 1), instrument);
  td::sim::BookOp op;
  for (size_t n = 0; n < kMaxOpsPerInput && decoder.Next(&op); ++n) {
    const td::Status s = check.Step(op);
    if (!s.ok()) {
      std::fprintf(stderr, "order book differential failure: %s\n", s.ToString().c_str());
      __builtin_trap();
    }
  }
  return 0;
}
