// Tunnel devices for IPPools with vxlanMode / ipipMode: routes into such a pool go via the remote
// node's address through the tunnel device, `onlink`, as Calico programs them.
//
// NOTE VXLAN: Calico gives every node a VTEP address and programs static ARP and FDB entries from
// its datastore. Pinto learns routes over BGP, whose next hop is the remote node's own address,
// so the route's gateway is that address: the device floods (head-end replication to the "flood
// list", one all-zeros FDB entry per remote node) the ARP request for it, the remote kernel
// answers from its own address, and the device learns the MAC-to-VTEP mapping from then on.
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "common/ip_address.h"

namespace pinto::fib {

struct TunnelDevice {
  enum class Kind : std::uint8_t { Vxlan, Ipip };
  Kind kind = Kind::Vxlan;
  std::string name;           // Calico's: vxlan.calico, vxlan-v6.calico, tunl0
  std::uint32_t vni = 4096;   // VXLAN network identifier (Calico: 4096 for IPv4, 6 for IPv6)
  std::uint16_t port = 4789;  // VXLAN UDP port
  std::uint32_t mtu = 1450;   // the underlay's 1500 less the VXLAN overhead
  IpAddress local;            // this node's address: the outer source
  friend bool operator==(const TunnelDevice&, const TunnelDevice&) = default;
};

/// The remote nodes a VXLAN device floods to: the gateways of the routes through it.
using FloodList = std::set<IpAddress>;

}  // namespace pinto::fib
