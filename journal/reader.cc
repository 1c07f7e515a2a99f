#include "journal/reader.h"

#include <dirent.h>

#include <algorithm>
#include <cstdlib>

#include "journal/block.h"
#include "journal/index.h"
#include "schema/codec.h"

namespace td::journal {

std::string DescribeIssue(const std::string& dir, const JournalIssue& issue) {
  return dir + "/" + issue.file + " offset " + std::to_string(issue.offset) + ": " + issue.reason;
}

Result<std::vector<std::string>> ListSegmentFiles(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return NotFound("cannot open journal directory " + dir);
  std::vector<std::pair<uint64_t, std::string>> found;
  while (const dirent* ent = ::readdir(d)) {
    const std::string name = ent->d_name;
    // seg-NNNNNN.tdj, exactly
    if (name.size() != 14 || name.compare(0, 4, "seg-") != 0 || name.compare(10, 4, ".tdj") != 0 ||
        !std::all_of(name.begin() + 4, name.begin() + 10, ::isdigit)) {
      continue;
    }
    found.emplace_back(std::strtoull(name.c_str() + 4, nullptr, 10), name);
  }
  ::closedir(d);
  if (found.empty()) return NotFound("no segment files (seg-*.tdj) in " + dir);
  std::sort(found.begin(), found.end());
  std::vector<std::string> files;
  for (auto& [n, name] : found) files.push_back(std::move(name));
  return files;
}

Result<std::unique_ptr<JournalReader>> JournalReader::Open(const std::string& dir,
                                                           ReaderOptions options) {
  std::unique_ptr<JournalReader> r(new JournalReader(dir, std::move(options)));
  TD_RETURN_IF_ERROR(r->Load());
  return r;
}

bool JournalReader::TryLoadIndexFile(const std::vector<std::string>& files) {
  const std::string path = dir_ + "/" + kIndexFileName;
  if (!PathExists(path)) return false;
  Result<MappedFile> m = MappedFile::Open(path);
  if (!m.ok()) return false;
  Result<LoadedIndex> idx = DecodeIndex(m->bytes());
  if (!idx.ok() || idx->segments.size() != files.size()) return false;
  for (size_t i = 0; i < files.size(); ++i) {
    if (idx->segments[i].file != files[i] ||
        idx->segments[i].file_bytes != files_[i].bytes().size()) {
      return false;
    }
  }
  Result<SegmentHeaderParse> sh = ParseSegmentHeader(files_[0].bytes());
  if (!sh.ok()) return false;
  Result<JournalHeader> jh = schema::DecodeHeader(sh->header.header_message);
  if (!jh.ok()) return false;
  scan_.header = std::move(*jh);
  scan_.segments = std::move(idx->segments);
  scan_.blocks = std::move(idx->blocks);
  for (const IndexEntry& e : scan_.blocks) scan_.records += e.record_count;
  return true;
}

Status JournalReader::Load() {
  Result<std::vector<std::string>> files = ListSegmentFiles(dir_);
  if (!files.ok()) return files.status();
  for (const std::string& f : *files) {
    Result<MappedFile> m = MappedFile::Open(dir_ + "/" + f);
    if (!m.ok()) return m.status();
    files_.push_back(std::move(*m));
  }
  index_from_file_ = options_.use_index_file && TryLoadIndexFile(*files);
  if (!index_from_file_) {
    scan_ = JournalScan{};
    Scanner scanner(&scan_);
    for (size_t i = 0; i < files_.size(); ++i) scanner.AddSegment((*files)[i], files_[i].bytes());
  }
  if (scan_.header) header_ = *scan_.header;

  stop_block_ = scan_.blocks.size();
  if (!scan_.issues.empty()) {
    if (options_.skip_corrupt) {
      for (const JournalIssue& issue : scan_.issues) Report(issue);
    } else {
      // Stop before the first block that lies at or after the first issue.
      const JournalIssue& first = scan_.issues.front();
      stop_block_ = static_cast<size_t>(
          std::find_if(scan_.blocks.begin(), scan_.blocks.end(),
                       [&](const IndexEntry& e) {
                         return e.segment > first.segment ||
                                (e.segment == first.segment && e.offset >= first.offset);
                       }) -
          scan_.blocks.begin());
      stop_issue_ = first;
      stop_status_ = Corruption(DescribeIssue(dir_, first));
    }
  }
  return Status::Ok();
}

void JournalReader::Report(const JournalIssue& issue) {
  if (options_.on_issue) options_.on_issue(issue);
}

bool JournalReader::LoadBlock(size_t block) {
  const IndexEntry& e = scan_.blocks[block];
  std::span<const uint8_t> seg = files_[e.segment].bytes();
  JournalIssue issue;
  issue.segment = e.segment;
  issue.file = scan_.segments[e.segment].file;
  issue.offset = e.offset;
  issue.resume_offset = e.offset;
  if (e.offset > seg.size()) {
    issue.reason = "block offset beyond the end of the file";
  } else {
    BlockCheck check = CheckBlock(seg.subspan(e.offset));
    if (check.fault != BlockFault::kNone) {
      issue.reason = check.reason;
    } else if (check.view.header.first_seq != e.first_seq) {
      issue.reason = "block does not match the index (seq)";
    } else {
      Status s = OpenBlock(check.view, &scratch_, &events_);
      if (s.ok()) {
        next_event_ = 0;
        current_block_ = block;
        return true;
      }
      issue.reason = s.message();
    }
  }
  issue.resume_offset = e.offset + std::max<uint64_t>(e.total_bytes, kBlockHeaderBytes);
  scan_.issues.push_back(issue);
  Report(issue);
  if (!options_.skip_corrupt) status_ = Corruption(DescribeIssue(dir_, issue));
  events_.clear();
  next_event_ = 0;
  return false;
}

const Event* JournalReader::Next() {
  while (next_event_ >= events_.size()) {
    if (!status_.ok()) return nullptr;
    if (next_block_ >= stop_block_) {
      // Strict mode reports the first issue when reading reaches it, in order.
      if (!stop_status_.ok()) Report(stop_issue_);
      status_ = stop_status_;
      return nullptr;
    }
    if (!LoadBlock(next_block_++) && !options_.skip_corrupt) return nullptr;
  }
  return &events_[next_event_++];
}

Status JournalReader::SeekToSeq(SeqNo seq) {
  // The last block whose first_seq <= seq (blocks are in seq order in a valid journal).
  auto it = std::upper_bound(scan_.blocks.begin(), scan_.blocks.begin() + stop_block_, seq,
                             [](SeqNo s, const IndexEntry& e) { return s < e.first_seq; });
  size_t block = static_cast<size_t>(it - scan_.blocks.begin());
  block = block == 0 ? 0 : block - 1;
  next_block_ = block;
  events_.clear();
  next_event_ = 0;
  status_ = Status::Ok();
  while (const Event* e = Next()) {
    if (e->seq >= seq) {
      --next_event_;
      return Status::Ok();
    }
  }
  return status_;
}

Status JournalReader::SeekToTime(Timestamp ts) {
  // The first block whose last_ts >= ts.
  auto it = std::lower_bound(scan_.blocks.begin(), scan_.blocks.begin() + stop_block_, ts.ns,
                             [](const IndexEntry& e, int64_t t) { return e.last_ts < t; });
  next_block_ = static_cast<size_t>(it - scan_.blocks.begin());
  events_.clear();
  next_event_ = 0;
  status_ = Status::Ok();
  while (const Event* e = Next()) {
    if (e->ts >= ts) {
      --next_event_;
      return Status::Ok();
    }
  }
  return status_;
}

}  // namespace td::journal
