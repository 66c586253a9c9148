// Host endpoints in the compiler: Calico's default deny (policy or not, unless the built-in
// default-allow profile), the failsafe ports before any policy rule, the endpoints that get no
// chains (no interface, loopback), and verdicts through the reference evaluator.
#include <gtest/gtest.h>

#include "policy_test_util.h"

namespace pinto::policy {
namespace {

using testing_util::endpoint_id;
using testing_util::model_of;
using testing_util::parse_packet;

constexpr const char* kHost = R"(
apiVersion: projectcalico.org/v3
kind: HostEndpoint
metadata: {name: node-a-eth0, labels: {role: node}}
spec: {node: node-a, interfaceName: eth0, expectedIPs: [192.0.2.1]}
)";

std::string gnp(const std::string& name, const std::string& spec) {
  return "\n---\napiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: " +
         name + "}\nspec: " + spec + "\n";
}

// Rule ids and actions of a chain, "id=Action" joined by ", ".
std::string outline(const Chain& chain) {
  std::string out;
  for (const auto& r : chain.rules) {
    const char* a = r.action == Action::Allow  ? "Allow"
                    : r.action == Action::Deny ? "Deny"
                    : r.action == Action::Log  ? "Log"
                                               : "Goto";
    out += (out.empty() ? "" : ", ") + r.id.text + "=" + a;
  }
  return out;
}

CompileOptions small_failsafe() {
  CompileOptions o;
  o.failsafe_inbound = {{6, 22}, {6, 179}};
  o.failsafe_outbound = {{17, 53}};
  return o;
}

const EndpointProgram& host_program(const Program& p) {
  const auto* ep = p.find(endpoint_id("host/node-a-eth0"));
  EXPECT_NE(ep, nullptr);
  return ep ? *ep : p.endpoints.front();
}

bool allowed(const Program& p, Direction d, const std::string& packet) {
  return evaluate(p, host_program(p), d, parse_packet(packet)).allowed;
}

TEST(HostEndpointCompiler, NoPolicyIsDefaultDenyBehindTheFailsafePorts) {
  const Program p = compile(model_of(kHost, "node-a"), small_failsafe());
  const auto& ep = host_program(p);
  EXPECT_EQ(ep.interface_name, "eth0");
  EXPECT_TRUE(ep.ingress.policed);
  EXPECT_TRUE(ep.egress.policed);
  EXPECT_EQ(outline(ep.ingress),
            "ingress/failsafe/tcp:22=Allow, ingress/failsafe/tcp:179=Allow, "
            "ingress/host-default-deny=Deny");
  EXPECT_EQ(outline(ep.egress), "egress/failsafe/udp:53=Allow, egress/host-default-deny=Deny");
  EXPECT_TRUE(allowed(p, Direction::Ingress, "tcp 192.0.2.9:40000 > 192.0.2.1:179"));
  EXPECT_FALSE(allowed(p, Direction::Ingress, "tcp 192.0.2.9:40000 > 192.0.2.1:80"));
  EXPECT_FALSE(allowed(p, Direction::Ingress, "udp 192.0.2.9:40000 > 192.0.2.1:22"));
  EXPECT_TRUE(allowed(p, Direction::Egress, "udp 192.0.2.1:40000 > 192.0.2.53:53"));
  EXPECT_FALSE(allowed(p, Direction::Egress, "tcp 192.0.2.1:40000 > 192.0.2.9:22"));
}

TEST(HostEndpointCompiler, DefaultFailsafePortsAreFelixs) {
  const Program p = compile(model_of(kHost, "node-a"));
  const auto& ep = host_program(p);
  EXPECT_EQ(outline(ep.ingress),
            "ingress/failsafe/tcp:22=Allow, ingress/failsafe/udp:68=Allow, "
            "ingress/failsafe/tcp:179=Allow, ingress/failsafe/tcp:2379=Allow, "
            "ingress/failsafe/tcp:2380=Allow, ingress/failsafe/tcp:5473=Allow, "
            "ingress/failsafe/tcp:6443=Allow, ingress/failsafe/tcp:6666=Allow, "
            "ingress/failsafe/tcp:6667=Allow, ingress/host-default-deny=Deny");
  EXPECT_EQ(outline(ep.egress),
            "egress/failsafe/udp:53=Allow, egress/failsafe/udp:67=Allow, "
            "egress/failsafe/tcp:179=Allow, egress/failsafe/tcp:2379=Allow, "
            "egress/failsafe/tcp:2380=Allow, egress/failsafe/tcp:5473=Allow, "
            "egress/failsafe/tcp:6443=Allow, egress/failsafe/tcp:6666=Allow, "
            "egress/failsafe/tcp:6667=Allow, egress/host-default-deny=Deny");
}

TEST(HostEndpointCompiler, FailsafePortsComeBeforeADenyAllPolicy) {
  const Program p =
      compile(model_of(std::string(kHost) + gnp("deny-all",
                                                "{selector: role == 'node', types: [Ingress, "
                                                "Egress], ingress: [{action: Deny}], "
                                                "egress: [{action: Deny}]}"),
                       "node-a"),
              small_failsafe());
  const auto& ep = host_program(p);
  EXPECT_EQ(
      outline(ep.ingress),
      "ingress/failsafe/tcp:22=Allow, ingress/failsafe/tcp:179=Allow, "
      "GlobalNetworkPolicy/deny-all/ingress/0=Deny, tier/default/ingress/end-of-tier-deny=Deny, "
      "ingress/host-default-deny=Deny");
  EXPECT_TRUE(allowed(p, Direction::Ingress, "tcp 192.0.2.9:40000 > 192.0.2.1:179"));
  EXPECT_TRUE(allowed(p, Direction::Ingress, "tcp 192.0.2.9:40000 > 192.0.2.1:22"));
  EXPECT_FALSE(allowed(p, Direction::Ingress, "tcp 192.0.2.9:40000 > 192.0.2.1:8080"));
  EXPECT_TRUE(allowed(p, Direction::Egress, "udp 192.0.2.1:40000 > 192.0.2.53:53"));
  EXPECT_FALSE(allowed(p, Direction::Egress, "tcp 192.0.2.1:40000 > 192.0.2.9:179"));
}

TEST(HostEndpointCompiler, PolicyAllowsOnePortAndTheRestIsDenied) {
  const Program p = compile(
      model_of(std::string(kHost) + gnp("allow-8080",
                                        "{selector: role == 'node', ingress: [{action: Allow, "
                                        "protocol: TCP, destination: {ports: [8080]}}]}"),
               "node-a"),
      small_failsafe());
  EXPECT_TRUE(allowed(p, Direction::Ingress, "tcp 192.0.2.9:40000 > 192.0.2.1:8080"));
  EXPECT_FALSE(allowed(p, Direction::Ingress, "tcp 192.0.2.9:40000 > 192.0.2.1:8081"));
  // The policy has no Egress type: egress stays default deny (Calico), failsafe excepted.
  EXPECT_FALSE(allowed(p, Direction::Egress, "tcp 192.0.2.1:40000 > 192.0.2.9:8080"));
  EXPECT_EQ(evaluate(p, host_program(p), Direction::Ingress,
                     parse_packet("tcp 192.0.2.9:40000 > 192.0.2.1:8080"))
                .decided_by.text,
            "GlobalNetworkPolicy/allow-8080/ingress/0");
}

TEST(HostEndpointCompiler, EgressPolicyAllowsOneDestination) {
  const Program p =
      compile(model_of(std::string(kHost) +
                           gnp("out",
                               "{selector: role == 'node', types: [Egress], egress: [{action: "
                               "Allow, protocol: TCP, destination: {nets: [192.0.2.9/32], ports: "
                               "[443]}}]}"),
                       "node-a"),
              small_failsafe());
  EXPECT_TRUE(allowed(p, Direction::Egress, "tcp 192.0.2.1:40000 > 192.0.2.9:443"));
  EXPECT_FALSE(allowed(p, Direction::Egress, "tcp 192.0.2.1:40000 > 192.0.2.10:443"));
  EXPECT_FALSE(allowed(p, Direction::Ingress, "tcp 192.0.2.9:40000 > 192.0.2.1:443"));
}

TEST(HostEndpointCompiler, DefaultAllowProfileAllowsWhatNoPolicyDecides) {
  const Program open = compile(model_of(R"(
apiVersion: projectcalico.org/v3
kind: HostEndpoint
metadata: {name: node-a-eth0, labels: {role: node}}
spec: {node: node-a, interfaceName: eth0, profiles: [projectcalico-default-allow]}
)",
                                        "node-a"),
                               small_failsafe());
  EXPECT_TRUE(allowed(open, Direction::Ingress, "tcp 192.0.2.9:40000 > 192.0.2.1:8080"));
  EXPECT_EQ(host_program(open).ingress.rules.back().id.text, "ingress/profile-allow");
  // Any other profile name stands for no rules (Pinto has no Profile resources): deny.
  const Program closed = compile(model_of(R"(
apiVersion: projectcalico.org/v3
kind: HostEndpoint
metadata: {name: node-a-eth0, labels: {role: node}}
spec: {node: node-a, interfaceName: eth0, profiles: [some-profile]}
)",
                                          "node-a"),
                                 small_failsafe());
  EXPECT_FALSE(allowed(closed, Direction::Ingress, "tcp 192.0.2.9:40000 > 192.0.2.1:8080"));
}

TEST(HostEndpointCompiler, PassOutOfTheLastTierMeetsTheHostDefaultDeny) {
  const Program p =
      compile(model_of(std::string(kHost) +
                           gnp("pass", "{selector: role == 'node', ingress: [{action: Pass}]}"),
                       "node-a"),
              small_failsafe());
  EXPECT_FALSE(allowed(p, Direction::Ingress, "tcp 192.0.2.9:40000 > 192.0.2.1:8080"));
  EXPECT_EQ(evaluate(p, host_program(p), Direction::Ingress,
                     parse_packet("tcp 192.0.2.9:40000 > 192.0.2.1:8080"))
                .decided_by.text,
            "ingress/host-default-deny");
}

TEST(HostEndpointCompiler, NoChainsWithoutAnInterfaceOrOnLoopbackOrOtherNodes) {
  const Program p = compile(model_of(R"(
apiVersion: projectcalico.org/v3
kind: HostEndpoint
metadata: {name: ips-only}
spec: {node: node-a, expectedIPs: [192.0.2.1]}
---
apiVersion: projectcalico.org/v3
kind: HostEndpoint
metadata: {name: loopback}
spec: {node: node-a, interfaceName: lo}
---
apiVersion: projectcalico.org/v3
kind: HostEndpoint
metadata: {name: elsewhere}
spec: {node: node-b, interfaceName: eth0}
)",
                                     "node-a"));
  EXPECT_TRUE(p.endpoints.empty());
  EXPECT_FALSE(enforceable_host_interface("*"));
  EXPECT_TRUE(enforceable_host_interface("eth0"));
}

// A workload endpoint is untouched by the failsafe ports and keeps Calico's workload defaults.
TEST(HostEndpointCompiler, WorkloadEndpointsGetNoFailsafeRules) {
  const Program p = compile(model_of(std::string(kHost) + R"(
---
apiVersion: projectcalico.org/v3
kind: WorkloadEndpoint
metadata: {name: web, namespace: prod}
spec: {node: node-a, interfaceName: cali0web, ipNetworks: [10.0.1.1/32]}
)",
                                     "node-a"));
  const auto* web = p.find(endpoint_id("prod/web"));
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(outline(web->ingress), "ingress/no-policy-allow=Allow");
  EXPECT_FALSE(web->ingress.policed);
}

}  // namespace
}  // namespace pinto::policy
