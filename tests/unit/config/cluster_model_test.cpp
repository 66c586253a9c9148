#include "config/cluster_model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace pinto::config {
namespace {

constexpr const char* kNodes = R"(
apiVersion: projectcalico.org/v3
kind: Node
metadata: {name: node-a}
spec: {bgp: {ipv4Address: 10.0.0.1/24, ipv6Address: "fd00::1/64"}}
---
apiVersion: projectcalico.org/v3
kind: Node
metadata: {name: node-b}
spec: {bgp: {ipv4Address: 10.0.0.2/24, asNumber: 64513}}
---
apiVersion: projectcalico.org/v3
kind: Node
metadata: {name: node-c}
spec: {bgp: {ipv6Address: "fd00::3/64"}}
---
apiVersion: projectcalico.org/v3
kind: Node
metadata: {name: node-d}
spec: {}
)";

Settings settings_for(const std::string& node) {
  Settings s;
  s.node_name = node;
  return s;
}

Validated<ClusterModel> model(const std::string& extra, const std::string& node = "node-a") {
  auto resources = parse_resources(std::string(kNodes) + extra);
  EXPECT_TRUE(resources) << resources.error().to_string();
  if (!resources) return failure(resources.error());
  return build_cluster_model(settings_for(node), resources.value());
}

TEST(ClusterModel, MeshPeersWithEveryOtherNodeOfASharedFamily) {
  auto m = model("");
  ASSERT_TRUE(m) << m.error().to_string();
  const auto& local = m.value().local;
  EXPECT_EQ(local.as_number, kCalicoDefaultAsNumber);
  EXPECT_EQ(local.router_id, IpAddress::parse("10.0.0.1"));
  ASSERT_EQ(m.value().peers.size(), 2u);
  EXPECT_EQ(m.value().peers[0].name, "mesh/node-b");
  EXPECT_EQ(m.value().peers[0].address, IpAddress::parse("10.0.0.2"));
  EXPECT_EQ(m.value().peers[0].remote_as, 64513u);
  EXPECT_EQ(m.value().peers[0].source_address, IpAddress::parse("10.0.0.1"));
  EXPECT_EQ(m.value().peers[1].name, "mesh/node-c");
  EXPECT_EQ(m.value().peers[1].address, IpAddress::parse("fd00::3"));
}

TEST(ClusterModel, MeshCanBeTurnedOffAndGlobalAsApplies) {
  auto m = model(R"(
---
apiVersion: projectcalico.org/v3
kind: BGPConfiguration
metadata: {name: default}
spec: {nodeToNodeMeshEnabled: false, asNumber: 65000, listenPort: 1790}
)");
  ASSERT_TRUE(m) << m.error().to_string();
  EXPECT_TRUE(m.value().peers.empty());
  EXPECT_EQ(m.value().local.as_number, 65000u);
  EXPECT_EQ(m.value().listen_port, 1790);
}

TEST(ClusterModel, ExplicitPeersApplyToTheirNodeOrGlobally) {
  auto m = model(R"(
---
apiVersion: projectcalico.org/v3
kind: BGPConfiguration
metadata: {name: default}
spec: {nodeToNodeMeshEnabled: false}
---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: tor}
spec: {node: node-a, peerIP: 10.0.0.254, asNumber: 65001, password: {secretKeyRef: {name: s, key: k}}}
---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: other-node}
spec: {node: node-b, peerIP: 10.0.0.253, asNumber: 65001}
---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: global-rr}
spec: {peerIP: "fd00::fe", asNumber: 64512, keepOriginalNextHop: true, passive: true}
---
apiVersion: v1
kind: Secret
metadata: {name: s}
stringData: {k: pw}
)");
  ASSERT_TRUE(m) << m.error().to_string();
  ASSERT_EQ(m.value().peers.size(), 2u);
  const auto& tor = m.value().peers[0];
  EXPECT_EQ(tor.name, "BGPPeer/tor");
  EXPECT_EQ(tor.password, "pw");
  const auto& rr = m.value().peers[1];
  EXPECT_EQ(rr.address, IpAddress::parse("fd00::fe"));
  EXPECT_EQ(rr.next_hop_mode, NextHopMode::Keep);
  EXPECT_TRUE(rr.passive);
  EXPECT_EQ(rr.source_address, IpAddress::parse("fd00::1"));
}

TEST(ClusterModel, ExplicitPeerWinsOverTheMeshForTheSameAddress) {
  auto m = model(R"(
---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: b-explicit}
spec: {peerIP: 10.0.0.2, asNumber: 64513, ttlSecurity: 1}
)");
  ASSERT_TRUE(m) << m.error().to_string();
  ASSERT_EQ(m.value().peers.size(), 2u);
  EXPECT_EQ(m.value().peers[0].name, "BGPPeer/b-explicit");
  EXPECT_EQ(m.value().peers[0].ttl_security, 1);
}

TEST(ClusterModel, ConfirmedBlocksOfThisNodeAreOriginatedAndBlackholed) {
  auto m = model(R"(
---
apiVersion: projectcalico.org/v3
kind: BlockAffinity
metadata: {name: node-a-10-244-1-0-26}
spec: {state: confirmed, node: node-a, cidr: 10.244.1.0/26, deleted: "false"}
---
apiVersion: projectcalico.org/v3
kind: BlockAffinity
metadata: {name: node-a-10-244-9-0-26}
spec: {state: pending, node: node-a, cidr: 10.244.9.0/26}
---
apiVersion: projectcalico.org/v3
kind: BlockAffinity
metadata: {name: node-b-10-244-2-0-26}
spec: {state: confirmed, node: node-b, cidr: 10.244.2.0/26}
---
apiVersion: projectcalico.org/v3
kind: BlockAffinity
metadata: {name: node-a-10-244-3-0-26}
spec: {state: confirmed, node: node-a, cidr: 10.244.3.0/26, deleted: "true"}
)");
  ASSERT_TRUE(m) << m.error().to_string();
  EXPECT_EQ(m.value().blocks, std::vector<IpPrefix>{*IpPrefix::parse("10.244.1.0/26")});
  EXPECT_EQ(m.value().originate, std::vector<IpPrefix>{*IpPrefix::parse("10.244.1.0/26")});
}

// Route reflection, Calico's rule: on a node with a cluster ID every iBGP peer is a client,
// except a Node reflecting for the same cluster; eBGP peers never are.
constexpr const char* kReflectorSetup = R"(
apiVersion: projectcalico.org/v3
kind: Node
metadata: {name: rr1}
spec: {bgp: {ipv4Address: 10.0.0.1/24, routeReflectorClusterID: 224.0.0.1}}
---
apiVersion: projectcalico.org/v3
kind: Node
metadata: {name: rr2}
spec: {bgp: {ipv4Address: 10.0.0.2/24, routeReflectorClusterID: 224.0.0.1}}
---
apiVersion: projectcalico.org/v3
kind: Node
metadata: {name: rr-other}
spec: {bgp: {ipv4Address: 10.0.0.3/24, routeReflectorClusterID: 224.0.0.9}}
---
apiVersion: projectcalico.org/v3
kind: Node
metadata: {name: worker}
spec: {bgp: {ipv4Address: 10.0.0.4/24}}
---
apiVersion: projectcalico.org/v3
kind: Node
metadata: {name: worker2}
spec: {bgp: {ipv4Address: 10.0.0.7/24}}
---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: to-rr2}
spec: {peerIP: 10.0.0.2, asNumber: 64512}
---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: to-rr-other}
spec: {peerIP: 10.0.0.3, asNumber: 64512}
---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: to-worker}
spec: {peerIP: 10.0.0.4, asNumber: 64512}
---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: plain-ip}
spec: {peerIP: 10.0.0.5, asNumber: 64512}
---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: upstream}
spec: {peerIP: 10.0.0.6, asNumber: 65001}
)";

const PeerIntent* peer_named(const ClusterModel& m, const std::string& name) {
  for (const auto& p : m.peers) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

TEST(ClusterModel, AReflectorsClientsAreItsIbgpPeersOutsideItsCluster) {
  auto resources = parse_resources(kReflectorSetup);
  ASSERT_TRUE(resources) << resources.error().to_string();
  auto m = build_cluster_model(settings_for("rr1"), resources.value());
  ASSERT_TRUE(m) << m.error().to_string();
  EXPECT_EQ(m.value().local.route_reflector_cluster_id, IpAddress::parse("224.0.0.1"));
  // A reflector takes no part in the mesh: worker2 (a Node without a BGPPeer) is no peer.
  EXPECT_EQ(m.value().peers.size(), 5u);
  EXPECT_EQ(peer_named(m.value(), "mesh/worker2"), nullptr);
  const auto client = [&](const char* name) {
    const PeerIntent* p = peer_named(m.value(), name);
    EXPECT_NE(p, nullptr) << name;
    return p != nullptr && p->route_reflector_client;
  };
  EXPECT_FALSE(client("BGPPeer/to-rr2"));      // same cluster: a fellow reflector
  EXPECT_TRUE(client("BGPPeer/to-rr-other"));  // another cluster's reflector
  EXPECT_TRUE(client("BGPPeer/to-worker"));    // a Node that does not reflect
  EXPECT_TRUE(client("BGPPeer/plain-ip"));     // no Node at that address
  EXPECT_FALSE(client("BGPPeer/upstream"));    // eBGP
}

TEST(ClusterModel, NonReflectorsHaveNoClientsAndLeaveReflectorsOutOfTheMesh) {
  auto resources = parse_resources(kReflectorSetup);
  ASSERT_TRUE(resources) << resources.error().to_string();
  auto m = build_cluster_model(settings_for("worker"), resources.value());
  ASSERT_TRUE(m) << m.error().to_string();
  EXPECT_FALSE(m.value().local.route_reflector_cluster_id);
  for (const auto& p : m.value().peers) EXPECT_FALSE(p.route_reflector_client) << p.name;
  // The mesh reaches worker2 but none of the three reflectors.
  EXPECT_NE(peer_named(m.value(), "mesh/worker2"), nullptr);
  EXPECT_EQ(peer_named(m.value(), "mesh/rr1"), nullptr);
  EXPECT_EQ(peer_named(m.value(), "mesh/rr-other"), nullptr);
}

TEST(ClusterModel, AnIpv6ClusterIdIsRefused) {
  auto resources = parse_resources(R"(
apiVersion: projectcalico.org/v3
kind: Node
metadata: {name: rr1}
spec: {bgp: {ipv4Address: 10.0.0.1/24, routeReflectorClusterID: "fd00::1"}}
)");
  // The Node reader refuses it before any model is built.
  ASSERT_FALSE(resources);
  EXPECT_EQ(resources.error().field, "spec.bgp.routeReflectorClusterID");
}

TEST(ClusterModel, ErrorsNameWhatIsMissing) {
  auto missing_node = model("", "node-x");
  ASSERT_FALSE(missing_node);
  EXPECT_EQ(missing_node.error().field, "nodeName");

  auto no_address = model("", "node-d");
  ASSERT_FALSE(no_address);
  EXPECT_EQ(no_address.error().field, "Node node-d: spec.bgp");

  auto v6_only = model("", "node-c");
  ASSERT_FALSE(v6_only);
  EXPECT_EQ(v6_only.error().field, "routerId");

  auto no_secret = model(R"(
---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: tor}
spec: {peerIP: 10.0.0.254, asNumber: 65001, password: {secretKeyRef: {name: nope, key: k}}}
)");
  // A missing secret is that peer's error, not the configuration's: the rest still runs.
  ASSERT_TRUE(no_secret) << no_secret.error().to_string();
  const auto tor = std::find_if(no_secret.value().peers.begin(), no_secret.value().peers.end(),
                                [](const PeerIntent& p) { return p.name == "BGPPeer/tor"; });
  ASSERT_NE(tor, no_secret.value().peers.end());
  EXPECT_EQ(tor->config_error, "BGPPeer tor: spec.password.secretKeyRef: no Secret named 'nope'");
  EXPECT_FALSE(tor->password);
}

TEST(ClusterModel, AMissingLocalNodeCanBeWaitedFor) {
  auto resources = parse_resources(kNodes);
  ASSERT_TRUE(resources);
  auto m = build_cluster_model(settings_for("node-x"), resources.value(), MissingLocalNode::Wait);
  ASSERT_TRUE(m) << m.error().to_string();
  EXPECT_FALSE(m.value().has_local_node);
  EXPECT_TRUE(m.value().peers.empty());
}

constexpr const char* kLabelledNodes = R"yaml(
---
apiVersion: projectcalico.org/v3
kind: BGPConfiguration
metadata: {name: default}
spec: {nodeToNodeMeshEnabled: false}
---
apiVersion: projectcalico.org/v3
kind: Node
metadata: {name: rr-1, labels: {route-reflector: "true", rack: r1}}
spec: {bgp: {ipv4Address: 10.0.0.9/24, routeReflectorClusterID: 1.0.0.1}}
---
apiVersion: projectcalico.org/v3
kind: Node
metadata: {name: edge, labels: {rack: r2}}
spec: {bgp: {ipv4Address: 10.0.0.0/24}}
---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: peer-with-rrs}
spec: {nodeSelector: "!has(route-reflector)", peerSelector: route-reflector == 'true'}
)yaml";

TEST(ClusterModel, SelectorPeersFollowCalicosRouteReflectorPattern) {
  // node-a has no route-reflector label: nodeSelector applies, peerSelector picks rr-1.
  auto m = model(kLabelledNodes);
  ASSERT_TRUE(m) << m.error().to_string();
  ASSERT_EQ(m.value().peers.size(), 1u);
  const auto& rr = m.value().peers[0];
  EXPECT_EQ(rr.name, "BGPPeer/peer-with-rrs@rr-1");
  EXPECT_EQ(rr.address, IpAddress::parse("10.0.0.9"));
  EXPECT_EQ(rr.remote_as, kCalicoDefaultAsNumber);
  EXPECT_FALSE(rr.passive);  // 10.0.0.1 < 10.0.0.9: node-a connects
  // On the reflector the BGPPeer does not apply (nodeSelector), but it selects the reflector as
  // a peer: reversePeering (Auto) makes it peer back with every node the BGPPeer applies to.
  auto on_rr = model(kLabelledNodes, "rr-1");
  ASSERT_TRUE(on_rr) << on_rr.error().to_string();
  std::set<std::string> names;
  for (const auto& p : on_rr.value().peers) {
    names.insert(p.name);
    // node-b is in AS 64513: eBGP, never a reflection client.
    EXPECT_EQ(p.route_reflector_client, p.name != "BGPPeer/peer-with-rrs@node-b") << p.name;
  }
  EXPECT_EQ(names,
            (std::set<std::string>{"BGPPeer/peer-with-rrs@node-a", "BGPPeer/peer-with-rrs@node-b",
                                   "BGPPeer/peer-with-rrs@edge"}));
}

TEST(ClusterModel, ReversePeeringCanBeTurnedOff) {
  std::string manual(kLabelledNodes);
  manual.replace(manual.find("peerSelector: route-reflector == 'true'}"), 40,
                 "peerSelector: route-reflector == 'true', reversePeering: Manual}");
  auto on_rr = model(manual, "rr-1");
  ASSERT_TRUE(on_rr) << on_rr.error().to_string();
  EXPECT_TRUE(on_rr.value().peers.empty());
}

TEST(ClusterModel, OfTwoSelectorPeersTheHigherAddressListens) {
  auto m = model(std::string(kLabelledNodes) + R"(
---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: racks}
spec: {peerSelector: has(rack)}
)",
                 "rr-1");
  ASSERT_TRUE(m) << m.error().to_string();
  // edge (rack r2) through `racks` (and the reverse peering); rr-1 never peers with itself.
  const auto at = [&](const char* address) {
    return std::count_if(m.value().peers.begin(), m.value().peers.end(), [&](const PeerIntent& p) {
      return p.address == IpAddress::parse(address);
    });
  };
  EXPECT_EQ(at("10.0.0.9"), 0);
  ASSERT_EQ(at("10.0.0.0"), 1);
  const auto edge =
      std::find_if(m.value().peers.begin(), m.value().peers.end(),
                   [](const PeerIntent& p) { return p.address == IpAddress::parse("10.0.0.0"); });
  EXPECT_TRUE(edge->passive);  // 10.0.0.9 > 10.0.0.0: rr-1 waits
  EXPECT_TRUE(edge->route_reflector_client);
}

TEST(ClusterModel, OnlyBlocksInsideAnExportedPoolAreAdvertised) {
  auto block = [](const std::string& cidr) {
    std::string name = cidr;
    std::replace(name.begin(), name.end(), '/', '-');
    return "---\napiVersion: projectcalico.org/v3\nkind: BlockAffinity\nmetadata: {name: b" + name +
           "}\nspec: {node: node-a, cidr: " + cidr + ", state: confirmed}\n";
  };
  const std::string blocks = block("10.1.0.0/26") + block("10.2.0.0/26") + block("10.3.0.0/26");
  // Without any IPPool (a static deployment), every owned block is advertised.
  auto static_model = model(blocks);
  ASSERT_TRUE(static_model) << static_model.error().to_string();
  EXPECT_EQ(static_model.value().originate.size(), 3u);
  auto m = model(blocks + R"(
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: exported}
spec: {cidr: 10.1.0.0/16}
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: private}
spec: {cidr: 10.2.0.0/16, disableBGPExport: true}
)");
  ASSERT_TRUE(m) << m.error().to_string();
  EXPECT_EQ(m.value().originate, std::vector<IpPrefix>{*IpPrefix::parse("10.1.0.0/26")});
  EXPECT_EQ(m.value().blocks.size(), 3u);  // all three stay blackholed on their node
}

TEST(ClusterModel, ServiceRangesAreAdvertisedByEveryNode) {
  const std::string configuration = R"(
---
apiVersion: projectcalico.org/v3
kind: BGPConfiguration
metadata: {name: default}
spec:
  serviceClusterIPs: [{cidr: 10.96.0.0/12}]
  serviceExternalIPs: [{cidr: 192.0.2.0/24}, {cidr: "fd00:96::/112"}]
  serviceLoadBalancerIPs: [{cidr: 198.51.100.0/24}]
)";
  for (const char* node : {"node-a", "node-b"}) {
    auto m = model(configuration, node);
    ASSERT_TRUE(m) << m.error().to_string();
    std::set<std::string> originated;
    for (const auto& p : m.value().originate) originated.insert(p.to_string());
    EXPECT_EQ(originated, (std::set<std::string>{"10.96.0.0/12", "192.0.2.0/24", "fd00:96::/112",
                                                 "198.51.100.0/24"}))
        << node;
    EXPECT_TRUE(m.value().blocks.empty());
  }
}

TEST(ClusterModel, BadSelectorsAreRefusedWithThePosition) {
  auto resources = parse_resources(R"(
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: x}
spec: {nodeSelector: "rack == ", peerIP: 10.0.0.1, asNumber: 1}
)");
  ASSERT_FALSE(resources);
  EXPECT_EQ(resources.error().field, "spec.nodeSelector");
  EXPECT_NE(resources.error().message.find("not a valid selector: at "), std::string::npos)
      << resources.error().message;
}

}  // namespace
}  // namespace pinto::config
