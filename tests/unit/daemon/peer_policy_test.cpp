// From Calico YAML to the RIB's route policy: BGPPeer.filters resolved in order through the
// cluster model, each BGPFilter field carried over, numAllowedLocalASNumbers as allowas-in.
#include "daemon/peer_policy.h"

#include <gtest/gtest.h>

namespace pinto::daemon {
namespace {

constexpr const char* kResources = R"(
apiVersion: projectcalico.org/v3
kind: Node
metadata: {name: node-a}
spec: {bgp: {ipv4Address: 10.0.0.1/24}}
---
apiVersion: projectcalico.org/v3
kind: BGPFilter
metadata: {name: second}
spec:
  importV4: [{action: Reject}]
---
apiVersion: projectcalico.org/v3
kind: BGPFilter
metadata: {name: first}
spec:
  importV4:
    - {action: Reject, cidr: 10.9.0.0/16, matchOperator: NotIn, prefixLength: {min: 24, max: 26}}
  exportV4:
    - action: Accept
      source: RemotePeers
      peerType: iBGP
      communities: {values: ['65000:1']}
      asPathPrefix: [65001, 65002]
      operations:
        - addCommunity: {value: '65000:2'}
        - addCommunity: {value: '1:2:3'}
        - prependASPath: {prefix: [64512, 64513]}
  importV6:
    - {action: Accept, cidr: 'fd00::/48', matchOperator: Equal}
---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: tor}
spec: {peerIP: 10.0.0.254, asNumber: 65000, filters: [first, second], numAllowedLocalASNumbers: 2}
)";

rib::PeerPolicy policy_of_tor() {
  auto resources = config::parse_resources(kResources);
  EXPECT_TRUE(resources) << resources.error().to_string();
  config::Settings settings;
  settings.node_name = "node-a";
  auto model = config::build_cluster_model(settings, resources.value());
  EXPECT_TRUE(model) << model.error().to_string();
  for (const auto& p : model.value().peers) {
    if (p.name == "BGPPeer/tor") return peer_policy(p);
  }
  ADD_FAILURE() << "no BGPPeer/tor";
  return {};
}

TEST(PeerPolicy, FiltersKeepTheBgpPeersOrderPerDirection) {
  const auto policy = policy_of_tor();
  ASSERT_EQ(policy.import_filters.size(), 2u);
  EXPECT_EQ(policy.import_filters[0].name, "first");
  EXPECT_EQ(policy.import_filters[1].name, "second");
  ASSERT_EQ(policy.export_filters.size(), 2u);
  EXPECT_EQ(policy.export_filters[0].v4.size(), 1u);
  EXPECT_TRUE(policy.export_filters[1].v4.empty());
  EXPECT_EQ(policy.allowed_local_as, 2u);
}

TEST(PeerPolicy, EveryRuleFieldIsCarriedOver) {
  const auto policy = policy_of_tor();
  const rib::FilterRule& in = policy.import_filters[0].v4.at(0);
  EXPECT_EQ(in.cidr, IpPrefix::parse("10.9.0.0/16"));
  EXPECT_EQ(in.match, rib::PrefixMatch::NotIn);
  EXPECT_EQ(in.prefix_length_min, 24);
  EXPECT_EQ(in.prefix_length_max, 26);
  EXPECT_EQ(in.action, rib::FilterAction::Reject);
  EXPECT_EQ(policy.import_filters[0].v6.at(0).match, rib::PrefixMatch::Equal);

  const rib::FilterRule& out = policy.export_filters[0].v4.at(0);
  EXPECT_TRUE(out.source_remote_peers);
  EXPECT_EQ(out.peer_type, rib::FilterPeerType::IBgp);
  ASSERT_TRUE(out.community);
  EXPECT_EQ(out.community->standard, 65000u << 16 | 1);
  EXPECT_EQ(out.as_path_prefix, (std::vector<std::uint32_t>{65001, 65002}));
  EXPECT_EQ(out.action, rib::FilterAction::Accept);
  ASSERT_EQ(out.operations.size(), 3u);
  EXPECT_EQ(out.operations[0].add_community->standard, 65000u << 16 | 2);
  EXPECT_TRUE(out.operations[1].add_community->large);
  EXPECT_EQ(out.operations[1].add_community->large_value, (bgp::wire::LargeCommunity{1, 2, 3}));
  EXPECT_EQ(out.operations[2].prepend_as_path, (std::vector<std::uint32_t>{64512, 64513}));
}

}  // namespace
}  // namespace pinto::daemon
