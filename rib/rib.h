// The RIB: Adj-RIB-In for every peer and the Loc-RIB chosen from them (RFC 4271 §3.2, §9.1).
//
// Owned by the routing thread; pure data, no I/O. Every mutation returns a RouteDelta: the
// prefixes whose best path changed, which the update groups and the FIB consume, and the paths
// those prefixes had before (what the peers were told: nothing per route is kept for the export
// side, see rib/adj_rib_out.h). Work is O(changed prefixes), except "everything from this peer"
// (the peer went, restarted or marked stale), which walks the table like BIRD's channel flush: no
// per-route index to pay for. Those bulk changes hand their delta over in slices (DeltaSink), so
// a million withdrawn routes never sit in one delta.
//
// Graceful restart (RFC 4724, helper side) is mark_stale() when the peer goes away and
// sweep_stale() after its End-of-RIB or when its restart time runs out.
//
// Import policy (BGPPeer filters, numAllowedLocalASNumbers) is applied in apply(): the
// Adj-RIB-In holds routes post-policy, a rejected route is as good as withdrawn. A policy change
// takes effect on the routes the peer sends next; the speaker asks it to send them all again
// (ROUTE-REFRESH, RFC 2918).
#pragma once

#include <boost/container/small_vector.hpp>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "bgp/wire/message.h"
#include "rib/attr_pool.h"
#include "rib/decision.h"
#include "rib/prefix_trie.h"
#include "rib/rib_entry.h"
#include "rib/route.h"
#include "rib/route_filter.h"

namespace pinto::rib {

/// A prefix's paths before a delta changed them: what the export had made of them is what the
/// peers hold, so the update groups diff against it instead of storing an Adj-RIB-Out.
struct PriorPaths {
  IpPrefix prefix;
  boost::container::small_vector<Path, 1> paths;  // empty: the prefix had none
  int best = -1;                                  // index into paths
};

struct RouteDelta {
  std::vector<IpPrefix> changed;  // best path replaced, appeared or gone
  /// Best path unchanged, but another path of the prefix came, went or changed: its set of
  /// equal-cost paths (ECMP, multipath()) and its ADD-PATH export may differ.
  std::vector<IpPrefix> alternatives_changed;
  /// Every prefix of `changed` and `alternatives_changed` as it was before, in the order they
  /// were first touched. A prefix touched twice in a row is recorded once; one touched again
  /// later in a merged delta appears twice (the export then repeats itself, harmlessly).
  std::vector<PriorPaths> prior;
  /// Peers removed by this change (remove_peer()): their paths in `prior` still need their
  /// PeerInfo to be exported as they were.
  std::vector<PeerInfo> departed;

  void merge(RouteDelta&& other) {
    auto append = [](auto& to, auto& from) {
      to.insert(to.end(), std::make_move_iterator(from.begin()),
                std::make_move_iterator(from.end()));
    };
    append(changed, other.changed);
    append(alternatives_changed, other.alternatives_changed);
    append(prior, other.prior);
    append(departed, other.departed);
  }
  bool empty() const { return changed.empty() && alternatives_changed.empty(); }
  /// The PeerInfo of a departed peer, or nullptr.
  const PeerInfo* departed_peer(PeerId id) const {
    for (const PeerInfo& p : departed) {
      if (p.id == id) return &p;
    }
    return nullptr;
  }
};

/// Takes the slices of a bulk change (see Rib), in order. The slice may be moved from.
using DeltaSink = std::function<void(RouteDelta&)>;

/// Why a received route was refused as a loop (RFC 4271 §9.1.2, RFC 4456 §8).
enum class Loop : std::uint8_t {
  None,
  AsPath,        // our AS is in its AS_PATH
  OriginatorId,  // its ORIGINATOR_ID is our router id: it started here
  ClusterList,   // our cluster ID is in its CLUSTER_LIST: it was reflected by our cluster
};

std::string to_string(Loop loop);

class Rib {
 public:
  /// `local_as`, `router_id` and, on a route reflector, `cluster_id` drive loop detection on
  /// import (AS_PATH, ORIGINATOR_ID, CLUSTER_LIST).
  Rib(std::uint32_t local_as, std::uint32_t router_id,
      std::optional<std::uint32_t> cluster_id = std::nullopt)
      : local_as_(local_as), router_id_(router_id), cluster_id_(cluster_id) {}

  /// Whether a route with these attributes, received from `from`, came back to us, and how we can
  /// tell (our AS may appear as often as the peer's numAllowedLocalASNumbers allows). Routes
  /// that did are treated as withdrawn by apply(); the speaker calls this first to log them.
  Loop loop_of(const bgp::wire::PathAttributes& attributes, PeerId from = kLocalPeer) const;

  void set_peer(const PeerInfo& info);
  /// The import side of `peer`'s policy (its import filters and allowas-in count); kept until
  /// remove_peer(), across session restarts. Routes already held are not re-evaluated.
  void set_import_policy(PeerId peer, FilterChain filters, std::uint32_t allowed_local_as);
  /// Forgets the peer and every route it sent. With a `sink`, the delta goes there in slices
  /// of at most kSlice prefixes and what is returned is empty (the same for the bulk changes
  /// below).
  RouteDelta remove_peer(PeerId peer, const DeltaSink& sink = {});
  static constexpr std::size_t kSlice = 4096;

  /// Applies one UPDATE from `peer`: withdrawals, then announcements (all withdrawn instead when
  /// RFC 7606 says treat-as-withdraw). Looped routes (see loop_of()) are treated as withdrawn
  /// (RFC 4271 §9.1.2, RFC 4456 §8).
  RouteDelta apply(PeerId peer, const bgp::wire::Update& update);

  RouteDelta withdraw_all(PeerId peer, const DeltaSink& sink = {});
  RouteDelta withdraw_all(PeerId peer, bgp::wire::AfiSafi family, const DeltaSink& sink = {});
  /// Marks every route of `peer` in `family` stale; they stay usable until swept.
  RouteDelta mark_stale(PeerId peer, bgp::wire::AfiSafi family, const DeltaSink& sink = {});
  /// Removes the routes of `peer` in `family` that are still stale.
  RouteDelta sweep_stale(PeerId peer, bgp::wire::AfiSafi family, const DeltaSink& sink = {});

  /// A route of this node. `next_hop` unspecified: this node itself (next-hop-self on export);
  /// set: a third-party next hop, kept towards iBGP peers (routes injected through the API).
  RouteDelta originate(const IpPrefix& prefix, AttrRef attributes, IpAddress next_hop = {});
  RouteDelta withdraw_originated(const IpPrefix& prefix);

  const Path* best(const IpPrefix& prefix) const;
  /// A prefix's paths and the index of the best (-1: none usable); no paths when absent.
  struct PathsView {
    std::span<const Path> paths;
    int best = -1;
  };
  PathsView view(const IpPrefix& prefix) const;
  /// Every path of `prefix` (ADD-PATH export); empty when there is none.
  std::span<const Path> paths(const IpPrefix& prefix) const;
  /// ECMP: the best path first, then the other paths that tie with it on every step of the
  /// decision process before the tie-breakers (router id, CLUSTER_LIST length, peer address),
  /// at most `max_paths` in all. Empty when the prefix has no usable path.
  std::vector<const Path*> multipath(const IpPrefix& prefix, std::size_t max_paths) const;
  const PeerInfo* peer(PeerId id) const;
  /// ADD-PATH: our identifier for `path` when we pass it on (the peer's id for a path received
  /// without ADD-PATH, a number of our own for each (peer, identifier) otherwise). Also for the
  /// paths of a peer just removed, until the next peer is removed.
  std::uint32_t export_id(const Path& path) const;
  std::size_t path_count(PeerId peer) const;
  std::size_t stale_count(PeerId peer) const;
  std::size_t prefix_count() const { return table_.size(); }
  void for_each_best(const std::function<void(const IpPrefix&, const Path&)>& f) const;
  /// Every prefix of one family with all its paths and the index of the best (-1: none), in
  /// address order (the export's table walks).
  void for_each_entry(
      bgp::wire::AfiSafi family,
      const std::function<void(const IpPrefix&, std::span<const Path>, int best)>& f) const;
  /// Every path of every prefix, with whether it is the best (listings, `explain`).
  void for_each_path(const std::function<void(const IpPrefix&, const Path&, bool best)>& f) const;

 private:
  using Entry = RibEntry;

  void upsert(PeerId peer, const IpPrefix& prefix, const AttrRef& attributes, std::uint32_t path_id,
              RouteDelta& delta);
  /// Which of a peer's paths of a prefix remove() takes: one ADD-PATH identifier or all; only
  /// the stale ones or all.
  struct PathSelection {
    std::optional<std::uint32_t> path_id;
    bool stale_only = false;
  };
  void remove(PeerId peer, const IpPrefix& prefix, RouteDelta& delta, PathSelection which);
  std::uint32_t export_path_id(PeerId peer, std::uint32_t path_id);
  /// The prefixes `peer` sent, optionally of one family, optionally only the stale ones.
  std::vector<IpPrefix> prefixes_of(PeerId peer, std::optional<bgp::wire::AfiSafi> family,
                                    bool stale_only) const;
  RouteDelta remove_all(PeerId peer, const std::vector<IpPrefix>& prefixes, bool stale_only,
                        const DeltaSink& sink);
  /// Records `entry` (of `prefix`) as it is now in delta.prior, unless the last record is of
  /// the same prefix; call before changing it.
  static void record_prior(const IpPrefix& prefix, const Entry& entry, RouteDelta& delta);
  /// Hands `delta` to `sink` when it holds kSlice prefixes (or `last`), and clears it.
  static void flush(RouteDelta& delta, const DeltaSink& sink, bool last);
  /// Re-runs the decision for one prefix.
  void decide(Entry& entry) const;
  static std::optional<Path> best_of(const Entry& entry);

  std::uint32_t local_as_;
  std::uint32_t router_id_;
  std::optional<std::uint32_t> cluster_id_;
  /// Every stored route's attributes, interned: routes with equal attributes share one set.
  AttrPool attribute_pool_;
  PrefixMap<Entry> table_;
  std::unordered_map<PeerId, PeerInfo> peers_;
  std::unordered_map<PeerId, std::size_t> path_counts_;  // paths each peer has in table_
  /// ADD-PATH: our path identifier for each (peer, its identifier); ids above every PeerId.
  std::map<std::pair<PeerId, std::uint32_t>, std::uint32_t> export_ids_;
  std::map<std::pair<PeerId, std::uint32_t>, std::uint32_t> retired_export_ids_;
  std::uint32_t next_export_id_ = 0x80000000u;
  struct ImportPolicy {
    FilterChain filters;
    std::uint32_t allowed_local_as = 0;
  };
  std::unordered_map<PeerId, ImportPolicy> import_;
};

}  // namespace pinto::rib
