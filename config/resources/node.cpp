#include "config/resources/read_helpers.h"
#include "config/resources/resource.h"

namespace pinto::config {

namespace {

void read_bgp(MapReader& bgp, Node::Bgp& b) {
  b.as_number = bgp.as_number("asNumber");
  b.ipv4_address = bgp.interface_address("ipv4Address");
  b.ipv6_address = bgp.interface_address("ipv6Address");
  b.route_reflector_cluster_id = bgp.string("routeReflectorClusterID");
  b.ipv4_ipip_tunnel_addr = bgp.address("ipv4IPIPTunnelAddr");
  if (!bgp.ok()) return;
  if (b.ipv4_address && !b.ipv4_address->address.is_v4()) {
    return bgp.fail("ipv4Address", "must be an IPv4 address");
  }
  if (b.ipv6_address && !b.ipv6_address->address.is_v6()) {
    return bgp.fail("ipv6Address", "must be an IPv6 address");
  }
  if (b.route_reflector_cluster_id) {
    // RFC 4456 CLUSTER_ID is four octets; Calico writes it in dotted-quad form.
    auto id = IpAddress::parse(*b.route_reflector_cluster_id);
    if (!id || !id->is_v4()) {
      return bgp.fail("routeReflectorClusterID", "must be written as an IPv4 address, got '" +
                                                     *b.route_reflector_cluster_id + "'");
    }
  }
  if (b.ipv4_ipip_tunnel_addr && !b.ipv4_ipip_tunnel_addr->is_v4()) {
    return bgp.fail("ipv4IPIPTunnelAddr", "must be an IPv4 address");
  }
  if (!b.as_number && !b.ipv4_address && !b.ipv6_address && !b.route_reflector_cluster_id &&
      !b.ipv4_ipip_tunnel_addr) {
    bgp.fail("", "must not be empty (Calico refuses an empty spec.bgp)");
  }
}

void read_family_address(MapReader& spec, const char* key, bool v4, std::optional<IpAddress>& out) {
  out = spec.address(key);
  if (out && out->is_v4() != v4) spec.fail(key, v4 ? "must be IPv4" : "must be IPv6");
}

void read_mac(MapReader& spec, const char* key, std::string& out) {
  auto v = spec.string(key);
  if (!v) return;
  if (!valid_mac(*v)) spec.fail(key, "not a MAC address (like aa:bb:cc:dd:ee:ff): '" + *v + "'");
  out = *v;
}

}  // namespace

void read_node_spec(MapReader& spec, Node& out) {
  spec.nested("bgp", [&](MapReader& bgp) {
    Node::Bgp b;
    read_bgp(bgp, b);
    out.bgp = std::move(b);
  });
  // The rest of Calico's NodeSpec is state written by calico-node and Felix: typed and
  // validated, not used for BGP.
  read_family_address(spec, "ipv4VXLANTunnelAddr", true, out.ipv4_vxlan_tunnel_addr);
  read_family_address(spec, "ipv6VXLANTunnelAddr", false, out.ipv6_vxlan_tunnel_addr);
  read_mac(spec, "vxlanTunnelMACAddr", out.vxlan_tunnel_mac_addr);
  read_mac(spec, "vxlanTunnelMACAddrV6", out.vxlan_tunnel_mac_addr_v6);
  spec.each("addresses", [&](MapReader& r, std::size_t) {
    Node::Address a;
    if (auto v = r.string("address")) a.address = *v;
    if (auto t = read_enum<std::string>(r, "type",
                                        {{"CalicoNodeIP", "CalicoNodeIP"},
                                         {"InternalIP", "InternalIP"},
                                         {"ExternalIP", "ExternalIP"}})) {
      a.type = *t;
    }
    if (r.ok() && !IpPrefix::parse(a.address)) {
      r.fail("address", "not an IP address or CIDR: '" + a.address + "'");
    }
    out.addresses.push_back(std::move(a));
  });
  spec.each("orchRefs", [&](MapReader& r, std::size_t) {
    Node::OrchRef o;
    if (auto v = r.string("orchestrator")) o.orchestrator = *v;
    if (auto v = r.string("nodeName")) o.node_name = *v;
    if (r.ok() && o.orchestrator.empty()) r.fail("orchestrator", "required");
    out.orch_refs.push_back(std::move(o));
  });
  spec.nested("wireguard", [&](MapReader& r) {
    Node::Wireguard w;
    read_family_address(r, "interfaceIPv4Address", true, w.interface_ipv4_address);
    read_family_address(r, "interfaceIPv6Address", false, w.interface_ipv6_address);
    out.wireguard = w;
  });
  spec.each("interfaces", [&](MapReader& r, std::size_t) {
    Node::Interface i;
    if (auto v = r.string("name")) i.name = *v;
    if (auto v = r.string_list("addresses")) i.addresses = *v;
    out.interfaces.push_back(std::move(i));
  });
}

}  // namespace pinto::config
