// LobsterReplay: rebuilds an L3 book (td::sim::OrderBook) from a LOBSTER message file and
// checks it against the orderbook file, message by message. LOBSTER's message file lists
// only the events that change the top LEVEL levels, so orders resting before 09:30 or
// outside that window are never added; their liquidity is kept per level as "unattributed"
// placeholder orders (pseudo ids from kLobsterPseudoIdBase), seeded from the first row and
// learned from the previous row whenever a level enters the window with a size the messages
// cannot explain. docs/lobster-replay.md, "Seeding" and "Reconstruction", has the method;
// the counters of LobsterReplayStats make every correction visible.
//
// Our own orders (owner >= 1) may stand in for historical ones (Substitute()): the feed's
// events on the historical order then act on ours, which takes its exact FIFO place
// (docs/lobster-replay.md, "Fidelity"). Single-threaded; a value owning its book.
//
//   LobsterReplay replay(LobsterInstrument(1, "GOOG"), reader.levels(), {.compare = true});
//   while (*reader.Next()) replay.Step(reader.message(), reader.row());
//   replay.stats().mismatched == 0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/event.h"
#include "core/status.h"
#include "marketdata/lobster.h"
#include "sim-exchange/order_book.h"

namespace td::marketdata {

// Order ids of placeholders for unattributed liquidity: kLobsterPseudoIdBase + n, n = 1, 2,
// ... in creation order (the seed's levels first: bids best first, then asks best first).
// LOBSTER's own ids are below 2^32 (type-6 pseudo ids are negative and never rest), so the
// spaces cannot meet.
inline constexpr VenueOrderId kLobsterPseudoIdBase = VenueOrderId{1} << 62;
inline bool IsLobsterPseudoId(VenueOrderId id) { return id > kLobsterPseudoIdBase; }

// One side of a book window: levels best first, and the worst price the window shows when it
// is full (LEVEL occupied levels), beyond which the book is unknown. No boundary: the side
// is shown whole.
struct LobsterSideWindow {
  std::vector<LobsterLevel> levels;
  std::optional<int64_t> boundary;
};

struct LobsterWindow {
  LobsterSideWindow bids, asks;
  const LobsterSideWindow& side(Side s) const { return s == Side::kBuy ? bids : asks; }
  LobsterSideWindow& side(Side s) { return s == Side::kBuy ? bids : asks; }
};

// The window an orderbook row shows.
void RowWindow(const LobsterBookRow& row, int levels, LobsterWindow* out);

// The book before message 1: row 1 with the effect of message 1 undone (an add taken out, a
// cancel, delete or execution put back; types 5-7 change nothing), and row 1's boundaries.
// `undo_conflicts` counts an add larger than its level in row 1 (the level is removed).
LobsterWindow SeedWindow(const LobsterMessage& first, const LobsterBookRow& first_row, int levels,
                         uint64_t* undo_conflicts = nullptr);

struct LobsterReplayOptions {
  bool compare = true;  // compare each row (off for benchmarks of the rebuild alone)
};

struct LobsterReplayStats {
  uint64_t rows = 0;     // messages stepped
  uint64_t matched = 0;  // rows equal to the book (in the verifiable region)
  uint64_t mismatched = 0;
  std::optional<uint64_t> first_mismatch_row;  // 1-based, = the message's line
  std::string first_mismatch;                  // what differed there
  uint64_t seeded_levels = 0;              // placeholders of the seed (the book before message 1)
  uint64_t levels_learned = 0;             // levels whose size was set from the previous row
  uint64_t learned_qty = 0;                // shares added or removed by those corrections
  uint64_t levels_dropped = 0;             // stale levels found gone from the window
  uint64_t unknown_order_refs = 0;         // types 2-4 naming an order not resting in the book
  uint64_t attribution_shortfalls = 0;     // a known order had less than the feed referred to
  uint64_t delete_leftovers = 0;           // a delete left quantity on a known order (see docs)
  uint64_t unresolved_qty = 0;             // shares a reduction could not find at its level
  uint64_t rows_with_entering_levels = 0;  // a level entered the window from beyond it
  uint64_t rejected_adds = 0;              // an add the book refused (a reused live id)
  uint64_t unexpected_fills = 0;   // an add or placeholder that crossed (never in clean data)
  uint64_t hidden_executions = 0;  // type 5
  uint64_t crosses = 0;            // type 6
  uint64_t halts = 0;              // type 7
  uint64_t our_refs_clamped = 0;   // feed events on a substituted order beyond what ours had
};

class LobsterReplay {
 public:
  LobsterReplay(const InstrumentDef& instrument, int levels, LobsterReplayOptions options = {});

  // The feed's add of `historical_id` (still to come) becomes `our_id`, owned by `owner`;
  // its later cancels, deletes and executions act on `our_id`. REQUIRES: before the add is
  // stepped; our_id unique, not a LOBSTER or pseudo id; owner >= 1.
  void Substitute(VenueOrderId historical_id, VenueOrderId our_id, sim::ParticipantId owner);

  // Message i with row i (the book after it). The first call seeds the book from them;
  // every later one first reconciles the window of row i-1. Then the message is applied,
  // and row i compared when options.compare.
  void Step(const LobsterMessage& m, const LobsterBookRow& row, Timestamp ts);

  // Every book event of the last Step, in order (reconciliation included).
  const std::vector<sim::BookEvent>& events() const { return events_; }
  const LobsterReplayStats& stats() const { return stats_; }
  const sim::OrderBook& book() const { return book_; }
  int levels() const { return levels_; }

 private:
  struct Substitution {
    VenueOrderId our_id = 0;
    sim::ParticipantId owner = 0;
    Side side = Side::kNone;
    int64_t price = 0;
    int64_t hist_leaves = 0;  // what the historical order still has, per the feed
  };

  void Seed(const LobsterMessage& m, const LobsterBookRow& row);
  void Reconcile(const LobsterWindow& prev);
  bool ReconcileSide(Side side, const LobsterSideWindow& w, bool add_phase);
  void Apply(const LobsterMessage& m, Timestamp ts);
  void ApplyToSubstitute(const LobsterMessage& m, Substitution* sub, Timestamp ts);
  void CancelKnown(const LobsterMessage& m);
  void ExecuteKnown(const LobsterMessage& m);
  bool Compare(const LobsterBookRow& row, uint64_t row_number);
  bool CompareSide(Side side, const std::vector<LobsterLevel>& want,
                   const std::optional<int64_t>& boundary, std::string* diff);

  // Takes `qty` shares of unattributed liquidity out of level (side, price): placeholders
  // front to back, then historical orders back to front; never ours.
  void ReduceUnattributed(Side side, int64_t price, int64_t qty);
  void AddPlaceholder(Side side, int64_t price, int64_t qty);
  void RemoveLevel(Side side, int64_t price);
  // The level's quantity as the historical feed sees it: ours replaced by the historical
  // orders they stand in for.
  int64_t HistoricalQty(Side side, int64_t price, int64_t book_qty) const;
  // Our levels within the window's boundary, best first, into levels_buf_.
  size_t LevelsWithin(Side side, const std::optional<int64_t>& boundary);
  std::vector<VenueOrderId>& Ledger(Side side, int64_t price);
  void Track(Side side, int64_t price, VenueOrderId id);
  void Run(size_t from);  // counts unexpected fills among events_[from..]

  static int64_t Key(Side side, int64_t price) { return price * 2 + (side == Side::kBuy); }

  sim::OrderBook book_;
  const int levels_;
  const LobsterReplayOptions options_;
  LobsterReplayStats stats_;
  bool seeded_ = false;
  LobsterWindow prev_;
  VenueOrderId next_pseudo_ = kLobsterPseudoIdBase;
  std::vector<sim::BookEvent> events_;
  std::vector<sim::LevelView> levels_buf_;
  std::vector<LobsterLevel> compare_buf_;
  // Per level, the ids that may rest there in arrival order (FIFO); ids that left the book
  // are dropped lazily. Lookups only: never iterated, so hash order cannot reach an output.
  struct LevelLedger {
    std::vector<VenueOrderId> ids;
    size_t compact_at = 0;  // compact when ids reaches this size (0: not yet set)
  };
  std::unordered_map<int64_t, LevelLedger> ledger_;
  std::unordered_map<VenueOrderId, Substitution> subs_;                // by historical id
  std::unordered_map<int64_t, std::vector<VenueOrderId>> sub_levels_;  // Key -> historical ids
  std::unordered_set<VenueOrderId> our_ids_;
};

struct LobsterCheckResult {
  LobsterReplayStats stats;
  int levels = 0;
  uint64_t time_artefacts = 0;
};

// Reads a message file and its orderbook file and steps a LobsterReplay through every
// message: `tapedeck book check-lobster`. Input errors (file:line) are the non-ok results;
// mismatches are in the stats.
Result<LobsterCheckResult> CheckLobster(const std::string& message_path,
                                        const std::string& orderbook_path,
                                        LobsterReplayOptions options = {},
                                        const LobsterReaderOptions& reader_options = {});

}  // namespace td::marketdata
