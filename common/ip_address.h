// IpAddress and IpPrefix: value types for IPv4 and IPv6 addresses and prefixes.
//
// Both are small, trivially copyable values (no heap), so the codec and the RIB can hold millions
// of them without allocation. They depend on nothing but the standard library and libc's
// inet_pton/inet_ntop, which keeps them usable from the pure codec.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace pinto {

enum class AddressFamily : std::uint8_t { V4, V6 };

class IpAddress {
 public:
  static constexpr std::size_t kMaxBytes = 16;

  /// The IPv4 unspecified address 0.0.0.0.
  constexpr IpAddress() = default;

  static IpAddress v4(std::uint32_t host_order) {
    IpAddress a;
    a.family_ = AddressFamily::V4;
    a.bytes_[0] = static_cast<std::uint8_t>(host_order >> 24);
    a.bytes_[1] = static_cast<std::uint8_t>(host_order >> 16);
    a.bytes_[2] = static_cast<std::uint8_t>(host_order >> 8);
    a.bytes_[3] = static_cast<std::uint8_t>(host_order);
    return a;
  }
  /// Builds an address from network-order bytes; `bytes` must hold 4 (V4) or 16 (V6) octets.
  static IpAddress from_bytes(AddressFamily family, const std::uint8_t* bytes);
  /// Parses dotted-quad IPv4 or RFC 4291 text IPv6; nullopt when `text` is neither.
  static std::optional<IpAddress> parse(std::string_view text);

  AddressFamily family() const { return family_; }
  bool is_v4() const { return family_ == AddressFamily::V4; }
  bool is_v6() const { return family_ == AddressFamily::V6; }
  /// 4 for IPv4, 16 for IPv6.
  std::size_t size() const { return is_v4() ? 4 : 16; }
  std::uint8_t max_prefix_length() const { return is_v4() ? 32 : 128; }
  const std::uint8_t* data() const { return bytes_.data(); }
  std::uint8_t* data() { return bytes_.data(); }
  /// The IPv4 address as a host-order integer; 0 for IPv6.
  std::uint32_t v4_value() const;
  bool is_unspecified() const;
  /// IPv6 link-local unicast, fe80::/10.
  bool is_v6_link_local() const;

  std::string to_string() const;

  friend bool operator==(const IpAddress&, const IpAddress&) = default;
  friend auto operator<=>(const IpAddress&, const IpAddress&) = default;

 private:
  AddressFamily family_ = AddressFamily::V4;
  std::array<std::uint8_t, kMaxBytes> bytes_{};
};

class IpPrefix {
 public:
  constexpr IpPrefix() = default;
  /// Builds a prefix; host bits beyond `length` are cleared so equal prefixes compare equal.
  /// `length` must not exceed the family's maximum (checked by the callers that parse input).
  IpPrefix(const IpAddress& address, std::uint8_t length);
  /// Parses "10.0.0.0/24" or "fd00::/64"; a bare address is a host prefix. nullopt on bad text,
  /// a length over 32/128, or host bits set when `strict` (Calico refuses "10.0.0.1/24").
  static std::optional<IpPrefix> parse(std::string_view text, bool strict = false);

  const IpAddress& address() const { return address_; }
  std::uint8_t length() const { return length_; }
  AddressFamily family() const { return address_.family(); }
  bool contains(const IpAddress& a) const;
  bool contains(const IpPrefix& p) const;
  std::string to_string() const;

  friend bool operator==(const IpPrefix&, const IpPrefix&) = default;
  friend auto operator<=>(const IpPrefix&, const IpPrefix&) = default;

 private:
  IpAddress address_;
  std::uint8_t length_ = 0;
};

}  // namespace pinto

template <>
struct std::hash<pinto::IpAddress> {
  std::size_t operator()(const pinto::IpAddress& a) const noexcept;
};
template <>
struct std::hash<pinto::IpPrefix> {
  std::size_t operator()(const pinto::IpPrefix& p) const noexcept;
};
