#include "rib/rib.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "rib/adj_rib_out.h"

namespace pinto::rib {
namespace {

using bgp::wire::AfiSafi;
using bgp::wire::AsPath;
using bgp::wire::AsSegment;
using bgp::wire::AsSegmentType;
using bgp::wire::PathAttributes;
using bgp::wire::Update;

constexpr std::uint32_t kLocalAs = 65001;

IpPrefix prefix(const char* text) {
  return *IpPrefix::parse(text);
}
IpAddress address(const char* text) {
  return *IpAddress::parse(text);
}

Update announce(std::initializer_list<const char*> prefixes, std::vector<std::uint32_t> path,
                const char* next_hop, std::optional<std::uint32_t> med = std::nullopt) {
  Update u;
  u.attributes.origin = bgp::wire::Origin::Igp;
  u.attributes.as_path = AsPath{{AsSegment{AsSegmentType::Sequence, std::move(path)}}};
  u.attributes.med = med;
  const IpAddress nh = address(next_hop);
  std::vector<bgp::wire::Nlri> v6;
  for (const char* p : prefixes) {
    if (prefix(p).address().is_v4()) {
      u.nlri.push_back({prefix(p), 0});
    } else {
      v6.push_back({prefix(p), 0});
    }
  }
  if (nh.is_v4()) {
    u.attributes.next_hop = nh;
  } else {
    u.attributes.mp_reach = bgp::wire::MpReach{AfiSafi::ipv6_unicast(), nh, std::nullopt, v6};
  }
  return u;
}

Update withdraw(std::initializer_list<const char*> prefixes) {
  Update u;
  for (const char* p : prefixes) u.withdrawn.push_back({prefix(p), 0});
  return u;
}

class RibTest : public testing::Test {
 protected:
  RibTest() : rib_(kLocalAs, address("10.0.0.1").v4_value()) {
    rib_.set_peer({1, true, 65002, address("10.0.0.2").v4_value(), address("10.0.0.2")});
    rib_.set_peer({2, true, 65003, address("10.0.0.3").v4_value(), address("10.0.0.3")});
    rib_.set_peer({3, false, kLocalAs, address("10.0.0.4").v4_value(), address("10.0.0.4")});
  }
  Rib rib_;
};

TEST_F(RibTest, AnnouncementsBecomeBestAndWithdrawalsRemoveThem) {
  auto d = rib_.apply(1, announce({"10.244.1.0/26", "10.244.2.0/26"}, {65002}, "10.0.0.2"));
  EXPECT_EQ(d.changed.size(), 2u);
  ASSERT_NE(rib_.best(prefix("10.244.1.0/26")), nullptr);
  EXPECT_EQ(rib_.best(prefix("10.244.1.0/26"))->next_hop(), address("10.0.0.2"));
  // The same announcement again changes nothing.
  EXPECT_TRUE(rib_.apply(1, announce({"10.244.1.0/26"}, {65002}, "10.0.0.2")).empty());
  d = rib_.apply(1, withdraw({"10.244.1.0/26"}));
  EXPECT_EQ(d.changed, std::vector<IpPrefix>{prefix("10.244.1.0/26")});
  EXPECT_EQ(rib_.best(prefix("10.244.1.0/26")), nullptr);
  EXPECT_EQ(rib_.path_count(1), 1u);
}

TEST_F(RibTest, ShorterAsPathWinsAndTheRunnerUpTakesOverOnWithdraw) {
  rib_.apply(1, announce({"10.244.1.0/26"}, {65002, 65010}, "10.0.0.2"));
  auto d = rib_.apply(2, announce({"10.244.1.0/26"}, {65003}, "10.0.0.3"));
  EXPECT_EQ(d.changed.size(), 1u);
  EXPECT_EQ(rib_.best(prefix("10.244.1.0/26"))->peer, 2u);
  rib_.apply(2, withdraw({"10.244.1.0/26"}));
  EXPECT_EQ(rib_.best(prefix("10.244.1.0/26"))->peer, 1u);
}

TEST_F(RibTest, Ipv6ViaMpReachAndMpUnreach) {
  rib_.apply(1, announce({"fd00:244:1::/64"}, {65002}, "fd00::2"));
  ASSERT_NE(rib_.best(prefix("fd00:244:1::/64")), nullptr);
  EXPECT_EQ(rib_.best(prefix("fd00:244:1::/64"))->next_hop(), address("fd00::2"));
  Update u;
  u.attributes.mp_unreach =
      bgp::wire::MpUnreach{AfiSafi::ipv6_unicast(), {{prefix("fd00:244:1::/64"), 0}}};
  EXPECT_EQ(rib_.apply(1, u).changed.size(), 1u);
  EXPECT_EQ(rib_.best(prefix("fd00:244:1::/64")), nullptr);
}

TEST_F(RibTest, OurOwnAsInThePathIsTreatedAsWithdrawn) {
  rib_.apply(1, announce({"10.244.1.0/26"}, {65002}, "10.0.0.2"));
  auto d = rib_.apply(1, announce({"10.244.1.0/26"}, {65002, kLocalAs}, "10.0.0.2"));
  EXPECT_EQ(d.changed.size(), 1u);
  EXPECT_EQ(rib_.best(prefix("10.244.1.0/26")), nullptr);
}

TEST_F(RibTest, TreatAsWithdrawRemovesEveryAnnouncedPrefix) {
  rib_.apply(1, announce({"10.244.1.0/26"}, {65002}, "10.0.0.2"));
  Update bad = announce({"10.244.1.0/26"}, {65002}, "10.0.0.2");
  bad.errors.push_back(bgp::wire::DecodeError{
      bgp::wire::ErrorCode::UpdateMessage, 6, bgp::wire::ErrorAction::TreatAsWithdraw, {}, 1, "x"});
  rib_.apply(1, bad);
  EXPECT_EQ(rib_.best(prefix("10.244.1.0/26")), nullptr);
}

TEST_F(RibTest, LocallyOriginatedWinsOverLearned) {
  rib_.apply(1, announce({"10.244.1.0/26"}, {65002}, "10.0.0.2"));
  auto attributes = std::make_shared<PathAttributes>();
  attributes->origin = bgp::wire::Origin::Igp;
  EXPECT_EQ(rib_.originate(prefix("10.244.1.0/26"), attributes).changed.size(), 1u);
  EXPECT_EQ(rib_.best(prefix("10.244.1.0/26"))->peer, kLocalPeer);
  rib_.withdraw_originated(prefix("10.244.1.0/26"));
  EXPECT_EQ(rib_.best(prefix("10.244.1.0/26"))->peer, 1u);
}

TEST_F(RibTest, GracefulRestartKeepsStaleRoutesUntilSwept) {
  rib_.apply(1, announce({"10.244.1.0/26", "10.244.2.0/26"}, {65002}, "10.0.0.2"));
  rib_.apply(1, announce({"fd00:244:1::/64"}, {65002}, "fd00::2"));
  rib_.mark_stale(1, AfiSafi::ipv4_unicast());
  EXPECT_EQ(rib_.stale_count(1), 2u);
  ASSERT_NE(rib_.best(prefix("10.244.1.0/26")), nullptr);  // still usable
  // The peer comes back and re-announces one of them: that one is fresh again.
  rib_.apply(1, announce({"10.244.1.0/26"}, {65002}, "10.0.0.2"));
  EXPECT_EQ(rib_.stale_count(1), 1u);
  auto d = rib_.sweep_stale(1, AfiSafi::ipv4_unicast());
  EXPECT_EQ(d.changed, std::vector<IpPrefix>{prefix("10.244.2.0/26")});
  EXPECT_NE(rib_.best(prefix("10.244.1.0/26")), nullptr);
  EXPECT_NE(rib_.best(prefix("fd00:244:1::/64")), nullptr);  // other family untouched
}

TEST_F(RibTest, StaleLosesToAFreshEqualPath) {
  rib_.apply(1, announce({"10.244.1.0/26"}, {65002}, "10.0.0.2"));
  rib_.apply(2, announce({"10.244.1.0/26"}, {65003}, "10.0.0.3"));
  EXPECT_EQ(rib_.best(prefix("10.244.1.0/26"))->peer, 1u);  // lower router id
  auto d = rib_.mark_stale(1, AfiSafi::ipv4_unicast());
  EXPECT_EQ(d.changed.size(), 1u);
  EXPECT_EQ(rib_.best(prefix("10.244.1.0/26"))->peer, 2u);
}

TEST_F(RibTest, RemovePeerDropsEverythingItSent) {
  rib_.apply(1, announce({"10.244.1.0/26", "10.244.2.0/26"}, {65002}, "10.0.0.2"));
  EXPECT_EQ(rib_.remove_peer(1).changed.size(), 2u);
  EXPECT_EQ(rib_.prefix_count(), 0u);
}

TEST(Decision, ComparesInRfcOrder) {
  auto attrs = [](std::optional<std::uint32_t> local_pref, std::vector<std::uint32_t> path,
                  bgp::wire::Origin origin, std::optional<std::uint32_t> med) {
    auto a = std::make_shared<PathAttributes>();
    a->local_pref = local_pref;
    a->as_path = AsPath{{AsSegment{AsSegmentType::Sequence, std::move(path)}}};
    a->origin = origin;
    a->med = med;
    return a;
  };
  const PeerInfo ebgp{1, true, 65002, 2, address("10.0.0.2")};
  const PeerInfo ibgp{2, false, 65001, 1, address("10.0.0.3")};
  using O = bgp::wire::Origin;
  Path a = path_via(1, attrs(200, {1, 2}, O::Igp, {}), address("10.0.0.2"));
  Path b = path_via(2, attrs(100, {1}, O::Igp, {}), address("10.0.0.3"));
  EXPECT_EQ(compare({&a, &ebgp}, {&b, &ibgp}).reason, Reason::LocalPref);
  EXPECT_TRUE(compare({&a, &ebgp}, {&b, &ibgp}).first_wins);

  Path c = path_via(1, attrs({}, {1, 2}, O::Igp, {}), address("10.0.0.2"));
  EXPECT_EQ(compare({&c, &ebgp}, {&b, &ibgp}).reason, Reason::AsPathLength);
  EXPECT_FALSE(compare({&c, &ebgp}, {&b, &ibgp}).first_wins);

  Path d = path_via(1, attrs({}, {1}, O::Incomplete, {}), address("10.0.0.2"));
  EXPECT_EQ(compare({&d, &ebgp}, {&b, &ibgp}).reason, Reason::Origin);

  Path e = path_via(1, attrs({}, {1}, O::Igp, 10), address("10.0.0.2"));
  Path f = path_via(2, attrs({}, {1}, O::Igp, 5), address("10.0.0.3"));
  EXPECT_EQ(compare({&e, &ebgp}, {&f, &ibgp}).reason, Reason::Med);
  EXPECT_FALSE(compare({&e, &ebgp}, {&f, &ibgp}).first_wins);

  Path g = path_via(1, attrs({}, {1}, O::Igp, {}), address("10.0.0.2"));
  EXPECT_EQ(compare({&g, &ebgp}, {&b, &ibgp}).reason, Reason::EbgpOverIbgp);
  EXPECT_TRUE(compare({&g, &ebgp}, {&b, &ibgp}).first_wins);
}

// ------------------------------------------------------------------ export

class ExportTest : public testing::Test {
 protected:
  ExportPolicy policy(bool ebgp, NextHopPolicy nh = NextHopPolicy::Auto) {
    ExportPolicy p;
    p.peer = 9;
    p.ebgp = ebgp;
    p.local_as = kLocalAs;
    p.peer_as = ebgp ? 65009 : kLocalAs;
    p.next_hop = nh;
    p.next_hop_ipv4 = address("10.0.0.1");
    p.next_hop_ipv6 = address("fd00::1");
    return p;
  }
  std::shared_ptr<PathAttributes> learned() {
    auto a = std::make_shared<PathAttributes>();
    a->origin = bgp::wire::Origin::Igp;
    a->as_path = AsPath{{AsSegment{AsSegmentType::Sequence, {65002}}}};
    a->med = 7;
    a->local_pref = 300;
    return a;
  }
  const PeerInfo ebgp_source_{1, true, 65002, 2, address("10.0.0.2")};
  const PeerInfo ibgp_source_{2, false, kLocalAs, 3, address("10.0.0.3")};
};

TEST_F(ExportTest, EbgpPrependsSetsNextHopSelfAndDropsLocalPrefAndMed) {
  Path p = path_via(1, learned(), address("10.0.0.2"));
  auto out = export_attributes(prefix("10.244.1.0/26"), p, ebgp_source_, policy(true));
  ASSERT_TRUE(out);
  EXPECT_EQ(out->as_path->segments.front().asns, (std::vector<std::uint32_t>{kLocalAs, 65002}));
  EXPECT_EQ(out->next_hop, address("10.0.0.1"));
  EXPECT_FALSE(out->local_pref);
  EXPECT_FALSE(out->med);
}

TEST_F(ExportTest, IbgpKeepsNextHopAndPathAndSetsLocalPref) {
  Path p = path_via(1, learned(), address("10.0.0.2"));
  auto out = export_attributes(prefix("10.244.1.0/26"), p, ebgp_source_, policy(false));
  ASSERT_TRUE(out);
  EXPECT_EQ(out->as_path->segments.front().asns, (std::vector<std::uint32_t>{65002}));
  EXPECT_EQ(out->next_hop, address("10.0.0.2"));
  EXPECT_EQ(out->local_pref, 300u);
  EXPECT_EQ(out->med, 7u);
  auto self = export_attributes(prefix("10.244.1.0/26"), p, ebgp_source_,
                                policy(false, NextHopPolicy::Self));
  EXPECT_EQ(self->next_hop, address("10.0.0.1"));
}

TEST_F(ExportTest, LocalRoutesUseSelfUnlessInjectedWithANextHop) {
  const PeerInfo local{};
  Path own = path_via(kLocalPeer, learned(), IpAddress{});
  auto self = export_attributes(prefix("10.244.1.0/26"), own, local, policy(false));
  ASSERT_TRUE(self);
  EXPECT_EQ(self->next_hop, address("10.0.0.1"));
  // An injected path (AddPath with a next hop): iBGP peers get that next hop, eBGP peers self.
  Path injected = path_via(kLocalPeer, learned(), address("10.0.0.77"));
  auto ibgp = export_attributes(prefix("10.77.0.0/24"), injected, local, policy(false));
  ASSERT_TRUE(ibgp);
  EXPECT_EQ(ibgp->next_hop, address("10.0.0.77"));
  auto ebgp = export_attributes(prefix("10.77.0.0/24"), injected, local, policy(true));
  ASSERT_TRUE(ebgp);
  EXPECT_EQ(ebgp->next_hop, address("10.0.0.1"));
}

TEST_F(ExportTest, KeepLeavesTheNextHopOnEbgp) {
  Path p = path_via(1, learned(), address("10.0.0.2"));
  auto out = export_attributes(prefix("10.244.1.0/26"), p, ebgp_source_,
                               policy(true, NextHopPolicy::Keep));
  EXPECT_EQ(out->next_hop, address("10.0.0.2"));
}

TEST_F(ExportTest, IbgpLearnedIsNotSentToIbgpPeersNorBackToItsSource) {
  Path p = path_via(2, learned(), address("10.0.0.3"));
  EXPECT_FALSE(export_attributes(prefix("10.244.1.0/26"), p, ibgp_source_, policy(false)));
  Path q = path_via(9, learned(), address("10.0.0.9"));
  EXPECT_FALSE(export_attributes(prefix("10.244.1.0/26"), q, ebgp_source_, policy(true)));
}

TEST_F(ExportTest, APathThroughThePeersAsIsNotSentToIt) {
  auto a = learned();
  a->as_path = AsPath{{AsSegment{AsSegmentType::Sequence, {65002, 65009}}}};
  Path p = path_via(1, a, address("10.0.0.2"));
  EXPECT_FALSE(export_attributes(prefix("10.244.1.0/26"), p, ebgp_source_, policy(true)));
}

TEST_F(ExportTest, Ipv6GoesInMpReachWithOurAddress) {
  auto a = std::make_shared<PathAttributes>();
  Path local = path_via(kLocalPeer, a, IpAddress{});
  const PeerInfo self{kLocalPeer, false, 0, 0, IpAddress{}};
  auto out = export_attributes(prefix("fd00:244:1::/64"), local, self, policy(false));
  ASSERT_TRUE(out);
  ASSERT_TRUE(out->mp_reach);
  EXPECT_EQ(out->mp_reach->next_hop, address("fd00::1"));
  EXPECT_FALSE(out->next_hop);
  EXPECT_EQ(out->local_pref, 100u);
}

TEST_F(RibTest, AdjRibOutSendsOnlyWhatChangedAndPacksEqualAttributes) {
  ExportPolicy p;
  p.peer = 9;
  p.ebgp = true;
  p.local_as = kLocalAs;
  p.peer_as = 65009;
  p.next_hop_ipv4 = address("10.0.0.1");
  AdjRibOut out(p);
  const auto d = rib_.apply(
      1, announce({"10.244.1.0/26", "10.244.2.0/26", "10.244.3.0/26"}, {65002}, "10.0.0.2"));
  bgp::wire::Bytes bytes;
  EXPECT_EQ(out.sync(d, rib_, {}, bytes), 1u);  // three prefixes, one UPDATE
  EXPECT_EQ(out.advertised(rib_), 3u);
  auto decoded = bgp::wire::decode(bytes, {});
  ASSERT_TRUE(decoded);
  EXPECT_EQ(std::get<Update>(decoded.value()).nlri.size(), 3u);

  // A longer path from peer 2 does not become best: nothing changes for the peer.
  bytes.clear();
  const auto worse = rib_.apply(2, announce({"10.244.1.0/26"}, {65003, 65004}, "10.0.0.3"));
  ASSERT_EQ(worse.alternatives_changed.size(), 1u);
  EXPECT_EQ(out.sync(worse, rib_, {}, bytes), 0u);
  EXPECT_TRUE(bytes.empty());

  const auto w = rib_.apply(1, withdraw({"10.244.2.0/26"}));
  EXPECT_EQ(out.sync(w, rib_, {}, bytes), 1u);
  auto withdrawal = bgp::wire::decode(bytes, {});
  ASSERT_TRUE(withdrawal);
  EXPECT_EQ(std::get<Update>(withdrawal.value()).withdrawn.size(), 1u);
  EXPECT_EQ(out.advertised(rib_), 2u);
  // Peer 1's route goes, peer 2's takes its place: one UPDATE replaces it, no withdrawal.
  bytes.clear();
  EXPECT_EQ(out.sync(rib_.apply(1, withdraw({"10.244.1.0/26"})), rib_, {}, bytes), 1u);
  auto replaced = bgp::wire::decode(bytes, {});
  ASSERT_TRUE(replaced);
  EXPECT_TRUE(std::get<Update>(replaced.value()).withdrawn.empty());
  EXPECT_EQ(std::get<Update>(replaced.value()).nlri.size(), 1u);
  EXPECT_EQ(out.advertised(rib_), 2u);
}

}  // namespace
}  // namespace pinto::rib

namespace pinto::rib {
namespace {

class MultipathTest : public RibTest {};

TEST_F(MultipathTest, PathsThatLoseOnlyOnATieBreakerAreEqualCost) {
  rib_.apply(1, announce({"10.96.0.0/12"}, {65002}, "10.0.0.2"));
  const auto d = rib_.apply(2, announce({"10.96.0.0/12"}, {65003}, "10.0.0.3"));
  // The best path stayed; the FIB still hears of the new equal path.
  EXPECT_TRUE(d.changed.empty());
  EXPECT_EQ(d.alternatives_changed, std::vector<IpPrefix>{prefix("10.96.0.0/12")});
  // iBGP with an AS path as long: loses on eBGP over iBGP, so it is not equal cost.
  rib_.apply(3, announce({"10.96.0.0/12"}, {65020}, "10.0.0.4"));
  const auto paths = rib_.multipath(prefix("10.96.0.0/12"), 16);
  ASSERT_EQ(paths.size(), 2u);
  EXPECT_EQ(paths[0], rib_.best(prefix("10.96.0.0/12")));
  std::vector<IpAddress> hops{paths[0]->next_hop(), paths[1]->next_hop()};
  std::sort(hops.begin(), hops.end());
  EXPECT_EQ(hops, (std::vector<IpAddress>{address("10.0.0.2"), address("10.0.0.3")}));
  EXPECT_EQ(rib_.multipath(prefix("10.96.0.0/12"), 1).size(), 1u);
  EXPECT_TRUE(rib_.multipath(prefix("10.97.0.0/16"), 16).empty());
}

TEST_F(MultipathTest, ALongerAsPathOrAWorseOriginIsNotEqualCost) {
  rib_.apply(1, announce({"10.96.0.0/12"}, {65002}, "10.0.0.2"));
  rib_.apply(2, announce({"10.96.0.0/12"}, {65003, 65010}, "10.0.0.3"));
  EXPECT_EQ(rib_.multipath(prefix("10.96.0.0/12"), 16).size(), 1u);
  auto worse_origin = announce({"10.96.0.0/12"}, {65003}, "10.0.0.3");
  worse_origin.attributes.origin = bgp::wire::Origin::Incomplete;
  rib_.apply(2, worse_origin);
  EXPECT_EQ(rib_.multipath(prefix("10.96.0.0/12"), 16).size(), 1u);
  // Withdrawing the runner-up is news for the FIB only.
  const auto d = rib_.apply(2, withdraw({"10.96.0.0/12"}));
  EXPECT_TRUE(d.changed.empty());
  EXPECT_EQ(d.alternatives_changed.size(), 1u);
}

}  // namespace
}  // namespace pinto::rib
