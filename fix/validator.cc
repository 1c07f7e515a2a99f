#include "fix/validator.h"

#include <array>
#include <bitset>

namespace td::fix {
namespace {

constexpr int kSeenDirectTags = 1024;  // 128 bytes to clear per scope; higher tags overflow
constexpr size_t kSeenOverflowMax = 64;

Rejection Reject(SessionRejectReason reason, int tag) { return Rejection{reason, tag, true}; }
Rejection RejectNoTag(SessionRejectReason reason) { return Rejection{reason, 0, false}; }

// Tags already seen in one top-level scope (repeated-tag detection without allocation).
class SeenTags {
 public:
  // Returns true when `tag` was already marked; marks it.
  bool TestAndMark(int tag) {
    if (tag > 0 && tag < kSeenDirectTags) {
      const bool was = direct_.test(static_cast<size_t>(tag));
      direct_.set(static_cast<size_t>(tag));
      return was;
    }
    for (size_t i = 0; i < n_; ++i) {
      if (overflow_[i] == tag) return true;
    }
    if (n_ < overflow_.size()) overflow_[n_++] = tag;
    return false;
  }

 private:
  std::bitset<kSeenDirectTags> direct_;
  std::array<int, kSeenOverflowMax> overflow_{};
  size_t n_ = 0;
};

class Walker {
 public:
  Walker(const Dictionary& d, const Message& m) : d_(d), f_(m.fields()) {}

  std::optional<Rejection> rejection;

  bool Present(int tag, size_t begin, size_t end) const {
    for (size_t i = begin; i < end; ++i) {
      if (f_[i].tag == tag) return true;
    }
    return false;
  }

  // Empty value, unknown tag, format, enumeration.
  bool Basics(const Field& f) {
    if (f.value.empty()) return Fail(Reject(SessionRejectReason::kTagSpecifiedWithoutValue, f.tag));
    const FieldDef* def = d_.FindField(f.tag);
    if (def == nullptr) return Fail(Reject(SessionRejectReason::kInvalidTagNumber, f.tag));
    if (!IsValidFormat(def->type, f.value)) {
      return Fail(Reject(SessionRejectReason::kIncorrectDataFormat, f.tag));
    }
    if (!def->IsAllowedValue(f.value)) {
      return Fail(Reject(SessionRejectReason::kValueIsIncorrect, f.tag));
    }
    return true;
  }

  // Walks fields [begin, end) as the top-level scope `set`. Returns false on a rejection.
  bool WalkTop(const FieldSet& set, size_t begin, size_t end) {
    SeenTags seen;
    size_t i = begin;
    while (i < end) {
      const Field& f = f_[i];
      if (seen.TestAndMark(f.tag)) {
        return Fail(Reject(SessionRejectReason::kTagAppearsMoreThanOnce, f.tag));
      }
      if (!Basics(f)) return false;
      if (!set.Contains(f.tag)) {
        return Fail(Reject(SessionRejectReason::kTagNotDefinedForMessageType, f.tag));
      }
      if (const GroupDef* g = set.FindGroup(f.tag)) {
        if (!WalkGroup(*g, f, &i, end)) return false;
        continue;
      }
      ++i;
    }
    return true;
  }

  // *i is the index after the NumInGroup field `count_field`; advances past the group.
  bool WalkGroup(const GroupDef& g, const Field& count_field, size_t* i, size_t end) {
    int64_t count = -1;
    if (!ParseNonNegative(count_field.value, &count)) count = -1;
    ++*i;
    if (count > 0 && *i < end && f_[*i].tag != g.delimiter_tag && g.entry.Contains(f_[*i].tag)) {
      return Fail(Reject(SessionRejectReason::kRepeatingGroupFieldsOutOfOrder, f_[*i].tag));
    }
    int64_t entries = 0;
    while (*i < end && f_[*i].tag == g.delimiter_tag) {
      ++entries;
      const size_t entry_begin = *i;
      if (!Basics(f_[*i])) return false;
      int last_pos = g.entry.Position(g.delimiter_tag);
      ++*i;
      while (*i < end) {
        const Field& f = f_[*i];
        if (f.tag == g.delimiter_tag) break;
        const int pos = g.entry.Position(f.tag);
        if (pos < 0) break;  // the group ends here
        if (!Basics(f)) return false;
        if (pos <= last_pos) {
          return Fail(Reject(SessionRejectReason::kRepeatingGroupFieldsOutOfOrder, f.tag));
        }
        last_pos = pos;
        if (const GroupDef* nested = g.entry.FindGroup(f.tag)) {
          if (!WalkGroup(*nested, f, i, end)) return false;
          continue;
        }
        ++*i;
      }
      for (int r : g.entry.required()) {
        if (!Present(r, entry_begin, *i)) {
          return Fail(Reject(SessionRejectReason::kRequiredTagMissing, r));
        }
      }
    }
    if (entries != count) {
      return Fail(Reject(SessionRejectReason::kIncorrectNumInGroupCount, g.count_tag));
    }
    return true;
  }

 private:
  bool Fail(Rejection r) {
    rejection = r;
    return false;
  }

  const Dictionary& d_;
  std::span<const Field> f_;
};

}  // namespace

std::optional<Rejection> Validate(const Dictionary& dict, const Message& msg) {
  const std::span<const Field> f = msg.fields();
  const size_t n = f.size();
  if (n < 4) return RejectNoTag(SessionRejectReason::kOther);  // Parse() guarantees 8 9 35 .. 10
  const size_t last = n - 1;                                   // CheckSum (10)

  // 1. Structure: header, then body, then trailer.
  size_t header_end = 3, trailer_begin = last;
  {
    bool in_body = false, in_trailer = false;
    for (size_t i = 3; i < last; ++i) {
      const int t = f[i].tag;
      const bool is_header = dict.IsHeaderField(t);
      const bool is_trailer = !is_header && dict.IsTrailerField(t);
      if (is_header) {
        if (in_body || in_trailer) {
          return Reject(SessionRejectReason::kTagSpecifiedOutOfRequiredOrder, t);
        }
        header_end = i + 1;
      } else if (is_trailer) {
        if (!in_trailer) trailer_begin = i;
        in_trailer = true;
      } else {
        if (in_trailer) {
          return Reject(SessionRejectReason::kTagSpecifiedOutOfRequiredOrder, f[trailer_begin].tag);
        }
        in_body = true;
      }
    }
  }

  // 2. Message type.
  const MessageDef* def = dict.FindMessage(msg.msg_type());
  if (def == nullptr) return RejectNoTag(SessionRejectReason::kInvalidMsgType);

  // 3. Required fields: header (8, 9, 35 are positions 0..2), trailer (10 is last), body.
  Walker w(dict, msg);
  for (int r : dict.header().required()) {
    if (r == tag::kBeginString || r == tag::kBodyLength || r == tag::kMsgType) continue;
    if (!w.Present(r, 3, header_end)) return Reject(SessionRejectReason::kRequiredTagMissing, r);
  }
  for (int r : dict.trailer().required()) {
    if (r == tag::kCheckSum) continue;
    if (!w.Present(r, trailer_begin, last)) {
      return Reject(SessionRejectReason::kRequiredTagMissing, r);
    }
  }
  for (int r : def->body.required()) {
    if (!w.Present(r, header_end, trailer_begin)) {
      return Reject(SessionRejectReason::kRequiredTagMissing, r);
    }
  }

  // 4. Field by field.
  if (!w.WalkTop(dict.header(), 3, header_end)) return w.rejection;
  if (!w.WalkTop(dict.trailer(), trailer_begin, last)) return w.rejection;
  if (!w.WalkTop(def->body, header_end, trailer_begin)) return w.rejection;
  return std::nullopt;
}

}  // namespace td::fix
