// Update groups: peers whose export policy (all of it but the peer itself) and encoding are the
// same share one Adj-RIB-Out, so a Loc-RIB change is exported and encoded once per group, not
// once per peer, and the members' write queues share the encoded bytes (FRR's update groups,
// BIRD's shared export of one channel configuration). A route reflector's clients form one group.
//
// Pure: no I/O. The speaker hands each member's chunks to its session.
#pragma once

#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "rib/adj_rib_out.h"

namespace pinto::rib {

class UpdateGroups {
 public:
  /// `peer` (Established) joins the group of its policy and encoding, made if there is none;
  /// returns the table it must get (every family the policy carries; End-of-RIB is the
  /// caller's).
  std::vector<UpdateChunk> join(PeerId peer, ExportPolicy policy,
                                const bgp::wire::EncodeContext& ctx, const Rib& rib);
  /// The peer went down: it leaves its group (an empty group goes).
  void leave(PeerId peer);
  bool contains(PeerId peer) const { return member_of_.contains(peer); }

  /// Every member's UPDATEs for a Loc-RIB change.
  std::unordered_map<PeerId, std::vector<UpdateChunk>> sync(const RouteDelta& delta,
                                                            const Rib& rib);
  /// What `peer` holds of `family`, again (ROUTE-REFRESH).
  std::vector<UpdateChunk> refresh(PeerId peer, bgp::wire::AfiSafi family, const Rib& rib) const;
  /// `peer`'s export filters changed: it moves to the group of its new policy; returns the
  /// UPDATEs that bring what it holds in line (no session reset).
  std::vector<UpdateChunk> set_filters(PeerId peer, FilterChain filters, const Rib& rib);

  /// Routes `peer` holds from us (a Loc-RIB walk after each change: for status, not hot paths).
  std::size_t advertised(PeerId peer, const Rib& rib) const;
  std::size_t group_count() const { return groups_.size(); }
  /// The members of `peer`'s group, itself included (introspection, tests).
  std::vector<PeerId> group_of(PeerId peer) const;

 private:
  struct Group {
    Group(ExportPolicy p, const bgp::wire::EncodeContext& c) : ctx(c), out(std::move(p)) {}
    bgp::wire::EncodeContext ctx;
    AdjRibOut out;
    std::vector<PeerId> members;
  };
  /// The group for `policy` (peer unset) and `ctx`, made if there is none.
  Group& find_or_create(const ExportPolicy& policy, const bgp::wire::EncodeContext& ctx);
  void remove_member(Group& group, PeerId peer);

  std::vector<std::unique_ptr<Group>> groups_;
  std::unordered_map<PeerId, Group*> member_of_;
};

}  // namespace pinto::rib
