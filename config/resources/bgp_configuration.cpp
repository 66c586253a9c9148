#include "config/resources/resource.h"

namespace pinto::config {

void read_bgp_configuration_spec(MapReader& spec, BgpConfiguration& out) {
  out.node_to_node_mesh_enabled = spec.boolean("nodeToNodeMeshEnabled");
  out.as_number = spec.as_number("asNumber");
  if (auto p = spec.unsigned_integer("listenPort", 65535)) {
    if (*p == 0) spec.fail("listenPort", "must be from 1 to 65535");
    out.listen_port = static_cast<std::uint16_t>(*p);
  }
  out.log_severity_screen = spec.string("logSeverityScreen");
  read_secret_key_ref(spec, "nodeMeshPassword", out.node_mesh_password);
  out.node_mesh_max_restart_time = spec.duration("nodeMeshMaxRestartTime");
  // Calico fields accepted and not acted on yet: service advertisement and communities arrive
  // with the cluster model issue.
  spec.accept({"serviceClusterIPs", "serviceExternalIPs", "serviceLoadBalancerIPs", "communities",
               "prefixAdvertisements", "bindMode", "ignoredInterfaces", "localWorkloadPeeringIPV4",
               "localWorkloadPeeringIPV6", "serviceLoadBalancerAggregation",
               "programClusterRoutes"});
}

}  // namespace pinto::config
