// Route reflection (RFC 4456): which iBGP peers a reflected route goes to, the ORIGINATOR_ID and
// CLUSTER_LIST it carries there, and the loops a reflector and its clients refuse.
#include <gtest/gtest.h>

#include "rib/adj_rib_out.h"
#include "rib/rib.h"

namespace pinto::rib {
namespace {

using bgp::wire::AsPath;
using bgp::wire::AsSegment;
using bgp::wire::AsSegmentType;
using bgp::wire::PathAttributes;
using bgp::wire::Update;

constexpr std::uint32_t kLocalAs = 64512;

IpAddress address(const char* text) {
  return *IpAddress::parse(text);
}
std::uint32_t id(const char* text) {
  return address(text).v4_value();
}
IpPrefix prefix(const char* text) {
  return *IpPrefix::parse(text);
}

const std::uint32_t kRouterId = id("10.0.0.1");
const std::uint32_t kClusterId = id("1.1.1.1");

PeerInfo ibgp_peer(PeerId peer, const char* router_id, bool client) {
  return PeerInfo{peer, false, kLocalAs, id(router_id), address(router_id), client};
}

std::shared_ptr<PathAttributes> ibgp_attributes() {
  auto a = std::make_shared<PathAttributes>();
  a->origin = bgp::wire::Origin::Igp;
  a->as_path = AsPath{};
  a->local_pref = 100;
  return a;
}

ExportPolicy to(PeerId peer, bool client, bool ebgp = false, bool reflector = true) {
  ExportPolicy p;
  p.peer = peer;
  p.ebgp = ebgp;
  p.local_as = kLocalAs;
  p.peer_as = ebgp ? 65009 : kLocalAs;
  p.next_hop_ipv4 = address("10.0.0.1");
  if (reflector) p.cluster_id = kClusterId;
  p.route_reflector_client = client;
  return p;
}

// ------------------------------------------------------------------ who gets what (§6)

class ReflectionExport : public testing::Test {
 protected:
  const PeerInfo client_a_ = ibgp_peer(1, "10.0.0.2", true);
  const PeerInfo non_client_ = ibgp_peer(3, "10.0.0.4", false);
  const PeerInfo ebgp_source_{4, true, 65002, id("10.0.0.5"), address("10.0.0.5"), false};
  const Path from_client_ = path_via(1, ibgp_attributes(), address("10.0.0.2"));
  const Path from_non_client_ = path_via(3, ibgp_attributes(), address("10.0.0.4"));
  const IpPrefix p_ = prefix("10.244.1.0/26");
};

TEST_F(ReflectionExport, AClientsRouteGoesToOtherClientsAndToNonClients) {
  EXPECT_TRUE(export_attributes(p_, from_client_, client_a_, to(2, /*client=*/true)));
  EXPECT_TRUE(export_attributes(p_, from_client_, client_a_, to(3, /*client=*/false)));
  // ...but never back to the client it came from.
  EXPECT_FALSE(export_attributes(p_, from_client_, client_a_, to(1, /*client=*/true)));
}

TEST_F(ReflectionExport, ANonClientsRouteGoesToClientsOnly) {
  EXPECT_TRUE(export_attributes(p_, from_non_client_, non_client_, to(2, /*client=*/true)));
  EXPECT_FALSE(export_attributes(p_, from_non_client_, non_client_, to(5, /*client=*/false)));
}

TEST_F(ReflectionExport, WithoutAClusterIdNoIbgpRouteGoesToAnIbgpPeer) {
  // The client flags mean nothing on a node that does not reflect (RFC 4271 §9.1.1).
  EXPECT_FALSE(export_attributes(p_, from_client_, client_a_,
                                 to(2, /*client=*/true, /*ebgp=*/false, /*reflector=*/false)));
  EXPECT_FALSE(export_attributes(p_, from_non_client_, non_client_,
                                 to(2, /*client=*/true, /*ebgp=*/false, /*reflector=*/false)));
}

TEST_F(ReflectionExport, ReflectedRoutesCarryTheOriginatorAndOurClusterFirst) {
  auto out = export_attributes(p_, from_client_, client_a_, to(2, true));
  ASSERT_TRUE(out);
  EXPECT_EQ(out->originator_id, id("10.0.0.2"));  // the client that sent it to us
  EXPECT_EQ(out->cluster_list, std::vector<std::uint32_t>{kClusterId});
  EXPECT_EQ(out->next_hop, address("10.0.0.2"));  // a reflector leaves the next hop alone
  EXPECT_EQ(out->local_pref, 100u);
}

TEST_F(ReflectionExport, AnOriginatorAlreadySetIsKeptAndOurClusterIsPrepended) {
  auto a = ibgp_attributes();
  a->originator_id = id("10.9.9.9");
  a->cluster_list = {id("2.2.2.2")};
  Path reflected_before = path_via(3, a, address("10.9.9.9"));
  auto out = export_attributes(p_, reflected_before, non_client_, to(2, true));
  ASSERT_TRUE(out);
  EXPECT_EQ(out->originator_id, id("10.9.9.9"));
  EXPECT_EQ(out->cluster_list, (std::vector<std::uint32_t>{kClusterId, id("2.2.2.2")}));
}

TEST_F(ReflectionExport, EbgpPeersNeverSeeOriginatorOrClusterList) {
  auto a = ibgp_attributes();
  a->originator_id = id("10.9.9.9");
  a->cluster_list = {id("2.2.2.2")};
  Path reflected_before = path_via(1, a, address("10.0.0.2"));
  auto out = export_attributes(p_, reflected_before, client_a_, to(9, false, /*ebgp=*/true));
  ASSERT_TRUE(out);
  EXPECT_FALSE(out->originator_id);
  EXPECT_TRUE(out->cluster_list.empty());
}

TEST_F(ReflectionExport, RoutesThatAreNotReflectedCarryNeither) {
  // Our own routes and eBGP-learned routes go to iBGP peers as plain iBGP, clients or not.
  Path local = path_via(kLocalPeer, ibgp_attributes(), IpAddress{});
  const PeerInfo self{};
  auto own = export_attributes(p_, local, self, to(2, true));
  ASSERT_TRUE(own);
  EXPECT_FALSE(own->originator_id);
  EXPECT_TRUE(own->cluster_list.empty());

  auto a = ibgp_attributes();
  a->as_path = AsPath{{AsSegment{AsSegmentType::Sequence, {65002}}}};
  a->originator_id = id("10.9.9.9");  // nonsense from an eBGP peer: not passed on
  Path external = path_via(4, a, address("10.0.0.5"));
  auto out = export_attributes(p_, external, ebgp_source_, to(3, false));
  ASSERT_TRUE(out);
  EXPECT_FALSE(out->originator_id);
  EXPECT_TRUE(out->cluster_list.empty());
}

TEST(ReflectionAdjRibOut, EncodedUpdateCarriesOriginatorAndClusterList) {
  Rib rib(kLocalAs, kRouterId, kClusterId);
  rib.set_peer(ibgp_peer(1, "10.0.0.2", true));
  rib.set_peer(ibgp_peer(2, "10.0.0.3", true));
  Update u;
  u.attributes = *ibgp_attributes();
  u.attributes.next_hop = address("10.0.0.2");
  u.nlri.push_back({prefix("10.244.1.0/26"), 0});
  const RouteDelta d = rib.apply(1, u);

  AdjRibOut out(to(2, true));
  bgp::wire::Bytes bytes;
  ASSERT_EQ(out.sync(d, rib, {}, bytes), 1u);
  auto decoded = bgp::wire::decode(bytes, {});
  ASSERT_TRUE(decoded);
  const auto& sent = std::get<Update>(decoded.value());
  EXPECT_EQ(sent.attributes.originator_id, id("10.0.0.2"));
  EXPECT_EQ(sent.attributes.cluster_list, std::vector<std::uint32_t>{kClusterId});

  AdjRibOut back(to(1, true));  // the originating client gets nothing
  bytes.clear();
  EXPECT_EQ(back.sync(d, rib, {}, bytes), 0u);
}

// ------------------------------------------------------------------ loops (§8)

Update announce_with(std::optional<std::uint32_t> originator, std::vector<std::uint32_t> clusters) {
  Update u;
  u.attributes = *ibgp_attributes();
  u.attributes.next_hop = address("10.0.0.9");
  u.attributes.originator_id = originator;
  u.attributes.cluster_list = std::move(clusters);
  u.nlri.push_back({prefix("10.244.9.0/26"), 0});
  return u;
}

TEST(ReflectionLoops, OurOwnRouteReflectedBackIsDropped) {
  Rib rib(kLocalAs, kRouterId);  // any speaker, reflector or not
  rib.set_peer(ibgp_peer(1, "10.0.0.2", false));
  const Update u = announce_with(kRouterId, {id("2.2.2.2")});
  EXPECT_EQ(rib.loop_of(u.attributes), Loop::OriginatorId);
  EXPECT_TRUE(rib.apply(1, u).empty());
  EXPECT_EQ(rib.best(prefix("10.244.9.0/26")), nullptr);
}

TEST(ReflectionLoops, OurClusterInTheListIsDroppedByAReflector) {
  Rib rib(kLocalAs, kRouterId, kClusterId);
  rib.set_peer(ibgp_peer(1, "10.0.0.2", false));
  const Update u = announce_with(id("10.0.0.7"), {id("2.2.2.2"), kClusterId});
  EXPECT_EQ(rib.loop_of(u.attributes), Loop::ClusterList);
  rib.apply(1, u);
  EXPECT_EQ(rib.best(prefix("10.244.9.0/26")), nullptr);
}

TEST(ReflectionLoops, AnotherClusterOrANonReflectorAcceptsTheRoute) {
  Rib reflector(kLocalAs, kRouterId, kClusterId);
  reflector.set_peer(ibgp_peer(1, "10.0.0.2", false));
  const Update u = announce_with(id("10.0.0.7"), {id("2.2.2.2")});
  EXPECT_EQ(reflector.loop_of(u.attributes), Loop::None);
  reflector.apply(1, u);
  EXPECT_NE(reflector.best(prefix("10.244.9.0/26")), nullptr);

  // A client sees the cluster ID of its reflector in the list: that is no loop for it.
  Rib client(kLocalAs, id("10.0.0.3"));
  client.set_peer(ibgp_peer(1, "10.0.0.1", false));
  const Update v = announce_with(id("10.0.0.7"), {kClusterId});
  EXPECT_EQ(client.loop_of(v.attributes), Loop::None);
  client.apply(1, v);
  EXPECT_NE(client.best(prefix("10.244.9.0/26")), nullptr);
}

TEST(ReflectionLoops, ALoopedReannouncementWithdrawsThePreviousRoute) {
  Rib rib(kLocalAs, kRouterId, kClusterId);
  rib.set_peer(ibgp_peer(1, "10.0.0.2", false));
  rib.apply(1, announce_with(std::nullopt, {}));
  ASSERT_NE(rib.best(prefix("10.244.9.0/26")), nullptr);
  const RouteDelta d = rib.apply(1, announce_with(std::nullopt, {kClusterId}));
  EXPECT_EQ(d.changed, std::vector<IpPrefix>{prefix("10.244.9.0/26")});
  EXPECT_EQ(rib.best(prefix("10.244.9.0/26")), nullptr);
}

}  // namespace
}  // namespace pinto::rib
