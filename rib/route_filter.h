// Route filters: Calico's BGPFilter semantics as pure functions over (prefix, attributes, where
// the route comes from, which session it crosses). No I/O; the RIB applies import chains where a
// peer's routes enter its Adj-RIB-In, and Adj-RIB-Out applies export chains per peer.
//
// Semantics (what calico-node's generated BIRD configuration does; docs/route-policy.md):
//   - A BGPPeer lists filters in order; each filter holds rule lists per direction and family.
//   - Within a filter, rules are evaluated in order and the first matching rule decides: Reject
//     drops the route, Accept takes it (after applying the rule's operations) and no further
//     rule or filter is looked at (BIRD's `accept`/`reject` end the whole filter).
//   - A route that matches no rule of a filter falls through to the next filter.
//   - A route that matches no rule of any filter is accepted unchanged (Calico: "if an address
//     does not match any explicit BGP filter rule, the default action is Accept"); Pinto's own
//     export rules (split horizon, loop checks, next hop) apply either way.
//   - Every condition a rule sets must hold; a rule that sets none matches every route.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bgp/wire/attributes.h"
#include "common/ip_address.h"

namespace pinto::rib {

enum class PrefixMatch : std::uint8_t { Equal, NotEqual, In, NotIn };
enum class FilterPeerType : std::uint8_t { EBgp, IBgp };
enum class FilterAction : std::uint8_t { Accept, Reject };

/// A standard (RFC 1997) or large (RFC 8092) community, as a rule matches or adds it.
struct FilterCommunity {
  bool large = false;
  std::uint32_t standard = 0;  // aa << 16 | nn
  bgp::wire::LargeCommunity large_value;
  friend bool operator==(const FilterCommunity&, const FilterCommunity&) = default;
};

/// One operation of an Accept rule. setPriority (a kernel route metric) is refused before it
/// gets here (config/unimplemented.cpp): the FIB does not program metrics yet.
struct FilterOperation {
  std::optional<FilterCommunity> add_community;
  std::vector<std::uint32_t> prepend_as_path;  // ends up at the front of AS_PATH in this order
  friend bool operator==(const FilterOperation&, const FilterOperation&) = default;
};

struct FilterRule {
  /// cidr + matchOperator, refined by prefixLength (see matches_prefix()).
  std::optional<IpPrefix> cidr;
  PrefixMatch match = PrefixMatch::In;
  std::optional<std::uint8_t> prefix_length_min;
  std::optional<std::uint8_t> prefix_length_max;
  bool source_remote_peers = false;  // only routes learned from a BGP peer, not our own
  std::optional<FilterPeerType> peer_type;
  std::optional<FilterCommunity> community;   // the route carries it
  std::vector<std::uint32_t> as_path_prefix;  // AS_PATH starts with these ASNs
  FilterAction action = FilterAction::Accept;
  std::vector<FilterOperation> operations;
  friend bool operator==(const FilterRule&, const FilterRule&) = default;
};

/// One BGPFilter, one direction (import or export), both families.
struct RouteFilter {
  std::string name;
  std::vector<FilterRule> v4;
  std::vector<FilterRule> v6;
  friend bool operator==(const RouteFilter&, const RouteFilter&) = default;
};

/// BGPPeer.spec.filters, in order, for one direction.
using FilterChain = std::vector<RouteFilter>;

/// A peer's route policy: BGPPeer.spec.filters (import and export sides) and
/// numAllowedLocalASNumbers (allowas-in).
struct PeerPolicy {
  FilterChain import_filters;
  FilterChain export_filters;
  /// How often our own AS may appear in a received AS_PATH before the route counts as a loop
  /// (RFC 4271 §9.1.2 allows this relaxation; 0 = the standard check).
  std::uint32_t allowed_local_as = 0;
  friend bool operator==(const PeerPolicy&, const PeerPolicy&) = default;
};

/// What a rule is evaluated against.
struct FilterInput {
  const IpPrefix& prefix;
  const bgp::wire::PathAttributes& attributes;
  bool from_peer = false;     // learned from a BGP peer (false: this node originates it)
  bool ebgp_session = false;  // the session the filter is attached to (import: from, export: to)
};

struct FilterVerdict {
  bool accept = true;
  /// The rule that decided, nullptr when none matched (default accept). Stable for as long as the
  /// chain lives: callers key caches on it (equal rule, equal operations).
  const FilterRule* rule = nullptr;
};

/// Whether `prefix` satisfies the rule's cidr, matchOperator and prefixLength. The set a rule
/// names is the prefixes inside cidr (Equal/NotEqual: cidr itself) whose length lies within
/// [min, max] (min defaults to cidr's length, max to 32/128); Equal/In match inside that set,
/// NotEqual/NotIn outside it — BIRD's `net ~ [cidr{min,max}]` and `net !~ ...`.
bool matches_prefix(const FilterRule& rule, const IpPrefix& prefix);

/// Whether every condition of `rule` holds for `input`.
bool matches(const FilterRule& rule, const FilterInput& input);

/// Runs the chain: first matching rule of the first filter that has one; default accept.
FilterVerdict evaluate(const FilterChain& chain, const FilterInput& input);

/// Applies an Accept rule's operations, in order, to `attributes`.
void apply_operations(const FilterRule& rule, bgp::wire::PathAttributes& attributes);

}  // namespace pinto::rib
