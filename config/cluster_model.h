// The cluster model: turns the settings and the resources into what the BGP speaker needs to
// know — who this node is, which peers to hold sessions with, which prefixes to originate.
//
// Pure: resources in, intents out. The daemon converts intents into bgp::PeerConfig; when the
// resources change (SIGHUP now, the API later) it rebuilds the model and diffs the peers.
//
// Peers come from, in Calico's order of precedence:
//   1. BGPPeer resources that apply to this node (spec.node is this node, or no node/selector:
//      global), and
//   2. the node-to-node mesh (BGPConfiguration "default" nodeToNodeMeshEnabled, default true):
//      every other Node with a BGP address of a family this node also has, except route
//      reflectors (Nodes with spec.bgp.routeReflectorClusterID): they are reached through
//      BGPPeers, and a reflector itself takes no part in the mesh (Calico's confd does both).
// An explicit BGPPeer to an address wins over the mesh entry for the same address.
//
// Route reflection (RFC 4456), Calico's rule: a node with a cluster ID treats an iBGP peer as its
// client unless that peer is a Node with the same cluster ID (a fellow reflector of its cluster).
// A peer address that is no Node's is a client; eBGP peers never are. See
// docs/route-reflection.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ip_address.h"
#include "config/resources/resource.h"
#include "config/settings.h"
#include "config/validation.h"

namespace pinto::config {

inline constexpr std::uint32_t kCalicoDefaultAsNumber = 64512;

struct LocalNode {
  std::string name;
  std::uint32_t as_number = kCalicoDefaultAsNumber;
  std::optional<IpAddress> ipv4;
  std::optional<IpAddress> ipv6;
  IpAddress router_id;
  std::optional<IpAddress> route_reflector_cluster_id;
  /// The subnets of ipv4Address / ipv6Address ("10.0.0.1/24"): CrossSubnet encapsulation goes
  /// direct to next hops inside them.
  std::optional<IpPrefix> ipv4_subnet;
  std::optional<IpPrefix> ipv6_subnet;
};

/// An IPPool whose traffic is encapsulated (vxlanMode, else ipipMode, Always or CrossSubnet).
struct EncapsulatedPool {
  std::string name;
  IpPrefix cidr;
  enum class Kind : std::uint8_t { Vxlan, Ipip } kind = Kind::Vxlan;
  bool cross_subnet = false;
  friend bool operator==(const EncapsulatedPool&, const EncapsulatedPool&) = default;
};

/// A local workload's address, routed to its interface (Calico's /32 or /128 per pod address).
struct WorkloadRoute {
  IpPrefix address;
  std::string interface;
  std::string endpoint;  // "namespace/name", for logs
  friend bool operator==(const WorkloadRoute&, const WorkloadRoute&) = default;
};

struct PeerIntent {
  std::string name;  // "BGPPeer/<name>" or "mesh/<node>", for logs and status
  IpAddress address;
  std::uint16_t port = 179;
  std::uint32_t remote_as = 0;
  std::optional<std::uint32_t> local_as;  // BGPPeer localASNumber: this peering's own AS
  /// BGPPeer reachableBy: the gateway to the peer (a ToR's loopback behind its interface
  /// address); pintod installs a host route to the peer through it.
  std::optional<IpAddress> reachable_by;
  std::optional<std::string> password;       // TCP MD5 (RFC 2385)
  std::optional<IpAddress> source_address;   // bind address for the connection
  std::optional<std::uint8_t> ttl_security;  // GTSM: accept only TTL >= 255 - (hops - 1)
  std::optional<std::uint8_t> ebgp_multihop;
  bool passive = false;
  std::optional<std::chrono::seconds> max_restart_time;
  std::optional<std::chrono::seconds> keepalive_time;
  NextHopMode next_hop_mode = NextHopMode::Auto;
  /// BGPPeer filters, resolved to the BGPFilter resources they name, in the order listed.
  std::vector<BgpFilter> filters;
  /// BGPPeer numAllowedLocalASNumbers (allowas-in); 0 = our AS in a path is a loop.
  std::uint32_t allowed_local_as = 0;
  /// Why this peer cannot be started (its password's secret is missing); empty when it can.
  std::string config_error;
  /// RFC 4456: we reflect routes to and from this peer as our client (set only when this node
  /// has a cluster ID and the peer is iBGP).
  bool route_reflector_client = false;

  friend bool operator==(const PeerIntent&, const PeerIntent&) = default;
};

struct ClusterModel {
  /// False while the Node named by the settings' nodeName does not exist yet (a pintod fed only
  /// through the API starts empty): no identity, so no peers and no routes.
  bool has_local_node = true;
  LocalNode local;
  std::uint16_t listen_port = 179;
  bool bind_node_ip = false;  // BGPConfiguration bindMode: NodeIP: listen on the node's addresses
  std::vector<PeerIntent> peers;
  /// Everything this node announces: the settings' `originate:` and its own blocks.
  std::vector<IpPrefix> originate;
  /// The IPAM blocks this node owns (confirmed BlockAffinity resources naming it): announced,
  /// and blackholed in the kernel so traffic to unallocated addresses in them dies here.
  std::vector<IpPrefix> blocks;
  /// BGPConfiguration "default" prefixAdvertisements: the communities an originated prefix
  /// carries when it lies inside one of these CIDRs (all matching entries add up).
  std::vector<BgpConfiguration::PrefixAdvertisement> prefix_advertisements;
  std::vector<EncapsulatedPool> encapsulated_pools;
  /// WorkloadEndpoints on this node with an interface: one route per address.
  std::vector<WorkloadRoute> workload_routes;
};

/// Whether a missing local Node is an error (a static configuration must name it) or a state to
/// wait in (the API will bring it).
enum class MissingLocalNode : std::uint8_t { Error, Wait };

Validated<ClusterModel> build_cluster_model(const Settings& settings,
                                            const std::vector<Resource>& resources,
                                            MissingLocalNode missing = MissingLocalNode::Error);

}  // namespace pinto::config
