#include "fix/dictionary.h"

#include <algorithm>

#include "fix/utc_time.h"

namespace td::fix {
namespace {

struct TypeName {
  std::string_view name;
  FieldType type;
};

constexpr TypeName kTypeNames[] = {
    {"STRING", FieldType::kString},
    {"CHAR", FieldType::kChar},
    {"BOOLEAN", FieldType::kBoolean},
    {"INT", FieldType::kInt},
    {"LENGTH", FieldType::kLength},
    {"SEQNUM", FieldType::kSeqNum},
    {"NUMINGROUP", FieldType::kNumInGroup},
    {"TAGNUM", FieldType::kTagNum},
    {"DAYOFMONTH", FieldType::kDayOfMonth},
    {"FLOAT", FieldType::kFloat},
    {"QTY", FieldType::kQty},
    {"QUANTITY", FieldType::kQty},
    {"PRICE", FieldType::kPrice},
    {"PRICEOFFSET", FieldType::kPriceOffset},
    {"AMT", FieldType::kAmt},
    {"PERCENTAGE", FieldType::kPercentage},
    {"UTCTIMESTAMP", FieldType::kUtcTimestamp},
    {"TIME", FieldType::kUtcTimestamp},
    {"UTCTIMEONLY", FieldType::kUtcTimeOnly},
    {"UTCDATEONLY", FieldType::kUtcDateOnly},
    {"UTCDATE", FieldType::kUtcDateOnly},
    {"DATE", FieldType::kUtcDateOnly},
    {"LOCALMKTDATE", FieldType::kLocalMktDate},
    {"MONTHYEAR", FieldType::kMonthYear},
    {"DATA", FieldType::kData},
    {"XMLDATA", FieldType::kData},
    {"MULTIPLEVALUESTRING", FieldType::kMultipleValueString},
    {"MULTIPLESTRINGVALUE", FieldType::kMultipleValueString},
    {"MULTIPLECHARVALUE", FieldType::kMultipleCharValue},
    {"CURRENCY", FieldType::kCurrency},
    {"EXCHANGE", FieldType::kExchange},
    {"COUNTRY", FieldType::kCountry},
};

bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// [-]digits, at most 18 digits.
bool IsSignedInt(std::string_view s) {
  if (!s.empty() && s[0] == '-') s.remove_prefix(1);
  return IsDigits(s) && s.size() <= 18;
}

// [-]digits[.digits] or [-].digits: no '+', no exponent, no spaces.
bool IsDecimal(std::string_view s) {
  if (!s.empty() && s[0] == '-') s.remove_prefix(1);
  const size_t dot = s.find('.');
  if (dot == std::string_view::npos) return IsDigits(s);
  const std::string_view a = s.substr(0, dot), b = s.substr(dot + 1);
  if (a.empty() && b.empty()) return false;
  return (a.empty() || IsDigits(a)) && (b.empty() || IsDigits(b));
}

bool IsMultiValueEnum(const FieldDef& def, std::string_view value) {
  size_t pos = 0;
  while (pos <= value.size()) {
    size_t sp = value.find(' ', pos);
    if (sp == std::string_view::npos) sp = value.size();
    if (sp == pos || !def.IsAllowedValue(value.substr(pos, sp - pos))) return false;
    pos = sp + 1;
  }
  return true;
}

}  // namespace

FieldType FieldTypeFromName(std::string_view name) {
  for (const TypeName& t : kTypeNames) {
    if (t.name == name) return t.type;
  }
  return FieldType::kString;
}

std::string_view FieldTypeName(FieldType type) {
  for (const TypeName& t : kTypeNames) {
    if (t.type == type) return t.name;
  }
  return "STRING";
}

bool IsValidFormat(FieldType type, std::string_view v) {
  switch (type) {
    case FieldType::kInt:
      return IsSignedInt(v);
    case FieldType::kLength:
    case FieldType::kSeqNum:
    case FieldType::kNumInGroup:
    case FieldType::kTagNum:
      return IsDigits(v) && v.size() <= 18;
    case FieldType::kDayOfMonth:
      return IsDigits(v) && v.size() <= 2;
    case FieldType::kFloat:
    case FieldType::kQty:
    case FieldType::kPrice:
    case FieldType::kPriceOffset:
    case FieldType::kAmt:
    case FieldType::kPercentage:
      return IsDecimal(v);
    case FieldType::kChar:
      return v.size() == 1;
    case FieldType::kBoolean:
      return v == "Y" || v == "N";
    case FieldType::kUtcTimestamp:
      return IsUtcTimestamp(v);
    case FieldType::kUtcTimeOnly:
      return IsUtcTimeOnly(v);
    case FieldType::kUtcDateOnly:
    case FieldType::kLocalMktDate:
      return IsUtcDate(v);
    case FieldType::kMonthYear:
      return IsMonthYear(v);
    case FieldType::kString:
    case FieldType::kData:
    case FieldType::kMultipleValueString:
    case FieldType::kMultipleCharValue:
    case FieldType::kCurrency:
    case FieldType::kExchange:
    case FieldType::kCountry:
      return true;
  }
  return true;
}

bool FieldDef::IsAllowedValue(std::string_view value) const {
  if (values.empty()) return true;
  if ((type == FieldType::kMultipleValueString || type == FieldType::kMultipleCharValue) &&
      value.find(' ') != std::string_view::npos) {
    return IsMultiValueEnum(*this, value);
  }
  return std::binary_search(values.begin(), values.end(), value,
                            [](std::string_view a, std::string_view b) { return a < b; });
}

// ---------------------------------------------------------------- FieldSet

void FieldSet::Add(int tag, bool required) {
  for (size_t i = 0; i < order_.size(); ++i) {
    if (order_[i] == tag) {
      if (required && std::find(required_.begin(), required_.end(), tag) == required_.end()) {
        required_.push_back(tag);
      }
      return;
    }
  }
  index_.emplace_back(tag, static_cast<int>(order_.size()));
  order_.push_back(tag);
  if (required) required_.push_back(tag);
}

GroupDef& FieldSet::AddGroup(int count_tag, bool required) {
  Add(count_tag, required);
  for (GroupDef& g : groups_) {
    if (g.count_tag == count_tag) return g;
  }
  groups_.push_back(GroupDef{});
  groups_.back().count_tag = count_tag;
  groups_.back().required = required;
  return groups_.back();
}

int FieldSet::Position(int tag) const {
  auto it = std::lower_bound(index_.begin(), index_.end(), std::make_pair(tag, -1));
  return it != index_.end() && it->first == tag ? it->second : -1;
}

bool FieldSet::IsRequired(int tag) const {
  return std::binary_search(required_.begin(), required_.end(), tag);
}

const GroupDef* FieldSet::FindGroup(int count_tag) const {
  auto it = std::lower_bound(groups_.begin(), groups_.end(), count_tag,
                             [](const GroupDef& g, int t) { return g.count_tag < t; });
  return it != groups_.end() && it->count_tag == count_tag ? &*it : nullptr;
}

void FieldSet::Finalize() {
  std::sort(index_.begin(), index_.end());
  std::sort(required_.begin(), required_.end());
  std::sort(groups_.begin(), groups_.end(),
            [](const GroupDef& a, const GroupDef& b) { return a.count_tag < b.count_tag; });
  for (GroupDef& g : groups_) {
    if (g.delimiter_tag == 0 && !g.entry.order().empty()) g.delimiter_tag = g.entry.order()[0];
    g.entry.Finalize();
  }
}

bool GroupDef::ContainsDeep(int tag) const {
  if (entry.Contains(tag)) return true;
  for (const GroupDef& g : entry.groups()) {
    if (g.ContainsDeep(tag)) return true;
  }
  return false;
}

// ---------------------------------------------------------------- Dictionary

Status Dictionary::AddField(FieldDef def) {
  if (def.tag <= 0)
    return InvalidArgument("field '" + def.name + "' has tag " + std::to_string(def.tag) +
                           " (must be positive)");
  for (const FieldDef& f : fields_) {
    if (f.tag == def.tag) {
      return InvalidArgument("field " + std::to_string(def.tag) + " defined twice ('" + f.name +
                             "' and '" + def.name + "')");
    }
  }
  fields_.push_back(std::move(def));
  return Status::Ok();
}

MessageDef& Dictionary::AddMessage(std::string msg_type, std::string name, bool admin) {
  MessageDef& m = messages_[msg_type];
  m.msg_type = std::move(msg_type);
  m.name = std::move(name);
  m.admin = admin;
  return m;
}

const FieldDef* Dictionary::FindField(int tag) const {
  if (tag <= 0) return nullptr;
  if (tag < kDirectIndexTags && !direct_.empty()) {
    const int32_t i = direct_[static_cast<size_t>(tag)];
    return i < 0 ? nullptr : &fields_[static_cast<size_t>(i)];
  }
  auto it = std::lower_bound(fields_.begin(), fields_.end(), tag,
                             [](const FieldDef& f, int t) { return f.tag < t; });
  return it != fields_.end() && it->tag == tag ? &*it : nullptr;
}

const FieldDef* Dictionary::FindFieldByName(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &fields_[static_cast<size_t>(it->second)];
}

const MessageDef* Dictionary::FindMessage(std::string_view msg_type) const {
  auto it = messages_.find(msg_type);
  return it == messages_.end() ? nullptr : &it->second;
}

bool Dictionary::IsHeaderField(int tag) const {
  return std::binary_search(header_all_.begin(), header_all_.end(), tag);
}

bool Dictionary::IsTrailerField(int tag) const {
  return std::binary_search(trailer_all_.begin(), trailer_all_.end(), tag);
}

namespace {

void CollectAll(const FieldSet& set, std::vector<int>* out) {
  for (int t : set.order()) out->push_back(t);
  for (const GroupDef& g : set.groups()) CollectAll(g.entry, out);
}

Status CheckSet(const Dictionary& d, const FieldSet& set, const std::string& where) {
  for (int t : set.order()) {
    if (d.FindField(t) == nullptr) {
      return InvalidArgument(where + " refers to undefined field " + std::to_string(t));
    }
  }
  for (const GroupDef& g : set.groups()) {
    const std::string gw = where + " group " + std::to_string(g.count_tag);
    if (g.entry.order().empty()) return InvalidArgument(gw + " has no fields");
    const FieldType ct = d.FindField(g.count_tag)->type;
    if (ct != FieldType::kNumInGroup && ct != FieldType::kInt) {
      return InvalidArgument(gw + ": count field type is " + std::string(FieldTypeName(ct)) +
                             ", expected NUMINGROUP");
    }
    TD_RETURN_IF_ERROR(CheckSet(d, g.entry, gw));
  }
  return Status::Ok();
}

}  // namespace

Status Dictionary::Finalize() {
  std::sort(fields_.begin(), fields_.end(),
            [](const FieldDef& a, const FieldDef& b) { return a.tag < b.tag; });
  direct_.assign(kDirectIndexTags, -1);
  by_name_.clear();
  for (size_t i = 0; i < fields_.size(); ++i) {
    FieldDef& f = fields_[i];
    std::sort(f.values.begin(), f.values.end());
    f.values.erase(std::unique(f.values.begin(), f.values.end()), f.values.end());
    if (f.tag < kDirectIndexTags) direct_[static_cast<size_t>(f.tag)] = static_cast<int32_t>(i);
    by_name_.emplace(f.name, static_cast<int>(i));
  }
  header_.Finalize();
  trailer_.Finalize();
  for (auto& [type, m] : messages_) m.body.Finalize();
  header_all_.clear();
  trailer_all_.clear();
  CollectAll(header_, &header_all_);
  CollectAll(trailer_, &trailer_all_);
  std::sort(header_all_.begin(), header_all_.end());
  std::sort(trailer_all_.begin(), trailer_all_.end());

  TD_RETURN_IF_ERROR(CheckSet(*this, header_, "header"));
  TD_RETURN_IF_ERROR(CheckSet(*this, trailer_, "trailer"));
  for (const auto& [type, m] : messages_) {
    TD_RETURN_IF_ERROR(CheckSet(*this, m.body, "message " + m.name + " (" + type + ")"));
  }
  return Status::Ok();
}

}  // namespace td::fix
