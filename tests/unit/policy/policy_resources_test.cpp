// The typed policy resources: Calico NetworkPolicy / GlobalNetworkPolicy / Tier /
// GlobalNetworkSet / HostEndpoint and Kubernetes Namespace / NetworkPolicy, read and refused with
// the field named.
#include <gtest/gtest.h>

#include "config/resources/resource.h"

namespace pinto::config {
namespace {

Resource parse_one(const std::string& yaml) {
  auto r = parse_resources(yaml);
  EXPECT_TRUE(r) << (r ? "" : r.error().to_string());
  EXPECT_EQ(r ? r.value().size() : 0u, 1u);
  return r && !r.value().empty() ? r.value()[0] : Resource{Node{}};
}

// The error's field and message, "spec.x: message".
std::string error_of(const std::string& yaml) {
  auto r = parse_resources(yaml);
  if (r) return "accepted";
  return r.error().field + ": " + r.error().message;
}

std::string calico(const std::string& kind, const std::string& spec) {
  return "apiVersion: projectcalico.org/v3\nkind: " + kind +
         "\nmetadata: {name: p, namespace: prod}\nspec:\n" + spec;
}

std::string gnp(const std::string& spec) {
  return "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: g}\n"
         "spec:\n" +
         spec;
}

std::string k8s(const std::string& spec) {
  return "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
         "metadata: {name: k, namespace: prod}\nspec:\n" +
         spec;
}

TEST(PolicyResources, NetworkPolicyReadsEveryRuleField) {
  auto r = parse_one(calico("NetworkPolicy", R"(
  order: 100.5
  tier: default
  selector: app == 'db'
  types: [Ingress, Egress]
  ingress:
  - action: Allow
    protocol: TCP
    source: {selector: app == 'web', namespaceSelector: team == 'a', nets: [10.0.0.0/8],
             notNets: [10.1.0.0/16], notSelector: bad == 'x', ports: ["1000:2000", http]}
    destination: {ports: [5432, "80"], notPorts: [81], serviceAccounts: {names: [sa1]}}
  - {action: Deny, protocol: 47, ipVersion: 4}
  - {action: Allow, protocol: ICMPv6, icmp: {type: 128, code: 0}, notICMP: {type: 1}}
  egress: [{action: Pass, notProtocol: udp}, {action: Log}]
)"));
  const auto& p = std::get<NetworkPolicy>(r);
  EXPECT_EQ(p.metadata.namespace_name, "prod");
  EXPECT_EQ(p.spec.order, 100.5);
  EXPECT_EQ(p.spec.tier, "default");
  EXPECT_EQ(p.spec.selector, "app == 'db'");
  ASSERT_EQ(p.spec.ingress.size(), 3u);
  const Rule& a = p.spec.ingress[0];
  EXPECT_EQ(a.action, RuleAction::Allow);
  EXPECT_EQ(a.protocol, protocol::kTcp);
  EXPECT_EQ(a.source.nets, std::vector<IpPrefix>{*IpPrefix::parse("10.0.0.0/8")});
  EXPECT_EQ(a.source.not_nets, std::vector<IpPrefix>{*IpPrefix::parse("10.1.0.0/16")});
  EXPECT_EQ(a.source.namespace_selector, "team == 'a'");
  EXPECT_EQ(a.source.not_selector, "bad == 'x'");
  EXPECT_EQ(a.source.ports, (std::vector<PortMatch>{{1000, 2000, ""}, {0, 0, "http"}}));
  EXPECT_EQ(a.destination.ports, (std::vector<PortMatch>{{5432, 5432, ""}, {80, 80, ""}}));
  EXPECT_EQ(a.destination.not_ports, (std::vector<PortMatch>{{81, 81, ""}}));
  EXPECT_EQ(a.destination.service_account_names, std::vector<std::string>{"sa1"});
  EXPECT_EQ(p.spec.ingress[1].protocol, 47);
  EXPECT_EQ(p.spec.ingress[1].ip_version, 4);
  EXPECT_EQ(p.spec.ingress[2].icmp, (IcmpMatch{128, 0}));
  EXPECT_EQ(p.spec.ingress[2].not_icmp, (IcmpMatch{1, std::nullopt}));
  EXPECT_EQ(p.spec.egress[0].action, RuleAction::Pass);
  EXPECT_EQ(p.spec.egress[0].not_protocol, protocol::kUdp);
  EXPECT_EQ(p.spec.egress[1].action, RuleAction::Log);
  EXPECT_EQ(kind_of(r), "NetworkPolicy");
}

TEST(PolicyResources, TypesDefaultAsCalicoDefaultsThem) {
  auto types = [](const std::string& spec) {
    return std::get<GlobalNetworkPolicy>(parse_one(gnp(spec))).spec.types;
  };
  using D = PolicyDirection;
  EXPECT_EQ(types("  selector: all()\n"), std::vector<D>{D::Ingress});
  EXPECT_EQ(types("  ingress: [{action: Allow}]\n"), std::vector<D>{D::Ingress});
  EXPECT_EQ(types("  egress: [{action: Allow}]\n"), std::vector<D>{D::Egress});
  EXPECT_EQ(types("  ingress: [{action: Allow}]\n  egress: [{action: Allow}]\n"),
            (std::vector<D>{D::Ingress, D::Egress}));
  EXPECT_EQ(types("  types: [Egress]\n"), std::vector<D>{D::Egress});
  EXPECT_EQ(types("  types: []\n  egress: [{action: Allow}]\n"), std::vector<D>{D::Egress});
}

TEST(PolicyResources, MissingSpecIsAnEmptyPolicyInTheDefaultTier) {
  auto r =
      parse_one("apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: p}\n");
  const auto& p = std::get<NetworkPolicy>(r);
  EXPECT_EQ(p.spec.tier, "default");
  EXPECT_FALSE(p.spec.order);
  EXPECT_EQ(p.spec.types, std::vector<PolicyDirection>{PolicyDirection::Ingress});
}

TEST(PolicyResources, RuleErrorsNameTheField) {
  EXPECT_EQ(error_of(gnp("  ingress: [{action: allow}]\n")),
            "spec.ingress[0].action: expected one of Allow, Deny, Log, Pass, got 'allow'");
  EXPECT_EQ(error_of(gnp("  ingress: [{protocol: TCP}]\n")),
            "spec.ingress[0].action: required (Allow, Deny, Log or Pass)");
  EXPECT_EQ(error_of(gnp("  ingress: [{action: Allow, source: {selectr: a == 'b'}}]\n")),
            "spec.ingress[0].source.selectr: unknown field");
  EXPECT_EQ(error_of(gnp("  ingress: [{action: Allow, destination: {ports: [80]}}]\n")),
            "spec.ingress[0].protocol: ports need protocol TCP, UDP, SCTP or UDPLite");
  EXPECT_EQ(error_of(gnp("  egress: [{action: Allow, protocol: UDP, destination: {ports: "
                         "['2000:1000']}}]\n")),
            "spec.egress[0].destination.ports[0]: range starts after it ends: '2000:1000'");
  EXPECT_EQ(error_of(gnp("  egress: [{action: Allow, protocol: UDP, destination: {ports: "
                         "['Http_Port']}}]\n")),
            "spec.egress[0].destination.ports[0]: not a port, a range or a port name: "
            "'Http_Port'");
  EXPECT_EQ(error_of(gnp("  ingress: [{action: Allow, protocol: TCPX}]\n")),
            "spec.ingress[0].protocol: expected TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or 1-255, "
            "got 'TCPX'");
  EXPECT_EQ(error_of(gnp("  ingress: [{action: Allow, protocol: TCP, icmp: {type: 8}}]\n")),
            "spec.ingress[0].icmp: needs protocol ICMP or ICMPv6");
  EXPECT_EQ(error_of(gnp("  ingress: [{action: Allow, protocol: ICMP, icmp: {code: 1}}]\n")),
            "spec.ingress[0].icmp.code: needs a type");
  EXPECT_EQ(error_of(gnp("  ingress: [{action: Allow, ipVersion: 6, source: {nets: "
                         "[10.0.0.0/8]}}]\n")),
            "spec.ingress[0].source: nets of another IP version than ipVersion");
  EXPECT_EQ(error_of(gnp("  ingress: [{action: Allow, ipVersion: 5}]\n")),
            "spec.ingress[0].ipVersion: must be 4 or 6");
  EXPECT_EQ(error_of(gnp("  ingress: [{action: Allow, source: {nets: [10.0.0.300/8]}}]\n")),
            "spec.ingress[0].source.nets[0]: not a CIDR prefix: '10.0.0.300/8'");
  EXPECT_EQ(error_of(gnp("  ingress: [{action: Allow, source: {selector: \"a ==\"}}]\n"))
                .rfind("spec.ingress[0].source.selector: not a valid selector", 0),
            0u);
  EXPECT_EQ(error_of(gnp("  types: [Ingress]\n  egress: [{action: Allow}]\n")),
            "spec.egress: rules given but types does not include Egress");
  EXPECT_EQ(error_of(gnp("  types: [ingress]\n")),
            "spec.types[0]: expected Ingress or Egress, got 'ingress'");
  EXPECT_EQ(error_of(gnp("  order: first\n")), "spec.order: not a number: 'first'");
}

TEST(PolicyResources, UnimplementedBehaviourIsRefusedByName) {
  EXPECT_EQ(error_of(gnp("  doNotTrack: true\n")), "spec.doNotTrack: not supported by Pinto yet");
  EXPECT_EQ(error_of(gnp("  preDNAT: true\n")), "spec.preDNAT: not supported by Pinto yet");
  EXPECT_EQ(error_of(gnp("  applyOnForward: true\n")),
            "spec.applyOnForward: not supported by Pinto yet");
  EXPECT_EQ(error_of(gnp("  ingress: [{action: Allow, http: {methods: [GET]}}]\n")),
            "spec.ingress[0].http: not supported by Pinto yet");
  EXPECT_EQ(error_of(gnp("  ingress: [{action: Allow, source: {serviceAccounts: {selector: "
                         "a == 'b'}}}]\n")),
            "spec.ingress[0].source.serviceAccounts.selector: not supported by Pinto yet");
  EXPECT_EQ(error_of("apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: t}\n"
                     "spec: {order: 10, defaultAction: Pass}\n"),
            "spec.defaultAction: Pass is not supported by Pinto yet");
}

TEST(PolicyResources, GlobalNetworkPolicyNamespaceSelectorAndTier) {
  auto r = parse_one(
      "apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: security}\n"
      "spec: {order: 100}\n");
  EXPECT_EQ(std::get<Tier>(r).order, 100.0);
  auto g = parse_one(gnp("  tier: security\n  namespaceSelector: team == 'a'\n"));
  EXPECT_EQ(std::get<GlobalNetworkPolicy>(g).namespace_selector, "team == 'a'");
  EXPECT_EQ(std::get<GlobalNetworkPolicy>(g).spec.tier, "security");
}

TEST(PolicyResources, GlobalNetworkSetAndHostEndpoint) {
  auto s = parse_one(
      "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\n"
      "metadata: {name: ext, labels: {role: external}}\nspec: {nets: [198.51.100.0/24, "
      "'2001:db8::/32']}\n");
  EXPECT_EQ(std::get<GlobalNetworkSet>(s).nets.size(), 2u);
  auto h = parse_one(
      "apiVersion: projectcalico.org/v3\nkind: HostEndpoint\nmetadata: {name: h, labels: {a: b}}\n"
      "spec: {node: n1, interfaceName: eth0, expectedIPs: [192.0.2.1], profiles: [p],\n"
      "       ports: [{name: ssh, protocol: TCP, port: 22}]}\n");
  const auto& hep = std::get<HostEndpoint>(h);
  EXPECT_EQ(hep.interface_name, "eth0");
  EXPECT_EQ(hep.expected_ips, std::vector<IpAddress>{*IpAddress::parse("192.0.2.1")});
  ASSERT_EQ(hep.ports.size(), 1u);
  EXPECT_EQ(hep.ports[0].port, 22);
  EXPECT_EQ(error_of("apiVersion: projectcalico.org/v3\nkind: HostEndpoint\nmetadata: {name: h}\n"
                     "spec: {node: n1}\n"),
            "spec.interfaceName: required when expectedIPs is empty");
  EXPECT_EQ(error_of("apiVersion: projectcalico.org/v3\nkind: HostEndpoint\nmetadata: {name: h}\n"
                     "spec: {node: n1, expectedIPs: [nope]}\n"),
            "spec.expectedIPs[0]: not an IP address: 'nope'");
  EXPECT_EQ(error_of("apiVersion: projectcalico.org/v3\nkind: HostEndpoint\nmetadata: {name: h}\n"
                     "spec: {node: n1, interfaceName: '*'}\n"),
            "spec.interfaceName: '*' (all-interfaces host endpoint) is not supported by Pinto "
            "yet: create one HostEndpoint per interface");
}

TEST(PolicyResources, KubernetesNetworkPolicyIsItsOwnKind) {
  auto r = parse_one(k8s(R"(
  podSelector: {matchLabels: {app: db}, matchExpressions: [{key: tier, operator: NotIn,
                                                              values: [a, b]}]}
  ingress:
  - from: [{namespaceSelector: {}}, {ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]
    ports: [{port: 5432}, {protocol: UDP, port: 1000, endPort: 2000}, {port: http}]
)"));
  EXPECT_EQ(kind_of(r), "KubernetesNetworkPolicy");
  EXPECT_TRUE(is_namespaced_kind("KubernetesNetworkPolicy"));
  const auto& k = std::get<KubernetesNetworkPolicy>(r);
  EXPECT_EQ(k.pod_selector, "app == 'db' && tier not in {'a', 'b'}");
  EXPECT_EQ(k.policy_types, std::vector<PolicyDirection>{PolicyDirection::Ingress});
  ASSERT_EQ(k.ingress.size(), 1u);
  ASSERT_EQ(k.ingress[0].peers.size(), 2u);
  EXPECT_EQ(k.ingress[0].peers[0].namespace_selector, "all()");
  EXPECT_FALSE(k.ingress[0].peers[0].pod_selector);
  EXPECT_EQ(k.ingress[0].peers[1].ip_block->except.size(), 1u);
  ASSERT_EQ(k.ingress[0].ports.size(), 3u);
  EXPECT_EQ(k.ingress[0].ports[0].protocol, protocol::kTcp);
  EXPECT_EQ(k.ingress[0].ports[1].port, (PortMatch{1000, 2000, ""}));
  EXPECT_EQ(k.ingress[0].ports[2].port->name, "http");

  auto egress = std::get<KubernetesNetworkPolicy>(
      parse_one(k8s("  podSelector: {}\n  egress: [{to: [{podSelector: {}}]}]\n")));
  EXPECT_EQ(egress.policy_types,
            (std::vector<PolicyDirection>{PolicyDirection::Ingress, PolicyDirection::Egress}));
}

TEST(PolicyResources, KubernetesNetworkPolicyErrorsNameTheField) {
  EXPECT_EQ(error_of(k8s("  podSelector: {}\n  ingress: [{ports: [{endPort: 10}]}]\n")),
            "spec.ingress[0].ports[0].endPort: needs a numeric port");
  EXPECT_EQ(error_of(k8s("  podSelector: {}\n  ingress: [{ports: [{port: 10, endPort: 5}]}]\n")),
            "spec.ingress[0].ports[0].endPort: must not be less than port");
  EXPECT_EQ(error_of(k8s("  podSelector: {}\n  ingress: [{ports: [{protocol: ICMP}]}]\n")),
            "spec.ingress[0].ports[0].protocol: expected TCP, UDP or SCTP, got 'ICMP'");
  EXPECT_EQ(error_of(k8s("  podSelector: {}\n  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/16, "
                         "except: [10.1.0.0/24]}}]}]\n")),
            "spec.egress[0].to[0].ipBlock.except[0]: not inside cidr 10.0.0.0/16");
  EXPECT_EQ(error_of(k8s("  podSelector: {}\n  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/16}, "
                         "podSelector: {}}]}]\n")),
            "spec.egress[0].to[0].ipBlock: cannot be combined with selectors");
  EXPECT_EQ(error_of(k8s("  podSelector: {matchExpressions: [{key: a, operator: Has}]}\n")),
            "spec.podSelector.matchExpressions[0].operator: expected In, NotIn, Exists or "
            "DoesNotExist, got 'Has'");
  EXPECT_EQ(error_of(k8s("  podSelector: {matchExpressions: [{key: a, operator: In}]}\n")),
            "spec.podSelector.matchExpressions[0].values: required for In");
  EXPECT_EQ(error_of(k8s("  podSelector: {}\n  policyTypes: [ingress]\n")),
            "spec.policyTypes[0]: expected Ingress or Egress, got 'ingress'");
}

TEST(PolicyResources, NamespaceIsKubernetesV1) {
  auto r = parse_one(
      "apiVersion: v1\nkind: Namespace\nmetadata: {name: prod, labels: {team: a}}\n"
      "spec: {finalizers: [kubernetes]}\nstatus: {phase: Active}\n");
  EXPECT_EQ(std::get<Namespace>(r).metadata.labels.at("team"), "a");
  EXPECT_FALSE(is_namespaced_kind("Namespace"));
  EXPECT_EQ(error_of("apiVersion: projectcalico.org/v3\nkind: Namespace\nmetadata: {name: x}\n"),
            "apiVersion: a Namespace is apiVersion v1");
}

}  // namespace
}  // namespace pinto::config

namespace pinto::config {
namespace {

std::string profile(const std::string& name, const std::string& spec) {
  return "apiVersion: projectcalico.org/v3\nkind: Profile\nmetadata: {name: " + name +
         "}\nspec:\n" + spec;
}

TEST(PolicyResources, ProfileReadsRulesAndLabelsToApply) {
  auto r = parse_one(profile("kns.prod",
                             "  ingress: [{action: Allow, protocol: TCP, source: {selector: "
                             "app == 'web'}, destination: {ports: [80, http]}}]\n"
                             "  egress: [{action: Pass}, {action: Deny}]\n"
                             "  labelsToApply: {stage: dev, example.com/tier: \"\"}\n"));
  const auto& p = std::get<Profile>(r);
  EXPECT_EQ(kind_of(r), "Profile");
  EXPECT_FALSE(is_namespaced_kind("Profile"));
  ASSERT_EQ(p.ingress.size(), 1u);
  EXPECT_EQ(p.ingress[0].source.selector, "app == 'web'");
  EXPECT_EQ(p.ingress[0].destination.ports.size(), 2u);
  ASSERT_EQ(p.egress.size(), 2u);
  EXPECT_EQ(p.egress[0].action, RuleAction::Pass);
  EXPECT_EQ(p.labels_to_apply.at("stage"), "dev");
  EXPECT_EQ(p.labels_to_apply.at("example.com/tier"), "");
  // No spec at all: a profile without rules or labels.
  auto empty = parse_one("apiVersion: projectcalico.org/v3\nkind: Profile\nmetadata: {name: e}\n");
  EXPECT_TRUE(std::get<Profile>(empty).ingress.empty());
}

TEST(PolicyResources, BadProfileIsRefusedWithTheFieldNamed) {
  EXPECT_EQ(error_of(profile("p", "  ingress: [{action: allow}]\n")),
            "spec.ingress[0].action: expected one of Allow, Deny, Log, Pass, got 'allow'");
  EXPECT_EQ(error_of(profile("p", "  egress: [{action: Allow, destination: {ports: [80]}}]\n")),
            "spec.egress[0].protocol: ports need protocol TCP, UDP, SCTP or UDPLite");
  EXPECT_EQ(error_of(profile("p", "  types: [Ingress]\n")), "spec.types: unknown field");
  EXPECT_EQ(error_of(profile("p", "  labelsToApply: {\"-bad\": x}\n")),
            "spec.labelsToApply: not a label key: '-bad'");
  EXPECT_EQ(error_of(profile("p", "  labelsToApply: {ok: \"a b\"}\n")),
            "spec.labelsToApply.ok: not a label value: 'a b'");
  EXPECT_EQ(error_of(profile("p", "  ingress: [{action: Allow, http: {methods: [GET]}}]\n")),
            "spec.ingress[0].http: not supported by Pinto yet");
  EXPECT_EQ(error_of(profile("bad/name", "  ingress: []\n")),
            "metadata.name: not a profile name (alphanumerics, '.', '_', '-'): 'bad/name'");
  EXPECT_EQ(error_of(profile("p", "  ingress: [{action: Allow, source: {selector: \"a ==\"}}]\n"))
                .rfind("spec.ingress[0].source.selector: ", 0),
            0u);
  // A bad document refuses the whole manifest: nothing of it is returned.
  EXPECT_EQ(error_of(profile("good", "  ingress: [{action: Allow}]\n") + "---\n" +
                     profile("p", "  egress: [{action: Nope}]\n")),
            "spec.egress[0].action: expected one of Allow, Deny, Log, Pass, got 'Nope'");
}

TEST(PolicyResources, EndpointProfilesAbsentIsNotEmpty) {
  auto absent = parse_one(
      "apiVersion: projectcalico.org/v3\nkind: WorkloadEndpoint\n"
      "metadata: {name: w, namespace: prod}\nspec: {node: n, interfaceName: cali1}\n");
  EXPECT_FALSE(std::get<WorkloadEndpoint>(absent).profiles.has_value());
  auto empty = parse_one(
      "apiVersion: projectcalico.org/v3\nkind: WorkloadEndpoint\n"
      "metadata: {name: w, namespace: prod}\nspec: {node: n, interfaceName: cali1, profiles: "
      "[]}\n");
  ASSERT_TRUE(std::get<WorkloadEndpoint>(empty).profiles.has_value());
  EXPECT_TRUE(std::get<WorkloadEndpoint>(empty).profiles->empty());
}

}  // namespace
}  // namespace pinto::config
