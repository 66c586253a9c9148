// The resources Pinto reads, in Calico's projectcalico.org/v3 shape and field names, so that a
// Calico user's manifests apply unchanged. Each kind's reader (one file per kind) reads every
// field Calico defines for it into a typed, validated value; a Calico field Pinto cannot honour
// yet is refused by name ("spec.X: not supported by Pinto yet") rather than silently ignored.
// docs/resources.md lists, per kind, what is acted on, what is typed and what is refused.
// Unknown fields and kinds are refused with the field named.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/ip_address.h"
#include "config/resources/bgp_filter.h"
#include "config/resources/community.h"
#include "config/resources/endpoints.h"
#include "config/resources/ip_pool.h"
#include "config/resources/kubernetes_policy.h"
#include "config/resources/network_policy.h"
#include "config/resources/object_meta.h"
#include "config/resources/profile.h"
#include "config/resources/workload_endpoint.h"
#include "config/yaml_reader.h"

namespace pinto::config {

/// projectcalico.org/v3 Node: the node's BGP identity.
struct Node {
  ObjectMeta metadata;
  struct Bgp {
    std::optional<std::uint32_t> as_number;  // unset: BGPConfiguration's asNumber
    std::optional<InterfaceAddress> ipv4_address;
    std::optional<InterfaceAddress> ipv6_address;
    std::optional<std::string> route_reflector_cluster_id;  // validated: IPv4-formatted
    std::optional<IpAddress> ipv4_ipip_tunnel_addr;
  };
  std::optional<Bgp> bgp;
  // Bookkeeping written by calico-node and Felix: typed, not used for BGP.
  std::optional<IpAddress> ipv4_vxlan_tunnel_addr;
  std::optional<IpAddress> ipv6_vxlan_tunnel_addr;
  std::string vxlan_tunnel_mac_addr;
  std::string vxlan_tunnel_mac_addr_v6;
  struct Address {
    std::string address;  // an address or CIDR, as Calico writes it
    std::string type;     // CalicoNodeIP | InternalIP | ExternalIP
  };
  std::vector<Address> addresses;
  struct OrchRef {
    std::string orchestrator;
    std::string node_name;
  };
  std::vector<OrchRef> orch_refs;
  struct Wireguard {
    std::optional<IpAddress> interface_ipv4_address;
    std::optional<IpAddress> interface_ipv6_address;
  };
  std::optional<Wireguard> wireguard;
  struct Interface {
    std::string name;
    std::vector<std::string> addresses;
  };
  std::vector<Interface> interfaces;
};

enum class NextHopMode : std::uint8_t { Auto, Self, Keep };
enum class RestartMode : std::uint8_t { GracefulRestart, LongLivedGracefulRestart };
enum class ReversePeering : std::uint8_t { Auto, Manual };

/// projectcalico.org/v3 BGPPeer.
struct BgpPeer {
  ObjectMeta metadata;
  std::string node;           // applies to this node only; empty with no nodeSelector: all nodes
  std::string node_selector;  // Calico selector over Node labels
  std::optional<IpAddress> peer_ip;
  std::optional<std::uint16_t> peer_port;  // "peerIP: 10.0.0.1:1790"
  std::string peer_selector;
  std::optional<std::uint32_t> as_number;
  std::optional<std::uint32_t> local_as_number;  // overrides the node's AS for this peering
  std::optional<SecretKeyRef> password;
  bool source_address_none = false;  // sourceAddress: None (default UseNodeIP)
  RestartMode restart_mode = RestartMode::GracefulRestart;
  std::optional<std::chrono::milliseconds> max_restart_time;
  std::optional<std::uint8_t> ttl_security;  // GTSM hop count (RFC 5082)
  std::optional<std::chrono::milliseconds> keepalive_time;
  bool keep_original_next_hop = false;
  std::optional<NextHopMode> next_hop_mode;
  std::vector<std::string> filters;                           // BGPFilter names, applied in order
  std::optional<std::uint32_t> num_allowed_local_as_numbers;  // allowas-in count
  std::optional<IpAddress> reachable_by;                      // gateway the peer is reached through
  ReversePeering reverse_peering = ReversePeering::Auto;
  // Pinto extensions (not in Calico's schema; documented in docs/resources.md):
  bool passive = false;                       // only accept the peer's connection
  std::optional<std::uint8_t> ebgp_multihop;  // TTL for eBGP sessions over several hops
};

enum class BindMode : std::uint8_t { None, NodeIP };

/// projectcalico.org/v3 BGPConfiguration (the "default" one is cluster-wide; "node.<name>" is
/// per-node, as in Calico).
struct BgpConfiguration {
  ObjectMeta metadata;
  std::optional<bool> node_to_node_mesh_enabled;
  std::optional<std::uint32_t> as_number;
  std::optional<std::uint16_t> listen_port;
  std::optional<std::string> log_severity_screen;  // Debug | Info | Warning | Error | Fatal
  std::optional<SecretKeyRef> node_mesh_password;
  std::optional<std::chrono::milliseconds> node_mesh_max_restart_time;
  // Service advertisement: each list is Calico's [{cidr: ...}], kept as prefixes.
  std::vector<IpPrefix> service_cluster_ips;
  std::vector<IpPrefix> service_external_ips;
  std::vector<IpPrefix> service_load_balancer_ips;
  struct NamedCommunity {
    std::string name;
    Community value;
  };
  std::vector<NamedCommunity> communities;
  struct PrefixAdvertisement {
    IpPrefix cidr;
    std::vector<Community> communities;  // names resolved against `communities` when read
  };
  std::vector<PrefixAdvertisement> prefix_advertisements;
  std::optional<BindMode> bind_mode;
  std::vector<std::string> ignored_interfaces;
  std::optional<IpAddress> local_workload_peering_ipv4;
  std::optional<IpAddress> local_workload_peering_ipv6;
};

/// Kubernetes v1 Secret: where BGPPeer passwords come from (secretKeyRef).
struct Secret {
  ObjectMeta metadata;
  std::map<std::string, std::string> data;  // decoded: `data` is base64, `stringData` is plain
};

/// projectcalico.org/v3 BlockAffinity: an IPAM block (a CIDR) that a node owns. The node
/// advertises its confirmed blocks and blackholes them in its kernel (Calico's behaviour).
struct BlockAffinity {
  ObjectMeta metadata;
  std::string state;  // confirmed | pending | pendingDeletion
  std::string node;
  IpPrefix cidr;
  bool deleted = false;
};

/// A Calico kind whose issue has not landed yet (NetworkSet, StagedNetworkPolicy, ...): recognised,
/// kept by name, not acted on.
struct DeferredResource {
  std::string kind;
  ObjectMeta metadata;
};

using Resource =
    std::variant<Node, BgpPeer, BgpConfiguration, BlockAffinity, Secret, IpPool, BgpFilter,
                 WorkloadEndpoint, NetworkPolicy, GlobalNetworkPolicy, Tier, GlobalNetworkSet,
                 HostEndpoint, Namespace, KubernetesNetworkPolicy, Profile, DeferredResource>;

std::string kind_of(const Resource& r);
/// Calico's namespaced kinds (and Kubernetes' Secret): names are unique per namespace; the
/// other kinds are cluster-wide.
bool is_namespaced_kind(std::string_view kind);

/// Every resource of kind T in `resources`, in order.
template <class T>
std::vector<const T*> all_of(const std::vector<Resource>& resources) {
  std::vector<const T*> out;
  for (const auto& r : resources) {
    if (const auto* t = std::get_if<T>(&r)) out.push_back(t);
  }
  return out;
}
const ObjectMeta& metadata_of(const Resource& r);

/// Parses a YAML stream of one or more documents, each a resource or a `List` of them. The
/// error names the document, kind, name and field: "resources.yaml: document 2 (BGPPeer
/// rack1-tor): spec.peerIP: not an IP address: '10.0.0.300'". Nothing is returned on error.
Validated<std::vector<Resource>> parse_resources(const std::string& yaml,
                                                 const std::string& source = "input");

/// A resource with its own document as YAML text (a List's items become one document each): what
/// the store keeps and `pintoctl get` shows back, with the resourceVersion set aside.
struct ParsedResource {
  Resource resource;
  std::string yaml;                             // block style, without metadata.resourceVersion
  std::optional<std::string> resource_version;  // as the document gave it
};
Validated<std::vector<ParsedResource>> parse_resource_documents(
    const std::string& yaml, const std::string& source = "input");

// Readers for each kind (one file each). They read `spec` (and for Secret the top level).
void read_node_spec(MapReader& spec, Node& out);
void read_bgp_peer_spec(MapReader& spec, BgpPeer& out);
void read_bgp_configuration_spec(MapReader& spec, BgpConfiguration& out);
void read_block_affinity_spec(MapReader& spec, BlockAffinity& out);
void read_ip_pool_spec(MapReader& spec, IpPool& out);
void read_bgp_filter_spec(MapReader& spec, BgpFilter& out);
void read_workload_endpoint_spec(MapReader& spec, WorkloadEndpoint& out);
void read_network_policy_spec(MapReader& spec, NetworkPolicy& out);
void read_global_network_policy_spec(MapReader& spec, GlobalNetworkPolicy& out);
void read_tier_spec(MapReader& spec, Tier& out);
void read_global_network_set_spec(MapReader& spec, GlobalNetworkSet& out);
void read_host_endpoint_spec(MapReader& spec, HostEndpoint& out);
void read_profile_spec(MapReader& spec, Profile& out);
void read_namespace_spec(MapReader& spec, Namespace& out);
void read_kubernetes_network_policy_spec(MapReader& spec, KubernetesNetworkPolicy& out);
void read_secret_key_ref(MapReader& holder, const std::string& key,
                         std::optional<SecretKeyRef>& out);

}  // namespace pinto::config
