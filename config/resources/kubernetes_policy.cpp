#include "config/resources/kubernetes_policy.h"

#include <cctype>

#include "config/resources/policy_fields.h"
#include "config/resources/resource.h"

namespace pinto::config {

namespace {

// Label keys and values as Kubernetes allows them; anything else could break out of the quoted
// Calico selector text we build from them.
bool plain_label_text(const std::string& s, bool key) {
  for (const char c : s) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
                    c == '.' || (key && c == '/');
    if (!ok) return false;
  }
  return !key || !s.empty();
}

std::string quoted(const std::string& v) {
  return "'" + v + "'";
}

// A Kubernetes LabelSelector ({matchLabels, matchExpressions}) as Calico selector text. The
// empty selector is all(): it selects everything, as in Kubernetes.
std::string read_label_selector(MapReader& r) {
  std::vector<std::string> terms;
  if (auto labels = r.string_map("matchLabels")) {
    for (const auto& [k, v] : *labels) {
      if (!plain_label_text(k, true) || !plain_label_text(v, false)) {
        r.fail("matchLabels." + k, "not a Kubernetes label");
        return {};
      }
      terms.push_back(k + " == " + quoted(v));
    }
  }
  r.each("matchExpressions", [&](MapReader& e, std::size_t) {
    const std::string key = e.string("key").value_or("");
    const std::string op = e.string("operator").value_or("");
    const auto values = e.string_list("values").value_or(std::vector<std::string>{});
    if (!e.ok()) return;
    if (!plain_label_text(key, true)) return e.fail("key", "not a Kubernetes label key");
    std::string set;
    for (const auto& v : values) {
      if (!plain_label_text(v, false)) return e.fail("values", "not a Kubernetes label value");
      set += (set.empty() ? "" : ", ") + quoted(v);
    }
    const bool needs_values = op == "In" || op == "NotIn";
    if (needs_values && values.empty()) return e.fail("values", "required for " + op);
    if (!needs_values && !values.empty()) return e.fail("values", "must be empty for " + op);
    if (op == "In") {
      terms.push_back(key + " in {" + set + "}");
    } else if (op == "NotIn") {
      terms.push_back(key + " not in {" + set + "}");
    } else if (op == "Exists") {
      terms.push_back("has(" + key + ")");
    } else if (op == "DoesNotExist") {
      terms.push_back("!has(" + key + ")");
    } else {
      e.fail("operator", "expected In, NotIn, Exists or DoesNotExist, got '" + op + "'");
    }
  });
  if (terms.empty()) return "all()";
  std::string out;
  for (const auto& t : terms) out += (out.empty() ? "" : " && ") + t;
  return out;
}

void read_peer(MapReader& r, KubernetesPeer& peer) {
  if (r.raw("podSelector")) {
    r.nested("podSelector", [&](MapReader& s) { peer.pod_selector = read_label_selector(s); });
  }
  if (r.raw("namespaceSelector")) {
    r.nested("namespaceSelector",
             [&](MapReader& s) { peer.namespace_selector = read_label_selector(s); });
  }
  r.nested("ipBlock", [&](MapReader& b) {
    KubernetesPeer::IpBlock block;
    auto cidr = b.prefix("cidr", /*strict=*/false);
    if (!b.ok()) return;
    if (!cidr) return b.fail("cidr", "required");
    block.cidr = *cidr;
    block.except = read_net_list(b, "except");
    for (std::size_t i = 0; i < block.except.size() && b.ok(); ++i) {
      if (!block.cidr.contains(block.except[i])) {
        b.fail("except[" + std::to_string(i) + "]", "not inside cidr " + block.cidr.to_string());
      }
    }
    peer.ip_block = block;
  });
  if (!r.ok()) return;
  const bool selectors = peer.pod_selector || peer.namespace_selector;
  if (peer.ip_block && selectors) return r.fail("ipBlock", "cannot be combined with selectors");
  if (!peer.ip_block && !selectors) {
    return r.fail("", "needs podSelector, namespaceSelector or ipBlock");
  }
}

void read_port(MapReader& r, KubernetesPort& port) {
  if (auto text = r.string("protocol")) {
    if (*text == "TCP" || *text == "UDP" || *text == "SCTP") {
      port.protocol = *parse_protocol(*text);
    } else {
      return r.fail("protocol", "expected TCP, UDP or SCTP, got '" + *text + "'");
    }
  }
  if (auto text = r.string("port")) {
    std::string why;
    auto p = parse_port_match(*text, why);
    if (!p || (p->name.empty() && p->first != p->last)) {
      return r.fail("port", p ? "a Kubernetes port is a number or a name" : why);
    }
    port.port = *p;
  }
  if (auto end = r.unsigned_integer("endPort", 65535)) {
    if (!port.port || !port.port->name.empty()) {
      return r.fail("endPort", "needs a numeric port");
    }
    if (*end < port.port->first) return r.fail("endPort", "must not be less than port");
    port.port->last = static_cast<std::uint16_t>(*end);
  }
}

void read_rules(MapReader& spec, const char* key, const char* peers_key,
                std::vector<KubernetesRule>& out) {
  spec.each(key, [&](MapReader& r, std::size_t) {
    KubernetesRule rule;
    r.each(peers_key, [&](MapReader& p, std::size_t) {
      rule.peers.emplace_back();
      read_peer(p, rule.peers.back());
    });
    r.each("ports", [&](MapReader& p, std::size_t) {
      rule.ports.emplace_back();
      read_port(p, rule.ports.back());
    });
    out.push_back(std::move(rule));
  });
}

}  // namespace

void read_namespace_spec(MapReader& spec, Namespace&) {
  spec.accept({"finalizers"});
}

void read_kubernetes_network_policy_spec(MapReader& spec, KubernetesNetworkPolicy& out) {
  out.pod_selector = "all()";
  spec.nested("podSelector", [&](MapReader& s) { out.pod_selector = read_label_selector(s); });
  bool types_given = false;
  if (auto types = spec.string_list("policyTypes")) {
    types_given = !types->empty();  // Kubernetes defaults an empty list like an absent one
    for (std::size_t i = 0; i < types->size(); ++i) {
      if ((*types)[i] == "Ingress") {
        out.policy_types.push_back(PolicyDirection::Ingress);
      } else if ((*types)[i] == "Egress") {
        out.policy_types.push_back(PolicyDirection::Egress);
      } else {
        return spec.fail("policyTypes[" + std::to_string(i) + "]",
                         "expected Ingress or Egress, got '" + (*types)[i] + "'");
      }
    }
  }
  read_rules(spec, "ingress", "from", out.ingress);
  read_rules(spec, "egress", "to", out.egress);
  if (spec.ok() && !types_given) {
    // Kubernetes' default: Ingress always; Egress when the policy has egress rules.
    out.policy_types.push_back(PolicyDirection::Ingress);
    if (!out.egress.empty()) out.policy_types.push_back(PolicyDirection::Egress);
  }
}

}  // namespace pinto::config
