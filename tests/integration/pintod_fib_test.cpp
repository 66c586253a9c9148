// End to end through the kernel: two pintods in two namespaces joined by a veth pair, Calico's
// node-to-node mesh between them, each originating its own pod block. Once the session is up,
// each kernel holds the other's block via the other node, written by pintod with protocol 196,
// and loses it again when the other node stops announcing it.
#include <memory>
#include <string>

#include "integration/fixture.h"
#include "integration/netns.h"
#include "integration/pintod_node.h"

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

class PintodFib : public IntegrationTest {};

TEST_F(PintodFib, TwoNodesInstallEachOthersBlocksInTheKernel) {
  Netns ns_a("node-a");
  Netns ns_b("node-b");
  VethPair link({ns_a, "eth0", {"10.83.0.1/24"}}, {ns_b, "eth0", {"10.83.0.2/24"}});

  PintodConfig a;
  a.node_name = "node-a";
  a.ipv4 = "10.83.0.1/24";
  a.mesh = true;
  // node-a's block comes from Calico IPAM (a BlockAffinity), node-b's from `originate:`.
  a.extra_resources =
      node_resource("node-b", "10.83.0.2/24") +
      "\n---\napiVersion: projectcalico.org/v3\nkind: BlockAffinity\n"
      "metadata: {name: node-a-10-244-1-0-26}\n"
      "spec: {state: confirmed, node: node-a, cidr: 10.244.1.0/26, deleted: \"false\"}";
  PintodConfig b = a;
  b.node_name = "node-b";
  b.ipv4 = "10.83.0.2/24";
  b.extra_resources = node_resource("node-a", "10.83.0.1/24");
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

}  // namespace
}  // namespace pinto::itest
