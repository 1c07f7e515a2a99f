#include "replayer/event_hash.h"

#include <xxhash.h>

#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

namespace td::replayer {
namespace {

// XXH3's streaming digest does not depend on how its input is split into updates, so the
// canonical bytes of many outputs are gathered and hashed in one update of about this size:
// one update per output costs more than the hashing itself.
constexpr size_t kHashBatchBytes = 16 << 10;

// Appends fixed-width little-endian fields; the byte order is explicit, not the host's. The
// bytes are written into a buffer that grows ahead of them (one comparison per field), not
// appended to a string (a call and a length update per field, the most of an output's cost).
class CanonicalBytes {
 public:
  void U64(uint64_t v) {
    char* p = Extend(8);
    for (int i = 0; i < 8; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  }
  void I64(int64_t v) { U64(static_cast<uint64_t>(v)); }
  void Str(const std::string& s) {
    U64(s.size());
    std::memcpy(Extend(s.size()), s.data(), s.size());
  }
  std::string_view bytes() const { return {buffer_.data(), size_}; }
  void Clear() { size_ = 0; }

 private:
  // The next n bytes, to be written.
  char* Extend(size_t n) {
    if (buffer_.size() - size_ < n) buffer_.resize(2 * buffer_.size() + n);
    char* p = buffer_.data() + size_;
    size_ += n;
    return p;
  }
  std::string buffer_;  // bytes [0, size_) are the canonical bytes
  size_t size_ = 0;
};

template <typename E>
uint64_t Enum(E e) {
  return static_cast<uint64_t>(e);
}

void Fields(const NewOrder& o, CanonicalBytes* b) {
  b->U64(o.cl_ord_id), b->U64(o.instrument), b->U64(Enum(o.side)), b->U64(Enum(o.type));
  b->U64(Enum(o.tif)), b->I64(o.price.raw), b->I64(o.stop_price.raw), b->I64(o.qty.raw);
  b->I64(o.display_qty.raw), b->U64(o.post_only ? 1 : 0);
}
void Fields(const CancelOrder& o, CanonicalBytes* b) {
  b->U64(o.cl_ord_id), b->U64(o.orig_cl_ord_id), b->U64(o.instrument);
}
void Fields(const ReplaceOrder& o, CanonicalBytes* b) {
  b->U64(o.cl_ord_id), b->U64(o.orig_cl_ord_id), b->U64(o.instrument);
  b->I64(o.price.raw), b->I64(o.qty.raw);
}
void Fields(const StatusRequest& o, CanonicalBytes* b) {
  b->U64(o.cl_ord_id), b->U64(o.mass_status_id);
}
void Fields(const MassCancel& o, CanonicalBytes* b) {
  b->U64(o.request_id), b->U64(o.instrument), b->U64(Enum(o.side));
}
void Fields(const TimerSet& o, CanonicalBytes* b) { b->U64(o.timer_id), b->I64(o.fire_at.ns); }
void Fields(const TimerCancel& o, CanonicalBytes* b) { b->U64(o.timer_id); }
void Fields(const RiskEvent& o, CanonicalBytes* b) {
  b->U64(Enum(o.kind)), b->U64(Enum(o.action)), b->Str(o.rule), b->U64(o.instrument);
  b->I64(o.value), b->I64(o.limit), b->Str(o.text);
}
void Fields(const Annotation& o, CanonicalBytes* b) { b->Str(o.text); }
void Fields(const Checkpoint& o, CanonicalBytes* b) {
  b->U64(o.inputs), b->U64(o.outputs), b->U64(o.digest);
}

}  // namespace

struct EventHash::State {
  XXH3_state_t* xxh = XXH3_createState();
  CanonicalBytes pending;  // canonical bytes not yet hashed (under kHashBatchBytes)
  State() { XXH3_64bits_reset(xxh); }
  ~State() { XXH3_freeState(xxh); }
  void Update() {
    XXH3_64bits_update(xxh, pending.bytes().data(), pending.bytes().size());
    pending.Clear();
  }
};

EventHash::EventHash() : state_(std::make_unique<State>()) {}
EventHash::~EventHash() = default;
EventHash::EventHash(EventHash&&) noexcept = default;
EventHash& EventHash::operator=(EventHash&&) noexcept = default;

void EventHash::Add(Timestamp ts, const Payload& output) {
  CanonicalBytes& b = state_->pending;
  b.I64(ts.ns);
  b.U64(output.index());
  std::visit(
      [&](const auto& v) {
        if constexpr (requires { Fields(v, &b); }) Fields(v, &b);
      },
      output);
  if (b.bytes().size() >= kHashBatchBytes) state_->Update();
  ++count_;
}

uint64_t EventHash::digest() const {
  state_->Update();  // the same digest whenever it is asked: the pending bytes go in once
  return XXH3_64bits_digest(state_->xxh);
}

}  // namespace td::replayer
