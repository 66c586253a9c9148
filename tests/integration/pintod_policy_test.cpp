// Network policy end to end through pintod: two pods on one node (pod_topology.h: namespaces
// joined to the node's namespace by Calico-style `cali…` veths), their WorkloadEndpoints and
// policies applied with pintoctl, real TCP between them through the configured data plane. The
// policy thread applies after pintoctl returns: every check waits on observed connectivity.
#include <memory>
#include <string>

#include "integration/fixture.h"
#include "integration/netns.h"
#include "integration/pintod_node.h"
#include "integration/pod_topology.h"
#include "integration/tcp_probe.h"

namespace pinto::itest {
namespace {

constexpr auto kTimeout = 20s;

class PintodPolicy : public IntegrationTest, public testing::WithParamInterface<std::string> {};

TEST_P(PintodPolicy, PoliciesAppliedWithPintoctlDecideRealTcpBetweenPods) {
  Netns node("node-a");
  node.sysctl("net.ipv4.ip_forward", "1");
  const std::string http = "[{name: http, protocol: TCP, port: 8080}]";
  Pod a(node, {"pod-a", "default", {{"app", "a"}}, "cali0000000000a", "10.244.1.5", http});
  Pod b(node, {"pod-b", "default", {{"app", "b"}}, "cali0000000000b", "10.244.1.6", http});
  PintodNode pintod(node, policy_node_config(GetParam(), a.workload_endpoint("node-a") + "---\n" +
                                                             b.workload_endpoint("node-a")));
  pintod.start();
  auto state = [&] {
    return "\n" + pintod.pintoctl({"policy"}).output + pintod.pintoctl({"routes", "--fib"}).output +
           pintod.diagnostics();
  };
  auto a_to_b = [&](int port) { return tcp_exchange(a.endpoint(), b.endpoint(), port, 1s); };
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
  EXPECT_EQ(tcp_exchange(b.endpoint(), a.endpoint(), 8080, 1s), "") << state();

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
