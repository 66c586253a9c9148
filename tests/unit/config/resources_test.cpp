#include <gtest/gtest.h>

#include "config/base64.h"
#include "config/resources/resource.h"

namespace pinto::config {
namespace {

// A route-reflector deployment as Calico's docs write it, plus a Secret for the password.
constexpr const char* kManifest = R"(
apiVersion: projectcalico.org/v3
kind: Node
metadata:
  name: node-a
  labels: {rack: r1}
spec:
  bgp:
    asNumber: 64512
    ipv4Address: 10.0.0.1/24
    ipv6Address: fd00::1/64
---
apiVersion: projectcalico.org/v3
kind: BGPConfiguration
metadata: {name: default}
spec:
  logSeverityScreen: Info
  nodeToNodeMeshEnabled: false
  asNumber: 64512
  serviceClusterIPs: [{cidr: 10.96.0.0/12}]
---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: rack1-tor}
spec:
  node: node-a
  peerIP: 10.0.0.254
  asNumber: 65001
  password:
    secretKeyRef: {name: bgp-secrets, key: rr-password}
  keepaliveTime: 10s
  maxRestartTime: 2m
  ttlSecurity: 1
---
apiVersion: v1
kind: Secret
metadata: {name: bgp-secrets, namespace: calico-system}
type: Opaque
stringData:
  rr-password: very-secret
data:
  other: c2VjcmV0Mg==
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: default-ipv4-ippool}
spec: {cidr: 10.244.0.0/16, ipipMode: Never, natOutgoing: true}
)";

TEST(Resources, ACalicoManifestParses) {
  auto r = parse_resources(kManifest, "manifest.yaml");
  ASSERT_TRUE(r) << r.error().to_string();
  const auto& rs = r.value();
  ASSERT_EQ(rs.size(), 5u);

  const auto& node = std::get<Node>(rs[0]);
  EXPECT_EQ(node.metadata.name, "node-a");
  EXPECT_EQ(node.metadata.labels.at("rack"), "r1");
  ASSERT_TRUE(node.bgp);
  EXPECT_EQ(node.bgp->as_number, 64512u);
  EXPECT_EQ(node.bgp->ipv4_address, (InterfaceAddress{*IpAddress::parse("10.0.0.1"), 24}));
  EXPECT_EQ(node.bgp->ipv6_address->prefix_length, 64);

  const auto& conf = std::get<BgpConfiguration>(rs[1]);
  EXPECT_EQ(conf.node_to_node_mesh_enabled, false);

  const auto& peer = std::get<BgpPeer>(rs[2]);
  EXPECT_EQ(peer.node, "node-a");
  EXPECT_EQ(peer.peer_ip, IpAddress::parse("10.0.0.254"));
  EXPECT_EQ(peer.as_number, 65001u);
  EXPECT_EQ(peer.password, (SecretKeyRef{"bgp-secrets", "rr-password"}));
  EXPECT_EQ(peer.keepalive_time, std::chrono::milliseconds(10000));
  EXPECT_EQ(peer.max_restart_time, std::chrono::milliseconds(120000));
  EXPECT_EQ(peer.ttl_security, 1);

  const auto& secret = std::get<Secret>(rs[3]);
  EXPECT_EQ(secret.data.at("rr-password"), "very-secret");
  EXPECT_EQ(secret.data.at("other"), "secret2");

  EXPECT_EQ(kind_of(rs[4]), "IPPool");
}

TEST(Resources, PeerIpWithPortAndAsdot) {
  auto r = parse_resources(R"(
kind: BGPPeerList
apiVersion: projectcalico.org/v3
items:
- apiVersion: projectcalico.org/v3
  kind: BGPPeer
  metadata: {name: a}
  spec: {peerIP: "10.0.0.9:1790", asNumber: "1.10"}
- apiVersion: projectcalico.org/v3
  kind: BGPPeer
  metadata: {name: b}
  spec: {peerIP: "[fd00::9]:1790", asNumber: 4200000000}
)");
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r.value().size(), 2u);
  const auto& a = std::get<BgpPeer>(r.value()[0]);
  EXPECT_EQ(a.peer_port, 1790);
  EXPECT_EQ(a.as_number, 65546u);
  const auto& b = std::get<BgpPeer>(r.value()[1]);
  EXPECT_EQ(b.peer_ip, IpAddress::parse("fd00::9"));
  EXPECT_EQ(b.as_number, 4200000000u);
}

struct BadResource {
  const char* yaml;
  const char* field;
  const char* message_part;
};

class ResourceErrors : public testing::TestWithParam<BadResource> {};

TEST_P(ResourceErrors, AreRefusedWholeWithTheFieldNamed) {
  const std::string yaml = std::string(kManifest) + "---\n" + GetParam().yaml;
  auto r = parse_resources(yaml, "m.yaml");
  ASSERT_FALSE(r) << "accepted: " << GetParam().yaml;
  EXPECT_EQ(r.error().field, GetParam().field) << r.error().to_string();
  EXPECT_NE(r.error().to_string().find(GetParam().message_part), std::string::npos)
      << r.error().to_string();
}

constexpr const char* kPeerHead =
    "apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata: {name: p}\n";

INSTANTIATE_TEST_SUITE_P(
    Fields, ResourceErrors,
    testing::Values(
        BadResource{"apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata: {name: p}\n"
                    "spec: {peerIP: 10.0.0.300, asNumber: 1}\n",
                    "spec.peerIP", "document 6 (BGPPeer p)"},
        BadResource{"apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata: {name: p}\n"
                    "spec: {peerIP: 10.0.0.3}\n",
                    "spec.asNumber", "required"},
        BadResource{"apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata: {name: p}\n"
                    "spec: {peerIP: 10.0.0.3, asNumber: 0}\n",
                    "spec.asNumber", "not an AS number"},
        BadResource{"apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata: {name: p}\n"
                    "spec: {peerIP: 10.0.0.3, asNumber: 1, peerIp: 1.1.1.1}\n",
                    "spec.peerIp", "unknown field"},
        BadResource{"apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata: {name: p}\n"
                    "spec: {peerIP: 10.0.0.3, asNumber: 1, node: a, nodeSelector: all()}\n",
                    "spec.nodeSelector", "cannot be set together"},
        BadResource{"apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata: {name: p}\n"
                    "spec: {peerIP: 10.0.0.3, asNumber: 1, keepaliveTime: soon}\n",
                    "spec.keepaliveTime", "not a duration"},
        BadResource{"apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata: {name: p}\n"
                    "spec: {peerIP: 10.0.0.3, asNumber: 1, password: {secretKeyRef: {name: x}}}\n",
                    "spec.password.secretKeyRef.key", "required"},
        BadResource{"apiVersion: projectcalico.org/v3\nkind: Node\nmetadata: {name: n}\n"
                    "spec: {bgp: {ipv4Address: fd00::1/64}}\n",
                    "spec.bgp.ipv4Address", "IPv4"},
        BadResource{"apiVersion: projectcalico.org/v3\nkind: Node\nmetadata: {name: n}\n"
                    "spec: {bgp: {ipv4Address: 10.0.0.1/33}}\n",
                    "spec.bgp.ipv4Address", "prefix length"},
        BadResource{"apiVersion: projectcalico.org/v3\nkind: Node\nmetadata: {labels: {a: b}}\n",
                    "metadata.name", "required"},
        BadResource{"apiVersion: projectcalico.org/v3\nkind: Gateway\nmetadata: {name: g}\n",
                    "kind", "unknown kind 'Gateway'"},
        BadResource{"apiVersion: networking.k8s.io/v1\nkind: BGPPeer\nmetadata: {name: g}\n",
                    "apiVersion", "projectcalico.org/v3"},
        BadResource{"apiVersion: projectcalico.org/v3\nmetadata: {name: g}\n", "kind", "required"},
        BadResource{"apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {k: '!!!'}\n",
                    "data.k", "base64"},
        BadResource{"apiVersion: projectcalico.org/v3\nkind: BGPConfiguration\n"
                    "metadata: {name: default}\nspec: {nodeToNodeMeshEnabled: yes-please}\n",
                    "spec.nodeToNodeMeshEnabled", "true or false"},
        BadResource{"apiVersion: projectcalico.org/v3\nkind: BGPConfiguration\n"
                    "metadata: {name: default}\nspec: {listenport: 179}\n",
                    "spec.listenport", "unknown field"},
        BadResource{"apiVersion: projectcalico.org/v3\nkind: BlockAffinity\nmetadata: {name: b}\n"
                    "spec: {state: owned, node: n, cidr: 10.244.1.0/26}\n",
                    "spec.state", "confirmed, pending or pendingDeletion"},
        BadResource{"apiVersion: projectcalico.org/v3\nkind: BlockAffinity\nmetadata: {name: b}\n"
                    "spec: {state: confirmed, node: n, cidr: 10.244.1.1/26}\n",
                    "spec.cidr", "CIDR"},
        BadResource{"apiVersion: projectcalico.org/v3\nkind: BlockAffinity\nmetadata: {name: b}\n"
                    "spec: {state: confirmed, node: n}\n",
                    "spec.cidr", "required"}));

TEST(Resources, InvalidYamlIsAClearError) {
  auto r = parse_resources("kind: [", "x.yaml");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("x.yaml: not valid YAML"), std::string::npos);
}

TEST(Base64, DecodesPaddedAndUnpadded) {
  EXPECT_EQ(base64_decode("c2VjcmV0"), "secret");
  EXPECT_EQ(base64_decode("c2VjcmV0Mg=="), "secret2");
  EXPECT_EQ(base64_decode("c2VjcmV0Mg"), "secret2");
  EXPECT_FALSE(base64_decode("c2V*"));
  EXPECT_FALSE(base64_decode("c"));
}

}  // namespace
}  // namespace pinto::config
