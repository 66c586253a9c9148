#include "pintoctl/format.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

namespace pinto::ctl {

namespace {

YAML::Node as_list(const std::string& kind, const std::vector<std::string>& documents) {
  YAML::Node list;
  list["apiVersion"] = "projectcalico.org/v3";
  list["kind"] = kind + "List";
  list["items"] = YAML::Node(YAML::NodeType::Sequence);
  for (const auto& d : documents) list["items"].push_back(YAML::Load(d));
  return list;
}

// yaml-cpp keeps every scalar as text; a plain (unquoted) scalar is typed by how it reads.
nlohmann::json to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& kv : node) out[kv.first.as<std::string>()] = to_json(kv.second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& item : node) out.push_back(to_json(item));
      return out;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (node.Tag() != "?") return s;  // quoted: a string whatever it looks like
      if (s == "true" || s == "false") return s == "true";
      if (s == "null" || s == "~") return nullptr;
      std::int64_t i = 0;
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
      if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) return i;
      return s;
    }
    default: return nullptr;
  }
}

}  // namespace

std::string format_table(const std::vector<std::string>& header,
                         const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width(header.size(), 0);
  for (std::size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size() && i < width.size(); ++i)
      width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    std::string l;
    for (std::size_t i = 0; i < cells.size() && i < width.size(); ++i) {
      l += cells[i];
      if (i + 1 < cells.size()) l += std::string(width[i] - cells[i].size() + 3, ' ');
    }
    out += l + "\n";
  };
  line(header);
  for (const auto& row : rows) line(row);
  return out;
}

std::string resources_as_yaml(const std::string& kind, const std::vector<std::string>& documents,
                              bool list) {
  if (!list && documents.size() == 1) return documents.front();
  return YAML::Dump(as_list(kind, documents)) + "\n";
}

std::string resources_as_json(const std::string& kind, const std::vector<std::string>& documents,
                              bool list) {
  const YAML::Node node =
      (!list && documents.size() == 1) ? YAML::Load(documents.front()) : as_list(kind, documents);
  return to_json(node).dump(2) + "\n";
}

std::string yaml_field(const std::string& document, const std::string& dotted_path) {
  YAML::Node node = YAML::Load(document);
  std::size_t at = 0;
  while (at <= dotted_path.size()) {
    const auto dot = std::min(dotted_path.find('.', at), dotted_path.size());
    if (!node.IsMap()) return "";
    // Read through a const node: yaml-cpp's non-const operator[] would insert the key, and
    // assigning one Node to another overwrites the first's content, so reset() moves along.
    const YAML::Node child = static_cast<const YAML::Node&>(node)[dotted_path.substr(at, dot - at)];
    if (!child.IsDefined()) return "";
    node.reset(child);
    at = dot + 1;
  }
  return node.IsScalar() ? node.Scalar() : "";
}

}  // namespace pinto::ctl
