#include "journal/scan.h"

#include "journal/block.h"
#include "schema/codec.h"

namespace td::journal {

void Scanner::AddIssue(uint64_t offset, uint64_t resume, bool torn, std::string reason) {
  JournalIssue issue;
  issue.segment = static_cast<uint32_t>(out_->segments.size() - 1);
  issue.file = out_->segments.back().file;
  issue.offset = offset;
  issue.resume_offset = resume;
  issue.torn = torn;
  issue.reason = std::move(reason);
  out_->issues.push_back(std::move(issue));
}

void Scanner::AddSegment(const std::string& file, std::span<const uint8_t> bytes) {
  const uint32_t position = static_cast<uint32_t>(out_->segments.size());
  out_->segments.push_back(SegmentInfo{file, bytes.size(), 0, false});
  SegmentInfo& seg = out_->segments.back();

  size_t off = 0;
  Result<SegmentHeaderParse> sh = ParseSegmentHeader(bytes);
  if (sh.ok() && sh->header.segment_index != position) {
    sh = Corruption("segment header says segment " + std::to_string(sh->header.segment_index) +
                    ", expected " + std::to_string(position));
  }
  if (sh.ok() && !out_->header) {
    Result<JournalHeader> jh = schema::DecodeHeader(sh->header.header_message);
    if (!jh.ok()) {
      sh = Corruption("journal header: " + jh.status().message());
    } else {
      out_->header = std::move(*jh);
    }
  }
  if (sh.ok()) {
    seg.header_ok = true;
    seg.blocks_start = off = sh->consumed;
  } else {
    const size_t next = FindNextValidBlock(bytes, 0);
    AddIssue(0, next, next == bytes.size(), sh.status().message());
    off = next;
  }

  while (off < bytes.size()) {
    BlockCheck check = CheckBlock(bytes.subspan(off));
    if (check.fault != BlockFault::kNone) {
      const size_t next = FindNextValidBlock(bytes, off);
      AddIssue(off, next, next == bytes.size(), check.reason);
      // A bad block explains a sequence break right after it (a damaged segment header
      // does not: blocks never depend on it).
      after_bad_bytes_ = true;
      off = next;
      continue;
    }
    const BlockHeader& h = check.view.header;
    if (after_bad_bytes_) {
      // The bad bytes just reported explain any break here; pick the sequence up again.
      after_bad_bytes_ = false;
    } else if (h.first_seq != expected_seq_) {
      AddIssue(off, off, false,
               "sequence gap: block starts at seq " + std::to_string(h.first_seq) +
                   ", expected " + std::to_string(expected_seq_));
    } else if (h.chain != ChainHash(expected_chain_, h.checksum)) {
      AddIssue(off, off, false, "hash chain broken: a block before this one is missing or altered");
    }
    IndexEntry e;
    e.segment = position;
    e.record_count = h.record_count;
    e.offset = off;
    e.first_seq = h.first_seq;
    e.first_ts = h.first_ts;
    e.last_ts = h.last_ts;
    e.chain = h.chain;
    e.total_bytes = static_cast<uint32_t>(check.view.total_bytes);
    out_->blocks.push_back(e);
    out_->records += h.record_count;
    expected_seq_ = h.first_seq + h.record_count;
    expected_chain_ = h.chain;
    off += check.view.total_bytes;
  }
}

}  // namespace td::journal
