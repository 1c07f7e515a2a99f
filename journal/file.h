// The little POSIX file access the journal needs, behind one small surface: a read-only mapping
// of a whole file, appending writes with fdatasync, truncation, listing and renaming. Every
// error names the path and the call that failed.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"

namespace td::journal {

// A whole file mapped read-only. Empty files map to an empty span.
class MappedFile {
 public:
  static Result<MappedFile> Open(const std::string& path);
  MappedFile() = default;
  MappedFile(MappedFile&& o) noexcept;
  MappedFile& operator=(MappedFile&& o) noexcept;
  ~MappedFile();

  std::span<const uint8_t> bytes() const { return {data_, size_}; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// An append-only file descriptor.
class AppendFile {
 public:
  // Creates the file; fails if it exists.
  static Result<AppendFile> Create(const std::string& path);
  AppendFile() = default;
  AppendFile(AppendFile&& o) noexcept;
  AppendFile& operator=(AppendFile&& o) noexcept;
  ~AppendFile();

  Status Append(std::span<const uint8_t> bytes);
  Status Sync();  // fdatasync
  Status Close();
  uint64_t size() const { return size_; }
  bool is_open() const { return fd_ >= 0; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

Result<std::vector<uint8_t>> ReadFile(const std::string& path);
// Writes to a temporary name, syncs it (when `sync`), then renames it over `path`.
Status WriteFileAtomic(const std::string& path, std::span<const uint8_t> bytes, bool sync = true);
Status TruncateFile(const std::string& path, uint64_t size);
Status SyncDir(const std::string& dir);
bool PathExists(const std::string& path);

}  // namespace td::journal
