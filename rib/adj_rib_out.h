// Adj-RIB-Out (RFC 4271 §3.2): what we advertised to one peer, and the export rules that turn a
// Loc-RIB best path into the attributes that peer receives (§5.1: AS_PATH prepend and NEXT_HOP on
// eBGP, LOCAL_PREF on iBGP only, MED not passed between ASes; iBGP split horizon, relaxed by route
// reflection, RFC 4456 §6-§8).
//
// sync() looks only at the prefixes that changed and appends packed UPDATEs (prefixes with equal
// attributes share one message, BIRD's bucket idea) plus withdrawals. The RIB issue adds update
// groups, so peers with the same policy share one encoding.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>

#include "bgp/wire/message.h"
#include "rib/rib.h"
#include "rib/route_filter.h"

namespace pinto::rib {

enum class NextHopPolicy : std::uint8_t {
  Auto,  // eBGP: next-hop-self; iBGP: unchanged (our address for our own prefixes)
  Self,  // always our address
  Keep,  // never rewritten (our own prefixes still carry our address)
};

struct ExportPolicy {
  PeerId peer = kLocalPeer;
  bool ebgp = false;
  std::uint32_t local_as = 0;
  std::uint32_t peer_as = 0;
  NextHopPolicy next_hop = NextHopPolicy::Auto;
  std::optional<IpAddress> next_hop_ipv4;  // "self" per family
  std::optional<IpAddress> next_hop_ipv6;
  bool ipv4_unicast = true;
  bool ipv6_unicast = true;
  /// Route reflection (RFC 4456): set when this node reflects (its Node's
  /// routeReflectorClusterID, as a host-order number), and whether this peer is a client.
  std::optional<std::uint32_t> cluster_id;
  bool route_reflector_client = false;
  /// BGPPeer.spec.filters, export side: evaluated on the Loc-RIB route before the rules above
  /// change it (BIRD's export filter runs before the protocol prepends our AS).
  FilterChain filters;
};

/// The attributes `best` is advertised with to the peer of `policy`, or nullopt when it is not
/// advertised there at all. IPv6 prefixes carry their next hop in `mp_reach` (family and next hop
/// only; the encoder adds the NLRI).
std::optional<bgp::wire::PathAttributes> export_attributes(const IpPrefix& prefix, const Path& best,
                                                           const PeerInfo& source,
                                                           const ExportPolicy& policy);
/// The same, with the export filters' verdict for this route already known.
std::optional<bgp::wire::PathAttributes> export_attributes(const IpPrefix& prefix, const Path& best,
                                                           const PeerInfo& source,
                                                           const ExportPolicy& policy,
                                                           const FilterVerdict& verdict);

class AdjRibOut {
 public:
  explicit AdjRibOut(ExportPolicy policy) : policy_(std::move(policy)) {}

  /// Brings the peer up to date for `changed`; appends UPDATE messages to `out`. Returns the
  /// number of messages.
  std::size_t sync(std::span<const IpPrefix> changed, const Rib& rib,
                   const bgp::wire::EncodeContext& ctx, bgp::wire::Bytes& out);
  /// Advertises every Loc-RIB route of `family` again (initial table, ROUTE-REFRESH): forgets
  /// what was sent for the family first.
  std::size_t resend(bgp::wire::AfiSafi family, const Rib& rib, const bgp::wire::EncodeContext& ctx,
                     bgp::wire::Bytes& out);
  /// Replaces the export filters and brings the peer in line with them: announces what they now
  /// let through, withdraws what they now reject, re-announces what they change (no session
  /// reset). Returns the number of messages appended to `out`.
  std::size_t set_filters(FilterChain filters, const Rib& rib, const bgp::wire::EncodeContext& ctx,
                          bgp::wire::Bytes& out);
  void clear() { sent_.clear(); }
  std::size_t advertised() const { return sent_.size(); }
  const ExportPolicy& policy() const { return policy_; }

 private:
  ExportPolicy policy_;
  /// What the peer has from us; prefixes sent together share one attribute set.
  std::unordered_map<IpPrefix, std::shared_ptr<const bgp::wire::PathAttributes>> sent_;
};

}  // namespace pinto::rib
