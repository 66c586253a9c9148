// NetlinkFibWriter against a real kernel, in a namespace of its own: every route it writes is read
// back with `ip route` (not only with its own dump), and routes of other protocols stay untouched.
#include <poll.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>

#include "fib/netlink_events.h"
#include "fib/netlink_fib_writer.h"
#include "fib/reconcile.h"
#include "integration/fixture.h"
#include "integration/in_netns.h"
#include "integration/netns.h"

namespace pinto::itest {
namespace {

using fib::FibChange;
using fib::KernelRoute;
using fib::NextHop;
using fib::RouteType;

IpAddress address(const char* text) {
  return *IpAddress::parse(text);
}
IpPrefix prefix(const char* text) {
  return *IpPrefix::parse(text);
}

KernelRoute via(const char* p, std::vector<const char*> gateways, const char* device = "") {
  KernelRoute r;
  r.prefix = prefix(p);
  for (const char* g : gateways) r.next_hops.push_back(NextHop{address(g), device, false, 1});
  std::sort(r.next_hops.begin(), r.next_hops.end());
  return r;
}

FibChange replace(KernelRoute r) {
  return {FibChange::Op::Replace, std::move(r)};
}
FibChange remove(KernelRoute r) {
  return {FibChange::Op::Delete, std::move(r)};
}

class NetlinkFibWriterTest : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    if (IsSkipped()) return;
    ns_ = std::make_unique<Netns>("fib");
    peer_ = std::make_unique<Netns>("fibpeer");
    link_ = std::make_unique<VethPair>(VethEnd{*ns_, "eth0", {"10.90.0.1/24", "fd00:90::1/64"}},
                                       VethEnd{*peer_, "eth0", {"10.90.0.2/24", "fd00:90::2/64"}});
    InNetns in(*ns_);
    auto writer = fib::NetlinkFibWriter::open();
    ASSERT_TRUE(writer) << writer.error().message;
    writer_ = std::move(writer).value();  // the socket stays in the namespace it was opened in
  }
  void TearDown() override {
    writer_.reset();
    link_.reset();
    peer_.reset();
    ns_.reset();
  }
  std::vector<fib::FibError> apply(std::vector<FibChange> batch) {
    InNetns in(*ns_);  // device names resolve in the namespace
    return writer_->apply(batch);
  }
  std::vector<KernelRoute> dump() {
    InNetns in(*ns_);
    auto routes = writer_->dump(254, 196);
    EXPECT_TRUE(routes) << routes.error().message;
    return routes ? routes.value() : std::vector<KernelRoute>{};
  }
  std::string ip_route(const std::string& family = "-4") {
    // -N: protocol numbers, not names (FRR's rt_protos.d names 196 "static").
    return ns_->run({"ip", "-N", family, "route", "show", "table", "254"}).output;
  }

  std::unique_ptr<Netns> ns_;
  std::unique_ptr<Netns> peer_;
  std::unique_ptr<VethPair> link_;
  std::unique_ptr<fib::NetlinkFibWriter> writer_;
};

TEST_F(NetlinkFibWriterTest, InstallsReplacesAndDeletes) {
  EXPECT_TRUE(apply({replace(via("10.244.1.0/26", {"10.90.0.2"}))}).empty());
  EXPECT_NE(ip_route().find("10.244.1.0/26 via 10.90.0.2 dev eth0 proto 196"), std::string::npos)
      << ip_route();
  ns_->run({"ip", "addr", "add", "10.90.0.3/24", "dev", "eth0"});
  EXPECT_TRUE(apply({replace(via("10.244.1.0/26", {"10.90.0.3"}))}).empty());
  EXPECT_NE(ip_route().find("10.244.1.0/26 via 10.90.0.3 dev eth0 proto 196"), std::string::npos)
      << ip_route();
  EXPECT_EQ(dump().size(), 1u);
  EXPECT_TRUE(apply({remove(via("10.244.1.0/26", {"10.90.0.3"}))}).empty());
  EXPECT_EQ(ip_route().find("10.244.1.0/26"), std::string::npos) << ip_route();
  EXPECT_TRUE(dump().empty());
}

TEST_F(NetlinkFibWriterTest, EcmpIsOneRouteWithSeveralNextHops) {
  ns_->run({"ip", "addr", "add", "10.90.0.3/24", "dev", "eth0"});
  const KernelRoute ecmp = via("10.244.2.0/26", {"10.90.0.2", "10.90.0.4"}, "eth0");
  EXPECT_TRUE(apply({replace(ecmp)}).empty());
  const std::string routes = ip_route();
  EXPECT_NE(routes.find("10.244.2.0/26 proto 196"), std::string::npos) << routes;
  EXPECT_NE(routes.find("nexthop via 10.90.0.2 dev eth0 weight 1"), std::string::npos) << routes;
  EXPECT_NE(routes.find("nexthop via 10.90.0.4 dev eth0 weight 1"), std::string::npos) << routes;
  const auto back = dump();
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0], ecmp);
}

TEST_F(NetlinkFibWriterTest, BlackholesForIpv4AndIpv6) {
  KernelRoute v4{prefix("10.244.3.0/26"), RouteType::Blackhole, {}, 254, 196};
  KernelRoute v6{prefix("fd00:244:3::/122"), RouteType::Blackhole, {}, 254, 196};
  EXPECT_TRUE(apply({replace(v4), replace(v6)}).empty());
  EXPECT_NE(ip_route().find("6 10.244.3.0/26 proto 196") /* type 6: blackhole */, std::string::npos)
      << ip_route();
  EXPECT_NE(ip_route("-6").find("6 fd00:244:3::/122 dev lo proto 196"), std::string::npos)
      << ip_route("-6");
  EXPECT_EQ(dump().size(), 2u);
}

TEST_F(NetlinkFibWriterTest, OnlinkReachesAGatewayOffTheConnectedSubnets) {
  KernelRoute r = via("10.244.4.0/26", {"192.168.200.1"}, "eth0");
  r.next_hops[0].onlink = true;
  EXPECT_TRUE(apply({replace(r)}).empty());
  EXPECT_NE(ip_route().find("10.244.4.0/26 via 192.168.200.1 dev eth0 proto 196 onlink"),
            std::string::npos)
      << ip_route();
  ASSERT_EQ(dump().size(), 1u);
  EXPECT_EQ(dump()[0], r);
}

TEST_F(NetlinkFibWriterTest, Ipv6ViaAGateway) {
  EXPECT_TRUE(apply({replace(via("fd00:244:5::/64", {"fd00:90::2"}))}).empty());
  EXPECT_NE(ip_route("-6").find("fd00:244:5::/64 via fd00:90::2 dev eth0 proto 196"),
            std::string::npos)
      << ip_route("-6");
}

TEST_F(NetlinkFibWriterTest, RoutesOfOtherProtocolsAreNeverSeenNorTouched) {
  ns_->run({"ip", "route", "add", "10.244.6.0/26", "via", "10.90.0.2", "proto", "static"});
  EXPECT_TRUE(dump().empty());
  // Reconciling an empty desired set against our (empty) dump deletes nothing of theirs.
  EXPECT_TRUE(fib::reconcile({}, dump()).empty());
  EXPECT_NE(ip_route().find("10.244.6.0/26 via 10.90.0.2 dev eth0 proto 4"), std::string::npos);
}

TEST_F(NetlinkFibWriterTest, ErrorsAreReportedPerRouteAndTheRestOfTheBatchApplies) {
  const auto errors = apply({
      replace(via("10.244.7.0/26", {"10.90.0.2"})),
      replace(via("10.244.8.0/26", {"10.90.0.2"}, "nosuchdev")),
      replace(via("10.244.9.0/26", {"192.168.201.1"})),  // not on a connected subnet, no onlink
      replace(via("10.244.10.0/26", {"10.90.0.2"})),
  });
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].index, 1u);
  EXPECT_NE(errors[0].message.find("no device nosuchdev"), std::string::npos) << errors[0].message;
  EXPECT_EQ(errors[1].index, 2u);
  EXPECT_NE(errors[1].message.find("10.244.9.0/26"), std::string::npos) << errors[1].message;
  const std::string routes = ip_route();
  EXPECT_NE(routes.find("10.244.7.0/26"), std::string::npos) << routes;
  EXPECT_NE(routes.find("10.244.10.0/26"), std::string::npos) << routes;
  EXPECT_EQ(dump().size(), 2u);
}

TEST_F(NetlinkFibWriterTest, TenThousandRoutesReconcileToZeroChanges) {
  std::vector<KernelRoute> desired;
  for (std::uint32_t i = 0; i < 10000; ++i) {
    KernelRoute r;
    r.prefix = IpPrefix(IpAddress::v4((10u << 24) | (100u << 16) | (i << 2)), 30);
    r.next_hops.push_back(NextHop{address("10.90.0.2"), "", false, 1});
    desired.push_back(r);
  }
  std::vector<FibChange> install;
  for (const auto& r : desired) install.push_back(replace(r));
  EXPECT_TRUE(apply(install).empty());
  const auto kernel = dump();
  EXPECT_EQ(kernel.size(), 10000u);
  EXPECT_TRUE(fib::reconcile(desired, kernel).empty());
  // One route changed behind our back: reconciliation repairs exactly that one.
  ns_->run({"ip", "route", "del", "10.100.0.4/30", "proto", "196"});
  const auto repair = fib::reconcile(desired, dump());
  ASSERT_EQ(repair.size(), 1u);
  EXPECT_EQ(repair[0].route.prefix, prefix("10.100.0.4/30"));
}

TEST_F(NetlinkFibWriterTest, AnIpv4PrefixGoesViaAnIpv6NextHop) {
  const KernelRoute r = via("10.244.9.0/26", {"fd00:90::2"});
  ASSERT_TRUE(apply({replace(r)}).empty());
  const std::string routes = ip_route();
  EXPECT_NE(routes.find("10.244.9.0/26 via inet6 fd00:90::2 dev eth0 proto 196"), std::string::npos)
      << routes;
  EXPECT_TRUE(fib::reconcile({r}, dump()).empty());  // read back as written (RTA_VIA)
}

fib::TunnelDevice vxlan_device() {
  fib::TunnelDevice d;
  d.name = "vxlan.calico";
  d.local = address("10.90.0.1");
  return d;
}

TEST_F(NetlinkFibWriterTest, TheVxlanDeviceIsMadeOnceAndFloodsToTheGivenNodes) {
  {
    InNetns in(*ns_);
    auto made = writer_->ensure_tunnel(vxlan_device());
    ASSERT_TRUE(made) << made.error().message;
  }
  const std::string link = ns_->run({"ip", "-d", "link", "show", "vxlan.calico"}).output;
  for (const char* expected : {"vxlan id 4096", "local 10.90.0.1", "dstport 4789", "mtu 1450"})
    EXPECT_NE(link.find(expected), std::string::npos) << expected << " in " << link;
  EXPECT_NE(link.find(",UP"), std::string::npos) << link;
  const std::string index = link.substr(0, link.find(':'));
  {
    InNetns in(*ns_);
    ASSERT_TRUE(writer_->ensure_tunnel(vxlan_device()));  // already right: kept, not rebuilt
    auto flood =
        writer_->set_flood_list("vxlan.calico", {address("10.90.0.2"), address("10.90.0.3")});
    ASSERT_TRUE(flood) << flood.error().message;
  }
  const std::string again = ns_->run({"ip", "-d", "link", "show", "vxlan.calico"}).output;
  EXPECT_EQ(again.substr(0, again.find(':')), index) << again;
  auto fdb = [&] { return ns_->run({"bridge", "fdb", "show", "dev", "vxlan.calico"}).output; };
  EXPECT_NE(fdb().find("00:00:00:00:00:00 dst 10.90.0.2"), std::string::npos) << fdb();
  EXPECT_NE(fdb().find("00:00:00:00:00:00 dst 10.90.0.3"), std::string::npos) << fdb();
  {
    InNetns in(*ns_);
    ASSERT_TRUE(writer_->set_flood_list("vxlan.calico", {address("10.90.0.3")}));
  }
  EXPECT_EQ(fdb().find("dst 10.90.0.2"), std::string::npos) << fdb();
  EXPECT_NE(fdb().find("00:00:00:00:00:00 dst 10.90.0.3"), std::string::npos) << fdb();

  KernelRoute tunnelled = via("10.244.2.0/26", {"10.90.0.3"}, "vxlan.calico");
  tunnelled.next_hops[0].onlink = true;
  ASSERT_TRUE(apply({replace(tunnelled)}).empty());
  EXPECT_NE(ip_route().find("10.244.2.0/26 via 10.90.0.3 dev vxlan.calico proto 196 onlink"),
            std::string::npos)
      << ip_route();
  EXPECT_TRUE(fib::reconcile({tunnelled}, dump()).empty());
}

TEST_F(NetlinkFibWriterTest, IpipTunnelsAreMadeOrRefusedWithAClearReason) {
  // What this kernel can do, asked of `ip` in the other namespace.
  const bool kernel_has_ipip =
      peer_->run({"ip", "link", "add", "ipipprobe", "type", "ipip", "local", "10.90.0.2"})
          .exit_code == 0;
  if (kernel_has_ipip) peer_->run({"ip", "link", "del", "ipipprobe"});
  fib::TunnelDevice ipip;
  ipip.kind = fib::TunnelDevice::Kind::Ipip;
  ipip.name = "tunl0";
  ipip.local = address("10.90.0.1");
  InNetns in(*ns_);
  auto made = writer_->ensure_tunnel(ipip);
  if (kernel_has_ipip) {
    EXPECT_TRUE(made) << made.error().message;
  } else {
    ASSERT_FALSE(made);
    EXPECT_NE(made.error().message.find("this kernel cannot make IPIP tunnels"), std::string::npos)
        << made.error().message;
  }
}

std::vector<fib::KernelEvent> wait_for_events(
    fib::NetlinkEvents& events, const std::function<bool(const fib::KernelEvent&)>& wanted) {
  std::vector<fib::KernelEvent> seen;
  for (int round = 0; round < 40; ++round) {  // 2 s at most
    pollfd p{events.fd(), POLLIN, 0};
    ::poll(&p, 1, 50);
    for (auto& e : events.read()) {
      seen.push_back(e);
      if (wanted(e)) return seen;
    }
  }
  return seen;
}

TEST_F(NetlinkFibWriterTest, KernelEventsTellOfDeletedRoutesAndLinksGoingDown) {
  std::unique_ptr<fib::NetlinkEvents> events;
  {
    InNetns in(*ns_);
    auto opened = fib::NetlinkEvents::open();
    ASSERT_TRUE(opened) << opened.error().message;
    events = std::move(opened).value();
  }
  ASSERT_TRUE(apply({replace(via("10.244.7.0/26", {"10.90.0.2"}))}).empty());
  ns_->run({"ip", "route", "del", "10.244.7.0/26", "proto", "196"});
  auto seen = wait_for_events(*events, [](const fib::KernelEvent& e) {
    return e.kind == fib::KernelEvent::Kind::RouteDeleted;
  });
  ASSERT_FALSE(seen.empty());
  const auto& deleted = seen.back();
  EXPECT_EQ(deleted.kind, fib::KernelEvent::Kind::RouteDeleted);
  EXPECT_EQ(deleted.prefix, prefix("10.244.7.0/26"));
  EXPECT_EQ(deleted.table, 254u);
  EXPECT_EQ(deleted.protocol, 196);
  // Our own writes are filtered out before they reach us: none of what we saw is an addition.
  ns_->set_link_state("eth0", LinkState::Down);
  seen = wait_for_events(*events, [](const fib::KernelEvent& e) {
    return e.kind == fib::KernelEvent::Kind::LinkChanged && e.link == "eth0" && !e.up;
  });
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back().link, "eth0");
  EXPECT_FALSE(seen.back().up);
}

}  // namespace
}  // namespace pinto::itest
