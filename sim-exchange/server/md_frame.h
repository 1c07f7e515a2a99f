// The market-data feed's wire format (docs/market-data-feed.md): length-prefixed frames on a
// TCP stream, each `u32 length (LE) | u8 type | payload[length]`. A subscriber receives one
// hello frame (format version, the instruments, the session start, the first data seq it will
// see), the snapshot frames the hello announces (the state of a late joiner), then data frames
// numbered 1, 2, ... without gaps, heartbeats when the feed is idle, and one end frame.
// Records inside frames use the journal's Cap'n Proto codec (schema/codec.h), never a second
// encoding. Pure: no sockets, no clocks; MdFrameDecoder is a single-threaded value.
//
//   MdFrameEncoder enc;
//   std::vector<uint8_t> wire;
//   AppendHelloFrame(hello, &wire);
//   enc.AppendData(/*seq=*/1, event, &wire);
//
//   MdFrameDecoder dec;
//   dec.Append(chunk);                       // any split of the byte stream
//   MdFrame f;
//   for (Result<bool> r = dec.Next(&f); ; r = dec.Next(&f)) {
//     if (!r.ok()) { report(r.status()); break; }  // names the stream offset
//     if (!*r) break;                              // need more bytes
//     use(f);
//   }
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/status.h"
#include "schema/codec.h"

namespace td::server {

inline constexpr uint32_t kMdMagic = 0x444D4454;  // the bytes "TDMD" read as a LE u32
inline constexpr uint16_t kMdFormatVersion = 1;
inline constexpr size_t kMdFrameHeaderBytes = 5;                    // u32 length + u8 type
inline constexpr size_t kMaxMdFramePayloadBytes = size_t{4} << 20;  // 4 MiB
inline constexpr size_t kMdHelloFixedBytes = 24;                    // before the Cap'n Proto header
inline constexpr size_t kMdSeqBytes = 8;  // data / snapshot: before the record block
inline constexpr size_t kMdHeartbeatBytes = 16;
inline constexpr size_t kMdEndBytes = 24;
// The hello's JournalHeader.session_kind.
inline constexpr std::string_view kMdSessionKind = "md-feed";

enum class MdFrameType : uint8_t {
  kHello = 1,      // first frame, exactly once
  kSnapshot = 2,   // late-joiner state, right after the hello, `snapshot_count` of them
  kData = 3,       // one market-data record, seq 1, 2, ...
  kHeartbeat = 4,  // the feed was idle for an interval
  kEnd = 5,        // end of stream; the server closes the connection after it
};
std::string_view MdFrameTypeName(MdFrameType t);

enum class MdEndReason : uint8_t {
  kMarketDataEnded = 1,  // the market source is exhausted; the exchange may still trade
  kServerShutdown = 2,
};
std::string_view MdEndReasonName(MdEndReason r);

struct MdHello {
  uint16_t version = kMdFormatVersion;
  SeqNo next_seq = 1;           // the seq of the first data frame this subscriber gets
  uint32_t snapshot_count = 0;  // snapshot frames that follow the hello
  // The instruments (symbol, tick, lot, qty scale), the session start (`created`, market
  // time of the first record), the seed; session_kind is kMdSessionKind.
  JournalHeader header;
  bool operator==(const MdHello&) const = default;
};

struct MdFrame {
  MdFrameType type = MdFrameType::kHeartbeat;
  uint64_t offset = 0;  // stream offset of the frame's first byte
  MdHello hello;        // kHello
  // kData: the frame's feed seq (== event.seq); kSnapshot: the seq it is as of
  // (next_seq - 1); kHeartbeat / kEnd: the last data seq sent before it.
  SeqNo seq = 0;
  Event event;            // kData, kSnapshot
  Timestamp market_time;  // kHeartbeat, kEnd: the exchange's market clock
  MdEndReason end_reason = MdEndReason::kMarketDataEnded;  // kEnd
};

// The record kinds a data or snapshot frame may carry: L3Order, TradingStatus, L2Update,
// L2Snapshot, L1Quote, Trade.
bool IsFeedPayload(const Payload& p);

// Frame builders: each appends one whole frame to *out. A hello or a record whose payload
// would exceed kMaxMdFramePayloadBytes appends nothing and returns OutOfRange.
[[nodiscard]] Status AppendHelloFrame(const MdHello& hello, std::vector<uint8_t>* out);
void AppendHeartbeatFrame(SeqNo last_seq, Timestamp market_time, std::vector<uint8_t>* out);
void AppendEndFrame(SeqNo last_seq, Timestamp market_time, MdEndReason reason,
                    std::vector<uint8_t>* out);

// Data and snapshot frames; keeps a BlockEncoder warm. Single-threaded.
class MdFrameEncoder {
 public:
  // REQUIRES: IsFeedPayload(event.payload). The encoded record's seq is `seq`.
  [[nodiscard]] Status AppendData(SeqNo seq, const Event& event, std::vector<uint8_t>* out);
  [[nodiscard]] Status AppendSnapshot(SeqNo as_of_seq, const Event& event,
                                      std::vector<uint8_t>* out);

 private:
  Status Append(MdFrameType type, SeqNo seq, const Event& event, std::vector<uint8_t>* out);
  schema::BlockEncoder block_;
};

// The streaming decoder: feed it the stream's bytes in chunks of any size, take whole frames
// out. Besides the framing and each payload it checks the protocol: a hello first and once,
// the announced number of snapshot frames right after it, data seqs contiguous from the
// hello's next_seq, heartbeat and end seqs equal to the last data seq, nothing after the end.
// Errors are Corruption statuses naming the stream offset of the offending frame; they are
// sticky (a length-prefixed stream cannot resynchronise: the client reconnects).
// Bound: at most kMaxMdFramePayloadBytes + header of an incomplete frame is kept, plus
// whatever was appended and not yet taken out with Next().
class MdFrameDecoder {
 public:
  void Append(std::span<const uint8_t> bytes);
  // true: *out holds the next frame; false: more bytes are needed; an error status otherwise.
  Result<bool> Next(MdFrame* out);
  // At the end of the stream (EOF): an error when it stopped inside a frame or before the
  // hello; OK otherwise (an end frame is not required: a dropped slow consumer sees EOF).
  Status Finish() const;

  uint64_t offset() const { return offset_; }  // stream bytes consumed by frames taken out
  size_t buffered() const { return buf_.size() - pos_; }
  bool saw_hello() const { return saw_hello_; }
  bool ended() const { return ended_; }
  SeqNo last_seq() const { return next_seq_ - 1; }

 private:
  Status Fail(uint64_t at, std::string what);
  Status DecodePayload(MdFrameType type, std::span<const uint8_t> payload, MdFrame* out);
  Status CheckOrder(const MdFrame& f);

  std::vector<uint8_t> buf_;
  size_t pos_ = 0;
  uint64_t offset_ = 0;
  Status error_;
  bool saw_hello_ = false;
  bool ended_ = false;
  uint32_t snapshots_left_ = 0;
  SeqNo next_seq_ = 1;
  std::vector<Event> scratch_;
};

}  // namespace td::server
