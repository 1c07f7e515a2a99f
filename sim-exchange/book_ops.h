// Order book operations as values, so that one sequence can be generated once and applied to
// several books: the fuzzer decodes them from bytes, the differential test from seeded random
// bytes, the benchmark from a mixed add/cancel/execute workload around a moving mid. Pure and
// deterministic (randomness only from td::Rng); single-threaded values.
//
//   BookOpDecoder decoder(bytes, DifferentialInstrument());
//   BookOp op;
//   while (decoder.Next(&op)) ApplyOp(op, &book, &events);
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/rng.h"
#include "sim-exchange/order_book.h"

namespace td::sim {

struct BookOp {
  enum class Kind : uint8_t {
    kSubmit = 1,
    kCancel,
    kReplace,
    kExecuteHistorical,
    kMassCancel,
    kExpireDay,
  };
  Kind kind = Kind::kSubmit;
  OrderSpec spec;                 // kSubmit
  VenueOrderId id = 0;            // kCancel, kReplace, kExecuteHistorical
  Price price;                    // kReplace
  Qty qty;                        // kCancel, kReplace, kExecuteHistorical
  ParticipantId owner = kMarket;  // kMassCancel
  Side side = Side::kNone;        // kMassCancel
};

// Applies `op` to any book with OrderBook's operations (OrderBook, ReferenceBook).
template <typename Book>
void ApplyOp(const BookOp& op, Book* book, std::vector<BookEvent>* out) {
  switch (op.kind) {
    case BookOp::Kind::kSubmit:
      book->Submit(op.spec, Timestamp{}, out);
      return;
    case BookOp::Kind::kCancel:
      book->Cancel(op.id, op.qty, out);
      return;
    case BookOp::Kind::kReplace:
      book->Replace(op.id, op.price, op.qty, Timestamp{}, out);
      return;
    case BookOp::Kind::kExecuteHistorical:
      book->ExecuteHistorical(op.id, op.qty, out);
      return;
    case BookOp::Kind::kMassCancel:
      book->MassCancel(op.owner, op.side, out);
      return;
    case BookOp::Kind::kExpireDay:
      book->ExpireDay(out);
      return;
  }
}

// One line, for failure messages: "submit id=7 owner=1 buy limit day px=100.01 qty=30 ...".
std::string DescribeOp(const BookOp& op);
std::string DescribeEvent(const BookEvent& e);

// The instrument the fuzzer and the differential test trade: tick 0.01, lot 10, min 10.
InstrumentDef DifferentialInstrument();

// Decodes arbitrary bytes into operations that exercise every order type, time in force,
// iceberg, post-only, STP mode and validation reject on a narrow price range around a
// drifting center, so that orders cross, queue and hit each other. Ids are mostly fresh and
// sometimes reused (duplicates); cancels, replaces and executions aim at recent ids (some
// unknown). Every byte string decodes; decoding stops when the bytes run out.
class BookOpDecoder {
 public:
  BookOpDecoder(std::span<const uint8_t> bytes, const InstrumentDef& instrument);
  bool Next(BookOp* op);

 private:
  uint8_t Byte();
  int64_t PriceAt(int64_t offset_ticks) const;
  VenueOrderId RecentId(uint8_t b) const;

  std::span<const uint8_t> bytes_;
  size_t pos_ = 0;
  InstrumentDef instrument_;
  int64_t center_ticks_ = 0;  // offset of the center from the base price
  VenueOrderId next_id_ = 1;
};

// The benchmark's workload: ~50% limit adds near the top of the book, ~35% cancels, ~15%
// executions (historical executions of orders at or near the best price, marketable IOC and
// market orders), around a mid that follows the book plus a drift of a few ticks that
// random-walks (so adds sometimes improve or cross the touch and the book moves). A shadow
// OrderBook keeps the generator honest (cancels aim at live orders, executions at orders near
// the top). The first `live_orders_target` operations are adds that build the book (the
// warm-up); after that the depth settles near the target: below it half the cancels are
// partial, above it all are full (and past 1.5 x the target adds turn into cancels). Generated in chunks so that memory stays bounded
// whatever the number of operations.
struct WorkloadOptions {
  uint64_t seed = 1;
  size_t live_orders_target = 20'000;
};

class MixedWorkload {
 public:
  explicit MixedWorkload(WorkloadOptions options);
  // Appends the next `n` operations to *ops (cleared first).
  void NextChunk(size_t n, std::vector<BookOp>* ops);
  const InstrumentDef& instrument() const { return instrument_; }
  static InstrumentDef Instrument();

 private:
  void Track(const std::vector<BookEvent>& events);
  void AddLive(VenueOrderId id);
  void RemoveLive(VenueOrderId id);
  BookOp MakeAdd();
  BookOp MakeCancel();
  BookOp MakeExecution();

  WorkloadOptions options_;
  InstrumentDef instrument_;
  Rng rng_;
  OrderBook shadow_;
  std::vector<BookEvent> events_;
  std::vector<VenueOrderId> live_;                     // in no particular order; sampled uniformly
  std::unordered_map<VenueOrderId, size_t> live_pos_;  // lookups only
  int64_t mid_ticks_ = 10'000;
  int64_t drift_ticks_ = 0;
  VenueOrderId next_id_ = 1;
};

}  // namespace td::sim
