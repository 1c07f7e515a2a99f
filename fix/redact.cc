#include "fix/redact.h"

#include "fix/fields.h"
#include "fix/message.h"

namespace td::fix {
namespace {

bool IsSecretTag(int tag) {
  return tag == tag::kPassword || tag == tag::kNewPassword || tag == tag::kRawData;
}

// Calls fn(tag, field_begin, value_begin, value_end) for each field; tag is 0 when the tag is not
// a number. Honours Length/Data pairs (a RawData value may contain SOH).
template <typename Fn>
void ForEachField(std::string_view raw, Fn&& fn) {
  size_t pos = 0;
  int pending_tag = 0;
  int64_t pending_len = -1;
  while (pos < raw.size()) {
    const size_t eq = raw.find('=', pos);
    if (eq == std::string_view::npos) {
      fn(0, pos, raw.size(), raw.size());
      return;
    }
    int64_t tag = 0;
    if (!ParseNonNegative(raw.substr(pos, eq - pos), &tag) || tag > 1'000'000'000) tag = 0;
    size_t value_end;
    if (tag != 0 && tag == pending_tag && pending_len >= 0 &&
        static_cast<size_t>(pending_len) <= raw.size() - eq - 1) {
      value_end = eq + 1 + static_cast<size_t>(pending_len);
    } else {
      value_end = raw.find(kSoh, eq + 1);
      if (value_end == std::string_view::npos) value_end = raw.size();
    }
    fn(static_cast<int>(tag), pos, eq + 1, value_end);
    pending_tag = DataTagForLengthTag(static_cast<int>(tag));
    pending_len = -1;
    if (pending_tag != 0 &&
        !ParseNonNegative(raw.substr(eq + 1, value_end - eq - 1), &pending_len)) {
      pending_len = -1;
    }
    pos = value_end + 1;
  }
}

}  // namespace

bool HasCredentials(std::string_view raw) {
  bool found = false;
  ForEachField(raw, [&](int tag, size_t, size_t, size_t) {
    if (IsSecretTag(tag)) found = true;
  });
  return found;
}

std::string RedactCredentials(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  ForEachField(raw, [&](int tag, size_t begin, size_t value_begin, size_t value_end) {
    if (IsSecretTag(tag)) {
      out.append(raw.substr(begin, value_begin - begin));
      out.append(kRedacted);
    } else if (tag == tag::kRawDataLength) {
      out.append(raw.substr(begin, value_begin - begin));
      out.append(std::to_string(kRedacted.size()));
    } else {
      out.append(raw.substr(begin, value_end - begin));
    }
    if (value_end < raw.size()) out.push_back(kSoh);
  });
  return out;
}

}  // namespace td::fix
