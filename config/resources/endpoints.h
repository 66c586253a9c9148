// projectcalico.org/v3 HostEndpoint and GlobalNetworkSet: the non-namespaced things a policy
// selector can pick besides WorkloadEndpoints (config/resources/workload_endpoint.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ip_address.h"
#include "config/resources/object_meta.h"

namespace pinto::config {

/// A named port an endpoint exposes, for rules that name ports ("http") instead of numbers.
struct EndpointPort {
  std::string name;
  std::uint8_t protocol = 6;  // IANA number: TCP, UDP or SCTP
  std::uint16_t port = 0;
};

/// projectcalico.org/v3 HostEndpoint: a host interface ("*", all of them, is refused) that policy
/// protects; selected by GlobalNetworkPolicy only (it has no namespace).
struct HostEndpoint {
  ObjectMeta metadata;  // labels select it
  std::string node;
  std::string interface_name;           // one interface; empty: a selector target only
  std::vector<IpAddress> expected_ips;  // what other policies' selectors resolve it to
  /// Absent: no profile stage (see docs/policy.md "Profiles"); present, even empty: Calico's.
  std::optional<std::vector<std::string>> profiles;
  std::vector<EndpointPort> ports;
};

/// projectcalico.org/v3 GlobalNetworkSet: CIDRs outside the cluster, labelled so that policy
/// rules can select them like endpoints.
struct GlobalNetworkSet {
  ObjectMeta metadata;
  std::vector<IpPrefix> nets;
};

}  // namespace pinto::config
