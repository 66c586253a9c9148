// The policy model: which policies apply to an endpoint, in which order, and what a selector term
// stands for.
#include <gtest/gtest.h>

#include "policy/model/kubernetes_translation.h"
#include "policy_cases.h"
#include "policy_test_util.h"

namespace pinto::policy {
namespace {

using testing_util::endpoint_id;
using testing_util::model_of;

const Endpoint& endpoint(const PolicyModel& m, const std::string& id) {
  for (const auto& ep : m.endpoints()) {
    if (ep.id == endpoint_id(id)) return ep;
  }
  ADD_FAILURE() << "no endpoint " << id;
  return m.endpoints().front();
}

// "tier: policy, policy | tier: policy" for reading orders at a glance.
std::string order_of(const PolicyModel& m, const std::string& ep, Direction d) {
  std::string out;
  for (const auto& tier : m.policies_for(endpoint(m, ep), d)) {
    out += (out.empty() ? "" : " | ") + tier.tier + ":";
    for (const auto* p : tier.policies) out += " " + p->name;
  }
  return out;
}

std::string with_cluster(const std::string& yaml) {
  return std::string(cases::kClusterResources) + "\n---\n" + yaml;
}

std::string gnp(const std::string& name, const std::string& spec) {
  return "---\napiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: " +
         name + "}\nspec: " + spec + "\n";
}

TEST(PolicyModel, NamespacedPolicySelectsOnlyItsNamespace) {
  auto m = model_of(with_cluster(R"(
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: clients, namespace: dev}
spec: {selector: app == 'client'}
)"));
  EXPECT_EQ(order_of(m, cases::kDevClient, Direction::Ingress), "default: clients");
  EXPECT_EQ(order_of(m, cases::kProdClient, Direction::Ingress), "");
  EXPECT_EQ(order_of(m, cases::kDevClient, Direction::Egress), "");  // types defaulted to Ingress
}

TEST(PolicyModel, GlobalPolicyNamespaceSelectorNarrowsTheEndpoints) {
  auto m =
      model_of(with_cluster(gnp("team-b", "{selector: all(), namespaceSelector: team == 'b'}")));
  EXPECT_EQ(order_of(m, cases::kDevClient, Direction::Ingress), "default: team-b");
  EXPECT_EQ(order_of(m, cases::kProdClient, Direction::Ingress), "");
}

TEST(PolicyModel, TiersByOrderThenPoliciesByOrderThenName) {
  auto m = model_of(
      with_cluster("apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: security}\n"
                   "spec: {order: 10}\n---\n"
                   "apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: late}\n"
                   "spec: {}\n" +
                   gnp("b", "{order: 5}") + gnp("a", "{order: 5}") + gnp("unordered", "{}") +
                   gnp("first", "{order: 1}") + gnp("sec", "{tier: security, order: 100}") +
                   gnp("tail", "{tier: late, order: 1}") +
                   "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
                   "metadata: {name: k, namespace: prod}\nspec: {podSelector: {}}\n"));
  EXPECT_EQ(order_of(m, cases::kDb, Direction::Ingress),
            "security: sec | default: first a b k unordered | late: tail");
  EXPECT_EQ(order_of(m, cases::kDevClient, Direction::Ingress),
            "security: sec | default: first a b unordered | late: tail");
}

TEST(PolicyModel, HostEndpointsAreSelectedByGlobalPoliciesOnly) {
  auto m = model_of(with_cluster(R"(
apiVersion: projectcalico.org/v3
kind: HostEndpoint
metadata: {name: node-a-eth0, labels: {app: db}}
spec: {node: node-a, interfaceName: eth0, expectedIPs: [192.0.2.1]}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: ns-db, namespace: prod}
spec: {selector: app == 'db'}
)" + gnp("all-db", "{selector: app == 'db'}")));
  EXPECT_EQ(order_of(m, "host/node-a-eth0", Direction::Ingress), "default: all-db");
  EXPECT_EQ(order_of(m, cases::kDb, Direction::Ingress), "default: all-db ns-db");
}

TEST(PolicyModel, LocalEndpointsAreThoseOfTheNode) {
  auto m = model_of(cases::kClusterResources, "node-b");
  ASSERT_EQ(m.local_endpoints().size(), 1u);
  EXPECT_EQ(m.local_endpoints()[0]->id, endpoint_id(cases::kDevClient));
  EXPECT_EQ(model_of(cases::kClusterResources).local_endpoints().size(), 4u);
}

TEST(PolicyModel, EndpointsCarryCalicosNamespaceAndServiceAccountLabels) {
  auto m = model_of(cases::kClusterResources);
  const auto& web = endpoint(m, cases::kWeb);
  EXPECT_EQ(web.labels.at(kNamespaceLabel), "prod");
  EXPECT_EQ(web.labels.at(kServiceAccountLabel), "web-sa");
  ASSERT_EQ(web.ports.size(), 1u);
  EXPECT_EQ(web.ports[0].port, 8080);
}

TEST(PolicyModel, WorkloadWithoutProfilesFieldGetsKubernetesProfiles) {
  auto m = model_of(cases::kClusterResources);
  const auto& web = endpoint(m, cases::kWeb);
  EXPECT_EQ(web.profiles, (std::vector<std::string>{"kns.prod", "ksa.prod.web-sa"}));
  auto profiles = m.profiles_of(web);
  ASSERT_EQ(profiles.size(), 2u);
  EXPECT_TRUE(profiles[0]->allow_all);   // kns.prod made up: allows everything
  EXPECT_FALSE(profiles[1]->allow_all);  // ksa.prod.web-sa made up: no rules
  EXPECT_TRUE(profiles[1]->rules.ingress_rules.empty());
  // Their labels: the namespace's labels as pcns.<key>, the names as projectcalico.org/name.
  EXPECT_EQ(web.labels.at("pcns.team"), "a");
  EXPECT_EQ(web.labels.at("pcns.projectcalico.org/name"), "prod");
  EXPECT_EQ(web.labels.at("pcns.kubernetes.io/metadata.name"), "prod");
  EXPECT_EQ(web.labels.at("pcsa.projectcalico.org/name"), "web-sa");
  EXPECT_EQ(endpoint(m, cases::kDb).profiles, std::vector<std::string>{"kns.prod"});
}

TEST(PolicyModel, ProfileResourcesReplaceMadeUpOnesAndLendTheirLabels) {
  auto m = model_of(with_cluster(R"(
apiVersion: projectcalico.org/v3
kind: Profile
metadata: {name: kns.prod}
spec:
  labelsToApply: {app: not-db, stage: dev, color: red}
  ingress: [{action: Allow}]
---
apiVersion: projectcalico.org/v3
kind: Profile
metadata: {name: second}
spec:
  labelsToApply: {stage: prod, size: large}
---
apiVersion: projectcalico.org/v3
kind: WorkloadEndpoint
metadata: {name: explicit, namespace: prod, labels: {app: x}}
spec: {node: node-a, interfaceName: cali0x, ipNetworks: [10.0.1.9/32],
       profiles: [kns.prod, second, missing]}
---
apiVersion: projectcalico.org/v3
kind: WorkloadEndpoint
metadata: {name: none, namespace: prod}
spec: {node: node-a, interfaceName: cali0n, ipNetworks: [10.0.1.10/32], profiles: []}
---
apiVersion: projectcalico.org/v3
kind: HostEndpoint
metadata: {name: h}
spec: {node: node-a, interfaceName: eth0, expectedIPs: [192.0.2.1]}
---
apiVersion: projectcalico.org/v3
kind: HostEndpoint
metadata: {name: open}
spec: {node: node-a, interfaceName: eth1, profiles: [projectcalico-default-allow]}
)"));
  const auto& db = endpoint(m, cases::kDb);
  EXPECT_EQ(db.labels.at("app"), "db");  // the endpoint's own label wins
  EXPECT_EQ(db.labels.at("stage"), "dev");
  EXPECT_FALSE(db.labels.contains("pcns.team"));  // the resource replaced the made-up profile
  auto profiles = m.profiles_of(db);
  ASSERT_EQ(profiles.size(), 1u);
  EXPECT_FALSE(profiles[0]->allow_all);
  EXPECT_EQ(profiles[0]->rules.id(), "Profile/kns.prod");
  const auto& x = endpoint(m, "prod/explicit");
  EXPECT_EQ(x.labels.at("stage"), "dev");  // earlier profiles win over later ones
  EXPECT_EQ(x.labels.at("size"), "large");
  ASSERT_EQ(m.profiles_of(x).size(), 3u);  // "missing" is a profile without rules
  EXPECT_TRUE(m.profiles_of(x)[2]->rules.ingress_rules.empty());
  EXPECT_TRUE(m.profiles_of(endpoint(m, "prod/none")).empty());
  // A host endpoint without `profiles` has none (Calico's default deny, behind the failsafe
  // ports); one naming Calico's built-in default-allow profile gets it made up.
  EXPECT_TRUE(m.profiles_of(endpoint(m, "host/h")).empty());
  auto host = m.profiles_of(endpoint(m, "host/open"));
  ASSERT_EQ(host.size(), 1u);
  EXPECT_TRUE(host[0]->allow_all);
  // Policies select by inherited labels.
  auto with_policy = model_of(with_cluster(R"(
apiVersion: projectcalico.org/v3
kind: Profile
metadata: {name: kns.prod}
spec: {labelsToApply: {color: red}}
)" + gnp("red", "{selector: color == 'red'}")));
  EXPECT_EQ(order_of(with_policy, cases::kDb, Direction::Ingress), "default: red");
  EXPECT_EQ(order_of(with_policy, cases::kDevClient, Direction::Ingress), "");
}

TEST(PolicyModel, SelectorTermsFollowTheirNamespaceScope) {
  auto m = model_of(with_cluster(R"(
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: {name: ext, labels: {app: client}}
spec: {nets: [203.0.113.0/24]}
---
apiVersion: projectcalico.org/v3
kind: HostEndpoint
metadata: {name: h, labels: {app: client}}
spec: {node: node-a, interfaceName: eth0, expectedIPs: [192.0.2.1]}
)"));
  auto members = [&](NamespaceScope scope) {
    SelectorTerm t;
    t.scope = std::move(scope);
    t.selector = Selector::parse("app == 'client'").value();
    std::string out;
    for (const auto& p : m.members(t)) out += p.to_string() + " ";
    return out;
  };
  using K = NamespaceScope::Kind;
  EXPECT_EQ(members({K::Any, "", {}}), "10.0.1.3/32 10.0.2.1/32 192.0.2.1/32 203.0.113.0/24 ");
  EXPECT_EQ(members({K::Named, "dev", {}}), "10.0.2.1/32 ");
  EXPECT_EQ(members({K::Selected, "", Selector::parse("team == 'a'").value()}), "10.0.1.3/32 ");
  // Kubernetes' automatic namespace label works without it being written.
  EXPECT_EQ(
      members({K::Selected, "", Selector::parse("kubernetes.io/metadata.name == 'dev'").value()}),
      "10.0.2.1/32 ");
  EXPECT_EQ(members({K::NonNamespaced, "", {}}), "192.0.2.1/32 203.0.113.0/24 ");
}

TEST(PolicyModel, KubernetesRulesExpandPerPeerAndProtocol) {
  config::KubernetesRule rule;
  rule.peers.resize(2);
  rule.peers[0].pod_selector = "app == 'a'";
  rule.peers[1].ip_block = config::KubernetesPeer::IpBlock{*IpPrefix::parse("10.0.0.0/8"), {}};
  rule.ports = {{config::protocol::kTcp, config::PortMatch{80, 80, ""}},
                {config::protocol::kUdp, config::PortMatch{53, 53, ""}},
                {config::protocol::kTcp, config::PortMatch{0, 0, "http"}}};
  auto rules = translate_kubernetes_rule(rule, Direction::Ingress);
  ASSERT_EQ(rules.size(), 4u);  // 2 peers × {TCP, UDP}
  EXPECT_EQ(rules[0].protocol, config::protocol::kTcp);
  EXPECT_EQ(rules[0].source.selector, "app == 'a'");
  EXPECT_EQ(rules[0].destination.ports.size(), 2u);
  EXPECT_EQ(rules[3].source.nets.size(), 1u);
  EXPECT_EQ(rules[3].protocol, config::protocol::kUdp);
  // A port-less entry opens its whole protocol.
  rule.ports.push_back({config::protocol::kUdp, std::nullopt});
  rules = translate_kubernetes_rule(rule, Direction::Egress);
  EXPECT_TRUE(rules[1].destination.ports.empty());
  EXPECT_EQ(rules[1].destination.nets.size(), 0u);
  EXPECT_EQ(rules[1].destination.selector, "app == 'a'");
}

}  // namespace
}  // namespace pinto::policy

namespace pinto::policy {
namespace {

std::string term_of(const Policy& p, const config::EntityRule& side) {
  auto t = p.positive_term(side);
  EXPECT_TRUE(t);
  return t && t.value() ? t.value()->definition() : "none";
}

std::string canon(const char* text) {
  return Selector::parse(text).value().canonical();
}

TEST(PolicyModel, RuleSelectorsAreScopedAsCalicoScopesThem) {
  Policy namespaced;
  namespaced.kind = PolicyKind::Calico;
  namespaced.namespace_name = "prod";
  Policy global;
  global.kind = PolicyKind::GlobalCalico;

  config::EntityRule selector;
  selector.selector = "app == 'web'";
  config::EntityRule not_selector_only;
  not_selector_only.not_selector = "app == 'web'";
  config::EntityRule global_sets;
  global_sets.namespace_selector = "global()";
  config::EntityRule by_namespace;
  by_namespace.namespace_selector = "team == 'a'";
  by_namespace.service_account_names = {"b", "a"};
  config::EntityRule nets_only;
  nets_only.nets = {*IpPrefix::parse("10.0.0.0/8")};

  EXPECT_EQ(term_of(namespaced, selector), "ns=prod|" + canon("app == 'web'"));
  EXPECT_EQ(term_of(namespaced, not_selector_only), "ns=prod|" + canon("all()"));
  EXPECT_EQ(term_of(namespaced, global_sets), "global|" + canon("all()"));
  EXPECT_EQ(term_of(namespaced, by_namespace),
            "nssel=" + canon("team == 'a'") + "|" + canon("all()") + "|sa=a,b,");
  EXPECT_EQ(term_of(namespaced, nets_only), "none");
  EXPECT_EQ(term_of(global, selector), "any|" + canon("app == 'web'"));
  EXPECT_EQ(term_of(global, not_selector_only), "none");  // the notSelector alone excludes
}

}  // namespace
}  // namespace pinto::policy
