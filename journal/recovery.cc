#include "journal/recovery.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "journal/file.h"
#include "journal/index.h"
#include "journal/reader.h"
#include "schema/codec.h"

namespace td::journal {
namespace {

bool Before(const IndexEntry& b, const JournalIssue& issue) {
  return b.segment < issue.segment || (b.segment == issue.segment && b.offset < issue.offset);
}

// A name under quarantine/ that does not exist yet.
std::string QuarantinePath(const std::string& qdir, const std::string& name) {
  std::string path = qdir + "/" + name;
  for (int i = 1; PathExists(path); ++i) path = qdir + "/" + name + "." + std::to_string(i);
  return path;
}

Status WriteFreshIndex(const std::string& dir) {
  ReaderOptions opts;
  opts.use_index_file = false;
  Result<std::unique_ptr<JournalReader>> r = JournalReader::Open(dir, opts);
  if (!r.ok()) return r.status();
  if (!(*r)->issues().empty()) return Status::Ok();  // an index of a bad journal helps nobody
  return WriteFileAtomic(dir + "/" + kIndexFileName,
                         EncodeIndex((*r)->segments(), (*r)->blocks()));
}

}  // namespace

bool VerifyReport::torn_tail_only() const {
  return issues.size() == 1 && issues[0].torn && issues[0].segment + 1 == segments;
}

Result<VerifyReport> VerifyJournal(const std::string& dir) {
  ReaderOptions opts;
  opts.skip_corrupt = true;
  opts.use_index_file = false;
  Result<std::unique_ptr<JournalReader>> opened = JournalReader::Open(dir, opts);
  if (!opened.ok()) return opened.status();
  JournalReader& r = **opened;

  // Decode every record; blocks that fail to decode are added to the reader's issues.
  std::vector<uint64_t> records_per_block(r.blocks().size(), 0);
  VerifyReport rep;
  while (r.Next() != nullptr) ++records_per_block[r.current_block()];
  std::vector<JournalIssue> issues = r.issues();
  std::stable_sort(issues.begin(), issues.end(), [](const JournalIssue& a, const JournalIssue& b) {
    return a.segment != b.segment ? a.segment < b.segment : a.offset < b.offset;
  });
  rep.issues = issues;
  rep.corrupt_blocks = issues.size();
  rep.segments = static_cast<uint32_t>(r.segments().size());

  const JournalIssue* first_bad = issues.empty() ? nullptr : &issues.front();
  for (size_t i = 0; i < r.blocks().size(); ++i) {
    const IndexEntry& b = r.blocks()[i];
    const bool decoded = records_per_block[i] == b.record_count;
    if (!decoded) continue;
    if (first_bad == nullptr || Before(b, *first_bad)) {
      rep.records += b.record_count;
      rep.blocks += 1;
      rep.hash = b.chain;
      if (rep.first_seq == 0) {
        rep.first_seq = b.first_seq;
        rep.first_ts = b.first_ts;
      }
      rep.last_seq = b.first_seq + b.record_count - 1;
      rep.last_ts = b.last_ts;
    } else {
      rep.records_after_first_bad += b.record_count;
    }
  }
  if (first_bad != nullptr) {
    const std::vector<SegmentInfo>& segs = r.segments();
    rep.truncated_bytes = segs[first_bad->segment].file_bytes - first_bad->offset;
    for (size_t s = first_bad->segment + 1; s < segs.size(); ++s) {
      rep.truncated_bytes += segs[s].file_bytes;
    }
  }
  return rep;
}

namespace {

Status MakeQuarantine(const std::string& qdir) {
  if (::mkdir(qdir.c_str(), 0755) != 0 && errno != EEXIST) {
    return IoError("cannot create " + qdir + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

// A segment whose header is damaged but which still holds valid blocks gets a new header,
// taken from another segment's copy of the journal header when one is intact (every segment
// carries it), so that its blocks are kept. The damaged bytes go to quarantine.
Status RebuildSegmentHeader(const std::string& dir, const JournalIssue& bad,
                            RecoverReport* rep) {
  ReaderOptions opts;
  opts.skip_corrupt = true;
  opts.use_index_file = false;
  Result<std::unique_ptr<JournalReader>> r = JournalReader::Open(dir, opts);
  if (!r.ok()) return r.status();
  uint64_t prev_chain = 0;
  const IndexEntry* first = nullptr;
  for (const IndexEntry& b : (*r)->blocks()) {
    if (b.segment < bad.segment) prev_chain = b.chain;
    if (b.segment == bad.segment && first == nullptr) first = &b;
  }
  TD_CHECK(first != nullptr);
  JournalHeader header = (*r)->header();
  if ((*r)->issues().front().segment == 0 && (*r)->issues().front().offset == 0 &&
      (*r)->segments().size() == 1) {
    header = JournalHeader{};
    header.session_kind = "recovered";
    header.engine_name = "(journal header lost; rebuilt by journal recover)";
  }
  // The journal's own version when its header survives: a rebuilt segment of a version-1
  // journal stays version 1. (Each block names its own layout either way.)
  if (header.format_version == 0) header.format_version = kFormatVersion;
  header.schema_id = schema::SchemaId();
  SegmentHeader sh;
  sh.format_version = header.format_version;
  sh.segment_index = bad.segment;
  sh.first_seq = first->first_seq;
  sh.prev_chain = prev_chain;
  sh.header_message = schema::EncodeHeader(header);
  std::vector<uint8_t> rebuilt = EncodeSegmentHeader(sh);

  const std::string path = dir + "/" + bad.file;
  Result<std::vector<uint8_t>> bytes = ReadFile(path);
  if (!bytes.ok()) return bytes.status();
  const std::string qdir = dir + "/quarantine";
  TD_RETURN_IF_ERROR(MakeQuarantine(qdir));
  const std::string qpath = QuarantinePath(qdir, bad.file + ".damaged-header");
  TD_RETURN_IF_ERROR(WriteFileAtomic(qpath, std::span(*bytes).first(first->offset)));
  rep->quarantined_files.push_back(qpath);
  rep->bytes_cut += first->offset;
  rebuilt.insert(rebuilt.end(), bytes->begin() + static_cast<ptrdiff_t>(first->offset),
                 bytes->end());
  return WriteFileAtomic(path, rebuilt);
}

// Moves everything from `cut` to the end of the journal into quarantine.
Status CutFrom(const std::string& dir, const JournalIssue& cut, RecoverReport* rep) {
  Result<std::vector<std::string>> files = ListSegmentFiles(dir);
  if (!files.ok()) return files.status();
  const std::string qdir = dir + "/quarantine";
  TD_RETURN_IF_ERROR(MakeQuarantine(qdir));
  for (size_t s = cut.segment; s < files->size(); ++s) {
    const std::string path = dir + "/" + (*files)[s];
    Result<MappedFile> m = MappedFile::Open(path);
    if (!m.ok()) return m.status();
    if (s == cut.segment && cut.offset > 0) {
      std::span<const uint8_t> tail = m->bytes().subspan(cut.offset);
      const std::string qpath =
          QuarantinePath(qdir, (*files)[s] + ".from-" + std::to_string(cut.offset));
      TD_RETURN_IF_ERROR(WriteFileAtomic(qpath, tail));
      rep->quarantined_files.push_back(qpath);
      rep->bytes_cut += tail.size();
      TD_RETURN_IF_ERROR(TruncateFile(path, cut.offset));
    } else {
      rep->bytes_cut += m->bytes().size();
      const std::string qpath = QuarantinePath(qdir, (*files)[s]);
      if (::rename(path.c_str(), qpath.c_str()) != 0) {
        return IoError("cannot move " + path + " to " + qpath + ": " + std::strerror(errno));
      }
      rep->quarantined_files.push_back(qpath);
    }
  }
  TD_RETURN_IF_ERROR(SyncDir(qdir));
  return SyncDir(dir);
}

}  // namespace

Result<RecoverReport> RecoverJournal(const std::string& dir) {
  RecoverReport rep;
  // Each pass repairs or cuts at the first issue; a header rebuild may leave later issues for
  // the next pass. Bounded: every pass removes the first issue or everything after it.
  constexpr int kMaxPasses = 8;
  bool clean = false;
  for (int pass = 0; pass < kMaxPasses && !clean; ++pass) {
    Result<VerifyReport> v = VerifyJournal(dir);
    if (!v.ok()) return v.status();
    rep.records_kept = v->records;
    if (v->clean()) {
      clean = true;
      if (!rep.changed) TD_RETURN_IF_ERROR(WriteFreshIndex(dir));  // refresh a stale index
      break;
    }
    ::unlink((dir + "/" + kIndexFileName).c_str());
    const JournalIssue first = v->issues.front();
    rep.changed = true;
    if (!rep.cut_at) rep.cut_at = first;
    // A damaged segment header is rebuilt only when the blocks after it continue the journal
    // (no sequence or chain break at the first of them): a misplaced or foreign segment is cut.
    const bool next_is_continuity_break =
        v->issues.size() > 1 && v->issues[1].segment == first.segment &&
        v->issues[1].offset == first.resume_offset;
    const bool header_damaged_blocks_intact =
        first.offset == 0 && !next_is_continuity_break &&
        first.resume_offset < std::filesystem::file_size(dir + "/" + first.file);
    if (header_damaged_blocks_intact) {
      TD_RETURN_IF_ERROR(RebuildSegmentHeader(dir, first, &rep));
      continue;
    }
    rep.records_quarantined += v->records_after_first_bad;
    TD_RETURN_IF_ERROR(CutFrom(dir, first, &rep));
  }
  if (!clean) {
    return Corruption("journal " + dir + " still has damage after " +
                      std::to_string(kMaxPasses) + " recovery passes; nothing more was cut");
  }
  if (rep.changed && ListSegmentFiles(dir).ok()) TD_RETURN_IF_ERROR(WriteFreshIndex(dir));
  return rep;
}

}  // namespace td::journal
