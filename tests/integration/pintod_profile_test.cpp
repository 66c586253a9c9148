// Calico Profiles end to end through pintod: two pods in namespace `default` without a
// `profiles` field get Kubernetes' kns.default (everything flows); a Profile resource of that
// name, applied with pintoctl, replaces it, and its rules decide real TCP between the pods in
// both data planes — with no policy, and after a Pass out of the last tier. A bad Profile is
// refused whole, with the field named.
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

// Only app == 'a' may reach 8080; every pod may send; the pods also get role=member.
constexpr const char* kProfile =
    "apiVersion: projectcalico.org/v3\nkind: Profile\nmetadata: {name: kns.default}\n"
    "spec:\n"
    "  labelsToApply: {role: member}\n"
    "  ingress: [{action: Allow, protocol: TCP, source: {selector: app == 'a'}, "
    "destination: {ports: [8080]}}]\n"
    "  egress: [{action: Allow}]\n";

class PintodProfile : public IntegrationTest, public testing::WithParamInterface<std::string> {};

TEST_P(PintodProfile, ProfileRulesDecideRealTcpBetweenPods) {
  Netns node("node-a");
  node.sysctl("net.ipv4.ip_forward", "1");
  Pod a(node, {"pod-a", "default", {{"app", "a"}}, "cali0000000000a", "10.244.1.5", ""});
  Pod b(node, {"pod-b", "default", {{"app", "b"}}, "cali0000000000b", "10.244.1.6", ""});
  PintodNode pintod(node, policy_node_config(GetParam(), a.workload_endpoint("node-a") + "---\n" +
                                                             b.workload_endpoint("node-a")));
  pintod.start();
  auto state = [&] { return "\n" + pintod.pintoctl({"policy"}).output + pintod.diagnostics(); };
  auto a_to_b = [&](int port) { return tcp_exchange(a.endpoint(), b.endpoint(), port, 1s); };
  auto b_to_a = [&](int port) { return tcp_exchange(b.endpoint(), a.endpoint(), port, 1s); };
  auto flows = [&](auto&& exchange) {
    std::string failure;
    const bool ok = wait_until(
        [&] {
          failure = exchange();
          return failure.empty();
        },
        kTimeout);
    return ok ? std::string() : failure + state();
  };
  auto blocked = [&](auto&& exchange) {
    return wait_until([&] { return !exchange().empty(); }, kTimeout) ? std::string() : state();
  };

  // No Profile resource: the made-up kns.default allows both ways.
  ASSERT_EQ(flows([&] { return b_to_a(8080); }), "");

  // The Profile replaces it: its rules decide with no policy in either direction.
  auto applied = pintod.apply(kProfile);
  ASSERT_EQ(applied.exit_code, 0) << applied.output;
  EXPECT_EQ(blocked([&] { return b_to_a(8080); }), "") << "b is not app == 'a'";
  EXPECT_EQ(flows([&] { return a_to_b(8080); }), "");
  EXPECT_NE(a_to_b(8081), "") << "8081 is not allowed by the profile" << state();
  auto got = pintod.pintoctl({"get", "profile", "kns.default", "-o", "yaml"});
  EXPECT_EQ(got.exit_code, 0) << got.output;
  EXPECT_NE(got.output.find("labelsToApply"), std::string::npos) << got.output;
  EXPECT_NE(pintod.pintoctl({"get", "profiles"}).output.find("kns.default"), std::string::npos);

  // A bad Profile is refused whole (the good document beside it is not applied either).
  applied = pintod.apply(
      "apiVersion: projectcalico.org/v3\nkind: Profile\nmetadata: {name: fine}\nspec: {}\n"
      "---\napiVersion: projectcalico.org/v3\nkind: Profile\nmetadata: {name: kns.default}\n"
      "spec: {ingress: [{action: Allow, destination: {ports: [80]}}]}\n");
  EXPECT_NE(applied.exit_code, 0);
  EXPECT_NE(applied.output.find("spec.ingress[0].protocol"), std::string::npos) << applied.output;
  EXPECT_NE(pintod.pintoctl({"get", "profile", "fine"}).exit_code, 0);

  // A policy selecting by the profile's label passes everything on: the profile decides again.
  applied = pintod.apply(
      "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: pass}\n"
      "spec: {selector: role == 'member', types: [Ingress], ingress: [{action: Pass}, "
      "{action: Allow}]}\n");
  ASSERT_EQ(applied.exit_code, 0) << applied.output;
  EXPECT_TRUE(wait_until(
      [&] {
        const auto text = pintod.pintoctl({"policy"}).output;
        return text.find("GlobalNetworkPolicy/pass/ingress/0") != std::string::npos &&
               text.find("being applied") == std::string::npos;
      },
      kTimeout))
      << state();
  EXPECT_EQ(flows([&] { return a_to_b(8080); }), "");
  EXPECT_NE(b_to_a(8080), "") << "Pass reaches the profile, which denies b" << state();

  // The Profile deleted: kns.default is made up again and allows.
  EXPECT_EQ(pintod.pintoctl({"delete", "profile", "kns.default"}).exit_code, 0);
  EXPECT_EQ(flows([&] { return b_to_a(8081); }), "");
}

INSTANTIATE_TEST_SUITE_P(Dataplanes, PintodProfile, testing::Values("iptables", "ebpf"),
                         [](const testing::TestParamInfo<std::string>& param_info) {
                           return param_info.param;
                         });

}  // namespace
}  // namespace pinto::itest
