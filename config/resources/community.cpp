#include "config/resources/community.h"

#include <charconv>
#include <vector>

namespace pinto::config {

std::string Community::to_string() const {
  std::string s = std::to_string(global) + ":" + std::to_string(local1);
  if (large) s += ":" + std::to_string(local2);
  return s;
}

std::optional<Community> parse_community(std::string_view text) {
  std::vector<std::uint64_t> parts;
  while (true) {
    const auto colon = text.find(':');
    const std::string_view part = text.substr(0, colon);
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (part.empty() || ec != std::errc() || end != part.data() + part.size()) return std::nullopt;
    parts.push_back(v);
    if (colon == std::string_view::npos) break;
    text.remove_prefix(colon + 1);
  }
  const std::uint64_t max = parts.size() == 2 ? 0xffff : 0xffffffff;
  if (parts.size() != 2 && parts.size() != 3) return std::nullopt;
  for (const auto p : parts) {
    if (p > max) return std::nullopt;
  }
  Community c;
  c.large = parts.size() == 3;
  c.global = static_cast<std::uint32_t>(parts[0]);
  c.local1 = static_cast<std::uint32_t>(parts[1]);
  if (c.large) c.local2 = static_cast<std::uint32_t>(parts[2]);
  return c;
}

}  // namespace pinto::config
