// projectcalico.org/v3 WorkloadEndpoint: one pod's interface on one node, with its addresses.
// Typed now so that /32 (/128) workload routes and policy can use it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ip_address.h"
#include "config/resources/object_meta.h"

namespace pinto::config {

struct WorkloadEndpoint {
  ObjectMeta metadata;  // namespaced; labels select it in policy
  std::string node;
  std::string orchestrator;
  std::string workload;
  std::string pod;
  std::string endpoint;
  std::string container_id;
  std::string interface_name;
  std::string mac;                    // "aa:bb:cc:dd:ee:ff", validated
  std::vector<IpPrefix> ip_networks;  // host prefixes (/32, /128) only, as Calico requires
  struct IpNat {
    IpAddress internal_ip;  // must lie in ip_networks
    IpAddress external_ip;  // same family as internal_ip
  };
  std::vector<IpNat> ip_nats;
  std::optional<IpAddress> ipv4_gateway;
  std::optional<IpAddress> ipv6_gateway;
  /// Absent: Kubernetes' profiles kns.<namespace> (and ksa.<namespace>.<serviceAccountName>);
  /// present, even empty: exactly these (docs/policy.md "Profiles").
  std::optional<std::vector<std::string>> profiles;
  std::string service_account_name;
  struct Port {
    std::string name;
    std::string protocol;  // TCP | UDP | SCTP
    std::uint16_t port = 0;
    std::uint16_t host_port = 0;
    std::optional<IpAddress> host_ip;
  };
  std::vector<Port> ports;
};

}  // namespace pinto::config
