// Routes as the RIB holds them. A Path is one peer's route to a prefix: its attributes (shared,
// immutable), the next hop it resolves to and whether graceful restart has marked it stale.
//
// Attributes are shared by pointer: every prefix of one UPDATE shares one PathAttributes. The RIB
// issue replaces this with interned, hash-consed attribute sets (equal attributes, equal
// pointer); the types here are its seam.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "bgp/wire/attributes.h"
#include "common/ip_address.h"

namespace pinto::rib {

using PeerId = std::uint32_t;
/// The routes this node originates itself (settings `originate:`, and later its IPAM blocks).
inline constexpr PeerId kLocalPeer = 0;

using AttrRef = std::shared_ptr<const bgp::wire::PathAttributes>;

/// What the decision process needs to know about where a path came from.
struct PeerInfo {
  PeerId id = kLocalPeer;
  bool ebgp = false;
  std::uint32_t remote_as = 0;
  std::uint32_t router_id = 0;  // the peer's BGP identifier, host order
  IpAddress address;
  /// A route reflection client of ours (RFC 4456 §2); meaningful only when we reflect.
  bool route_reflector_client = false;
};

struct Path {
  PeerId peer = kLocalPeer;
  AttrRef attributes;
  IpAddress next_hop;
  bool stale = false;  // kept across the peer's graceful restart (RFC 4724)
  /// ADD-PATH (RFC 7911): the peer's identifier for this path (0 without ADD-PATH), and ours
  /// when we pass it on with ADD-PATH (unique per prefix: see Rib::export_path_id()).
  std::uint32_t path_id = 0;
  std::uint32_t export_id = 0;
};

}  // namespace pinto::rib
