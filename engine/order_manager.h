// OrderManager: the engine's view of its orders under FIX 4.4 execution semantics
// (Volume 4, "Order State Change Matrices"): PendingNew -> New -> PartiallyFilled -> Filled,
// PendingCancel -> Canceled, PendingReplace -> (replaced: new ClOrdId, same order chain),
// Rejected, Expired; plus Unknown after a disconnect until an OrderStatusReport resolves it.
// Single-threaded, owned by the Engine.
//
// One record per order chain, keyed by the ClOrdId the order was first sent with; every id of
// the chain (replace ids, cancel-request ids) is an alias of that key. Venue races handled:
// a fill before the ack implies acceptance; a fill after a cancel request applies, and the
// later CancelAck/CancelReject of a filled order only clears the pending flag; a too-late
// cancel leaves the order live (or filled); a replace crossing a fill takes the venue's
// leaves; duplicate execution reports are dropped by exec id; a status report whose cum qty
// exceeds ours yields the missing fill once, and a later Fill already covered by it (fill
// cum_qty <= ours) does not move positions again. Replaces are tracked as a chain (see
// OrderRecord::replaces): a duplicate or late ReplaceAck changes nothing, a status report
// saying the id asked about was replaced (its ack lost) moves the order to the replace that
// followed it and asks about that one, and a report about an id the order has moved past
// says nothing of now (the current id is asked about instead).
//
// State digest (Digest): every open order in full, plus two running folds that cost O(1) per
// change instead of O(orders kept) per checkpoint: the state of each done order every time a
// venue message leaves it done (its close, and any late message that still touches it), and
// every exec id seen. So the digest covers the history of done orders, not only what is kept.
//
// Bounds: kMaxSeenExecIds exec ids are remembered (oldest forgotten first), and at most
// kMaxClosedOrders closed orders are kept (oldest closed dropped first).
#pragma once

#include <array>
#include <deque>
#include <set>
#include <vector>

#include "core/digest_writer.h"
#include "core/event.h"
#include "core/id_index.h"
#include "core/stable_slots.h"
#include "engine/engine.h"

namespace td::engine::internal {

inline constexpr size_t kMaxSeenExecIds = 1 << 18;
inline constexpr size_t kMaxClosedOrders = 1 << 14;
// The ids of one order's chain (its own, its cancel requests', its replaces'), for pruning.
// Most orders get two (their own and one cancel or replace): those are kept inline, so that a
// new order costs no allocation; more spill to the heap.
class AliasIds {
 public:
  void push_back(ClOrdId id) {
    if (inline_count_ < kInline) {
      inline_[inline_count_++] = id;
    } else {
      more_.push_back(id);
    }
  }
  template <typename F>
  void ForEach(F f) const {
    for (uint32_t i = 0; i < inline_count_; ++i) f(inline_[i]);
    for (ClOrdId id : more_) f(id);
  }

 private:
  static constexpr uint32_t kInline = 2;
  std::array<ClOrdId, kInline> inline_{};
  uint32_t inline_count_ = 0;
  std::vector<ClOrdId> more_;
};

struct OrderRecord {
  OrderState s;
  bool acked = false;          // the venue accepted it (ack, fill or status report)
  bool unknown_state = false;  // a disconnect left it unknown, until a status report
  bool flatten = false;        // sent by the kill switch
  ClOrdId cancel_req_id = 0;
  ClOrdId replace_req_id = 0;  // the last replace sent, with its price and quantity
  Price replace_price;
  Qty replace_qty;
  // The replaces sent after the current id and not known rejected, in send order. The venue
  // takes replaces in order, so an ack, or a status report, for one of them moves the order
  // to it and settles every one before it; an id not in here is a duplicate or a late answer.
  struct SentReplace {
    ClOrdId id = 0;
    Price price;
    Qty qty;
  };
  std::vector<SentReplace> replaces;
  AliasIds ids;  // every alias, for pruning
  // Bookkeeping, not state (not in the digest): whether OrderManager::awaiting_count_ counts
  // this record (see OrderManager::Recount).
  bool counted_awaiting = false;
};

bool IsTerminal(OrdStatus s);

// What applying one venue message did.
struct Applied {
  OrderRecord* order = nullptr;  // null when the message names no known order
  bool duplicate = false;        // a repeated exec id: nothing changed
  bool position_fill = false;    // positions must take fill_qty at fill_price, once
  InstrumentId instrument = 0;
  Side side = Side::kNone;
  Qty fill_qty;
  Price fill_price;
  Money fee;
  bool need_status = false;  // the venue does not know it: ask for its status
};

class OrderManager {
 public:
  OrderRecord& AddNew(const NewOrder& o, Timestamp now);
  void AddCancel(OrderRecord& r, ClOrdId cancel_id, Timestamp now);
  void AddReplace(OrderRecord& r, ClOrdId replace_id, Price price, Qty qty, Timestamp now);

  OrderRecord* Find(ClOrdId any_id);
  const OrderRecord* Find(ClOrdId any_id) const;

  // Applies a venue input (OrderAck ... RateLimitReject). Other payloads: no-op.
  Applied Apply(const Payload& in, Timestamp now);

  // SessionState kDisconnected: every open order becomes unknown-state.
  void MarkAllUnknown(Timestamp now);

  // Open orders (not terminal), by key; instrument 0 = all.
  std::vector<OrderRecord*> Open(InstrumentId instrument);
  std::vector<const OrderRecord*> Open(InstrumentId instrument) const;
  size_t open_count() const;
  // The summed leaves of the open orders on `side` of `instrument` (0 = all, as in Open()):
  // the risk gate's worst case, without building Open()'s vector (asked before every order).
  int64_t OpenLeaves(InstrumentId instrument, Side side) const;
  // Whether an open order waits for the venue: a cancel or replace unanswered, or its state
  // unknown. O(1) (it runs after every input when request_timeout is set).
  bool AnyAwaitingVenue() const { return awaiting_count_ != 0; }

  void Digest(DigestWriter* w) const;

 private:
  Applied ApplyVenue(const Payload& in, Timestamp now);
  void Refresh(OrderRecord& r);
  void Close(OrderRecord& r, OrdStatus status, Timestamp now);
  void Prune();
  Applied ApplyFill(const Fill& f, Timestamp now);
  Applied ApplyStatus(const OrderStatusReport& rep, Timestamp now);
  // Moves the order to replace `id` (its price and quantity as sent) if it is in
  // r.replaces, settling the replaces sent before it. False when it is not there.
  static bool MoveToReplace(OrderRecord& r, ClOrdId id);
  // Forgets replace `id` (rejected, or never seen by the venue).
  static void DropReplace(OrderRecord& r, ClOrdId id);
  // Points `id` at record `index` (replacing what it pointed at, if anything).
  void Alias(ClOrdId id, uint32_t index);
  // Whether `r` is open and waits for the venue (AnyAwaitingVenue's test for one order).
  static bool AwaitingVenue(const OrderRecord& r);
  // Brings awaiting_count_ up to date with `r` after a change to it. Every public mutator calls
  // it for each record it changed (a venue message changes at most the one it names).
  void Recount(OrderRecord& r);
  OrderRecord& Record(ClOrdId key) { return records_[ids_.Find(key)]; }
  const OrderRecord& Record(ClOrdId key) const { return records_[ids_.Find(key)]; }

  // The records kept, by index. A record never moves while it is kept, so an OrderRecord*
  // stays valid across later AddNew calls (the engine holds one while the strategy sends
  // orders). The slots of pruned records are reused (free_records_).
  StableSlots<OrderRecord> records_;
  std::vector<uint32_t> free_records_;
  // Any id of a chain (its key, replace and cancel-request ids) -> its record. Looked up on
  // every venue message and strategy query, never iterated (open_ gives the deterministic
  // order). The ids are the engine's own, handed out by counting.
  IdIndex ids_{1024, IdKeys::kSequential};
  // Keys of the orders not terminal, ascending: Open() walks these, not every order kept.
  // An order opens only in AddNew and closes only in Close. A sorted vector: a handful of
  // open orders, and keys are given in increasing order, so an insert lands at the back.
  std::vector<ClOrdId> open_;
  std::set<ExecId> seen_exec_;
  std::deque<ExecId> exec_fifo_;
  std::deque<ClOrdId> closed_fifo_;
  // The open orders for which AwaitingVenue() holds (kept by Recount; not state: a function
  // of the records).
  size_t awaiting_count_ = 0;
  uint64_t done_fold_ = 0;  // see "State digest" above
  uint64_t exec_fold_ = 0;
  DigestWriter fold_writer_;
};

}  // namespace td::engine::internal
