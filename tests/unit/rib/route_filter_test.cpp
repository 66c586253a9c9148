// Route filter semantics (Calico BGPFilter): each condition, each operator, operations, rule
// order, fallthrough between filters and the default accept.
#include "rib/route_filter.h"

#include <gtest/gtest.h>

namespace pinto::rib {
namespace {

using bgp::wire::AsPath;
using bgp::wire::AsSegment;
using bgp::wire::AsSegmentType;
using bgp::wire::LargeCommunity;
using bgp::wire::PathAttributes;

IpPrefix prefix(const char* text) {
  return *IpPrefix::parse(text);
}

FilterRule cidr_rule(const char* cidr, PrefixMatch match,
                     FilterAction action = FilterAction::Reject) {
  FilterRule r;
  r.cidr = prefix(cidr);
  r.match = match;
  r.action = action;
  return r;
}

FilterRule reject_all() {
  FilterRule r;
  r.action = FilterAction::Reject;
  return r;
}

FilterCommunity standard(std::uint16_t as, std::uint16_t value) {
  return FilterCommunity{false, static_cast<std::uint32_t>(as) << 16 | value, {}};
}

PathAttributes with_path(std::vector<std::uint32_t> asns) {
  PathAttributes a;
  a.as_path = AsPath{{AsSegment{AsSegmentType::Sequence, std::move(asns)}}};
  return a;
}

bool matches_route(const FilterRule& rule, const char* p, const PathAttributes& a = {},
                   bool from_peer = true, bool ebgp = true) {
  const IpPrefix pf = prefix(p);
  return matches(rule, FilterInput{pf, a, from_peer, ebgp});
}

TEST(FilterPrefixMatch, EqualMatchesOnlyTheCidrItself) {
  const auto r = cidr_rule("10.0.0.0/16", PrefixMatch::Equal);
  EXPECT_TRUE(matches_prefix(r, prefix("10.0.0.0/16")));
  EXPECT_FALSE(matches_prefix(r, prefix("10.0.1.0/24")));
  EXPECT_FALSE(matches_prefix(r, prefix("10.0.0.0/8")));
}

TEST(FilterPrefixMatch, NotEqualMatchesEverythingButTheCidr) {
  const auto r = cidr_rule("10.0.0.0/16", PrefixMatch::NotEqual);
  EXPECT_FALSE(matches_prefix(r, prefix("10.0.0.0/16")));
  EXPECT_TRUE(matches_prefix(r, prefix("10.0.1.0/24")));
  EXPECT_TRUE(matches_prefix(r, prefix("192.168.0.0/16")));
}

TEST(FilterPrefixMatch, InMatchesTheCidrAndEverythingInsideIt) {
  const auto r = cidr_rule("10.0.0.0/16", PrefixMatch::In);
  EXPECT_TRUE(matches_prefix(r, prefix("10.0.0.0/16")));
  EXPECT_TRUE(matches_prefix(r, prefix("10.0.200.0/26")));
  EXPECT_FALSE(matches_prefix(r, prefix("10.0.0.0/15")));
  EXPECT_FALSE(matches_prefix(r, prefix("10.1.0.0/24")));
}

TEST(FilterPrefixMatch, NotInMatchesWhatLiesOutside) {
  const auto r = cidr_rule("10.0.0.0/16", PrefixMatch::NotIn);
  EXPECT_FALSE(matches_prefix(r, prefix("10.0.3.0/24")));
  EXPECT_TRUE(matches_prefix(r, prefix("10.1.0.0/24")));
  EXPECT_TRUE(matches_prefix(r, prefix("10.0.0.0/8")));
}

TEST(FilterPrefixMatch, PrefixLengthBoundsTheSetOnBothEnds) {
  auto r = cidr_rule("10.0.0.0/16", PrefixMatch::In);
  r.prefix_length_min = 24;
  r.prefix_length_max = 26;
  EXPECT_FALSE(matches_prefix(r, prefix("10.0.0.0/16")));
  EXPECT_FALSE(matches_prefix(r, prefix("10.0.0.0/23")));
  EXPECT_TRUE(matches_prefix(r, prefix("10.0.0.0/24")));
  EXPECT_TRUE(matches_prefix(r, prefix("10.0.0.64/26")));
  EXPECT_FALSE(matches_prefix(r, prefix("10.0.0.128/27")));
}

TEST(FilterPrefixMatch, PrefixLengthMinAloneRunsToTheFamilyMaximum) {
  auto r = cidr_rule("55.0.0.0/16", PrefixMatch::In);
  r.prefix_length_min = 30;
  EXPECT_TRUE(matches_prefix(r, prefix("55.0.0.4/30")));
  EXPECT_TRUE(matches_prefix(r, prefix("55.0.0.1/32")));
  EXPECT_FALSE(matches_prefix(r, prefix("55.0.0.0/29")));
}

TEST(FilterPrefixMatch, NotInWithPrefixLengthMatchesWhatIsOutsideTheBoundedSet) {
  auto r = cidr_rule("10.0.0.0/16", PrefixMatch::NotIn);
  r.prefix_length_max = 24;
  EXPECT_FALSE(matches_prefix(r, prefix("10.0.1.0/24")));
  EXPECT_TRUE(matches_prefix(r, prefix("10.0.1.0/26")));  // inside the CIDR, too long
  EXPECT_TRUE(matches_prefix(r, prefix("11.0.0.0/24")));
}

TEST(FilterPrefixMatch, Ipv6) {
  const auto r = cidr_rule("fd00:10::/48", PrefixMatch::In);
  EXPECT_TRUE(matches_prefix(r, prefix("fd00:10:0:1::/64")));
  EXPECT_FALSE(matches_prefix(r, prefix("fd00:11::/64")));
}

TEST(FilterPrefixMatch, ARuleWithoutCidrMatchesEveryPrefix) {
  FilterRule r;
  EXPECT_TRUE(matches_prefix(r, prefix("0.0.0.0/0")));
  EXPECT_TRUE(matches_prefix(r, prefix("2001:db8::/32")));
}

TEST(FilterMatch, SourceRemotePeersLeavesOutOurOwnRoutes) {
  FilterRule r;
  r.source_remote_peers = true;
  EXPECT_TRUE(matches_route(r, "10.0.0.0/24", {}, /*from_peer=*/true));
  EXPECT_FALSE(matches_route(r, "10.0.0.0/24", {}, /*from_peer=*/false));
}

TEST(FilterMatch, PeerTypeIsTheSessionsType) {
  FilterRule ebgp;
  ebgp.peer_type = FilterPeerType::EBgp;
  FilterRule ibgp;
  ibgp.peer_type = FilterPeerType::IBgp;
  EXPECT_TRUE(matches_route(ebgp, "10.0.0.0/24", {}, true, /*ebgp=*/true));
  EXPECT_FALSE(matches_route(ebgp, "10.0.0.0/24", {}, true, /*ebgp=*/false));
  EXPECT_TRUE(matches_route(ibgp, "10.0.0.0/24", {}, true, /*ebgp=*/false));
  EXPECT_FALSE(matches_route(ibgp, "10.0.0.0/24", {}, true, /*ebgp=*/true));
}

TEST(FilterMatch, CommunityMustBeCarried) {
  FilterRule r;
  r.community = standard(65000, 100);
  PathAttributes a;
  EXPECT_FALSE(matches_route(r, "10.0.0.0/24", a));
  a.communities = {standard(65000, 99).standard, standard(65000, 100).standard};
  EXPECT_TRUE(matches_route(r, "10.0.0.0/24", a));
}

TEST(FilterMatch, LargeCommunityMustBeCarried) {
  FilterRule r;
  r.community = FilterCommunity{true, 0, LargeCommunity{4200000000, 1, 2}};
  PathAttributes a;
  a.communities = {1};
  EXPECT_FALSE(matches_route(r, "10.0.0.0/24", a));
  a.large_communities = {LargeCommunity{4200000000, 1, 2}};
  EXPECT_TRUE(matches_route(r, "10.0.0.0/24", a));
}

TEST(FilterMatch, AsPathPrefixComparesTheLeadingAsns) {
  FilterRule r;
  r.as_path_prefix = {65001, 65002};
  EXPECT_TRUE(matches_route(r, "10.0.0.0/24", with_path({65001, 65002})));
  EXPECT_TRUE(matches_route(r, "10.0.0.0/24", with_path({65001, 65002, 65003})));
  EXPECT_FALSE(matches_route(r, "10.0.0.0/24", with_path({65002, 65001})));
  EXPECT_FALSE(matches_route(r, "10.0.0.0/24", with_path({65001})));
  EXPECT_FALSE(matches_route(r, "10.0.0.0/24", PathAttributes{}));
}

TEST(FilterMatch, AsPathPrefixSpansSequenceSegmentsButStopsAtASet) {
  FilterRule r;
  r.as_path_prefix = {65001, 65002};
  PathAttributes two_sequences;
  two_sequences.as_path = AsPath{
      {AsSegment{AsSegmentType::Sequence, {65001}}, AsSegment{AsSegmentType::Sequence, {65002}}}};
  EXPECT_TRUE(matches_route(r, "10.0.0.0/24", two_sequences));
  PathAttributes with_set;
  with_set.as_path =
      AsPath{{AsSegment{AsSegmentType::Sequence, {65001}}, AsSegment{AsSegmentType::Set, {65002}}}};
  EXPECT_FALSE(matches_route(r, "10.0.0.0/24", with_set));
}

TEST(FilterMatch, EveryConditionMustHold) {
  auto r = cidr_rule("10.0.0.0/8", PrefixMatch::In);
  r.peer_type = FilterPeerType::IBgp;
  r.community = standard(1, 1);
  PathAttributes a;
  a.communities = {standard(1, 1).standard};
  EXPECT_TRUE(matches_route(r, "10.1.0.0/24", a, true, false));
  EXPECT_FALSE(matches_route(r, "11.1.0.0/24", a, true, false));   // prefix
  EXPECT_FALSE(matches_route(r, "10.1.0.0/24", a, true, true));    // peer type
  EXPECT_FALSE(matches_route(r, "10.1.0.0/24", {}, true, false));  // community
}

RouteFilter filter(std::string name, std::vector<FilterRule> v4) {
  return RouteFilter{std::move(name), std::move(v4), {}};
}

FilterVerdict run(const FilterChain& chain, const char* p, const PathAttributes& a = {}) {
  const IpPrefix pf = prefix(p);
  return evaluate(chain, FilterInput{pf, a, true, true});
}

TEST(FilterChainEvaluation, NoFiltersAcceptsWithoutARule) {
  const auto v = run({}, "10.0.0.0/24");
  EXPECT_TRUE(v.accept);
  EXPECT_EQ(v.rule, nullptr);
}

TEST(FilterChainEvaluation, FirstMatchingRuleWins) {
  const FilterChain chain{
      filter("f", {cidr_rule("10.0.0.0/24", PrefixMatch::Equal, FilterAction::Accept),
                   cidr_rule("10.0.0.0/8", PrefixMatch::In, FilterAction::Reject)})};
  EXPECT_TRUE(run(chain, "10.0.0.0/24").accept);
  EXPECT_EQ(run(chain, "10.0.0.0/24").rule, &chain[0].v4[0]);
  EXPECT_FALSE(run(chain, "10.0.1.0/24").accept);
  EXPECT_EQ(run(chain, "10.0.1.0/24").rule, &chain[0].v4[1]);
}

TEST(FilterChainEvaluation, NoMatchInAFilterFallsThroughToTheNext) {
  const FilterChain chain{filter("first", {cidr_rule("10.0.0.0/8", PrefixMatch::In)}),
                          filter("second", {cidr_rule("192.168.0.0/16", PrefixMatch::In)})};
  EXPECT_FALSE(run(chain, "10.1.0.0/24").accept);
  EXPECT_EQ(run(chain, "192.168.1.0/24").rule, &chain[1].v4[0]);
  EXPECT_FALSE(run(chain, "192.168.1.0/24").accept);
}

TEST(FilterChainEvaluation, AcceptInAnEarlierFilterEndsTheChain) {
  const FilterChain chain{
      filter("allow", {cidr_rule("10.0.0.0/24", PrefixMatch::Equal, FilterAction::Accept)}),
      filter("deny-all", {reject_all()})};
  EXPECT_TRUE(run(chain, "10.0.0.0/24").accept);
  EXPECT_FALSE(run(chain, "10.0.1.0/24").accept);
}

TEST(FilterChainEvaluation, NoMatchAnywhereIsAccepted) {
  const FilterChain chain{filter("f", {cidr_rule("10.0.0.0/8", PrefixMatch::In)})};
  const auto v = run(chain, "172.16.0.0/24");
  EXPECT_TRUE(v.accept);
  EXPECT_EQ(v.rule, nullptr);
}

TEST(FilterChainEvaluation, RulesOfTheOtherFamilyAreNotLookedAt) {
  FilterChain chain{RouteFilter{"f", {reject_all()}, {}}};
  EXPECT_FALSE(run(chain, "10.0.0.0/24").accept);
  EXPECT_TRUE(run(chain, "2001:db8::/64").accept);
  chain[0].v6.push_back(reject_all());
  EXPECT_FALSE(run(chain, "2001:db8::/64").accept);
}

TEST(FilterOperations, AddCommunityAddsOnce) {
  FilterRule r;
  r.operations = {FilterOperation{standard(65000, 7), {}},
                  FilterOperation{FilterCommunity{true, 0, LargeCommunity{1, 2, 3}}, {}},
                  FilterOperation{standard(65000, 7), {}}};
  PathAttributes a;
  a.communities = {standard(1, 1).standard};
  apply_operations(r, a);
  EXPECT_EQ(a.communities,
            (std::vector<std::uint32_t>{standard(1, 1).standard, standard(65000, 7).standard}));
  EXPECT_EQ(a.large_communities, (std::vector<LargeCommunity>{{1, 2, 3}}));
}

TEST(FilterOperations, PrependAsPathPutsTheListInFrontInOrder) {
  FilterRule r;
  r.operations = {FilterOperation{std::nullopt, {65010, 65011}}};
  PathAttributes a = with_path({65001});
  apply_operations(r, a);
  EXPECT_EQ(a.as_path, (AsPath{{AsSegment{AsSegmentType::Sequence, {65010, 65011, 65001}}}}));
  PathAttributes empty;
  apply_operations(r, empty);
  EXPECT_EQ(empty.as_path, (AsPath{{AsSegment{AsSegmentType::Sequence, {65010, 65011}}}}));
}

TEST(FilterOperations, PrependBeforeASetStartsANewSequence) {
  FilterRule r;
  r.operations = {FilterOperation{std::nullopt, {65010}}};
  PathAttributes a;
  a.as_path = AsPath{{AsSegment{AsSegmentType::Set, {1, 2}}}};
  apply_operations(r, a);
  EXPECT_EQ(a.as_path, (AsPath{{AsSegment{AsSegmentType::Sequence, {65010}},
                                AsSegment{AsSegmentType::Set, {1, 2}}}}));
}

TEST(FilterOperations, ApplyInTheOrderListed) {
  FilterRule r;
  r.operations = {FilterOperation{std::nullopt, {2}}, FilterOperation{std::nullopt, {1}}};
  PathAttributes a = with_path({3});
  apply_operations(r, a);
  EXPECT_EQ(a.as_path, (AsPath{{AsSegment{AsSegmentType::Sequence, {1, 2, 3}}}}));
}

}  // namespace
}  // namespace pinto::rib
