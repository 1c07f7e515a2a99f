// The two interfaces between the real-time exchange (exchange_core.h) and the market-data
// publisher (md_server.h), so that neither knows the other: the exchange pushes published
// market data into a FeedPublisher, and the publisher asks a FeedSource for what a
// subscriber's hello and late-joiner snapshot need. Both run on the exchange's one thread.
#pragma once

#include <vector>

#include "core/event.h"

namespace td::server {

class FeedPublisher {
 public:
  virtual ~FeedPublisher() = default;
  // One market-data record (IsFeedPayload), in publication order; the publisher numbers it.
  virtual void Publish(const Event& event) = 0;
  // The market source is exhausted: nothing more will be published.
  virtual void EndOfMarketData() = 0;
};

class FeedSource {
 public:
  virtual ~FeedSource() = default;
  virtual const std::vector<InstrumentDef>& instruments() const = 0;
  // The market time of the first record (the hello's session start).
  virtual Timestamp session_start() const = 0;
  virtual uint64_t seed() const = 0;
  // The exchange's market clock now (heartbeats and end frames carry it).
  virtual Timestamp MarketNow() const = 0;
  // The state a subscriber joining now needs before the next published record: records of
  // IsFeedPayload kinds (md_server sends each as a snapshot frame). Bounded by the source.
  virtual std::vector<Event> FeedSnapshot() const = 0;
  // True once the market data has ended (a new subscriber then gets the end frame at once).
  virtual bool market_ended() const = 0;
};

}  // namespace td::server
