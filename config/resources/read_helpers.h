// Small reading helpers shared by the per-kind readers: Calico enums by their exact spelling,
// prefixes with a chosen host-bits rule, and Calico's [{cidr: ...}] lists.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/resources/community.h"
#include "config/yaml_reader.h"

namespace pinto::config {

/// Reads `key` as one of `values` (Calico's spelling, case-sensitive as Calico's CRDs are).
template <class E>
std::optional<E> read_enum(MapReader& r, const std::string& key,
                           std::initializer_list<std::pair<const char*, E>> values) {
  auto text = r.string(key);
  if (!text) return std::nullopt;
  std::string expected;
  for (const auto& [name, value] : values) {
    if (*text == name) return value;
    expected += expected.empty() ? name : std::string(", ") + name;
  }
  r.fail(key, "expected one of " + expected + ", got '" + *text + "'");
  return std::nullopt;
}

/// A prefix that must be strictly masked (Calico's `net` validator): "10.0.0.1/24" is refused
/// with a message saying so; a bare address is a host prefix.
inline std::optional<IpPrefix> read_network(MapReader& r, const std::string& key) {
  auto text = r.string(key);
  if (!text) return std::nullopt;
  if (auto p = IpPrefix::parse(*text, /*strict=*/true)) return p;
  if (IpPrefix::parse(*text, /*strict=*/false)) {
    r.fail(key, "host bits set in '" + *text + "' (write the network address)");
  } else {
    r.fail(key, "not a CIDR prefix: '" + *text + "'");
  }
  return std::nullopt;
}

/// Calico's service IP lists: [{cidr: 10.96.0.0/12}, ...].
inline std::vector<IpPrefix> read_cidr_blocks(MapReader& r, const std::string& key) {
  std::vector<IpPrefix> out;
  r.each(key, [&](MapReader& item, std::size_t) {
    if (auto p = read_network(item, "cidr")) {
      out.push_back(*p);
    } else if (item.ok()) {
      item.fail("cidr", "required");
    }
  });
  return out;
}

inline std::optional<Community> read_community(MapReader& r, const std::string& key) {
  auto text = r.string(key);
  if (!text) return std::nullopt;
  auto c = parse_community(*text);
  if (!c) {
    r.fail(key, "not a community (aa:nn with 16-bit parts, or aa:nn:mm with 32-bit parts): '" +
                    *text + "'");
  }
  return c;
}

/// A MAC address as Calico writes it: six hex octets separated by ':' (or '-').
inline bool valid_mac(const std::string& s) {
  if (s.size() != 17) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (i % 3 == 2 ? (c != ':' && c != '-') : !hex) return false;
  }
  return true;
}

/// A list of AS numbers (plain or asdot) at `key`.
inline std::vector<std::uint32_t> read_as_list(MapReader& r, const std::string& key) {
  std::vector<std::uint32_t> out;
  auto items = r.string_list(key);
  if (!items) return out;
  for (std::size_t i = 0; i < items->size(); ++i) {
    auto as = parse_as_number((*items)[i]);
    if (!as) {
      r.fail(key + "[" + std::to_string(i) + "]", "not an AS number: '" + (*items)[i] + "'");
      return {};
    }
    out.push_back(*as);
  }
  return out;
}

}  // namespace pinto::config
