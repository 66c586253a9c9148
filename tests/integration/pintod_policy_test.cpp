// Network policy end to end through pintod: two pods on one node (namespaces joined to the node's
// namespace by Calico-style `cali…` veths), their WorkloadEndpoints and policies applied with
// pintoctl, real TCP between them through the configured data plane.
#include <memory>
#include <string>

#include "integration/fixture.h"
#include "integration/netns.h"
#include "integration/pintod_node.h"
#include "integration/tcp_probe.h"

namespace pinto::itest {
namespace {

constexpr auto kTimeout = 20s;

std::string workload(const std::string& name, const std::string& app, const std::string& cali,
                     const std::string& address) {
  return "apiVersion: projectcalico.org/v3\nkind: WorkloadEndpoint\n"
         "metadata: {name: node--a-k8s-" +
         name + "-eth0, namespace: default, labels: {app: " + app +
         "}}\n"
         "spec: {node: node-a, orchestrator: k8s, pod: " +
         name + ", endpoint: eth0, interfaceName: " + cali + ", ipNetworks: [" + address +
         "/32], ports: [{name: http, protocol: TCP, port: 8080}]}\n";
}

// A pod: a namespace whose eth0 pairs with `cali` in the node's namespace. The pod reaches the
// block's other addresses straight over eth0; the node answers ARP for them (proxy_arp) and
// forwards along pintod's /32 workload routes.
struct Pod {
  Pod(const Netns& node, const std::string& name, const std::string& cali,
      const std::string& address)
      : netns(name), link({node, cali, {}}, {netns, "eth0", {address + "/32"}}) {
    netns.run({"ip", "route", "add", "10.244.1.0/26", "dev", "eth0", "scope", "link"});
    node.sysctl("net.ipv4.conf." + cali + ".proxy_arp", "1");
  }
  Netns netns;
  VethPair link;
};

class PintodPolicy : public IntegrationTest, public testing::WithParamInterface<std::string> {};

TEST_P(PintodPolicy, PoliciesAppliedWithPintoctlDecideRealTcpBetweenPods) {
  Netns node("node-a");
  node.sysctl("net.ipv4.ip_forward", "1");
  Pod a(node, "pod-a", "cali0000000000a", "10.244.1.5");
  Pod b(node, "pod-b", "cali0000000000b", "10.244.1.6");
  PintodConfig config;
  config.node_name = "node-a";
  config.ipv4 = "10.83.0.1/32";
  config.policy_dataplane = GetParam();
  config.extra_resources = "---\n" + workload("pod-a", "a", "cali0000000000a", "10.244.1.5") +
                           "---\n" + workload("pod-b", "b", "cali0000000000b", "10.244.1.6");
  PintodNode pintod(node, config);
  pintod.start();
  auto state = [&] {
    return "\n" + pintod.pintoctl({"policy"}).output + pintod.pintoctl({"routes", "--fib"}).output +
           pintod.diagnostics();
  };
  auto a_to_b = [&](int port) {
    return tcp_exchange({a.netns, "10.244.1.5"}, {b.netns, "10.244.1.6"}, port, 1s);
  };
  std::string failure;
  // No policy selects either pod: everything flows.
  ASSERT_TRUE(wait_until(
      [&] {
        failure = a_to_b(8080);
        return failure.empty();
      },
      kTimeout))
      << failure << state();

  // Selected for ingress by a policy allowing only app == 'x': default deny for pod-b.
  auto applied = pintod.apply(
      "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: only-x}\n"
      "spec: {selector: app == 'b', types: [Ingress], ingress: [{action: Allow, source: "
      "{selector: app == 'x'}}]}\n");
  ASSERT_EQ(applied.exit_code, 0) << applied.output;
  EXPECT_TRUE(wait_until([&] { return !a_to_b(8080).empty(); }, kTimeout)) << state();

  // A namespaced policy lets app == 'a' in on the named port only.
  applied = pintod.apply(
      "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\n"
      "metadata: {name: a-to-http, namespace: default}\n"
      "spec: {order: 10, selector: app == 'b', ingress: [{action: Allow, protocol: TCP, "
      "source: {selector: app == 'a'}, destination: {ports: [http]}}]}\n");
  ASSERT_EQ(applied.exit_code, 0) << applied.output;
  EXPECT_TRUE(wait_until(
      [&] {
        failure = a_to_b(8080);
        return failure.empty();
      },
      kTimeout))
      << failure << state();
  EXPECT_FALSE(a_to_b(8081).empty()) << "8081 is not the named port" << state();
  // Pod-a is not selected by anything: its own ingress stays open.
  EXPECT_EQ(tcp_exchange({b.netns, "10.244.1.6"}, {a.netns, "10.244.1.5"}, 8080, 1s), "")
      << state();

  // Both gone: open again.
  EXPECT_EQ(pintod.pintoctl({"delete", "globalnetworkpolicy", "only-x"}).exit_code, 0);
  EXPECT_EQ(pintod.pintoctl({"delete", "networkpolicy", "a-to-http", "-n", "default"}).exit_code,
            0);
  EXPECT_TRUE(wait_until(
      [&] {
        failure = a_to_b(8081);
        return failure.empty();
      },
      kTimeout))
      << failure << state();
}

INSTANTIATE_TEST_SUITE_P(Dataplanes, PintodPolicy, testing::Values("iptables", "ebpf"),
                         [](const testing::TestParamInfo<std::string>& param_info) {
                           return param_info.param;
                         });

}  // namespace
}  // namespace pinto::itest
