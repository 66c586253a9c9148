// The in-memory network-policy model: endpoints, policies, network sets and namespaces, built
// from the typed resources (config/resources), with Kubernetes NetworkPolicy already translated
// into Calico's model. It answers two questions for the compiler (policy/compiler):
//   - which policies apply to an endpoint, per direction, in evaluation order (tiers by order,
//     then policies by order, then by name, as Calico sorts them);
//   - which addresses a selector term (a rule's selector within its namespace scope) stands for.
//
// NOTE Threading: immutable once built; any thread may read it.
// NOTE Performance: build() parses every selector once; policies_for() walks every policy
// (O(policies) per endpoint), members() walks every endpoint and network set. Indexes by label
// belong here when rule counts make that matter (docs/policy.md "Not done yet").
//
// Pure: no I/O, no clock, no logging.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/ip_address.h"
#include "common/result.h"
#include "config/resources/resource.h"
#include "policy/selector/selector.h"

namespace pinto::policy {

enum class Direction : std::uint8_t { Ingress, Egress };

/// Labels Calico adds to every workload endpoint so that selectors can name its namespace,
/// service account and orchestrator.
inline constexpr const char* kNamespaceLabel = "projectcalico.org/namespace";
inline constexpr const char* kServiceAccountLabel = "projectcalico.org/serviceaccount";
inline constexpr const char* kOrchestratorLabel = "projectcalico.org/orchestrator";
/// The label Kubernetes puts on every Namespace; added when a Namespace document lacks it (or
/// does not exist) so `namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: x}}` works.
inline constexpr const char* kNamespaceNameLabel = "kubernetes.io/metadata.name";
/// Calico's Kubernetes datastore gives every pod the profiles kns.<namespace> (allow all, the
/// namespace's labels as pcns.<key>) and ksa.<namespace>.<serviceaccount> (no rules, pcsa.
/// labels); Pinto makes them up the same way when no Profile resource has those names.
inline constexpr const char* kNamespaceProfilePrefix = "kns.";
/// Calico's built-in profile that allows everything (host endpoints name it to be open).
inline constexpr const char* kDefaultAllowProfile = "projectcalico-default-allow";
inline constexpr const char* kServiceAccountProfilePrefix = "ksa.";
inline constexpr const char* kNamespaceProfileLabelPrefix = "pcns.";
inline constexpr const char* kServiceAccountProfileLabelPrefix = "pcsa.";
inline constexpr const char* kProfileNameLabel = "projectcalico.org/name";

struct EndpointId {
  bool host = false;           // HostEndpoint (no namespace) or WorkloadEndpoint
  std::string namespace_name;  // workload endpoints only
  std::string name;
  /// "ns/name" for a workload endpoint, "host/name" for a host endpoint.
  std::string to_string() const;
  friend auto operator<=>(const EndpointId&, const EndpointId&) = default;
};

struct Endpoint {
  EndpointId id;
  std::string node;
  std::string interface_name;
  std::string service_account;
  /// The resource's labels, plus the projectcalico.org/ ones above, plus its profiles'
  /// labelsToApply (own labels win, then earlier profiles win over later ones).
  Labels labels;
  std::vector<IpPrefix> addresses;  // host prefixes (/32, /128)
  std::vector<config::EndpointPort> ports;
  /// The profiles evaluated after the last tier, in order. A workload endpoint without a
  /// `profiles` field gets Kubernetes' kns.<ns> (and ksa.<ns>.<sa>); a host endpoint without
  /// one has none (Calico's default deny, behind the failsafe ports).
  std::vector<std::string> profiles;
};

struct NetworkSet {
  std::string name;
  Labels labels;
  std::vector<IpPrefix> nets;
};

/// Which namespaces a selector reaches, after Calico's scoping rules.
struct NamespaceScope {
  enum class Kind : std::uint8_t {
    Any,       // every endpoint and GlobalNetworkSet (a global policy without namespaceSelector)
    Named,     // the workload endpoints of `namespace_name` (a namespaced policy)
    Selected,  // workload endpoints whose Namespace labels match `selector`
    NonNamespaced,  // namespaceSelector global(): host endpoints and GlobalNetworkSets
  };
  Kind kind = Kind::Any;
  std::string namespace_name;
  Selector selector;
  /// Stable text naming the scope: part of a set's definition (so of its id).
  std::string to_string() const;
};

/// A rule side's selector as a set of things: the scope, the label selector within it, and the
/// service accounts (empty: any). Two terms with equal definition() stand for equal members.
struct SelectorTerm {
  NamespaceScope scope;
  Selector selector;
  std::vector<std::string> service_accounts;
  std::string definition() const;
};

enum class PolicyKind : std::uint8_t { Calico, GlobalCalico, Kubernetes, Profile };

/// A policy of any kind, in Calico's terms.
struct Policy {
  PolicyKind kind = PolicyKind::Calico;
  std::string namespace_name;  // "" for GlobalNetworkPolicy
  std::string name;            // the resource's name
  std::string sort_name;       // Calico's tie-break key: "ns/name", "ns/knp.default.name", "name"
  std::string tier;
  std::optional<double> order;  // unset: after every ordered policy
  NamespaceScope applies_in;    // which endpoints `selector` may pick
  Selector selector;
  bool ingress = false;  // types include Ingress
  bool egress = false;
  std::vector<config::Rule> ingress_rules;
  std::vector<config::Rule> egress_rules;

  /// "GlobalNetworkPolicy/name", "NetworkPolicy/ns/name", "KubernetesNetworkPolicy/ns/name",
  /// "Profile/name".
  std::string id() const;
  /// The term a rule side stands for, scoped as Calico scopes it in this policy; nullopt when
  /// the side names no selector, namespaceSelector, notSelector or service account (any address).
  Result<std::optional<SelectorTerm>, Error> positive_term(const config::EntityRule& side) const;
};

/// A profile as the compiler sees it: rules like a global policy's (first match wins, Pass
/// goes on to the next profile), or Kubernetes' allow-everything kns.<ns>.
struct Profile {
  std::string name;
  bool allow_all = false;
  Policy rules;  // kind Profile; selectors scoped as in a GlobalNetworkPolicy
  Labels labels_to_apply;
};

/// The policies of one tier that apply to an endpoint in one direction, in evaluation order.
struct TierPolicies {
  std::string tier;
  std::vector<const Policy*> policies;
};

class PolicyModel {
 public:
  /// Builds the model. `local_node` picks the endpoints this node enforces policy on; empty means
  /// every endpoint (tests, and a node that enforces for all). Fails on a selector that does not
  /// parse (the resource readers have checked them, so this is a translated Kubernetes selector).
  static Result<PolicyModel, Error> build(const std::vector<config::Resource>& resources,
                                          const std::string& local_node = "");

  const std::vector<Endpoint>& endpoints() const { return endpoints_; }
  std::vector<const Endpoint*> local_endpoints() const;
  const std::vector<Policy>& policies() const { return policies_; }

  /// The tiers (in order) with at least one policy that applies to `ep` in `dir`.
  std::vector<TierPolicies> policies_for(const Endpoint& ep, Direction dir) const;

  /// `ep`'s profiles in evaluation order (see Endpoint::profiles); a name no Profile resource
  /// has is a profile without rules, except Kubernetes' kns./ksa. ones (see above).
  std::vector<const Profile*> profiles_of(const Endpoint& ep) const;

  /// The addresses of every endpoint and network set the term selects, sorted and unique.
  std::vector<IpPrefix> members(const SelectorTerm& term) const;
  /// The endpoints the term selects (for named ports).
  std::vector<const Endpoint*> endpoints_of(const SelectorTerm& term) const;

  /// True when `ep` is in `scope` (network sets: `namespace_name` empty, host false).
  bool in_scope(const NamespaceScope& scope, const std::string& namespace_name,
                bool namespaced) const;

 private:
  bool applies(const Policy& p, const Endpoint& ep) const;
  const Labels& namespace_labels(const std::string& ns) const;

  std::string local_node_;
  std::vector<Endpoint> endpoints_;
  std::vector<NetworkSet> network_sets_;
  std::vector<Policy> policies_;
  std::map<std::string, Profile, std::less<>> profiles_;  // resources, then made-up kns./ksa.
  std::map<std::string, Labels, std::less<>> namespaces_;
  std::map<std::string, std::optional<double>, std::less<>> tier_orders_;
};

}  // namespace pinto::policy
