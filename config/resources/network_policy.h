// projectcalico.org/v3 NetworkPolicy (namespaced), GlobalNetworkPolicy and Tier: Calico's policy
// model, typed and validated so the policy model (policy/model) never sees a malformed rule.
//
// The structs keep Calico's field names and meanings; what a field means for traffic is the
// compiler's business (policy/compiler, docs/policy.md). Fields whose behaviour Pinto does not
// implement (doNotTrack, preDNAT, applyOnForward, http matches, services, serviceAccount
// selectors) are refused by name, so a manifest never looks enforced when it is not.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ip_address.h"
#include "config/resources/object_meta.h"

namespace pinto::config {

enum class RuleAction : std::uint8_t { Allow, Deny, Log, Pass };
enum class PolicyDirection : std::uint8_t { Ingress, Egress };

/// IANA protocol numbers Calico knows by name (TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite).
namespace protocol {
inline constexpr std::uint8_t kIcmp = 1;
inline constexpr std::uint8_t kTcp = 6;
inline constexpr std::uint8_t kUdp = 17;
inline constexpr std::uint8_t kIcmpV6 = 58;
inline constexpr std::uint8_t kSctp = 132;
inline constexpr std::uint8_t kUdpLite = 136;
}  // namespace protocol

/// One entry of `ports` / `notPorts`: a number, a range "first:last", or a named port
/// (resolved against the endpoints' `ports` by the compiler).
struct PortMatch {
  std::uint16_t first = 0;
  std::uint16_t last = 0;
  std::string name;  // non-empty: a named port; first/last unused
  friend bool operator==(const PortMatch&, const PortMatch&) = default;
};

/// Calico's ICMP match: a type, optionally narrowed by a code (a code needs a type).
struct IcmpMatch {
  std::uint8_t type = 0;
  std::optional<std::uint8_t> code;
  friend bool operator==(const IcmpMatch&, const IcmpMatch&) = default;
};

/// The source or destination half of a rule. Every field set must match (AND); inside a list,
/// any entry may match (OR). Selectors are kept as text, already checked to parse.
struct EntityRule {
  std::vector<IpPrefix> nets;
  std::vector<IpPrefix> not_nets;
  std::string selector;
  std::string not_selector;
  std::string namespace_selector;
  std::vector<PortMatch> ports;
  std::vector<PortMatch> not_ports;
  std::vector<std::string> service_account_names;  // serviceAccounts.names
  friend bool operator==(const EntityRule&, const EntityRule&) = default;
};

struct Rule {
  RuleAction action = RuleAction::Allow;
  std::optional<std::uint8_t> ip_version;  // 4 or 6
  std::optional<std::uint8_t> protocol;    // IANA number; names are read into numbers
  std::optional<std::uint8_t> not_protocol;
  std::optional<IcmpMatch> icmp;
  std::optional<IcmpMatch> not_icmp;
  EntityRule source;
  EntityRule destination;
  friend bool operator==(const Rule&, const Rule&) = default;
};

/// What NetworkPolicy and GlobalNetworkPolicy share.
struct PolicySpec {
  std::string tier = "default";
  std::optional<double> order;  // unset sorts after every ordered policy (Calico's "infinity")
  std::string selector;         // which endpoints the policy applies to; empty: all()
  std::vector<PolicyDirection> types;  // defaulted from the rules when the manifest omits it
  std::vector<Rule> ingress;
  std::vector<Rule> egress;
  friend bool operator==(const PolicySpec&, const PolicySpec&) = default;
};

/// projectcalico.org/v3 NetworkPolicy: applies to endpoints of its own namespace only; its rules'
/// selectors are scoped to that namespace unless they carry a namespaceSelector.
struct NetworkPolicy {
  ObjectMeta metadata;
  PolicySpec spec;
};

/// projectcalico.org/v3 GlobalNetworkPolicy: applies cluster-wide (workload and host endpoints).
struct GlobalNetworkPolicy {
  ObjectMeta metadata;
  PolicySpec spec;
  std::string namespace_selector;  // narrows the endpoints it applies to by namespace labels
};

/// projectcalico.org/v3 Tier: a group of policies evaluated as a unit, in `order`.
struct Tier {
  ObjectMeta metadata;
  std::optional<double> order;  // unset: after every ordered tier
};

/// The order Calico gives the implicit "default" tier when no Tier resource names it.
inline constexpr double kDefaultTierOrder = 1'000'000;

}  // namespace pinto::config
