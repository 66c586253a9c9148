#include "rib/adj_rib_out.h"

#include <map>
#include <memory>
#include <tuple>
#include <unordered_set>
#include <vector>

namespace pinto::rib {

namespace {

using bgp::wire::AfiSafi;
using bgp::wire::Nlri;
using bgp::wire::PathAttributes;

constexpr std::uint32_t kDefaultLocalPref = 100;

AfiSafi family_of(const IpPrefix& prefix) {
  return prefix.address().is_v4() ? AfiSafi::ipv4_unicast() : AfiSafi::ipv6_unicast();
}

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
  if (best.peer == policy.peer) return std::nullopt;  // never back to where it came from
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
  if ((local && best.next_hop.is_unspecified()) || policy.next_hop == NextHopPolicy::Self ||
      (policy.ebgp && policy.next_hop == NextHopPolicy::Auto)) {
    next_hop = self;
  } else {
    next_hop = best.next_hop;
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

std::size_t AdjRibOut::sync(std::span<const IpPrefix> changed, const Rib& rib,
                            const bgp::wire::EncodeContext& ctx, bgp::wire::Bytes& out) {
  // What a best path exports as depends on its attributes, next hop, source peer and family only,
  // and every prefix of one received UPDATE shares one attribute set: export each distinct input
  // once, and let the prefixes that share it form one bucket, packed into as few UPDATEs as the
  // size limit allows (BIRD's bgp_bucket).
  // Export filters look at the prefix too: the rule that decided joins the key (prefixes that
  // the same rule accepted export alike).
  using ExportKey = std::tuple<const PathAttributes*, IpAddress, PeerId, bool, const FilterRule*>;
  std::map<ExportKey, std::size_t> bucket_of;  // -> index into buckets
  std::vector<std::pair<std::shared_ptr<const PathAttributes>, std::vector<Nlri>>> buckets;
  std::vector<Nlri> withdrawn_v4;
  std::vector<Nlri> withdrawn_v6;
  for (const IpPrefix& prefix : changed) {
    const bool v4 = prefix.address().is_v4();
    std::optional<std::size_t> bucket;
    const Path* best = rib.best(prefix);
    const FilterVerdict verdict =
        best != nullptr ? export_verdict(prefix, *best, policy_) : FilterVerdict{};
    if (best != nullptr && rib.peer(best->peer) != nullptr && verdict.accept) {
      const ExportKey key{best->attributes.get(), best->next_hop, best->peer, v4, verdict.rule};
      auto memo = bucket_of.find(key);
      if (memo == bucket_of.end()) {
        auto exported = export_attributes(prefix, *best, *rib.peer(best->peer), policy_, verdict);
        std::shared_ptr<const PathAttributes> shared;
        if (exported) shared = std::make_shared<const PathAttributes>(std::move(*exported));
        buckets.push_back({std::move(shared), {}});
        memo = bucket_of.emplace(key, buckets.size() - 1).first;
      }
      if (buckets[memo->second].first) bucket = memo->second;
    }
    auto sent = sent_.find(prefix);
    if (!bucket) {
      if (sent == sent_.end()) continue;
      sent_.erase(sent);
      (v4 ? withdrawn_v4 : withdrawn_v6).push_back(Nlri{prefix, 0});
      continue;
    }
    const auto& desired = buckets[*bucket].first;
    if (sent != sent_.end() && (sent->second == desired || *sent->second == *desired)) continue;
    buckets[*bucket].second.push_back(Nlri{prefix, 0});
    sent_[prefix] = desired;
  }
  std::size_t messages = 0;
  if (!withdrawn_v4.empty()) {
    messages += bgp::wire::encode_withdrawals(AfiSafi::ipv4_unicast(), withdrawn_v4, ctx, out);
  }
  if (!withdrawn_v6.empty()) {
    messages += bgp::wire::encode_withdrawals(AfiSafi::ipv6_unicast(), withdrawn_v6, ctx, out);
  }
  for (const auto& [attributes, prefixes] : buckets) {
    if (!prefixes.empty()) {
      messages += bgp::wire::encode_announcements(*attributes, prefixes, ctx, out);
    }
  }
  return messages;
}

std::size_t AdjRibOut::set_filters(FilterChain filters, const Rib& rib,
                                   const bgp::wire::EncodeContext& ctx, bgp::wire::Bytes& out) {
  policy_.filters = std::move(filters);
  // Everything the peer holds (some may now be rejected) and everything it could hold.
  std::unordered_set<IpPrefix> seen;
  std::vector<IpPrefix> all;
  for (const auto& [prefix, attributes] : sent_) {
    if (seen.insert(prefix).second) all.push_back(prefix);
  }
  rib.for_each_best([&](const IpPrefix& prefix, const Path&) {
    if (seen.insert(prefix).second) all.push_back(prefix);
  });
  return sync(all, rib, ctx, out);
}

std::size_t AdjRibOut::resend(AfiSafi family, const Rib& rib, const bgp::wire::EncodeContext& ctx,
                              bgp::wire::Bytes& out) {
  std::erase_if(sent_, [&](const auto& kv) { return family_of(kv.first) == family; });
  std::vector<IpPrefix> all;
  rib.for_each_best([&](const IpPrefix& prefix, const Path&) {
    if (family_of(prefix) == family) all.push_back(prefix);
  });
  return sync(all, rib, ctx, out);
}

}  // namespace pinto::rib
