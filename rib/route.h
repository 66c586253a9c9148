// Routes as the RIB holds them. A Path is one peer's route to a prefix: its attributes (shared,
// immutable, with the next hop it resolves to) and whether graceful restart has marked it stale.
//
// Attributes are shared by pointer (rib/attr_ref.h): every prefix of one UPDATE shares one
// PathAttributes, and the RIB interns them (rib/attr_pool.h: equal attributes, equal pointer).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "bgp/wire/attributes.h"
#include "common/ip_address.h"
#include "rib/attr_ref.h"

namespace pinto::rib {

using PeerId = std::uint32_t;
/// The routes this node originates itself (settings `originate:`, and later its IPAM blocks).
inline constexpr PeerId kLocalPeer = 0;

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
  // Laid out to fill 16 bytes: a million of these are most of a full table's memory. Peer ids
  // stay below 2^31 (the speaker numbers peers from 1), which leaves the stale flag a bit.
  PeerId peer : 31 = kLocalPeer;
  std::uint32_t stale : 1 = 0;  // kept across the peer's graceful restart (RFC 4724)
  /// ADD-PATH (RFC 7911): the peer's identifier for this path (0 without ADD-PATH). Ours, when
  /// we pass it on with ADD-PATH, is Rib::export_id().
  std::uint32_t path_id = 0;
  /// Interned, and holding the path's next hop in `next_hop` whatever the family (an IPv6
  /// route's comes from MP_REACH_NLRI): one UPDATE's routes share one next hop, so the next
  /// hop costs the path nothing of its own.
  AttrRef attributes;

  /// The address the path forwards to; unspecified for this node's own routes.
  const IpAddress& next_hop() const {
    static const IpAddress kNone{};
    return attributes && attributes->next_hop ? *attributes->next_hop : kNone;
  }
};

/// `attributes` with `next_hop` as the next hop (none when unspecified): a new set, to be
/// interned by whoever stores it.
inline AttrRef with_next_hop(const AttrRef& attributes, const IpAddress& next_hop) {
  bgp::wire::PathAttributes copy = attributes ? *attributes : bgp::wire::PathAttributes{};
  if (next_hop.is_unspecified()) {
    copy.next_hop.reset();
  } else {
    copy.next_hop = next_hop;
  }
  return AttrRef::make(std::move(copy));
}

/// A path of `peer` through `next_hop`, made by hand (tests): the attributes are copied.
inline Path path_via(PeerId peer, const AttrRef& attributes, const IpAddress& next_hop) {
  return Path{.peer = peer, .attributes = with_next_hop(attributes, next_hop)};
}

}  // namespace pinto::rib
