#include "fix/message_store.h"

namespace td::fix {

Status MemoryMessageStore::SetNextSenderSeq(int64_t seq) {
  if (seq < 1) return InvalidArgument("next sender seq " + std::to_string(seq) + " < 1");
  next_sender_ = seq;
  return Status::Ok();
}

Status MemoryMessageStore::SetNextTargetSeq(int64_t seq) {
  if (seq < 1) return InvalidArgument("next target seq " + std::to_string(seq) + " < 1");
  next_target_ = seq;
  return Status::Ok();
}

Status MemoryMessageStore::SaveSent(int64_t seq, std::string_view bytes) {
  if (seq < next_sender_) {
    return InvalidArgument("saving sent message " + std::to_string(seq) +
                           " below the next sender seq " + std::to_string(next_sender_));
  }
  sent_[seq].assign(bytes);
  next_sender_ = seq + 1;
  return Status::Ok();
}

Status MemoryMessageStore::ForEachSent(
    int64_t begin, int64_t end, const std::function<void(int64_t, std::string_view)>& fn) const {
  for (auto it = sent_.lower_bound(begin); it != sent_.end() && it->first <= end; ++it) {
    fn(it->first, it->second);
  }
  return Status::Ok();
}

Status MemoryMessageStore::Reset() {
  next_sender_ = next_target_ = 1;
  sent_.clear();
  return Status::Ok();
}

}  // namespace td::fix
