// BGP communities as Calico writes them: "aa:nn" (RFC 1997 standard community, two 16-bit
// halves) or "aa:nn:mm" (RFC 8092 large community, three 32-bit parts).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pinto::config {

struct Community {
  bool large = false;
  std::uint32_t global = 0;  // aa: the AS (16 bits for a standard community)
  std::uint32_t local1 = 0;  // nn (16 bits for a standard community)
  std::uint32_t local2 = 0;  // mm, large communities only

  std::string to_string() const;
  friend bool operator==(const Community&, const Community&) = default;
};

/// Parses "aa:nn" or "aa:nn:mm"; nullopt when malformed or a part is out of range (Calico
/// refuses a 17-bit part in a standard community rather than reading it as large).
std::optional<Community> parse_community(std::string_view text);

}  // namespace pinto::config
