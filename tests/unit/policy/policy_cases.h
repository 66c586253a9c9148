// The table of network-policy cases: resources, one packet at one endpoint, the verdict Calico
// (or Kubernetes) gives. policy_cases_test.cpp checks it against the reference evaluator
// (policy/compiler/verdict.h); the iptables and eBPF back-end tests replay the same table with
// real packets between network namespaces, so the three must agree.
//
// Every case is applied on top of kClusterResources: two namespaces and four pods.
//   namespace prod (team: a)   web    10.0.1.1, fd00::1:1  app=web   port http  TCP 8080, sa web-sa
//                              db     10.0.1.2             app=db    port pg    TCP 5432
//                              client 10.0.1.3             app=client
//   namespace dev (team: b)    client 10.0.2.1             app=client
// Packets are written "tcp 10.0.1.1:40000 > 10.0.1.2:5432", "udp ...", "icmp 10.0.1.1 > 10.0.1.2
// 8/0" (type/code) or "proto 47 10.0.1.1 > 10.0.1.2"; the checked endpoint is "ns/name" and the
// direction is that endpoint's: Ingress for packets to it, Egress for packets from it.
#pragma once

#include <array>

#include "policy/model/policy_model.h"

namespace pinto::policy::cases {

inline constexpr const char* kClusterResources = R"(
apiVersion: v1
kind: Namespace
metadata: {name: prod, labels: {team: a}}
---
apiVersion: v1
kind: Namespace
metadata: {name: dev, labels: {team: b}}
---
apiVersion: projectcalico.org/v3
kind: WorkloadEndpoint
metadata: {name: node--a-k8s-web-eth0, namespace: prod, labels: {app: web}}
spec: {node: node-a, interfaceName: cali0web, ipNetworks: [10.0.1.1/32, "fd00::1:1/128"],
       serviceAccountName: web-sa, ports: [{name: http, protocol: TCP, port: 8080}]}
---
apiVersion: projectcalico.org/v3
kind: WorkloadEndpoint
metadata: {name: node--a-k8s-db-eth0, namespace: prod, labels: {app: db}}
spec: {node: node-a, interfaceName: cali0db, ipNetworks: [10.0.1.2/32],
       ports: [{name: pg, protocol: TCP, port: 5432}]}
---
apiVersion: projectcalico.org/v3
kind: WorkloadEndpoint
metadata: {name: node--a-k8s-client-eth0, namespace: prod, labels: {app: client}}
spec: {node: node-a, interfaceName: cali0client, ipNetworks: [10.0.1.3/32]}
---
apiVersion: projectcalico.org/v3
kind: WorkloadEndpoint
metadata: {name: node--b-k8s-client-eth0, namespace: dev, labels: {app: client}}
spec: {node: node-b, interfaceName: cali1client, ipNetworks: [10.0.2.1/32]}
)";

// Endpoint names, as the cases write them.
inline constexpr const char* kWeb = "prod/node--a-k8s-web-eth0";
inline constexpr const char* kDb = "prod/node--a-k8s-db-eth0";
inline constexpr const char* kProdClient = "prod/node--a-k8s-client-eth0";
inline constexpr const char* kDevClient = "dev/node--b-k8s-client-eth0";

struct PolicyCase {
  const char* name;       // a sentence: what the case shows
  const char* resources;  // YAML applied on top of kClusterResources
  const char* endpoint;   // where the verdict is taken
  Direction direction;
  const char* packet;
  bool allowed;
};

// Resource snippets shared by several rows.
inline constexpr const char* kDbIngressFromWeb = R"(
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: db-from-web, namespace: prod}
spec:
  selector: app == 'db'
  ingress: [{action: Allow, protocol: TCP, source: {selector: app == 'web'},
             destination: {ports: [5432]}}]
)";

inline constexpr const char* kDbFromNamespaceTeamB = R"(
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: db-from-team-b, namespace: prod}
spec:
  selector: app == 'db'
  ingress: [{action: Allow, source: {namespaceSelector: team == 'b'}}]
)";

inline constexpr const char* kWebEgressCidrExcept = R"(
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: web-egress}
spec:
  selector: app == 'web'
  types: [Egress]
  egress: [{action: Allow, destination: {nets: [192.168.0.0/16], notNets: [192.168.5.0/24]}}]
)";

inline constexpr const char* kDbPortRange = R"(
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: db-range}
spec:
  selector: app == 'db'
  ingress: [{action: Allow, protocol: UDP, destination: {ports: ["1000:2000", 53]}}]
)";

inline constexpr const char* kWebNamedPortIngress = R"(
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: web-http}
spec:
  selector: app == 'web'
  ingress: [{action: Allow, protocol: TCP, destination: {ports: [http]}}]
)";

inline constexpr const char* kClientEgressToNamedPort = R"(
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: client-to-http}
spec:
  selector: app == 'client'
  egress: [{action: Allow, protocol: TCP, destination: {selector: has(app), ports: [http]}}]
)";

inline constexpr const char* kDenyClientsBeforeAllowAll = R"(
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: deny-clients}
spec:
  order: 10
  selector: app == 'db'
  ingress: [{action: Deny, source: {selector: app == 'client'}}]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: allow-all}
spec:
  order: 100
  selector: app == 'db'
  ingress: [{action: Allow}]
)";

// Tier "security" (order 100) passes web to the default tier and drops the rest; the default
// tier then allows web.
inline constexpr const char* kSecurityTierPassesWeb = R"(
apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: security}
spec: {order: 100}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: security.pass-web}
spec:
  tier: security
  selector: app == 'db'
  ingress: [{action: Pass, source: {selector: app == 'web'}}]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: allow-web}
spec:
  selector: app == 'db'
  ingress: [{action: Allow, source: {selector: app == 'web'}}]
)";

inline constexpr const char* kPassOutOfLastTier = R"(
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: pass-everything}
spec:
  selector: app == 'db'
  ingress: [{action: Pass}]
)";

// Profiles. The table's pods have no `profiles` field, so they get Kubernetes' kns.<namespace>
// (and ksa.<namespace>.<serviceaccount>); a Profile resource of that name replaces the made-up
// allow-everything one.
inline constexpr const char* kProdProfileAllowsWebOnly = R"(
apiVersion: projectcalico.org/v3
kind: Profile
metadata: {name: kns.prod}
spec:
  ingress: [{action: Allow, source: {selector: app == 'web'}}]
  egress: [{action: Allow}]
)";

// Pass out of the last tier meets the kns.prod profile above.
inline constexpr const char* kPassOutOfLastTierToProfile = R"(
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: pass-everything}
spec:
  selector: app == 'db'
  ingress: [{action: Pass}]
---
apiVersion: projectcalico.org/v3
kind: Profile
metadata: {name: kns.prod}
spec:
  ingress: [{action: Deny, source: {selector: app == 'client'}}, {action: Allow}]
  egress: [{action: Allow}]
)";

// Pass in a profile goes on to the next profile: web's profiles are kns.prod then
// ksa.prod.web-sa; clients are passed on to the service-account profile, which allows 8080 only.
inline constexpr const char* kProfilePassesClientsToServiceAccountProfile = R"(
apiVersion: projectcalico.org/v3
kind: Profile
metadata: {name: kns.prod}
spec:
  ingress: [{action: Pass, source: {selector: app == 'client'}}, {action: Allow}]
  egress: [{action: Allow}]
---
apiVersion: projectcalico.org/v3
kind: Profile
metadata: {name: ksa.prod.web-sa}
spec:
  ingress: [{action: Allow, protocol: TCP, destination: {ports: [8080]}}]
)";

// labelsToApply: kns.prod gives its pods tier=backend; a policy selects by it. The made-up
// kns.dev gives dev's pods pcns.team=b (the namespace's labels, prefixed), which a rule selects.
inline constexpr const char* kPolicyBySelectorOnProfileLabels = R"(
apiVersion: projectcalico.org/v3
kind: Profile
metadata: {name: kns.prod}
spec:
  labelsToApply: {tier: backend}
  ingress: [{action: Allow}]
  egress: [{action: Allow}]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: backend-from-team-b}
spec:
  selector: tier == 'backend' && app == 'db'
  ingress: [{action: Allow, source: {selector: pcns.team == 'b'}}]
)";

inline constexpr const char* kLogThenAllowWeb = R"(
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: log-then-allow}
spec:
  selector: app == 'db'
  ingress: [{action: Log}, {action: Allow, source: {selector: app == 'web'}}]
)";

inline constexpr const char* kDbNotFromDevNets = R"(
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: not-dev}
spec:
  selector: app == 'db'
  ingress: [{action: Allow, source: {notNets: [10.0.2.0/24]}}]
)";

inline constexpr const char* kDbIcmpEchoOnly = R"(
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: echo}
spec:
  selector: app == 'db'
  ingress:
  - {action: Allow, protocol: ICMP, icmp: {type: 8, code: 0}}
  - {action: Allow, protocol: ICMP, notICMP: {type: 13}}
)";

inline constexpr const char* kWebIpv4Only = R"(
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: v4-only}
spec:
  selector: app == 'web'
  ingress: [{action: Allow, ipVersion: 4}]
)";

inline constexpr const char* kDbNotUdp = R"(
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: not-udp}
spec:
  selector: app == 'db'
  ingress: [{action: Allow, notProtocol: UDP}]
)";

inline constexpr const char* kWebToExternalSet = R"(
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: {name: partners, labels: {role: external}}
spec: {nets: [203.0.113.0/24]}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: web-to-partners}
spec:
  selector: app == 'web'
  types: [Egress]
  egress: [{action: Allow, destination: {selector: role == 'external'}}]
)";

inline constexpr const char* kDbNotFromClientsInNamespace = R"(
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: not-clients, namespace: prod}
spec:
  selector: app == 'db'
  ingress: [{action: Allow, source: {notSelector: app == 'client'}}]
)";

inline constexpr const char* kDbFromWebServiceAccount = R"(
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: from-web-sa, namespace: prod}
spec:
  selector: app == 'db'
  ingress: [{action: Allow, source: {serviceAccounts: {names: [web-sa]}}}]
)";

// A GlobalNetworkSet is reached by a global policy's selector, or by namespaceSelector global()
// from a namespaced policy; a namespaced policy's plain selector stays in its namespace.
inline constexpr const char* kDbFromGlobalSetsByNamespacedPolicy = R"(
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: {name: partners, labels: {role: external}}
spec: {nets: [203.0.113.0/24]}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: from-partners, namespace: prod}
spec:
  selector: app == 'db'
  ingress: [{action: Allow, source: {selector: role == 'external', namespaceSelector: global()}}]
)";

inline constexpr const char* kDbFromSetSelectorInNamespacedPolicy = R"(
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: {name: partners, labels: {role: external}}
spec: {nets: [203.0.113.0/24]}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: from-partners, namespace: prod}
spec:
  selector: app == 'db'
  ingress: [{action: Allow, source: {selector: role == 'external'}}]
)";

inline constexpr const char* kK8sDenyAllIngressProd = R"(
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: prod}
spec: {podSelector: {}, policyTypes: [Ingress]}
)";

inline constexpr const char* kK8sAllowSameNamespace = R"(
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: same-namespace, namespace: prod}
spec:
  podSelector: {}
  ingress: [{from: [{podSelector: {}}]}]
)";

inline constexpr const char* kK8sAllowFromTeamB = R"(
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-team-b, namespace: prod}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {team: b}}}]}]
)";

inline constexpr const char* kK8sAllowClientsFromAnyNamespace = R"(
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: clients-anywhere, namespace: prod}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from: [{namespaceSelector: {}, podSelector: {matchExpressions: [{key: app, operator: In,
                                                                    values: [client]}]}}]
)";

inline constexpr const char* kK8sEgressCidrExcept = R"(
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-cidr, namespace: prod}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress: [{to: [{ipBlock: {cidr: 172.16.0.0/12, except: [172.16.1.0/24]}}]}]
)";

inline constexpr const char* kK8sPortsWithEndPort = R"(
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: port-range, namespace: prod}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{ports: [{protocol: TCP, port: 32000, endPort: 32768}, {protocol: UDP, port: 53}]}]
)";

inline constexpr const char* kK8sNamedPort = R"(
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: named, namespace: prod}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{ports: [{port: http}]}]
)";

inline constexpr const char* kK8sEgressDenyAll = R"(
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: no-egress, namespace: prod}
spec: {podSelector: {}, policyTypes: [Egress]}
)";

inline constexpr auto kCases = std::to_array<PolicyCase>({
    // Default allow and default deny, per direction.
    {"NoPolicyAllowsIngress", "", kDb, Direction::Ingress, "tcp 10.0.2.1:40000 > 10.0.1.2:5432",
     true},
    {"NoPolicyAllowsEgress", "", kWeb, Direction::Egress, "udp 10.0.1.1:40000 > 8.8.8.8:53", true},
    {"SelectedForIngressDeniesWhatNoRuleAllows", kDbIngressFromWeb, kDb, Direction::Ingress,
     "tcp 10.0.1.3:40000 > 10.0.1.2:5432", false},
    {"SelectedForIngressOnlyLeavesEgressOpen", kDbIngressFromWeb, kDb, Direction::Egress,
     "tcp 10.0.1.2:40000 > 10.0.2.1:80", true},
    {"PolicyOfAnotherNamespaceDoesNotSelect", kDbIngressFromWeb, kWeb, Direction::Ingress,
     "tcp 10.0.2.1:40000 > 10.0.1.1:8080", true},
    // Allow by label, by namespace.
    {"AllowByLabelAndPort", kDbIngressFromWeb, kDb, Direction::Ingress,
     "tcp 10.0.1.1:40000 > 10.0.1.2:5432", true},
    {"AllowByLabelWrongPortDenied", kDbIngressFromWeb, kDb, Direction::Ingress,
     "tcp 10.0.1.1:40000 > 10.0.1.2:5433", false},
    {"AllowByLabelWrongProtocolDenied", kDbIngressFromWeb, kDb, Direction::Ingress,
     "udp 10.0.1.1:40000 > 10.0.1.2:5432", false},
    {"AllowByNamespaceLabels", kDbFromNamespaceTeamB, kDb, Direction::Ingress,
     "tcp 10.0.2.1:40000 > 10.0.1.2:5432", true},
    {"AllowByNamespaceLabelsOtherNamespaceDenied", kDbFromNamespaceTeamB, kDb, Direction::Ingress,
     "tcp 10.0.1.3:40000 > 10.0.1.2:5432", false},
    // Nets and notNets.
    {"EgressToCidrAllowed", kWebEgressCidrExcept, kWeb, Direction::Egress,
     "tcp 10.0.1.1:40000 > 192.168.7.7:443", true},
    {"EgressToExceptedCidrDenied", kWebEgressCidrExcept, kWeb, Direction::Egress,
     "tcp 10.0.1.1:40000 > 192.168.5.7:443", false},
    {"EgressOutsideCidrDenied", kWebEgressCidrExcept, kWeb, Direction::Egress,
     "tcp 10.0.1.1:40000 > 10.9.9.9:443", false},
    {"NotNetsExcludesSource", kDbNotFromDevNets, kDb, Direction::Ingress,
     "tcp 10.0.2.1:40000 > 10.0.1.2:5432", false},
    {"NotNetsAllowsOthers", kDbNotFromDevNets, kDb, Direction::Ingress,
     "tcp 10.0.1.3:40000 > 10.0.1.2:5432", true},
    // Ports: ranges, named ports.
    {"PortRangeInside", kDbPortRange, kDb, Direction::Ingress, "udp 10.0.1.1:40000 > 10.0.1.2:1500",
     true},
    {"PortRangeEdge", kDbPortRange, kDb, Direction::Ingress, "udp 10.0.1.1:40000 > 10.0.1.2:2000",
     true},
    {"PortListSinglePort", kDbPortRange, kDb, Direction::Ingress,
     "udp 10.0.1.1:40000 > 10.0.1.2:53", true},
    {"PortRangeOutside", kDbPortRange, kDb, Direction::Ingress,
     "udp 10.0.1.1:40000 > 10.0.1.2:2001", false},
    {"NamedPortOnProtectedEndpoint", kWebNamedPortIngress, kWeb, Direction::Ingress,
     "tcp 10.0.2.1:40000 > 10.0.1.1:8080", true},
    {"NamedPortOtherPortDenied", kWebNamedPortIngress, kWeb, Direction::Ingress,
     "tcp 10.0.2.1:40000 > 10.0.1.1:80", false},
    {"NamedPortOnRemoteEndpoint", kClientEgressToNamedPort, kProdClient, Direction::Egress,
     "tcp 10.0.1.3:40000 > 10.0.1.1:8080", true},
    {"NamedPortRemoteEndpointWithoutIt", kClientEgressToNamedPort, kProdClient, Direction::Egress,
     "tcp 10.0.1.3:40000 > 10.0.1.2:8080", false},
    // Order, tiers, Pass, Log.
    {"DenyBeforeAllowByOrder", kDenyClientsBeforeAllowAll, kDb, Direction::Ingress,
     "tcp 10.0.2.1:40000 > 10.0.1.2:5432", false},
    {"LaterAllowStillAllowsOthers", kDenyClientsBeforeAllowAll, kDb, Direction::Ingress,
     "tcp 10.0.1.1:40000 > 10.0.1.2:5432", true},
    {"PassToNextTierThenAllowed", kSecurityTierPassesWeb, kDb, Direction::Ingress,
     "tcp 10.0.1.1:40000 > 10.0.1.2:5432", true},
    {"NoPassEndOfTierDenies", kSecurityTierPassesWeb, kDb, Direction::Ingress,
     "tcp 10.0.1.3:40000 > 10.0.1.2:5432", false},
    {"PassOutOfLastTierReachesProfiles", kPassOutOfLastTier, kDb, Direction::Ingress,
     "tcp 10.0.1.3:40000 > 10.0.1.2:5432", true},
    // Profiles: no policy, Pass out of the last tier, Pass between profiles, labelsToApply.
    {"ProfileRulesAllowWithoutPolicy", kProdProfileAllowsWebOnly, kDb, Direction::Ingress,
     "tcp 10.0.1.1:40000 > 10.0.1.2:5432", true},
    {"ProfileWithoutMatchingRuleDenies", kProdProfileAllowsWebOnly, kDb, Direction::Ingress,
     "tcp 10.0.1.3:40000 > 10.0.1.2:5432", false},
    {"ProfileDecidesOtherNamespacesToo", kProdProfileAllowsWebOnly, kDb, Direction::Ingress,
     "tcp 10.0.2.1:40000 > 10.0.1.2:5432", false},
    {"ProfileEgressAllowRule", kProdProfileAllowsWebOnly, kWeb, Direction::Egress,
     "tcp 10.0.1.1:40000 > 10.0.1.2:5432", true},
    {"OtherNamespaceKeepsItsMadeUpProfile", kProdProfileAllowsWebOnly, kDevClient,
     Direction::Ingress, "tcp 10.0.1.3:40000 > 10.0.2.1:80", true},
    {"PassOutOfLastTierMeetsProfileDeny", kPassOutOfLastTierToProfile, kDb, Direction::Ingress,
     "tcp 10.0.1.3:40000 > 10.0.1.2:5432", false},
    {"PassOutOfLastTierMeetsProfileAllow", kPassOutOfLastTierToProfile, kDb, Direction::Ingress,
     "tcp 10.0.1.1:40000 > 10.0.1.2:5432", true},
    {"ProfilePassGoesToNextProfile", kProfilePassesClientsToServiceAccountProfile, kWeb,
     Direction::Ingress, "tcp 10.0.1.3:40000 > 10.0.1.1:8080", true},
    {"ProfilePassThenNoProfileAllowsDenies", kProfilePassesClientsToServiceAccountProfile, kWeb,
     Direction::Ingress, "tcp 10.0.1.3:40000 > 10.0.1.1:80", false},
    {"ProfileAllowBeforePass", kProfilePassesClientsToServiceAccountProfile, kWeb,
     Direction::Ingress, "tcp 10.0.1.2:40000 > 10.0.1.1:80", true},
    {"LabelsToApplySelectTheEndpoint", kPolicyBySelectorOnProfileLabels, kDb, Direction::Ingress,
     "tcp 10.0.1.3:40000 > 10.0.1.2:5432", false},
    {"NamespaceProfileLabelsSelectPeers", kPolicyBySelectorOnProfileLabels, kDb, Direction::Ingress,
     "tcp 10.0.2.1:40000 > 10.0.1.2:5432", true},
    {"LabelsToApplyLeaveOthersUnselected", kPolicyBySelectorOnProfileLabels, kWeb,
     Direction::Ingress, "tcp 10.0.1.3:40000 > 10.0.1.1:80", true},
    {"LogContinues", kLogThenAllowWeb, kDb, Direction::Ingress,
     "tcp 10.0.1.1:40000 > 10.0.1.2:5432", true},
    {"LogDoesNotAllow", kLogThenAllowWeb, kDb, Direction::Ingress,
     "tcp 10.0.1.3:40000 > 10.0.1.2:5432", false},
    // Protocols, ICMP, IP version.
    {"IcmpTypeAndCodeAllowed", kDbIcmpEchoOnly, kDb, Direction::Ingress,
     "icmp 10.0.1.1 > 10.0.1.2 8/0", true},
    {"NotIcmpTypeDenied", kDbIcmpEchoOnly, kDb, Direction::Ingress, "icmp 10.0.1.1 > 10.0.1.2 13/0",
     false},
    {"NotIcmpOtherTypeAllowed", kDbIcmpEchoOnly, kDb, Direction::Ingress,
     "icmp 10.0.1.1 > 10.0.1.2 0/0", true},
    {"IpVersion4AllowsIpv4", kWebIpv4Only, kWeb, Direction::Ingress,
     "tcp 10.0.1.3:40000 > 10.0.1.1:8080", true},
    {"IpVersion4DeniesIpv6", kWebIpv4Only, kWeb, Direction::Ingress,
     "tcp fd00::9:40000 > fd00::1:1:8080", false},
    {"NotProtocolDenied", kDbNotUdp, kDb, Direction::Ingress, "udp 10.0.1.1:40000 > 10.0.1.2:53",
     false},
    {"NotProtocolOthersAllowed", kDbNotUdp, kDb, Direction::Ingress,
     "tcp 10.0.1.1:40000 > 10.0.1.2:53", true},
    {"OtherIpProtocolByNumber", kDbNotUdp, kDb, Direction::Ingress, "proto 47 10.0.1.1 > 10.0.1.2",
     true},
    // Network sets, namespaced notSelector, service accounts.
    {"GlobalNetworkSetSelected", kWebToExternalSet, kWeb, Direction::Egress,
     "tcp 10.0.1.1:40000 > 203.0.113.5:443", true},
    {"GlobalNetworkSetOtherAddressDenied", kWebToExternalSet, kWeb, Direction::Egress,
     "tcp 10.0.1.1:40000 > 198.51.100.1:443", false},
    {"NotSelectorInNamespacedPolicyKeepsToTheNamespace", kDbNotFromClientsInNamespace, kDb,
     Direction::Ingress, "tcp 10.0.1.1:40000 > 10.0.1.2:5432", true},
    {"NotSelectorExcludes", kDbNotFromClientsInNamespace, kDb, Direction::Ingress,
     "tcp 10.0.1.3:40000 > 10.0.1.2:5432", false},
    {"NotSelectorOtherNamespaceNotIncluded", kDbNotFromClientsInNamespace, kDb, Direction::Ingress,
     "tcp 10.9.9.9:40000 > 10.0.1.2:5432", false},
    {"ServiceAccountAllowed", kDbFromWebServiceAccount, kDb, Direction::Ingress,
     "tcp 10.0.1.1:40000 > 10.0.1.2:5432", true},
    {"ServiceAccountOtherDenied", kDbFromWebServiceAccount, kDb, Direction::Ingress,
     "tcp 10.0.1.3:40000 > 10.0.1.2:5432", false},
    {"GlobalSelectorFromNamespacedPolicyReachesNetworkSets", kDbFromGlobalSetsByNamespacedPolicy,
     kDb, Direction::Ingress, "tcp 203.0.113.9:40000 > 10.0.1.2:5432", true},
    {"NamespacedSelectorDoesNotReachNetworkSets", kDbFromSetSelectorInNamespacedPolicy, kDb,
     Direction::Ingress, "tcp 203.0.113.9:40000 > 10.0.1.2:5432", false},
    // Kubernetes NetworkPolicy, the classic conformance cases.
    {"K8sDenyAll", kK8sDenyAllIngressProd, kDb, Direction::Ingress,
     "tcp 10.0.1.1:40000 > 10.0.1.2:5432", false},
    {"K8sDenyAllLeavesEgress", kK8sDenyAllIngressProd, kDb, Direction::Egress,
     "tcp 10.0.1.2:40000 > 10.0.2.1:80", true},
    {"K8sDenyAllOtherNamespaceUntouched", kK8sDenyAllIngressProd, kDevClient, Direction::Ingress,
     "tcp 10.0.1.1:40000 > 10.0.2.1:80", true},
    {"K8sAllowSameNamespace", kK8sAllowSameNamespace, kDb, Direction::Ingress,
     "tcp 10.0.1.3:40000 > 10.0.1.2:5432", true},
    {"K8sAllowSameNamespaceOtherDenied", kK8sAllowSameNamespace, kDb, Direction::Ingress,
     "tcp 10.0.2.1:40000 > 10.0.1.2:5432", false},
    {"K8sAllowFromNamespaceByLabel", kK8sAllowFromTeamB, kDb, Direction::Ingress,
     "tcp 10.0.2.1:40000 > 10.0.1.2:5432", true},
    {"K8sAllowFromNamespaceByLabelOwnDenied", kK8sAllowFromTeamB, kDb, Direction::Ingress,
     "tcp 10.0.1.1:40000 > 10.0.1.2:5432", false},
    {"K8sPodsInAnyNamespace", kK8sAllowClientsFromAnyNamespace, kDb, Direction::Ingress,
     "tcp 10.0.2.1:40000 > 10.0.1.2:5432", true},
    {"K8sPodsInAnyNamespaceOtherPodDenied", kK8sAllowClientsFromAnyNamespace, kDb,
     Direction::Ingress, "tcp 10.0.1.1:40000 > 10.0.1.2:5432", false},
    {"K8sEgressToCidr", kK8sEgressCidrExcept, kWeb, Direction::Egress,
     "tcp 10.0.1.1:40000 > 172.20.0.1:443", true},
    {"K8sEgressToCidrExcept", kK8sEgressCidrExcept, kWeb, Direction::Egress,
     "tcp 10.0.1.1:40000 > 172.16.1.9:443", false},
    {"K8sEgressOnlyLeavesIngress", kK8sEgressCidrExcept, kWeb, Direction::Ingress,
     "tcp 10.0.2.1:40000 > 10.0.1.1:8080", true},
    {"K8sEndPortInside", kK8sPortsWithEndPort, kDb, Direction::Ingress,
     "tcp 10.0.2.1:40000 > 10.0.1.2:32768", true},
    {"K8sEndPortOutside", kK8sPortsWithEndPort, kDb, Direction::Ingress,
     "tcp 10.0.2.1:40000 > 10.0.1.2:32769", false},
    {"K8sPortOtherProtocol", kK8sPortsWithEndPort, kDb, Direction::Ingress,
     "udp 10.0.2.1:40000 > 10.0.1.2:53", true},
    {"K8sPortProtocolMismatch", kK8sPortsWithEndPort, kDb, Direction::Ingress,
     "tcp 10.0.2.1:40000 > 10.0.1.2:53", false},
    {"K8sNamedPort", kK8sNamedPort, kWeb, Direction::Ingress, "tcp 10.0.2.1:40000 > 10.0.1.1:8080",
     true},
    {"K8sNamedPortOtherDenied", kK8sNamedPort, kWeb, Direction::Ingress,
     "tcp 10.0.2.1:40000 > 10.0.1.1:8081", false},
    {"K8sEgressDenyAll", kK8sEgressDenyAll, kWeb, Direction::Egress,
     "udp 10.0.1.1:40000 > 8.8.8.8:53", false},
    {"K8sEgressDenyAllLeavesIngress", kK8sEgressDenyAll, kWeb, Direction::Ingress,
     "tcp 10.0.2.1:40000 > 10.0.1.1:8080", true},
});

}  // namespace pinto::policy::cases
