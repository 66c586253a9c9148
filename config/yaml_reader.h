// MapReader: strict reading of one YAML mapping, for the settings file and for resources.
//
// Every getter names the key it reads; finish() then refuses any key nobody read ("unknown
// field"), which is how a typo in a manifest becomes an error instead of a silently ignored
// setting. The first error wins and is reported with its full dotted path.
//
// yaml-cpp throws; this class never lets an exception out.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/ip_address.h"
#include "config/validation.h"

namespace pinto::config {

/// An interface address as Calico writes it: "10.0.0.1/24" (host bits kept).
struct InterfaceAddress {
  IpAddress address;
  std::uint8_t prefix_length = 0;
  friend bool operator==(const InterfaceAddress&, const InterfaceAddress&) = default;
};

class MapReader {
 public:
  /// `node` may be a map or null (read as an empty map); anything else is an error at `path`.
  MapReader(const YAML::Node& node, std::string path);

  std::optional<std::string> string(const std::string& key);
  std::optional<bool> boolean(const std::string& key);
  std::optional<std::uint64_t> unsigned_integer(const std::string& key, std::uint64_t max);
  /// An AS number: plain ("64512") or asdot ("1.10").
  std::optional<std::uint32_t> as_number(const std::string& key);
  std::optional<IpAddress> address(const std::string& key);
  std::optional<IpPrefix> prefix(const std::string& key, bool strict);
  std::optional<InterfaceAddress> interface_address(const std::string& key);
  std::optional<std::chrono::milliseconds> duration(const std::string& key);
  std::optional<std::vector<std::string>> string_list(const std::string& key);
  std::optional<std::map<std::string, std::string>> string_map(const std::string& key);
  /// The sub-mapping at `key` (null when absent); its errors land in this reader via merge().
  std::optional<YAML::Node> raw(const std::string& key);
  /// Marks keys as understood without reading them (fields accepted for compatibility).
  void accept(std::initializer_list<const char*> keys);
  /// Calico fields Pinto recognises but does not act on yet, where acting differently from
  /// Calico would change routing or security: present means "not supported by Pinto yet",
  /// never a silent no-op.
  void refuse_unsupported(std::initializer_list<const char*> keys);

  /// Reads a list of mappings at `key`, calling `read(item, index)` with a reader whose path
  /// is "key[index]"; the first error in any item lands in this reader.
  template <class F>
  void each(const std::string& key, F&& read) {
    if (error_) return;
    auto node = raw(key);
    if (!node) return;
    if (!node->IsSequence()) return fail(key, "expected a list");
    for (std::size_t i = 0; i < node->size() && !error_; ++i) {
      MapReader item((*node)[i], path_of(key) + "[" + std::to_string(i) + "]");
      if (item.ok() && !(*node)[i].IsMap()) item.fail("", "expected a mapping");
      read(item, i);
      item.finish();
      if (item.error_) error_ = item.error_;
    }
  }

  /// Reads a nested map with `read` and folds its error into this reader.
  template <class F>
  void nested(const std::string& key, F&& read) {
    if (error_) return;
    auto node = raw(key);
    if (!node) return;
    MapReader sub(*node, path_of(key));
    read(sub);
    sub.finish();
    if (sub.error_) error_ = sub.error_;
  }

  /// Fails on the first key that no getter asked for.
  void finish();
  void fail(const std::string& key, std::string message);

  bool ok() const { return !error_.has_value(); }
  const std::optional<ValidationError>& error() const { return error_; }
  std::string path_of(const std::string& key) const;

 private:
  std::optional<std::string> scalar(const std::string& key);

  YAML::Node node_;
  std::string path_;
  std::set<std::string> read_;
  std::optional<ValidationError> error_;
};

/// Parses an AS number: plain ("64512") or asdot ("1.10", RFC 5396); 0 is refused (RFC 7607).
std::optional<std::uint32_t> parse_as_number(std::string_view text);

/// Parses "A.B.C.D:port", "[v6]:port" or a bare address; nullopt when malformed.
std::optional<std::pair<IpAddress, std::optional<std::uint16_t>>> parse_address_and_port(
    std::string_view text);

}  // namespace pinto::config
