#include "config/resources/workload_endpoint.h"

#include <cctype>

#include "config/resources/read_helpers.h"
#include "config/resources/resource.h"

namespace pinto::config {

namespace {

bool valid_interface_name(const std::string& s) {
  if (s.empty() || s.size() > 15) return false;  // IFNAMSIZ - 1
  for (const char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-') {
      return false;
    }
  }
  return true;
}

std::optional<IpAddress> read_address(MapReader& r, const std::string& key) {
  // Calico writes gateways and NAT addresses either bare or as a host CIDR.
  auto text = r.string(key);
  if (!text) return std::nullopt;
  auto p = IpPrefix::parse(*text);
  if (!p || p->length() != p->address().max_prefix_length()) {
    r.fail(key, "not an IP address: '" + *text + "'");
    return std::nullopt;
  }
  return p->address();
}

void read_port(MapReader& r, WorkloadEndpoint::Port& port) {
  if (auto v = r.string("name")) port.name = *v;
  if (auto v = read_enum<std::string>(r, "protocol",
                                      {{"TCP", "TCP"}, {"UDP", "UDP"}, {"SCTP", "SCTP"}})) {
    port.protocol = *v;
  }
  if (auto v = r.unsigned_integer("port", 65535)) port.port = static_cast<std::uint16_t>(*v);
  if (auto v = r.unsigned_integer("hostPort", 65535)) {
    port.host_port = static_cast<std::uint16_t>(*v);
  }
  port.host_ip = r.address("hostIP");
  if (!r.ok()) return;
  if (port.port == 0) return r.fail("port", "required (1 to 65535)");
  if (port.protocol.empty()) return r.fail("protocol", "required (TCP, UDP or SCTP)");
  if (port.name.empty() && port.host_port == 0) return r.fail("name", "required without hostPort");
}

}  // namespace

void read_workload_endpoint_spec(MapReader& spec, WorkloadEndpoint& out) {
  if (auto v = spec.string("node")) out.node = *v;
  if (auto v = spec.string("orchestrator")) out.orchestrator = *v;
  if (auto v = spec.string("workload")) out.workload = *v;
  if (auto v = spec.string("pod")) out.pod = *v;
  if (auto v = spec.string("endpoint")) out.endpoint = *v;
  if (auto v = spec.string("containerID")) out.container_id = *v;
  if (auto v = spec.string("interfaceName")) {
    if (!valid_interface_name(*v)) {
      spec.fail("interfaceName", "not an interface name (1-15 of a-z A-Z 0-9 _ . -): '" + *v + "'");
    }
    out.interface_name = *v;
  }
  if (auto v = spec.string("serviceAccountName")) out.service_account_name = *v;
  if (auto v = spec.string("mac")) {
    if (!valid_mac(*v))
      spec.fail("mac", "not a MAC address (like aa:bb:cc:dd:ee:ff): '" + *v + "'");
    out.mac = *v;
  }
  if (auto nets = spec.string_list("ipNetworks")) {
    for (std::size_t i = 0; i < nets->size() && spec.ok(); ++i) {
      const std::string key = "ipNetworks[" + std::to_string(i) + "]";
      auto p = IpPrefix::parse((*nets)[i]);
      if (!p) {
        spec.fail(key, "not a CIDR prefix: '" + (*nets)[i] + "'");
      } else if (p->length() != p->address().max_prefix_length()) {
        // Calico: "IP network contains multiple addresses"; a workload owns single addresses.
        spec.fail(key, "must be a single address (/32 or /128): '" + (*nets)[i] + "'");
      } else {
        out.ip_networks.push_back(*p);
      }
    }
  }
  spec.each("ipNATs", [&](MapReader& r, std::size_t) {
    auto internal = read_address(r, "internalIP");
    auto external = read_address(r, "externalIP");
    if (!r.ok()) return;
    if (!internal) return r.fail("internalIP", "required");
    if (!external) return r.fail("externalIP", "required");
    if (internal->family() != external->family()) {
      return r.fail("externalIP", "not the same IP family as internalIP");
    }
    bool inside = false;
    for (const auto& n : out.ip_networks) inside = inside || n.contains(*internal);
    if (!inside) return r.fail("internalIP", "not one of the endpoint's ipNetworks");
    out.ip_nats.push_back({*internal, *external});
  });
  out.ipv4_gateway = read_address(spec, "ipv4Gateway");
  out.ipv6_gateway = read_address(spec, "ipv6Gateway");
  if (out.ipv4_gateway && !out.ipv4_gateway->is_v4()) spec.fail("ipv4Gateway", "must be IPv4");
  if (out.ipv6_gateway && !out.ipv6_gateway->is_v6()) spec.fail("ipv6Gateway", "must be IPv6");
  if (auto v = spec.string_list("profiles")) out.profiles = *v;
  spec.each("ports", [&](MapReader& r, std::size_t) {
    out.ports.emplace_back();
    read_port(r, out.ports.back());
  });
  // Policy-affecting fields the policy engine does not enforce yet: refusing them keeps an
  // endpoint from looking protected (or spoof-permitted) when it is not.
  spec.refuse_unsupported(
      {"allowSpoofedSourcePrefixes", "qosControls", "awsElasticIPs", "externalNetworkName"});
}

}  // namespace pinto::config
