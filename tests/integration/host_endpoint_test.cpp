// Host endpoint policy (Calico's HostEndpoint) against a real kernel, in both back-ends: the
// node's own TCP servers and clients behind a HostEndpoint on its interface eth1, with
// forwarded traffic to a workload beside it that host endpoint policy must leave alone.
//
//   client ─ eth0 10.99.0.2 ═══ eth1 10.99.0.1 ─ node (forwarding)
//            fd00:99::2           fd00:99::1
//                               (HostEndpoint     ─ pod0 10.98.0.1 ═══ eth0 10.98.0.2 ─ pod
//                                node-a-eth1)
//
// Servers and clients are sockets the test process makes inside the namespaces (tcp_probe.h):
// no process to end. Every namespace and link is removed by its destructor, also when an
// assertion fails; the eBPF programs go with the EbpfDataplane (reset in the node namespace),
// iptables chains with the node namespace (uninstall() is still called and checked).
#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include "integration/fixture.h"
#include "integration/in_netns.h"
#include "integration/netns.h"
#include "integration/tcp_probe.h"
#include "policy/compiler/compiler.h"
#include "policy/ebpf/ebpf_dataplane.h"
#include "policy/iptables/iptables_dataplane.h"
#include "unit/policy/policy_test_util.h"

namespace pinto::itest {
namespace {

using namespace std::chrono_literals;

constexpr std::array<std::string_view, 6> kTools = {
    "ip", "sysctl", "iptables-restore", "ip6tables-restore", "ipset", "iptables-save"};

constexpr const char* kNodeAddress = "10.99.0.1";
constexpr const char* kClientAddress = "10.99.0.2";
constexpr const char* kPodAddress = "10.98.0.2";

// The node's interface towards the client, as a HostEndpoint of node-a.
constexpr const char* kHostEndpoint = R"(
apiVersion: projectcalico.org/v3
kind: HostEndpoint
metadata: {name: node-a-eth1, labels: {role: node}}
spec: {node: node-a, interfaceName: eth1, expectedIPs: [10.99.0.1]}
)";

constexpr const char* kAllowIngress8080 = R"(
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: host-8080}
spec:
  selector: role == 'node'
  ingress: [{action: Allow, protocol: TCP, destination: {ports: [8080]}}]
)";

constexpr const char* kDenyAll = R"(
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

constexpr const char* kAllowEgress9090 = R"(
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: host-out-9090}
spec:
  selector: role == 'node'
  types: [Egress]
  egress: [{action: Allow, protocol: TCP, destination: {nets: [10.99.0.2/32], ports: [9090]}}]
)";

class HostEndpointTest : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() { remove_stale_namespaces(); }

  void SetUp() override {
    require_root_and_tools(kTools);
    if (IsSkipped()) return;
    node_ = std::make_unique<Netns>("hepnode");
    client_ = std::make_unique<Netns>("hepclient");
    pod_ = std::make_unique<Netns>("heppod");
    uplink_ =
        std::make_unique<VethPair>(VethEnd{*node_, "eth1", {"10.99.0.1/24", "fd00:99::1/64"}},
                                   VethEnd{*client_, "eth0", {"10.99.0.2/24", "fd00:99::2/64"}});
    // Not "cali…": the iptables FORWARD hooks must not see the pod link as a workload's.
    pod_link_ = std::make_unique<VethPair>(VethEnd{*node_, "pod0", {"10.98.0.1/30"}},
                                           VethEnd{*pod_, "eth0", {"10.98.0.2/30"}});
    node_->sysctl("net.ipv4.ip_forward", "1");
    // Forwarding on in both families, so the eBPF back-end's "is it for this host" answer comes
    // from its FIB lookup, not from "forwarding is off here".
    node_->sysctl("net.ipv6.conf.all.forwarding", "1");
    ASSERT_EQ(client_->run({"ip", "route", "add", "10.98.0.0/30", "via", kNodeAddress}).exit_code,
              0);
    ASSERT_EQ(pod_->run({"ip", "route", "add", "default", "via", "10.98.0.1"}).exit_code, 0);
    if (GetParam() == "ebpf") {
      auto dp = policy::ebpf::EbpfDataplane::load();
      ASSERT_TRUE(dp) << dp.error().message;
      dataplane_ = std::move(dp).value();
    } else {
      policy::iptables::IptablesOptions o;
      o.command_prefix = {"ip", "netns", "exec", node_->name()};
      o.tool_timeout = 10s;
      dataplane_ = std::make_unique<policy::iptables::IptablesDataplane>(o);
    }
  }

  void TearDown() override {
    if (dataplane_) {
      InNetns in(*node_);
      auto r = dataplane_->uninstall();
      EXPECT_TRUE(r) << (r ? "" : r.error().message);
      dataplane_.reset();  // eBPF: detaches from eth1, frees program and maps
    }
    pod_link_.reset();
    uplink_.reset();
    pod_.reset();
    client_.reset();
    node_.reset();
  }

  void apply(const std::string& resources) {
    const policy::Program program =
        policy::compile(policy::testing_util::model_of(resources, "node-a"));
    InNetns in(*node_);  // the eBPF back-end resolves interfaces where it is called
    auto r = dataplane_->apply(program);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(dataplane_->pending_interfaces().empty());
  }

  // Empty when a TCP connection from the client to the node's own `port` carried a line.
  std::string client_to_node(int port, std::chrono::milliseconds timeout = 3s) {
    return tcp_exchange({*client_, kClientAddress}, {*node_, kNodeAddress}, port, timeout);
  }
  // Empty when the node itself connected to a server in the client namespace.
  std::string node_to_client(int port, std::chrono::milliseconds timeout = 3s) {
    return tcp_exchange({*node_, kNodeAddress}, {*client_, kClientAddress}, port, timeout);
  }

  std::unique_ptr<Netns> node_;
  std::unique_ptr<Netns> client_;
  std::unique_ptr<Netns> pod_;
  std::unique_ptr<VethPair> uplink_;
  std::unique_ptr<VethPair> pod_link_;
  std::unique_ptr<policy::Dataplane> dataplane_;
};

constexpr auto kDenied = 1200ms;  // how long a connection that must fail is given

TEST_P(HostEndpointTest, WithoutHostEndpointEverythingPasses) {
  apply("");
  EXPECT_EQ(client_to_node(8080), "");
  EXPECT_EQ(client_to_node(8081), "");
  EXPECT_EQ(node_to_client(9091), "");
}

TEST_P(HostEndpointTest, PolicyAllowsOnePortIntoTheHost) {
  apply(std::string(kHostEndpoint) + kAllowIngress8080);
  EXPECT_EQ(client_to_node(8080), "");
  EXPECT_NE(client_to_node(8081, kDenied), "") << "port 8081 is not allowed";
  // The policy has no Egress: the node may not open connections out of eth1 (Calico's host
  // endpoint default deny), yet the replies of the allowed connection above went out.
  EXPECT_NE(node_to_client(9091, kDenied), "");
}

TEST_P(HostEndpointTest, HostEndpointWithoutPolicyIsDefaultDenyButFailsafe) {
  apply(kHostEndpoint);
  EXPECT_NE(client_to_node(8080, kDenied), "");
  EXPECT_EQ(client_to_node(22), "") << "failsafe inbound tcp 22";
  EXPECT_EQ(client_to_node(179), "") << "failsafe inbound tcp 179";
}

TEST_P(HostEndpointTest, FailsafePortsSurviveADenyAllPolicy) {
  apply(std::string(kHostEndpoint) + kDenyAll);
  EXPECT_EQ(client_to_node(179), "") << "BGP must stay reachable";
  EXPECT_EQ(client_to_node(6443), "");
  EXPECT_NE(client_to_node(8080, kDenied), "");
  // Outbound failsafe: the node can still reach a BGP peer; anything else out is denied.
  EXPECT_EQ(node_to_client(179), "");
  EXPECT_NE(node_to_client(9090, kDenied), "");
}

TEST_P(HostEndpointTest, EgressPolicyAllowsOneDestinationPort) {
  apply(std::string(kHostEndpoint) + kAllowEgress9090);
  EXPECT_EQ(node_to_client(9090), "") << "allowed by the egress rule (replies by conntrack)";
  EXPECT_NE(node_to_client(9091, kDenied), "");
  EXPECT_NE(client_to_node(8080, kDenied), "") << "no ingress policy: default deny";
}

TEST_P(HostEndpointTest, ForwardedAndLoopbackTrafficIsNotPoliced) {
  apply(std::string(kHostEndpoint) + kDenyAll);
  // Through eth1 to the pod behind the node and back: forwarded, not host traffic.
  EXPECT_EQ(tcp_exchange({*client_, kClientAddress}, {*pod_, kPodAddress}, 8080), "");
  EXPECT_EQ(tcp_exchange({*pod_, kPodAddress}, {*client_, kClientAddress}, 9090), "");
  // The node talking to itself, on loopback and on eth1's own address (which the kernel routes
  // over lo).
  EXPECT_EQ(tcp_exchange({*node_, "127.0.0.1"}, {*node_, "127.0.0.1"}, 8080), "");
  EXPECT_EQ(tcp_exchange({*node_, kNodeAddress}, {*node_, kNodeAddress}, 8081), "");
}

TEST_P(HostEndpointTest, RemovingTheHostEndpointOpensTheHostAgain) {
  apply(std::string(kHostEndpoint) + kDenyAll);
  EXPECT_NE(client_to_node(8080, kDenied), "");
  apply(kDenyAll);  // the policy stays, the endpoint goes
  EXPECT_EQ(client_to_node(8080), "");
  EXPECT_EQ(node_to_client(9090), "");
}

// IPv6 into the host: the same verdicts, and neighbour discovery keeps working under default
// deny (the client must resolve the node's address first).
TEST_P(HostEndpointTest, Ipv6PolicyAllowsOnePortIntoTheHost) {
  apply(std::string(kHostEndpoint) + kAllowIngress8080);
  const TcpEndpoint client{*client_, "fd00:99::2"};
  const TcpEndpoint node{*node_, "fd00:99::1"};
  EXPECT_EQ(tcp_exchange(client, node, 8080), "");
  EXPECT_NE(tcp_exchange(client, node, 8081, kDenied), "");
  EXPECT_EQ(tcp_exchange(client, node, 179), "") << "failsafe in IPv6 too";
  EXPECT_NE(tcp_exchange(node, client, 9091, kDenied), "") << "egress default deny";
}

// What each back-end puts in the kernel for a host endpoint, and that uninstall() takes it all
// away (and opens the host again).
TEST_P(HostEndpointTest, InstalledHooksAndUninstall) {
  apply(std::string(kHostEndpoint) + kDenyAll);
  if (GetParam() == "ebpf") {
    EXPECT_NE(
        node_->run({"tc", "filter", "show", "dev", "eth1", "ingress"}).output.find("pinto_host_in"),
        std::string::npos);
    EXPECT_NE(
        node_->run({"tc", "filter", "show", "dev", "eth1", "egress"}).output.find("pinto_host_out"),
        std::string::npos);
  } else {
    const std::string saved = node_->run({"iptables-save", "-t", "filter"}).output;
    EXPECT_NE(saved.find("-A INPUT -j pinto-host-in"), std::string::npos) << saved;
    EXPECT_NE(saved.find("-A OUTPUT -j pinto-host-out"), std::string::npos) << saved;
    EXPECT_NE(saved.find("-A pinto-host-in -i eth1 -g pinto-hi-eth1"), std::string::npos) << saved;
  }
  {
    InNetns in(*node_);
    auto r = dataplane_->uninstall();
    ASSERT_TRUE(r) << r.error().message;
  }
  EXPECT_EQ(node_->run({"tc", "filter", "show", "dev", "eth1", "ingress"}).output.find("pinto"),
            std::string::npos);
  EXPECT_EQ(node_->run({"tc", "filter", "show", "dev", "eth1", "egress"}).output.find("pinto"),
            std::string::npos);
  for (const char* tool : {"iptables-save", "ip6tables-save"}) {
    const std::string saved = node_->run({tool, "-t", "filter"}).output;
    EXPECT_EQ(saved.find("pinto"), std::string::npos) << tool << ":\n" << saved;
  }
  EXPECT_EQ(client_to_node(8080), "");
}

INSTANTIATE_TEST_SUITE_P(Dataplanes, HostEndpointTest, ::testing::Values("iptables", "ebpf"),
                         [](const auto& test) { return test.param; });

}  // namespace
}  // namespace pinto::itest
