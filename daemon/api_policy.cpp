// pinto.v1.Policy: what the policy data plane enforces on this node, and its per-rule counters.
// Answered from the enforcer's snapshot, not on the routing thread: a long apply on the policy
// thread never delays this, nor BGP (daemon/policy_enforcer.h).
#include "daemon/api_services.h"

namespace pinto::daemon {

grpc::Status PolicyService::Status(grpc::ServerContext*, const v1::PolicyStatusRequest* request,
                                   v1::PolicyStatusResponse* response) {
  if (routing_.stopped()) return kStopped;
  PolicyEnforcer* policy = daemon_.policy();  // set before the API started, never changed
  if (policy == nullptr) {
    response->set_dataplane("none");
    return grpc::Status::OK;
  }
  PolicyStatus status = policy->status();
  response->set_dataplane(status.dataplane);
  response->set_program(std::move(status.program_text));
  response->set_error(std::move(status.error));
  response->set_revision(status.revision);
  response->set_applying(status.pending);
  for (auto& name : status.pending_interfaces) response->add_pending_interfaces(std::move(name));
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
  return grpc::Status::OK;
}

}  // namespace pinto::daemon
