// ExchangeCore: the simulated exchange in real time, for paper trading (`tapedeck exchange
// serve`). It owns the SimVenue, pulls market data from a MarketSource (journal or
// synthetic), releases each record at its paced wall time (pacer.h: due = W0 + (ts - T0) / X,
// scheduled on absolute steady-clock times) to the venue and to the feed (FeedPublisher), and
// serves one trading session's order entry with the scenario's latency, rate-limit and fault
// models applied in real time. It is also the feed's FeedSource (hello, late-joiner snapshot).
//
// Market data (as replayer/sim_session.h): the venue sees each record at its ts (clamped so the
// venue's clock never goes back); the feed publishes it unchanged; after an L3 record that
// changed the venue book's touch, the feed also publishes an L1Quote of the new touch, with
// our own resting quantity taken out. Recorded L1Quotes of an instrument with L3 data are
// dropped (its touch comes from the book). The scenario's market_data latency is not applied
// to the TCP feed: the real network supplies that one. When the source is exhausted the feed
// ends (FeedPublisher::EndOfMarketData) and the exchange keeps serving orders against the
// frozen books until Stop(); the market clock then runs on at the speed X (1x if unpaced).
//
// The market clock (MarketNow) is the market time the venue stamps commands with:
// T0 + (wall - W0) * X when paced; when unpaced (speed max) it is the ts of the last record
// released, since records go out as fast as the loop runs (at most max_records_per_turn per
// turn of the io_context, so sockets stay served). It never goes backwards.
//
// Order entry (one session at a time: SimVenue has one session owner). OpenSession returns a
// handle; a second OpenSession while one is open is refused with FailedPrecondition, and one
// during a fault-injected downtime with Unavailable; both say why. Links, each FIFO (a message
// never overtakes an earlier one on the same link), delays drawn from the scenario's
// LatencyProfile in market time and converted to wall time by the pacer (1:1 when unpaced):
// - session -> venue: order_entry latency; the venue then stamps the command with MarketNow;
//   a rate-limited kQueued command executes at its send_at (ExecuteAdmitted);
// - venue -> session: venue_response latency; acks (OrderAck, CancelAck, ReplaceAck) pass the
//   fault model's DecideAck (drop, duplicate, delay), as in the simulator.
// A message whose session ended before it arrived is lost (counted). Fills of orders kept in
// the book after a session closed are lost too; a new session learns of them through a
// mass-status request.
// Disconnect faults (VenueFaults::NextDisconnect, offsets from T0): at the disconnect the
// venue applies the scenario's open-order policy, the session is closed and its
// on_forced_disconnect callback is told why (the FIX layer drops the TCP connection); a new
// OpenSession is refused until the fault's reconnect time. When unpaced, a fault fires once
// the released market time reaches it.
//
// Threading: everything runs on the one io_context given to Create; every method must be
// called on its thread (or before io_context::run). Callbacks run on it too, never from
// inside Submit/OpenSession/CloseSession (replies always come from a later handler), and may
// call back into the core. The io_context must outlive the core. Asio stays out of this
// header.
//
//   auto core = ExchangeCore::Create(io, std::move(source), {.scenario = s, .seed = 7});
//   auto md = MdServer::Create(io, **core, {.port = 0});
//   (*core)->SetPublisher(md->get());
//   (*core)->Start();
//   Result<SessionHandle> h = (*core)->OpenSession(on_reply, on_drop);
//   Status s = (*core)->Submit(*h, NewOrder{...});
//   io.run();
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/status.h"
#include "sim-exchange/scenario.h"
#include "sim-exchange/server/feed.h"
#include "sim-exchange/server/pacer.h"
#include "sim-exchange/venue.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace td::replayer {
class MarketSource;
}  // namespace td::replayer

namespace td::server {

inline constexpr size_t kMaxSnapshotLevels = 1000;        // per side, late-joiner L2Snapshot
inline constexpr size_t kMaxFeedLevelsPerSide = 100'000;  // the feed-side L2 book's bound
inline constexpr size_t kTouchLevelsScanned = 16;         // as replayer/sim_session.h

struct ExchangeOptions {
  sim::Scenario scenario;  // latency, rate limit, faults, slippage, fees
  uint64_t seed = 0;       // venue and link randomness (streams derived as in the simulator)
  Speed speed;             // 1x; Speed::Max() for unpaced
  size_t max_records_per_turn = 256;              // records released per io_context turn
  size_t max_pending_messages = size_t{1} << 20;  // on both links together
  size_t snapshot_levels = 50;                    // per side, in [1, kMaxSnapshotLevels]
  std::function<void()> on_market_end;            // optional: the source is exhausted
};

struct SessionHandle {
  uint64_t id = 0;  // 0: none
  bool operator==(const SessionHandle&) const = default;
};

struct ExchangeCounters {
  uint64_t md_records = 0;         // records released to the venue and the feed
  uint64_t md_l1_dropped = 0;      // recorded L1Quotes of L3 instruments
  uint64_t touch_quotes = 0;       // L1Quotes published from the venue book
  int64_t max_release_lag_ns = 0;  // paced: latest release after a record's due wall time
  uint64_t sessions_opened = 0;
  uint64_t sessions_refused = 0;
  uint64_t sessions_closed = 0;
  uint64_t forced_disconnects = 0;  // fault-injected, of an open session
  uint64_t venue_disconnects = 0;   // fault-injected, session open or not
  uint64_t commands = 0;            // accepted by Submit
  uint64_t commands_queued = 0;     // rate limiter kQueued
  uint64_t commands_lost = 0;       // their session ended while they were in flight
  uint64_t replies_delivered = 0;
  uint64_t replies_lost = 0;  // no session (or another one) when they arrived
  uint64_t acks_dropped = 0, acks_duplicated = 0, acks_delayed = 0;
  bool market_ended = false;
  Timestamp market_end;  // market clock when the source ended
};

class ExchangeCore : public FeedSource {
 public:
  using ReplyFn = std::function<void(const Payload& reply)>;
  using ForcedDisconnectFn = std::function<void(std::string reason)>;

  // Reads the first record (its ts is T0, the session start). Errors: the venue config
  // (SimVenue::Create), the fault config, options out of range.
  static Result<std::unique_ptr<ExchangeCore>> Create(
      boost::asio::io_context& io, std::unique_ptr<replayer::MarketSource> source,
      ExchangeOptions options);
  ~ExchangeCore() override;
  ExchangeCore(const ExchangeCore&) = delete;
  ExchangeCore& operator=(const ExchangeCore&) = delete;

  // Where released market data goes (nullptr: nowhere). REQUIRES: before Start().
  void SetPublisher(FeedPublisher* publisher);
  // W0 = now: starts releasing market data. REQUIRES: called once.
  void Start();
  // Stops releasing and serving; an open session gets on_forced_disconnect("exchange
  // stopping"). Idempotent. The feed is the publisher's to end (MdServer::Stop).
  void Stop();

  // ---- order entry
  Result<SessionHandle> OpenSession(ReplyFn on_reply, ForcedDisconnectFn on_forced_disconnect);
  // An order-entry command (NewOrder, CancelOrder, ReplaceOrder, StatusRequest, MassCancel)
  // of the open session; it reaches the venue after the order-entry latency. Errors: not the
  // open session (closed, forced out, never opened), not a command, the link queue full.
  Status Submit(SessionHandle session, const Payload& command);
  // The session's connection is gone. cancel_on_disconnect: the venue cancels its open
  // orders (silently); otherwise they stay in the book. Unknown or closed handles: no-op.
  void CloseSession(SessionHandle session, bool cancel_on_disconnect);
  bool session_open() const;

  std::optional<InstrumentId> FindSymbol(std::string_view symbol) const;
  const ExchangeCounters& counters() const;
  const sim::VenueCounters& venue_counters() const;
  // An error met reading the market source (the feed then ended early), OK otherwise.
  Status market_status() const;
  const sim::SimVenue& venue() const;

  // ---- FeedSource
  const std::vector<InstrumentDef>& instruments() const override;
  Timestamp session_start() const override;
  uint64_t seed() const override;
  Timestamp MarketNow() const override;
  std::vector<Event> FeedSnapshot() const override;
  bool market_ended() const override;

 private:
  struct Impl;
  explicit ExchangeCore(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;  // shared: Asio handlers hold it weakly
};

}  // namespace td::server
