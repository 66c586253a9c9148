#include "config/resources/policy_fields.h"

#include <array>
#include <cctype>
#include <charconv>
#include <utility>

namespace pinto::config {

namespace {

std::optional<std::uint32_t> parse_number(std::string_view text, std::uint32_t max) {
  std::uint32_t v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end || v > max) return std::nullopt;
  return v;
}

}  // namespace

std::vector<IpPrefix> read_net_list(MapReader& r, const std::string& key) {
  std::vector<IpPrefix> out;
  auto items = r.string_list(key);
  if (!items) return out;
  for (std::size_t i = 0; i < items->size(); ++i) {
    auto p = IpPrefix::parse((*items)[i], /*strict=*/false);
    if (!p) {
      r.fail(key + "[" + std::to_string(i) + "]", "not a CIDR prefix: '" + (*items)[i] + "'");
      return {};
    }
    out.push_back(*p);
  }
  return out;
}

std::optional<std::uint8_t> parse_protocol(const std::string& text) {
  static constexpr std::array<std::pair<std::string_view, std::uint8_t>, 12> kNames = {{
      {"TCP", protocol::kTcp},
      {"tcp", protocol::kTcp},
      {"UDP", protocol::kUdp},
      {"udp", protocol::kUdp},
      {"ICMP", protocol::kIcmp},
      {"icmp", protocol::kIcmp},
      {"ICMPv6", protocol::kIcmpV6},
      {"icmpv6", protocol::kIcmpV6},
      {"SCTP", protocol::kSctp},
      {"sctp", protocol::kSctp},
      {"UDPLite", protocol::kUdpLite},
      {"udplite", protocol::kUdpLite},
  }};
  for (const auto& [name, number] : kNames) {
    if (text == name) return number;
  }
  if (auto n = parse_number(text, 255); n && *n > 0) return static_cast<std::uint8_t>(*n);
  return std::nullopt;
}

std::optional<std::uint8_t> read_protocol(MapReader& r, const std::string& key) {
  auto text = r.string(key);
  if (!text) return std::nullopt;
  auto p = parse_protocol(*text);
  if (!p) {
    r.fail(key, "expected TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or 1-255, got '" + *text + "'");
  }
  return p;
}

bool valid_port_name(const std::string& name) {
  if (name.empty() || name.size() > 15) return false;
  bool letter = false;
  for (const char c : name) {
    const bool lower = c >= 'a' && c <= 'z';
    letter = letter || lower;
    if (!lower && !std::isdigit(static_cast<unsigned char>(c)) && c != '-') return false;
  }
  return letter && name.front() != '-' && name.back() != '-';
}

std::optional<PortMatch> parse_port_match(const std::string& text, std::string& why) {
  if (auto n = parse_number(text, 65535)) {
    return PortMatch{static_cast<std::uint16_t>(*n), static_cast<std::uint16_t>(*n), {}};
  }
  if (const auto colon = text.find(':'); colon != std::string::npos) {
    auto first = parse_number(std::string_view(text).substr(0, colon), 65535);
    auto last = parse_number(std::string_view(text).substr(colon + 1), 65535);
    if (!first || !last) {
      why = "not a port range (first:last, 0-65535): '" + text + "'";
      return std::nullopt;
    }
    if (*first > *last) {
      why = "range starts after it ends: '" + text + "'";
      return std::nullopt;
    }
    return PortMatch{static_cast<std::uint16_t>(*first), static_cast<std::uint16_t>(*last), {}};
  }
  if (!valid_port_name(text)) {
    why = "not a port, a range or a port name: '" + text + "'";
    return std::nullopt;
  }
  return PortMatch{0, 0, text};
}

std::vector<PortMatch> read_port_list(MapReader& r, const std::string& key) {
  std::vector<PortMatch> out;
  auto node = r.raw(key);
  if (!node || node->IsNull()) return out;
  if (!node->IsSequence()) {
    r.fail(key, "expected a list");
    return out;
  }
  for (std::size_t i = 0; i < node->size(); ++i) {
    const std::string item_key = key + "[" + std::to_string(i) + "]";
    const YAML::Node item = (*node)[i];
    if (!item.IsScalar()) {
      r.fail(item_key, "expected a port, a range or a port name");
      return {};
    }
    std::string why;
    auto p = parse_port_match(item.Scalar(), why);
    if (!p) {
      r.fail(item_key, why);
      return {};
    }
    out.push_back(*p);
  }
  return out;
}

}  // namespace pinto::config
