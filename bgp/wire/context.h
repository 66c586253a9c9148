// The negotiated state of one session that changes how its bytes are read and written.
//
// Decoding is told what the OPEN exchange agreed (RFC 6793 4-octet AS, RFC 7911 ADD-PATH per
// family and direction, RFC 8654 extended messages). It is plain data: the codec never asks a
// session anything.
#pragma once

#include <cstdint>

#include "bgp/wire/types.h"

namespace pinto::bgp::wire {

/// One bit per supported family, set when NLRI of that family carry a 4-octet Path Identifier.
struct AddPathMask {
  bool ipv4_unicast = false;
  bool ipv6_unicast = false;

  constexpr bool enabled(AfiSafi family) const {
    if (family == AfiSafi::ipv4_unicast()) return ipv4_unicast;
    if (family == AfiSafi::ipv6_unicast()) return ipv6_unicast;
    return false;
  }
  static constexpr AddPathMask all() { return {true, true}; }
  friend bool operator==(const AddPathMask&, const AddPathMask&) = default;
};

struct DecodeContext {
  bool four_octet_as = true;      // both sides sent the 4-octet AS capability
  AddPathMask add_path;           // families whose received NLRI carry path IDs
  bool extended_message = false;  // RFC 8654 negotiated: messages up to 65535 octets
  bool ebgp = false;              // the peer is external: LOCAL_PREF from it is discarded
};

struct EncodeContext {
  bool four_octet_as = true;
  AddPathMask add_path;  // families whose sent NLRI carry path IDs
  bool extended_message = false;

  std::size_t max_message_size() const {
    return extended_message ? kMaxExtendedSize : kMaxMessageSize;
  }
  friend bool operator==(const EncodeContext&, const EncodeContext&) = default;
};

}  // namespace pinto::bgp::wire
