#include "fix/file_message_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace td::fix {
namespace {

constexpr char kMagic[8] = {'T', 'D', 'F', 'I', 'X', 'S', 'T', '1'};
constexpr size_t kRecordHeaderBytes = 16;  // kind, 3 reserved, u32 payload size, i64 seq
constexpr size_t kRecordTrailerBytes = 4;  // FNV-1a 32 of header + payload
constexpr uint32_t kMaxPayloadBytes = 16u << 20;

uint32_t Fnv1a(const char* p, size_t n, uint32_t h = 2166136261u) {
  for (size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(p[i]);
    h *= 16777619u;
  }
  return h;
}

void PutU32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
void PutI64(char* p, int64_t v) {
  const uint64_t u = static_cast<uint64_t>(v);
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>(u >> (8 * i));
}
uint32_t GetU32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<uint32_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}
int64_t GetI64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v |= static_cast<uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return static_cast<int64_t>(v);
}

std::string Errno(const std::string& path, const char* what) {
  return path + ": " + what + ": " + std::strerror(errno);
}

Status WriteAll(int fd, const char* p, size_t n, const std::string& path) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return IoError(Errno(path, "write"));
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return Status::Ok();
}

Status ReadAt(int fd, uint64_t offset, char* p, size_t n, const std::string& path) {
  while (n > 0) {
    const ssize_t r = ::pread(fd, p, n, static_cast<off_t>(offset));
    if (r < 0) {
      if (errno == EINTR) continue;
      return IoError(Errno(path, "read"));
    }
    if (r == 0) return Corruption(path + " offset " + std::to_string(offset) + ": unexpected end");
    p += r;
    n -= static_cast<size_t>(r);
    offset += static_cast<uint64_t>(r);
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<FileMessageStore>> FileMessageStore::Open(const std::string& path,
                                                                 Options options) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return IoError(Errno(path, "open"));
  std::unique_ptr<FileMessageStore> store(new FileMessageStore(path, fd, options));
  TD_RETURN_IF_ERROR(store->Replay());
  return store;
}

FileMessageStore::~FileMessageStore() {
  if (fd_ >= 0) ::close(fd_);
}

Status FileMessageStore::Replay() {
  struct stat st;
  if (::fstat(fd_, &st) != 0) return IoError(Errno(path_, "stat"));
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size == 0) {
    TD_RETURN_IF_ERROR(WriteAll(fd_, kMagic, sizeof kMagic, path_));
    end_ = sizeof kMagic;
    return Status::Ok();
  }
  char magic[sizeof kMagic];
  if (size < sizeof kMagic) return Corruption(path_ + ": shorter than the file header");
  TD_RETURN_IF_ERROR(ReadAt(fd_, 0, magic, sizeof magic, path_));
  if (std::memcmp(magic, kMagic, sizeof kMagic) != 0) {
    return Corruption(path_ + " offset 0: not a Tapedeck FIX message store (bad magic)");
  }
  uint64_t pos = sizeof kMagic;
  std::vector<char> buf;
  while (pos < size) {
    char h[kRecordHeaderBytes];
    std::string problem;
    if (size - pos < kRecordHeaderBytes + kRecordTrailerBytes) {
      problem = "torn record header";
    } else {
      TD_RETURN_IF_ERROR(ReadAt(fd_, pos, h, sizeof h, path_));
      const uint32_t payload = GetU32(h + 4);
      if (payload > kMaxPayloadBytes) {
        problem = "record payload size " + std::to_string(payload) + " out of range";
      } else if (size - pos < kRecordHeaderBytes + payload + kRecordTrailerBytes) {
        problem = "torn record";
      } else {
        buf.resize(payload + kRecordTrailerBytes);
        TD_RETURN_IF_ERROR(ReadAt(fd_, pos + kRecordHeaderBytes, buf.data(), buf.size(), path_));
        const uint32_t want = GetU32(buf.data() + payload);
        const uint32_t got = Fnv1a(buf.data(), payload, Fnv1a(h, sizeof h));
        const int64_t seq = GetI64(h + 8);
        if (want != got) {
          problem = "record checksum mismatch";
        } else if (h[0] == 'M') {
          index_[seq] = Location{pos + kRecordHeaderBytes, payload};
          next_sender_ = seq + 1;
        } else if (h[0] == 'S') {
          next_sender_ = seq;
        } else if (h[0] == 'T') {
          next_target_ = seq;
        } else {
          problem = std::string("unknown record kind '") + h[0] + "'";
        }
        if (problem.empty()) {
          pos += kRecordHeaderBytes + payload + kRecordTrailerBytes;
          continue;
        }
      }
    }
    // A crash mid-append leaves a torn tail: keep every record before it, drop the rest.
    recovered_tail_bytes_ = size - pos;
    recovery_note_ = path_ + " offset " + std::to_string(pos) + ": " + problem + "; truncated " +
                     std::to_string(recovered_tail_bytes_) + " bytes";
    if (::ftruncate(fd_, static_cast<off_t>(pos)) != 0) return IoError(Errno(path_, "truncate"));
    break;
  }
  end_ = pos;
  if (::lseek(fd_, static_cast<off_t>(end_), SEEK_SET) < 0) return IoError(Errno(path_, "seek"));
  return Status::Ok();
}

Status FileMessageStore::Append(char kind, int64_t seq, std::string_view payload,
                                uint64_t* payload_offset) {
  if (payload.size() > kMaxPayloadBytes) {
    return InvalidArgument(path_ + ": message of " + std::to_string(payload.size()) +
                           " bytes exceeds the store's record limit");
  }
  std::string rec(kRecordHeaderBytes + payload.size() + kRecordTrailerBytes, '\0');
  rec[0] = kind;
  PutU32(rec.data() + 4, static_cast<uint32_t>(payload.size()));
  PutI64(rec.data() + 8, seq);
  if (!payload.empty())
    std::memcpy(rec.data() + kRecordHeaderBytes, payload.data(), payload.size());
  PutU32(rec.data() + kRecordHeaderBytes + payload.size(),
         Fnv1a(rec.data() + kRecordHeaderBytes, payload.size(),
               Fnv1a(rec.data(), kRecordHeaderBytes)));
  TD_RETURN_IF_ERROR(WriteAll(fd_, rec.data(), rec.size(), path_));
  if (options_.fsync_each_write && ::fsync(fd_) != 0) return IoError(Errno(path_, "fsync"));
  if (payload_offset != nullptr) *payload_offset = end_ + kRecordHeaderBytes;
  end_ += rec.size();
  return Status::Ok();
}

Status FileMessageStore::SetNextSenderSeq(int64_t seq) {
  if (seq < 1) return InvalidArgument("next sender seq " + std::to_string(seq) + " < 1");
  TD_RETURN_IF_ERROR(Append('S', seq, {}, nullptr));
  next_sender_ = seq;
  return Status::Ok();
}

Status FileMessageStore::SetNextTargetSeq(int64_t seq) {
  if (seq < 1) return InvalidArgument("next target seq " + std::to_string(seq) + " < 1");
  TD_RETURN_IF_ERROR(Append('T', seq, {}, nullptr));
  next_target_ = seq;
  return Status::Ok();
}

Status FileMessageStore::SaveSent(int64_t seq, std::string_view bytes) {
  if (seq < next_sender_) {
    return InvalidArgument(path_ + ": saving sent message " + std::to_string(seq) +
                           " below the next sender seq " + std::to_string(next_sender_));
  }
  uint64_t offset;
  TD_RETURN_IF_ERROR(Append('M', seq, bytes, &offset));
  index_[seq] = Location{offset, static_cast<uint32_t>(bytes.size())};
  next_sender_ = seq + 1;
  return Status::Ok();
}

Status FileMessageStore::ForEachSent(
    int64_t begin, int64_t end, const std::function<void(int64_t, std::string_view)>& fn) const {
  std::string buf;
  for (auto it = index_.lower_bound(begin); it != index_.end() && it->first <= end; ++it) {
    buf.resize(it->second.size);
    TD_RETURN_IF_ERROR(ReadAt(fd_, it->second.offset, buf.data(), buf.size(), path_));
    fn(it->first, buf);
  }
  return Status::Ok();
}

Status FileMessageStore::Reset() {
  // A reset forgets everything, so the file restarts from its header.
  if (::ftruncate(fd_, static_cast<off_t>(sizeof kMagic)) != 0) {
    return IoError(Errno(path_, "truncate"));
  }
  if (::lseek(fd_, static_cast<off_t>(sizeof kMagic), SEEK_SET) < 0) {
    return IoError(Errno(path_, "seek"));
  }
  end_ = sizeof kMagic;
  index_.clear();
  next_sender_ = next_target_ = 1;
  if (options_.fsync_each_write && ::fsync(fd_) != 0) return IoError(Errno(path_, "fsync"));
  return Status::Ok();
}

}  // namespace td::fix
