#include "daemon/policy_dataplanes.h"

#include "policy/ebpf/ebpf_dataplane.h"
#include "policy/iptables/iptables_dataplane.h"

namespace pinto::daemon {

Result<std::unique_ptr<policy::Dataplane>> make_dataplane(const config::PolicySettings& settings) {
  switch (settings.dataplane) {
    case config::PolicyDataplane::None: return std::unique_ptr<policy::Dataplane>{};
    case config::PolicyDataplane::Ebpf: {
      policy::ebpf::ConntrackTimeouts timeouts;
      const auto& set = settings.conntrack_timeouts;
      if (set.tcp_syn_sent) timeouts.tcp_syn = *set.tcp_syn_sent;
      if (set.tcp_established) timeouts.tcp_established = *set.tcp_established;
      if (set.tcp_fins_seen) timeouts.tcp_closing = *set.tcp_fins_seen;
      if (set.udp) timeouts.udp = *set.udp;
      if (set.icmp) timeouts.icmp = *set.icmp;
      if (set.generic) timeouts.other = *set.generic;
      auto dataplane = policy::ebpf::EbpfDataplane::load(timeouts);
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
