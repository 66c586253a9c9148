// A selector-valued field (nodeSelector, peerSelector): read as text, refused with the parser's
// position and reason when it is not Calico selector syntax, so a typo never silently selects
// nothing.
#pragma once

#include <optional>
#include <string>

#include "config/yaml_reader.h"
#include "policy/selector/selector.h"

namespace pinto::config {

inline std::optional<std::string> read_selector(MapReader& reader, const std::string& key) {
  auto text = reader.string(key);
  if (!text) return std::nullopt;
  if (auto parsed = policy::Selector::parse(*text); !parsed) {
    reader.fail(key, "not a valid selector: " + parsed.error().to_string());
    return std::nullopt;
  }
  return text;
}

}  // namespace pinto::config
