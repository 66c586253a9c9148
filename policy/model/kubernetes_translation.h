// Kubernetes networking.k8s.io/v1 NetworkPolicy in Calico's model, with Kubernetes semantics:
//   - the policy applies to the pods of its namespace that podSelector picks ({} = all);
//   - every rule allows (Kubernetes has no deny); what no rule allows is denied, per policyType;
//   - a peer with podSelector alone means pods of the policy's namespace; namespaceSelector
//     alone means every pod of the namespaces it picks ({} = every namespace); both together
//     mean those pods in those namespaces; ipBlock is `nets: [cidr]` with `notNets: except`;
//   - ports are destination ports in both directions; endPort makes a range; an absent protocol
//     is TCP; a rule without peers or ports allows every peer or port.
// Calico does the same translation (order 1000, tier default, name "knp.default.<name>").
#pragma once

#include "config/resources/kubernetes_policy.h"
#include "policy/model/policy_model.h"

namespace pinto::policy {

/// The order Calico gives every Kubernetes NetworkPolicy.
inline constexpr double kKubernetesPolicyOrder = 1000;

/// The Calico rules one Kubernetes rule stands for (a peer × protocol product; each allows).
std::vector<config::Rule> translate_kubernetes_rule(const config::KubernetesRule& rule,
                                                    Direction direction);

/// The policy, with selectors left as text for PolicyModel::build to parse.
Policy translate_kubernetes_policy(const config::KubernetesNetworkPolicy& policy);

}  // namespace pinto::policy
