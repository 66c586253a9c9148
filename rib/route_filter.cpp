#include "rib/route_filter.h"

#include <algorithm>

namespace pinto::rib {

namespace {

using bgp::wire::AsPath;
using bgp::wire::AsSegment;
using bgp::wire::AsSegmentType;
using bgp::wire::PathAttributes;

constexpr std::size_t kMaxSegmentLength = 255;  // RFC 4271 §4.3: one octet counts the ASNs

bool carries(const PathAttributes& a, const FilterCommunity& c) {
  if (c.large) {
    return std::find(a.large_communities.begin(), a.large_communities.end(), c.large_value) !=
           a.large_communities.end();
  }
  return std::find(a.communities.begin(), a.communities.end(), c.standard) != a.communities.end();
}

// The path's leading ASNs, as far as they are ordered (AS_SEQUENCE segments); an AS_SET or a
// confederation segment ends what a prefix of the path can mean.
bool path_starts_with(const std::optional<AsPath>& path, const std::vector<std::uint32_t>& asns) {
  std::size_t matched = 0;
  if (path) {
    for (const AsSegment& s : path->segments) {
      if (s.type != AsSegmentType::Sequence) break;
      for (const std::uint32_t asn : s.asns) {
        if (matched == asns.size()) return true;
        if (asn != asns[matched]) return false;
        ++matched;
      }
    }
  }
  return matched == asns.size();
}

void prepend(PathAttributes& a, const std::vector<std::uint32_t>& asns) {
  if (!a.as_path) a.as_path = AsPath{};
  auto& segments = a.as_path->segments;
  // Last listed first, so the path reads in the order the rule lists them.
  for (auto it = asns.rbegin(); it != asns.rend(); ++it) {
    if (segments.empty() || segments.front().type != AsSegmentType::Sequence ||
        segments.front().asns.size() >= kMaxSegmentLength) {
      segments.insert(segments.begin(), AsSegment{AsSegmentType::Sequence, {}});
    }
    segments.front().asns.insert(segments.front().asns.begin(), *it);
  }
}

void add(PathAttributes& a, const FilterCommunity& c) {
  if (carries(a, c)) return;
  if (c.large) {
    a.large_communities.push_back(c.large_value);
  } else {
    a.communities.push_back(c.standard);
  }
}

}  // namespace

bool matches_prefix(const FilterRule& rule, const IpPrefix& prefix) {
  if (!rule.cidr) return true;
  const IpPrefix& cidr = *rule.cidr;
  if (cidr.family() != prefix.family()) return false;
  const std::uint8_t family_max = prefix.address().is_v4() ? 32 : 128;
  const std::uint8_t min = rule.prefix_length_min.value_or(cidr.length());
  const std::uint8_t max = rule.prefix_length_max.value_or(family_max);
  const bool exact = rule.match == PrefixMatch::Equal || rule.match == PrefixMatch::NotEqual;
  const bool in_set = (exact ? prefix == cidr : cidr.contains(prefix)) && prefix.length() >= min &&
                      prefix.length() <= max;
  const bool positive = rule.match == PrefixMatch::Equal || rule.match == PrefixMatch::In;
  return positive == in_set;
}

bool matches(const FilterRule& rule, const FilterInput& input) {
  if (!matches_prefix(rule, input.prefix)) return false;
  if (rule.source_remote_peers && !input.from_peer) return false;
  if (rule.peer_type && (*rule.peer_type == FilterPeerType::EBgp) != input.ebgp_session) {
    return false;
  }
  if (rule.community && !carries(input.attributes, *rule.community)) return false;
  if (!rule.as_path_prefix.empty() &&
      !path_starts_with(input.attributes.as_path, rule.as_path_prefix)) {
    return false;
  }
  return true;
}

FilterVerdict evaluate(const FilterChain& chain, const FilterInput& input) {
  const bool v4 = input.prefix.address().is_v4();
  for (const RouteFilter& filter : chain) {
    for (const FilterRule& rule : v4 ? filter.v4 : filter.v6) {
      if (matches(rule, input)) return {rule.action == FilterAction::Accept, &rule};
    }
  }
  return {};
}

void apply_operations(const FilterRule& rule, PathAttributes& attributes) {
  for (const FilterOperation& op : rule.operations) {
    if (op.add_community) add(attributes, *op.add_community);
    if (!op.prepend_as_path.empty()) prepend(attributes, op.prepend_as_path);
  }
}

}  // namespace pinto::rib
