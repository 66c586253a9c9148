// A table of resources Calico (or Pinto) refuses, each with the exact field path the error
// must name. One line per rule, so a rule that stops being enforced fails by name.
#include <gtest/gtest.h>

#include <string>

#include "config/resources/resource.h"

namespace pinto::config {
namespace {

struct Bad {
  const char* kind;
  const char* spec;  // YAML flow or block text under `spec:`
  const char* field;
  const char* message_part;
};

std::string manifest(const Bad& b) {
  return std::string("apiVersion: projectcalico.org/v3\nkind: ") + b.kind +
         "\nmetadata: {name: x}\nspec: " + b.spec + "\n";
}

void PrintTo(const Bad& b, std::ostream* os) {
  *os << b.kind << " " << b.spec;
}

class RefusedResource : public testing::TestWithParam<Bad> {};

TEST_P(RefusedResource, NamesTheField) {
  const Bad& b = GetParam();
  auto r = parse_resources(manifest(b), "bad.yaml");
  ASSERT_FALSE(r) << "accepted: " << manifest(b);
  EXPECT_EQ(r.error().field, b.field) << r.error().to_string();
  EXPECT_NE(r.error().to_string().find(b.message_part), std::string::npos) << r.error().to_string();
}

// IPPool: Calico's validateIPPoolSpec and CRD rules.
INSTANTIATE_TEST_SUITE_P(
    IpPool, RefusedResource,
    testing::Values(
        Bad{"IPPool", "{}", "spec.cidr", "required"},
        Bad{"IPPool", "{cidr: 10.1.0.1/16}", "spec.cidr", "host bits"},
        Bad{"IPPool", "{cidr: 10.1.0.0/33}", "spec.cidr", "not a CIDR"},
        Bad{"IPPool", "{cidr: 169.254.0.0/20}", "spec.cidr", "link-local"},
        Bad{"IPPool", "{cidr: 'fe80::/64'}", "spec.cidr", "link-local"},
        Bad{"IPPool", "{cidr: 10.1.0.0/16, blockSize: 19}", "spec.blockSize", "from 20 to 32"},
        Bad{"IPPool", "{cidr: 10.1.0.0/16, blockSize: 33}", "spec.blockSize", "from 20 to 32"},
        Bad{"IPPool", "{cidr: 'fd00::/48', blockSize: 115}", "spec.blockSize", "from 116 to 128"},
        Bad{"IPPool", "{cidr: 10.1.0.0/28}", "spec.cidr", "smaller than one block"},
        Bad{"IPPool", "{cidr: 10.1.0.0/16, ipipMode: always}", "spec.ipipMode", "CrossSubnet"},
        Bad{"IPPool", "{cidr: 10.1.0.0/16, vxlanMode: Sometimes}", "spec.vxlanMode", "Never"},
        Bad{"IPPool", "{cidr: 10.1.0.0/16, ipipMode: Always, vxlanMode: CrossSubnet}",
            "spec.vxlanMode", "together with ipipMode"},
        Bad{"IPPool", "{cidr: 'fd00::/48', ipipMode: Always}", "spec.ipipMode", "IPv4 only"},
        Bad{"IPPool", "{cidr: 10.1.0.0/16, natOutgoing: maybe}", "spec.natOutgoing",
            "true or false"},
        Bad{"IPPool", "{cidr: 10.1.0.0/16, allowedUses: [Pods]}", "spec.allowedUses[0]",
            "Workload, Tunnel or LoadBalancer"},
        Bad{"IPPool", "{cidr: 10.1.0.0/16, allowedUses: [Workload, LoadBalancer]}",
            "spec.allowedUses", "cannot be combined"},
        Bad{"IPPool", "{cidr: 10.1.0.0/16, allowedUses: [Tunnel], namespaceSelector: a == 'b'}",
            "spec.namespaceSelector", "Tunnel"},
        Bad{"IPPool", "{cidr: 10.1.0.0/16, assignmentMode: Auto}", "spec.assignmentMode",
            "Automatic, Manual"},
        Bad{"IPPool", "{cidr: 10.1.0.0/16, ipip: {enabled: true}}", "spec.ipip", "ipipMode"},
        Bad{"IPPool", "{cidr: 10.1.0.0/16, blocksize: 26}", "spec.blocksize", "unknown field"}));

// BGPConfiguration: communities, prefix advertisements, service CIDRs and the rest.
INSTANTIATE_TEST_SUITE_P(
    BgpConfiguration, RefusedResource,
    testing::Values(
        Bad{"BGPConfiguration", "{asNumber: 4294967296}", "spec.asNumber", "not an AS number"},
        Bad{"BGPConfiguration", "{asNumber: 1.65536}", "spec.asNumber", "not an AS number"},
        Bad{"BGPConfiguration", "{listenPort: 0}", "spec.listenPort", "1 to 65535"},
        Bad{"BGPConfiguration", "{logSeverityScreen: Verbose}", "spec.logSeverityScreen",
            "Debug, Info, Warning, Error, Fatal"},
        Bad{"BGPConfiguration", "{serviceClusterIPs: [{cidr: 10.96.0.1/12}]}",
            "spec.serviceClusterIPs[0].cidr", "host bits"},
        Bad{"BGPConfiguration", "{serviceExternalIPs: [{}]}", "spec.serviceExternalIPs[0].cidr",
            "required"},
        Bad{"BGPConfiguration", "{serviceLoadBalancerIPs: 10.0.0.0/8}",
            "spec.serviceLoadBalancerIPs", "expected a list"},
        Bad{"BGPConfiguration", "{serviceClusterIPs: [{cidr: 10.96.0.0/12, pool: x}]}",
            "spec.serviceClusterIPs[0].pool", "unknown field"},
        Bad{"BGPConfiguration",
            "{communities: [{name: c, value: '65536:1'}], prefixAdvertisements: [{cidr: "
            "10.0.0.0/8, communities: [c]}]}",
            "spec.communities[0].value", "16-bit"},
        Bad{"BGPConfiguration", "{communities: [{name: c, value: '1:2:4294967296'}]}",
            "spec.communities[0].value", "32-bit"},
        Bad{"BGPConfiguration", "{communities: [{name: c, value: '1:2:3:4'}]}",
            "spec.communities[0].value", "not a community"},
        Bad{"BGPConfiguration", "{communities: [{value: '1:2'}]}", "spec.communities[0].name",
            "required"},
        Bad{"BGPConfiguration", "{communities: [{name: c, value: '1:2'}, {name: c, value: '1:3'}]}",
            "spec.communities[1].name", "defined twice"},
        Bad{"BGPConfiguration", "{communities: [{name: c, value: '1:2'}]}", "spec.communities",
            "not used by any prefixAdvertisements"},
        Bad{"BGPConfiguration", "{prefixAdvertisements: [{cidr: 10.0.0.0/8, communities: [nope]}]}",
            "spec.prefixAdvertisements[0].communities[0]", "neither a community value nor a name"},
        Bad{"BGPConfiguration", "{prefixAdvertisements: [{cidr: 10.0.0.0/8}]}",
            "spec.prefixAdvertisements[0].communities", "required"},
        Bad{"BGPConfiguration", "{prefixAdvertisements: [{communities: ['1:2']}]}",
            "spec.prefixAdvertisements[0].cidr", "required"},
        Bad{"BGPConfiguration", "{bindMode: All}", "spec.bindMode", "None, NodeIP"},
        Bad{"BGPConfiguration", "{ignoredInterfaces: ['*']}", "spec.ignoredInterfaces[0]",
            "not '*'"},
        Bad{"BGPConfiguration", "{ignoredInterfaces: [averyveryverylongname]}",
            "spec.ignoredInterfaces[0]", "1-15"},
        Bad{"BGPConfiguration", "{localWorkloadPeeringIPV4: 'fd00::1'}",
            "spec.localWorkloadPeeringIPV4", "IPv4"},
        Bad{"BGPConfiguration", "{localWorkloadPeeringIPV6: 169.254.0.179}",
            "spec.localWorkloadPeeringIPV6", "IPv6"},
        Bad{"BGPConfiguration", "{nodeMeshMaxRestartTime: 2m}", "spec.nodeMeshMaxRestartTime",
            "named default"},
        Bad{"BGPConfiguration", "{programClusterRoutes: Disabled}", "spec.programClusterRoutes",
            "not supported by Pinto yet"},
        Bad{"BGPConfiguration", "{serviceLoadBalancerAggregation: Disabled}",
            "spec.serviceLoadBalancerAggregation", "not supported by Pinto yet"}));

// BGPPeer: Calico's exclusivity rules and the fields Pinto refuses.
INSTANTIATE_TEST_SUITE_P(
    BgpPeer, RefusedResource,
    testing::Values(
        Bad{"BGPPeer", "{}", "spec.peerIP", "required"},
        Bad{"BGPPeer", "{peerIP: 10.0.0.1:0, asNumber: 1}", "spec.peerIP", "not an IP"},
        Bad{"BGPPeer", "{peerIP: '[fd00::1]:65536', asNumber: 1}", "spec.peerIP", "not an IP"},
        Bad{"BGPPeer", "{peerIP: 10.0.0.1, peerSelector: all(), asNumber: 1}", "spec.peerSelector",
            "cannot be set together with peerIP"},
        Bad{"BGPPeer", "{peerSelector: all(), asNumber: 1}", "spec.asNumber",
            "together with peerSelector"},
        Bad{"BGPPeer", "{node: a, nodeSelector: all(), peerSelector: all()}", "spec.nodeSelector",
            "together with node"},
        Bad{"BGPPeer", "{peerIP: 10.0.0.1, asNumber: 1, localASNumber: 0}", "spec.localASNumber",
            "not an AS number"},
        Bad{"BGPPeer", "{peerIP: 10.0.0.1, asNumber: 1, reachableBy: 'fd00::1'}",
            "spec.reachableBy", "same IP family"},
        Bad{"BGPPeer", "{peerSelector: all(), reachableBy: 10.0.0.2}", "spec.reachableBy",
            "requires peerIP"},
        Bad{"BGPPeer", "{peerIP: 10.0.0.1, asNumber: 1, reversePeering: Sometimes}",
            "spec.reversePeering", "Auto, Manual"},
        Bad{"BGPPeer", "{peerIP: 10.0.0.1, asNumber: 1, ttlSecurity: 256}", "spec.ttlSecurity",
            "0 to 255"},
        Bad{"BGPPeer", "{peerIP: 10.0.0.1, asNumber: 1, numAllowedLocalASNumbers: -1}",
            "spec.numAllowedLocalASNumbers", "whole number"},
        Bad{"BGPPeer",
            "{peerIP: 10.0.0.1, asNumber: 1, keepOriginalNextHop: true, nextHopMode: Self}",
            "spec.nextHopMode", "contradicts"},
        Bad{"BGPPeer", "{peerIP: 10.0.0.1, asNumber: 1, filters: ['']}", "spec.filters[0]",
            "empty"},
        Bad{"BGPPeer", "{peerIP: 10.0.0.1, asNumber: 1, password: {}}",
            "spec.password.secretKeyRef", "required"},
        Bad{"BGPPeer",
            "{peerIP: 10.0.0.1, asNumber: 1, failureDetectionMode: BFDIfDirectlyConnected}",
            "spec.failureDetectionMode", "not supported by Pinto yet"},
        Bad{"BGPPeer", "{localWorkloadSelector: all(), asNumber: 1}", "spec.localWorkloadSelector",
            "not supported by Pinto yet"}));

// BGPFilter: per-family CIDRs, operator/cidr pairing, ranges and operations.
INSTANTIATE_TEST_SUITE_P(
    BgpFilter, RefusedResource,
    testing::Values(
        Bad{"BGPFilter", "{exportV4: [{action: Accept, matchOperator: In, cidr: 'fd00::/8'}]}",
            "spec.exportV4[0].cidr", "IPv4 prefix"},
        Bad{"BGPFilter", "{importV6: [{action: Accept, matchOperator: In, cidr: 10.0.0.0/8}]}",
            "spec.importV6[0].cidr", "IPv6 prefix"},
        Bad{"BGPFilter", "{exportV4: [{action: Accept, matchOperator: In, cidr: 10.0.0.1/8}]}",
            "spec.exportV4[0].cidr", "host bits"},
        Bad{"BGPFilter", "{importV4: [{action: Accept, cidr: 10.0.0.0/8}]}",
            "spec.importV4[0].matchOperator", "required with cidr"},
        Bad{"BGPFilter", "{importV4: [{action: Accept, matchOperator: In}]}",
            "spec.importV4[0].cidr", "required with matchOperator"},
        Bad{"BGPFilter", "{importV4: [{action: Accept, matchOperator: Within, cidr: 10.0.0.0/8}]}",
            "spec.importV4[0].matchOperator", "Equal, NotEqual, In, NotIn"},
        Bad{"BGPFilter", "{importV4: [{matchOperator: In, cidr: 10.0.0.0/8}]}",
            "spec.importV4[0].action", "required"},
        Bad{"BGPFilter", "{importV4: [{action: Drop}]}", "spec.importV4[0].action",
            "Accept, Reject"},
        Bad{"BGPFilter",
            "{importV4: [{action: Accept, matchOperator: In, cidr: 10.0.0.0/8, prefixLength: {max: "
            "33}}]}",
            "spec.importV4[0].prefixLength.max", "0 to 32"},
        Bad{"BGPFilter",
            "{importV6: [{action: Accept, matchOperator: In, cidr: 'fd00::/8', prefixLength: {min: "
            "129}}]}",
            "spec.importV6[0].prefixLength.min", "0 to 128"},
        Bad{"BGPFilter",
            "{importV4: [{action: Accept, matchOperator: In, cidr: 10.0.0.0/8, prefixLength: {min: "
            "24, max: 16}}]}",
            "spec.importV4[0].prefixLength.min", "greater than prefixLength.max"},
        Bad{"BGPFilter", "{importV4: [{action: Accept, prefixLength: {min: 24}}]}",
            "spec.importV4[0].cidr", "required with prefixLength"},
        Bad{"BGPFilter", "{exportV4: [{action: Accept, source: LocalPeers}]}",
            "spec.exportV4[0].source", "RemotePeers"},
        Bad{"BGPFilter", "{exportV4: [{action: Accept, interface: 'eth0 eth1'}]}",
            "spec.exportV4[0].interface", "interface name"},
        Bad{"BGPFilter", "{exportV4: [{action: Accept, peerType: ebgp}]}",
            "spec.exportV4[0].peerType", "eBGP, iBGP"},
        Bad{"BGPFilter", "{exportV4: [{action: Accept, communities: {values: ['1:2', '1:3']}}]}",
            "spec.exportV4[0].communities.values", "exactly one"},
        Bad{"BGPFilter", "{exportV4: [{action: Accept, asPathPrefix: [65001, 0]}]}",
            "spec.exportV4[0].asPathPrefix[1]", "not an AS number"},
        Bad{"BGPFilter", "{exportV4: [{action: Accept, priority: 0}]}", "spec.exportV4[0].priority",
            "from 1 to 2147483646"},
        Bad{"BGPFilter", "{exportV4: [{action: Reject, operations: [{setPriority: {value: 5}}]}]}",
            "spec.exportV4[0].operations", "only allowed with action Accept"},
        Bad{"BGPFilter", "{exportV4: [{action: Accept, operations: [{}]}]}",
            "spec.exportV4[0].operations[0]", "exactly one of"},
        Bad{"BGPFilter",
            "{exportV4: [{action: Accept, operations: [{setPriority: {value: 5}, addCommunity: "
            "{value: '1:1'}}]}]}",
            "spec.exportV4[0].operations[0]", "exactly one of"},
        Bad{"BGPFilter", "{exportV4: [{action: Accept, operations: [{addCommunity: {value: x}}]}]}",
            "spec.exportV4[0].operations[0].addCommunity.value", "not a community"},
        Bad{"BGPFilter",
            "{exportV4: [{action: Accept, operations: [{prependASPath: {prefix: []}}]}]}",
            "spec.exportV4[0].operations[0].prependASPath.prefix", "required"},
        Bad{"BGPFilter", "{exportV4: [{action: Accept, cidrs: [10.0.0.0/8]}]}",
            "spec.exportV4[0].cidrs", "unknown field"},
        Bad{"BGPFilter", "{exportV4: {action: Accept}}", "spec.exportV4", "expected a list"}));

// Node and WorkloadEndpoint.
INSTANTIATE_TEST_SUITE_P(
    NodeAndWorkloadEndpoint, RefusedResource,
    testing::Values(
        Bad{"Node", "{bgp: {}}", "spec.bgp", "must not be empty"},
        Bad{"Node", "{bgp: {ipv4Address: 10.0.0.1/24, routeReflectorClusterID: 'fd00::1'}}",
            "spec.bgp.routeReflectorClusterID", "IPv4"},
        Bad{"Node", "{bgp: {ipv4Address: 10.0.0.1/24, routeReflectorClusterID: cluster-1}}",
            "spec.bgp.routeReflectorClusterID", "IPv4"},
        Bad{"Node", "{bgp: {asNumber: 65536.1}}", "spec.bgp.asNumber", "not an AS number"},
        Bad{"Node", "{bgp: {ipv4IPIPTunnelAddr: 'fd00::1'}}", "spec.bgp.ipv4IPIPTunnelAddr",
            "IPv4"},
        Bad{"Node", "{ipv4VXLANTunnelAddr: 'fd00::1'}", "spec.ipv4VXLANTunnelAddr", "IPv4"},
        Bad{"Node", "{vxlanTunnelMACAddr: 66:d3:7c}", "spec.vxlanTunnelMACAddr", "MAC"},
        Bad{"Node", "{addresses: [{address: 10.0.0.1, type: PublicIP}]}", "spec.addresses[0].type",
            "CalicoNodeIP"},
        Bad{"WorkloadEndpoint", "{ipNetworks: [10.0.0.0/24]}", "spec.ipNetworks[0]",
            "single address"},
        Bad{"WorkloadEndpoint", "{ipNetworks: [10.0.0.300/32]}", "spec.ipNetworks[0]", "CIDR"},
        Bad{"WorkloadEndpoint", "{mac: 'ca:fe:1d:52:bb'}", "spec.mac", "MAC"},
        Bad{"WorkloadEndpoint", "{interfaceName: cali0123456789abcdef}", "spec.interfaceName",
            "interface name"},
        Bad{"WorkloadEndpoint",
            "{ipNetworks: [10.0.0.1/32], ipNATs: [{internalIP: 10.0.0.2, externalIP: 1.1.1.1}]}",
            "spec.ipNATs[0].internalIP", "ipNetworks"},
        Bad{"WorkloadEndpoint",
            "{ipNetworks: [10.0.0.1/32], ipNATs: [{internalIP: 10.0.0.1, externalIP: 'fd00::1'}]}",
            "spec.ipNATs[0].externalIP", "family"},
        Bad{"WorkloadEndpoint", "{ports: [{name: p, protocol: ICMP, port: 1}]}",
            "spec.ports[0].protocol", "TCP, UDP, SCTP"},
        Bad{"WorkloadEndpoint", "{ports: [{protocol: TCP, port: 80}]}", "spec.ports[0].name",
            "required without hostPort"},
        Bad{"WorkloadEndpoint", "{ports: [{name: p, protocol: TCP}]}", "spec.ports[0].port",
            "required"},
        Bad{"WorkloadEndpoint", "{ipv4Gateway: 'fd00::1'}", "spec.ipv4Gateway", "IPv4"},
        Bad{"WorkloadEndpoint", "{allowSpoofedSourcePrefixes: [10.0.0.0/8]}",
            "spec.allowSpoofedSourcePrefixes", "not supported by Pinto yet"}));

}  // namespace
}  // namespace pinto::config
