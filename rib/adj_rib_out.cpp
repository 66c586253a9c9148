#include "rib/adj_rib_out.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <tuple>
#include <vector>

namespace pinto::rib {

namespace {

using bgp::wire::AfiSafi;
using bgp::wire::Nlri;
using bgp::wire::PathAttributes;

constexpr std::uint32_t kDefaultLocalPref = 100;

// The export filters' decision for one route (default accept when there are none).
FilterVerdict export_verdict(const IpPrefix& prefix, const Path& best, const ExportPolicy& policy) {
  if (policy.filters.empty()) return {};
  return evaluate(policy.filters, {prefix, *best.attributes, best.peer != kLocalPeer, policy.ebgp});
}

}  // namespace

std::optional<PathAttributes> export_attributes(const IpPrefix& prefix, const Path& best,
                                                const PeerInfo& source,
                                                const ExportPolicy& policy) {
  return export_attributes(prefix, best, source, policy, export_verdict(prefix, best, policy));
}

std::optional<PathAttributes> export_attributes(const IpPrefix& prefix, const Path& best,
                                                const PeerInfo& source, const ExportPolicy& policy,
                                                const FilterVerdict& verdict) {
  if (!verdict.accept) return std::nullopt;
  const bool v4 = prefix.address().is_v4();
  if (v4 ? !policy.ipv4_unicast : !policy.ipv6_unicast) return std::nullopt;
  // Never back to where it came from (an update group tags such routes instead: UpdateChunk).
  if (policy.peer != kLocalPeer && best.peer == policy.peer) return std::nullopt;
  const bool local = best.peer == kLocalPeer;
  // RFC 4271 §9.1.1: a route learned over iBGP is not advertised to iBGP peers — unless we are a
  // route reflector (RFC 4456 §6): a client's route goes to every other iBGP peer, a non-client's
  // only to clients. Never between two non-clients: they are fully meshed with each other.
  const bool reflect = !local && !source.ebgp && !policy.ebgp;
  if (reflect &&
      (!policy.cluster_id || (!source.route_reflector_client && !policy.route_reflector_client))) {
    return std::nullopt;
  }
  // Sender-side loop detection: an eBGP peer would drop a path that already holds its AS.
  if (policy.ebgp && best.attributes->as_path &&
      best.attributes->as_path->contains(policy.peer_as)) {
    return std::nullopt;
  }

  const std::optional<IpAddress>& self = v4 ? policy.next_hop_ipv4 : policy.next_hop_ipv6;
  std::optional<IpAddress> next_hop;
  // A local route carries a next hop only when one was given for it (an injected path).
  if ((local && best.next_hop().is_unspecified()) || policy.next_hop == NextHopPolicy::Self ||
      (policy.ebgp && policy.next_hop == NextHopPolicy::Auto)) {
    next_hop = self;
  } else {
    next_hop = best.next_hop();
  }
  if (!next_hop || next_hop->is_unspecified()) return std::nullopt;  // nothing to offer

  PathAttributes out = *best.attributes;
  if (verdict.rule != nullptr) apply_operations(*verdict.rule, out);
  out.mp_reach.reset();
  out.mp_unreach.reset();
  if (reflect) {
    // RFC 4456 §8: the originator is the iBGP speaker that brought the route into the AS (kept
    // when a reflector before us set it), and our cluster goes first in the list, so reflectors
    // can refuse what they already reflected.
    if (!out.originator_id) out.originator_id = source.router_id;
    out.cluster_list.insert(out.cluster_list.begin(), *policy.cluster_id);
  } else {
    // Non-transitive, and meaningful only within the AS between reflectors and their peers: our
    // own and eBGP-learned routes start without them, eBGP peers never see them (§7).
    out.originator_id.reset();
    out.cluster_list.clear();
  }
  out.as4_path.reset();  // the encoder generates AS4_* for 2-octet peers
  out.as4_aggregator.reset();
  if (!out.origin) out.origin = bgp::wire::Origin::Igp;
  if (!out.as_path) out.as_path = bgp::wire::AsPath{};
  if (policy.ebgp) {
    auto& segments = out.as_path->segments;
    if (segments.empty() || segments.front().type != bgp::wire::AsSegmentType::Sequence ||
        segments.front().asns.size() >= 255) {
      segments.insert(segments.begin(),
                      bgp::wire::AsSegment{bgp::wire::AsSegmentType::Sequence, {}});
    }
    segments.front().asns.insert(segments.front().asns.begin(), policy.local_as);
    out.local_pref.reset();
    if (!local) out.med.reset();  // §5.1.4: MED is not passed on to other ASes
  } else {
    out.local_pref = out.local_pref.value_or(kDefaultLocalPref);
  }
  // Optional non-transitive attributes we do not understand are never passed on (§5).
  std::erase_if(out.unknown, [](const bgp::wire::RawAttribute& a) {
    return (a.flags & bgp::wire::attr_flag::kTransitive) == 0;
  });
  for (auto& a : out.unknown) a.flags |= bgp::wire::attr_flag::kPartial;

  if (v4) {
    out.next_hop = *next_hop;
  } else {
    out.next_hop.reset();
    out.mp_reach = bgp::wire::MpReach{AfiSafi::ipv6_unicast(), *next_hop, std::nullopt, {}};
  }
  return out;
}

namespace {

bool same_attributes(const AttrRef& a, const AttrRef& b) {
  return a == b || *a == *b;
}

// Prefixes that share one attribute set, to be packed into as few UPDATEs as the size allows.
using Buckets = std::map<const PathAttributes*, std::pair<AttrRef, std::vector<Nlri>>>;

void add_to_bucket(Buckets& buckets, const Nlri& nlri, const AttrRef& attributes) {
  auto& bucket = buckets[attributes.get()];
  if (!bucket.first) bucket.first = attributes;
  bucket.second.push_back(nlri);
}

struct Withdrawals {
  std::vector<Nlri> v4;
  std::vector<Nlri> v6;
  void add(const Nlri& n) { (n.prefix.address().is_v4() ? v4 : v6).push_back(n); }
};

std::size_t encode(const Withdrawals& withdrawals, const bgp::wire::EncodeContext& ctx,
                   bgp::wire::Bytes& out) {
  std::size_t messages = 0;
  if (!withdrawals.v4.empty())
    messages += bgp::wire::encode_withdrawals(AfiSafi::ipv4_unicast(), withdrawals.v4, ctx, out);
  if (!withdrawals.v6.empty())
    messages += bgp::wire::encode_withdrawals(AfiSafi::ipv6_unicast(), withdrawals.v6, ctx, out);
  return messages;
}

std::size_t encode(const Buckets& buckets, const bgp::wire::EncodeContext& ctx,
                   bgp::wire::Bytes& out) {
  std::size_t messages = 0;
  for (const auto& [key, bucket] : buckets) {
    if (!bucket.second.empty())
      messages += bgp::wire::encode_announcements(*bucket.first, bucket.second, ctx, out);
  }
  return messages;
}

void push_chunk(std::vector<UpdateChunk>& chunks, bgp::wire::Bytes bytes, std::size_t messages,
                PeerId skip) {
  if (messages == 0) return;
  chunks.push_back({std::make_shared<const bgp::wire::Bytes>(std::move(bytes)), messages, skip});
}

// Appends the bytes of `chunks` meant for `member` to `out`; returns the number of messages.
std::size_t flatten(const std::vector<UpdateChunk>& chunks, PeerId member, bgp::wire::Bytes& out) {
  std::size_t messages = 0;
  for (const auto& chunk : chunks) {
    if (chunk.skip == member) continue;
    out.insert(out.end(), chunk.bytes->begin(), chunk.bytes->end());
    messages += chunk.messages;
  }
  return messages;
}

}  // namespace

std::vector<UpdateChunk> ExportBatch::for_member(PeerId peer,
                                                 const bgp::wire::EncodeContext& ctx) const {
  std::vector<UpdateChunk> out;
  if (auto owed = withdraw_for.find(peer); owed != withdraw_for.end()) {
    Withdrawals withdrawals;
    for (const auto& n : owed->second) withdrawals.add(n);
    bgp::wire::Bytes bytes;
    const std::size_t messages = encode(withdrawals, ctx, bytes);
    push_chunk(out, std::move(bytes), messages, kLocalPeer);
  }
  for (const auto& chunk : chunks) {
    if (chunk.skip != peer) out.push_back(chunk);
  }
  return out;
}

namespace {

// A path as the members hold it: exported attributes, whose route it is (that member does not
// hold it: split horizon inside a group), and our ADD-PATH identifier for it (0 without).
struct Sent {
  AttrRef attributes;
  PeerId source = kLocalPeer;
  std::uint32_t path_id = 0;
};
using SentPaths = boost::container::small_vector<Sent, 1>;

// Exports paths under one policy, each distinct input once. What a path exports as depends on
// its attributes (next hop included), source peer and family only, and every prefix of one received
// UPDATE shares one attribute set: the prefixes that share it form one bucket, packed into as few
// UPDATEs as the size limit allows (BIRD's bgp_bucket). Export filters look at the prefix too:
// the rule that decided joins the key (prefixes that the same rule accepted export alike).
class Exporter {
 public:
  Exporter(const ExportPolicy& policy, AttrPool& pool, const Rib& rib,
           const RouteDelta* delta = nullptr)
      : policy_(policy), pool_(pool), rib_(rib), delta_(delta) {}

  // The attributes `path` goes out with, or null.
  AttrRef operator()(const IpPrefix& prefix, const Path& path) {
    const PeerInfo* source = rib_.peer(path.peer);
    // A peer removed by this very change still tells how its routes went out.
    if (source == nullptr && delta_ != nullptr) source = delta_->departed_peer(path.peer);
    if (source == nullptr) return nullptr;
    const FilterVerdict verdict = export_verdict(prefix, path, policy_);
    if (!verdict.accept) return nullptr;
    const Key key{path.attributes.get(), path.peer, prefix.address().is_v4(), verdict.rule};
    // Consecutive prefixes mostly came in one UPDATE: the last answer saves the map lookup.
    if (last_ && last_->first == key) return last_->second;
    auto memo = exported_as_.find(key);
    if (memo == exported_as_.end()) {
      auto attributes = export_attributes(prefix, path, *source, policy_, verdict);
      AttrRef shared;
      if (attributes) shared = pool_.intern(std::move(*attributes));
      memo = exported_as_.emplace(key, std::move(shared)).first;
    }
    last_.emplace(key, memo->second);
    return memo->second;
  }

  // What the members hold of a prefix whose paths are `paths`: the best one, or with ADD-PATH
  // every exported path.
  SentPaths held(const IpPrefix& prefix, std::span<const Path> paths, int best, bool add_path) {
    SentPaths out;
    if (add_path) {
      for (const Path& path : paths) {
        if (AttrRef a = (*this)(prefix, path)) out.push_back({a, path.peer, rib_.export_id(path)});
      }
    } else if (best >= 0) {
      const Path& path = paths[static_cast<std::size_t>(best)];
      if (AttrRef a = (*this)(prefix, path)) out.push_back({a, path.peer, 0});
    }
    return out;
  }

 private:
  using Key = std::tuple<const PathAttributes*, PeerId, bool, const FilterRule*>;
  const ExportPolicy& policy_;
  AttrPool& pool_;
  const Rib& rib_;
  const RouteDelta* delta_;
  std::map<Key, AttrRef> exported_as_;  // null: not exported
  std::optional<std::pair<Key, AttrRef>> last_;
};

bool adds_paths(const bgp::wire::EncodeContext& ctx, const IpPrefix& prefix) {
  return prefix.address().is_v4() ? ctx.add_path.ipv4_unicast : ctx.add_path.ipv6_unicast;
}
bool adds_paths(const bgp::wire::EncodeContext& ctx, AfiSafi family) {
  return family == AfiSafi::ipv4_unicast() ? ctx.add_path.ipv4_unicast : ctx.add_path.ipv6_unicast;
}

const Sent* find_path(const SentPaths& in, std::uint32_t path_id) {
  auto it = std::find_if(in.begin(), in.end(), [&](const Sent& s) { return s.path_id == path_id; });
  return it == in.end() ? nullptr : &*it;
}

}  // namespace

std::vector<AfiSafi> families_of(const ExportPolicy& policy) {
  std::vector<AfiSafi> out;
  if (policy.ipv4_unicast) out.push_back(AfiSafi::ipv4_unicast());
  if (policy.ipv6_unicast) out.push_back(AfiSafi::ipv6_unicast());
  return out;
}

ExportBatch AdjRibOut::sync(const RouteDelta& delta, const Rib& rib,
                            const bgp::wire::EncodeContext& ctx) {
  ExportBatch batch;
  if (delta.prior.empty()) return batch;
  counts_.reset();
  Exporter exporter(policy_, pool_, rib, &delta);
  // By the member that must not get them (the routes' source; kLocalPeer: nobody).
  std::map<PeerId, Buckets> announce;
  std::map<PeerId, Withdrawals> withdraw;
  for (const PriorPaths& prior : delta.prior) {
    const IpPrefix& prefix = prior.prefix;
    const bool add_path = adds_paths(ctx, prefix);
    const SentPaths held =
        exporter.held(prefix, {prior.paths.data(), prior.paths.size()}, prior.best, add_path);
    const Rib::PathsView now = rib.view(prefix);
    const SentPaths desired = exporter.held(prefix, now.paths, now.best, add_path);
    for (const Sent& old : held) {
      // Gone: withdrawn from everyone but its source, who never held it.
      if (find_path(desired, old.path_id) == nullptr)
        withdraw[old.source].add({prefix, old.path_id});
    }
    for (const Sent& wanted : desired) {
      const Sent* old = find_path(held, wanted.path_id);
      if (old != nullptr && old->source == wanted.source &&
          same_attributes(old->attributes, wanted.attributes)) {
        continue;
      }
      // The new source held the old route, and skips the new one: it owes a withdrawal.
      if (old != nullptr && old->source != wanted.source && wanted.source != kLocalPeer)
        batch.withdraw_for[wanted.source].push_back({prefix, wanted.path_id});
      add_to_bucket(announce[wanted.source], {prefix, wanted.path_id}, wanted.attributes);
    }
  }
  for (const auto& [skip, withdrawals] : withdraw) {
    bgp::wire::Bytes bytes;
    const std::size_t messages = encode(withdrawals, ctx, bytes);
    push_chunk(batch.chunks, std::move(bytes), messages, skip);
  }
  for (const auto& [skip, buckets] : announce) {
    bgp::wire::Bytes bytes;
    const std::size_t messages = encode(buckets, ctx, bytes);
    push_chunk(batch.chunks, std::move(bytes), messages, skip);
  }
  return batch;
}

std::size_t AdjRibOut::sync(const RouteDelta& delta, const Rib& rib,
                            const bgp::wire::EncodeContext& ctx, bgp::wire::Bytes& out) {
  return flatten(sync(delta, rib, ctx).for_member(policy_.peer, ctx), policy_.peer, out);
}

std::vector<UpdateChunk> AdjRibOut::dump(AfiSafi family, PeerId member, const Rib& rib,
                                         const bgp::wire::EncodeContext& ctx) const {
  Exporter exporter(policy_, pool_, rib);
  const bool add_path = adds_paths(ctx, family);
  Buckets buckets;
  rib.for_each_entry(family, [&](const IpPrefix& prefix, std::span<const Path> paths, int best) {
    for (const Sent& sent : exporter.held(prefix, paths, best, add_path)) {
      if (sent.source != member) add_to_bucket(buckets, {prefix, sent.path_id}, sent.attributes);
    }
  });
  std::vector<UpdateChunk> chunks;
  bgp::wire::Bytes bytes;
  const std::size_t messages = encode(buckets, ctx, bytes);
  push_chunk(chunks, std::move(bytes), messages, kLocalPeer);
  return chunks;
}

std::vector<UpdateChunk> AdjRibOut::transition(const AdjRibOut& from, PeerId member, const Rib& rib,
                                               const bgp::wire::EncodeContext& ctx) const {
  Exporter before(from.policy_, pool_, rib);
  Exporter after(policy_, pool_, rib);
  Withdrawals withdrawals;
  Buckets buckets;
  for (const AfiSafi family : families_of(policy_)) {
    const bool add_path = adds_paths(ctx, family);
    rib.for_each_entry(family, [&](const IpPrefix& prefix, std::span<const Path> paths, int best) {
      // What `member` holds of a prefix under each policy: the paths not from itself.
      auto of_member = [&](SentPaths sent) {
        sent.erase(std::remove_if(sent.begin(), sent.end(),
                                  [&](const Sent& s) { return s.source == member; }),
                   sent.end());
        return sent;
      };
      const SentPaths held = of_member(before.held(prefix, paths, best, add_path));
      const SentPaths wanted = of_member(after.held(prefix, paths, best, add_path));
      for (const Sent& h : held) {
        if (find_path(wanted, h.path_id) == nullptr) withdrawals.add({prefix, h.path_id});
      }
      for (const Sent& w : wanted) {
        const Sent* h = find_path(held, w.path_id);
        if (h != nullptr && same_attributes(h->attributes, w.attributes)) continue;
        add_to_bucket(buckets, {prefix, w.path_id}, w.attributes);
      }
    });
  }
  bgp::wire::Bytes bytes;
  std::size_t messages = encode(withdrawals, ctx, bytes);
  messages += encode(buckets, ctx, bytes);
  std::vector<UpdateChunk> chunks;
  push_chunk(chunks, std::move(bytes), messages, kLocalPeer);
  return chunks;
}

std::size_t AdjRibOut::advertised(PeerId member, const Rib& rib,
                                  const bgp::wire::EncodeContext& ctx) const {
  if (!counts_) {
    Counts counts;
    Exporter exporter(policy_, pool_, rib);
    for (const AfiSafi family : families_of(policy_)) {
      const bool add_path = adds_paths(ctx, family);
      rib.for_each_entry(family,
                         [&](const IpPrefix& prefix, std::span<const Path> paths, int best) {
                           for (const Sent& sent : exporter.held(prefix, paths, best, add_path)) {
                             ++counts.total;
                             ++counts.by_source[sent.source];
                           }
                         });
    }
    counts_ = std::move(counts);
  }
  auto s = counts_->by_source.find(member);
  return counts_->total - (s == counts_->by_source.end() || member == kLocalPeer ? 0 : s->second);
}

}  // namespace pinto::rib
