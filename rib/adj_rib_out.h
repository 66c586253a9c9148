// Adj-RIB-Out (RFC 4271 §3.2): what we advertised to one peer, and the export rules that turn a
// Loc-RIB best path into the attributes that peer receives (§5.1: AS_PATH prepend and NEXT_HOP on
// eBGP, LOCAL_PREF on iBGP only, MED not passed between ASes; iBGP split horizon, relaxed by route
// reflection, RFC 4456 §6-§8).
//
// sync() looks only at the prefixes that changed and produces packed UPDATEs (prefixes with equal
// attributes share one message, BIRD's bucket idea) plus withdrawals. One AdjRibOut serves an
// update group (rib/update_groups.h): peers with the same export policy and encoding share its
// state and its encoded UPDATEs.
#pragma once

#include <boost/container/small_vector.hpp>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
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

/// The Adj-RIB-Out of an update group (the peers that get the same UPDATEs): what its members
/// hold from us, and the export that keeps them in line with the Loc-RIB. A group's policy has
/// `peer` unset (kLocalPeer): the routes a member sent us are still exported to the group, but
/// tagged with that member, who skips them (ExportBatch). With `peer` set it is one peer's
/// Adj-RIB-Out (sync() into bytes).
class AdjRibOut {
 public:
  explicit AdjRibOut(ExportPolicy policy) : policy_(std::move(policy)) {}

  /// Brings the members up to date for `changed`. With ADD-PATH towards the members (`ctx`)
  /// every path of a prefix that the export rules let through is sent, each with our path
  /// identifier (Path::export_id), not just the best one.
  ExportBatch sync(std::span<const IpPrefix> changed, const Rib& rib,
                   const bgp::wire::EncodeContext& ctx) {
    return export_changes(changed, rib, ctx, true);
  }
  /// One peer's form: appends the UPDATE messages for policy().peer to `out`; returns how many.
  std::size_t sync(std::span<const IpPrefix> changed, const Rib& rib,
                   const bgp::wire::EncodeContext& ctx, bgp::wire::Bytes& out);
  /// What a member holds of `family` (a member joining, ROUTE-REFRESH), as UPDATEs.
  std::vector<UpdateChunk> dump(bgp::wire::AfiSafi family, PeerId member,
                                const bgp::wire::EncodeContext& ctx) const;
  /// Brings `member`, which holds what `from` exported, in line with this Adj-RIB-Out (the
  /// member's export policy changed and it moved here).
  std::vector<UpdateChunk> transition(const AdjRibOut& from, PeerId member,
                                      const bgp::wire::EncodeContext& ctx) const;
  /// Records every Loc-RIB route of `family` as held, encoding nothing: a new group, whose
  /// members get dump() when they join.
  void fill(bgp::wire::AfiSafi family, const Rib& rib, const bgp::wire::EncodeContext& ctx);
  /// Routes `member` holds from us.
  std::size_t advertised(PeerId member) const;
  std::size_t advertised() const { return advertised(policy_.peer); }
  const ExportPolicy& policy() const { return policy_; }

 private:
  struct Sent {
    AttrRef attributes;
    PeerId source = kLocalPeer;  // whose route it is (that member does not hold it)
    std::uint32_t path_id = 0;   // ADD-PATH: ours for it; 0 without
  };
  /// Without ADD-PATH one path per prefix, so it is kept inline.
  using SentPaths = boost::container::small_vector<Sent, 1>;
  using SentTable = PrefixMap<SentPaths>;
  /// sync(); without `encoding` it only records what the members hold.
  ExportBatch export_changes(std::span<const IpPrefix> changed, const Rib& rib,
                             const bgp::wire::EncodeContext& ctx, bool encoding);
  /// Replaces what the members hold of `prefix` (empty: nothing), keeping the counts; `held` is
  /// its entry in sent_, when it has one.
  void record(const IpPrefix& prefix, SentPaths* held, SentPaths paths);

  ExportPolicy policy_;
  AttrPool pool_;  // the exported attribute sets: equal ones are one, so they pack together
  /// What the members hold; prefixes sent together share one attribute set.
  SentTable sent_;
  std::size_t paths_ = 0;  // entries over all of sent_
  /// How many of sent_'s paths came from each peer (advertised()).
  std::unordered_map<PeerId, std::size_t> sourced_;
};

}  // namespace pinto::rib
