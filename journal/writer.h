// JournalWriter: records events into a journal directory. The caller's thread (the engine's,
// the recorder's) only copies each event into a preallocated ring; a journal thread encodes
// blocks (Cap'n Proto), compresses them (LZ4), checksums and chains them, writes them and
// syncs per the durability policy. Single producer: Append() must be called from one thread.
// Append() makes no syscall in the steady state: the producer wakes a sleeping journal thread
// only when a batch (kWakeDepth events) is waiting; otherwise that thread wakes by itself
// within the linger.
//
// When the ring is full, the backpressure policy decides: kBlock waits for space; kDropAndCount
// drops the event and counts it, and the next event that fits is preceded by a RecordsDropped
// record, so a loss is never silent. Sequence numbers are assigned here: 1, 2, 3, ... with no
// gap (a dropped event gets none). Timestamps must not decrease.
//
//   auto w = JournalWriter::Create("session.journal", header, {});
//   (*w)->Append(ts, L3Order{...});
//   Status s = (*w)->Close();
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "core/event.h"
#include "core/status.h"
#include "core/time.h"
#include "journal/file.h"
#include "journal/format.h"
#include "journal/scan.h"

namespace td::schema {
class BlockEncoder;
}

namespace td::journal {

// A record whose encoding exceeds this is not journaled; an Annotation saying so (kind, size,
// sequence number) takes its place.
inline constexpr uint32_t kMaxRecordBytes = 4u << 20;
// A sleeping journal thread is woken by the producer once this many events wait (an eighth
// of the ring when that is less); otherwise it wakes by itself within the linger.
inline constexpr uint64_t kWakeDepth = 4096;

enum class Backpressure : uint8_t { kBlock, kDropAndCount };

enum class Durability : uint8_t {
  kNone,        // the OS writes back when it likes; a machine crash may lose the tail
  kEveryBlock,  // fdatasync after every block
  kInterval,    // fdatasync at most every sync_interval while there is unsynced data
};

// Sees every record the journal thread takes from the ring, once each, in sequence order, on
// the journal thread: a digest of the records kept beside the journal costs the producer
// nothing (the simulator's event hash). It sees what the journal holds: not a record dropped
// under kDropAndCount but the RecordsDropped record in its place, not an oversized record but
// the Annotation that replaces it. It must outlive Close(), which joins the journal thread;
// what it computed may be read once Close() returns.
class RecordObserver {
 public:
  virtual ~RecordObserver() = default;
  virtual void OnRecord(const Event& record) = 0;
};

struct WriterOptions {
  uint32_t queue_capacity = 1u << 16;         // events; a power of two
  uint32_t block_target_bytes = 64u << 10;    // encoded payload per block, about
  uint64_t segment_max_bytes = 256ull << 20;  // a new segment starts past this size
  Backpressure backpressure = Backpressure::kBlock;
  Durability durability = Durability::kNone;
  Duration sync_interval = Duration::Millis(100);
  // How long a partly filled block waits for more events before it is written anyway.
  Duration linger = Duration::Millis(2);
  bool compress = true;
  // Close() fdatasyncs the last segment and the index, so that a cleanly closed journal is on
  // disk. Off for a journal that can be made again bit for bit (a simulation's): then the OS
  // writes it back when it likes, as kNone says.
  bool sync_on_close = true;
  // The format to write: kFormatVersion (2, the columns layout), or 1 (the records layout),
  // for a journal that readers of earlier builds must read.
  uint32_t format_version = kFormatVersion;
  RecordObserver* observer = nullptr;  // not owned
};

struct WriterStats {
  uint64_t appended = 0;         // events accepted (with a sequence number)
  uint64_t dropped = 0;          // events dropped under kDropAndCount
  uint64_t records_written = 0;  // events in blocks handed to the OS
  uint64_t blocks_written = 0;
  uint64_t raw_bytes = 0;     // encoded payload bytes before compression
  uint64_t stored_bytes = 0;  // bytes written to segment files, headers included
  uint64_t syncs = 0;
  uint32_t segments = 0;
  uint32_t queue_high_water = 0;
};

class JournalWriter {
 public:
  // Creates `dir` (which must not exist, or be empty) and the first segment.
  static Result<std::unique_ptr<JournalWriter>> Create(const std::string& dir,
                                                       const JournalHeader& header,
                                                       const WriterOptions& options);
  ~JournalWriter();  // closes if Close() was not called; errors are then only logged

  // The hot path. Returns the sequence number given to the event, or 0 when it was dropped
  // (kDropAndCount with a full queue, or after a write error). REQUIRES: ts >= the last ts.
  // `payload` is one of Payload's kinds, or a Payload.
  template <typename T>
  SeqNo Append(Timestamp ts, const T& payload) {
    Slot* slot = Reserve(ts);
    if (slot == nullptr) return 0;
    slot->ts = ts.ns;
    if constexpr (std::is_same_v<T, Payload>) {
      ForKind(payload.index(), [&](auto kind) {
        Store(*std::get_if<typename decltype(kind)::type>(&payload), slot);
      });
    } else {
      Store(payload, slot);  // no Payload made of it on the way
    }
    return Publish(slot);
  }

  // Waits until every event appended so far is written to the OS (and synced when the
  // durability policy is not kNone). Returns the first write error, if any.
  Status Flush();
  // Flush, fdatasync (unless !sync_on_close), write the index file, stop the journal thread.
  // Idempotent.
  Status Close();

  WriterStats stats() const;
  const std::string& dir() const { return dir_; }
  // The chain hash of the last block written: a digest of the journal so far.
  uint64_t last_chain() const;

 private:
  // A ring slot, on its own two cache lines. A kind that is trivially copyable (market data,
  // the order messages, timers, checkpoints: all but the few that own strings or vectors) is
  // copied into `body` as bytes: a record costs the producer a copy of its struct, not a
  // variant assignment. A kind that owns memory lives in the side ring at the slot's index,
  // assigned in place so that its strings keep their capacity. The record's sequence number is
  // not stored: slot position p (counted from 0 since the start) holds sequence number p + 1.
  static constexpr size_t kSlotBody = 112;
  struct alignas(64) Slot {
    int64_t ts;
    uint8_t kind;  // the Payload index
    alignas(8) unsigned char body[kSlotBody];
  };
  static_assert(sizeof(Slot) == 128);
  template <typename T>
  static constexpr bool kInline = std::is_trivially_copyable_v<T> && sizeof(T) <= kSlotBody &&
                                  alignof(T) <= 8;

  static constexpr std::array<bool, kPayloadKindCount> kInlineKinds =
      []<size_t... I>(std::index_sequence<I...>) {
    return std::array<bool, kPayloadKindCount>{kInline<std::variant_alternative_t<I, Payload>>...};
  }
  (std::make_index_sequence<kPayloadKindCount>{});

  template <typename T>
  void Store(const T& payload, Slot* slot) {
    slot->kind = static_cast<uint8_t>(kKindIndex<T>);
    if constexpr (kInline<T>) {
      std::memcpy(slot->body, &payload, sizeof(T));
    } else {
      AssignKind(payload, &Side(static_cast<size_t>(slot - ring_.get())).payload);
    }
  }
  // The side ring's event at `index`, constructed at its first use (most runs never use it).
  Event& Side(size_t index);
  // The record at ring position `pos` as an Event (an inline kind is copied into `scratch_`);
  // valid until the next call. Journal thread only.
  Event& Load(uint64_t pos);

  JournalWriter(std::string dir, JournalHeader header, WriterOptions options);
  Status Start();
  // The slot for the next record: inlined for the common case (room in the ring, no loss to
  // report, no write error), ReserveSlow for the rest.
  Slot* Reserve(Timestamp ts) {
    const uint64_t h = head_.load(std::memory_order_relaxed);
    if (ts.ns >= last_ts_ && h - cached_tail_ < options_.queue_capacity && pending_dropped_ == 0 &&
        !failed_.load(std::memory_order_relaxed)) [[likely]] {
      return &ring_[h & mask_];
    }
    return ReserveSlow(ts);
  }
  Slot* ReserveSlow(Timestamp ts);
  // The record's sequence number is its position + 1: the new head.
  SeqNo Publish(Slot* slot) {
    last_ts_ = slot->ts;
    const uint64_t h = head_.load(std::memory_order_relaxed) + 1;
    head_.store(h, std::memory_order_release);
    if (h - cached_tail_ > high_water_) NewHighWater(h - cached_tail_);
    if (consumer_sleeping_.load(std::memory_order_relaxed)) MaybeWake(h);
    return h;
  }
  void NewHighWater(uint64_t depth);
  void MaybeWake(uint64_t head);
  uint64_t PublishDroppedNote(uint64_t head);
  bool WaitForSpace(uint64_t head, uint64_t needed);
  void Wake();
  // The journal thread's wait: until the producer wakes it (wake_depth_ more events than
  // were waiting, a flush, the close) or `at_most` passes.
  void SleepUntilWoken(std::unique_lock<std::mutex>& lock, uint64_t tail,
                       std::chrono::nanoseconds at_most);
  static std::chrono::nanoseconds IdleWait(Duration d);  // d, within [100 us, 10 ms]
  void Run();
  // `observe`: the records are shown to options_.observer (false when a block being split is
  // written again in halves, its records seen already).
  Status WriteBlock(uint64_t from, uint64_t count, bool observe = true);
  Status OpenSegment();
  Status SyncIfDue(bool force);
  uint64_t CountForBlock(uint64_t tail, uint64_t available);

  const std::string dir_;
  const JournalHeader header_;
  const WriterOptions options_;
  const uint64_t mask_;
  // The producer wakes a sleeping journal thread once this many events wait.
  const uint64_t wake_depth_;
  // Slots are written by the producer and read by the journal thread. The ring is zeroed when
  // made, so that its pages are in memory before the first Append, not faulted in by it.
  std::unique_ptr<Slot[]> ring_;
  // The side ring: raw storage for queue_capacity events, side_live_[i] once the i-th is
  // constructed. Its pages are touched only by the kinds that use it.
  struct SideDeleter {
    void operator()(Event* p) const;
  };
  std::unique_ptr<Event, SideDeleter> side_;
  std::unique_ptr<bool[]> side_live_;

  // Producer side.
  alignas(64) std::atomic<uint64_t> head_{0};  // next slot to fill
  uint64_t cached_tail_ = 0;
  uint64_t high_water_ = 0;  // the deepest queue seen; queue_high_water_ is its copy for stats()
  int64_t last_ts_ = INT64_MIN;
  uint64_t pending_dropped_ = 0;
  Timestamp dropped_first_ts_, dropped_last_ts_;
  std::atomic<uint64_t> dropped_{0};

  // Consumer side.
  alignas(64) std::atomic<uint64_t> tail_{0};  // next slot to write
  std::atomic<bool> consumer_sleeping_{false};
  std::atomic<uint64_t> wake_at_depth_{0};  // the queue depth that wakes the sleeping thread
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> flush_target_{0};  // write everything below this head now
  std::atomic<uint64_t> flushed_{0};       // slots handed to the OS (and synced if asked)
  std::mutex mu_;
  std::condition_variable wake_consumer_;
  std::condition_variable wake_producer_;

  // Journal thread only (and Close() after the thread stopped).
  std::unique_ptr<schema::BlockEncoder> encoder_;
  std::vector<uint8_t> header_message_;
  AppendFile segment_;
  uint32_t segment_index_ = 0;
  uint64_t chain_ = 0;
  std::vector<uint8_t> out_;  // the block being sealed (only grows)
  Event scratch_;             // Load()'s copy of an inline record
  std::vector<SegmentInfo> index_segments_;
  std::vector<IndexEntry> index_blocks_;
  int64_t last_sync_ns_ = 0;
  bool unsynced_ = false;
  Status error_;  // first write error; guarded by mu_ once set
  std::atomic<bool> failed_{false};
  std::atomic<uint64_t> last_chain_{0};
  std::atomic<uint32_t> queue_high_water_{0};

  mutable std::mutex stats_mu_;
  WriterStats stats_;  // consumer-side counters, under stats_mu_

  std::thread thread_;
  bool closed_ = false;
};

}  // namespace td::journal
