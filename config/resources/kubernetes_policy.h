// Kubernetes' own kinds that network policy reads: v1 Namespace (its labels feed
// namespaceSelector) and networking.k8s.io/v1 NetworkPolicy, typed as Kubernetes defines them.
// The policy model (policy/model) translates a KubernetesNetworkPolicy into Calico's model with
// Kubernetes semantics; nothing here decides what traffic flows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ip_address.h"
#include "config/resources/network_policy.h"
#include "config/resources/object_meta.h"

namespace pinto::config {

/// Kubernetes v1 Namespace: only its labels matter to policy.
struct Namespace {
  ObjectMeta metadata;
};

/// One peer of a Kubernetes rule (`from` / `to` entry). Selectors are Kubernetes LabelSelectors
/// already converted to Calico selector text ("" = absent; "all()" = the empty selector {}).
struct KubernetesPeer {
  std::optional<std::string> pod_selector;
  std::optional<std::string> namespace_selector;
  struct IpBlock {
    IpPrefix cidr;
    std::vector<IpPrefix> except;
  };
  std::optional<IpBlock> ip_block;
};

struct KubernetesPort {
  std::uint8_t protocol = protocol::kTcp;  // Kubernetes' default
  std::optional<PortMatch> port;           // absent: every port of `protocol`
};

struct KubernetesRule {
  std::vector<KubernetesPeer> peers;  // empty: every peer
  std::vector<KubernetesPort> ports;  // empty: every port and protocol
};

/// networking.k8s.io/v1 NetworkPolicy. Kept as its own kind ("KubernetesNetworkPolicy" in the
/// store and in errors) because it shares its name with Calico's NetworkPolicy: the two may
/// carry the same name in one namespace, as they can in Kubernetes.
struct KubernetesNetworkPolicy {
  ObjectMeta metadata;
  std::string pod_selector;  // Calico selector text; "" (podSelector {}) = every pod
  std::vector<PolicyDirection> policy_types;  // defaulted as Kubernetes does
  std::vector<KubernetesRule> ingress;
  std::vector<KubernetesRule> egress;
};

}  // namespace pinto::config
