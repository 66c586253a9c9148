// Manifests from Calico's documentation (tests/testdata/calico/) parse unchanged into the typed
// model, with Calico's defaults applied.
#include <gtest/gtest.h>

#include "config/resources/resource.h"
#include "config/settings.h"
#include "config/validate_resources.h"

namespace pinto::config {
namespace {

std::vector<Resource> load(const std::string& file) {
  const std::string path = std::string(PINTO_TESTDATA_DIR) + "/calico/" + file;
  auto text = read_text_file(path);
  EXPECT_TRUE(text) << path;
  if (!text) return {};
  auto parsed = parse_resources(text.value(), file);
  EXPECT_TRUE(parsed) << parsed.error().to_string();
  if (!parsed) return {};
  return std::move(parsed).value();
}

IpPrefix prefix(const char* text) {
  return *IpPrefix::parse(text);
}

TEST(CalicoManifests, IpPoolSampleParsesWithDefaults) {
  auto rs = load("ippool.yaml");
  ASSERT_EQ(rs.size(), 1u);
  const auto& pool = std::get<IpPool>(rs[0]);
  EXPECT_EQ(pool.metadata.name, "my.ippool-1");
  EXPECT_EQ(pool.cidr, prefix("10.1.0.0/16"));
  EXPECT_EQ(pool.block_size, 26);  // Calico's IPv4 default
  EXPECT_EQ(pool.ipip_mode, EncapsulationMode::CrossSubnet);
  EXPECT_EQ(pool.vxlan_mode, EncapsulationMode::Never);
  EXPECT_TRUE(pool.nat_outgoing);
  EXPECT_FALSE(pool.disabled);
  EXPECT_FALSE(pool.disable_bgp_export);
  EXPECT_EQ(pool.node_selector, "all()");
  EXPECT_EQ(pool.allowed_uses, (std::vector{IpPoolUse::Workload, IpPoolUse::Tunnel}));
  EXPECT_EQ(pool.assignment_mode, AssignmentMode::Automatic);
  EXPECT_TRUE(validate_resources(rs));
}

TEST(CalicoManifests, Ipv6PoolDefaultsToBlockSize122) {
  auto r = parse_resources(
      "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: v6}\n"
      "spec: {cidr: 'fd00:10:244::/56', vxlanMode: Always, disableBGPExport: true,\n"
      "       assignmentMode: Manual, allowedUses: [LoadBalancer]}\n");
  ASSERT_TRUE(r) << r.error().to_string();
  const auto& pool = std::get<IpPool>(r.value()[0]);
  EXPECT_EQ(pool.block_size, 122);
  EXPECT_EQ(pool.vxlan_mode, EncapsulationMode::Always);
  EXPECT_TRUE(pool.disable_bgp_export);
  EXPECT_EQ(pool.assignment_mode, AssignmentMode::Manual);
  EXPECT_EQ(pool.allowed_uses, std::vector{IpPoolUse::LoadBalancer});
}

TEST(CalicoManifests, BgpPeerWithSecretKeyRefParses) {
  auto rs = load("bgppeer_password.yaml");
  ASSERT_EQ(rs.size(), 2u);
  const auto& peer = std::get<BgpPeer>(rs[0]);
  EXPECT_EQ(peer.peer_ip, IpAddress::parse("192.20.30.40"));
  EXPECT_EQ(peer.peer_port, std::nullopt);
  EXPECT_EQ(peer.as_number, 64567u);
  EXPECT_EQ(peer.password, (SecretKeyRef{"bgp-secrets", "rr-password"}));
  EXPECT_EQ(std::get<Secret>(rs[1]).data.at("rr-password"), "very-secret");
  EXPECT_TRUE(validate_resources(rs));
}

TEST(CalicoManifests, BgpConfigurationWithCommunitiesResolvesNames) {
  auto rs = load("bgpconfiguration.yaml");
  ASSERT_EQ(rs.size(), 1u);
  const auto& c = std::get<BgpConfiguration>(rs[0]);
  EXPECT_EQ(c.log_severity_screen, "Info");
  EXPECT_EQ(c.node_to_node_mesh_enabled, true);
  EXPECT_EQ(c.node_mesh_max_restart_time, std::chrono::milliseconds(120000));
  EXPECT_EQ(c.as_number, 63400u);
  EXPECT_EQ(c.service_cluster_ips, std::vector{prefix("10.96.0.0/12")});
  EXPECT_EQ(c.service_external_ips,
            (std::vector{prefix("104.244.42.129/32"), prefix("172.217.3.0/24")}));
  EXPECT_TRUE(c.service_load_balancer_ips.empty());
  EXPECT_EQ(c.listen_port, 178);
  EXPECT_EQ(c.bind_mode, BindMode::NodeIP);
  ASSERT_EQ(c.communities.size(), 1u);
  EXPECT_EQ(c.communities[0].name, "bgp-large-community");
  EXPECT_EQ(c.communities[0].value, (Community{true, 63400, 300, 100}));
  ASSERT_EQ(c.prefix_advertisements.size(), 1u);
  const auto& pa = c.prefix_advertisements[0];
  EXPECT_EQ(pa.cidr, prefix("172.218.4.0/26"));
  // The name resolves to its value; the literal is a standard community.
  EXPECT_EQ(pa.communities,
            (std::vector{Community{true, 63400, 300, 100}, Community{false, 63400, 120, 0}}));
  EXPECT_EQ(pa.communities[1].to_string(), "63400:120");
}

TEST(CalicoManifests, BgpFilterSampleParsesEveryRule) {
  auto rs = load("bgpfilter.yaml");
  ASSERT_EQ(rs.size(), 1u);
  const auto& f = std::get<BgpFilter>(rs[0]);
  ASSERT_EQ(f.export_v4.size(), 2u);
  EXPECT_EQ(f.export_v4[0].action, FilterAction::Accept);
  EXPECT_EQ(f.export_v4[0].match_operator, MatchOperator::In);
  EXPECT_EQ(f.export_v4[0].cidr, prefix("77.0.0.0/16"));
  EXPECT_TRUE(f.export_v4[0].source_remote_peers);
  EXPECT_EQ(f.export_v4[1].action, FilterAction::Reject);
  EXPECT_EQ(f.export_v4[1].interface, "*.calico");
  EXPECT_FALSE(f.export_v4[1].cidr);
  ASSERT_EQ(f.import_v4.size(), 1u);
  EXPECT_EQ(f.import_v4[0].match_operator, MatchOperator::NotIn);
  EXPECT_EQ(f.import_v4[0].prefix_length_min, 20);
  EXPECT_EQ(f.import_v4[0].prefix_length_max, 24);
  ASSERT_EQ(f.export_v6.size(), 1u);
  ASSERT_EQ(f.import_v6.size(), 2u);
  EXPECT_EQ(f.import_v6[0].cidr, prefix("9000::/64"));
  EXPECT_EQ(f.import_v6[0].match_operator, MatchOperator::Equal);
}

TEST(CalicoManifests, BgpFilterNewerMatchesAndOperations) {
  auto r = parse_resources(R"(
apiVersion: projectcalico.org/v3
kind: BGPFilter
metadata: {name: tag-and-prepend}
spec:
  exportV4:
  - action: Accept
    matchOperator: In
    cidr: 10.0.0.0/8
    peerType: eBGP
    communities: {values: ["65000:100"]}
    asPathPrefix: [65001, "1.10"]
    priority: 512
    operations:
    - addCommunity: {value: "65000:1:2"}
    - prependASPath: {prefix: [64512, 64512]}
    - setPriority: {value: 1024}
  importV6:
  - action: Reject
    peerType: iBGP
)");
  ASSERT_TRUE(r) << r.error().to_string();
  const auto& f = std::get<BgpFilter>(r.value()[0]);
  const auto& rule = f.export_v4.at(0);
  EXPECT_EQ(rule.peer_type, FilterPeerType::EBgp);
  EXPECT_EQ(rule.community, (Community{false, 65000, 100, 0}));
  EXPECT_EQ(rule.as_path_prefix, (std::vector<std::uint32_t>{65001, 65546}));
  EXPECT_EQ(rule.priority, 512u);
  ASSERT_EQ(rule.operations.size(), 3u);
  EXPECT_EQ(rule.operations[0].add_community, (Community{true, 65000, 1, 2}));
  EXPECT_EQ(rule.operations[1].prepend_as_path, (std::vector<std::uint32_t>{64512, 64512}));
  EXPECT_EQ(rule.operations[2].set_priority, 1024u);
  EXPECT_EQ(f.import_v6.at(0).peer_type, FilterPeerType::IBgp);
}

TEST(CalicoManifests, NodeSampleParses) {
  auto rs = load("node.yaml");
  ASSERT_EQ(rs.size(), 1u);
  const auto& n = std::get<Node>(rs[0]);
  ASSERT_TRUE(n.bgp);
  EXPECT_EQ(n.bgp->as_number, 64512u);
  EXPECT_EQ(n.bgp->ipv6_address->prefix_length, 120);
  EXPECT_EQ(n.bgp->ipv4_ipip_tunnel_addr, IpAddress::parse("192.168.0.1"));
}

TEST(CalicoManifests, NodeStateFieldsAreTyped) {
  auto r = parse_resources(R"(
apiVersion: projectcalico.org/v3
kind: Node
metadata: {name: n1}
spec:
  bgp: {ipv4Address: 10.0.0.1/24, routeReflectorClusterID: 244.0.0.1}
  ipv4VXLANTunnelAddr: 10.244.0.1
  vxlanTunnelMACAddr: 66:d3:7c:a0:3b:01
  addresses: [{address: 10.0.0.1/24, type: CalicoNodeIP}, {address: 10.0.0.1, type: InternalIP}]
  orchRefs: [{nodeName: n1, orchestrator: k8s}]
  wireguard: {interfaceIPv4Address: 10.244.0.2}
status: {podCIDRs: [10.244.0.0/24]}
)");
  ASSERT_TRUE(r) << r.error().to_string();
  const auto& n = std::get<Node>(r.value()[0]);
  EXPECT_EQ(n.bgp->route_reflector_cluster_id, "244.0.0.1");
  EXPECT_EQ(n.ipv4_vxlan_tunnel_addr, IpAddress::parse("10.244.0.1"));
  EXPECT_EQ(n.vxlan_tunnel_mac_addr, "66:d3:7c:a0:3b:01");
  ASSERT_EQ(n.addresses.size(), 2u);
  EXPECT_EQ(n.addresses[0].type, "CalicoNodeIP");
  ASSERT_EQ(n.orch_refs.size(), 1u);
  EXPECT_EQ(n.orch_refs[0].orchestrator, "k8s");
  EXPECT_EQ(n.wireguard->interface_ipv4_address, IpAddress::parse("10.244.0.2"));
}

TEST(CalicoManifests, WorkloadEndpointSampleParses) {
  auto rs = load("workloadendpoint.yaml");
  ASSERT_EQ(rs.size(), 1u);
  const auto& w = std::get<WorkloadEndpoint>(rs[0]);
  EXPECT_EQ(w.metadata.namespace_name, "default");
  EXPECT_EQ(w.metadata.labels.at("app"), "frontend");
  EXPECT_EQ(w.node, "node1");
  EXPECT_EQ(w.orchestrator, "k8s");
  EXPECT_EQ(w.pod, "my-nginx-b1337a");
  EXPECT_EQ(w.endpoint, "eth0");
  EXPECT_EQ(w.interface_name, "cali0ef24ba");
  EXPECT_EQ(w.mac, "ca:fe:1d:52:bb:e9");
  EXPECT_EQ(w.ip_networks, std::vector{prefix("192.168.0.0/32")});
  EXPECT_EQ(w.profiles, std::vector<std::string>{"profile1"});
  ASSERT_EQ(w.ports.size(), 2u);
  EXPECT_EQ(w.ports[1].name, "another-port");
  EXPECT_EQ(w.ports[1].port, 5432);
  EXPECT_EQ(w.ports[1].protocol, "UDP");
}

TEST(CalicoManifests, BgpPeerNewerFieldsAreTyped) {
  auto r = parse_resources(R"(
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: tor}
spec:
  nodeSelector: rack == 'r1'
  peerIP: "[fd00::1]:1179"
  asNumber: 65001
  localASNumber: "1.1"
  reachableBy: fd00::fe
  numAllowedLocalASNumbers: 2
  reversePeering: Manual
  filters: [my-filter]
  nextHopMode: Self
---
apiVersion: projectcalico.org/v3
kind: BGPFilter
metadata: {name: my-filter}
spec: {}
)");
  ASSERT_TRUE(r) << r.error().to_string();
  const auto& p = std::get<BgpPeer>(r.value()[0]);
  EXPECT_EQ(p.peer_ip, IpAddress::parse("fd00::1"));
  EXPECT_EQ(p.peer_port, 1179);
  EXPECT_EQ(p.local_as_number, 65537u);
  EXPECT_EQ(p.reachable_by, IpAddress::parse("fd00::fe"));
  EXPECT_EQ(p.num_allowed_local_as_numbers, 2u);
  EXPECT_EQ(p.reverse_peering, ReversePeering::Manual);
  EXPECT_EQ(p.next_hop_mode, NextHopMode::Self);
  EXPECT_TRUE(validate_resources(r.value()));
}

}  // namespace
}  // namespace pinto::config
