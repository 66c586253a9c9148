// pinto.v1.Policy: what the policy data plane enforces on this node, and its per-rule counters.
#include "daemon/api_services.h"

namespace pinto::daemon {

namespace {

const char* dataplane_name(config::PolicyDataplane d) {
  switch (d) {
    case config::PolicyDataplane::Iptables: return "iptables";
    case config::PolicyDataplane::Ebpf: return "ebpf";
    case config::PolicyDataplane::None: break;
  }
  return "none";
}

}  // namespace

grpc::Status PolicyService::Status(grpc::ServerContext*, const v1::PolicyStatusRequest* request,
                                   v1::PolicyStatusResponse* response) {
  auto done = routing_.run([&] {
    PolicyEnforcer* policy = daemon_.policy();
    response->set_dataplane(policy ? dataplane_name(daemon_.settings().policy.dataplane) : "none");
    if (policy == nullptr) return true;
    response->set_program(policy->program_text());
    response->set_error(policy->last_error());
    if (request->counters()) {
      for (const auto& c : policy->counters()) {
        auto* out = response->add_counters();
        out->set_endpoint(c.endpoint.to_string());
        out->set_direction(c.direction == policy::Direction::Ingress ? "ingress" : "egress");
        out->set_rule(c.rule);
        out->set_packets(c.packets);
        out->set_bytes(c.bytes);
      }
    }
    return true;
  });
  return done ? grpc::Status::OK : kStopped;
}

}  // namespace pinto::daemon
