// The eBPF back-end's pure half: Program -> map contents (policy/ebpf/map_image.h), and the
// shared table of policy cases replayed through the kernel's own walk and match code
// (bpf/chain_walk.h, bpf/rule_match.h) over the encoded maps, against the reference evaluator.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "ebpf_walk_sim.h"
#include "policy/ebpf/map_image.h"
#include "policy_cases.h"
#include "policy_test_util.h"

namespace pinto::policy::ebpf {
namespace {

using cases::PolicyCase;

Program program_of(const std::string& resources) {
  return compile(
      testing_util::model_of(std::string(cases::kClusterResources) + "\n---\n" + resources));
}

class EbpfPolicyCases : public testing::TestWithParam<PolicyCase> {};

// Every case either gives the reference evaluator's verdict or is refused by name: the subset
// never allows what the reference denies.
TEST_P(EbpfPolicyCases, SameVerdictAsTheReferenceOrRefused) {
  const PolicyCase& c = GetParam();
  const Program program = program_of(c.resources);
  const EndpointProgram* ep = program.find(testing_util::endpoint_id(c.endpoint));
  ASSERT_NE(ep, nullptr);
  const Packet packet = testing_util::parse_packet(c.packet);
  const bool reference = evaluate(program, *ep, c.direction, packet).allowed;
  ASSERT_EQ(reference, c.allowed);
  SetIndexer sets;
  auto image = build_map_image(program, sets);
  if (!image) {
    EXPECT_NE(image.error().message.find("not supported"), std::string::npos)
        << image.error().message;
    GTEST_SKIP() << "refused: " << image.error().message;
  }
  const EncodedEndpoint* encoded = nullptr;
  for (const auto& e : image.value().endpoints) {
    if (e.endpoint == ep->endpoint) encoded = &e;
  }
  ASSERT_NE(encoded, nullptr);
  const EncodedChain& chain =
      c.direction == Direction::Ingress ? encoded->ingress : encoded->egress;
  EXPECT_EQ(sim::walk(image.value(), chain, packet).allowed, reference) << c.packet;
}

INSTANTIATE_TEST_SUITE_P(Table, EbpfPolicyCases, testing::ValuesIn(cases::kCases),
                         [](const testing::TestParamInfo<PolicyCase>& row) {
                           return std::string(row.param.name);
                         });

TEST(EbpfMapImage, SetMembersAreLpmKeysOfTheirFamilyWithTheSetIndex) {
  Program program;
  IpSet set;
  set.id = 42;
  set.members = {{*IpPrefix::parse("10.0.1.0/24")}, {*IpPrefix::parse("fd00::/64")}};
  program.sets[42] = set;
  SetIndexer sets;
  auto image = build_map_image(program, sets);
  ASSERT_TRUE(image);
  ASSERT_EQ(image.value().set_entries.size(), 2u);
  const SetEntry& v4 = image.value().set_entries[0];
  ASSERT_EQ(v4.family, PINTO_FAMILY_IPV4);
  const pinto_set_key key = v4.key();
  EXPECT_EQ(key.prefixlen, 64u + 24u);
  EXPECT_EQ(key.set, sets.index_of(42));
  EXPECT_EQ(key.family, static_cast<__u32>(PINTO_FAMILY_IPV4));
  EXPECT_EQ(key.addr[0], htonl(0x0a000100));
  EXPECT_EQ(key.addr[1], 0u);
  const SetEntry& v6 = image.value().set_entries[1];
  ASSERT_EQ(v6.family, PINTO_FAMILY_IPV6);
  const pinto_set_key key6 = v6.key();
  EXPECT_EQ(key6.prefixlen, 64u + 64u);
  EXPECT_EQ(key6.set, sets.index_of(42));
  EXPECT_EQ(key6.family, static_cast<__u32>(PINTO_FAMILY_IPV6));
  EXPECT_EQ(key6.addr[0], htonl(0xfd000000));
  EXPECT_EQ(key6.addr[3], 0u);
}

TEST(EbpfMapImage, SetIndexStaysWhileTheSetStaysAndIsNotReusedInTheSameApply) {
  Program a;
  a.sets[1] = IpSet{1, SetKind::Nets, "one", {}};
  a.sets[2] = IpSet{2, SetKind::Nets, "two", {}};
  SetIndexer sets;
  sets.assign(a);
  const std::uint32_t two = sets.index_of(2);
  const std::uint32_t one = sets.index_of(1);
  Program b;
  b.sets[2] = a.sets[2];
  b.sets[3] = IpSet{3, SetKind::Nets, "three", {}};
  sets.assign(b);
  EXPECT_EQ(sets.index_of(2), two);
  EXPECT_NE(sets.index_of(3), one);  // set 1's members may still be in the trie
  Program c = b;
  c.sets[4] = IpSet{4, SetKind::Nets, "four", {}};
  sets.assign(c);
  EXPECT_EQ(sets.index_of(4), one);  // freed by the previous apply: reused now
}

TEST(EbpfMapImage, RuleFieldsAreEncoded) {
  Program program;
  program.sets[7] = IpSet{7, SetKind::Nets, "nets", {{*IpPrefix::parse("10.0.0.0/8")}}};
  SetIndexer sets;
  sets.assign(program);
  Chain chain;
  chain.policed = true;
  Rule r;
  r.id = {"GlobalNetworkPolicy/p/ingress/0", 1};
  r.action = Action::Allow;
  r.match.protocol = 6;
  r.match.source.not_in_sets = {7};
  r.match.destination.ports = {{1000, 2000}, {53, 53}};
  chain.rules.push_back(r);
  chain.rules.push_back(Rule{{"end", 2}, {}, Action::Deny, 0});
  auto encoded = encode_chain(chain, sets, "prod/db ingress");
  ASSERT_TRUE(encoded);
  const pinto_rule& e = encoded.value().rules[0];
  EXPECT_EQ(e.action, PINTO_ACTION_ALLOW);
  EXPECT_EQ(e.flags, PINTO_F_PROTOCOL);
  EXPECT_EQ(e.protocol, 6);
  EXPECT_EQ(e.src.n_not_in, 1);
  EXPECT_EQ(e.src.not_in[0], sets.index_of(7));
  ASSERT_EQ(e.dst.n_ports, 2);
  EXPECT_EQ(e.dst.ports[0].first, 1000);
  EXPECT_EQ(e.dst.ports[1].last, 53);
  EXPECT_EQ(encoded.value().rules[1].action, PINTO_ACTION_DENY);
  EXPECT_EQ(encoded.value().ids[0].text, "GlobalNetworkPolicy/p/ingress/0");
}

TEST(EbpfMapImage, IpVersionBecomesAFamilyFlag) {
  Chain chain;
  Rule r;
  r.action = Action::Allow;
  r.match.ip_version = IpVersion::V6;
  chain.rules.push_back(r);
  r.match.ip_version = IpVersion::V4;
  chain.rules.push_back(r);
  r.match.ip_version.reset();
  chain.rules.push_back(r);
  auto encoded = encode_chain(chain, SetIndexer{}, "x");
  ASSERT_TRUE(encoded);
  EXPECT_EQ(encoded.value().rules[0].flags, PINTO_F_IPV6);
  EXPECT_EQ(encoded.value().rules[1].flags, PINTO_F_IPV4);
  EXPECT_EQ(encoded.value().rules[2].flags, 0u);
}

// Named ports of remote endpoints: the port name resolved on the endpoints the rule selects
// becomes a set of (address, protocol, port) members in the trie, with protocol and port in the
// key's family word; the walk agrees with the reference evaluator on members, other ports and
// other addresses, for ports and notPorts (the iptables back-end's hash:ip,port sets).
TEST(EbpfMapImage, NamedPortsOfRemoteEndpointsBecomeAddressProtocolPortMembers) {
  const Program program = program_of(std::string(cases::kClientEgressToNamedPort) + R"(
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: web-not-http}
spec:
  selector: app == 'web'
  egress: [{action: Allow, protocol: TCP, destination: {selector: has(app), notPorts: [http]}}]
)");
  SetIndexer sets;
  auto image = build_map_image(program, sets);
  ASSERT_TRUE(image) << image.error().message;
  SetId named = 0;
  for (const auto& [id, set] : program.sets) {
    if (set.kind == SetKind::NamedPort) named = id;
  }
  ASSERT_NE(named, 0u);
  // web (10.0.1.1 and fd00::1:1) has http = TCP 8080: two members, one per family.
  std::vector<SetEntry> members;
  for (const auto& e : image.value().set_entries) {
    if (e.set == sets.index_of(named)) members.push_back(e);
  }
  ASSERT_EQ(members.size(), 2u);
  EXPECT_EQ(members[0].family, pinto_port_family(PINTO_FAMILY_IPV4, 6, 8080));
  EXPECT_EQ(members[0].length, 32u);
  EXPECT_EQ(members[1].family, pinto_port_family(PINTO_FAMILY_IPV6, 6, 8080));
  const char* packets[][2] = {
      {cases::kProdClient, "tcp 10.0.1.3:40000 > 10.0.1.1:8080"},  // web's http: allowed
      {cases::kProdClient, "tcp 10.0.1.3:40000 > 10.0.1.1:80"},    // another port
      {cases::kProdClient, "tcp 10.0.1.3:40000 > 10.0.1.2:8080"},  // db has no http
      {cases::kProdClient, "udp 10.0.1.3:40000 > 10.0.1.1:8080"},  // http is TCP
      {cases::kWeb, "tcp 10.0.1.1:40000 > 10.0.1.1:8080"},         // notPorts: web's http
      {cases::kWeb, "tcp 10.0.1.1:40000 > 10.0.1.2:8080"},         // notPorts: not db's
      {cases::kWeb, "tcp 10.0.1.1:40000 > 10.0.1.2:5432"},
      {cases::kWeb, "tcp fd00::1:1:40000 > fd00::1:1:8080"},
  };
  int allowed = 0;
  for (const auto& [endpoint, text] : packets) {
    const EndpointProgram* ep = program.find(testing_util::endpoint_id(endpoint));
    ASSERT_NE(ep, nullptr);
    const EncodedEndpoint* encoded = nullptr;
    for (const auto& e : image.value().endpoints) {
      if (e.endpoint == ep->endpoint) encoded = &e;
    }
    ASSERT_NE(encoded, nullptr);
    const Packet packet = testing_util::parse_packet(text);
    const bool reference = evaluate(program, *ep, Direction::Egress, packet).allowed;
    EXPECT_EQ(sim::walk(image.value(), encoded->egress, packet).allowed, reference) << text;
    allowed += reference ? 1 : 0;
  }
  EXPECT_EQ(allowed, 3);  // the client's 8080 to web, web's two to db
  // A rule with remote named ports is looked at by every flow (not indexed by port).
  for (const auto& e : image.value().endpoints) {
    for (const auto& r : e.egress.rules) {
      if (r.dst.n_port_sets != 0) {
        EXPECT_FALSE(is_port_indexed(r));
      }
    }
  }
}

TEST(EbpfMapImage, MoreNamedPortsThanASideHoldsAreRefused) {
  Program program;
  Chain chain;
  Rule r;
  r.id.text = "GlobalNetworkPolicy/np/egress/0";
  r.action = Action::Allow;
  for (SetId id = 1; id <= PINTO_MAX_PORT_SETS + 1; ++id) {
    program.sets[id] = IpSet{id, SetKind::NamedPort, "np" + std::to_string(id), {}};
    r.match.destination.port_sets.push_back(id);
  }
  SetIndexer sets;
  sets.assign(program);
  chain.rules.push_back(r);
  auto encoded = encode_chain(chain, sets, "prod/client egress");
  ASSERT_FALSE(encoded);
  EXPECT_NE(encoded.error().message.find("GlobalNetworkPolicy/np/egress/0"), std::string::npos);
  EXPECT_NE(encoded.error().message.find("destination.port_sets: more than 4 named ports"),
            std::string::npos)
      << encoded.error().message;
}

TEST(EbpfMapImage, TooManyRulesOrPortRangesAreRefused) {
  Chain big;
  big.rules.resize(PINTO_MAX_CHAIN_RULES);
  EXPECT_TRUE(encode_chain(big, SetIndexer{}, "x"));
  big.rules.resize(PINTO_MAX_CHAIN_RULES + 1);
  auto refused = encode_chain(big, SetIndexer{}, "prod/db ingress");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("prod/db ingress: 16385 rules, more than the 16384"),
            std::string::npos)
      << refused.error().message;
  Chain ports;
  Rule r;
  r.match.destination.ports.resize(PINTO_MAX_PORT_RANGES + 1);
  ports.rules.push_back(r);
  auto encoded = encode_chain(ports, SetIndexer{}, "x");
  ASSERT_FALSE(encoded);
  EXPECT_NE(encoded.error().message.find("not supported"), std::string::npos);
}

TEST(EbpfMapImage, SameRulesComparesContent) {
  Chain chain;
  chain.policed = true;
  chain.rules.push_back(Rule{{"a", 1}, {}, Action::Allow, 0});
  auto a = encode_chain(chain, SetIndexer{}, "x");
  auto b = encode_chain(chain, SetIndexer{}, "x");
  ASSERT_TRUE(a && b);
  EXPECT_TRUE(a.value().same_rules(b.value()));
  chain.rules[0].action = Action::Deny;
  auto c = encode_chain(chain, SetIndexer{}, "x");
  EXPECT_FALSE(a.value().same_rules(c.value()));
}

}  // namespace
}  // namespace pinto::policy::ebpf
