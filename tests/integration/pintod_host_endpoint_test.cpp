// Host endpoint policy end to end through pintod, on both data planes: a HostEndpoint on the
// node's uplink with a deny-all GlobalNetworkPolicy must not cut pintod's own BGP session (the
// failsafe port 179, in and out) while it closes every other port; and the failsafe ports come
// from the settings (policy.failsafeInboundHostPorts).
//
//   node (pintod, HostEndpoint node-a-eth0) ─ eth0 10.84.0.1 ═══ eth0 10.84.0.2 ─ peer (BIRD)
//
// Namespaces, links and daemons are owned by scoped objects (netns.h order: namespaces, links,
// daemons), so they go also when an assertion fails; TCP servers are the test's own sockets.
#include <memory>
#include <string>
#include <utility>

#include "integration/bird_peer.h"
#include "integration/fixture.h"
#include "integration/netns.h"
#include "integration/pintod_node.h"
#include "integration/pod_topology.h"
#include "integration/tcp_probe.h"

namespace pinto::itest {
namespace {

constexpr auto kSessionTimeout = 30s;

constexpr const char* kHostEndpointDenyAll = R"(---
apiVersion: projectcalico.org/v3
kind: HostEndpoint
metadata: {name: node-a-eth0, labels: {role: node}}
spec: {node: node-a, interfaceName: eth0, expectedIPs: [10.84.0.1]}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: host-deny-all}
spec:
  selector: role == 'node'
  types: [Ingress, Egress]
  ingress: [{action: Deny}]
  egress: [{action: Deny}]
)";

// The node's pintod: the deny-all host policy above, the node at 10.84.0.1, `policy_extra`
// added to its policy settings.
PintodConfig host_node_config(const std::string& dataplane, std::string policy_extra = "") {
  PintodConfig pc = policy_node_config(dataplane, kHostEndpointDenyAll);
  pc.ipv4 = "10.84.0.1/24";
  pc.policy_extra = std::move(policy_extra);
  return pc;
}

// BIRD at 10.84.0.2 as the node's iBGP peer: added to the node's configuration, and BIRD's own.
PeerConfig add_bird_peer(PintodConfig& pc) {
  pc.peers = {PintodPeerSpec{.name = "bird", .address = "10.84.0.2", .as_number = pc.as_number}};
  return PeerConfig{.local_as = pc.as_number,
                    .router_id = "10.84.0.2",
                    .neighbors = {NeighborConfig{
                        .address = "10.84.0.1", .remote_as = pc.as_number, .ipv4 = true}}};
}

class PintodHostEndpoint : public IntegrationTest,
                           public testing::WithParamInterface<std::string> {};

TEST_P(PintodHostEndpoint, DenyAllHostPolicyKeepsBgpPeeringAndClosesTheRest) {
  Netns node("hepnode");
  Netns peer_ns("hepbird");
  VethPair link({node, "eth0", {"10.84.0.1/24"}}, {peer_ns, "eth0", {"10.84.0.2/24"}});

  PintodConfig pc = host_node_config(GetParam());
  const PeerConfig bird = add_bird_peer(pc);
  PintodNode pintod(node, pc);
  BirdPeer peer(peer_ns, bird);
  pintod.start();
  auto state = [&] {
    return "\n" + pintod.pintoctl({"policy"}).output + pintod.diagnostics() + "\n" +
           peer.diagnostics();
  };
  const std::string applied = wait_policy_applied(pintod, 1);
  ASSERT_EQ(applied, "") << state();
  ASSERT_NE(pintod.pintoctl({"policy"}).output.find("host/node-a-eth0"), std::string::npos)
      << state();

  // Everything but the failsafe ports is closed: a server of the node's own on 8080 is not
  // reachable from the peer's namespace.
  EXPECT_NE(tcp_exchange({peer_ns, "10.84.0.2"}, {node, "10.84.0.1"}, 8080, 1200ms), "") << state();
  EXPECT_TRUE(wait_until([&] { return peer.established("10.84.0.1"); }, kSessionTimeout))
      << state();
  // A new session made entirely under the policy (the first one may have begun before it).
  peer.restart();
  EXPECT_TRUE(
      wait_until([&] { return peer.established("10.84.0.1") && pintod.established("10.84.0.2"); },
                 kSessionTimeout))
      << state();
}

// The control for the test above: with no failsafe ports the same deny-all policy does cut BGP,
// so it is port 179's failsafe rules that keep the session.
TEST_P(PintodHostEndpoint, WithoutFailsafePortsDenyAllCutsBgp) {
  Netns node("hepnode");
  Netns peer_ns("hepbird");
  VethPair link({node, "eth0", {"10.84.0.1/24"}}, {peer_ns, "eth0", {"10.84.0.2/24"}});
  PintodConfig pc =
      host_node_config(GetParam(), ", failsafeInboundHostPorts: [], failsafeOutboundHostPorts: []");
  const PeerConfig bird = add_bird_peer(pc);
  PintodNode pintod(node, pc);
  BirdPeer peer(peer_ns, bird);
  pintod.start();
  ASSERT_EQ(wait_policy_applied(pintod, 1), "") << pintod.diagnostics();
  peer.restart();  // whatever session began before the policy, the next one meets it
  EXPECT_FALSE(wait_until([&] { return peer.established("10.84.0.1"); }, 8s))
      << pintod.diagnostics() << "\n"
      << peer.diagnostics();
}

TEST_P(PintodHostEndpoint, FailsafePortsComeFromTheSettings) {
  Netns node("hepnode");
  Netns client("hepclient");
  VethPair link({node, "eth0", {"10.84.0.1/24"}}, {client, "eth0", {"10.84.0.2/24"}});
  PintodConfig pc = host_node_config(
      GetParam(),
      ", failsafeInboundHostPorts: [{protocol: TCP, port: 2222}], failsafeOutboundHostPorts: []");
  PintodNode pintod(node, pc);
  pintod.start();
  const std::string applied = wait_policy_applied(pintod, 1);
  ASSERT_EQ(applied, "") << pintod.diagnostics();
  const std::string program = pintod.pintoctl({"policy"}).output;
  EXPECT_NE(program.find("ingress/failsafe/tcp:2222"), std::string::npos) << program;
  EXPECT_EQ(program.find("failsafe/tcp:22:"), std::string::npos) << program;
  EXPECT_EQ(tcp_exchange({client, "10.84.0.2"}, {node, "10.84.0.1"}, 2222), "") << program;
  EXPECT_NE(tcp_exchange({client, "10.84.0.2"}, {node, "10.84.0.1"}, 22, 1200ms), "")
      << "22 is no failsafe port in these settings\n"
      << program;
}

INSTANTIATE_TEST_SUITE_P(Dataplanes, PintodHostEndpoint, testing::Values("iptables", "ebpf"),
                         [](const testing::TestParamInfo<std::string>& param_info) {
                           return param_info.param;
                         });

}  // namespace
}  // namespace pinto::itest
