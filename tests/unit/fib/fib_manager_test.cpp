// FibManager over the in-memory writer: coalescing, flood lists that follow the routes through a
// VXLAN device, and repairs from kernel events.
#include "fib/fib_manager.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "fib/memory_fib_writer.h"

namespace pinto::fib {
namespace {

using namespace std::chrono_literals;

IpAddress address(const char* text) {
  return *IpAddress::parse(text);
}
IpPrefix prefix(const char* text) {
  return *IpPrefix::parse(text);
}

KernelRoute via(const char* p, const char* gateway, const char* device = "") {
  KernelRoute r;
  r.prefix = prefix(p);
  r.next_hops.push_back(NextHop{address(gateway), device, device[0] != '\0', 1});
  return r;
}

TunnelDevice vxlan() {
  TunnelDevice d;
  d.name = "vxlan.calico";
  d.local = address("10.0.0.1");
  return d;
}

class FibManagerTest : public testing::Test {
 protected:
  FibManagerTest() {
    auto writer = std::make_unique<MemoryFibWriter>();
    writer_ = writer.get();
    manager_ = std::make_unique<FibManager>(io_, std::move(writer), 254, 196, 1ms);
  }
  // Runs the routing thread's handlers until `done` holds (results come back from the FIB
  // thread), for at most two seconds.
  bool settle(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + 2s;
    while (std::chrono::steady_clock::now() < deadline) {
      io_.restart();
      io_.poll();
      if (done()) return true;
      std::this_thread::sleep_for(1ms);
    }
    return false;
  }
  std::size_t kernel_size() { return writer_->dump(254, 196).value().size(); }

  boost::asio::io_context io_;
  MemoryFibWriter* writer_;  // owned by manager_, used on its FIB thread
  std::unique_ptr<FibManager> manager_;
};

TEST_F(FibManagerTest, ChangesToOnePrefixWithinATurnAreOneWrite) {
  manager_->set(via("10.244.1.0/26", "10.0.0.2"));
  manager_->set(via("10.244.1.0/26", "10.0.0.3"));
  manager_->remove(prefix("10.244.2.0/26"));  // never there: nothing to write
  ASSERT_TRUE(settle([&] { return writer_->changes_applied() == 1; }));
  EXPECT_EQ(writer_->dump(254, 196).value()[0].next_hops[0].gateway, address("10.0.0.3"));
  EXPECT_EQ(manager_->changes_written(), 1u);
}

TEST_F(FibManagerTest, TheVxlanFloodListFollowsTheGatewaysOfRoutesThroughIt) {
  manager_->set_tunnels({vxlan()});
  manager_->set(via("10.244.1.0/26", "10.0.0.2", "vxlan.calico"));
  manager_->set(via("10.244.2.0/26", "10.0.0.2", "vxlan.calico"));
  manager_->set(via("10.244.3.0/26", "10.0.0.3", "vxlan.calico"));
  manager_->set(via("10.245.0.0/26", "10.0.0.9"));  // not through the tunnel
  const FloodList both{address("10.0.0.2"), address("10.0.0.3")};
  auto flood = [&] {
    const auto lists = writer_->flood_lists();
    auto it = lists.find("vxlan.calico");
    return it == lists.end() ? FloodList{} : it->second;
  };
  ASSERT_TRUE(settle([&] { return flood() == both && kernel_size() == 4; }));
  EXPECT_EQ(writer_->tunnels().at("vxlan.calico"), vxlan());
  // 10.0.0.2 still has a route through the tunnel; 10.0.0.3 has none left.
  manager_->remove(prefix("10.244.1.0/26"));
  manager_->remove(prefix("10.244.3.0/26"));
  EXPECT_TRUE(settle([&] { return flood() == FloodList{address("10.0.0.2")}; }));
}

TEST_F(FibManagerTest, ATunnelTheKernelCannotMakeIsReportedWithItsReason) {
  writer_->refuse_tunnels(TunnelDevice::Kind::Ipip);
  TunnelDevice ipip;
  ipip.kind = TunnelDevice::Kind::Ipip;
  ipip.name = "tunl0";
  manager_->set_tunnels({ipip});
  ASSERT_TRUE(settle([&] { return manager_->tunnel_errors().contains("tunl0"); }));
  EXPECT_NE(manager_->tunnel_errors().at("tunl0").find("cannot make"), std::string::npos);
}

TEST_F(FibManagerTest, ARouteDeletedBehindOurBackIsWrittenAgain) {
  manager_->set(via("10.244.1.0/26", "10.0.0.2"));
  ASSERT_TRUE(settle([&] { return kernel_size() == 1; }));
  writer_->delete_behind_our_back(prefix("10.244.1.0/26"));
  manager_->handle(
      {KernelEvent{KernelEvent::Kind::RouteDeleted, prefix("10.244.1.0/26"), 254, 196, {}, false}});
  EXPECT_TRUE(settle([&] { return kernel_size() == 1; }));
  EXPECT_EQ(manager_->repairs(), 1u);
}

TEST_F(FibManagerTest, TheEchoOfOurOwnDeletionsAndOtherProtocolsAreIgnored) {
  manager_->set(via("10.244.1.0/26", "10.0.0.2"));
  ASSERT_TRUE(settle([&] { return kernel_size() == 1; }));
  manager_->remove(prefix("10.244.1.0/26"));
  ASSERT_TRUE(settle([&] { return kernel_size() == 0; }));
  manager_->handle(
      {KernelEvent{KernelEvent::Kind::RouteDeleted, prefix("10.244.1.0/26"), 254, 196, {}, false},
       KernelEvent{KernelEvent::Kind::RouteDeleted, prefix("10.244.9.0/26"), 254, 4, {}, false}});
  settle([] { return false; });  // let anything that would be written be written
  EXPECT_EQ(kernel_size(), 0u);
  EXPECT_EQ(manager_->repairs(), 0u);
}

TEST_F(FibManagerTest, ALinkComingUpRetriesRoutesTheKernelRefused) {
  writer_->fail_when([](const FibChange& c) { return !c.route.next_hops.empty(); },
                     "No such device");
  manager_->set(via("10.244.1.5/32", "0.0.0.0", "cali1234"));
  ASSERT_TRUE(settle([&] { return manager_->errors().size() == 1; }));
  EXPECT_EQ(kernel_size(), 0u);
  writer_->fail_when(nullptr, "");
  manager_->handle({KernelEvent{KernelEvent::Kind::LinkChanged, {}, 0, 0, "cali1234", true}});
  EXPECT_TRUE(settle([&] { return kernel_size() == 1 && manager_->errors().empty(); }));
}

TEST_F(FibManagerTest, RoutesNamingALinkThatWentDownAreWrittenAgainAndNoOthers) {
  manager_->set(via("10.244.1.5/32", "0.0.0.0", "cali1"));
  manager_->set(via("10.244.2.0/26", "10.0.0.2"));
  ASSERT_TRUE(settle([&] { return writer_->changes_applied() == 2; }));
  manager_->handle({KernelEvent{KernelEvent::Kind::LinkChanged, {}, 0, 0, "cali1", false}});
  EXPECT_TRUE(settle([&] { return writer_->changes_applied() == 3; }));
  EXPECT_EQ(manager_->changes_written(), 3u);  // only the route through cali1
}

TEST_F(FibManagerTest, AnotherLinkGoingDownComparesWithTheKernelAndRestoresWhatWent) {
  manager_->set(via("10.244.1.0/26", "10.0.0.2"));
  manager_->set(via("10.244.2.0/26", "10.0.0.2"));
  ASSERT_TRUE(settle([&] { return kernel_size() == 2; }));
  // The kernel drops routes through a downed uplink without a word.
  writer_->delete_behind_our_back(prefix("10.244.2.0/26"));
  manager_->handle({KernelEvent{KernelEvent::Kind::LinkChanged, {}, 0, 0, "eth0", false}});
  EXPECT_TRUE(settle([&] { return kernel_size() == 2; }));
  EXPECT_EQ(manager_->repairs(), 1u);
  EXPECT_EQ(manager_->changes_written(), 3u);  // the one that went, nothing else
}

}  // namespace
}  // namespace pinto::fib
