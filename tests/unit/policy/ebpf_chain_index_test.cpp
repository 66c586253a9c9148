// The eBPF back-end at scale, without a kernel: the (protocol, port) index of a chain
// (policy/ebpf/chain_index.h), the limits of the encoder, the range allocator of the rule and
// list arrays, and generated chains of thousands of rules walked through the kernel's own walk
// (ebpf_walk_sim.h) against the reference evaluator.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "ebpf_walk_sim.h"
#include "policy/ebpf/chain_index.h"
#include "policy/ebpf/map_image.h"
#include "policy/ebpf/range_allocator.h"

namespace pinto::policy::ebpf {
namespace {

Rule tcp_to(std::uint16_t first, std::uint16_t last, Action action, const std::string& id) {
  Rule r;
  r.id.text = id;
  r.action = action;
  r.match.protocol = 6;
  r.match.destination.ports = {{first, last}};
  return r;
}

Rule any_rule(Action action, const std::string& id) {
  Rule r;
  r.id.text = id;
  r.action = action;
  return r;
}

Packet tcp_packet(const char* src, const char* dst, std::uint16_t dport) {
  Packet p;
  p.source = *IpAddress::parse(src);
  p.destination = *IpAddress::parse(dst);
  p.protocol = 6;
  p.source_port = 40000;
  p.destination_port = dport;
  return p;
}

TEST(EbpfChainIndex, NarrowPortRulesAreListedPerPortTheOthersAreWildcards) {
  Chain chain;
  chain.rules = {tcp_to(80, 80, Action::Allow, "a"), tcp_to(1000, 2000, Action::Allow, "wide"),
                 tcp_to(443, 444, Action::Allow, "b"), any_rule(Action::Deny, "end")};
  chain.rules[2].match.destination.ports.push_back({444, 444});  // overlap: listed once
  Rule no_protocol = any_rule(Action::Allow, "ports-without-protocol");
  no_protocol.match.destination.ports = {{53, 53}};
  chain.rules.insert(chain.rules.begin() + 3, no_protocol);
  auto encoded = encode_chain(chain, SetIndexer{}, "x");
  ASSERT_TRUE(encoded);
  const ChainIndex& index = encoded.value().index;
  ASSERT_EQ(index.wild_count, 3u);
  EXPECT_EQ(std::vector<std::uint32_t>(index.lists.begin(), index.lists.begin() + 3),
            (std::vector<std::uint32_t>{1, 3, 4}));
  ASSERT_EQ(index.ports.size(), 3u);
  EXPECT_EQ(index.ports[0], (PortList{6, 80, 3, 1}));
  EXPECT_EQ(index.ports[1], (PortList{6, 443, 4, 1}));
  EXPECT_EQ(index.ports[2], (PortList{6, 444, 5, 1}));
  EXPECT_EQ(index.lists[5], 2u);
}

TEST(EbpfChainIndex, RangesUpToTheLimitAreIndexedWiderOnesAreNot) {
  pinto_rule r;
  std::memset(&r, 0, sizeof(r));
  r.flags = PINTO_F_PROTOCOL;
  r.protocol = 17;
  r.dst.n_ports = 1;
  r.dst.ports[0] = {1000, 1000 + PINTO_MAX_INDEXED_PORTS - 1};
  EXPECT_TRUE(is_port_indexed(r));
  r.dst.ports[0].last += 1;
  EXPECT_FALSE(is_port_indexed(r));
}

// Port-index correctness: an indexed range rule and wildcard rules interleaved; the verdict
// follows rule order whichever list a rule sits in.
TEST(EbpfChainIndex, VerdictFollowsRuleOrderAcrossTheTwoLists) {
  Program program;
  EndpointProgram ep;
  ep.endpoint = EndpointId{false, "prod", "db"};
  ep.ingress.policed = true;
  Rule from_web = any_rule(Action::Allow, "wildcard-allow-from-web");
  program.sets[1] = IpSet{1, SetKind::Nets, "web", {{*IpPrefix::parse("10.0.1.1/32")}}};
  from_web.match.source.in_sets = {1};
  ep.ingress.rules = {tcp_to(5000, 5010, Action::Deny, "deny-range"), from_web,
                      tcp_to(5005, 5005, Action::Allow, "allow-5005"),
                      tcp_to(6000, 6000, Action::Log, "log-6000"),
                      any_rule(Action::Deny, "end-of-tier")};
  program.endpoints.push_back(ep);
  SetIndexer sets;
  auto image = build_map_image(program, sets);
  ASSERT_TRUE(image);
  const EncodedChain& chain = image.value().endpoints[0].ingress;
  for (const Packet& p :
       {tcp_packet("10.0.1.1", "10.0.1.2", 5005), tcp_packet("10.0.1.3", "10.0.1.2", 5005),
        tcp_packet("10.0.1.1", "10.0.1.2", 5011), tcp_packet("10.0.1.3", "10.0.1.2", 6000),
        tcp_packet("10.0.1.1", "10.0.1.2", 6000)}) {
    EXPECT_EQ(sim::walk(image.value(), chain, p).allowed,
              evaluate(program, program.endpoints[0], Direction::Ingress, p).allowed)
        << p.source.to_string() << " " << p.destination_port;
  }
  EXPECT_FALSE(sim::walk(image.value(), chain, tcp_packet("10.0.1.1", "10.0.1.2", 5005)).allowed);
  EXPECT_TRUE(sim::walk(image.value(), chain, tcp_packet("10.0.1.1", "10.0.1.2", 5011)).allowed);
}

// 10,000 rules to distinct ports: a new flow looks at the rules of its port and the wildcards.
TEST(EbpfChainIndex, NewFlowLooksOnlyAtItsPortAndTheWildcards) {
  Program program;
  EndpointProgram ep;
  ep.endpoint = EndpointId{false, "prod", "db"};
  ep.ingress.policed = true;
  for (int i = 0; i < 10000; ++i) {
    const auto port = static_cast<std::uint16_t>(10000 + i);
    ep.ingress.rules.push_back(tcp_to(port, port, Action::Allow, "r" + std::to_string(i)));
  }
  ep.ingress.rules.push_back(any_rule(Action::Deny, "end-of-tier"));
  program.endpoints.push_back(ep);
  SetIndexer sets;
  auto image = build_map_image(program, sets);
  ASSERT_TRUE(image);
  const EncodedChain& chain = image.value().endpoints[0].ingress;
  const auto last = sim::walk(image.value(), chain, tcp_packet("10.0.1.1", "10.0.1.2", 19999));
  EXPECT_TRUE(last.allowed);
  EXPECT_EQ(last.steps, 1u);
  const auto none = sim::walk(image.value(), chain, tcp_packet("10.0.1.1", "10.0.1.2", 9999));
  EXPECT_FALSE(none.allowed);
  EXPECT_EQ(none.steps, 1u);  // the end-of-tier Deny only
}

// Generated chains: protocols, ports (narrow and wide ranges, notPorts), ICMP, IP versions,
// sets of both families, Log and forward Goto, walked through the index and compared with the
// reference evaluator's linear walk on random packets.
TEST(EbpfChainIndex, GeneratedChainsGiveTheReferenceVerdicts) {
  std::mt19937 rng(7);
  const auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  const char* sources[] = {"10.0.1.1", "10.0.1.3", "10.0.2.1", "fd00::1:1", "fd00::2:1"};
  int allowed = 0, denied = 0;
  for (int round = 0; round < 20; ++round) {
    Program program;
    program.sets[1] =
        IpSet{1,
              SetKind::Nets,
              "a",
              {{*IpPrefix::parse("10.0.1.0/24")}, {*IpPrefix::parse("fd00::1:0/112")}}};
    program.sets[2] = IpSet{2, SetKind::Nets, "b", {{*IpPrefix::parse("10.0.2.1/32")}}};
    EndpointProgram ep;
    ep.endpoint = EndpointId{false, "prod", "db"};
    ep.ingress.policed = true;
    const int n = 2000;
    for (int i = 0; i < n; ++i) {
      Rule r;
      r.id.text = "r" + std::to_string(i);
      const int kind = pick(10);
      if (kind < 5) {
        r.match.protocol = pick(2) ? 6 : 17;
        const auto first = static_cast<std::uint16_t>(100 + pick(40));
        const auto width = static_cast<std::uint16_t>(pick(4) == 0 ? 100 : pick(3));
        r.match.destination.ports = {{first, static_cast<std::uint16_t>(first + width)}};
        if (pick(4) == 0) r.match.destination.ports.push_back({200, 201});
        if (pick(5) == 0) r.match.destination.not_ports = {{first, first}};
      } else if (kind == 5) {
        r.match.protocol = pick(2) ? 1 : 58;
        r.match.ip_version = *r.match.protocol == 1 ? IpVersion::V4 : IpVersion::V6;
        r.match.icmp = IcmpTypeCode{static_cast<std::uint8_t>(pick(2) ? 8 : 128), std::nullopt};
      } else if (kind == 6) {
        r.match.ip_version = pick(2) ? IpVersion::V4 : IpVersion::V6;
      } else if (kind == 7) {
        r.match.not_protocol = 17;
        r.match.source.ports = {{40000, 40000}};
        r.match.protocol = 6;
      }
      if (pick(3) == 0) r.match.source.in_sets = {static_cast<SetId>(1 + pick(2))};
      if (pick(6) == 0) r.match.source.not_in_sets = {2};
      const int action = pick(20);
      // Mostly non-deciding rules, so walks reach deep into the chain.
      r.action = action == 0                ? Action::Allow
                 : action == 1              ? Action::Deny
                 : action < 4               ? Action::Log
                 : action == 4 && i + 2 < n ? Action::Goto
                                            : (pick(2) ? Action::Allow : Action::Deny);
      if (r.action == Action::Goto) {
        r.goto_index = static_cast<std::uint32_t>(i + 1 + pick(std::min(50, n - i - 1)));
      }
      if (r.action == Action::Allow || r.action == Action::Deny) {
        // Keep deciding rules narrow, or every walk would end in the first few rules.
        if (!r.match.protocol) r.match.protocol = 6;
        if (r.match.destination.ports.empty() && *r.match.protocol == 6) {
          const auto port = static_cast<std::uint16_t>(100 + pick(40));
          r.match.destination.ports = {{port, port}};
        }
      }
      ep.ingress.rules.push_back(r);
    }
    ep.ingress.rules.push_back(any_rule(Action::Deny, "end-of-tier"));
    program.endpoints.push_back(ep);
    SetIndexer sets;
    auto image = build_map_image(program, sets);
    ASSERT_TRUE(image) << image.error().message;
    const EncodedChain& chain = image.value().endpoints[0].ingress;
    for (int k = 0; k < 300; ++k) {
      Packet p;
      p.source = *IpAddress::parse(sources[pick(5)]);
      p.destination = *IpAddress::parse(p.source.is_v4() ? "10.0.1.2" : "fd00::1:2");
      const int proto = pick(4);
      p.protocol = proto == 0 ? 6 : proto == 1 ? 17 : p.source.is_v4() ? 1 : 58;
      p.source_port = pick(2) ? 40000 : 40001;
      p.destination_port = static_cast<std::uint16_t>(95 + pick(120));
      p.icmp_type = static_cast<std::uint8_t>(pick(2) ? 8 : 128);
      const bool reference = evaluate(program, program.endpoints[0], Direction::Ingress, p).allowed;
      ++(reference ? allowed : denied);
      ASSERT_EQ(sim::walk(image.value(), chain, p).allowed, reference)
          << "round " << round << " packet " << k << " " << p.source.to_string() << " proto "
          << int(p.protocol) << " dport " << p.destination_port;
    }
  }
  // Both verdicts are common, so the comparison means something.
  EXPECT_GT(allowed, 1000);
  EXPECT_GT(denied, 1000);
}

// One trie holds both families: "::/0" must not hold IPv4 addresses, nor "0.0.0.0/0" IPv6 ones
// (notNets of one family leave the other family alone).
TEST(EbpfChainIndex, SetMembersNeverMatchTheOtherFamily) {
  Program program;
  program.sets[1] = IpSet{1, SetKind::Nets, "all-v6", {{*IpPrefix::parse("::/0")}}};
  program.sets[2] = IpSet{2, SetKind::Nets, "all-v4", {{*IpPrefix::parse("0.0.0.0/0")}}};
  EndpointProgram ep;
  ep.endpoint = EndpointId{false, "prod", "db"};
  ep.ingress.policed = true;
  Rule not_v6 = tcp_to(80, 80, Action::Allow, "not-in-all-v6");
  not_v6.match.source.not_in_sets = {1};
  Rule in_v4 = tcp_to(81, 81, Action::Allow, "in-all-v4");
  in_v4.match.source.in_sets = {2};
  ep.ingress.rules = {not_v6, in_v4, any_rule(Action::Deny, "end")};
  program.endpoints.push_back(ep);
  SetIndexer sets;
  auto image = build_map_image(program, sets);
  ASSERT_TRUE(image);
  const EncodedChain& chain = image.value().endpoints[0].ingress;
  for (const Packet& p :
       {tcp_packet("10.0.1.1", "10.0.1.2", 80), tcp_packet("fd00::1:1", "fd00::1:2", 80),
        tcp_packet("10.0.1.1", "10.0.1.2", 81), tcp_packet("fd00::1:1", "fd00::1:2", 81)}) {
    EXPECT_EQ(sim::walk(image.value(), chain, p).allowed,
              evaluate(program, program.endpoints[0], Direction::Ingress, p).allowed)
        << p.source.to_string() << " " << p.destination_port;
  }
  EXPECT_TRUE(sim::walk(image.value(), chain, tcp_packet("10.0.1.1", "10.0.1.2", 80)).allowed);
  EXPECT_FALSE(sim::walk(image.value(), chain, tcp_packet("fd00::1:1", "fd00::1:2", 81)).allowed);
  // Distinct keys in the one trie: the family is part of the matched prefix.
  ASSERT_EQ(image.value().set_entries.size(), 2u);
  EXPECT_NE(image.value().set_entries[0].key().family, image.value().set_entries[1].key().family);
}

TEST(EbpfMapImageLimits, RulesOverAllChainsAreLimited) {
  Program program;
  for (int e = 0; e < 4; ++e) {
    EndpointProgram ep;
    ep.endpoint = EndpointId{false, "prod", "ep" + std::to_string(e)};
    ep.interface_name = "cali" + std::to_string(e);
    ep.ingress.rules.assign(PINTO_MAX_CHAIN_RULES, any_rule(Action::Deny, "d"));
    ep.egress.rules = {any_rule(Action::Allow, "a")};
    program.endpoints.push_back(ep);
  }
  SetIndexer sets;
  auto refused = build_map_image(program, sets);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("65540 rules over all chains, more than the 65536"),
            std::string::npos)
      << refused.error().message;
  program.endpoints.pop_back();
  EXPECT_TRUE(build_map_image(program, sets));  // 3 x 16,385
}

TEST(EbpfMapImageLimits, EndpointsAreLimited) {
  Program program;
  program.endpoints.resize(PINTO_MAX_ENDPOINTS + 1);
  SetIndexer sets;
  auto refused = build_map_image(program, sets);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("1025 endpoints"), std::string::npos);
}

TEST(RangeAllocator, TakesFirstFitAndMergesWhatIsGivenBack) {
  RangeAllocator space(100);
  EXPECT_EQ(space.take(0), 0u);
  const auto a = space.take(40);
  const auto b = space.take(40);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, 0u);
  EXPECT_EQ(*b, 40u);
  EXPECT_FALSE(space.take(30));  // 20 left
  space.give_back(*a, 40);
  EXPECT_EQ(space.free_total(), 60u);
  EXPECT_FALSE(space.take(50));  // 40 + 20, not adjacent
  space.give_back(*b, 40);       // now one range of 100
  EXPECT_EQ(space.take(100), 0u);
  EXPECT_EQ(space.free_total(), 0u);
}

}  // namespace
}  // namespace pinto::policy::ebpf
