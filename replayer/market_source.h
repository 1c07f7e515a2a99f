// MarketSource: where a simulation's market data comes from, one record at a time in time
// order: a journal's market-data records (L3, L2, L1, trades, trading status; every other kind
// is skipped), or the seeded SyntheticMarket. Memory stays constant in the length of the data.
// Single-threaded.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/event.h"
#include "core/status.h"
#include "journal/reader.h"
#include "marketdata/synthetic.h"

namespace td::replayer {

class MarketSource {
 public:
  virtual ~MarketSource() = default;
  // The next market-data record (ts = its receive time), or false at the end.
  virtual bool Next(Event* out) = 0;
  virtual const std::vector<InstrumentDef>& instruments() const = 0;
  // An error met while reading (the run then stops early and reports it).
  virtual Status status() const { return Status::Ok(); }
};

class JournalMarketSource : public MarketSource {
 public:
  static Result<std::unique_ptr<JournalMarketSource>> Open(const std::string& dir);
  bool Next(Event* out) override;
  const std::vector<InstrumentDef>& instruments() const override {
    return reader_->header().instruments;
  }
  Status status() const override { return reader_->status(); }
  const JournalHeader& header() const { return reader_->header(); }

 private:
  explicit JournalMarketSource(std::unique_ptr<journal::JournalReader> r) : reader_(std::move(r)) {}
  std::unique_ptr<journal::JournalReader> reader_;
};

// Records held in memory (a benchmark loads them first, so that it times the simulation and
// not the reading). Records must be market data in time order, as Next() returns them.
class MemoryMarketSource : public MarketSource {
 public:
  MemoryMarketSource(std::vector<InstrumentDef> instruments, const std::vector<Event>& records)
      : instruments_(std::move(instruments)), records_(records) {}
  bool Next(Event* out) override {
    if (next_ == records_.size()) return false;
    const Event& e = records_[next_++];
    out->seq = e.seq;
    out->ts = e.ts;
    AssignPayload(e.payload, &out->payload);
    return true;
  }
  const std::vector<InstrumentDef>& instruments() const override { return instruments_; }

 private:
  std::vector<InstrumentDef> instruments_;
  const std::vector<Event>& records_;
  size_t next_ = 0;
};

class SyntheticMarketSource : public MarketSource {
 public:
  SyntheticMarketSource(const marketdata::SyntheticConfig& config, uint64_t seed)
      : market_(config, seed) {}
  bool Next(Event* out) override { return market_.Next(out); }
  const std::vector<InstrumentDef>& instruments() const override { return market_.instruments(); }

 private:
  marketdata::SyntheticMarket market_;
};

}  // namespace td::replayer
