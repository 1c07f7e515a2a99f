// Where a FIX session keeps its sequence numbers and the messages it sent, so it can answer a
// ResendRequest (FIX 4.4 Volume 2, "Message Recovery") and resume after a restart. The session
// calls it synchronously; implementations are single-threaded.
//
//   MemoryMessageStore store;                       // tests, simulations, ResetOnLogon venues
//   FileMessageStore::Open("sessions/ISLD-TW44.fixstore")  // survives restarts
//   (file_message_store.h)
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "core/status.h"

namespace td::fix {

class MessageStore {
 public:
  virtual ~MessageStore() = default;

  virtual int64_t next_sender_seq() const = 0;
  virtual int64_t next_target_seq() const = 0;
  virtual Status SetNextSenderSeq(int64_t seq) = 0;
  virtual Status SetNextTargetSeq(int64_t seq) = 0;
  // Records an outgoing message and sets next_sender_seq to seq + 1.
  // REQUIRES: seq >= next_sender_seq().
  virtual Status SaveSent(int64_t seq, std::string_view bytes) = 0;
  // Calls fn for each stored message with begin <= seq <= end, in ascending order.
  virtual Status ForEachSent(
      int64_t begin, int64_t end,
      const std::function<void(int64_t seq, std::string_view bytes)>& fn) const = 0;
  // Both sequence numbers back to 1, every stored message dropped.
  virtual Status Reset() = 0;
};

class MemoryMessageStore final : public MessageStore {
 public:
  int64_t next_sender_seq() const override { return next_sender_; }
  int64_t next_target_seq() const override { return next_target_; }
  Status SetNextSenderSeq(int64_t seq) override;
  Status SetNextTargetSeq(int64_t seq) override;
  Status SaveSent(int64_t seq, std::string_view bytes) override;
  Status ForEachSent(int64_t begin, int64_t end,
                     const std::function<void(int64_t, std::string_view)>& fn) const override;
  Status Reset() override;

  size_t stored_count() const { return sent_.size(); }

 private:
  int64_t next_sender_ = 1;
  int64_t next_target_ = 1;
  std::map<int64_t, std::string> sent_;
};

}  // namespace td::fix
