#include "rib/rib.h"

#include <algorithm>

namespace pinto::rib {

// What an IPv4 route costs in the Loc-RIB's trie: a 24-byte leaf (the entry, holding the key) and
// at most one 16-byte branch point (docs/benchmarks.md, route reflector memory).
static_assert(sizeof(void*) != 8 || detail::BasicTrie<detail::V4Key, RibEntry>::leaf_bytes() == 24);
static_assert(detail::BasicTrie<detail::V4Key, RibEntry>::branch_bytes() == 16);

namespace {

using bgp::wire::AfiSafi;
using bgp::wire::PathAttributes;

bool in_family(const IpPrefix& prefix, AfiSafi family) {
  return prefix.address().is_v4() == (family == AfiSafi::ipv4_unicast());
}

// Whether two best paths forward and advertise alike (a stale flag alone changes neither).
bool same_route(const Path& a, const Path& b) {
  return a.peer == b.peer && a.path_id == b.path_id &&
         (a.attributes == b.attributes || *a.attributes == *b.attributes);
}

bool same_best(const std::optional<Path>& a, const std::optional<Path>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || same_route(*a, *b);
}

// Takes back what record_prior() added since delta.prior held `recorded` entries.
void drop_prior_since(RouteDelta& delta, std::size_t recorded) {
  delta.prior.erase(delta.prior.begin() + static_cast<std::ptrdiff_t>(recorded), delta.prior.end());
}

const PeerInfo kLocalInfo{kLocalPeer, false, 0, 0, IpAddress{}};

std::size_t occurrences(const bgp::wire::AsPath& path, std::uint32_t asn) {
  std::size_t n = 0;
  for (const auto& segment : path.segments) {
    n += static_cast<std::size_t>(std::count(segment.asns.begin(), segment.asns.end(), asn));
  }
  return n;
}

}  // namespace

void Rib::set_peer(const PeerInfo& info) {
  peers_[info.id] = info;
}

void Rib::set_import_policy(PeerId peer, FilterChain filters, std::uint32_t allowed_local_as) {
  if (filters.empty() && allowed_local_as == 0) {
    import_.erase(peer);
    return;
  }
  import_[peer] = ImportPolicy{std::move(filters), allowed_local_as};
}

RouteDelta Rib::remove_peer(PeerId peer, const DeltaSink& sink) {
  // The export of the routes going needs the peer as it was: it travels with the delta, in
  // every slice (the last one may carry no prefix at all).
  const PeerInfo* info = this->peer(peer);
  const std::optional<PeerInfo> departed =
      info != nullptr && peer != kLocalPeer ? std::optional(*info) : std::nullopt;
  DeltaSink tagged;
  if (sink && departed) {
    tagged = [&](RouteDelta& slice) {
      slice.departed.push_back(*departed);
      sink(slice);
    };
  }
  RouteDelta delta = withdraw_all(peer, tagged ? tagged : sink);
  if (departed && !sink) delta.departed.push_back(*departed);
  peers_.erase(peer);
  path_counts_.erase(peer);
  // The delta's paths of this peer still need our identifiers for them until it is exported:
  // they stay resolvable until the next removal of a peer.
  retired_export_ids_.clear();
  for (auto it = export_ids_.begin(); it != export_ids_.end();) {
    if (it->first.first == peer) {
      retired_export_ids_.insert(export_ids_.extract(it++));
    } else {
      ++it;
    }
  }
  import_.erase(peer);
  return delta;
}

const PeerInfo* Rib::peer(PeerId id) const {
  if (id == kLocalPeer) return &kLocalInfo;
  auto it = peers_.find(id);
  return it == peers_.end() ? nullptr : &it->second;
}

Loop Rib::loop_of(const PathAttributes& a, PeerId from) const {
  if (a.as_path && a.as_path->contains(local_as_)) {
    // allowas-in: a peer that is allowed our AS N times (Calico's numAllowedLocalASNumbers,
    // BIRD's `allow local as N`) may send paths holding it up to N times.
    const auto policy = import_.find(from);
    if (policy == import_.end() ||
        occurrences(*a.as_path, local_as_) > policy->second.allowed_local_as)
      return Loop::AsPath;
  }
  // RFC 4456 §8: any speaker drops its own route reflected back; a reflector also drops what its
  // cluster already reflected (the ID in the list), which would otherwise circle between
  // reflectors of one cluster.
  if (a.originator_id && *a.originator_id == router_id_) return Loop::OriginatorId;
  if (cluster_id_ && std::find(a.cluster_list.begin(), a.cluster_list.end(), *cluster_id_) !=
                         a.cluster_list.end()) {
    return Loop::ClusterList;
  }
  return Loop::None;
}

std::string to_string(Loop loop) {
  switch (loop) {
    case Loop::None: return "no loop";
    case Loop::AsPath: return "our AS in AS_PATH";
    case Loop::OriginatorId: return "ORIGINATOR_ID is our router id";
    case Loop::ClusterList: return "our cluster ID in CLUSTER_LIST";
  }
  return "?";
}

RouteDelta Rib::apply(PeerId peer, const bgp::wire::Update& update) {
  RouteDelta delta;
  // Room for every prefix the UPDATE names, so that a full UPDATE's ~800 do not regrow these.
  const std::size_t named =
      update.withdrawn.size() + update.nlri.size() +
      (update.attributes.mp_unreach ? update.attributes.mp_unreach->withdrawn.size() : 0) +
      (update.attributes.mp_reach ? update.attributes.mp_reach->nlri.size() : 0);
  delta.prior.reserve(named);
  delta.changed.reserve(named);
  for (const auto& n : update.withdrawn) remove(peer, n.prefix, delta, {n.path_id});
  if (update.attributes.mp_unreach) {
    for (const auto& n : update.attributes.mp_unreach->withdrawn)
      remove(peer, n.prefix, delta, {n.path_id});
  }

  const bool withdraw =
      update.treat_as_withdraw() || loop_of(update.attributes, peer) != Loop::None;
  // One shared attribute set for the UPDATE's NLRI and one for its MP_REACH_NLRI prefixes (the
  // next hop is part of the set), without the NLRI-carrying fields.
  AttrRef shared;
  AttrRef shared_mp;
  if (!withdraw && !update.nlri.empty() && update.attributes.next_hop) {
    PathAttributes stored = update.attributes;
    stored.mp_reach.reset();
    stored.mp_unreach.reset();
    shared = attribute_pool_.intern(std::move(stored));
  }
  if (!withdraw && update.attributes.mp_reach && !update.attributes.mp_reach->nlri.empty()) {
    PathAttributes stored = update.attributes;
    stored.next_hop = update.attributes.mp_reach->next_hop;
    stored.mp_reach.reset();
    stored.mp_unreach.reset();
    shared_mp = attribute_pool_.intern(std::move(stored));
  }
  // Import policy, per prefix: a rejected route is treated as withdrawn (it may replace an
  // accepted one). Prefixes that an Accept rule changes share one attribute set per rule.
  const auto policy = import_.find(peer);
  const FilterChain* filters = policy != import_.end() && !policy->second.filters.empty()
                                   ? &policy->second.filters
                                   : nullptr;
  const PeerInfo* source = this->peer(peer);
  std::map<std::pair<const FilterRule*, const PathAttributes*>, AttrRef> modified;
  auto accept = [&](const bgp::wire::Nlri& n, const AttrRef& attributes) {
    const IpPrefix& prefix = n.prefix;
    if (filters == nullptr) return upsert(peer, prefix, attributes, n.path_id, delta);
    const FilterVerdict verdict =
        evaluate(*filters, {prefix, *attributes, true, source != nullptr && source->ebgp});
    if (!verdict.accept) return remove(peer, prefix, delta, {n.path_id});
    if (verdict.rule == nullptr || verdict.rule->operations.empty())
      return upsert(peer, prefix, attributes, n.path_id, delta);
    AttrRef& changed = modified[{verdict.rule, attributes.get()}];
    if (!changed) {
      PathAttributes copy = *attributes;
      apply_operations(*verdict.rule, copy);
      changed = attribute_pool_.intern(std::move(copy));
    }
    upsert(peer, prefix, changed, n.path_id, delta);
  };
  for (const auto& n : update.nlri) {
    if (shared) {
      accept(n, shared);
    } else {
      remove(peer, n.prefix, delta, {n.path_id});
    }
  }
  if (const auto& reach = update.attributes.mp_reach) {
    for (const auto& n : reach->nlri) {
      if (shared_mp) {
        accept(n, shared_mp);
      } else {
        remove(peer, n.prefix, delta, {n.path_id});
      }
    }
  }
  return delta;
}

std::uint32_t Rib::export_path_id(PeerId peer, std::uint32_t path_id) {
  // Without ADD-PATH from the peer it has one path per prefix: its peer id tells it apart. With
  // it, each (peer, identifier) gets a number of its own above every peer id.
  if (path_id == 0) return peer;
  auto [it, inserted] = export_ids_.try_emplace({peer, path_id}, next_export_id_);
  if (inserted) ++next_export_id_;
  return it->second;
}

std::uint32_t Rib::export_id(const Path& path) const {
  if (path.path_id == 0) return path.peer;
  const std::pair<PeerId, std::uint32_t> key{path.peer, path.path_id};
  if (auto it = export_ids_.find(key); it != export_ids_.end()) return it->second;
  if (auto it = retired_export_ids_.find(key); it != retired_export_ids_.end()) return it->second;
  return path.peer;  // not a path of this RIB
}

void Rib::upsert(PeerId peer, const IpPrefix& prefix, const AttrRef& attributes,
                 std::uint32_t path_id, RouteDelta& delta) {
  Entry& entry = *table_.insert(prefix).first;
  export_path_id(peer, path_id);  // numbered on arrival: stable while the path lives
  Path path{.peer = peer, .path_id = path_id, .attributes = attributes};
  auto it = std::find_if(entry.begin(), entry.end(),
                         [&](const Path& p) { return p.peer == peer && p.path_id == path_id; });
  if (it != entry.end() && same_route(*it, path) && !it->stale) return;
  // Taken before the change, kept only if the change shows (a re-sent stale path is fresh
  // again, and nobody needs to hear of that).
  const std::optional<Path> before = best_of(entry);
  const std::size_t recorded = delta.prior.size();
  record_prior(prefix, entry, delta);
  if (it != entry.end()) {
    *it = std::move(path);
  } else {
    entry.push_back(std::move(path));
    ++path_counts_[peer];
  }
  decide(entry);
  if (!same_best(before, best_of(entry))) {
    delta.changed.push_back(prefix);
  } else if (entry.size() > 1) {
    delta.alternatives_changed.push_back(prefix);
  } else {
    drop_prior_since(delta, recorded);
  }
}

void Rib::record_prior(const IpPrefix& prefix, const Entry& entry, RouteDelta& delta) {
  if (!delta.prior.empty() && delta.prior.back().prefix == prefix) return;
  delta.prior.push_back(PriorPaths{prefix, {entry.begin(), entry.end()}, entry.best});
}

void Rib::flush(RouteDelta& delta, const DeltaSink& sink, bool last) {
  if (!sink || (!last && delta.changed.size() + delta.alternatives_changed.size() < kSlice)) return;
  if (!delta.empty() || !delta.departed.empty()) sink(delta);
  delta = RouteDelta{};
}

void Rib::remove(PeerId peer, const IpPrefix& prefix, RouteDelta& delta, PathSelection which) {
  auto selected = [&](const Path& p) {
    return p.peer == peer && (!which.path_id || p.path_id == *which.path_id) &&
           (!which.stale_only || p.stale);
  };
  // One descent: the entry is changed in place and erased with its last path.
  table_.erase_if(prefix, [&](Entry& entry) {
    if (std::none_of(entry.begin(), entry.end(), selected)) return false;
    const std::optional<Path> before = best_of(entry);
    const std::size_t recorded = delta.prior.size();
    record_prior(prefix, entry, delta);
    const std::size_t removed = entry.remove_if(selected);
    if (auto count = path_counts_.find(peer); count != path_counts_.end()) {
      count->second -= std::min(count->second, removed);
      if (count->second == 0) path_counts_.erase(count);
    }
    decide(entry);
    const bool changed = !same_best(before, best_of(entry));
    if (changed) {
      delta.changed.push_back(prefix);
    } else if (!entry.empty()) {
      delta.alternatives_changed.push_back(prefix);
    } else {
      drop_prior_since(delta, recorded);  // nothing usable went (unusable paths only)
    }
    return entry.empty();
  });
}

std::optional<Path> Rib::best_of(const Entry& entry) {
  if (entry.best < 0) return std::nullopt;
  return entry[static_cast<std::size_t>(entry.best)];
}

void Rib::decide(Entry& entry) const {
  int best = -1;
  for (std::size_t i = 0; i < entry.size(); ++i) {
    const Path& p = entry[i];
    const PeerInfo* source = peer(p.peer);
    if (source == nullptr) continue;
    if (best >= 0) {
      const Path& incumbent = entry[static_cast<std::size_t>(best)];
      if (!compare({&p, source}, {&incumbent, peer(incumbent.peer)}).first_wins) continue;
    }
    best = static_cast<int>(i);
  }
  entry.best = static_cast<std::int16_t>(best);
}

std::vector<IpPrefix> Rib::prefixes_of(PeerId peer, std::optional<AfiSafi> family,
                                       bool stale_only) const {
  // A walk of the whole table, as BIRD's on a channel flush: it runs when a peer goes or
  // restarts, and a per-peer index would cost memory on every route for it.
  std::vector<IpPrefix> out;
  if (!path_counts_.contains(peer)) return out;
  table_.for_each([&](const IpPrefix& prefix, const Entry& entry) {
    if (family && !in_family(prefix, *family)) return;
    const bool has = std::any_of(entry.begin(), entry.end(), [&](const Path& p) {
      return p.peer == peer && (!stale_only || p.stale);
    });
    if (has) out.push_back(prefix);
  });
  return out;
}

RouteDelta Rib::remove_all(PeerId peer, const std::vector<IpPrefix>& prefixes, bool stale_only,
                           const DeltaSink& sink) {
  RouteDelta delta;
  for (const auto& p : prefixes) {
    remove(peer, p, delta, {std::nullopt, stale_only});
    flush(delta, sink, false);
  }
  flush(delta, sink, true);
  return delta;
}

RouteDelta Rib::withdraw_all(PeerId peer, const DeltaSink& sink) {
  return remove_all(peer, prefixes_of(peer, std::nullopt, false), false, sink);
}

RouteDelta Rib::withdraw_all(PeerId peer, AfiSafi family, const DeltaSink& sink) {
  return remove_all(peer, prefixes_of(peer, family, false), false, sink);
}

RouteDelta Rib::mark_stale(PeerId peer, AfiSafi family, const DeltaSink& sink) {
  RouteDelta delta;
  for (const IpPrefix& prefix : prefixes_of(peer, family, false)) {
    Entry& entry = *table_.find(prefix);
    const std::optional<Path> before = best_of(entry);
    const std::size_t recorded = delta.prior.size();
    record_prior(prefix, entry, delta);
    for (auto& p : entry) {
      if (p.peer == peer) p.stale = true;
    }
    decide(entry);  // a fresh path from another peer now beats the stale one
    if (!same_best(before, best_of(entry))) {
      delta.changed.push_back(prefix);
      flush(delta, sink, false);
    } else {
      drop_prior_since(delta, recorded);
    }
  }
  flush(delta, sink, true);
  return delta;
}

RouteDelta Rib::sweep_stale(PeerId peer, AfiSafi family, const DeltaSink& sink) {
  return remove_all(peer, prefixes_of(peer, family, true), true, sink);
}

RouteDelta Rib::originate(const IpPrefix& prefix, AttrRef attributes, IpAddress next_hop) {
  RouteDelta delta;
  upsert(kLocalPeer, prefix, attribute_pool_.intern(with_next_hop(attributes, next_hop)), 0, delta);
  return delta;
}

RouteDelta Rib::withdraw_originated(const IpPrefix& prefix) {
  RouteDelta delta;
  remove(kLocalPeer, prefix, delta, {});
  return delta;
}

const Path* Rib::best(const IpPrefix& prefix) const {
  const Entry* entry = table_.find(prefix);
  if (entry == nullptr || entry->best < 0) return nullptr;
  return &(*entry)[static_cast<std::size_t>(entry->best)];
}

Rib::PathsView Rib::view(const IpPrefix& prefix) const {
  const Entry* entry = table_.find(prefix);
  if (entry == nullptr) return {};
  return {entry->paths(), entry->best};
}

std::span<const Path> Rib::paths(const IpPrefix& prefix) const {
  return view(prefix).paths;
}

std::vector<const Path*> Rib::multipath(const IpPrefix& prefix, std::size_t max_paths) const {
  std::vector<const Path*> out;
  const Entry* found = table_.find(prefix);
  if (found == nullptr || found->best < 0 || max_paths == 0) return out;
  const Entry& entry = *found;
  const Path& best = entry[static_cast<std::size_t>(entry.best)];
  out.push_back(&best);
  const Candidate best_candidate{&best, peer(best.peer)};
  for (const Path& p : entry) {
    if (out.size() >= max_paths) break;
    if (&p == &best || p.peer == kLocalPeer) continue;
    const PeerInfo* source = peer(p.peer);
    if (source == nullptr) continue;
    switch (compare(best_candidate, {&p, source}).reason) {
      case Reason::RouterId:
      case Reason::ClusterListLength:
      case Reason::PeerAddress:
      case Reason::Equal:
        out.push_back(&p);  // lost only on a tie-breaker: as good for forwarding
        break;
      default: break;
    }
  }
  return out;
}

std::size_t Rib::path_count(PeerId peer) const {
  auto it = path_counts_.find(peer);
  return it == path_counts_.end() ? 0 : it->second;
}

std::size_t Rib::stale_count(PeerId peer) const {
  return prefixes_of(peer, std::nullopt, true).size();
}

void Rib::for_each_best(const std::function<void(const IpPrefix&, const Path&)>& f) const {
  table_.for_each([&](const IpPrefix& prefix, const Entry& entry) {
    if (entry.best >= 0) f(prefix, entry[static_cast<std::size_t>(entry.best)]);
  });
}

void Rib::for_each_entry(
    AfiSafi family,
    const std::function<void(const IpPrefix&, std::span<const Path>, int best)>& f) const {
  const auto address_family =
      family == AfiSafi::ipv4_unicast() ? AddressFamily::V4 : AddressFamily::V6;
  table_.trie(address_family).for_each([&](const IpPrefix& prefix, const Entry& entry) {
    f(prefix, entry.paths(), entry.best);
  });
}

void Rib::for_each_path(
    const std::function<void(const IpPrefix&, const Path&, bool best)>& f) const {
  table_.for_each([&](const IpPrefix& prefix, const Entry& entry) {
    for (std::size_t i = 0; i < entry.size(); ++i) {
      f(prefix, entry[i], static_cast<int>(i) == entry.best);
    }
  });
}

}  // namespace pinto::rib
