// The resources Pinto reads, in Calico's projectcalico.org/v3 shape and field names, so that a
// Calico user's manifests apply unchanged. Each kind's reader (one file per kind) accepts every
// field Calico defines for it; the fields Pinto acts on are typed here, the rest are accepted and
// noted in docs/resources.md. Unknown fields and kinds are refused with the field named.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/ip_address.h"
#include "config/yaml_reader.h"

namespace pinto::config {

struct ObjectMeta {
  std::string name;
  std::string namespace_name;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
};

struct SecretKeyRef {
  std::string name;
  std::string key;
  friend bool operator==(const SecretKeyRef&, const SecretKeyRef&) = default;
};

/// projectcalico.org/v3 Node: the node's BGP identity.
struct Node {
  ObjectMeta metadata;
  struct Bgp {
    std::optional<std::uint32_t> as_number;  // unset: BGPConfiguration's asNumber
    std::optional<InterfaceAddress> ipv4_address;
    std::optional<InterfaceAddress> ipv6_address;
    std::optional<std::string> route_reflector_cluster_id;
  };
  std::optional<Bgp> bgp;
};

enum class NextHopMode : std::uint8_t { Auto, Self, Keep };
enum class RestartMode : std::uint8_t { GracefulRestart, LongLivedGracefulRestart };

/// projectcalico.org/v3 BGPPeer.
struct BgpPeer {
  ObjectMeta metadata;
  std::string node;           // applies to this node only; empty with no nodeSelector: all nodes
  std::string node_selector;  // Calico selector over Node labels
  std::optional<IpAddress> peer_ip;
  std::optional<std::uint16_t> peer_port;  // "peerIP: 10.0.0.1:1790"
  std::string peer_selector;
  std::optional<std::uint32_t> as_number;
  std::optional<SecretKeyRef> password;
  bool source_address_none = false;  // sourceAddress: None (default UseNodeIP)
  RestartMode restart_mode = RestartMode::GracefulRestart;
  std::optional<std::chrono::milliseconds> max_restart_time;
  std::optional<std::uint8_t> ttl_security;  // GTSM hop count (RFC 5082)
  std::optional<std::chrono::milliseconds> keepalive_time;
  bool keep_original_next_hop = false;
  std::optional<NextHopMode> next_hop_mode;
  std::vector<std::string> filters;
  // Pinto extensions (not in Calico's schema; documented in docs/resources.md):
  bool passive = false;                       // only accept the peer's connection
  std::optional<std::uint8_t> ebgp_multihop;  // TTL for eBGP sessions over several hops
};

/// projectcalico.org/v3 BGPConfiguration (the "default" one is cluster-wide; "node.<name>" is
/// per-node, as in Calico).
struct BgpConfiguration {
  ObjectMeta metadata;
  std::optional<bool> node_to_node_mesh_enabled;
  std::optional<std::uint32_t> as_number;
  std::optional<std::uint16_t> listen_port;
  std::optional<std::string> log_severity_screen;
  std::optional<SecretKeyRef> node_mesh_password;
  std::optional<std::chrono::milliseconds> node_mesh_max_restart_time;
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

/// A Calico kind whose issue has not landed yet (IPPool, NetworkPolicy, ...): recognised, kept
/// by name, not acted on.
struct DeferredResource {
  std::string kind;
  ObjectMeta metadata;
};

using Resource =
    std::variant<Node, BgpPeer, BgpConfiguration, BlockAffinity, Secret, DeferredResource>;

std::string kind_of(const Resource& r);
const ObjectMeta& metadata_of(const Resource& r);

/// Parses a YAML stream of one or more documents, each a resource or a `List` of them. The
/// error names the document, kind, name and field: "resources.yaml: document 2 (BGPPeer
/// rack1-tor): spec.peerIP: not an IP address: '10.0.0.300'". Nothing is returned on error.
Validated<std::vector<Resource>> parse_resources(const std::string& yaml,
                                                 const std::string& source = "input");

/// A resource with its own document as YAML text (a List's items become one document each): what
/// the store keeps and `pintoctl get` shows back.
struct ParsedResource {
  Resource resource;
  std::string yaml;
};
Validated<std::vector<ParsedResource>> parse_resource_documents(const std::string& yaml,
                                                                const std::string& source = "input");

// Readers for each kind (one file each). They read `spec` (and for Secret the top level).
void read_node_spec(MapReader& spec, Node& out);
void read_bgp_peer_spec(MapReader& spec, BgpPeer& out);
void read_bgp_configuration_spec(MapReader& spec, BgpConfiguration& out);
void read_block_affinity_spec(MapReader& spec, BlockAffinity& out);
void read_secret_key_ref(MapReader& holder, const std::string& key,
                         std::optional<SecretKeyRef>& out);

}  // namespace pinto::config
