// The compiler's output shape: chains, default verdicts, Pass targets, shared sets, named ports,
// rule ids, and set updates that leave the chains alone.
#include <gtest/gtest.h>

#include "policy/compiler/program_text.h"
#include "policy_cases.h"
#include "policy_test_util.h"

namespace pinto::policy {
namespace {

using testing_util::endpoint_id;
using testing_util::model_of;

std::string with_cluster(const std::string& yaml) {
  return std::string(cases::kClusterResources) + "\n---\n" + yaml;
}

const EndpointProgram& program_of(const Program& p, const char* id) {
  const auto* ep = p.find(endpoint_id(id));
  EXPECT_NE(ep, nullptr) << id;
  return ep ? *ep : p.endpoints.front();
}

// Rule ids and actions of a chain, "id=Action" joined by ", ".
std::string outline(const Chain& chain) {
  std::string out;
  for (const auto& r : chain.rules) {
    const char* a = r.action == Action::Allow  ? "Allow"
                    : r.action == Action::Deny ? "Deny"
                    : r.action == Action::Log  ? "Log"
                                               : "Goto";
    out += (out.empty() ? "" : ", ") + r.id.text + "=" + a;
    if (r.action == Action::Goto) out += std::to_string(r.goto_index);
  }
  return out;
}

TEST(PolicyCompiler, UnselectedEndpointGetsOneAllowPerDirection) {
  const Program p = compile(model_of(cases::kClusterResources));
  ASSERT_EQ(p.endpoints.size(), 4u);
  const auto& web = program_of(p, cases::kWeb);
  EXPECT_FALSE(web.ingress.policed);
  EXPECT_EQ(outline(web.ingress), "ingress/no-policy-allow=Allow");
  EXPECT_EQ(outline(web.egress), "egress/no-policy-allow=Allow");
  EXPECT_EQ(web.interface_name, "cali0web");
  EXPECT_EQ(web.addresses.size(), 2u);
  EXPECT_TRUE(p.sets.empty());
}

TEST(PolicyCompiler, PassJumpsPastTheEndOfItsTier) {
  const Program p = compile(model_of(with_cluster(cases::kSecurityTierPassesWeb)));
  const auto& db = program_of(p, cases::kDb);
  EXPECT_TRUE(db.ingress.policed);
  EXPECT_EQ(outline(db.ingress),
            "GlobalNetworkPolicy/security.pass-web/ingress/0=Goto2, "
            "tier/security/ingress/end-of-tier-deny=Deny, "
            "GlobalNetworkPolicy/allow-web/ingress/0=Allow, "
            "tier/default/ingress/end-of-tier-deny=Deny, ingress/profile-allow=Allow");
  EXPECT_FALSE(db.egress.policed);
}

TEST(PolicyCompiler, ProfileRulesFollowTheLastTierAndEndInADeny) {
  const Program p = compile(model_of(with_cluster(cases::kPassOutOfLastTierToProfile)));
  const auto& db = program_of(p, cases::kDb);
  EXPECT_EQ(outline(db.ingress),
            "GlobalNetworkPolicy/pass-everything/ingress/0=Goto2, "
            "tier/default/ingress/end-of-tier-deny=Deny, Profile/kns.prod/ingress/0=Deny, "
            "Profile/kns.prod/ingress/1=Allow, ingress/no-profile-deny=Deny");
  // No policy selects db's egress: its profile is the whole (policed) chain.
  EXPECT_TRUE(db.egress.policed);
  EXPECT_EQ(outline(db.egress), "Profile/kns.prod/egress/0=Allow, egress/no-profile-deny=Deny");
  // The dev namespace keeps the made-up kns.dev: one unpoliced Allow, as before profiles.
  EXPECT_FALSE(program_of(p, cases::kDevClient).ingress.policed);
}

TEST(PolicyCompiler, PassInAProfileJumpsToTheNextProfile) {
  const Program p =
      compile(model_of(with_cluster(cases::kProfilePassesClientsToServiceAccountProfile)));
  const auto& web = program_of(p, cases::kWeb);
  EXPECT_EQ(outline(web.ingress),
            "Profile/kns.prod/ingress/0=Goto2, Profile/kns.prod/ingress/1=Allow, "
            "Profile/ksa.prod.web-sa/ingress/0=Allow, ingress/no-profile-deny=Deny");
  // ksa.prod.web-sa has no egress rules: kns.prod's Allow decides before it.
  EXPECT_EQ(outline(web.egress), "Profile/kns.prod/egress/0=Allow, egress/no-profile-deny=Deny");
}

TEST(PolicyCompiler, EndpointWithNoProfilesIsDeniedWhereNoPolicyApplies) {
  const Program p = compile(model_of(with_cluster(R"(
apiVersion: projectcalico.org/v3
kind: WorkloadEndpoint
metadata: {name: bare, namespace: prod}
spec: {node: node-a, interfaceName: cali0bare, ipNetworks: [10.0.1.20/32], profiles: []}
---
apiVersion: projectcalico.org/v3
kind: WorkloadEndpoint
metadata: {name: later, namespace: prod}
spec: {node: node-a, interfaceName: cali0later, ipNetworks: [10.0.1.21/32],
       profiles: [ksa.prod.none, kns.prod]}
)")));
  const auto& bare = program_of(p, "prod/bare");
  EXPECT_TRUE(bare.ingress.policed);
  EXPECT_EQ(outline(bare.ingress), "ingress/no-profile-deny=Deny");
  EXPECT_EQ(outline(bare.egress), "egress/no-profile-deny=Deny");
  const Packet packet = testing_util::parse_packet("tcp 10.0.1.1:40000 > 10.0.1.20:80");
  EXPECT_FALSE(evaluate(p, bare, Direction::Ingress, packet).allowed);
  // kns.prod after a profile without rules still allows, as the unpoliced Allow.
  EXPECT_EQ(outline(program_of(p, "prod/later").ingress), "ingress/no-policy-allow=Allow");
}

TEST(PolicyCompiler, RuleIdsAreTheSameOnEveryEndpointAndHashTheirText) {
  const Program p = compile(model_of(with_cluster(cases::kK8sAllowSameNamespace)));
  const auto& a = program_of(p, cases::kDb).ingress.rules.front();
  const auto& b = program_of(p, cases::kWeb).ingress.rules.front();
  EXPECT_EQ(a.id.text, "KubernetesNetworkPolicy/prod/same-namespace/ingress/0");
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.id.hash, stable_hash(a.id.text));
}

TEST(PolicyCompiler, EqualDefinitionsShareOneSet) {
  const Program p = compile(model_of(with_cluster(R"(
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: one}
spec:
  selector: app == 'db'
  ingress: [{action: Allow, source: {selector: app == 'web', nets: [10.0.0.0/8, 192.168.0.0/16]}}]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: two}
spec:
  selector: has(app)
  ingress: [{action: Allow, source: {selector: "app=='web'", nets: [192.168.0.0/16, 10.0.0.0/8]}}]
)")));
  // One selector set and one nets set, shared by both policies and every endpoint.
  ASSERT_EQ(p.sets.size(), 2u);
  const auto& db = program_of(p, cases::kDb);
  EXPECT_EQ(db.ingress.rules[0].match.source.in_sets, db.ingress.rules[1].match.source.in_sets);
  const auto& sel = p.sets.at(db.ingress.rules[0].match.source.in_sets[1]);
  EXPECT_EQ(sel.definition, "sel:any|app == \"web\"");
  ASSERT_EQ(sel.members.size(), 2u);  // web's IPv4 and IPv6 addresses
  EXPECT_EQ(sel.members[0].net.to_string(), "10.0.1.1/32");
  EXPECT_EQ(sel.id, stable_hash(sel.definition));
}

TEST(PolicyCompiler, SetMemberChangesAreSetUpdatesNotRuleChanges) {
  const std::string before = with_cluster(cases::kWebToExternalSet);
  std::string after = before;
  after.replace(after.find("203.0.113.0/24"), 14, "203.0.113.0/24, 192.0.2.0/24");

  Compiler compiler;
  const Program p1 = compiler.compile(model_of(before));
  const PolicyModel changed = model_of(after);
  const auto refreshed = compiler.refresh_sets(changed);
  const Program p2 = compile(changed);

  // Same set ids, new members; the chains are unchanged.
  ASSERT_EQ(p1.sets.size(), 1u);
  ASSERT_EQ(refreshed.size(), 1u);
  const SetId id = p1.sets.begin()->first;
  EXPECT_EQ(p1.sets.at(id).members.size(), 1u);
  EXPECT_EQ(refreshed.at(id).members.size(), 2u);
  EXPECT_EQ(refreshed.at(id), p2.sets.at(id));
  EXPECT_EQ(program_of(p1, cases::kWeb).egress, program_of(p2, cases::kWeb).egress);
}

TEST(PolicyCompiler, NamedPortsResolveOnTheProtectedEndpointAndAsSetsElsewhere) {
  const Program p = compile(model_of(with_cluster(std::string(cases::kWebNamedPortIngress) +
                                                  "\n---\n" + cases::kClientEgressToNamedPort)));
  const auto& in = program_of(p, cases::kWeb).ingress.rules[0].match.destination;
  EXPECT_EQ(in.ports, (std::vector<PortRange>{{8080, 8080}}));
  EXPECT_TRUE(in.port_sets.empty());

  const auto& out = program_of(p, cases::kProdClient).egress.rules[0].match.destination;
  EXPECT_TRUE(out.ports.empty());
  ASSERT_EQ(out.port_sets.size(), 1u);
  const IpSet& set = p.sets.at(out.port_sets[0]);
  EXPECT_EQ(set.kind, SetKind::NamedPort);
  ASSERT_EQ(set.members.size(), 2u);  // web's two addresses, TCP 8080
  EXPECT_EQ(set.members[0].protocol, config::protocol::kTcp);
  EXPECT_EQ(set.members[0].port, 8080);
}

TEST(PolicyCompiler, RuleWithANamedPortTheEndpointLacksIsLeftOut) {
  const Program p = compile(model_of(with_cluster(R"(
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: http-only}
spec:
  selector: app == 'db'
  ingress: [{action: Allow, protocol: TCP, destination: {ports: [http]}}]
)")));
  EXPECT_EQ(outline(program_of(p, cases::kDb).ingress),
            "tier/default/ingress/end-of-tier-deny=Deny, ingress/profile-allow=Allow");
}

TEST(PolicyCompiler, IpVersionComesFromTheRuleTheProtocolOrTheNets) {
  const Program p = compile(model_of(with_cluster(R"(
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: versions}
spec:
  selector: app == 'db'
  ingress:
  - {action: Allow, ipVersion: 6}
  - {action: Allow, protocol: ICMP}
  - {action: Allow, source: {nets: ["fd00::/8"]}}
  - {action: Allow, source: {nets: ["fd00::/8", 10.0.0.0/8]}}
  - {action: Allow, source: {notNets: [10.0.0.0/8]}}
)")));
  const auto& rules = program_of(p, cases::kDb).ingress.rules;
  EXPECT_EQ(rules[0].match.ip_version, IpVersion::V6);
  EXPECT_EQ(rules[1].match.ip_version, IpVersion::V4);
  EXPECT_EQ(rules[2].match.ip_version, IpVersion::V6);
  EXPECT_EQ(rules[3].match.ip_version, std::nullopt);
  EXPECT_EQ(rules[4].match.ip_version, std::nullopt);
}

TEST(PolicyCompiler, OnlyLocalEndpointsGetChainsButRemoteOnesFillSets) {
  const Program p = compile(model_of(with_cluster(cases::kDbFromNamespaceTeamB), "node-a"));
  EXPECT_EQ(p.endpoints.size(), 3u);
  EXPECT_EQ(p.find(endpoint_id(cases::kDevClient)), nullptr);
  ASSERT_EQ(p.sets.size(), 1u);
  EXPECT_EQ(p.sets.begin()->second.members.size(), 1u);  // dev/client, on node-b
}

TEST(PolicyCompiler, LogRulesAreReportedOnTheWay) {
  const Program p = compile(model_of(with_cluster(cases::kLogThenAllowWeb)));
  const auto v = evaluate(p, program_of(p, cases::kDb), Direction::Ingress,
                          testing_util::parse_packet("tcp 10.0.1.1:1 > 10.0.1.2:2"));
  EXPECT_TRUE(v.allowed);
  ASSERT_EQ(v.logged.size(), 1u);
  EXPECT_EQ(v.logged[0].text, "GlobalNetworkPolicy/log-then-allow/ingress/0");
  EXPECT_EQ(v.decided_by.text, "GlobalNetworkPolicy/log-then-allow/ingress/1");
}

}  // namespace
}  // namespace pinto::policy

namespace pinto::policy {
namespace {

TEST(PolicyCompiler, ProgramTextShowsChainsAndSets) {
  // Only node-a's endpoints get chains; dev/client (node-b) still fills the sets.
  const Program p = compile(testing_util::model_of(std::string(cases::kClusterResources) +
                                                       "\n---\n" + cases::kSecurityTierPassesWeb +
                                                       "\n---\n" + cases::kClientEgressToNamedPort,
                                                   "node-a"));
  // The named port's (address, port) set is built from the same selector term as the address set.
  EXPECT_EQ(to_string(p), R"(endpoint prod/node--a-k8s-client-eth0 (cali0client) 10.0.1.3/32
  ingress
    0 ingress/no-policy-allow: -> allow
  egress (policed)
    0 GlobalNetworkPolicy/client-to-http/egress/0: proto 6 dst in s:3afb01ac dst ports s:e6df27ad -> allow
    1 tier/default/egress/end-of-tier-deny: -> deny
    2 egress/profile-allow: -> allow
endpoint prod/node--a-k8s-db-eth0 (cali0db) 10.0.1.2/32
  ingress (policed)
    0 GlobalNetworkPolicy/security.pass-web/ingress/0: src in s:8ee8c083 -> goto 2
    1 tier/security/ingress/end-of-tier-deny: -> deny
    2 GlobalNetworkPolicy/allow-web/ingress/0: src in s:8ee8c083 -> allow
    3 tier/default/ingress/end-of-tier-deny: -> deny
    4 ingress/profile-allow: -> allow
  egress
    0 egress/no-policy-allow: -> allow
endpoint prod/node--a-k8s-web-eth0 (cali0web) 10.0.1.1/32 fd00::1:1/128
  ingress
    0 ingress/no-policy-allow: -> allow
  egress
    0 egress/no-policy-allow: -> allow
set s:3afb01ac nets sel:any|has(app): 10.0.1.1/32 10.0.1.2/32 10.0.1.3/32 10.0.2.1/32 fd00::1:1/128
set s:8ee8c083 nets sel:any|app == "web": 10.0.1.1/32 fd00::1:1/128
set s:e6df27ad named-port port:http/6@any|has(app): 10.0.1.1/32,6:8080 fd00::1:1/128,6:8080
)");
}

TEST(PolicyCompiler, SetNamesFitAnIpsetName) {
  EXPECT_EQ(set_name(0x0123456789abcdefull), "pinto-s-0123456789abcdef");
  EXPECT_LE(set_name(~0ull).size(), 31u);
}

}  // namespace
}  // namespace pinto::policy
