#include "fib/reconcile.h"

#include <gtest/gtest.h>

#include "fib/memory_fib_writer.h"

namespace pinto::fib {
namespace {

KernelRoute route(const char* prefix, const char* gateway, const char* device = "") {
  KernelRoute r;
  r.prefix = *IpPrefix::parse(prefix);
  r.next_hops.push_back(NextHop{*IpAddress::parse(gateway), device, false, 1});
  return r;
}

TEST(Reconcile, LeavesRightRoutesAloneReplacesWrongOnesDeletesStaleOnes) {
  const std::vector<KernelRoute> desired = {route("10.0.1.0/24", "10.0.0.2"),
                                            route("10.0.2.0/24", "10.0.0.2"),
                                            route("10.0.3.0/24", "10.0.0.3")};
  const std::vector<KernelRoute> kernel = {route("10.0.1.0/24", "10.0.0.2", "eth0"),   // right
                                           route("10.0.2.0/24", "10.0.0.9", "eth0"),   // wrong
                                           route("10.0.9.0/24", "10.0.0.2", "eth0")};  // stale
  const auto changes = reconcile(desired, kernel);
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0].op, FibChange::Op::Replace);
  EXPECT_EQ(changes[0].route.prefix, *IpPrefix::parse("10.0.2.0/24"));
  EXPECT_EQ(changes[1].op, FibChange::Op::Replace);
  EXPECT_EQ(changes[1].route.prefix, *IpPrefix::parse("10.0.3.0/24"));
  EXPECT_EQ(changes[2].op, FibChange::Op::Delete);
  EXPECT_EQ(changes[2].route.prefix, *IpPrefix::parse("10.0.9.0/24"));
}

TEST(Reconcile, ADesiredDeviceMustMatchAndEcmpOrderDoesNot) {
  KernelRoute want = route("10.0.1.0/24", "10.0.0.2", "eth1");
  EXPECT_EQ(reconcile({want}, {route("10.0.1.0/24", "10.0.0.2", "eth0")}).size(), 1u);
  KernelRoute a = route("10.0.4.0/24", "10.0.0.2");
  a.next_hops.push_back(NextHop{*IpAddress::parse("10.0.0.3"), "", false, 1});
  KernelRoute b = route("10.0.4.0/24", "10.0.0.3");
  b.next_hops.push_back(NextHop{*IpAddress::parse("10.0.0.2"), "", false, 1});
  EXPECT_TRUE(reconcile({a}, {b}).empty());
}

TEST(MemoryFibWriter, AppliesAndReportsInjectedFailuresPerChange) {
  MemoryFibWriter fib;
  fib.fail_when(
      [](const FibChange& c) { return c.route.prefix == *IpPrefix::parse("10.0.2.0/24"); },
      "Network is unreachable");
  const std::vector<FibChange> batch = {{FibChange::Op::Replace, route("10.0.1.0/24", "10.0.0.2")},
                                        {FibChange::Op::Replace, route("10.0.2.0/24", "10.0.0.2")},
                                        {FibChange::Op::Delete, route("10.0.3.0/24", "10.0.0.2")}};
  const auto errors = fib.apply(batch);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].index, 1u);
  EXPECT_EQ(errors[1].index, 2u);  // deleting what is not there
  EXPECT_EQ(fib.size(), 1u);
  EXPECT_EQ(fib.dump(254, 196).value().size(), 1u);
  EXPECT_TRUE(fib.dump(254, 4).value().empty());
}

}  // namespace
}  // namespace pinto::fib
