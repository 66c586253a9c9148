#include "daemon/policy_dataplanes.h"

#include "common/log.h"

namespace pinto::daemon {

Result<std::unique_ptr<policy::Dataplane>> make_dataplane(config::PolicyDataplane kind) {
  switch (kind) {
    case config::PolicyDataplane::None: return std::unique_ptr<policy::Dataplane>{};
    case config::PolicyDataplane::Iptables:
    case config::PolicyDataplane::Ebpf: break;
  }
  log_warning("policy: this build has no such data plane yet; policy is not enforced");
  return std::unique_ptr<policy::Dataplane>{};
}

}  // namespace pinto::daemon
