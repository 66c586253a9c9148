#include "daemon/policy_dataplanes.h"

#include "policy/ebpf/ebpf_dataplane.h"

namespace pinto::daemon {

Result<std::unique_ptr<policy::Dataplane>> make_dataplane(config::PolicyDataplane kind) {
  switch (kind) {
    case config::PolicyDataplane::None: return std::unique_ptr<policy::Dataplane>{};
    case config::PolicyDataplane::Ebpf: {
      auto dataplane = policy::ebpf::EbpfDataplane::load();
      if (!dataplane) return failure(dataplane.error());
      return std::unique_ptr<policy::Dataplane>(std::move(dataplane).value());
    }
    case config::PolicyDataplane::Iptables: break;
  }
  return failure(Error{"the iptables data plane is not in this build"});
}

}  // namespace pinto::daemon
