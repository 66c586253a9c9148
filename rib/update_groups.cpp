#include "rib/update_groups.h"

#include <algorithm>

namespace pinto::rib {

namespace {

using bgp::wire::AfiSafi;

void append(std::vector<UpdateChunk>& to, std::vector<UpdateChunk> from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

}  // namespace

UpdateGroups::Group& UpdateGroups::find_or_create(const ExportPolicy& policy,
                                                  const bgp::wire::EncodeContext& ctx) {
  for (auto& group : groups_) {
    if (group->out.policy() == policy && group->ctx == ctx) return *group;
  }
  groups_.push_back(std::make_unique<Group>(policy, ctx));
  return *groups_.back();
}

void UpdateGroups::remove_member(Group& group, PeerId peer) {
  std::erase(group.members, peer);
  member_of_.erase(peer);
  if (group.members.empty()) {
    std::erase_if(groups_, [&](const auto& g) { return g.get() == &group; });
  }
}

std::vector<UpdateChunk> UpdateGroups::join(PeerId peer, ExportPolicy policy,
                                            const bgp::wire::EncodeContext& ctx, const Rib& rib) {
  leave(peer);
  policy.peer = kLocalPeer;  // a group exports to all its members alike
  Group& group = find_or_create(policy, ctx);
  group.members.push_back(peer);
  member_of_[peer] = &group;
  std::vector<UpdateChunk> table;
  for (const AfiSafi family : families_of(group.out.policy()))
    append(table, group.out.dump(family, peer, rib, ctx));
  return table;
}

void UpdateGroups::leave(PeerId peer) {
  auto it = member_of_.find(peer);
  if (it != member_of_.end()) remove_member(*it->second, peer);
}

std::unordered_map<PeerId, std::vector<UpdateChunk>> UpdateGroups::sync(const RouteDelta& delta,
                                                                        const Rib& rib) {
  std::unordered_map<PeerId, std::vector<UpdateChunk>> out;
  for (auto& group : groups_) {
    const ExportBatch batch = group->out.sync(delta, rib, group->ctx);
    if (batch.chunks.empty() && batch.withdraw_for.empty()) continue;
    for (const PeerId member : group->members) {
      auto chunks = batch.for_member(member, group->ctx);
      if (!chunks.empty()) out[member] = std::move(chunks);
    }
  }
  return out;
}

std::vector<UpdateChunk> UpdateGroups::refresh(PeerId peer, AfiSafi family, const Rib& rib) const {
  auto it = member_of_.find(peer);
  if (it == member_of_.end()) return {};
  return it->second->out.dump(family, peer, rib, it->second->ctx);
}

std::vector<UpdateChunk> UpdateGroups::set_filters(PeerId peer, FilterChain filters,
                                                   const Rib& rib) {
  auto it = member_of_.find(peer);
  if (it == member_of_.end()) return {};
  Group& old = *it->second;
  if (old.out.policy().filters == filters) return {};
  ExportPolicy policy = old.out.policy();
  policy.filters = std::move(filters);
  const bgp::wire::EncodeContext ctx = old.ctx;
  Group& group = find_or_create(policy, ctx);
  // The peer holds what its old group exports; bring it to what the new one exports.
  std::vector<UpdateChunk> chunks = group.out.transition(old.out, peer, rib, ctx);
  remove_member(old, peer);  // may delete `old`
  group.members.push_back(peer);
  member_of_[peer] = &group;
  return chunks;
}

std::size_t UpdateGroups::advertised(PeerId peer, const Rib& rib) const {
  auto it = member_of_.find(peer);
  return it == member_of_.end() ? 0 : it->second->out.advertised(peer, rib, it->second->ctx);
}

std::vector<PeerId> UpdateGroups::group_of(PeerId peer) const {
  auto it = member_of_.find(peer);
  return it == member_of_.end() ? std::vector<PeerId>{} : it->second->members;
}

}  // namespace pinto::rib
