// projectcalico.org/v3 IPPool: a range workload addresses come from, cut into per-node blocks
// (BlockAffinity). Pinto uses pools to check blocks (config/validate_resources) and, with the
// cluster model, to decide encapsulation and whether a pool's blocks are exported over BGP.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ip_address.h"
#include "config/resources/object_meta.h"

namespace pinto::config {

/// Calico's ipipMode / vxlanMode values (both default to Never).
enum class EncapsulationMode : std::uint8_t { Never, Always, CrossSubnet };
enum class IpPoolUse : std::uint8_t { Workload, Tunnel, LoadBalancer };
enum class AssignmentMode : std::uint8_t { Automatic, Manual };

struct IpPool {
  ObjectMeta metadata;
  IpPrefix cidr;                 // strictly masked, as Calico requires
  std::uint8_t block_size = 26;  // defaulted per family: 26 (IPv4), 122 (IPv6)
  EncapsulationMode ipip_mode = EncapsulationMode::Never;
  EncapsulationMode vxlan_mode = EncapsulationMode::Never;
  bool nat_outgoing = false;
  bool disabled = false;            // IPAM assigns nothing from it; its blocks still route
  bool disable_bgp_export = false;  // its blocks are not advertised over BGP
  std::string node_selector;        // Calico selector text, parsed by the selector engine
  std::string namespace_selector;
  std::vector<IpPoolUse> allowed_uses;  // empty: Calico's default, Workload and Tunnel
  AssignmentMode assignment_mode = AssignmentMode::Automatic;
};

}  // namespace pinto::config
