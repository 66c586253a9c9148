#include "policy/model/kubernetes_translation.h"

#include <map>

namespace pinto::policy {

namespace {

config::EntityRule peer_side(const config::KubernetesPeer& peer) {
  config::EntityRule side;
  if (peer.ip_block) {
    side.nets = {peer.ip_block->cidr};
    side.not_nets = peer.ip_block->except;
    return side;
  }
  // A namespaceSelector alone selects every pod there: all() inside the selected namespaces.
  side.selector = peer.pod_selector.value_or("all()");
  if (peer.namespace_selector) side.namespace_selector = *peer.namespace_selector;
  return side;
}

// Ports grouped by protocol, since a Calico rule matches one protocol. An entry without a port
// opens the whole protocol, which wins over any port of the same protocol.
std::map<std::uint8_t, std::vector<config::PortMatch>> ports_by_protocol(
    const std::vector<config::KubernetesPort>& ports) {
  std::map<std::uint8_t, std::vector<config::PortMatch>> out;
  std::map<std::uint8_t, bool> whole;
  for (const auto& p : ports) {
    if (!p.port) {
      whole[p.protocol] = true;
      out[p.protocol].clear();
    } else if (!whole[p.protocol]) {
      out[p.protocol].push_back(*p.port);
    }
  }
  return out;
}

}  // namespace

std::vector<config::Rule> translate_kubernetes_rule(const config::KubernetesRule& rule,
                                                    Direction direction) {
  std::vector<config::EntityRule> peers;
  for (const auto& p : rule.peers) peers.push_back(peer_side(p));
  if (peers.empty()) peers.emplace_back();  // no `from`/`to`: any peer

  std::vector<config::Rule> out;
  const auto by_protocol = ports_by_protocol(rule.ports);
  for (const auto& peer : peers) {
    auto emit = [&](std::optional<std::uint8_t> protocol,
                    const std::vector<config::PortMatch>& ports) {
      config::Rule r;
      r.action = config::RuleAction::Allow;
      r.protocol = protocol;
      (direction == Direction::Ingress ? r.source : r.destination) = peer;
      r.destination.ports = ports;
      out.push_back(std::move(r));
    };
    if (by_protocol.empty()) {
      emit(std::nullopt, {});
    } else {
      for (const auto& [protocol, ports] : by_protocol) emit(protocol, ports);
    }
  }
  return out;
}

Policy translate_kubernetes_policy(const config::KubernetesNetworkPolicy& k) {
  Policy p;
  p.kind = PolicyKind::Kubernetes;
  p.namespace_name = k.metadata.namespace_name.empty() ? "default" : k.metadata.namespace_name;
  p.name = k.metadata.name;
  p.sort_name = p.namespace_name + "/knp.default." + k.metadata.name;
  p.tier = "default";
  p.order = kKubernetesPolicyOrder;
  for (auto t : k.policy_types) {
    (t == config::PolicyDirection::Ingress ? p.ingress : p.egress) = true;
  }
  for (const auto& r : k.ingress) {
    for (auto& c : translate_kubernetes_rule(r, Direction::Ingress)) p.ingress_rules.push_back(c);
  }
  for (const auto& r : k.egress) {
    for (auto& c : translate_kubernetes_rule(r, Direction::Egress)) p.egress_rules.push_back(c);
  }
  return p;
}

}  // namespace pinto::policy
