#include "daemon/policy_dataplanes.h"

#include "policy/ebpf/ebpf_dataplane.h"
#include "policy/iptables/iptables_dataplane.h"

namespace pinto::daemon {

Result<std::unique_ptr<policy::Dataplane>> make_dataplane(config::PolicyDataplane kind) {
  switch (kind) {
    case config::PolicyDataplane::None: return std::unique_ptr<policy::Dataplane>{};
    case config::PolicyDataplane::Ebpf: {
      auto dataplane = policy::ebpf::EbpfDataplane::load();
      if (!dataplane) return failure(dataplane.error());
      return std::unique_ptr<policy::Dataplane>(std::move(dataplane).value());
    }
    case config::PolicyDataplane::Iptables:
      // The tools run in pintod's own network namespace; the chains hook cali+ interfaces.
      return std::unique_ptr<policy::Dataplane>(
          std::make_unique<policy::iptables::IptablesDataplane>(
              policy::iptables::IptablesOptions{}));
  }
  return std::unique_ptr<policy::Dataplane>{};
}

const char* dataplane_name(config::PolicyDataplane kind) {
  switch (kind) {
    case config::PolicyDataplane::Iptables: return "iptables";
    case config::PolicyDataplane::Ebpf: return "ebpf";
    case config::PolicyDataplane::None: break;
  }
  return "none";
}

}  // namespace pinto::daemon
