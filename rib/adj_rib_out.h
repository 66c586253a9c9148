// Adj-RIB-Out (RFC 4271 §3.2): what we advertised to one peer, and the export rules that turn a
// Loc-RIB best path into the attributes that peer receives (§5.1: AS_PATH prepend and NEXT_HOP on
// eBGP, LOCAL_PREF on iBGP only, MED not passed between ASes; iBGP split horizon, relaxed by route
// reflection, RFC 4456 §6-§8).
//
// sync() looks only at the prefixes that changed and produces packed UPDATEs (prefixes with equal
// attributes share one message, BIRD's bucket idea) plus withdrawals. One AdjRibOut serves an
// update group (rib/update_groups.h): peers with the same export policy and encoding share its
// encoded UPDATEs.
//
// NOTE Memory
//   Nothing is stored per route: what the members hold is the Loc-RIB seen through the export
//   policy (BIRD without `export table`). A change carries the paths its prefixes had before
//   (RouteDelta::prior); exporting those again tells what the members were sent, and the
//   difference is what goes out. A million routes reflected to any number of groups cost the
//   Loc-RIB alone. The price: dump(), transition() and advertised() walk the Loc-RIB.
#pragma once

#include <boost/container/small_vector.hpp>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "bgp/wire/message.h"
#include "rib/attr_pool.h"
#include "rib/prefix_trie.h"
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

  friend bool operator==(const ExportPolicy&, const ExportPolicy&) = default;
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

/// The families `policy` carries.
std::vector<bgp::wire::AfiSafi> families_of(const ExportPolicy& policy);

/// UPDATE bytes for the members of an update group. `skip`: the member that must not get them
/// (they carry routes it sent us: split horizon), kLocalPeer when every member gets them.
struct UpdateChunk {
  std::shared_ptr<const bgp::wire::Bytes> bytes;
  std::size_t messages = 0;
  PeerId skip = kLocalPeer;
};

/// What one sync() produced: chunks for the members, and withdrawals owed to single members
/// (a member's own route became best where it held another peer's: it must drop that one).
struct ExportBatch {
  std::vector<UpdateChunk> chunks;
  std::unordered_map<PeerId, std::vector<bgp::wire::Nlri>> withdraw_for;

  /// Everything member `peer` gets, in order; withdrawals owed to it are encoded with `ctx`.
  std::vector<UpdateChunk> for_member(PeerId peer, const bgp::wire::EncodeContext& ctx) const;
};

/// The Adj-RIB-Out of an update group (the peers that get the same UPDATEs): the export that
/// keeps its members in line with the Loc-RIB. A group's policy has `peer` unset (kLocalPeer):
/// the routes a member sent us are still exported to the group, but tagged with that member,
/// who skips them (ExportBatch). With `peer` set it is one peer's Adj-RIB-Out (sync() into
/// bytes).
///
/// With ADD-PATH towards the members (`ctx`) every path of a prefix that the export rules let
/// through is sent, each with our path identifier (Rib::export_id()), not just the best one.
class AdjRibOut {
 public:
  explicit AdjRibOut(ExportPolicy policy) : policy_(std::move(policy)) {}

  /// Brings the members up to date for a Loc-RIB change (its prefixes' prior paths against
  /// their paths now).
  ExportBatch sync(const RouteDelta& delta, const Rib& rib, const bgp::wire::EncodeContext& ctx);
  /// One peer's form: appends the UPDATE messages for policy().peer to `out`; returns how many.
  std::size_t sync(const RouteDelta& delta, const Rib& rib, const bgp::wire::EncodeContext& ctx,
                   bgp::wire::Bytes& out);
  /// What a member holds of `family` (a member joining, ROUTE-REFRESH), as UPDATEs.
  std::vector<UpdateChunk> dump(bgp::wire::AfiSafi family, PeerId member, const Rib& rib,
                                const bgp::wire::EncodeContext& ctx) const;
  /// Brings `member`, which holds what `from` exports, in line with this one (the member's
  /// export policy changed and it moves here).
  std::vector<UpdateChunk> transition(const AdjRibOut& from, PeerId member, const Rib& rib,
                                      const bgp::wire::EncodeContext& ctx) const;
  /// Routes `member` holds from us (a walk of the Loc-RIB, remembered until the next change).
  std::size_t advertised(PeerId member, const Rib& rib, const bgp::wire::EncodeContext& ctx) const;
  std::size_t advertised(const Rib& rib, const bgp::wire::EncodeContext& ctx = {}) const {
    return advertised(policy_.peer, rib, ctx);
  }
  const ExportPolicy& policy() const { return policy_; }

 private:
  ExportPolicy policy_;
  /// The exported attribute sets of one operation: equal ones are one, so they pack together.
  mutable AttrPool pool_;
  /// advertised(): exported paths in all, and how many of them came from each peer.
  struct Counts {
    std::size_t total = 0;
    std::unordered_map<PeerId, std::size_t> by_source;
  };
  mutable std::optional<Counts> counts_;
};

}  // namespace pinto::rib
