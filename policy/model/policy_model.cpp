#include "policy/model/policy_model.h"

#include <algorithm>
#include <limits>
#include <set>
#include <string_view>

#include "policy/model/kubernetes_translation.h"

namespace pinto::policy {

namespace {

Result<Selector, Error> parse_selector(const std::string& text, const std::string& where) {
  auto s = Selector::parse(text);
  if (!s) return failure(Error{where + ": not a valid selector: " + s.error().to_string()});
  return s.value();
}

Labels to_labels(const std::map<std::string, std::string>& m) {
  return Labels(m.begin(), m.end());
}

IpPrefix host_prefix(const IpAddress& a) {
  return IpPrefix(a, a.max_prefix_length());
}

// Calico writes namespaceSelector "global()" to mean "not namespaced" (GlobalNetworkSets, host
// endpoints) rather than "any labels": the one spelling where the scope, not the labels, decides.
bool is_global_marker(const std::string& text) {
  std::string compact;
  for (char c : text) {
    if (c != ' ' && c != '\t') compact += c;
  }
  return compact == "global()";
}

Result<NamespaceScope, Error> scope_for(const std::string& namespace_selector,
                                        const std::string& own_namespace,
                                        const std::string& where) {
  NamespaceScope scope;
  if (!namespace_selector.empty()) {
    if (is_global_marker(namespace_selector)) {
      scope.kind = NamespaceScope::Kind::NonNamespaced;
      return scope;
    }
    auto s = parse_selector(namespace_selector, where);
    if (!s) return failure(s.error());
    scope.kind = NamespaceScope::Kind::Selected;
    scope.selector = s.value();
  } else if (!own_namespace.empty()) {
    scope.kind = NamespaceScope::Kind::Named;
    scope.namespace_name = own_namespace;
  }
  return scope;
}

double order_key(const std::optional<double>& order) {
  return order.value_or(std::numeric_limits<double>::infinity());
}

Endpoint from_workload(const config::WorkloadEndpoint& w) {
  Endpoint ep;
  ep.id = {false, w.metadata.namespace_name.empty() ? "default" : w.metadata.namespace_name,
           w.metadata.name};
  ep.node = w.node;
  ep.interface_name = w.interface_name;
  ep.service_account = w.service_account_name;
  ep.labels = to_labels(w.metadata.labels);
  ep.labels[kNamespaceLabel] = ep.id.namespace_name;
  if (!w.service_account_name.empty()) ep.labels[kServiceAccountLabel] = w.service_account_name;
  if (!w.orchestrator.empty()) ep.labels[kOrchestratorLabel] = w.orchestrator;
  ep.addresses = w.ip_networks;
  if (w.profiles) {
    ep.profiles = *w.profiles;
  } else {
    // What Calico's Kubernetes datastore gives every pod.
    ep.profiles.push_back(kNamespaceProfilePrefix + ep.id.namespace_name);
    if (!w.service_account_name.empty()) {
      ep.profiles.push_back(kServiceAccountProfilePrefix + ep.id.namespace_name + "." +
                            w.service_account_name);
    }
  }
  for (const auto& p : w.ports) {
    if (p.name.empty()) continue;  // a hostPort mapping without a name: nothing to resolve
    std::uint8_t proto = config::protocol::kTcp;
    if (p.protocol == "UDP") proto = config::protocol::kUdp;
    if (p.protocol == "SCTP") proto = config::protocol::kSctp;
    ep.ports.push_back({p.name, proto, p.port});
  }
  return ep;
}

Endpoint from_host(const config::HostEndpoint& h) {
  Endpoint ep;
  ep.id = {true, "", h.metadata.name};
  ep.node = h.node;
  ep.interface_name = h.interface_name;
  ep.labels = to_labels(h.metadata.labels);
  for (const auto& a : h.expected_ips) ep.addresses.push_back(host_prefix(a));
  ep.ports = h.ports;
  if (h.profiles) ep.profiles = *h.profiles;
  return ep;
}

Policy from_calico_spec(const config::PolicySpec& spec) {
  Policy p;
  p.tier = spec.tier;
  p.order = spec.order;
  for (auto t : spec.types) (t == config::PolicyDirection::Ingress ? p.ingress : p.egress) = true;
  p.ingress_rules = spec.ingress;
  p.egress_rules = spec.egress;
  return p;
}

Profile from_profile_resource(const config::Profile& r) {
  Profile p;
  p.name = r.metadata.name;
  p.rules.kind = PolicyKind::Profile;
  p.rules.name = r.metadata.name;
  p.rules.sort_name = r.metadata.name;
  p.rules.ingress = !r.ingress.empty();
  p.rules.egress = !r.egress.empty();
  p.rules.ingress_rules = r.ingress;
  p.rules.egress_rules = r.egress;
  p.labels_to_apply = to_labels(r.labels_to_apply);
  return p;
}

// A profile an endpoint names but no Profile resource defines. Calico's Kubernetes datastore
// makes kns.<ns> (allow everything, the namespace's labels as pcns.<key>) and ksa.<ns>.<sa> (no
// rules, pcsa. labels) from Namespaces and ServiceAccounts; Calico's projectcalico-default-allow
// allows everything; any other missing name has no rules.
Profile made_up_profile(const std::string& name, const Labels& namespace_labels) {
  Profile p;
  p.name = name;
  p.rules.kind = PolicyKind::Profile;
  p.rules.name = name;
  p.rules.sort_name = name;
  const std::string_view kns = kNamespaceProfilePrefix;
  const std::string_view ksa = kServiceAccountProfilePrefix;
  if (name == kDefaultAllowProfile) {
    p.allow_all = true;
  } else if (name.starts_with(kns) && name.size() > kns.size()) {
    p.allow_all = true;
    for (const auto& [k, v] : namespace_labels)
      p.labels_to_apply[kNamespaceProfileLabelPrefix + k] = v;
    p.labels_to_apply[std::string(kNamespaceProfileLabelPrefix) + kProfileNameLabel] =
        name.substr(kns.size());
  } else if (name.starts_with(ksa)) {
    // ksa.<ns>.<sa>: a namespace name has no '.', so the service account is after the first.
    const auto dot = name.find('.', ksa.size());
    if (dot != std::string::npos && dot + 1 < name.size()) {
      p.labels_to_apply[std::string(kServiceAccountProfileLabelPrefix) + kProfileNameLabel] =
          name.substr(dot + 1);
    }
  }
  return p;
}

}  // namespace

std::string EndpointId::to_string() const {
  return (host ? "host/" : namespace_name + "/") + name;
}

std::string NamespaceScope::to_string() const {
  switch (kind) {
    case Kind::Any: return "any";
    case Kind::Named: return "ns=" + namespace_name;
    case Kind::Selected: return "nssel=" + selector.canonical();
    case Kind::NonNamespaced: return "global";
  }
  return "?";
}

std::string SelectorTerm::definition() const {
  std::string d = scope.to_string() + "|" + selector.canonical();
  if (!service_accounts.empty()) {
    d += "|sa=";
    for (const auto& sa : service_accounts) d += sa + ",";
  }
  return d;
}

std::string Policy::id() const {
  switch (kind) {
    case PolicyKind::Calico: return "NetworkPolicy/" + namespace_name + "/" + name;
    case PolicyKind::GlobalCalico: return "GlobalNetworkPolicy/" + name;
    case PolicyKind::Kubernetes: return "KubernetesNetworkPolicy/" + namespace_name + "/" + name;
    case PolicyKind::Profile: return "Profile/" + name;
  }
  return name;
}

Result<std::optional<SelectorTerm>, Error> Policy::positive_term(
    const config::EntityRule& side) const {
  // Calico (libcalico-go rule conversion): a namespaced policy scopes a rule's selector to its
  // own namespace unless namespaceSelector says otherwise; a notSelector alone in a namespaced
  // policy still means "from my namespace, except ...".
  const bool namespaced = kind != PolicyKind::GlobalCalico && kind != PolicyKind::Profile;
  const bool any = !side.selector.empty() || !side.namespace_selector.empty() ||
                   !side.service_account_names.empty() ||
                   (namespaced && !side.not_selector.empty());
  if (!any) return std::optional<SelectorTerm>{};
  SelectorTerm term;
  auto scope = scope_for(side.namespace_selector, namespaced ? namespace_name : "",
                         id() + ": namespaceSelector");
  if (!scope) return failure(scope.error());
  term.scope = scope.value();
  auto sel = parse_selector(side.selector, id() + ": selector");
  if (!sel) return failure(sel.error());
  term.selector = sel.value();
  term.service_accounts = side.service_account_names;
  std::sort(term.service_accounts.begin(), term.service_accounts.end());
  return std::optional<SelectorTerm>(std::move(term));
}

Result<PolicyModel, Error> PolicyModel::build(const std::vector<config::Resource>& resources,
                                              const std::string& local_node) {
  PolicyModel m;
  m.local_node_ = local_node;
  for (const auto* w : config::all_of<config::WorkloadEndpoint>(resources)) {
    m.endpoints_.push_back(from_workload(*w));
  }
  for (const auto* h : config::all_of<config::HostEndpoint>(resources)) {
    m.endpoints_.push_back(from_host(*h));
  }
  std::sort(m.endpoints_.begin(), m.endpoints_.end(),
            [](const Endpoint& a, const Endpoint& b) { return a.id < b.id; });
  for (const auto* s : config::all_of<config::GlobalNetworkSet>(resources)) {
    m.network_sets_.push_back({s->metadata.name, to_labels(s->metadata.labels), s->nets});
  }
  for (const auto* n : config::all_of<config::Namespace>(resources)) {
    m.namespaces_[n->metadata.name] = to_labels(n->metadata.labels);
  }
  for (const auto& ep : m.endpoints_) {
    if (!ep.id.host) m.namespaces_.try_emplace(ep.id.namespace_name);
  }
  for (auto& [name, labels] : m.namespaces_) labels.try_emplace(kNamespaceNameLabel, name);
  for (const auto* p : config::all_of<config::Profile>(resources)) {
    m.profiles_[p->metadata.name] = from_profile_resource(*p);
  }
  // Profiles named by endpoints but not defined, then the labels endpoints inherit from them.
  for (auto& ep : m.endpoints_) {
    for (const auto& name : ep.profiles) {
      if (m.profiles_.contains(name)) continue;
      std::string ns;
      if (name.starts_with(kNamespaceProfilePrefix)) {
        ns = name.substr(std::string_view(kNamespaceProfilePrefix).size());
      }
      m.profiles_[name] = made_up_profile(name, m.namespace_labels(ns));
    }
    for (const auto* profile : m.profiles_of(ep)) {
      for (const auto& [k, v] : profile->labels_to_apply) ep.labels.try_emplace(k, v);
    }
  }
  for (const auto* t : config::all_of<config::Tier>(resources)) {
    m.tier_orders_[t->metadata.name] = t->order;
  }
  m.tier_orders_.try_emplace("default", config::kDefaultTierOrder);

  for (const auto* np : config::all_of<config::NetworkPolicy>(resources)) {
    Policy p = from_calico_spec(np->spec);
    p.kind = PolicyKind::Calico;
    p.namespace_name =
        np->metadata.namespace_name.empty() ? "default" : np->metadata.namespace_name;
    p.name = np->metadata.name;
    p.sort_name = p.namespace_name + "/" + p.name;
    p.applies_in = {NamespaceScope::Kind::Named, p.namespace_name, {}};
    auto sel = parse_selector(np->spec.selector, p.id() + ": selector");
    if (!sel) return failure(sel.error());
    p.selector = sel.value();
    m.policies_.push_back(std::move(p));
  }
  for (const auto* gnp : config::all_of<config::GlobalNetworkPolicy>(resources)) {
    Policy p = from_calico_spec(gnp->spec);
    p.kind = PolicyKind::GlobalCalico;
    p.name = gnp->metadata.name;
    p.sort_name = p.name;
    auto scope = scope_for(gnp->namespace_selector, "", p.id() + ": namespaceSelector");
    if (!scope) return failure(scope.error());
    p.applies_in = scope.value();
    auto sel = parse_selector(gnp->spec.selector, p.id() + ": selector");
    if (!sel) return failure(sel.error());
    p.selector = sel.value();
    m.policies_.push_back(std::move(p));
  }
  for (const auto* knp : config::all_of<config::KubernetesNetworkPolicy>(resources)) {
    Policy p = translate_kubernetes_policy(*knp);
    p.applies_in = {NamespaceScope::Kind::Named, p.namespace_name, {}};
    auto sel = parse_selector(knp->pod_selector, p.id() + ": podSelector");
    if (!sel) return failure(sel.error());
    p.selector = sel.value();
    m.policies_.push_back(std::move(p));
  }
  // Check every rule's selectors once here, so the compiler never meets a bad one.
  std::vector<const Policy*> all_rules;
  for (const auto& p : m.policies_) all_rules.push_back(&p);
  for (const auto& [name, profile] : m.profiles_) all_rules.push_back(&profile.rules);
  for (const Policy* pp : all_rules) {
    const Policy& p = *pp;
    for (const auto* rules : {&p.ingress_rules, &p.egress_rules}) {
      for (const auto& r : *rules) {
        for (const auto* side : {&r.source, &r.destination}) {
          if (auto t = p.positive_term(*side); !t) return failure(t.error());
          if (auto s = parse_selector(side->not_selector, p.id() + ": notSelector"); !s) {
            return failure(s.error());
          }
        }
      }
    }
  }
  return m;
}

std::vector<const Profile*> PolicyModel::profiles_of(const Endpoint& ep) const {
  std::vector<const Profile*> out;
  for (const auto& name : ep.profiles) {
    if (auto it = profiles_.find(name); it != profiles_.end()) out.push_back(&it->second);
  }
  return out;
}

std::vector<const Endpoint*> PolicyModel::local_endpoints() const {
  std::vector<const Endpoint*> out;
  for (const auto& ep : endpoints_) {
    if (local_node_.empty() || ep.node == local_node_) out.push_back(&ep);
  }
  return out;
}

const Labels& PolicyModel::namespace_labels(const std::string& ns) const {
  static const Labels kNone;
  auto it = namespaces_.find(ns);
  return it == namespaces_.end() ? kNone : it->second;
}

bool PolicyModel::in_scope(const NamespaceScope& scope, const std::string& namespace_name,
                           bool namespaced) const {
  switch (scope.kind) {
    case NamespaceScope::Kind::Any: return true;
    case NamespaceScope::Kind::Named: return namespaced && namespace_name == scope.namespace_name;
    case NamespaceScope::Kind::Selected:
      return namespaced && scope.selector.matches(namespace_labels(namespace_name));
    case NamespaceScope::Kind::NonNamespaced: return !namespaced;
  }
  return false;
}

bool PolicyModel::applies(const Policy& p, const Endpoint& ep) const {
  if (p.kind != PolicyKind::GlobalCalico && ep.id.host) return false;
  return in_scope(p.applies_in, ep.id.namespace_name, !ep.id.host) && p.selector.matches(ep.labels);
}

std::vector<TierPolicies> PolicyModel::policies_for(const Endpoint& ep, Direction dir) const {
  std::vector<const Policy*> selected;
  for (const auto& p : policies_) {
    if ((dir == Direction::Ingress ? p.ingress : p.egress) && applies(p, ep)) {
      selected.push_back(&p);
    }
  }
  auto tier_order = [&](const std::string& tier) {
    auto it = tier_orders_.find(tier);
    return order_key(it == tier_orders_.end() ? std::nullopt : it->second);
  };
  // Calico: tiers by order then name; inside a tier, policies by order then name.
  std::sort(selected.begin(), selected.end(), [&](const Policy* a, const Policy* b) {
    const double ta = tier_order(a->tier), tb = tier_order(b->tier);
    if (ta != tb) return ta < tb;
    if (a->tier != b->tier) return a->tier < b->tier;
    const double oa = order_key(a->order), ob = order_key(b->order);
    if (oa != ob) return oa < ob;
    return a->sort_name < b->sort_name;
  });
  std::vector<TierPolicies> out;
  for (const auto* p : selected) {
    if (out.empty() || out.back().tier != p->tier) out.push_back({p->tier, {}});
    out.back().policies.push_back(p);
  }
  return out;
}

std::vector<const Endpoint*> PolicyModel::endpoints_of(const SelectorTerm& term) const {
  std::vector<const Endpoint*> out;
  for (const auto& ep : endpoints_) {
    if (!in_scope(term.scope, ep.id.namespace_name, !ep.id.host)) continue;
    if (!term.selector.matches(ep.labels)) continue;
    if (!term.service_accounts.empty() &&
        !std::binary_search(term.service_accounts.begin(), term.service_accounts.end(),
                            ep.service_account)) {
      continue;
    }
    out.push_back(&ep);
  }
  return out;
}

std::vector<IpPrefix> PolicyModel::members(const SelectorTerm& term) const {
  std::set<IpPrefix> out;
  for (const auto* ep : endpoints_of(term)) out.insert(ep->addresses.begin(), ep->addresses.end());
  // Network sets have no service account, so a term naming service accounts never picks them.
  if (term.service_accounts.empty()) {
    for (const auto& s : network_sets_) {
      if (in_scope(term.scope, "", false) && term.selector.matches(s.labels)) {
        out.insert(s.nets.begin(), s.nets.end());
      }
    }
  }
  return {out.begin(), out.end()};
}

}  // namespace pinto::policy
