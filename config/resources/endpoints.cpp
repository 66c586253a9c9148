#include "config/resources/endpoints.h"

#include "config/resources/policy_fields.h"
#include "config/resources/read_helpers.h"
#include "config/resources/resource.h"

namespace pinto::config {

void read_host_endpoint_spec(MapReader& spec, HostEndpoint& out) {
  if (auto v = spec.string("node")) out.node = *v;
  if (auto v = spec.string("interfaceName")) {
    // Calico's all-interfaces host endpoint also polices forwarded traffic and loopback-like
    // cases Pinto's back-ends do not model yet: refused, never silently not enforced.
    if (*v == "*") {
      return spec.fail("interfaceName",
                       "'*' (all-interfaces host endpoint) is not supported by Pinto yet: "
                       "create one HostEndpoint per interface");
    }
    out.interface_name = *v;
  }
  if (auto ips = spec.string_list("expectedIPs")) {
    for (std::size_t i = 0; i < ips->size(); ++i) {
      auto a = IpAddress::parse((*ips)[i]);
      if (!a) {
        return spec.fail("expectedIPs[" + std::to_string(i) + "]",
                         "not an IP address: '" + (*ips)[i] + "'");
      }
      out.expected_ips.push_back(*a);
    }
  }
  if (auto v = spec.string_list("profiles")) out.profiles = *v;
  spec.each("ports", [&](MapReader& r, std::size_t) {
    EndpointPort p;
    if (auto v = r.string("name")) p.name = *v;
    if (auto v = read_enum<std::uint8_t>(
            r, "protocol",
            {{"TCP", protocol::kTcp}, {"UDP", protocol::kUdp}, {"SCTP", protocol::kSctp}})) {
      p.protocol = *v;
    }
    if (auto v = r.unsigned_integer("port", 65535)) p.port = static_cast<std::uint16_t>(*v);
    if (!r.ok()) return;
    if (!valid_port_name(p.name)) return r.fail("name", "not a port name: '" + p.name + "'");
    if (p.port == 0) return r.fail("port", "required (1 to 65535)");
    out.ports.push_back(p);
  });
  if (!spec.ok()) return;
  if (out.interface_name.empty() && out.expected_ips.empty()) {
    spec.fail("interfaceName", "required when expectedIPs is empty");
  }
}

void read_global_network_set_spec(MapReader& spec, GlobalNetworkSet& out) {
  out.nets = read_net_list(spec, "nets");
  spec.refuse_unsupported({"allowedEgressDomains"});
}

}  // namespace pinto::config
