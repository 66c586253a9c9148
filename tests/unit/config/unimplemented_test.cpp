// check_implemented: a valid Calico state that asks for behaviour pintod lacks is refused by
// resource and field; bookkeeping fields and Calico's defaults pass.
#include "config/unimplemented.h"

#include <gtest/gtest.h>

namespace pinto::config {
namespace {

std::string verdict(const std::string& kind, const std::string& spec) {
  auto r = parse_resources("apiVersion: projectcalico.org/v3\nkind: " + kind +
                           "\nmetadata: {name: default}\nspec: " + spec + "\n");
  if (!r) return "parse error: " + r.error().to_string();
  auto v = check_implemented(r.value());
  return v ? std::string("accepted") : v.error().to_string();
}

struct Case {
  const char* kind;
  const char* spec;
  const char* expected;
};

class CheckImplemented : public testing::TestWithParam<Case> {};

TEST_P(CheckImplemented, Verdict) {
  EXPECT_EQ(verdict(GetParam().kind, GetParam().spec), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Rows, CheckImplemented,
    testing::Values(
        // Refused: pintod would route differently from what the manifest asks.
        Case{"BGPPeer", "{peerIP: 10.0.0.1, asNumber: 1, filters: [f]}", "accepted"},
        Case{"BGPPeer", "{peerIP: 10.0.0.1, asNumber: 1, localASNumber: 65000}", "accepted"},
        Case{"BGPPeer", "{peerIP: 10.0.0.1, asNumber: 1, numAllowedLocalASNumbers: 1}", "accepted"},
        Case{"BGPPeer", "{peerIP: 10.0.0.1, asNumber: 1, reachableBy: 10.0.0.254}", "accepted"},
        Case{"BGPPeer", "{peerIP: 10.0.0.1, asNumber: 1, restartMode: LongLivedGracefulRestart}",
             "BGPPeer/default: spec.restartMode: LongLivedGracefulRestart is not supported by "
             "Pinto yet"},
        Case{"BGPConfiguration",
             "{serviceClusterIPs: [{cidr: 10.96.0.0/12}], serviceExternalIPs: [{cidr: "
             "192.0.2.0/24}], serviceLoadBalancerIPs: [{cidr: 198.51.100.0/24}]}",
             "accepted"},
        Case{"BGPConfiguration",
             "{prefixAdvertisements: [{cidr: 10.0.0.0/8, communities: ['1:1']}]}", "accepted"},
        Case{"BGPConfiguration", "{bindMode: NodeIP}", "accepted"},
        Case{"BGPConfiguration", "{localWorkloadPeeringIPV4: 169.254.0.179}",
             "BGPConfiguration/default: spec.localWorkloadPeeringIPV4: not supported by Pinto yet"},
        Case{"IPPool", "{cidr: 10.1.0.0/16, disableBGPExport: true}", "accepted"},
        Case{"IPPool", "{cidr: 10.1.0.0/16, vxlanMode: Always}", "accepted"},
        Case{"IPPool", "{cidr: 10.1.0.0/16, ipipMode: CrossSubnet}", "accepted"},
        // Accepted: defaults, fields pintod acts on, and bookkeeping outside BGP.
        Case{"BGPPeer", "{peerIP: 10.0.0.1, asNumber: 1, filters: [], reversePeering: Auto}",
             "accepted"},
        Case{"BGPConfiguration", "{bindMode: None, ignoredInterfaces: [docker*], listenPort: 179}",
             "accepted"},
        Case{"IPPool",
             "{cidr: 10.1.0.0/16, ipipMode: Never, vxlanMode: Never, natOutgoing: true, "
             "nodeSelector: all(), disableBGPExport: false, allowedUses: [Workload]}",
             "accepted"},
        Case{"WorkloadEndpoint", "{node: n1, ipNetworks: [10.1.0.5/32]}", "accepted"},
        Case{"BGPFilter", "{exportV4: [{action: Reject}]}", "accepted"},
        Case{"BGPFilter",
             "{importV4: [{action: Accept, cidr: 10.0.0.0/8, matchOperator: In, prefixLength: "
             "{min: 24}, source: RemotePeers, peerType: eBGP, communities: {values: ['1:1']}, "
             "asPathPrefix: [65001], operations: [{addCommunity: {value: '2:2'}}, "
             "{prependASPath: {prefix: [65000]}}]}]}",
             "accepted"},
        // Refused: they need a route's interface or kernel metric, which Pinto's routes lack.
        Case{"BGPFilter", "{exportV4: [{action: Reject, interface: 'cali*'}]}",
             "BGPFilter/default: spec.exportV4[0].interface: not supported by Pinto yet"},
        Case{"BGPFilter", "{importV6: [{action: Reject}, {action: Reject, priority: 10}]}",
             "BGPFilter/default: spec.importV6[1].priority: not supported by Pinto yet"},
        Case{"BGPFilter",
             "{importV4: [{action: Accept, operations: [{addCommunity: {value: '1:1'}}, "
             "{setPriority: {value: 10}}]}]}",
             "BGPFilter/default: spec.importV4[0].operations[1].setPriority: not supported by "
             "Pinto yet"}));

}  // namespace
}  // namespace pinto::config
