// The rule program: what the policy compiler (compiler.h) produces and what every data-plane
// back-end (iptables, eBPF) consumes. Read this file first if you write a back-end.
//
// DOC. A Program holds
//   - `sets`: named address sets, shared by every rule that uses them and keyed by a SetId
//     derived from the set's *definition* (a selector within its namespace scope, or a literal
//     CIDR list), never from its current members. A pod joining a label, or a GlobalNetworkSet
//     gaining a CIDR, changes the members of a set with the same id: a back-end updates an
//     ipset or a BPF LPM map in place and reprograms no rule. Equal definitions anywhere in the
//     cluster's policies share one set (deduplication by definition).
//   - `endpoints`: for each endpoint this node enforces policy on, one Chain per direction:
//     Ingress (traffic *to* the endpoint) and Egress (traffic *from* it).
//
// A Chain is walked top to bottom; the first rule whose Match holds decides, except that Log
// records and goes on, and Goto jumps forward (Calico's Pass: to the next tier). The last rule of
// every chain matches everything and is Allow or Deny, so a walk always ends in a verdict:
//   - no policy selects the endpoint in that direction: the chain is one Allow (`policed` false);
//   - otherwise each tier ends in an unconditional Deny (Calico's end-of-tier drop), and after the
//     last tier comes an Allow standing for the profile stage (see docs/policy.md).
// Reply traffic of an allowed connection is the back-end's business (conntrack): chains describe
// new connections only.
//
// Everything here is plain data with value semantics: no pointers into the model, so a back-end
// may keep the previous Program and diff the new one against it (rules by RuleId, sets by SetId).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/ip_address.h"
#include "policy/model/policy_model.h"

namespace pinto::policy {

/// A set's identity: FNV-1a 64 of its definition text, stable across restarts and recompiles, so
/// a back-end can derive kernel object names from it ("pinto-s-<16 hex>" fits an ipset name).
using SetId = std::uint64_t;

enum class SetKind : std::uint8_t {
  Nets,       // members are CIDRs: match the packet's address (ipset hash:net, BPF LPM trie)
  NamedPort,  // members are (CIDR, protocol, port): match address *and* port together
              // (ipset hash:net,port) — a named port resolved on remote endpoints
};

struct SetMember {
  IpPrefix net;
  std::uint8_t protocol = 0;  // NamedPort sets only
  std::uint16_t port = 0;     // NamedPort sets only
  friend auto operator<=>(const SetMember&, const SetMember&) = default;
};

struct IpSet {
  SetId id = 0;
  SetKind kind = SetKind::Nets;
  /// What the set stands for, for people and logs: "sel:ns=prod|app == 'db'", "nets:10.0.0.0/8".
  std::string definition;
  /// Sorted, unique, both IP families mixed: an iptables back-end splits them per family.
  std::vector<SetMember> members;
  /// The members are a rule's own `nets` / `notNets`, fixed by the set's id (a change of them is
  /// another set): a back-end may write them into its rules. Selector and named-port sets change
  /// members with endpoints and labels and must stay sets.
  bool fixed_members = false;
  friend bool operator==(const IpSet&, const IpSet&) = default;
};

struct PortRange {
  std::uint16_t first = 0;
  std::uint16_t last = 0;
  friend bool operator==(const PortRange&, const PortRange&) = default;
};

/// Conditions on one end of the packet (its source, or its destination). Every non-empty field
/// must hold.
struct AddressMatch {
  /// The address is in *every* one of these sets (nets, and the selector's set: Calico ANDs them).
  std::vector<SetId> in_sets;
  /// The address is in *none* of these sets (notNets, notSelector).
  std::vector<SetId> not_in_sets;
  /// The port: when `ports` or `port_sets` is non-empty, the port is in one of `ports` OR the
  /// (address, protocol, port) is in one of `port_sets` (named ports on remote endpoints).
  std::vector<PortRange> ports;
  std::vector<SetId> port_sets;
  /// The port is in none of `not_ports` and (address, protocol, port) in none of `not_port_sets`.
  std::vector<PortRange> not_ports;
  std::vector<SetId> not_port_sets;
  friend bool operator==(const AddressMatch&, const AddressMatch&) = default;
};

struct IcmpTypeCode {
  std::uint8_t type = 0;
  std::optional<std::uint8_t> code;  // unset: any code of `type`
  friend bool operator==(const IcmpTypeCode&, const IcmpTypeCode&) = default;
};

enum class IpVersion : std::uint8_t { V4 = 4, V6 = 6 };

/// What a packet must satisfy for a rule to apply. An empty Match matches every packet.
struct Match {
  /// Set from ipVersion, from an ICMP/ICMPv6 protocol, or from nets of one family only: the
  /// back-end may leave the rule out of the other family's program altogether.
  std::optional<IpVersion> ip_version;
  std::optional<std::uint8_t> protocol;  // IANA number
  std::optional<std::uint8_t> not_protocol;
  std::optional<IcmpTypeCode> icmp;
  std::optional<IcmpTypeCode> not_icmp;
  AddressMatch source;
  AddressMatch destination;
  friend bool operator==(const Match&, const Match&) = default;
};

enum class Action : std::uint8_t {
  Allow,  // verdict: accept
  Deny,   // verdict: drop
  Log,    // record (and count), then continue with the next rule
  Goto,   // continue at rules[goto_index] (> this rule's index): Calico's Pass
};

/// A rule's identity, for per-rule counters reported through the API. Compiled from a policy
/// rule, it is the same on every endpoint the policy applies to ("GlobalNetworkPolicy/p/ingress/0"
/// — the policy, the direction and the rule's index in the manifest; a Kubernetes rule that
/// expands to several adds ".<n>"); a back-end counts per (endpoint, RuleId).
struct RuleId {
  std::string text;
  std::uint64_t hash = 0;  // FNV-1a 64 of `text`, for a fixed-size BPF map key
  friend bool operator==(const RuleId&, const RuleId&) = default;
};

struct Rule {
  RuleId id;
  Match match;
  Action action = Action::Deny;
  std::uint32_t goto_index = 0;  // Action::Goto only
  friend bool operator==(const Rule&, const Rule&) = default;
};

struct Chain {
  /// False when no policy selects the endpoint in this direction: `rules` is then one Allow.
  bool policed = false;
  std::vector<Rule> rules;
  friend bool operator==(const Chain&, const Chain&) = default;
};

struct EndpointProgram {
  EndpointId endpoint;
  std::string interface_name;
  std::vector<IpPrefix> addresses;
  Chain ingress;
  Chain egress;
  const Chain& chain(Direction d) const { return d == Direction::Ingress ? ingress : egress; }
};

struct Program {
  std::map<SetId, IpSet> sets;
  std::vector<EndpointProgram> endpoints;  // sorted by endpoint id

  const EndpointProgram* find(const EndpointId& id) const;
};

/// FNV-1a 64: the stable hash behind SetId and RuleId::hash.
std::uint64_t stable_hash(const std::string& text);

}  // namespace pinto::policy
