#include "daemon/peer_policy.h"

namespace pinto::daemon {

namespace {

rib::FilterCommunity community_of(const config::Community& c) {
  rib::FilterCommunity out;
  out.large = c.large;
  if (c.large) {
    out.large_value = bgp::wire::LargeCommunity{c.global, c.local1, c.local2};
  } else {
    out.standard = c.global << 16 | c.local1;
  }
  return out;
}

rib::PrefixMatch match_of(config::MatchOperator op) {
  switch (op) {
    case config::MatchOperator::Equal: return rib::PrefixMatch::Equal;
    case config::MatchOperator::NotEqual: return rib::PrefixMatch::NotEqual;
    case config::MatchOperator::In: return rib::PrefixMatch::In;
    case config::MatchOperator::NotIn: return rib::PrefixMatch::NotIn;
  }
  return rib::PrefixMatch::In;
}

rib::FilterRule rule_of(const config::FilterRule& r) {
  rib::FilterRule out;
  out.cidr = r.cidr;
  if (r.match_operator) out.match = match_of(*r.match_operator);
  out.prefix_length_min = r.prefix_length_min;
  out.prefix_length_max = r.prefix_length_max;
  out.source_remote_peers = r.source_remote_peers;
  if (r.peer_type) {
    out.peer_type = *r.peer_type == config::FilterPeerType::EBgp ? rib::FilterPeerType::EBgp
                                                                 : rib::FilterPeerType::IBgp;
  }
  if (r.community) out.community = community_of(*r.community);
  out.as_path_prefix = r.as_path_prefix;
  out.action = r.action == config::FilterAction::Accept ? rib::FilterAction::Accept
                                                        : rib::FilterAction::Reject;
  for (const auto& op : r.operations) {
    rib::FilterOperation o;
    if (op.add_community) o.add_community = community_of(*op.add_community);
    o.prepend_as_path = op.prepend_as_path;
    if (o.add_community || !o.prepend_as_path.empty()) out.operations.push_back(std::move(o));
  }
  return out;
}

std::vector<rib::FilterRule> rules_of(const std::vector<config::FilterRule>& rules) {
  std::vector<rib::FilterRule> out;
  out.reserve(rules.size());
  for (const auto& r : rules) out.push_back(rule_of(r));
  return out;
}

}  // namespace

rib::PeerPolicy peer_policy(const config::PeerIntent& peer) {
  rib::PeerPolicy policy;
  for (const auto& f : peer.filters) {
    policy.import_filters.push_back(
        rib::RouteFilter{f.metadata.name, rules_of(f.import_v4), rules_of(f.import_v6)});
    policy.export_filters.push_back(
        rib::RouteFilter{f.metadata.name, rules_of(f.export_v4), rules_of(f.export_v6)});
  }
  policy.allowed_local_as = peer.allowed_local_as;
  return policy;
}

}  // namespace pinto::daemon
