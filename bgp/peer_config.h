// PeerConfig: everything a Session needs to know about one peer, in BGP terms. The daemon builds
// it from the cluster model (config::PeerIntent + the local node); bgp/ never sees resources.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "bgp/fsm.h"
#include "common/ip_address.h"
#include "rib/adj_rib_out.h"

namespace pinto::bgp {

using rib::NextHopPolicy;

struct PeerConfig {
  std::string name;  // for logs and status: "BGPPeer/tor1", "mesh/node-b"
  IpAddress address;
  std::uint16_t port = 179;
  std::uint32_t local_as = 0;
  std::uint32_t remote_as = 0;
  std::uint32_t router_id = 0;             // ours, host order
  std::optional<IpAddress> local_address;  // bind outgoing connections to it
  std::optional<IpAddress> next_hop_ipv4;  // our address for next-hop-self, per family
  std::optional<IpAddress> next_hop_ipv6;
  std::optional<std::string> password;       // TCP MD5 (RFC 2385)
  std::optional<std::uint8_t> ttl_security;  // GTSM hops (RFC 5082)
  std::optional<std::uint8_t> ebgp_multihop;
  NextHopPolicy next_hop = NextHopPolicy::Auto;
  /// RFC 4456: this iBGP peer is a client of ours (taken into account when the speaker reflects,
  /// that is when it has a cluster ID).
  bool route_reflector_client = false;
  bool ipv4_unicast = true;
  bool ipv6_unicast = true;
  /// ADD-PATH (RFC 7911), both directions, for every family: offered, and used towards peers
  /// that offer it too (calico-node's BIRD has `add paths on`). Settings bgp.addPaths.
  bool add_paths = true;
  /// BGPPeer filters and numAllowedLocalASNumbers. A change to it alone does not restart the
  /// session: the speaker re-exports and asks the peer for its routes again (ROUTE-REFRESH).
  rib::PeerPolicy policy;
  /// Settings bgp.maxPrefixes: routes accepted from this peer before we warn (or, with
  /// `max_prefixes_restart`, end the session with Cease subcode 1, RFC 4486); 0: no limit.
  std::uint32_t max_prefixes = 0;
  bool max_prefixes_restart = false;
  FsmOptions fsm;  // hold time, connect retry, passive, back-off

  // Graceful restart (RFC 4724).
  bool graceful_restart = true;
  std::uint16_t restart_time = 120;  // what we advertise (seconds)
  /// Helper side: the longest we keep a restarting peer's routes, whatever it advertises.
  std::optional<std::chrono::seconds> max_restart_time;

  bool ebgp() const { return local_as != remote_as; }
  /// The TTL our packets leave with: 255 under GTSM, the multihop value, 1 for direct eBGP.
  int outgoing_ttl() const {
    if (ttl_security) return 255;
    if (ebgp()) return ebgp_multihop.value_or(1);
    return 64;
  }

  friend bool operator==(const PeerConfig&, const PeerConfig&) = default;
};

}  // namespace pinto::bgp
