// Wire-level vocabulary shared by every part of the BGP codec: message types, address family
// identifiers and the size limits of RFC 4271 §4 and RFC 8654.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace pinto::bgp::wire {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline constexpr std::size_t kHeaderSize = 19;          // marker 16 + length 2 + type 1
inline constexpr std::size_t kMaxMessageSize = 4096;    // RFC 4271 §4
inline constexpr std::size_t kMaxExtendedSize = 65535;  // RFC 8654
inline constexpr std::uint16_t kAsTrans = 23456;        // RFC 6793 §9
inline constexpr std::uint8_t kBgpVersion = 4;

enum class MessageType : std::uint8_t {
  Open = 1,
  Update = 2,
  Notification = 3,
  Keepalive = 4,
  RouteRefresh = 5,  // RFC 2918
};

/// Address Family Identifier (IANA).
enum class Afi : std::uint16_t { Ipv4 = 1, Ipv6 = 2 };
/// Subsequent Address Family Identifier (IANA).
enum class Safi : std::uint8_t { Unicast = 1 };

/// An (AFI, SAFI) pair as carried on the wire; values we do not implement are kept as numbers.
struct AfiSafi {
  std::uint16_t afi = 0;
  std::uint8_t safi = 0;

  static constexpr AfiSafi ipv4_unicast() { return {1, 1}; }
  static constexpr AfiSafi ipv6_unicast() { return {2, 1}; }
  /// True for the two families this codec can carry NLRI for.
  constexpr bool is_supported() const { return safi == 1 && (afi == 1 || afi == 2); }

  friend constexpr bool operator==(AfiSafi, AfiSafi) = default;
  friend constexpr auto operator<=>(AfiSafi, AfiSafi) = default;
};

std::string to_string(AfiSafi family);
std::string to_string(MessageType type);

}  // namespace pinto::bgp::wire
