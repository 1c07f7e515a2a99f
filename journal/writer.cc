#include "journal/writer.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "journal/block.h"
#include "journal/format.h"
#include "journal/index.h"
#include "journal/reader.h"
#include "schema/codec.h"

namespace td::journal {
namespace {

int64_t MonotonicNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// A rough upper estimate of a record's encoded size, to cut blocks near the target size
// without encoding twice. Every kind whose estimate is not kFixed owns a string or a vector,
// so it is never stored inline in a ring slot: CountForBlock counts an inline record as kFixed
// without looking at it. kFixed is such a record in the columns layout: its timestamp, its
// kind and its struct (58 bytes for an L3Order, the bulk of a market-data journal).
constexpr size_t kFixed = 64;

size_t EstimateBytes(const Event& e) {
  return std::visit(
      [](const auto& p) -> size_t {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, L2Snapshot>) {
          return kFixed + 16 * (p.bids.size() + p.asks.size());
        } else if constexpr (std::is_same_v<T, WireMessage> || std::is_same_v<T, Annotation>) {
          const std::string& s = [&]() -> const std::string& {
            if constexpr (std::is_same_v<T, WireMessage>)
              return p.bytes;
            else
              return p.text;
          }();
          return kFixed + s.size();
        } else if constexpr (std::is_same_v<T, OrderReject> || std::is_same_v<T, CancelReject> ||
                             std::is_same_v<T, SessionState>) {
          return kFixed + p.text.size();
        } else if constexpr (std::is_same_v<T, OperatorCommand>) {
          return kFixed + p.key.size() + p.value.size() + p.origin.size();
        } else if constexpr (std::is_same_v<T, RiskEvent>) {
          return kFixed + p.rule.size() + p.text.size();
        } else {
          return kFixed;
        }
      },
      e.payload);
}

// Format 1 journals hold records-layout blocks (block version 1), format 2 columns.
schema::BlockLayout BlockLayoutOf(uint32_t format_version) {
  return format_version == 1 ? schema::BlockLayout::kRecords : schema::BlockLayout::kColumns;
}

}  // namespace

JournalWriter::JournalWriter(std::string dir, JournalHeader header, WriterOptions options)
    : dir_(std::move(dir)),
      header_(std::move(header)),
      options_(options),
      mask_(options.queue_capacity - 1),
      wake_depth_(std::clamp<uint64_t>(options.queue_capacity / 8, 1, kWakeDepth)),
      ring_(new Slot[options.queue_capacity]()),
      side_(static_cast<Event*>(::operator new(sizeof(Event) * options.queue_capacity))),
      side_live_(new bool[options.queue_capacity]()),
      encoder_(std::make_unique<schema::BlockEncoder>(BlockLayoutOf(options.format_version))) {}

void JournalWriter::SideDeleter::operator()(Event* p) const { ::operator delete(p); }

Result<std::unique_ptr<JournalWriter>> JournalWriter::Create(const std::string& dir,
                                                             const JournalHeader& header,
                                                             const WriterOptions& options) {
  if (options.queue_capacity < 2 || (options.queue_capacity & (options.queue_capacity - 1)) != 0) {
    return InvalidArgument("journal queue capacity must be a power of two >= 2, got " +
                           std::to_string(options.queue_capacity));
  }
  if (options.format_version < kOldestFormatVersion || options.format_version > kFormatVersion) {
    return InvalidArgument("journal format version " + std::to_string(options.format_version) +
                           " cannot be written (this build writes " +
                           std::to_string(kOldestFormatVersion) + " to " +
                           std::to_string(kFormatVersion) + ")");
  }
  if (options.block_target_bytes < 1024 || options.block_target_bytes > kMaxBlockRawBytes / 2) {
    return InvalidArgument("journal block target must be within [1 KiB, 8 MiB]");
  }
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return IoError("cannot create journal directory " + dir + ": " + std::strerror(errno));
  }
  if (ListSegmentFiles(dir).ok()) {
    return FailedPrecondition("journal directory " + dir + " already holds a journal");
  }
  JournalHeader h = header;
  h.format_version = options.format_version;
  h.schema_id = schema::SchemaId();
  std::unique_ptr<JournalWriter> w(new JournalWriter(dir, std::move(h), options));
  TD_RETURN_IF_ERROR(w->Start());
  return w;
}

Status JournalWriter::Start() {
  header_message_ = schema::EncodeHeader(header_);
  if (header_message_.size() > kMaxHeaderMessageBytes) {
    return InvalidArgument("journal header too large (" + std::to_string(header_message_.size()) +
                           " bytes)");
  }
  TD_RETURN_IF_ERROR(OpenSegment());
  // The directory entry is made durable for a journal that asks for any durability; one that
  // asks for none (a simulation, which can be run again) makes no fsync at all.
  if (options_.durability != Durability::kNone || options_.sync_on_close) {
    TD_RETURN_IF_ERROR(SyncDir(dir_));
  }
  last_sync_ns_ = MonotonicNs();
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

JournalWriter::~JournalWriter() {
  Status s = Close();
  if (!s.ok()) std::fprintf(stderr, "journal %s: %s\n", dir_.c_str(), s.ToString().c_str());
  for (size_t i = 0; i < options_.queue_capacity; ++i) {
    if (side_live_[i]) side_.get()[i].~Event();
  }
}

Event& JournalWriter::Side(size_t index) {
  Event* e = side_.get() + index;
  if (!side_live_[index]) {
    new (e) Event();
    side_live_[index] = true;
  }
  return *e;
}

Event& JournalWriter::Load(uint64_t pos) {
  const Slot& slot = ring_[pos & mask_];
  Event* e = &scratch_;
  if (kInlineKinds[slot.kind]) {
    ForKind(slot.kind, [&](auto kind) {
      using T = typename decltype(kind)::type;
      if constexpr (kInline<T>) {
        T v;
        std::memcpy(static_cast<void*>(&v), slot.body, sizeof(T));
        AssignKind(std::move(v), &scratch_.payload);
      }
    });
  } else {
    e = &Side(pos & mask_);
  }
  e->seq = pos + 1;
  e->ts.ns = slot.ts;
  return *e;
}

// ---------------------------------------------------------------- producer

JournalWriter::Slot* JournalWriter::ReserveSlow(Timestamp ts) {
  TD_CHECK_MSG(ts.ns >= last_ts_, "journal timestamps must not decrease");
  const uint64_t needed = pending_dropped_ > 0 ? 2 : 1;
  uint64_t h = head_.load(std::memory_order_relaxed);
  if (h + needed - cached_tail_ > options_.queue_capacity) {
    cached_tail_ = tail_.load(std::memory_order_acquire);
    if (h + needed - cached_tail_ > options_.queue_capacity &&
        (options_.backpressure == Backpressure::kDropAndCount || !WaitForSpace(h, needed))) {
      if (pending_dropped_++ == 0) dropped_first_ts_ = ts;
      dropped_last_ts_ = ts;
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return nullptr;
    }
  }
  if (failed_.load(std::memory_order_relaxed)) {
    if (pending_dropped_++ == 0) dropped_first_ts_ = ts;
    dropped_last_ts_ = ts;
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  if (pending_dropped_ > 0) h = PublishDroppedNote(h);
  return &ring_[h & mask_];
}

uint64_t JournalWriter::PublishDroppedNote(uint64_t h) {
  Slot& note = ring_[h & mask_];
  note.ts = dropped_last_ts_.ns;
  Store(RecordsDropped{pending_dropped_, dropped_first_ts_, dropped_last_ts_}, &note);
  last_ts_ = dropped_last_ts_.ns;
  pending_dropped_ = 0;
  head_.store(++h, std::memory_order_release);
  return h;
}

void JournalWriter::NewHighWater(uint64_t depth) {
  high_water_ = depth;
  queue_high_water_.store(static_cast<uint32_t>(depth), std::memory_order_relaxed);
}

void JournalWriter::MaybeWake(uint64_t head) {
  // Waking the journal thread takes a syscall: it is done only once a batch is waiting (a
  // sleeping journal thread also wakes by itself within the linger), so a slow stream of
  // events costs no syscall per event on this thread.
  // (cached_tail_ may be far behind: the depth that counts is the sleeping thread's, whose
  // tail does not move while it sleeps.)
  // Once per sleep: the flag is taken down here, so the records appended while the woken
  // thread is still getting up (on a VM, tens of microseconds) do not each lock the mutex and
  // signal again.
  if (head - tail_.load(std::memory_order_relaxed) >=
          wake_at_depth_.load(std::memory_order_relaxed) &&
      consumer_sleeping_.exchange(false, std::memory_order_acq_rel)) {
    Wake();
  }
}

bool JournalWriter::WaitForSpace(uint64_t head, uint64_t needed) {
  Wake();
  for (int spins = 0;; ++spins) {
    cached_tail_ = tail_.load(std::memory_order_acquire);
    if (head + needed - cached_tail_ <= options_.queue_capacity) return true;
    if (failed_.load(std::memory_order_relaxed)) return false;
    if (spins < 64) {
      __builtin_ia32_pause();
    } else {
      std::this_thread::yield();
    }
  }
}

std::chrono::nanoseconds JournalWriter::IdleWait(Duration d) {
  return std::chrono::nanoseconds(std::clamp<int64_t>(d.ns, 100'000, 10'000'000));
}

void JournalWriter::SleepUntilWoken(std::unique_lock<std::mutex>& lock, uint64_t tail,
                                    std::chrono::nanoseconds at_most) {
  // Woken once wake_depth_ more events than it has seen wait: a partial block is not looked
  // at again for every event that joins it. A missed wake-up (the producer saw the flag clear
  // just before it was set) costs at most `at_most`, never a lost event.
  const uint64_t wake_at = head_.load(std::memory_order_relaxed) - tail + wake_depth_;
  wake_at_depth_.store(wake_at, std::memory_order_relaxed);
  consumer_sleeping_.store(true, std::memory_order_seq_cst);
  const uint64_t waiting = head_.load(std::memory_order_seq_cst) - tail;
  if (waiting < wake_at && waiting < options_.queue_capacity && !stop_.load() &&
      flush_target_.load() <= flushed_.load()) {
    wake_consumer_.wait_for(lock, at_most);
  }
  consumer_sleeping_.store(false, std::memory_order_relaxed);
}

void JournalWriter::Wake() {
  std::lock_guard<std::mutex> lock(mu_);
  wake_consumer_.notify_one();
}

// ---------------------------------------------------------------- journal thread

uint64_t JournalWriter::CountForBlock(uint64_t tail, uint64_t available) {
  size_t bytes = 0;
  uint64_t n = 0;
  while (n < available && n < kMaxBlockRecords / 2 && bytes < options_.block_target_bytes) {
    Slot& slot = ring_[(tail + n) & mask_];
    if (kInlineKinds[slot.kind]) {  // a fixed-size kind: no need to look at it
      bytes += kFixed;
      ++n;
      continue;
    }
    Event& e = Side((tail + n) & mask_);
    size_t size = EstimateBytes(e);
    if (size > kMaxRecordBytes) {
      // Too big to journal: say so in its place (same sequence number and time).
      e.payload = Annotation{"record of kind " + std::string(KindName(e)) +
                             " not journaled: about " + std::to_string(size) +
                             " bytes exceeds the limit of " + std::to_string(kMaxRecordBytes)};
      slot.kind = static_cast<uint8_t>(kKindIndex<Annotation>);
      size = EstimateBytes(e);
    }
    bytes += size;
    ++n;
  }
  return n;
}

void JournalWriter::Run() {
  uint64_t tail = tail_.load(std::memory_order_relaxed);
  int64_t partial_since_ns = 0;
  while (true) {
    const uint64_t head = head_.load(std::memory_order_acquire);
    const uint64_t available = head - tail;
    const bool stopping = stop_.load(std::memory_order_acquire);
    const bool flushing =
        flush_target_.load(std::memory_order_acquire) > flushed_.load(std::memory_order_relaxed);
    if (available == 0) {
      if (flushing) {
        Status s = SyncIfDue(options_.durability != Durability::kNone);
        std::lock_guard<std::mutex> lock(mu_);
        if (!s.ok() && error_.ok()) error_ = s;
        flushed_.store(tail, std::memory_order_release);
        wake_producer_.notify_all();
      }
      if (stopping) break;
      Status s = SyncIfDue(false);
      std::unique_lock<std::mutex> lock(mu_);
      if (!s.ok() && error_.ok()) error_ = s;
      SleepUntilWoken(lock, tail, IdleWait(options_.linger));
      continue;
    }
    const uint64_t count = CountForBlock(tail, available);
    if (count == available && available < options_.queue_capacity && !stopping && !flushing &&
        !failed_.load()) {
      // A partial block: give it up to `linger` to fill before writing it. A full queue (a
      // producer may be waiting for room) is written at once: with a queue smaller than a
      // block, every block is then exactly one queue long, whatever the timing, so that the
      // blocks of a deterministic run stay the same.
      const int64_t now = MonotonicNs();
      if (partial_since_ns == 0) partial_since_ns = now;
      if (now - partial_since_ns < options_.linger.ns) {
        std::unique_lock<std::mutex> lock(mu_);
        SleepUntilWoken(lock, tail,
                        IdleWait(Duration{options_.linger.ns - (now - partial_since_ns)}));
        continue;
      }
    }
    partial_since_ns = 0;
    if (!failed_.load(std::memory_order_relaxed)) {
      Status s = WriteBlock(tail, count);
      if (!s.ok()) {
        std::lock_guard<std::mutex> lock(mu_);
        if (error_.ok()) error_ = s;
        failed_.store(true);
      }
    }
    tail += count;
    tail_.store(tail, std::memory_order_release);
  }
}

Status JournalWriter::WriteBlock(uint64_t from, uint64_t count, bool observe) {
  schema::KindCounts counts{};
  for (uint64_t i = 0; i < count; ++i) ++counts[ring_[(from + i) & mask_].kind];
  encoder_->Begin(counts);
  RecordObserver* observer = observe ? options_.observer : nullptr;
  for (uint64_t i = 0; i < count; ++i) {
    const Event& e = Load(from + i);
    encoder_->Add(e);
    if (observer != nullptr) observer->OnRecord(e);
  }
  std::span<const uint8_t> raw = encoder_->Finish();
  if (raw.size() > options_.block_target_bytes * 2 + kMaxRecordBytes && count > 1) {
    // The size estimate was far off: split rather than write an oversized block.
    TD_RETURN_IF_ERROR(WriteBlock(from, count / 2, false));
    return WriteBlock(from + count / 2, count - count / 2, false);
  }
  const Slot& first = ring_[from & mask_];
  const Slot& last = ring_[(from + count - 1) & mask_];
  if (segment_.size() > kSegmentHeaderBytes + header_message_.size() + 8 &&
      segment_.size() + kBlockHeaderBytes + raw.size() > options_.segment_max_bytes) {
    TD_RETURN_IF_ERROR(SyncIfDue(options_.durability != Durability::kNone));
    index_segments_.back().file_bytes = segment_.size();
    TD_RETURN_IF_ERROR(segment_.Close());
    ++segment_index_;
    TD_RETURN_IF_ERROR(OpenSegment());
  }
  // Sized up only when a block needs more: zero-filling it for every block costs as much as
  // a tenth of the compression.
  if (out_.size() < SealedBytesMax(raw.size())) out_.resize(SealedBytesMax(raw.size()));
  SealInput in;
  in.raw_payload = raw;
  in.record_count = static_cast<uint32_t>(count);
  in.first_seq = from + 1;
  in.first_ts = first.ts;
  in.last_ts = last.ts;
  in.prev_chain = chain_;
  in.compress = options_.compress;
  in.version = static_cast<uint16_t>(BlockLayoutOf(options_.format_version));
  const BlockHeader h = SealBlock(in, out_);
  const std::span<const uint8_t> block(out_.data(), kBlockHeaderBytes + h.stored_bytes);
  IndexEntry entry;
  entry.segment = segment_index_;
  entry.record_count = h.record_count;
  entry.offset = segment_.size();
  entry.first_seq = h.first_seq;
  entry.first_ts = h.first_ts;
  entry.last_ts = h.last_ts;
  entry.chain = h.chain;
  entry.total_bytes = static_cast<uint32_t>(block.size());
  TD_RETURN_IF_ERROR(segment_.Append(block));
  index_blocks_.push_back(entry);
  chain_ = h.chain;
  last_chain_.store(chain_, std::memory_order_relaxed);
  unsynced_ = true;
  {
    std::lock_guard<std::mutex> lock(stats_mu_);
    stats_.records_written += count;
    stats_.blocks_written += 1;
    stats_.raw_bytes += raw.size();
    stats_.stored_bytes += block.size();
  }
  return SyncIfDue(options_.durability == Durability::kEveryBlock);
}

Status JournalWriter::OpenSegment() {
  const std::string name = SegmentFileName(segment_index_);
  Result<AppendFile> f = AppendFile::Create(dir_ + "/" + name);
  if (!f.ok()) return f.status();
  segment_ = std::move(*f);
  SegmentHeader sh;
  sh.format_version = options_.format_version;
  sh.segment_index = segment_index_;
  sh.first_seq = index_blocks_.empty()
                     ? 1
                     : index_blocks_.back().first_seq + index_blocks_.back().record_count;
  sh.prev_chain = chain_;
  sh.header_message = header_message_;
  const std::vector<uint8_t> bytes = EncodeSegmentHeader(sh);
  TD_RETURN_IF_ERROR(segment_.Append(bytes));
  index_segments_.push_back(SegmentInfo{name, 0, bytes.size(), true});
  {
    std::lock_guard<std::mutex> lock(stats_mu_);
    stats_.segments = segment_index_ + 1;
    stats_.stored_bytes += bytes.size();
  }
  if (options_.durability != Durability::kNone) {
    TD_RETURN_IF_ERROR(segment_.Sync());
    TD_RETURN_IF_ERROR(SyncDir(dir_));
  }
  return Status::Ok();
}

Status JournalWriter::SyncIfDue(bool force) {
  if (!unsynced_ || !segment_.is_open()) return Status::Ok();
  if (!force && options_.durability != Durability::kInterval) return Status::Ok();
  const int64_t now = MonotonicNs();
  if (!force && now - last_sync_ns_ < options_.sync_interval.ns) return Status::Ok();
  TD_RETURN_IF_ERROR(segment_.Sync());
  last_sync_ns_ = now;
  unsynced_ = false;
  std::lock_guard<std::mutex> lock(stats_mu_);
  stats_.syncs += 1;
  return Status::Ok();
}

// ---------------------------------------------------------------- control

Status JournalWriter::Flush() {
  const uint64_t target = head_.load(std::memory_order_relaxed);
  flush_target_.store(target, std::memory_order_release);
  Wake();
  std::unique_lock<std::mutex> lock(mu_);
  while (flushed_.load(std::memory_order_acquire) < target && !failed_.load()) {
    wake_producer_.wait_for(lock, std::chrono::milliseconds(1));
  }
  return error_;
}

Status JournalWriter::Close() {
  if (closed_) return error_;
  closed_ = true;
  if (thread_.joinable()) {
    if (pending_dropped_ > 0 && !failed_.load()) {
      // Drops after the last accepted event: once the queue has drained, say so in the journal.
      (void)Flush();
      PublishDroppedNote(head_.load(std::memory_order_relaxed));
    }
    Status flushed = Flush();
    (void)flushed;  // error_ carries it
    stop_.store(true, std::memory_order_release);
    Wake();
    thread_.join();
  }
  if (segment_.is_open()) {
    Status s = options_.sync_on_close ? SyncIfDue(true) : Status::Ok();
    if (s.ok()) {
      index_segments_.back().file_bytes = segment_.size();
      s = segment_.Close();
    }
    if (!s.ok() && error_.ok()) error_ = s;
  }
  if (pending_dropped_ > 0 && error_.ok()) {
    error_ = FailedPrecondition(std::to_string(pending_dropped_) +
                                " events dropped after a write error were not journaled");
  }
  if (error_.ok()) {
    error_ = WriteFileAtomic(dir_ + "/" + kIndexFileName,
                             EncodeIndex(index_segments_, index_blocks_), options_.sync_on_close);
  }
  return error_;
}

WriterStats JournalWriter::stats() const {
  WriterStats s;
  {
    std::lock_guard<std::mutex> lock(stats_mu_);
    s = stats_;
  }
  s.dropped = dropped_.load(std::memory_order_relaxed);
  s.appended = head_.load(std::memory_order_relaxed);
  s.queue_high_water = queue_high_water_.load(std::memory_order_relaxed);
  return s;
}

uint64_t JournalWriter::last_chain() const { return last_chain_.load(std::memory_order_relaxed); }

}  // namespace td::journal
