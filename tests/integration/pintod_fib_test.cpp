// End to end through the kernel: two pintods in two namespaces joined by a veth pair, Calico's
// node-to-node mesh between them, each originating its own pod block. Once the session is up,
// each kernel holds the other's block via the other node, written by pintod with protocol 196,
// and loses it again when the other node stops announcing it.
#include <algorithm>
#include <memory>
#include <string>

#include "integration/fixture.h"
#include "integration/netns.h"
#include "integration/pintod_node.h"
#include "integration/tcp_probe.h"

namespace pinto::itest {
namespace {

constexpr auto kTimeout = 30s;

std::string node_resource(const std::string& name, const std::string& ipv4) {
  return "apiVersion: projectcalico.org/v3\nkind: Node\nmetadata: {name: " + name +
         "}\nspec: {bgp: {asNumber: 64512, ipv4Address: " + ipv4 + "}}";
}

std::string kernel_routes(const Netns& ns) {
  return ns.run({"ip", "-N", "-4", "route", "show", "table", "254"}).output;
}

std::string pool(const std::string& vxlan_mode) {
  return "\n---\napiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: pool-1}\n"
         "spec: {cidr: 10.244.0.0/16, vxlanMode: " +
         vxlan_mode + ", ipipMode: Never}";
}

std::string block(const std::string& node, const std::string& cidr) {
  return "\n---\napiVersion: projectcalico.org/v3\nkind: BlockAffinity\nmetadata: {name: " + node +
         "-block}\nspec: {state: confirmed, node: " + node + ", cidr: " + cidr +
         ", deleted: \"false\"}";
}

// node-a (10.83.0.1) and node-b (10.83.0.2) in Calico's node-to-node mesh, each with the other's
// Node; `shared` goes into both resource files.
struct MeshPair {
  PintodConfig a;
  PintodConfig b;
};

MeshPair mesh_pair(const std::string& shared = {}) {
  MeshPair pair;
  pair.a.node_name = "node-a";
  pair.a.ipv4 = "10.83.0.1/24";
  pair.a.mesh = true;
  pair.a.extra_resources = node_resource("node-b", "10.83.0.2/24") + shared;
  pair.b = pair.a;
  pair.b.node_name = "node-b";
  pair.b.ipv4 = "10.83.0.2/24";
  pair.b.extra_resources = node_resource("node-a", "10.83.0.1/24") + shared;
  return pair;
}

class PintodFib : public IntegrationTest {};

TEST_F(PintodFib, TwoNodesInstallEachOthersBlocksInTheKernel) {
  Netns ns_a("node-a");
  Netns ns_b("node-b");
  VethPair link({ns_a, "eth0", {"10.83.0.1/24"}}, {ns_b, "eth0", {"10.83.0.2/24"}});

  auto [a, b] = mesh_pair();
  // node-a's block comes from Calico IPAM (a BlockAffinity), node-b's from `originate:`.
  a.extra_resources += block("node-a", "10.244.1.0/26");
  b.originate = {"10.244.2.0/26"};
  PintodNode pintod_a(ns_a, a);
  PintodNode pintod_b(ns_b, b);
  pintod_a.start();
  pintod_b.start();
  auto state = [&] {
    return "\n--- node-a kernel\n" + kernel_routes(ns_a) + "--- node-b kernel\n" +
           kernel_routes(ns_b) + pintod_a.diagnostics() + "\n" + pintod_b.diagnostics();
  };

  ASSERT_TRUE(wait_until([&] { return pintod_a.established("10.83.0.2"); }, kTimeout)) << state();
  EXPECT_TRUE(wait_until(
      [&] {
        return kernel_routes(ns_a).find("10.244.2.0/26 via 10.83.0.2 dev eth0 proto 196") !=
               std::string::npos;
      },
      kTimeout))
      << state();
  EXPECT_TRUE(wait_until(
      [&] {
        return kernel_routes(ns_b).find("10.244.1.0/26 via 10.83.0.1 dev eth0 proto 196") !=
               std::string::npos;
      },
      kTimeout))
      << state();
  // A node's own block is a blackhole in its kernel (type 6 with ip -N), never a BGP route.
  EXPECT_NE(kernel_routes(ns_a).find("6 10.244.1.0/26 proto 196"), std::string::npos) << state();
  EXPECT_EQ(kernel_routes(ns_a).find("10.244.1.0/26 via"), std::string::npos) << state();

  // node-b stops announcing its block: node-a's kernel drops the route.
  pintod_b.config().originate.clear();
  pintod_b.reload();
  EXPECT_TRUE(wait_until(
      [&] { return kernel_routes(ns_a).find("10.244.2.0/26") == std::string::npos; }, kTimeout))
      << state();
}

// A VXLAN pool: each node reaches the other's block through vxlan.calico, onlink, and real TCP
// between addresses of the two blocks crosses it. Setting the pool to Never routes it direct.
TEST_F(PintodFib, AVxlanPoolCarriesTcpBetweenTheNodesBlocks) {
  Netns ns_a("node-a");
  Netns ns_b("node-b");
  VethPair link({ns_a, "eth0", {"10.83.0.1/24"}}, {ns_b, "eth0", {"10.83.0.2/24"}});
  ns_a.run({"ip", "addr", "add", "10.244.1.1/32", "dev", "lo"});
  ns_b.run({"ip", "addr", "add", "10.244.2.1/32", "dev", "lo"});
  const std::string shared = block("node-a", "10.244.1.0/26") + block("node-b", "10.244.2.0/26");
  auto [a, b] = mesh_pair(shared + pool("Always"));
  PintodNode pintod_a(ns_a, a);
  PintodNode pintod_b(ns_b, b);
  pintod_a.start();
  pintod_b.start();
  auto state = [&] {
    return "\n--- node-a kernel\n" + kernel_routes(ns_a) + "--- node-b kernel\n" +
           kernel_routes(ns_b) + pintod_a.diagnostics() + "\n" + pintod_b.diagnostics();
  };
  auto has = [](const Netns& ns, const std::string& route) {
    return kernel_routes(ns).find(route) != std::string::npos;
  };
  ASSERT_TRUE(wait_until(
      [&] {
        return has(ns_a, "10.244.2.0/26 via 10.83.0.2 dev vxlan.calico proto 196 onlink") &&
               has(ns_b, "10.244.1.0/26 via 10.83.0.1 dev vxlan.calico proto 196 onlink");
      },
      kTimeout))
      << state();
  const std::string fdb = ns_a.run({"bridge", "fdb", "show", "dev", "vxlan.calico"}).output;
  EXPECT_NE(fdb.find("00:00:00:00:00:00 dst 10.83.0.2"), std::string::npos) << fdb;
  std::string failure;
  EXPECT_TRUE(wait_until(
      [&] {
        failure = tcp_exchange({ns_a, "10.244.1.1"}, {ns_b, "10.244.2.1"}, 7101);
        return failure.empty();
      },
      kTimeout))
      << failure << state();  // the only route to 10.244.2.0/26 is through the tunnel

  pintod_a.config().extra_resources =
      node_resource("node-b", "10.83.0.2/24") + shared + pool("Never");
  pintod_a.reload();
  EXPECT_TRUE(wait_until(
      [&] { return has(ns_a, "10.244.2.0/26 via 10.83.0.2 dev eth0 proto 196"); }, kTimeout))
      << state();
}

std::string workload(const std::string& interface) {
  return "\n---\napiVersion: projectcalico.org/v3\nkind: WorkloadEndpoint\n"
         "metadata: {name: node--a-k8s-pod1-eth0, namespace: default, labels: {app: web}}\n"
         "spec: {node: node-a, orchestrator: k8s, pod: pod1, endpoint: eth0, interfaceName: " +
         interface + ", ipNetworks: [10.244.1.5/32]}";
}

// A local workload's address is routed to its interface (scope link), ahead of the node's
// blackholed block; TCP from the node reaches the pod. The route comes back when deleted by hand
// and when its interface goes down and up again, and goes with the WorkloadEndpoint.
TEST_F(PintodFib, AWorkloadRouteFollowsItsInterfaceAndIsRepaired) {
  Netns node("node-a");
  Netns pod("pod");
  const std::string cali = "cali1a2b3c4d5e6";
  VethPair link({node, cali, {}}, {pod, "eth0", {"10.244.1.5/32"}});
  node.run({"ip", "addr", "add", "10.83.0.1/32", "dev", "lo"});
  // The pod reaches the node's address straight over its veth (the node answers ARP for any of
  // its own addresses), so the only way back in is pintod's route to the pod.
  pod.run({"ip", "route", "add", "10.83.0.1", "dev", "eth0", "scope", "link"});
  PintodConfig a;
  a.node_name = "node-a";
  a.ipv4 = "10.83.0.1/32";
  a.extra_resources = block("node-a", "10.244.1.0/26") + workload(cali);
  PintodNode pintod(node, a);
  pintod.start();
  const std::string route = "10.244.1.5 dev " + cali + " proto 196 scope 253";  // link
  auto state = [&] {
    return "\n--- kernel\n" + kernel_routes(node) + pintod.pintoctl({"routes", "--fib"}).output +
           pintod.diagnostics();
  };
  auto installed = [&] { return kernel_routes(node).find(route) != std::string::npos; };
  ASSERT_TRUE(wait_until(installed, kTimeout)) << state();
  EXPECT_NE(kernel_routes(node).find("6 10.244.1.0/26 proto 196"), std::string::npos) << state();
  std::string failure;
  EXPECT_TRUE(wait_until(
      [&] {
        failure = tcp_exchange({node, "10.83.0.1"}, {pod, "10.244.1.5"}, 7102);
        return failure.empty();
      },
      kTimeout))
      << failure << state();

  node.run({"ip", "route", "del", "10.244.1.5/32", "proto", "196"});
  EXPECT_TRUE(wait_until(installed, kTimeout)) << state();
  EXPECT_NE(pintod.pintoctl({"routes", "--fib"}).output.find(" 1 repaired"), std::string::npos)
      << state();

  // Down: the kernel drops routes through the link without telling anyone; up: pintod puts it
  // back.
  node.set_link_state(cali, LinkState::Down);
  EXPECT_TRUE(wait_until([&] { return !installed(); }, kTimeout)) << state();
  node.set_link_state(cali, LinkState::Up);
  EXPECT_TRUE(wait_until(installed, kTimeout)) << state();

  pintod.config().extra_resources = block("node-a", "10.244.1.0/26");
  pintod.reload();
  EXPECT_TRUE(wait_until([&] { return !installed(); }, kTimeout)) << state();
}

// pintod killed and started again over 10,000 correct routes of its own: it reads them, learns
// the same routes again over BGP, and writes nothing.
TEST_F(PintodFib, ARestartOverTenThousandCorrectRoutesMakesNoNetlinkChanges) {
  Netns ns_a("node-a");
  Netns ns_b("node-b");
  VethPair link({ns_a, "eth0", {"10.83.0.1/24"}}, {ns_b, "eth0", {"10.83.0.2/24"}});
  auto [a, b] = mesh_pair();
  constexpr int kRoutes = 10000;
  for (int i = 0; i < kRoutes; ++i) {
    b.originate.push_back("10.200." + std::to_string(i / 64) + "." + std::to_string((i % 64) * 4) +
                          "/30");
  }
  PintodNode pintod_a(ns_a, a);
  PintodNode pintod_b(ns_b, b);
  pintod_b.start();
  pintod_a.start();
  auto ours = [&] {
    const std::string out = ns_a.run({"ip", "-N", "-4", "route", "show", "proto", "196"}).output;
    return static_cast<int>(std::count(out.begin(), out.end(), '\n'));
  };
  ASSERT_TRUE(wait_until([&] { return ours() == kRoutes; }, 60s)) << ours();

  pintod_a.kill();  // routes stay in the kernel
  ASSERT_EQ(ours(), kRoutes);
  pintod_a.start();
  ASSERT_TRUE(wait_until(
      [&] {
        auto peers = pintod_a.peers();
        auto it = peers.find("10.83.0.2");
        return it != peers.end() && it->second.state == "Established" &&
               it->second.received == static_cast<std::size_t>(kRoutes);
      },
      60s))
      << pintod_a.diagnostics();
  std::string fib;
  EXPECT_TRUE(wait_until(
      [&] {
        fib = pintod_a.pintoctl({"routes", "--fib"}).output;
        return fib.find("10000 routes; 0 netlink changes since start") != std::string::npos;
      },
      10s))
      << fib.substr(fib.size() > 400 ? fib.size() - 400 : 0);
  EXPECT_EQ(ours(), kRoutes);
}

// ECMP: two nodes advertise the same service range with equal attributes; the third installs one
// route with both as next hops, and a single path again when one of them stops.
TEST_F(PintodFib, EqualCostPathsBecomeOneMultipathRoute) {
  Netns ns_a("node-a");
  Netns ns_b("node-b");
  Netns ns_c("node-c");
  VethPair ab({ns_a, "eth0", {"10.83.0.1/24"}}, {ns_b, "eth0", {"10.83.0.2/24"}});
  VethPair ac({ns_a, "eth1", {"10.84.0.1/24"}}, {ns_c, "eth0", {"10.84.0.2/24"}});
  PintodConfig a;
  a.node_name = "node-a";
  a.ipv4 = "10.83.0.1/24";
  a.peers = {{"node-b", "10.83.0.2", 64512}, {"node-c", "10.84.0.2", 64512}};
  PintodConfig b;
  b.node_name = "node-b";
  b.ipv4 = "10.83.0.2/24";
  b.peers = {{"node-a", "10.83.0.1", 64512}};
  b.originate = {"10.96.0.0/12"};
  PintodConfig c = b;
  c.node_name = "node-c";
  c.ipv4 = "10.84.0.2/24";
  c.peers = {{"node-a", "10.84.0.1", 64512}};
  PintodNode pintod_a(ns_a, a);
  PintodNode pintod_b(ns_b, b);
  PintodNode pintod_c(ns_c, c);
  pintod_a.start();
  pintod_b.start();
  pintod_c.start();
  auto route = [&] { return ns_a.run({"ip", "-N", "-4", "route", "show", "10.96.0.0/12"}).output; };
  ASSERT_TRUE(wait_until(
      [&] {
        const std::string r = route();
        return r.find("nexthop via 10.83.0.2 dev eth0 weight 1") != std::string::npos &&
               r.find("nexthop via 10.84.0.2 dev eth1 weight 1") != std::string::npos;
      },
      kTimeout))
      << route() << pintod_a.diagnostics();
  EXPECT_NE(route().find("proto 196"), std::string::npos) << route();
  pintod_c.stop();
  EXPECT_TRUE(wait_until(
      [&] {
        return route().find("10.96.0.0/12 via 10.83.0.2 dev eth0 proto 196") != std::string::npos;
      },
      kTimeout))
      << route();
}

}  // namespace
}  // namespace pinto::itest
