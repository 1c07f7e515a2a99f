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

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <variant>

#include "core/event.h"
#include "core/status.h"
#include "core/time.h"
#include "journal/file.h"
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
    Event* slot = Reserve(ts);
    if (slot == nullptr) return 0;
    slot->ts = ts;
    if constexpr (std::is_same_v<T, Payload>) {
      AssignPayload(payload, &slot->payload);
    } else {
      AssignKind(payload, &slot->payload);  // no Payload made of it on the way
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
  JournalWriter(std::string dir, JournalHeader header, WriterOptions options);
  Status Start();
  Event* Reserve(Timestamp ts);
  SeqNo Publish(Event* slot);
  uint64_t PublishDroppedNote(uint64_t head);
  bool WaitForSpace(uint64_t head, uint64_t needed);
  void Wake();
  // The journal thread's wait: until the producer wakes it (wake_depth_ more events than
  // were waiting, a flush, the close) or `at_most` passes.
  void SleepUntilWoken(std::unique_lock<std::mutex>& lock, uint64_t tail,
                       std::chrono::nanoseconds at_most);
  static std::chrono::nanoseconds IdleWait(Duration d);  // d, within [100 us, 10 ms]
  void Run();
  Status WriteBlock(uint64_t from, uint64_t count);
  Status OpenSegment();
  Status SyncIfDue(bool force);
  uint64_t CountForBlock(uint64_t tail, uint64_t available);

  const std::string dir_;
  const JournalHeader header_;
  const WriterOptions options_;
  const uint64_t mask_;
  // The producer wakes a sleeping journal thread once this many events wait.
  const uint64_t wake_depth_;
  // A ring slot on its own cache lines (an Event is two of them): a slot is written by the
  // producer and read by the journal thread, so one that straddled a third line would move
  // that line between the cores too.
  struct alignas(64) Slot : Event {};
  std::unique_ptr<Slot[]> ring_;

  // Producer side.
  alignas(64) std::atomic<uint64_t> head_{0};  // next slot to fill
  uint64_t cached_tail_ = 0;
  SeqNo next_seq_ = 1;
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
