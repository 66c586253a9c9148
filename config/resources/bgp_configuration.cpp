#include "config/resources/read_helpers.h"
#include "config/resources/resource.h"

namespace pinto::config {

namespace {

bool valid_ignored_interface(const std::string& s) {
  // Calico: 1-15 characters of [a-zA-Z0-9_.*-], and not "*" alone (that would ignore all).
  if (s.empty() || s.size() > 15 || s == "*") return false;
  for (const char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-' || c == '*';
    if (!ok) return false;
  }
  return true;
}

void read_communities(MapReader& spec, BgpConfiguration& out) {
  spec.each("communities", [&](MapReader& r, std::size_t) {
    BgpConfiguration::NamedCommunity c;
    if (auto n = r.string("name")) c.name = *n;
    auto value = read_community(r, "value");
    if (!r.ok()) return;
    if (c.name.empty()) return r.fail("name", "required");
    if (!value) return r.fail("value", "required");
    for (const auto& other : out.communities) {
      if (other.name == c.name) return r.fail("name", "'" + c.name + "' is defined twice");
    }
    c.value = *value;
    out.communities.push_back(std::move(c));
  });
}

// A prefix advertisement's community is a literal value or the name of one in
// spec.communities (Calico tries the literal first, then the name).
void read_prefix_advertisements(MapReader& spec, BgpConfiguration& out) {
  spec.each("prefixAdvertisements", [&](MapReader& r, std::size_t) {
    BgpConfiguration::PrefixAdvertisement pa;
    // Calico parses this CIDR leniently (ParseCIDROrIP): host bits are masked off, not refused.
    if (auto p = r.prefix("cidr", /*strict=*/false)) pa.cidr = *p;
    const bool have_cidr = r.raw("cidr").has_value();
    auto names = r.string_list("communities");
    if (!r.ok()) return;
    if (!have_cidr) return r.fail("cidr", "required");
    if (!names || names->empty()) return r.fail("communities", "required (names or values)");
    for (std::size_t i = 0; i < names->size(); ++i) {
      const std::string& text = (*names)[i];
      if (auto literal = parse_community(text)) {
        pa.communities.push_back(*literal);
        continue;
      }
      const BgpConfiguration::NamedCommunity* named = nullptr;
      for (const auto& c : out.communities) {
        if (c.name == text) named = &c;
      }
      if (!named) {
        return r.fail("communities[" + std::to_string(i) + "]",
                      "'" + text + "' is neither a community value nor a name in spec.communities");
      }
      pa.communities.push_back(named->value);
    }
    out.prefix_advertisements.push_back(std::move(pa));
  });
}

}  // namespace

void read_bgp_configuration_spec(MapReader& spec, BgpConfiguration& out) {
  out.node_to_node_mesh_enabled = spec.boolean("nodeToNodeMeshEnabled");
  out.as_number = spec.as_number("asNumber");
  if (auto p = spec.unsigned_integer("listenPort", 65535)) {
    if (*p == 0) spec.fail("listenPort", "must be from 1 to 65535");
    out.listen_port = static_cast<std::uint16_t>(*p);
  }
  out.log_severity_screen = read_enum<std::string>(spec, "logSeverityScreen",
                                                   {{"Debug", "Debug"},
                                                    {"Info", "Info"},
                                                    {"Warning", "Warning"},
                                                    {"Error", "Error"},
                                                    {"Fatal", "Fatal"}});
  read_secret_key_ref(spec, "nodeMeshPassword", out.node_mesh_password);
  out.node_mesh_max_restart_time = spec.duration("nodeMeshMaxRestartTime");
  out.service_cluster_ips = read_cidr_blocks(spec, "serviceClusterIPs");
  out.service_external_ips = read_cidr_blocks(spec, "serviceExternalIPs");
  out.service_load_balancer_ips = read_cidr_blocks(spec, "serviceLoadBalancerIPs");
  read_communities(spec, out);
  read_prefix_advertisements(spec, out);
  out.bind_mode = read_enum<BindMode>(spec, "bindMode",
                                      {{"None", BindMode::None}, {"NodeIP", BindMode::NodeIP}});
  if (auto list = spec.string_list("ignoredInterfaces")) {
    for (std::size_t i = 0; i < list->size() && spec.ok(); ++i) {
      if (!valid_ignored_interface((*list)[i])) {
        spec.fail("ignoredInterfaces[" + std::to_string(i) + "]",
                  "not an interface name or pattern (1-15 of a-z A-Z 0-9 _ . - *, not '*'): '" +
                      (*list)[i] + "'");
      }
    }
    out.ignored_interfaces = *list;
  }
  out.local_workload_peering_ipv4 = spec.address("localWorkloadPeeringIPV4");
  out.local_workload_peering_ipv6 = spec.address("localWorkloadPeeringIPV6");
  // Newer Calico knobs whose non-default values change which routes exist or their metric.
  spec.refuse_unsupported({"serviceLoadBalancerAggregation", "programClusterRoutes",
                           "ipv4NormalRoutePriority", "ipv6NormalRoutePriority"});
  if (!spec.ok()) return;

  if (out.local_workload_peering_ipv4 && !out.local_workload_peering_ipv4->is_v4()) {
    return spec.fail("localWorkloadPeeringIPV4", "must be an IPv4 address");
  }
  if (out.local_workload_peering_ipv6 && !out.local_workload_peering_ipv6->is_v6()) {
    return spec.fail("localWorkloadPeeringIPV6", "must be an IPv6 address");
  }
  // Calico's validator: named communities exist only to be used by prefixAdvertisements.
  if (!out.communities.empty() && out.prefix_advertisements.empty()) {
    return spec.fail("communities", "defined but not used by any prefixAdvertisements entry");
  }
  // Calico documents the mesh settings as valid only on the cluster-wide "default" instance;
  // a per-node copy would be silently ignored there, so it is refused here.
  if (out.metadata.name != "default") {
    if (out.node_mesh_password) {
      return spec.fail("nodeMeshPassword", "only allowed on the BGPConfiguration named default");
    }
    if (out.node_mesh_max_restart_time) {
      return spec.fail("nodeMeshMaxRestartTime",
                       "only allowed on the BGPConfiguration named default");
    }
  }
}

}  // namespace pinto::config
