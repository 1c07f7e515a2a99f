// The market-data feed's frames (md_frame.h, docs/market-data-feed.md). Integers are
// little-endian, written byte by byte so the format does not depend on the host.
#include "sim-exchange/server/md_frame.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

namespace td::server {
namespace {

void PutU8(uint8_t v, std::vector<uint8_t>* out) { out->push_back(v); }
void PutU16(uint16_t v, std::vector<uint8_t>* out) {
  for (int i = 0; i < 2; ++i) out->push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void PutU32(uint32_t v, std::vector<uint8_t>* out) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void PutU64(uint64_t v, std::vector<uint8_t>* out) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void SetU32(uint32_t v, uint8_t* at) {
  for (int i = 0; i < 4; ++i) at[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint64_t GetLe(const uint8_t* p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// Reserves the frame header; FinishFrame fills the length in once the payload is written.
size_t BeginFrame(MdFrameType type, std::vector<uint8_t>* out) {
  const size_t start = out->size();
  PutU32(0, out);
  PutU8(static_cast<uint8_t>(type), out);
  return start;
}
// Fills the length in; a payload beyond the maximum is taken back out.
Status FinishFrame(size_t start, std::vector<uint8_t>* out) {
  const size_t payload = out->size() - start - kMdFrameHeaderBytes;
  if (payload > kMaxMdFramePayloadBytes) {
    out->resize(start);
    return OutOfRange("md frame payload of " + std::to_string(payload) +
                      " bytes exceeds the maximum " + std::to_string(kMaxMdFramePayloadBytes));
  }
  SetU32(static_cast<uint32_t>(payload), out->data() + start);
  return Status::Ok();
}

bool KnownType(uint8_t t) {
  return t >= static_cast<uint8_t>(MdFrameType::kHello) &&
         t <= static_cast<uint8_t>(MdFrameType::kEnd);
}

std::string Offset(uint64_t at) { return "md feed offset " + std::to_string(at) + ": "; }

}  // namespace

std::string_view MdFrameTypeName(MdFrameType t) {
  switch (t) {
    case MdFrameType::kHello:
      return "hello";
    case MdFrameType::kSnapshot:
      return "snapshot";
    case MdFrameType::kData:
      return "data";
    case MdFrameType::kHeartbeat:
      return "heartbeat";
    case MdFrameType::kEnd:
      return "end";
  }
  return "unknown";
}

std::string_view MdEndReasonName(MdEndReason r) {
  switch (r) {
    case MdEndReason::kMarketDataEnded:
      return "market data ended";
    case MdEndReason::kServerShutdown:
      return "server shutdown";
  }
  return "unknown";
}

bool IsFeedPayload(const Payload& p) {
  return std::holds_alternative<L3Order>(p) || std::holds_alternative<TradingStatus>(p) ||
         std::holds_alternative<L2Update>(p) || std::holds_alternative<L2Snapshot>(p) ||
         std::holds_alternative<L1Quote>(p) || std::holds_alternative<Trade>(p);
}

// ------------------------------------------------------------------------------ encoding

Status AppendHelloFrame(const MdHello& hello, std::vector<uint8_t>* out) {
  const size_t start = BeginFrame(MdFrameType::kHello, out);
  PutU32(kMdMagic, out);
  PutU16(hello.version, out);
  PutU16(0, out);
  PutU64(hello.next_seq, out);
  PutU32(hello.snapshot_count, out);
  PutU32(0, out);
  const std::vector<uint8_t> header = schema::EncodeHeader(hello.header);
  out->insert(out->end(), header.begin(), header.end());
  return FinishFrame(start, out);
}

void AppendHeartbeatFrame(SeqNo last_seq, Timestamp market_time, std::vector<uint8_t>* out) {
  const size_t start = BeginFrame(MdFrameType::kHeartbeat, out);
  PutU64(last_seq, out);
  PutU64(static_cast<uint64_t>(market_time.ns), out);
  TD_CHECK(FinishFrame(start, out).ok());
}

void AppendEndFrame(SeqNo last_seq, Timestamp market_time, MdEndReason reason,
                    std::vector<uint8_t>* out) {
  const size_t start = BeginFrame(MdFrameType::kEnd, out);
  PutU64(last_seq, out);
  PutU64(static_cast<uint64_t>(market_time.ns), out);
  PutU8(static_cast<uint8_t>(reason), out);
  for (int i = 0; i < 7; ++i) PutU8(0, out);
  TD_CHECK(FinishFrame(start, out).ok());
}

Status MdFrameEncoder::AppendData(SeqNo seq, const Event& event, std::vector<uint8_t>* out) {
  return Append(MdFrameType::kData, seq, event, out);
}

Status MdFrameEncoder::AppendSnapshot(SeqNo as_of_seq, const Event& event,
                                      std::vector<uint8_t>* out) {
  return Append(MdFrameType::kSnapshot, as_of_seq, event, out);
}

Status MdFrameEncoder::Append(MdFrameType type, SeqNo seq, const Event& event,
                              std::vector<uint8_t>* out) {
  TD_CHECK_MSG(IsFeedPayload(event.payload), "only market data goes on the md feed");
  const size_t start = BeginFrame(type, out);
  PutU64(seq, out);
  Event e{seq, event.ts, event.payload};
  block_.Begin(1);
  block_.Add(e);
  std::span<const uint8_t> bytes = block_.Finish();
  out->insert(out->end(), bytes.begin(), bytes.end());
  return FinishFrame(start, out);
}

// ------------------------------------------------------------------------------ decoding

void MdFrameDecoder::Append(std::span<const uint8_t> bytes) {
  if (!error_.ok() || bytes.empty()) return;
  // Compact when the consumed prefix dominates, so the buffer stays near one frame.
  if (pos_ > 0 && pos_ >= buf_.size() / 2) {
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<ptrdiff_t>(pos_));
    pos_ = 0;
  }
  buf_.insert(buf_.end(), bytes.begin(), bytes.end());
}

Status MdFrameDecoder::Fail(uint64_t at, std::string what) {
  error_ = Corruption(Offset(at) + std::move(what));
  return error_;
}

Result<bool> MdFrameDecoder::Next(MdFrame* out) {
  TD_CHECK(out != nullptr);
  if (!error_.ok()) return error_;
  const size_t avail = buf_.size() - pos_;
  if (avail < kMdFrameHeaderBytes) return false;
  const uint8_t* p = buf_.data() + pos_;
  const uint64_t length = GetLe(p, 4);
  const uint8_t type = p[4];
  if (!KnownType(type)) return Fail(offset_, "unknown frame type " + std::to_string(type));
  if (length > kMaxMdFramePayloadBytes) {
    return Fail(offset_, "frame length " + std::to_string(length) + " exceeds the maximum " +
                             std::to_string(kMaxMdFramePayloadBytes));
  }
  if (avail < kMdFrameHeaderBytes + length) return false;
  MdFrame f;
  f.type = static_cast<MdFrameType>(type);
  f.offset = offset_;
  Status s = DecodePayload(f.type, std::span<const uint8_t>(p + kMdFrameHeaderBytes, length), &f);
  if (!s.ok())
    return Fail(offset_, std::string(MdFrameTypeName(f.type)) + " frame: " + s.message());
  s = CheckOrder(f);
  if (!s.ok()) return Fail(offset_, s.message());
  pos_ += kMdFrameHeaderBytes + length;
  offset_ += kMdFrameHeaderBytes + length;
  *out = std::move(f);
  return true;
}

Status MdFrameDecoder::DecodePayload(MdFrameType type, std::span<const uint8_t> payload,
                                     MdFrame* f) {
  const uint8_t* p = payload.data();
  const size_t n = payload.size();
  auto size_error = [&](std::string_view expected) {
    return Corruption("payload of " + std::to_string(n) + " bytes, expected " +
                      std::string(expected));
  };
  switch (type) {
    case MdFrameType::kHello: {
      if (n < kMdHelloFixedBytes) return size_error("at least 24");
      if (GetLe(p, 4) != kMdMagic) return Corruption("not a Tapedeck market-data feed (bad magic)");
      f->hello.version = static_cast<uint16_t>(GetLe(p + 4, 2));
      if (f->hello.version != kMdFormatVersion) {
        return Corruption("unsupported feed format version " + std::to_string(f->hello.version) +
                          " (this decoder reads " + std::to_string(kMdFormatVersion) + ")");
      }
      f->hello.next_seq = GetLe(p + 8, 8);
      f->hello.snapshot_count = static_cast<uint32_t>(GetLe(p + 16, 4));
      if (f->hello.next_seq == 0) return Corruption("next_seq 0 (seqs start at 1)");
      Result<JournalHeader> h = schema::DecodeHeader(payload.subspan(kMdHelloFixedBytes));
      if (!h.ok()) return Corruption(h.status().message());
      f->hello.header = std::move(h).value();
      return Status::Ok();
    }
    case MdFrameType::kSnapshot:
    case MdFrameType::kData: {
      if (n <= kMdSeqBytes) return size_error("more than 8");
      f->seq = GetLe(p, 8);
      Status s = schema::DecodeBlock(payload.subspan(kMdSeqBytes), &scratch_);
      if (!s.ok()) return Corruption(s.message());
      if (scratch_.size() != 1) {
        return Corruption("record block holds " + std::to_string(scratch_.size()) +
                          " records, expected 1");
      }
      f->event = std::move(scratch_[0]);
      if (!IsFeedPayload(f->event.payload)) {
        return Corruption("record kind " + std::string(KindName(f->event)) + " is not market data");
      }
      if (f->event.seq != f->seq) {
        return Corruption("record seq " + std::to_string(f->event.seq) +
                          " differs from frame seq " + std::to_string(f->seq));
      }
      return Status::Ok();
    }
    case MdFrameType::kHeartbeat:
      if (n != kMdHeartbeatBytes) return size_error("16");
      f->seq = GetLe(p, 8);
      f->market_time = Timestamp{static_cast<int64_t>(GetLe(p + 8, 8))};
      return Status::Ok();
    case MdFrameType::kEnd: {
      if (n != kMdEndBytes) return size_error("24");
      f->seq = GetLe(p, 8);
      f->market_time = Timestamp{static_cast<int64_t>(GetLe(p + 8, 8))};
      const uint8_t reason = p[16];
      if (reason < static_cast<uint8_t>(MdEndReason::kMarketDataEnded) ||
          reason > static_cast<uint8_t>(MdEndReason::kServerShutdown)) {
        return Corruption("unknown end reason " + std::to_string(reason));
      }
      f->end_reason = static_cast<MdEndReason>(reason);
      return Status::Ok();
    }
  }
  return Corruption("unknown frame type");
}

Status MdFrameDecoder::CheckOrder(const MdFrame& f) {
  const std::string kind(MdFrameTypeName(f.type));
  if (ended_) return Corruption(kind + " frame after the end frame");
  if (f.type == MdFrameType::kHello) {
    if (saw_hello_) return Corruption("second hello frame");
    saw_hello_ = true;
    next_seq_ = f.hello.next_seq;
    snapshots_left_ = f.hello.snapshot_count;
    return Status::Ok();
  }
  if (!saw_hello_) return Corruption(kind + " frame before the hello");
  if (f.type == MdFrameType::kSnapshot) {
    if (snapshots_left_ == 0) return Corruption("snapshot frame beyond the hello's count");
    if (f.seq != next_seq_ - 1) {
      return Corruption("snapshot as of seq " + std::to_string(f.seq) + ", expected " +
                        std::to_string(next_seq_ - 1));
    }
    --snapshots_left_;
    return Status::Ok();
  }
  if (snapshots_left_ > 0) {
    return Corruption(kind + " frame while " + std::to_string(snapshots_left_) +
                      " snapshot frames are still due");
  }
  if (f.type == MdFrameType::kData) {
    if (f.seq != next_seq_) {
      return Corruption("sequence gap: expected seq " + std::to_string(next_seq_) + ", got " +
                        std::to_string(f.seq));
    }
    ++next_seq_;
    return Status::Ok();
  }
  if (f.seq != next_seq_ - 1) {
    return Corruption(kind + " frame names last seq " + std::to_string(f.seq) +
                      ", but the last data frame was " + std::to_string(next_seq_ - 1));
  }
  if (f.type == MdFrameType::kEnd) ended_ = true;
  return Status::Ok();
}

Status MdFrameDecoder::Finish() const {
  if (!error_.ok()) return error_;
  const size_t left = buf_.size() - pos_;
  if (left > 0) {
    return Corruption(Offset(offset_) + "stream ended inside a frame (" + std::to_string(left) +
                      " bytes of it received)");
  }
  if (!saw_hello_) return Corruption(Offset(offset_) + "stream ended before the hello frame");
  return Status::Ok();
}

}  // namespace td::server
