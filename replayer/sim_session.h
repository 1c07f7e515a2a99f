// SimSession: the engine and the simulated venue on one virtual clock, joined by simulated
// links (DESIGN.md, "Modes of the replayer"). It is the core of `simulate` and of the second
// half of `what-if`.
//
// Links, from the scenario's LatencyProfile, each FIFO (a message never overtakes an earlier
// one on the same link, except an ack the fault model delays):
// - engine -> venue: order_entry latency; a command sent while the session is down is lost;
// - venue -> engine: venue_response latency; acks (OrderAck, CancelAck, ReplaceAck) pass the
//   fault model's DecideAck (drop, duplicate, delay); a reply that arrives after the session
//   dropped is lost;
// - market data: the venue sees each record at its ts, the engine at ts + market_data latency;
//   after an L3 record that changed the venue book's touch, the feed also publishes an
//   L1Quote of the new touch (the engine keeps no L3 book of its own). The touch is the
//   market's: our own displayed quantity is taken out and a level of only ours is skipped
//   (the first kTouchLevelsScanned levels are looked at), so a strategy never quotes against
//   its own orders. Recorded L1Quotes of an instrument with L3 data (say, from a simulated
//   journal used as the market) are dropped: its touch comes from the book only.
// Disconnects come from VenueFaults::NextDisconnect: the engine gets SessionState
// kDisconnected at once, the venue applies the open-order policy, and at reconnect_at the
// engine gets kLoggedOn. Operator commands from the config reach the engine at their time.
//
// With `[session] protocol = "fix"` the order-entry links carry FIX 4.4 instead (FixLink,
// replayer/fix_link.h): the engine's commands are encoded by its FIX session, and each wire
// message goes over the link with the order_entry or venue_response latency. The venue's
// session decodes it, and the venue's replies come back the same way. Each wire message is
// lost with session.wire_loss (a sequence gap, which the receiver has resent). A
// disconnect closes the transport: the messages in flight are lost, the engine gets
// kDisconnected from its session, and at reconnect_at the sessions log on again and resend
// what the gap lost. A session that ends the connection itself (Logout, logon timeout)
// reconnects after session.reconnect_interval. The engine gets kLoggedOn when its Logon is
// answered. Ack faults act on the venue's replies before they are encoded (a dropped ack
// is never sent, a delayed one is sent late), and the engine's wire messages are recorded
// as WireMessage records, as a paper session records them. The FIX sessions' heartbeats and
// timeouts run on the virtual clock.
//
// Every engine input is recorded (through the RecordSink) just before it is dispatched, and
// every output right after, at the dispatch time: the journal of a run in the live format.
// Venue-side events are not recorded. Randomness: the engine's Rng is seeded with `seed`
// (the journal header's), the venue and the links with seeds derived from it.
// Single-threaded.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/event.h"
#include "core/rng.h"
#include "engine/engine.h"
#include "replayer/event_hash.h"
#include "replayer/fix_link.h"
#include "replayer/market_source.h"
#include "replayer/run_config.h"
#include "replayer/scheduler.h"
#include "sim-exchange/faults.h"
#include "sim-exchange/venue.h"

namespace td::replayer {

// After the market data ends, a run without a set duration goes on for this long, so that
// the last replies and the kill switch's flattening can land.
inline constexpr Duration kDrainAfterMarket = Duration::Seconds(5);
inline constexpr size_t kTouchLevelsScanned = 16;
// What-if: exec ids of simulated fills after T start here, so that they never collide with the
// recorded venue's exec ids the engine has already seen.
inline constexpr ExecId kWhatIfExecIdBase = ExecId{1} << 62;

class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual void Record(Timestamp ts, const Payload& payload) = 0;
};

class NullSink : public RecordSink {  // records nothing
 public:
  void Record(Timestamp, const Payload&) override {}
};

struct LinkCounters {
  uint64_t acks_dropped = 0, acks_duplicated = 0, acks_delayed = 0;
  uint64_t commands_lost = 0;  // sent while the session was down
  uint64_t replies_lost = 0;   // arrived after the session dropped
  uint64_t disconnects = 0;
  // FIX links only.
  uint64_t wire_messages = 0;        // carried over the links, both ways
  uint64_t wire_lost = 0;            // lost to session.wire_loss
  uint64_t wire_lost_in_flight = 0;  // in flight when the transport went down
  FixLinkCounters fix;
};

struct SessionResult {
  uint64_t inputs = 0, outputs = 0;
  uint64_t event_hash = 0;
  uint64_t engine_digest = 0, venue_digest = 0;
  engine::EngineSummary engine;
  sim::VenueCounters venue;
  sim::SimVenue::Holdings venue_holdings;  // the truth engine.positions and open_orders match
  LinkCounters links;
  LinkProtocol protocol = LinkProtocol::kDirect;
  Timestamp start, end;
};

// Derives independent seeds from the run seed (SplitMix64 of seed ^ stream).
uint64_t DeriveSeed(uint64_t seed, uint64_t stream);
// The streams of a run's seed: the venue's Rng and the links' (shared with the real-time
// exchange, sim-exchange/server/exchange_core.h, so both draw alike).
inline constexpr uint64_t kVenueSeedStream = 1;
inline constexpr uint64_t kLinkSeedStream = 2;
inline constexpr uint64_t kWireSeedStream = 3;  // FIX links' wire loss

// The venue's models from a scenario (its rate limit, faults, slippage and fees).
sim::VenueConfig VenueConfigOf(const sim::Scenario& s);

class SimSession {
 public:
  // REQUIRES: config validated (ParseRunConfig). Errors: the strategy or venue config.
  static Result<std::unique_ptr<SimSession>> Create(const RunConfig& config,
                                                    std::vector<InstrumentDef> instruments,
                                                    uint64_t seed, Timestamp t0, RecordSink* sink);
  ~SimSession();

  // The session opens at t0: the strategy's OnStart, then SessionState kLoggedOn.
  void Start();
  // Runs until `end`, pulling market data from `source` (a run without an end passes
  // Timestamp::Max(): it ends kDrainAfterMarket after the last record).
  void Run(MarketSource& source, Timestamp end);
  SessionResult Finish() const;
  // The engine's outputs are hashed by whoever reads the records (Simulate's journal thread,
  // journal::RecordObserver): the session hashes nothing, and Finish() leaves event_hash 0
  // for that reader's digest. Call before Start().
  void HashOutputsElsewhere() { hash_outputs_ = false; }

  // What-if (replayer/what_if.h): StartRecorded() instead of Start(); then the journal's
  // inputs up to T through FeedRecorded() (market data also reaches the venue; the engine's
  // commands reach the venue at once and its replies are discarded, so the venue knows our
  // orders); then EndRecorded(T) and Run() for the simulated part.
  void StartRecorded();
  void FeedRecorded(Timestamp ts, const Payload& input);
  void EndRecorded(Timestamp t);
  Timestamp now() const { return sched_.now(); }

 private:
  void StartEngine();  // the engine's OnStart outputs, recorded and routed
  enum class ItemKind : uint8_t {
    kEngineInput = 1,
    kVenueCommand,
    kVenueAdmitted,
    kTimer,
    kDisconnect,
    kReconnect,
    kWireToVenue,  // FIX links: a WireMessage in flight
    kWireToEngine,
    kVenueReply,  // FIX links: a delayed ack, encoded when it is due
    kFixTimer,    // FIX links: the sessions' next timer deadline
  };
  struct Item {
    ItemKind kind = ItemKind::kEngineInput;
    uint64_t epoch = 0;  // the session epoch it was sent in (link messages only)
    bool from_venue = false;
    // The payload, in an Event (seq 0, ts the due time) so that it reaches the engine or the
    // venue where it lies, without an Event built around a copy of it.
    Event event;
    std::optional<sim::Disconnect> disconnect;
  };

  SimSession(const RunConfig& config, std::vector<InstrumentDef> instruments, uint64_t seed,
             Timestamp t0, RecordSink* sink, std::unique_ptr<engine::Engine> engine,
             sim::SimVenue venue, sim::VenueFaults faults);
  // Schedules an item built in place in the scheduler's slot (no temporary Item to move).
  template <typename P>
  void Post(Timestamp at, ItemKind kind, uint64_t epoch, bool from_venue, P&& payload) {
    Item& item = sched_.Add(at);
    item.kind = kind;
    item.epoch = epoch;
    item.from_venue = from_venue;
    item.event.seq = 0;
    item.event.ts = at;
    if constexpr (std::is_same_v<std::remove_cvref_t<P>, Payload>) {
      AssignPayload(std::forward<P>(payload), &item.event.payload);
    } else {
      AssignKind(std::forward<P>(payload), &item.event.payload);
    }
    item.disconnect.reset();
  }
  void Handle(Timestamp now, Item&& item);  // the scheduler's item, consumed in place
  void HandleMarketData(Event& md);         // consumes md's payload
  // `input` at its ts (its payload is consumed: it may be moved from).
  void DispatchToEngine(Event& input);
  void DispatchToEngine(Timestamp now, Payload&& input) {
    Event e{0, now, std::move(input)};
    DispatchToEngine(e);
  }
  void HandleOutput(Timestamp now, const Payload& out);
  // Consumes `replies` (its payloads are moved into the link; the caller clears it before
  // reusing it). It only schedules (over FIX: encodes, then schedules the wire messages): it
  // never reaches the venue or the engine, so `replies` may be the venue's scratch replies_.
  void SendToEngine(Timestamp now, std::vector<Payload>& replies);
  // The ack fault model on one reply (one draw for an ack, none otherwise), counted: how
  // many copies go now; 0 when dropped, or when delayed (then *delay is set).
  int AckFault(const Payload& reply, std::optional<Duration>* delay);
  void ScheduleNextDisconnect(Timestamp from);
  // The L1 feed: the venue book's touch after an L3 record, when it changed.
  std::optional<L1Quote> TouchChange(const L3Order& l3);
  // A command arriving at the venue (from the link, or decoded by the venue's FIX session):
  // executed, or queued by the rate limiter as a kVenueAdmitted item.
  void ExecuteAtVenue(Timestamp now, Item&& item);
  // FIX links: carries what the link produced (wire messages onto the links, decoded
  // commands to the venue, decoded inputs to the engine) and re-arms the session timer.
  void ProcessFix(Timestamp now, FixEffects& fx);
  void CarryWire(Timestamp now, bool to_venue, std::string bytes);
  void ArmFixTimer(Timestamp now);
  // Closes the FIX transport: in-flight messages are lost, the venue applies `policy`.
  void FixTransportDown(Timestamp now, std::string_view why, sim::OpenOrderPolicy policy);
  void FixTransportUp(Timestamp now);
  // After a reconnect that follows an outage, or when the stale-snapshot fault fires: one
  // L1Quote per L3 instrument, current or stale_book_age old.
  void PublishSnapshotAfterReconnect(Timestamp now, bool after_outage);

  sim::LatencyProfile latency_;
  SessionLinkConfig link_config_;
  std::unique_ptr<FixLink> fix_;                   // FIX links only
  Rng wire_rng_;                                   // session.wire_loss draws
  Timestamp fault_down_until_ = Timestamp::Min();  // FIX: a fault disconnect's reconnect_at
  Timestamp fix_timer_at_ = Timestamp::Max();      // FIX: the earliest kFixTimer scheduled
  RecordSink* sink_;
  std::unique_ptr<engine::Engine> engine_;
  sim::SimVenue venue_;
  sim::VenueFaults faults_;
  Rng link_rng_;
  Scheduler<Item> sched_;
  Timestamp t0_;
  std::vector<ScheduledCommand> operators_;
  bool connected_ = true;
  bool recorded_ = false;  // what-if's replayed prefix
  ExecId exec_id_offset_ = 0;
  uint64_t epoch_ = 0;
  Timestamp last_to_venue_, last_to_engine_, last_md_;  // FIFO links
  std::map<InstrumentId, L1Quote> touch_;               // last published touch
  // Outage: until this time the venue is down: the engine gets no market data (the book still
  // follows the history), and at the reconnect it gets a snapshot of each touch.
  Timestamp outage_until_ = Timestamp::Min();
  // With stale_book_after_reconnect: the touches of the last stale_book_age (and the one
  // before), so a reconnect can publish the touch as it was that long ago.
  std::map<InstrumentId, std::deque<std::pair<Timestamp, L1Quote>>> touch_history_;
  std::map<TimerId, Timestamp> timers_;  // active timers: fire_at
  EventHash hash_;
  bool hash_outputs_ = true;  // false: HashOutputsElsewhere()
  SessionResult result_;
  std::vector<Payload> out_, replies_, dispatched_;  // scratch
  // The book TouchChange last read the touch from (nullptr: read it again), and per side
  // (buy, sell) the price it found the touch at (nullopt: none found).
  const sim::OrderBook* touch_book_ = nullptr;
  std::optional<Price> touch_bound_[2];
};

}  // namespace td::replayer
