// QuickFIX XML data dictionary loader (pugixml stays inside this file).
#include <pugixml.hpp>

#include <fstream>
#include <map>
#include <sstream>

#include "fix/dictionary.h"

namespace td::fix {
namespace {

constexpr int kMaxComponentDepth = 32;  // components nest a few levels; more means a cycle

class XmlLoader {
 public:
  XmlLoader(const pugi::xml_node& root, std::string origin)
      : root_(root), origin_(std::move(origin)) {}

  Result<Dictionary> Load() {
    Dictionary d;
    std::string bs = root_.attribute("type").as_string("FIX");
    bs += ".";
    bs += root_.attribute("major").as_string("4");
    bs += ".";
    bs += root_.attribute("minor").as_string("4");
    d.set_begin_string(bs);

    for (pugi::xml_node f : root_.child("fields").children("field")) {
      FieldDef def;
      def.tag = f.attribute("number").as_int(0);
      def.name = f.attribute("name").as_string();
      def.type = FieldTypeFromName(f.attribute("type").as_string());
      for (pugi::xml_node v : f.children("value"))
        def.values.emplace_back(v.attribute("enum").as_string());
      if (def.name.empty()) return Error(f, "field without a name");
      name_to_tag_[def.name] = def.tag;
      TD_RETURN_IF_ERROR(Wrap(d.AddField(std::move(def)), f));
    }
    for (pugi::xml_node c : root_.child("components").children("component")) {
      components_[c.attribute("name").as_string()] = c;
    }
    TD_RETURN_IF_ERROR(Fill(root_.child("header"), true, &d.mutable_header(), 0));
    TD_RETURN_IF_ERROR(Fill(root_.child("trailer"), true, &d.mutable_trailer(), 0));
    for (pugi::xml_node m : root_.child("messages").children("message")) {
      const std::string type = m.attribute("msgtype").as_string();
      if (type.empty()) return Error(m, "message without msgtype");
      MessageDef& def =
          d.AddMessage(type, m.attribute("name").as_string(),
                       std::string_view(m.attribute("msgcat").as_string()) == "admin");
      TD_RETURN_IF_ERROR(Fill(m, true, &def.body, 0));
    }
    Status s = d.Finalize();
    if (!s.ok()) return InvalidArgument(origin_ + ": " + s.message());
    return d;
  }

 private:
  Status Error(const pugi::xml_node& n, const std::string& what) const {
    return InvalidArgument(origin_ + ": <" + std::string(n.name()) + " name='" +
                           n.attribute("name").as_string() + "'> (byte " +
                           std::to_string(n.offset_debug()) + "): " + what);
  }
  Status Wrap(Status s, const pugi::xml_node& n) const {
    return s.ok() ? s : Error(n, s.message());
  }

  // Adds the children of `node` (field, group, component) to `set`. A child is required when
  // it says so and its enclosing component reference is required (`parent_required`).
  Status Fill(const pugi::xml_node& node, bool parent_required, FieldSet* set, int depth) {
    if (depth > kMaxComponentDepth) return Error(node, "components nest too deep (a cycle?)");
    for (pugi::xml_node child : node.children()) {
      const std::string_view kind = child.name();
      const std::string name = child.attribute("name").as_string();
      const bool required =
          parent_required && std::string_view(child.attribute("required").as_string()) == "Y";
      if (kind == "field") {
        auto it = name_to_tag_.find(name);
        if (it == name_to_tag_.end()) return Error(child, "unknown field");
        set->Add(it->second, required);
      } else if (kind == "group") {
        auto it = name_to_tag_.find(name);
        if (it == name_to_tag_.end()) return Error(child, "unknown group count field");
        // Fill the entry into a local set first: AddGroup's reference would not survive other
        // groups being added to `set` meanwhile.
        FieldSet entry;
        TD_RETURN_IF_ERROR(Fill(child, true, &entry, depth + 1));
        GroupDef& g = set->AddGroup(it->second, required);
        g.entry = std::move(entry);
        g.delimiter_tag = g.entry.order().empty() ? 0 : g.entry.order()[0];
      } else if (kind == "component") {
        auto it = components_.find(name);
        if (it == components_.end()) return Error(child, "unknown component");
        TD_RETURN_IF_ERROR(Fill(it->second, required, set, depth + 1));
      }
    }
    return Status::Ok();
  }

  pugi::xml_node root_;
  std::string origin_;
  std::map<std::string, int, std::less<>> name_to_tag_;
  std::map<std::string, pugi::xml_node, std::less<>> components_;
};

Result<Dictionary> LoadFromDocument(const pugi::xml_document& doc, std::string origin) {
  pugi::xml_node root = doc.child("fix");
  if (!root) return InvalidArgument(origin + ": no <fix> root element");
  return XmlLoader(root, std::move(origin)).Load();
}

}  // namespace

Result<Dictionary> ParseDictionaryXml(std::string_view xml_text, std::string_view origin) {
  pugi::xml_document doc;
  pugi::xml_parse_result r = doc.load_buffer(xml_text.data(), xml_text.size());
  if (!r) {
    return InvalidArgument(std::string(origin) + " byte " + std::to_string(r.offset) + ": " +
                           r.description());
  }
  return LoadFromDocument(doc, std::string(origin));
}

Result<Dictionary> LoadDictionaryXml(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError(path + ": cannot open data dictionary");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ParseDictionaryXml(ss.str(), path);
}

}  // namespace td::fix
