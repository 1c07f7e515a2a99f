// The FIX data dictionary: every field's number, name, type and enumerated values; every
// message type's allowed and required fields and repeating groups; the standard header and
// trailer. Loaded from QuickFIX's XML format (LoadDictionaryXml) or taken from our own built-in
// FIX 4.4 table (BuiltinFix44Dictionary, fix/fix44_builtin.cc), which covers the session
// messages and the application messages the simulated exchange uses. Immutable after
// Finalize(); share it read-only across sessions and threads.
//
//   Result<Dictionary> d = LoadDictionaryXml("FIX44.xml");
//   const MessageDef* nos = d->FindMessage("D");
//   bool required = nos->body.IsRequired(tag::kClOrdId);
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace td::fix {

enum class FieldType : uint8_t {
  kString,
  kChar,
  kBoolean,
  kInt,
  kLength,
  kSeqNum,
  kNumInGroup,
  kTagNum,
  kDayOfMonth,
  kFloat,
  kQty,
  kPrice,
  kPriceOffset,
  kAmt,
  kPercentage,
  kUtcTimestamp,
  kUtcTimeOnly,
  kUtcDateOnly,
  kLocalMktDate,
  kMonthYear,
  kData,
  kMultipleValueString,
  kMultipleCharValue,
  kCurrency,
  kExchange,
  kCountry,
};

// QuickFIX type names ("QTY", "UTCTIMESTAMP", ...); unknown names map to kString.
FieldType FieldTypeFromName(std::string_view name);
std::string_view FieldTypeName(FieldType type);
// True when `value` is well-formed for `type` (FIX 4.4 Volume 1, "Data types").
bool IsValidFormat(FieldType type, std::string_view value);

struct FieldDef {
  int tag = 0;
  std::string name;
  FieldType type = FieldType::kString;
  std::vector<std::string> values;  // enumerated values, sorted; empty = any value

  // REQUIRES: values sorted (Dictionary::Finalize sorts them).
  bool IsAllowedValue(std::string_view value) const;
};

struct GroupDef;

// The fields of one scope: a message body, a group entry, the header or the trailer.
class FieldSet {
 public:
  // Appends a field in definition order; a repeated tag keeps its first position and becomes
  // required when either mention is.
  void Add(int tag, bool required);
  // Appends a group: `count_tag` (NumInGroup) in this scope, its entry fields in `group.entry`.
  GroupDef& AddGroup(int count_tag, bool required);

  bool Contains(int tag) const { return Position(tag) >= 0; }
  // The index of `tag` in definition order, or -1.
  int Position(int tag) const;
  bool IsRequired(int tag) const;
  const GroupDef* FindGroup(int count_tag) const;

  const std::vector<int>& order() const { return order_; }
  const std::vector<int>& required() const { return required_; }  // ascending
  const std::vector<GroupDef>& groups() const { return groups_; }
  std::vector<GroupDef>& mutable_groups() { return groups_; }

  // Sorts the lookup tables; called by Dictionary::Finalize (recursively for groups).
  void Finalize();

 private:
  std::vector<int> order_;
  std::vector<std::pair<int, int>> index_;  // (tag, position), sorted by tag
  std::vector<int> required_;
  std::vector<GroupDef> groups_;  // sorted by count_tag after Finalize
};

struct GroupDef {
  int count_tag = 0;      // the NumInGroup field
  int delimiter_tag = 0;  // the first field of every entry
  bool required = false;
  FieldSet entry;

  // True when `tag` belongs to an entry, at any nesting depth.
  bool ContainsDeep(int tag) const;
};

struct MessageDef {
  std::string msg_type;
  std::string name;
  bool admin = false;  // msgcat='admin'
  FieldSet body;
};

class Dictionary {
 public:
  Dictionary() = default;
  Dictionary(Dictionary&&) = default;
  Dictionary& operator=(Dictionary&&) = default;
  Dictionary(const Dictionary&) = delete;
  Dictionary& operator=(const Dictionary&) = delete;

  std::string_view begin_string() const { return begin_string_; }
  const FieldDef* FindField(int tag) const;
  const FieldDef* FindFieldByName(std::string_view name) const;
  const MessageDef* FindMessage(std::string_view msg_type) const;
  const FieldSet& header() const { return header_; }
  const FieldSet& trailer() const { return trailer_; }
  // Header/trailer fields, including the members of header groups (NoHops).
  bool IsHeaderField(int tag) const;
  bool IsTrailerField(int tag) const;
  size_t field_count() const { return fields_.size(); }
  size_t message_count() const { return messages_.size(); }
  const std::map<std::string, MessageDef, std::less<>>& messages() const { return messages_; }

  // Building (loaders only). Every tag a FieldSet mentions must be added with AddField.
  void set_begin_string(std::string v) { begin_string_ = std::move(v); }
  Status AddField(FieldDef def);
  MessageDef& AddMessage(std::string msg_type, std::string name, bool admin);
  FieldSet& mutable_header() { return header_; }
  FieldSet& mutable_trailer() { return trailer_; }
  // Sorts tables and checks consistency: every referenced tag defined, every group's count
  // field typed NUMINGROUP-or-INT and its delimiter known. The error names the message/group.
  Status Finalize();

 private:
  static constexpr int kDirectIndexTags = 8192;

  std::string begin_string_;
  std::vector<FieldDef> fields_;  // sorted by tag after Finalize
  std::vector<int32_t> direct_;   // tag < kDirectIndexTags -> index into fields_, or -1
  std::map<std::string, int, std::less<>> by_name_;
  std::map<std::string, MessageDef, std::less<>> messages_;
  FieldSet header_;
  FieldSet trailer_;
  std::vector<int> header_all_;  // sorted, including group members
  std::vector<int> trailer_all_;
};

// Loads a QuickFIX-format data dictionary (<fix><header/><trailer/><messages/><components/>
// <fields/></fix>). Errors name the file and the offending element.
Result<Dictionary> LoadDictionaryXml(const std::string& path);
Result<Dictionary> ParseDictionaryXml(std::string_view xml_text, std::string_view origin);

// Our own FIX 4.4 dictionary (not derived from any XML file): header, trailer, the session
// messages (0 1 2 3 4 5 A) and the application messages D F G H q r 8 9 j AF and d.
const Dictionary& BuiltinFix44Dictionary();

}  // namespace td::fix
