// JournalReader: sequential iteration over a journal's records, with seek by sequence number
// and by time through the sparse block index. Never yields a record from a block whose
// checksum, framing or decoding failed. By default it stops at the first bad block with a
// Corruption status naming the file and offset; with skip_corrupt it reports each bad region
// through on_issue and carries on with the next valid block. Single-threaded.
//
//   auto r = JournalReader::Open("session.journal");
//   if (!r.ok()) { ... }
//   while (const Event* e = (*r)->Next()) { ... }
//   if (!(*r)->status().ok()) { ... }
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/event.h"
#include "core/status.h"
#include "journal/file.h"
#include "journal/scan.h"

namespace td::journal {

struct ReaderOptions {
  bool skip_corrupt = false;
  // Trust <dir>/index.tdx when it matches the segment files; otherwise scan every block at open.
  // With a trusted index, damage inside a block is found when the block is read (issues() is
  // empty at open); VerifyJournal always scans.
  bool use_index_file = true;
  std::function<void(const JournalIssue&)> on_issue;
};

// "DIR/seg-000001.tdj offset 65600: block checksum mismatch"
std::string DescribeIssue(const std::string& dir, const JournalIssue& issue);

// The segment files of a journal directory, in order. NotFound when there are none.
Result<std::vector<std::string>> ListSegmentFiles(const std::string& dir);

class JournalReader {
 public:
  static Result<std::unique_ptr<JournalReader>> Open(const std::string& dir,
                                                     ReaderOptions options = {});

  // The header of the first segment with a valid one (default-constructed if none is valid).
  const JournalHeader& header() const { return header_; }
  const std::vector<SegmentInfo>& segments() const { return scan_.segments; }
  const std::vector<IndexEntry>& blocks() const { return scan_.blocks; }
  // Issues found by the scan at open and while reading so far.
  const std::vector<JournalIssue>& issues() const { return scan_.issues; }
  bool index_loaded_from_file() const { return index_from_file_; }
  uint64_t indexed_records() const { return scan_.records; }
  uint64_t last_chain() const { return scan_.last_chain(); }

  // Positions at the first record with seq >= `seq` (or ts >= `ts`); Next() then yields it.
  // A seek clears an earlier error; reading up to a bad block again reports it again.
  Status SeekToSeq(SeqNo seq);
  Status SeekToTime(Timestamp ts);

  // The next record, or nullptr at the end or on an error; status() tells which. The pointer
  // is valid until the next call.
  const Event* Next();
  const Status& status() const { return status_; }
  // The position in blocks() of the block the last record returned by Next() came from.
  size_t current_block() const { return current_block_; }

 private:
  JournalReader(std::string dir, ReaderOptions options)
      : dir_(std::move(dir)), options_(std::move(options)) {}
  Status Load();
  bool TryLoadIndexFile(const std::vector<std::string>& files);
  bool LoadBlock(size_t block);  // false: the block was bad (reported)
  void Report(const JournalIssue& issue);

  std::string dir_;
  ReaderOptions options_;
  std::vector<MappedFile> files_;
  JournalScan scan_;
  JournalHeader header_;
  bool index_from_file_ = false;
  size_t stop_block_ = 0;  // blocks at or after this one are not read (strict mode)
  Status stop_status_;     // the status to report on reaching stop_block_
  JournalIssue stop_issue_;

  size_t next_block_ = 0;
  size_t current_block_ = 0;
  std::vector<Event> events_;
  size_t next_event_ = 0;
  std::vector<uint64_t> scratch_;
  Status status_;
};

}  // namespace td::journal
