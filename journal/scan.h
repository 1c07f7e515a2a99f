// Scanning a journal's segments: which blocks are valid (framing, checksum, sequence and hash
// chain continuity) and where the bad bytes are. Pure over the segments' bytes; the reader,
// verify and recover build on it, and so does the fuzz target.
//
// Invariants of a valid journal: segment i is named seg-<i>.tdj; blocks follow one another
// with no gap; block sequence numbers continue from one block to the next, across segments,
// starting at 1; every block's chain is ChainHash(previous block's chain, its checksum),
// starting from 0.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/event.h"
#include "journal/format.h"

namespace td::journal {

// A place where the journal is not valid.
struct JournalIssue {
  uint32_t segment = 0;        // position of the segment in the journal (0-based)
  std::string file;            // "seg-000003.tdj"
  uint64_t offset = 0;         // where the bad bytes start in that file
  // Where valid blocks resume in that file (the file size: none). Equal to `offset` for a
  // continuity break (sequence gap, broken chain) before a block that is itself valid: no
  // bytes are skipped, and a skip_corrupt reader reads that block.
  uint64_t resume_offset = 0;
  bool torn = false;           // the file ends inside the bad region, nothing valid after it
  std::string reason;
};

// One valid block: the journal's sparse index has one entry per block.
struct IndexEntry {
  uint32_t segment = 0;
  uint32_t record_count = 0;
  uint64_t offset = 0;  // of the block header in its segment file
  uint64_t first_seq = 0;
  int64_t first_ts = 0;
  int64_t last_ts = 0;
  uint64_t chain = 0;
  uint32_t total_bytes = 0;  // header + payload
};

struct SegmentInfo {
  std::string file;
  uint64_t file_bytes = 0;
  uint64_t blocks_start = 0;  // offset of the first block (0 when the header is bad)
  bool header_ok = false;
};

struct JournalScan {
  std::vector<SegmentInfo> segments;
  std::vector<IndexEntry> blocks;    // valid blocks, journal order
  std::vector<JournalIssue> issues;  // journal order
  std::optional<JournalHeader> header;
  uint64_t records = 0;

  // The chain hash of the last valid block (0 when none): a digest of the whole journal.
  uint64_t last_chain() const { return blocks.empty() ? 0 : blocks.back().chain; }
};

// Scans segments in journal order, accumulating into a JournalScan.
class Scanner {
 public:
  explicit Scanner(JournalScan* out) : out_(out) {}
  void AddSegment(const std::string& file, std::span<const uint8_t> bytes);

 private:
  void AddIssue(uint64_t offset, uint64_t resume, bool torn, std::string reason);
  JournalScan* out_;
  uint64_t expected_seq_ = 1;
  uint64_t expected_chain_ = 0;
  bool after_bad_bytes_ = false;  // the previous region was skipped as bad
};

}  // namespace td::journal
