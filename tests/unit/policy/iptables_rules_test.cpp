// The iptables back-end's pure renderer: a compiled Program as chains (golden text), the
// restore text of a change (only changed chains), hooks, uninstall, counters.
#include "policy/iptables/iptables_rules.h"

#include <gtest/gtest.h>

#include "policy_test_util.h"

namespace pinto::policy::iptables {
namespace {

using testing_util::model_of;

// Two pods on node-a; db is guarded by a tier that passes web and logs, then the default tier
// allows web on its named port and denies a CIDR before that.
constexpr const char* kCluster = R"(
apiVersion: v1
kind: Namespace
metadata: {name: prod}
---
apiVersion: projectcalico.org/v3
kind: WorkloadEndpoint
metadata: {name: web, namespace: prod, labels: {app: web}}
spec: {node: node-a, interfaceName: cali0web, ipNetworks: [10.0.1.1/32, "fd00::1:1/128"]}
---
apiVersion: projectcalico.org/v3
kind: WorkloadEndpoint
metadata: {name: db, namespace: prod, labels: {app: db}}
spec: {node: node-a, interfaceName: cali0db, ipNetworks: [10.0.1.2/32],
       ports: [{name: pg, protocol: TCP, port: 5432}]}
)";

constexpr const char* kPolicies = R"(
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
  ingress: [{action: Log}, {action: Pass, source: {selector: app == 'web'}}]
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: db, namespace: prod}
spec:
  selector: app == 'db'
  ingress:
  - {action: Deny, source: {nets: [10.9.0.0/16], notNets: [10.9.1.0/24]}}
  - {action: Allow, protocol: TCP, source: {selector: app == 'web'}, destination: {ports: [pg, "6000:6010"]}}
  egress:
  - {action: Allow, protocol: ICMP, icmp: {type: 8}}
)";

std::string text_of(const Ruleset& r) {
  std::string out;
  for (const auto& [name, rules] : r.chains) {
    out += name + "\n";
    for (const auto& rule : rules) out += "  " + rule + "\n";
  }
  return out;
}

Program program_of(const std::string& yaml) {
  return compile(model_of(std::string(kCluster) + "\n---\n" + yaml, "node-a"));
}

// The whole IPv4 rendering: conntrack first, dispatch by interface, Pass as a -g to the next
// tier's segment chain, Log then continue, named port "pg" resolved to 5432 on db, nets/notNets as
// sets (the single nets CIDR as a literal -s: one per rule, so notNets stays a set), RuleIds in
// comments.
TEST(IptablesRules, GoldenIpv4Chains) {
  const Ruleset r = render_ruleset(program_of(kPolicies), Family::V4, {});
  EXPECT_EQ(text_of(r), R"(pinto-fw-cali0db
  -p 1 -m icmp --icmp-type 8 -m comment --comment "NetworkPolicy/prod/db/egress/0" -g pinto-to-wl
  -m comment --comment "tier/default/egress/end-of-tier-deny" -j DROP
  -m comment --comment "egress/profile-allow" -g pinto-to-wl
pinto-fw-cali0web
  -m comment --comment "egress/no-policy-allow" -g pinto-to-wl
pinto-fwd
  -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
  -m conntrack --ctstate INVALID -j DROP
  -i cali0db -g pinto-fw-cali0db
  -i cali0web -g pinto-fw-cali0web
  -g pinto-to-wl
pinto-host-in
pinto-host-out
pinto-to-wl
  -o cali0db -g pinto-tw-cali0db
  -o cali0web -g pinto-tw-cali0web
  -j ACCEPT
pinto-tw-cali0db
  -m comment --comment "GlobalNetworkPolicy/security.pass-web/ingress/0" -j LOG --log-prefix "pinto-policy: "
  -m set --match-set pinto-s-8ee8c08363dfd0e0 src -m comment --comment "GlobalNetworkPolicy/security.pass-web/ingress/1" -g pinto-tw-cali0db-1
  -m comment --comment "tier/security/ingress/end-of-tier-deny" -j DROP
pinto-tw-cali0db-1
  -s 10.9.0.0/16 -m set ! --match-set pinto-s-559cf4629bbd7287 src -m comment --comment "NetworkPolicy/prod/db/ingress/0" -j DROP
  -p 6 -m set --match-set pinto-s-cc05919ae34680df src -m multiport --dports 5432,6000:6010 -m comment --comment "NetworkPolicy/prod/db/ingress/1" -j ACCEPT
  -m comment --comment "tier/default/ingress/end-of-tier-deny" -j DROP
  -m comment --comment "ingress/profile-allow" -j ACCEPT
pinto-tw-cali0web
  -m comment --comment "ingress/no-policy-allow" -j ACCEPT
)");
}

// A host endpoint: dispatched from INPUT/OUTPUT (pinto-host-in/-out) by interface, conntrack
// first, failsafe ports before the policy, Allow = ACCEPT both ways, default deny at the end.
TEST(IptablesRules, GoldenHostEndpointChains) {
  CompileOptions options;
  options.failsafe_inbound = {{6, 22}, {6, 179}};
  options.failsafe_outbound = {{17, 53}};
  const Program p = compile(model_of(R"(
apiVersion: projectcalico.org/v3
kind: HostEndpoint
metadata: {name: node-a-eth1, labels: {role: node}}
spec: {node: node-a, interfaceName: eth1, expectedIPs: [192.0.2.1]}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: host-web}
spec:
  selector: role == 'node'
  ingress: [{action: Allow, protocol: TCP, destination: {ports: [8080]}}]
)",
                                     "node-a"),
                            options);
  const Ruleset r = render_ruleset(p, Family::V4, {});
  EXPECT_EQ(text_of(r), R"(pinto-fwd
  -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
  -m conntrack --ctstate INVALID -j DROP
  -g pinto-to-wl
pinto-hi-eth1
  -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
  -p 6 -m multiport --dports 22 -m comment --comment "ingress/failsafe/tcp:22" -j ACCEPT
  -p 6 -m multiport --dports 179 -m comment --comment "ingress/failsafe/tcp:179" -j ACCEPT
  -p 6 -m multiport --dports 8080 -m comment --comment "GlobalNetworkPolicy/host-web/ingress/0" -j ACCEPT
  -m comment --comment "tier/default/ingress/end-of-tier-deny" -j DROP
  -m comment --comment "ingress/host-default-deny" -j DROP
pinto-ho-eth1
  -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
  -p 17 -m multiport --dports 53 -m comment --comment "egress/failsafe/udp:53" -j ACCEPT
  -m comment --comment "egress/host-default-deny" -j DROP
pinto-host-in
  -i eth1 -g pinto-hi-eth1
pinto-host-out
  -o eth1 -g pinto-ho-eth1
pinto-to-wl
  -j ACCEPT
)");
  EXPECT_EQ(r.owners.at("pinto-hi-eth1"),
            (ChainOwner{EndpointId{true, "", "node-a-eth1"}, Direction::Ingress}));
  EXPECT_EQ(r.owners.at("pinto-ho-eth1"),
            (ChainOwner{EndpointId{true, "", "node-a-eth1"}, Direction::Egress}));
  // The same chains in IPv6 (the failsafe ports hold in both families), with neighbour
  // discovery let through after conntrack, before any rule.
  const Ruleset r6 = render_ruleset(p, Family::V6, {});
  std::vector<std::string> v6 = r.chains.at("pinto-hi-eth1");
  v6.insert(
      v6.begin() + 1,
      {"-p 58 -m icmp6 --icmpv6-type 133 -j ACCEPT", "-p 58 -m icmp6 --icmpv6-type 134 -j ACCEPT",
       "-p 58 -m icmp6 --icmpv6-type 135 -j ACCEPT", "-p 58 -m icmp6 --icmpv6-type 136 -j ACCEPT"});
  EXPECT_EQ(r6.chains.at("pinto-hi-eth1"), v6);
}

TEST(IptablesRules, Ipv6LeavesOutIpv4OnlyRulesAndNamesInet6Sets) {
  const Ruleset r = render_ruleset(program_of(kPolicies), Family::V6, {});
  // The CIDR deny is IPv4-only and the ICMP (v4) egress rule too; sets are the s6 ones.
  const std::string text = text_of(r);
  EXPECT_EQ(text.find("10.9."), std::string::npos) << text;
  EXPECT_EQ(text.find("-p 1 "), std::string::npos) << text;
  EXPECT_EQ(text.find("--match-set pinto-s-"), std::string::npos) << text;
  EXPECT_NE(text.find("--match-set pinto-s6-"), std::string::npos) << text;
  // Chains are the same in both families, so a dispatch from FORWARD works in both.
  const Ruleset v4 = render_ruleset(program_of(kPolicies), Family::V4, {});
  for (const auto& [name, rules] : v4.chains) EXPECT_TRUE(r.chains.contains(name)) << name;
}

// Literal nets: one endpoint "cali0x" whose ingress chain is one Allow rule with `match`, over
// hand-made sets (ids 1.. in the order given).
IpSet nets_set(SetId id, std::vector<const char*> cidrs, std::string kind = "nets:") {
  IpSet set{id, SetKind::Nets, kind + "test", {}, kind == "nets:"};
  for (const char* c : cidrs) set.members.push_back({IpPrefix::parse(c).value(), 0, 0});
  return set;
}

Program one_rule(std::vector<IpSet> sets, Match match) {
  Program p;
  for (auto& set : sets) p.sets[set.id] = set;
  EndpointProgram ep;
  ep.endpoint = EndpointId{false, "prod", "x"};
  ep.interface_name = "cali0x";
  ep.ingress.policed = true;
  ep.ingress.rules.push_back(Rule{RuleId{"r", 0}, match, Action::Allow, 0});
  ep.egress.rules.push_back(Rule{RuleId{"e", 0}, Match{}, Action::Allow, 0});
  p.endpoints.push_back(std::move(ep));
  return p;
}

std::string ingress_rule(const Ruleset& r) {
  return r.chains.at("pinto-tw-cali0x").at(0);
}

TEST(IptablesRules, SingleCidrNetsAreWrittenLiterallyAndMakeNoSet) {
  Match m;
  m.source.in_sets = {1};
  m.destination.in_sets = {2};
  const Program p = one_rule({nets_set(1, {"10.9.0.0/16"}), nets_set(2, {"10.0.1.2/32"})}, m);
  const Ruleset r = render_ruleset(p, Family::V4, {});
  EXPECT_EQ(ingress_rule(r), "-s 10.9.0.0/16 -d 10.0.1.2/32 -m comment --comment \"r\" -j ACCEPT");
  EXPECT_TRUE(r.sets.empty());
}

TEST(IptablesRules, SingleCidrNotNetsAreNegatedLiterals) {
  Match m;
  m.source.not_in_sets = {1};
  m.destination.not_in_sets = {2};
  const Program p = one_rule({nets_set(1, {"fd00::/64"}), nets_set(2, {"fd00:1::1/128"})}, m);
  const Ruleset r = render_ruleset(p, Family::V6, {});
  EXPECT_EQ(ingress_rule(r),
            "! -s fd00::/64 ! -d fd00:1::1/128 -m comment --comment \"r\" -j ACCEPT");
  EXPECT_TRUE(r.sets.empty());
}

TEST(IptablesRules, OneLiteralPerSideTheOtherSetsStayIpsets) {
  // iptables takes a single -s per rule: the first single-CIDR set is literal, the rest match.
  Match m;
  m.source.in_sets = {1, 2};
  m.source.not_in_sets = {3};
  const Program p = one_rule(
      {nets_set(1, {"10.0.0.0/8"}), nets_set(2, {"10.1.0.0/16"}), nets_set(3, {"10.1.2.0/24"})}, m);
  const Ruleset r = render_ruleset(p, Family::V4, {});
  EXPECT_EQ(ingress_rule(r),
            "-s 10.0.0.0/8 -m set --match-set pinto-s-0000000000000002 src -m set ! --match-set "
            "pinto-s-0000000000000003 src -m comment --comment \"r\" -j ACCEPT");
  EXPECT_EQ(r.sets, (std::set<SetId>{2, 3}));

  // No in_set literal: the first not_in_set is the negated literal.
  Match n;
  n.source.not_in_sets = {3, 2};
  const Ruleset r2 = render_ruleset(
      one_rule({nets_set(2, {"10.1.0.0/16"}), nets_set(3, {"10.1.2.0/24"})}, n), Family::V4, {});
  EXPECT_EQ(ingress_rule(r2),
            "! -s 10.1.2.0/24 -m set ! --match-set pinto-s-0000000000000002 src -m comment "
            "--comment \"r\" -j ACCEPT");
  EXPECT_EQ(r2.sets, (std::set<SetId>{2}));
}

TEST(IptablesRules, MultiCidrNetsAndSelectorSetsStayIpsets) {
  Match m;
  m.source.in_sets = {1};           // two IPv4 CIDRs
  m.destination.in_sets = {2};      // a selector set of one pod: members change with labels
  m.destination.not_in_sets = {3};  // a named-port-free nets set, literal on the destination
  const Program p = one_rule({nets_set(1, {"10.0.0.0/8", "192.168.0.0/16"}),
                              nets_set(2, {"10.0.1.2/32"}, "sel:"), nets_set(3, {"10.0.1.3/32"})},
                             m);
  const Ruleset r = render_ruleset(p, Family::V4, {});
  EXPECT_EQ(ingress_rule(r),
            "-m set --match-set pinto-s-0000000000000001 src -m set --match-set "
            "pinto-s-0000000000000002 dst ! -d 10.0.1.3/32 -m comment --comment \"r\" -j ACCEPT");
  EXPECT_EQ(r.sets, (std::set<SetId>{1, 2}));
}

TEST(IptablesRules, LiteralIsPerFamily) {
  // One CIDR of each family: literal in both. An IPv6-only CIDR has no IPv4 member, so in IPv4
  // it stays a match on the (empty) set, as before: never matches.
  Match m;
  m.source.in_sets = {1};
  m.destination.in_sets = {2};
  const Program p =
      one_rule({nets_set(1, {"10.9.0.0/16", "fd00::/64"}), nets_set(2, {"fd00:1::/64"})}, m);
  const Ruleset v4 = render_ruleset(p, Family::V4, {});
  const Ruleset v6 = render_ruleset(p, Family::V6, {});
  EXPECT_EQ(ingress_rule(v4),
            "-s 10.9.0.0/16 -m set --match-set pinto-s-0000000000000002 dst -m comment "
            "--comment \"r\" -j ACCEPT");
  EXPECT_EQ(v4.sets, (std::set<SetId>{2}));
  EXPECT_EQ(ingress_rule(v6), "-s fd00::/64 -d fd00:1::/64 -m comment --comment \"r\" -j ACCEPT");
  EXPECT_TRUE(v6.sets.empty());
}

TEST(IptablesRules, RulesLeftOutOfAFamilyUseNoSets) {
  Match m;
  m.ip_version = IpVersion::V6;
  m.source.in_sets = {1};
  const Program p = one_rule({nets_set(1, {"fd00::/64", "fd00:1::/64"})}, m);
  EXPECT_TRUE(render_ruleset(p, Family::V4, {}).sets.empty());
  EXPECT_EQ(render_ruleset(p, Family::V6, {}).sets, (std::set<SetId>{1}));
}

TEST(IptablesRules, ChainNamesFitIptablesLimit) {
  const Ruleset r = render_ruleset(program_of(kPolicies), Family::V4, {});
  for (const auto& [name, rules] : r.chains) EXPECT_LE(name.size(), 28u) << name;
}

TEST(IptablesRules, FirstRestoreDeclaresEveryChainAndHooksForward) {
  const Ruleset r = render_ruleset(program_of(""), Family::V4, {});
  const std::string text = restore_text({}, r, hooks({}));
  EXPECT_EQ(text, R"(*filter
:pinto-fw-cali0db - [0:0]
:pinto-fw-cali0web - [0:0]
:pinto-fwd - [0:0]
:pinto-host-in - [0:0]
:pinto-host-out - [0:0]
:pinto-to-wl - [0:0]
:pinto-tw-cali0db - [0:0]
:pinto-tw-cali0web - [0:0]
-A pinto-fw-cali0db -m comment --comment "egress/no-policy-allow" -g pinto-to-wl
-A pinto-fw-cali0web -m comment --comment "egress/no-policy-allow" -g pinto-to-wl
-A pinto-fwd -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A pinto-fwd -m conntrack --ctstate INVALID -j DROP
-A pinto-fwd -i cali0db -g pinto-fw-cali0db
-A pinto-fwd -i cali0web -g pinto-fw-cali0web
-A pinto-fwd -g pinto-to-wl
-A pinto-to-wl -o cali0db -g pinto-tw-cali0db
-A pinto-to-wl -o cali0web -g pinto-tw-cali0web
-A pinto-to-wl -j ACCEPT
-A pinto-tw-cali0db -m comment --comment "ingress/no-policy-allow" -j ACCEPT
-A pinto-tw-cali0web -m comment --comment "ingress/no-policy-allow" -j ACCEPT
-I FORWARD -i cali+ -j pinto-fwd
-I FORWARD -o cali+ -j pinto-fwd
-I INPUT -j pinto-host-in
-I OUTPUT -j pinto-host-out
COMMIT
)");
}

TEST(IptablesRules, PolicyChangeRewritesOnlyTheChainsOfThatEndpoint) {
  const Ruleset before = render_ruleset(program_of(""), Family::V4, {});
  const Ruleset after = render_ruleset(program_of(R"(
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: web, namespace: prod}
spec:
  selector: app == 'web'
  ingress: [{action: Allow, protocol: UDP, destination: {ports: [53]}}]
)"),
                                       Family::V4, {});
  const std::string text = restore_text(before, after, {});
  EXPECT_NE(text.find(":pinto-tw-cali0web - [0:0]"), std::string::npos) << text;
  EXPECT_EQ(text.find("cali0db"), std::string::npos) << text;
  EXPECT_EQ(text.find("pinto-fwd"), std::string::npos) << text;
  EXPECT_EQ(text.find("pinto-fw-cali0web"), std::string::npos) << text;
  EXPECT_EQ(text.find("FORWARD"), std::string::npos) << text;
}

TEST(IptablesRules, NothingChangedWritesNothing) {
  const Ruleset r = render_ruleset(program_of(kPolicies), Family::V4, {});
  EXPECT_EQ(restore_text(r, r, {}), "");
}

TEST(IptablesRules, SetMembershipChangeRewritesNoChain) {
  // A new pod labelled app=web changes the members of the web set only.
  const Ruleset before = render_ruleset(program_of(kPolicies), Family::V4, {});
  const Ruleset after = render_ruleset(program_of(std::string(kPolicies) + R"(
---
apiVersion: projectcalico.org/v3
kind: WorkloadEndpoint
metadata: {name: web2, namespace: prod, labels: {app: web}}
spec: {node: node-b, interfaceName: cali0web2, ipNetworks: [10.0.2.9/32]}
)"),
                                       Family::V4, {});
  EXPECT_EQ(restore_text(before, after, {}), "");
}

TEST(IptablesRules, RemovedEndpointChainsAreFlushedAndDeletedAfterTheDispatchIsRewritten) {
  const Ruleset before = render_ruleset(program_of(kPolicies), Family::V4, {});
  Program p = program_of(kPolicies);
  std::erase_if(p.endpoints,
                [](const EndpointProgram& ep) { return ep.interface_name == "cali0db"; });
  const Ruleset after = render_ruleset(p, Family::V4, {});
  const std::string text = restore_text(before, after, {});
  EXPECT_EQ(text, R"(*filter
:pinto-fwd - [0:0]
:pinto-to-wl - [0:0]
:pinto-fw-cali0db - [0:0]
:pinto-tw-cali0db - [0:0]
:pinto-tw-cali0db-1 - [0:0]
-A pinto-fwd -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A pinto-fwd -m conntrack --ctstate INVALID -j DROP
-A pinto-fwd -i cali0web -g pinto-fw-cali0web
-A pinto-fwd -g pinto-to-wl
-A pinto-to-wl -o cali0web -g pinto-tw-cali0web
-A pinto-to-wl -j ACCEPT
-X pinto-fw-cali0db
-X pinto-tw-cali0db
-X pinto-tw-cali0db-1
COMMIT
)");
}

TEST(IptablesRules, ManyPortsSplitIntoMultiportChunksOfFifteen) {
  std::string ports;
  for (int p = 1; p <= 20; ++p) ports += (ports.empty() ? "" : ", ") + std::to_string(p);
  const Ruleset r = render_ruleset(program_of(R"(
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: web, namespace: prod}
spec:
  selector: app == 'web'
  ingress: [{action: Allow, protocol: UDP, destination: {ports: [)" +
                                              ports + R"(]}}]
)"),
                                   Family::V4, {});
  const auto& rules = r.chains.at("pinto-tw-cali0web");
  ASSERT_GE(rules.size(), 2u);
  EXPECT_NE(rules[0].find("--dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15 "), std::string::npos)
      << rules[0];
  EXPECT_NE(rules[1].find("--dports 16,17,18,19,20 "), std::string::npos) << rules[1];
}

TEST(IptablesRules, InstalledStateFromIptablesSave) {
  const InstalledState s = parse_installed(R"(# Generated by iptables-save v1.8.9 (nf_tables)
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:DOCKER - [0:0]
:pinto-fwd - [0:0]
:pinto-tw-cali0db - [0:0]
-A INPUT -j pinto-host-in
-A FORWARD -o cali+ -j pinto-fwd
-A FORWARD -j DOCKER
-A OUTPUT -o eth0 -j pinto-host-out
-A pinto-fwd -g pinto-to-wl
COMMIT
)",
                                           {});
  EXPECT_EQ(s.chains, (std::vector<std::string>{"pinto-fwd", "pinto-tw-cali0db"}));
  // Only our exact hooks: a look-alike rule in OUTPUT is somebody else's.
  EXPECT_EQ(s.hooks,
            (std::vector<std::string>{"INPUT -j pinto-host-in", "FORWARD -o cali+ -j pinto-fwd"}));
  EXPECT_EQ(uninstall_text(s), R"(*filter
:pinto-fwd - [0:0]
:pinto-tw-cali0db - [0:0]
-D INPUT -j pinto-host-in
-D FORWARD -o cali+ -j pinto-fwd
-X pinto-fwd
-X pinto-tw-cali0db
COMMIT
)");
  EXPECT_EQ(uninstall_text({}), "");
}

TEST(IptablesRules, CountersFromIptablesSaveC) {
  const auto c = parse_counters(R"(*filter
:FORWARD ACCEPT [10:1000]
[7:700] -A FORWARD -i cali+ -j pinto-fwd
[3:180] -A pinto-tw-cali0db -p tcp -m comment --comment "GlobalNetworkPolicy/allow/ingress/0" -j ACCEPT
[1:60] -A pinto-tw-cali0db -m comment --comment tier/default/ingress/end-of-tier-deny -j DROP
[2:120] -A OTHER -m comment --comment "not ours" -j DROP
COMMIT
)");
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].chain, "pinto-tw-cali0db");
  EXPECT_EQ(c[0].rule, "GlobalNetworkPolicy/allow/ingress/0");
  EXPECT_EQ(c[0].packets, 3u);
  EXPECT_EQ(c[0].bytes, 180u);
  EXPECT_EQ(c[1].rule, "tier/default/ingress/end-of-tier-deny");
  EXPECT_EQ(c[1].packets, 1u);
}

}  // namespace
}  // namespace pinto::policy::iptables
