// A MessageStore that survives restarts: one append-only file per session holding the messages
// the session sent and its sequence number updates (format in docs/fix.md, "Message store
// file"). Reopening replays the file; a torn or corrupt tail (a crash mid-write) is detected by
// the per-record checksum, reported and truncated away, and everything before it is kept.
// Plain POSIX file I/O, kept out of the pure Session. Single-threaded.
//
//   Result<std::unique_ptr<FileMessageStore>> store = FileMessageStore::Open(path);
//   if (!store.ok()) return store.status();
//   Session session(config, host, **store);
#pragma once

#include <map>
#include <memory>
#include <string>

#include "fix/message_store.h"

namespace td::fix {

class FileMessageStore final : public MessageStore {
 public:
  struct Options {
    bool fsync_each_write = false;  // durability against power loss, at a cost per message
  };

  static Result<std::unique_ptr<FileMessageStore>> Open(const std::string& path, Options options);
  static Result<std::unique_ptr<FileMessageStore>> Open(const std::string& path) {
    return Open(path, Options{});
  }
  ~FileMessageStore() override;

  int64_t next_sender_seq() const override { return next_sender_; }
  int64_t next_target_seq() const override { return next_target_; }
  Status SetNextSenderSeq(int64_t seq) override;
  Status SetNextTargetSeq(int64_t seq) override;
  Status SaveSent(int64_t seq, std::string_view bytes) override;
  Status ForEachSent(int64_t begin, int64_t end,
                     const std::function<void(int64_t, std::string_view)>& fn) const override;
  Status Reset() override;

  const std::string& path() const { return path_; }
  // What Open() found: the number of bytes of a torn/corrupt tail it truncated (0 normally) and
  // the description of the problem.
  uint64_t recovered_tail_bytes() const { return recovered_tail_bytes_; }
  const std::string& recovery_note() const { return recovery_note_; }
  size_t stored_count() const { return index_.size(); }

 private:
  FileMessageStore(std::string path, int fd, Options options)
      : path_(std::move(path)), fd_(fd), options_(options) {}
  Status Replay();
  Status Append(char kind, int64_t seq, std::string_view payload, uint64_t* payload_offset);

  struct Location {
    uint64_t offset;
    uint32_t size;
  };

  std::string path_;
  int fd_ = -1;
  Options options_;
  uint64_t end_ = 0;  // file size (all valid records)
  int64_t next_sender_ = 1;
  int64_t next_target_ = 1;
  std::map<int64_t, Location> index_;
  uint64_t recovered_tail_bytes_ = 0;
  std::string recovery_note_;
};

}  // namespace td::fix
