#include "config/resources/resource.h"

namespace pinto::config {

void read_node_spec(MapReader& spec, Node& out) {
  spec.nested("bgp", [&](MapReader& bgp) {
    Node::Bgp b;
    b.as_number = bgp.as_number("asNumber");
    b.ipv4_address = bgp.interface_address("ipv4Address");
    b.ipv6_address = bgp.interface_address("ipv6Address");
    b.route_reflector_cluster_id = bgp.string("routeReflectorClusterID");
    if (b.ipv4_address && !b.ipv4_address->address.is_v4()) {
      bgp.fail("ipv4Address", "must be an IPv4 address");
    }
    if (b.ipv6_address && !b.ipv6_address->address.is_v6()) {
      bgp.fail("ipv6Address", "must be an IPv6 address");
    }
    if (b.route_reflector_cluster_id && !IpAddress::parse(*b.route_reflector_cluster_id)) {
      bgp.fail("routeReflectorClusterID", "must be written as an IPv4 address");
    }
    // Calico's tunnel addresses: accepted, used by the FIB issue's IPIP/VXLAN modes.
    bgp.accept({"ipv4IPIPTunnelAddr"});
    out.bgp = std::move(b);
  });
  // The rest of Calico's NodeSpec: accepted, not used by BGP.
  spec.accept({"addresses", "orchRefs", "ipv4VXLANTunnelAddr", "ipv6VXLANTunnelAddr",
               "vxlanTunnelMACAddr", "vxlanTunnelMACAddrV6", "wireguard", "interfaces"});
}

}  // namespace pinto::config
