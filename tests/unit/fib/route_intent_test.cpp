#include "fib/route_intent.h"

#include <gtest/gtest.h>

namespace pinto::fib {
namespace {

IpAddress address(const char* text) {
  return *IpAddress::parse(text);
}
IpPrefix prefix(const char* text) {
  return *IpPrefix::parse(text);
}

std::optional<KernelRoute> route(const char* p, std::vector<IpAddress> hops,
                                 const std::vector<EncapsulatedRange>& tunnels = {}) {
  return learned_route(prefix(p), hops, tunnels);
}

TEST(LearnedRoute, PlainViaTheNextHop) {
  const auto r = route("10.244.1.0/26", {address("10.0.0.2")});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->type, RouteType::Unicast);
  EXPECT_EQ(r->next_hops, (std::vector<NextHop>{{address("10.0.0.2"), "", false, 1}}));
}

TEST(LearnedRoute, NoUsableNextHopMeansNoRoute) {
  EXPECT_FALSE(route("10.244.1.0/26", {}));
  EXPECT_FALSE(route("10.244.1.0/26", {address("0.0.0.0")}));
}

TEST(LearnedRoute, EqualCostNextHopsAreOneRouteSortedAndUnique) {
  const auto r =
      route("10.96.0.0/12", {address("10.0.0.3"), address("10.0.0.2"), address("10.0.0.3")});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->next_hops.size(), 2u);
  EXPECT_EQ(r->next_hops[0].gateway, address("10.0.0.2"));
  EXPECT_EQ(r->next_hops[1].gateway, address("10.0.0.3"));
}

TEST(LearnedRoute, AnIpv4PrefixMayGoViaAnIpv6NextHop) {
  const auto r = route("10.244.1.0/26", {address("fd00::2")});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->next_hops[0].gateway, address("fd00::2"));
  EXPECT_TRUE(r->next_hops[0].device.empty());
}

TEST(LearnedRoute, InsideAnAlwaysPoolTheRouteGoesThroughTheTunnelOnlink) {
  const std::vector<EncapsulatedRange> tunnels{{prefix("10.244.0.0/16"), "vxlan.calico", {}}};
  const auto r = route("10.244.1.0/26", {address("10.0.0.2")}, tunnels);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->next_hops, (std::vector<NextHop>{{address("10.0.0.2"), "vxlan.calico", true, 1}}));
  // Outside the pool: direct.
  const auto outside = route("10.245.1.0/26", {address("10.0.0.2")}, tunnels);
  EXPECT_TRUE(outside->next_hops[0].device.empty());
  EXPECT_FALSE(outside->next_hops[0].onlink);
}

TEST(LearnedRoute, CrossSubnetTunnelsOnlyNextHopsOutsideTheNodesSubnet) {
  const std::vector<EncapsulatedRange> tunnels{
      {prefix("10.244.0.0/16"), "tunl0", prefix("192.168.1.0/24")}};
  const auto same = route("10.244.1.0/26", {address("192.168.1.7")}, tunnels);
  EXPECT_TRUE(same->next_hops[0].device.empty());
  const auto other = route("10.244.2.0/26", {address("192.168.2.7")}, tunnels);
  EXPECT_EQ(other->next_hops[0].device, "tunl0");
  EXPECT_TRUE(other->next_hops[0].onlink);
}

TEST(LearnedRoute, ATunnelCarriesOnlyItsOwnFamily) {
  const std::vector<EncapsulatedRange> tunnels{{prefix("10.244.0.0/16"), "vxlan.calico", {}},
                                               {prefix("fd00:244::/48"), "vxlan-v6.calico", {}}};
  const auto v4_via_v6 = route("10.244.1.0/26", {address("fd00::2")}, tunnels);
  EXPECT_TRUE(v4_via_v6->next_hops[0].device.empty());
  const auto v6 = route("fd00:244:0:1::/64", {address("fd00::2")}, tunnels);
  EXPECT_EQ(v6->next_hops[0].device, "vxlan-v6.calico");
}

}  // namespace
}  // namespace pinto::fib
