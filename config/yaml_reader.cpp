#include "config/yaml_reader.h"

#include <charconv>

#include "config/duration.h"

namespace pinto::config {

namespace {

std::optional<std::uint64_t> parse_unsigned(std::string_view text) {
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

}  // namespace

MapReader::MapReader(const YAML::Node& node, std::string path)
    : node_(node), path_(std::move(path)) {
  if (node_.IsDefined() && !node_.IsNull() && !node_.IsMap()) {
    error_ = ValidationError{path_, "expected a mapping"};
  }
}

std::string MapReader::path_of(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

void MapReader::fail(const std::string& key, std::string message) {
  if (!error_) error_ = ValidationError{key.empty() ? path_ : path_of(key), std::move(message)};
}

std::optional<YAML::Node> MapReader::raw(const std::string& key) {
  read_.insert(key);
  if (error_ || !node_.IsMap()) return std::nullopt;
  YAML::Node v = node_[key];
  if (!v.IsDefined() || v.IsNull()) return std::nullopt;
  return v;
}

void MapReader::accept(std::initializer_list<const char*> keys) {
  for (const char* k : keys) read_.insert(k);
}

std::optional<std::string> MapReader::scalar(const std::string& key) {
  auto v = raw(key);
  if (!v) return std::nullopt;
  if (!v->IsScalar()) {
    fail(key, "expected a single value");
    return std::nullopt;
  }
  return v->Scalar();
}

std::optional<std::string> MapReader::string(const std::string& key) {
  return scalar(key);
}

std::optional<bool> MapReader::boolean(const std::string& key) {
  auto s = scalar(key);
  if (!s) return std::nullopt;
  if (*s == "true" || *s == "True" || *s == "TRUE") return true;
  if (*s == "false" || *s == "False" || *s == "FALSE") return false;
  fail(key, "expected true or false, got '" + *s + "'");
  return std::nullopt;
}

std::optional<std::uint64_t> MapReader::unsigned_integer(const std::string& key,
                                                         std::uint64_t max) {
  auto s = scalar(key);
  if (!s) return std::nullopt;
  auto v = parse_unsigned(*s);
  if (!v || *v > max) {
    fail(key, "expected a whole number from 0 to " + std::to_string(max) + ", got '" + *s + "'");
    return std::nullopt;
  }
  return v;
}

std::optional<std::uint32_t> MapReader::as_number(const std::string& key) {
  auto s = scalar(key);
  if (!s) return std::nullopt;
  auto value = parse_as_number(*s);
  if (!value) fail(key, "not an AS number (1 to 4294967295, or asdot like 1.10): '" + *s + "'");
  return value;
}

std::optional<IpAddress> MapReader::address(const std::string& key) {
  auto s = scalar(key);
  if (!s) return std::nullopt;
  auto a = IpAddress::parse(*s);
  if (!a) fail(key, "not an IP address: '" + *s + "'");
  return a;
}

std::optional<IpPrefix> MapReader::prefix(const std::string& key, bool strict) {
  auto s = scalar(key);
  if (!s) return std::nullopt;
  auto p = IpPrefix::parse(*s, strict);
  if (!p) fail(key, "not a CIDR prefix: '" + *s + "'");
  return p;
}

std::optional<InterfaceAddress> MapReader::interface_address(const std::string& key) {
  auto s = scalar(key);
  if (!s) return std::nullopt;
  const auto slash = s->find('/');
  auto a = IpAddress::parse(std::string_view(*s).substr(0, slash));
  std::optional<std::uint64_t> length;
  if (a) {
    length = slash == std::string::npos ? std::optional<std::uint64_t>(a->max_prefix_length())
                                        : parse_unsigned(std::string_view(*s).substr(slash + 1));
  }
  if (!a || !length || *length > a->max_prefix_length()) {
    fail(key, "not an address with prefix length (like 10.0.0.1/24): '" + *s + "'");
    return std::nullopt;
  }
  return InterfaceAddress{*a, static_cast<std::uint8_t>(*length)};
}

std::optional<std::chrono::milliseconds> MapReader::duration(const std::string& key) {
  auto s = scalar(key);
  if (!s) return std::nullopt;
  auto d = parse_duration(*s);
  if (!d) fail(key, "not a duration (like 90s, 2m, 1h30m): '" + *s + "'");
  return d;
}

std::optional<std::vector<std::string>> MapReader::string_list(const std::string& key) {
  auto v = raw(key);
  if (!v) return std::nullopt;
  if (!v->IsSequence()) {
    fail(key, "expected a list");
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i < v->size(); ++i) {
    const YAML::Node item = (*v)[i];
    if (!item.IsScalar()) {
      fail(key + "[" + std::to_string(i) + "]", "expected a single value");
      return std::nullopt;
    }
    out.push_back(item.Scalar());
  }
  return out;
}

std::optional<std::map<std::string, std::string>> MapReader::string_map(const std::string& key) {
  auto v = raw(key);
  if (!v) return std::nullopt;
  if (!v->IsMap()) {
    fail(key, "expected a mapping");
    return std::nullopt;
  }
  std::map<std::string, std::string> out;
  for (const auto& kv : *v) {
    if (!kv.second.IsScalar()) {
      fail(key + "." + kv.first.Scalar(), "expected a single value");
      return std::nullopt;
    }
    out[kv.first.Scalar()] = kv.second.Scalar();
  }
  return out;
}

void MapReader::refuse_unsupported(std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    if (raw(k)) return fail(k, "not supported by Pinto yet");
  }
}

void MapReader::finish() {
  if (error_ || !node_.IsMap()) return;
  for (const auto& kv : node_) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "?";
    if (!read_.contains(key)) {
      fail(key, "unknown field");
      return;
    }
  }
}

std::optional<std::uint32_t> parse_as_number(std::string_view text) {
  std::optional<std::uint64_t> value;
  if (const auto dot = text.find('.'); dot != std::string_view::npos) {  // asdot, RFC 5396
    auto high = parse_unsigned(text.substr(0, dot));
    auto low = parse_unsigned(text.substr(dot + 1));
    if (high && low && *high <= 0xffff && *low <= 0xffff) value = (*high << 16) | *low;
  } else {
    value = parse_unsigned(text);
  }
  if (!value || *value == 0 || *value > 0xffffffffull) return std::nullopt;
  return static_cast<std::uint32_t>(*value);
}

std::optional<std::pair<IpAddress, std::optional<std::uint16_t>>> parse_address_and_port(
    std::string_view text) {
  if (auto a = IpAddress::parse(text)) return std::pair{*a, std::optional<std::uint16_t>{}};
  std::string_view host, port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find("]:");
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  auto a = IpAddress::parse(host);
  auto p = parse_unsigned(port);
  if (!a || !p || *p == 0 || *p > 65535) return std::nullopt;
  return std::pair{*a, std::optional<std::uint16_t>(static_cast<std::uint16_t>(*p))};
}

}  // namespace pinto::config
