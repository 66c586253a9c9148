// BGP capabilities (RFC 5492) carried in the OPEN message's optional parameters.
//
// Each capability we understand is a typed struct; anything else is kept as raw bytes so that it
// can be logged, compared and re-encoded unchanged.
#pragma once

#include <cstdint>
#include <variant>
#include <vector>

#include "bgp/wire/error.h"
#include "bgp/wire/types.h"

namespace pinto::bgp::wire {

namespace capability_code {
inline constexpr std::uint8_t kMultiprotocol = 1;          // RFC 4760
inline constexpr std::uint8_t kRouteRefresh = 2;           // RFC 2918
inline constexpr std::uint8_t kExtendedMessage = 6;        // RFC 8654
inline constexpr std::uint8_t kGracefulRestart = 64;       // RFC 4724
inline constexpr std::uint8_t kFourOctetAs = 65;           // RFC 6793
inline constexpr std::uint8_t kAddPath = 69;               // RFC 7911
inline constexpr std::uint8_t kEnhancedRouteRefresh = 70;  // RFC 7313
}  // namespace capability_code

struct MultiprotocolCapability {
  AfiSafi family;
  friend bool operator==(const MultiprotocolCapability&, const MultiprotocolCapability&) = default;
};

struct RouteRefreshCapability {
  friend bool operator==(const RouteRefreshCapability&, const RouteRefreshCapability&) = default;
};

struct EnhancedRouteRefreshCapability {
  friend bool operator==(const EnhancedRouteRefreshCapability&,
                         const EnhancedRouteRefreshCapability&) = default;
};

struct ExtendedMessageCapability {
  friend bool operator==(const ExtendedMessageCapability&,
                         const ExtendedMessageCapability&) = default;
};

struct FourOctetAsCapability {
  std::uint32_t asn = 0;
  friend bool operator==(const FourOctetAsCapability&, const FourOctetAsCapability&) = default;
};

/// RFC 4724 §3, with the RFC 8538 "N" (notification) bit.
struct GracefulRestartCapability {
  struct Family {
    AfiSafi family;
    bool forwarding_preserved = false;  // the F bit
    friend bool operator==(const Family&, const Family&) = default;
  };
  bool restart_state = false;      // the R bit: the sender has restarted
  bool notification = false;       // the N bit (RFC 8538)
  std::uint16_t restart_time = 0;  // seconds, 12 bits on the wire
  std::vector<Family> families;
  friend bool operator==(const GracefulRestartCapability&,
                         const GracefulRestartCapability&) = default;
};

enum class AddPathDirection : std::uint8_t { Receive = 1, Send = 2, Both = 3 };

/// RFC 7911 §4.
struct AddPathCapability {
  struct Family {
    AfiSafi family;
    AddPathDirection direction = AddPathDirection::Both;
    friend bool operator==(const Family&, const Family&) = default;
  };
  std::vector<Family> families;
  friend bool operator==(const AddPathCapability&, const AddPathCapability&) = default;
};

/// A capability this codec does not interpret, kept byte for byte.
struct UnknownCapability {
  std::uint8_t code = 0;
  Bytes value;
  friend bool operator==(const UnknownCapability&, const UnknownCapability&) = default;
};

using Capability =
    std::variant<MultiprotocolCapability, RouteRefreshCapability, EnhancedRouteRefreshCapability,
                 ExtendedMessageCapability, FourOctetAsCapability, GracefulRestartCapability,
                 AddPathCapability, UnknownCapability>;

/// The capability code a value is sent with.
std::uint8_t capability_code_of(const Capability& cap);

/// Decodes the capabilities of one Capabilities optional parameter (type 2). A capability whose
/// declared length runs past the parameter, or whose value has the wrong size for its code, is an
/// OPEN Message Error, subcode 0 (RFC 4271 §6.2 "recognized, but malformed").
bool decode_capabilities(ByteView parameter_value, std::vector<Capability>& out,
                         DecodeError& error);

/// Appends code, length and value of one capability.
void encode_capability(const Capability& cap, Bytes& out);

}  // namespace pinto::bgp::wire
