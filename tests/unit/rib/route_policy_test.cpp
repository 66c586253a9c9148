// Route policy where it applies: import filters and allowas-in in the Adj-RIB-In (Rib::apply),
// export filters in the Adj-RIB-Out, and a filter change re-exported without a session reset.
#include <gtest/gtest.h>

#include "rib/adj_rib_out.h"
#include "rib/rib.h"
#include "rib/update_groups.h"

namespace pinto::rib {
namespace {

using bgp::wire::AfiSafi;
using bgp::wire::AsPath;
using bgp::wire::AsSegment;
using bgp::wire::AsSegmentType;
using bgp::wire::Update;

constexpr std::uint32_t kLocalAs = 65001;
constexpr PeerId kEbgpPeer = 1;
constexpr PeerId kIbgpPeer = 2;

IpPrefix prefix(const char* text) {
  return *IpPrefix::parse(text);
}
IpAddress address(const char* text) {
  return *IpAddress::parse(text);
}

Update announce(std::initializer_list<const char*> prefixes, std::vector<std::uint32_t> path) {
  Update u;
  u.attributes.origin = bgp::wire::Origin::Igp;
  u.attributes.as_path = AsPath{{AsSegment{AsSegmentType::Sequence, std::move(path)}}};
  u.attributes.next_hop = address("10.0.0.2");
  for (const char* p : prefixes) u.nlri.push_back({prefix(p), 0});
  return u;
}

FilterRule reject(const char* cidr, PrefixMatch match) {
  FilterRule r;
  r.cidr = prefix(cidr);
  r.match = match;
  r.action = FilterAction::Reject;
  return r;
}

FilterRule accept_adding(const char* cidr, std::uint32_t community) {
  FilterRule r;
  r.cidr = prefix(cidr);
  r.match = PrefixMatch::In;
  r.operations = {FilterOperation{FilterCommunity{false, community, {}}, {}}};
  return r;
}

FilterChain chain(std::vector<FilterRule> v4) {
  return {RouteFilter{"f", std::move(v4), {}}};
}

class RoutePolicyTest : public testing::Test {
 protected:
  RoutePolicyTest() : rib_(kLocalAs, address("10.0.0.1").v4_value()) {
    rib_.set_peer({kEbgpPeer, true, 65002, address("10.0.0.2").v4_value(), address("10.0.0.2")});
    rib_.set_peer(
        {kIbgpPeer, false, kLocalAs, address("10.0.0.3").v4_value(), address("10.0.0.3")});
  }

  ExportPolicy to_ebgp_peer(FilterChain filters = {}) const {
    ExportPolicy p;
    p.peer = 9;
    p.ebgp = true;
    p.local_as = kLocalAs;
    p.peer_as = 65009;
    p.next_hop_ipv4 = address("10.0.0.1");
    p.filters = std::move(filters);
    return p;
  }

  // The bytes of `chunks`, in order.
  static bgp::wire::Bytes bytes_of(const std::vector<UpdateChunk>& chunks) {
    bgp::wire::Bytes out;
    for (const auto& c : chunks) out.insert(out.end(), c.bytes->begin(), c.bytes->end());
    return out;
  }

  // Every UPDATE in `bytes`, decoded.
  static std::vector<Update> updates(const bgp::wire::Bytes& bytes) {
    std::vector<Update> out;
    bgp::wire::ByteView rest(bytes);
    while (!rest.empty()) {
      auto length = bgp::wire::frame(rest);
      if (!length || length.value() == 0) break;
      auto decoded = bgp::wire::decode(rest.first(length.value()), {});
      if (decoded) out.push_back(std::get<Update>(decoded.value()));
      rest = rest.subspan(length.value());
    }
    return out;
  }

  Rib rib_;
};

TEST_F(RoutePolicyTest, ImportRejectKeepsTheRouteOutOfTheRib) {
  rib_.set_import_policy(kEbgpPeer, chain({reject("10.244.2.0/26", PrefixMatch::Equal)}), 0);
  const auto d = rib_.apply(kEbgpPeer, announce({"10.244.1.0/26", "10.244.2.0/26"}, {65002}));
  EXPECT_EQ(d.changed, std::vector<IpPrefix>{prefix("10.244.1.0/26")});
  EXPECT_NE(rib_.best(prefix("10.244.1.0/26")), nullptr);
  EXPECT_EQ(rib_.best(prefix("10.244.2.0/26")), nullptr);
  EXPECT_EQ(rib_.path_count(kEbgpPeer), 1u);
}

TEST_F(RoutePolicyTest, ImportRejectOfAnAcceptedRouteWithdrawsIt) {
  rib_.apply(kEbgpPeer, announce({"10.244.2.0/26"}, {65002}));
  ASSERT_NE(rib_.best(prefix("10.244.2.0/26")), nullptr);
  // The policy changed and the peer sent the route again (route refresh): now it goes.
  rib_.set_import_policy(kEbgpPeer, chain({reject("10.244.2.0/26", PrefixMatch::Equal)}), 0);
  const auto d = rib_.apply(kEbgpPeer, announce({"10.244.2.0/26"}, {65002}));
  EXPECT_EQ(d.changed, std::vector<IpPrefix>{prefix("10.244.2.0/26")});
  EXPECT_EQ(rib_.best(prefix("10.244.2.0/26")), nullptr);
}

TEST_F(RoutePolicyTest, ImportAcceptOperationsChangeTheStoredAttributes) {
  rib_.set_import_policy(kEbgpPeer, chain({accept_adding("10.244.0.0/16", 0xfde80001)}), 0);
  rib_.apply(kEbgpPeer, announce({"10.244.1.0/26", "10.244.2.0/26", "10.9.0.0/24"}, {65002}));
  const Path* changed = rib_.best(prefix("10.244.1.0/26"));
  ASSERT_NE(changed, nullptr);
  EXPECT_EQ(changed->attributes->communities, std::vector<std::uint32_t>{0xfde80001});
  // Prefixes the same rule accepted share one attribute set; the unmatched one keeps its own.
  EXPECT_EQ(changed->attributes, rib_.best(prefix("10.244.2.0/26"))->attributes);
  EXPECT_TRUE(rib_.best(prefix("10.9.0.0/24"))->attributes->communities.empty());
}

TEST_F(RoutePolicyTest, ImportPeerTypeSeesTheSendingSession) {
  FilterRule no_ibgp;
  no_ibgp.peer_type = FilterPeerType::IBgp;
  no_ibgp.action = FilterAction::Reject;
  rib_.set_import_policy(kEbgpPeer, chain({no_ibgp}), 0);
  rib_.set_import_policy(kIbgpPeer, chain({no_ibgp}), 0);
  rib_.apply(kEbgpPeer, announce({"10.244.1.0/26"}, {65002}));
  rib_.apply(kIbgpPeer, announce({"10.244.2.0/26"}, {}));
  EXPECT_NE(rib_.best(prefix("10.244.1.0/26")), nullptr);
  EXPECT_EQ(rib_.best(prefix("10.244.2.0/26")), nullptr);
}

TEST_F(RoutePolicyTest, ImportPolicyIsPerPeer) {
  rib_.set_import_policy(kEbgpPeer, chain({reject("0.0.0.0/0", PrefixMatch::In)}), 0);
  rib_.apply(kIbgpPeer, announce({"10.244.1.0/26"}, {}));
  EXPECT_NE(rib_.best(prefix("10.244.1.0/26")), nullptr);
}

TEST_F(RoutePolicyTest, AllowasInAcceptsOurAsUpToTheCount) {
  rib_.set_import_policy(kEbgpPeer, {}, 1);
  rib_.apply(kEbgpPeer, announce({"10.244.1.0/26"}, {65002, kLocalAs, 65003}));
  EXPECT_NE(rib_.best(prefix("10.244.1.0/26")), nullptr);
  EXPECT_EQ(rib_.loop_of(announce({}, {65002, kLocalAs}).attributes, kEbgpPeer), Loop::None);
  // Twice is once too many.
  rib_.apply(kEbgpPeer, announce({"10.244.1.0/26"}, {65002, kLocalAs, kLocalAs}));
  EXPECT_EQ(rib_.best(prefix("10.244.1.0/26")), nullptr);
  // Another peer keeps the standard check.
  EXPECT_EQ(rib_.loop_of(announce({}, {kLocalAs}).attributes, kIbgpPeer), Loop::AsPath);
}

TEST_F(RoutePolicyTest, AllowasInCountsAcrossSegments) {
  rib_.set_import_policy(kEbgpPeer, {}, 2);
  Update u = announce({"10.244.1.0/26"}, {65002, kLocalAs});
  u.attributes.as_path->segments.push_back(AsSegment{AsSegmentType::Set, {kLocalAs, 7}});
  EXPECT_EQ(rib_.loop_of(u.attributes, kEbgpPeer), Loop::None);
  u.attributes.as_path->segments.push_back(AsSegment{AsSegmentType::Sequence, {kLocalAs}});
  EXPECT_EQ(rib_.loop_of(u.attributes, kEbgpPeer), Loop::AsPath);
}

TEST_F(RoutePolicyTest, RemovingThePeerForgetsItsImportPolicy) {
  rib_.set_import_policy(kEbgpPeer, chain({reject("0.0.0.0/0", PrefixMatch::In)}), 0);
  rib_.remove_peer(kEbgpPeer);
  rib_.set_peer({kEbgpPeer, true, 65002, address("10.0.0.2").v4_value(), address("10.0.0.2")});
  rib_.apply(kEbgpPeer, announce({"10.244.1.0/26"}, {65002}));
  EXPECT_NE(rib_.best(prefix("10.244.1.0/26")), nullptr);
}

TEST_F(RoutePolicyTest, ExportRejectWithholdsTheRoute) {
  const auto d = rib_.apply(kEbgpPeer, announce({"10.244.1.0/26", "10.244.2.0/26"}, {65002}));
  AdjRibOut out(to_ebgp_peer(chain({reject("10.244.2.0/26", PrefixMatch::Equal)})));
  bgp::wire::Bytes bytes;
  out.sync(d, rib_, {}, bytes);
  const auto sent = updates(bytes);
  ASSERT_EQ(sent.size(), 1u);
  ASSERT_EQ(sent[0].nlri.size(), 1u);
  EXPECT_EQ(sent[0].nlri[0].prefix, prefix("10.244.1.0/26"));
  EXPECT_EQ(out.advertised(rib_), 1u);
}

TEST_F(RoutePolicyTest, ExportOperationsComeAfterOurOwnAs) {
  FilterRule rule = accept_adding("10.244.0.0/16", 0xfde80002);
  rule.operations.push_back(FilterOperation{std::nullopt, {65100}});
  const auto d = rib_.apply(kEbgpPeer, announce({"10.244.1.0/26", "10.9.0.0/24"}, {65002}));
  AdjRibOut out(to_ebgp_peer(chain({rule})));
  bgp::wire::Bytes bytes;
  out.sync(d, rib_, {}, bytes);
  const auto sent = updates(bytes);
  ASSERT_EQ(sent.size(), 2u);  // the changed route and the unchanged one differ
  for (const auto& u : sent) {
    ASSERT_EQ(u.nlri.size(), 1u);
    const auto& asns = u.attributes.as_path->segments.front().asns;
    if (u.nlri[0].prefix == prefix("10.244.1.0/26")) {
      EXPECT_EQ(u.attributes.communities, std::vector<std::uint32_t>{0xfde80002});
      EXPECT_EQ(asns, (std::vector<std::uint32_t>{kLocalAs, 65100, 65002}));
    } else {
      EXPECT_TRUE(u.attributes.communities.empty());
      EXPECT_EQ(asns, (std::vector<std::uint32_t>{kLocalAs, 65002}));
    }
  }
}

TEST_F(RoutePolicyTest, ExportSourceRemotePeersTellsOurRoutesFromLearnedOnes) {
  FilterRule learned;
  learned.source_remote_peers = true;
  learned.action = FilterAction::Reject;
  auto own = std::make_shared<bgp::wire::PathAttributes>();
  own->origin = bgp::wire::Origin::Igp;
  own->as_path = AsPath{};
  auto d = rib_.originate(prefix("10.244.9.0/26"), own);
  d.merge(rib_.apply(kEbgpPeer, announce({"10.244.1.0/26"}, {65002})));
  AdjRibOut out(to_ebgp_peer(chain({learned})));
  bgp::wire::Bytes bytes;
  out.sync(d, rib_, {}, bytes);
  const auto sent = updates(bytes);
  ASSERT_EQ(sent.size(), 1u);
  ASSERT_EQ(sent[0].nlri.size(), 1u);
  EXPECT_EQ(sent[0].nlri[0].prefix, prefix("10.244.9.0/26"));
}

TEST_F(RoutePolicyTest, ChangingExportFiltersWithdrawsAndAnnouncesWithoutAReset) {
  rib_.apply(kEbgpPeer, announce({"10.244.1.0/26", "10.244.2.0/26"}, {65002}));
  // The peer's update group (rib/update_groups.h) is where a filter change is carried out.
  UpdateGroups groups;
  const ExportPolicy policy = to_ebgp_peer(chain({reject("10.244.2.0/26", PrefixMatch::Equal)}));
  const PeerId peer = policy.peer;
  groups.join(peer, policy, {}, rib_);
  ASSERT_EQ(groups.advertised(peer, rib_), 1u);

  // Now 10.244.1.0/26 is rejected and 10.244.2.0/26 allowed.
  auto sent = updates(bytes_of(
      groups.set_filters(peer, chain({reject("10.244.1.0/26", PrefixMatch::Equal)}), rib_)));
  std::vector<IpPrefix> withdrawn;
  std::vector<IpPrefix> announced;
  for (const auto& u : sent) {
    for (const auto& n : u.withdrawn) withdrawn.push_back(n.prefix);
    for (const auto& n : u.nlri) announced.push_back(n.prefix);
  }
  EXPECT_EQ(withdrawn, std::vector<IpPrefix>{prefix("10.244.1.0/26")});
  EXPECT_EQ(announced, std::vector<IpPrefix>{prefix("10.244.2.0/26")});
  EXPECT_EQ(groups.advertised(peer, rib_), 1u);

  // The same filters again: nothing to send.
  EXPECT_TRUE(
      groups.set_filters(peer, chain({reject("10.244.1.0/26", PrefixMatch::Equal)}), rib_).empty());

  // Dropping the filters announces it again, unchanged routes stay as they were.
  sent = updates(bytes_of(groups.set_filters(peer, {}, rib_)));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].nlri.size(), 1u);
  EXPECT_EQ(groups.advertised(peer, rib_), 2u);
}

}  // namespace
}  // namespace pinto::rib
