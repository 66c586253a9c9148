#include "rib/attr_pool.h"

#include <gtest/gtest.h>

#include <functional>
#include <vector>

namespace pinto::rib {
namespace {

using namespace bgp::wire;

PathAttributes typical() {
  PathAttributes a;
  a.origin = Origin::Igp;
  a.as_path = AsPath{{AsSegment{AsSegmentType::Sequence, {64512, 65001}}}};
  a.next_hop = *IpAddress::parse("10.0.0.1");
  a.local_pref = 100;
  a.communities = {(65001u << 16) | 100u};
  return a;
}

TEST(AttrPool, EqualAttributesShareOnePointer) {
  AttrPool pool;
  AttrRef a = pool.intern(typical());
  AttrRef b = pool.intern(typical());
  EXPECT_EQ(a.get(), b.get());
  EXPECT_EQ(*a, typical());
  EXPECT_EQ(pool.size(), 1u);
}

TEST(AttrPool, DifferentAttributesGetDifferentPointers) {
  AttrPool pool;
  PathAttributes other = typical();
  other.local_pref = 200;
  AttrRef a = pool.intern(typical());
  AttrRef b = pool.intern(other);
  EXPECT_NE(a.get(), b.get());
  EXPECT_EQ(b->local_pref, 200u);
  EXPECT_EQ(pool.size(), 2u);
}

TEST(AttrPool, SetsLeaveThePoolWithTheirLastRef) {
  AttrPool pool;
  AttrRef a = pool.intern(typical());
  AttrRef a2 = a;
  PathAttributes other = typical();
  other.med = 5;
  AttrRef b = pool.intern(other);
  EXPECT_EQ(pool.size(), 2u);
  b.reset();
  EXPECT_EQ(pool.size(), 1u);
  a.reset();
  EXPECT_EQ(pool.size(), 1u);  // a2 still holds it
  a2.reset();
  EXPECT_EQ(pool.size(), 0u);
  // Interned again afresh.
  AttrRef c = pool.intern(typical());
  EXPECT_EQ(pool.size(), 1u);
}

TEST(AttrPool, RefsMayOutliveThePool) {
  AttrRef survivor;
  {
    AttrPool pool;
    survivor = pool.intern(typical());
    AttrRef other = pool.intern(PathAttributes{});
    EXPECT_EQ(pool.size(), 2u);
  }
  EXPECT_EQ(*survivor, typical());
  survivor.reset();  // frees itself; nothing to leave (ASan would see a use after free)
}

TEST(AttrPool, InternOfARefReturnsThePooledEqualOne) {
  AttrPool pool;
  AttrRef pooled = pool.intern(typical());
  // A ref made elsewhere (the speaker's make_shared) is replaced by the pooled one.
  auto outside = std::make_shared<const PathAttributes>(typical());
  EXPECT_EQ(pool.intern(outside).get(), pooled.get());
  // One of the pool's own comes back as it is.
  EXPECT_EQ(pool.intern(pooled).get(), pooled.get());
  // An outside set the pool does not hold yet is copied in, not adopted.
  PathAttributes other = typical();
  other.med = 1;
  auto outside_other = std::make_shared<const PathAttributes>(other);
  AttrRef in = pool.intern(outside_other);
  EXPECT_NE(in.get(), outside_other.get());
  EXPECT_EQ(*in, other);
  EXPECT_EQ(pool.size(), 2u);
  outside_other.reset();
  EXPECT_EQ(pool.size(), 2u);
  EXPECT_EQ(pool.intern(AttrRef{}), nullptr);
  // A ref of another pool is interned here like any outside one.
  AttrPool second;
  AttrRef theirs = second.intern(typical());
  EXPECT_EQ(pool.intern(theirs).get(), pooled.get());
}

TEST(AttrPool, MovedPoolKeepsItsSets) {
  AttrPool pool;
  AttrRef a = pool.intern(typical());
  AttrPool moved(std::move(pool));
  EXPECT_EQ(moved.intern(typical()).get(), a.get());
  EXPECT_EQ(moved.size(), 1u);
  EXPECT_EQ(pool.size(), 0u);  // NOLINT(bugprone-use-after-move): documented as empty, usable
  EXPECT_NE(pool.intern(typical()).get(), a.get());
  a.reset();
  EXPECT_EQ(moved.size(), 0u);
}

TEST(AttrPool, MillionInternsOfOneSetCostOneEntry) {
  AttrPool pool;
  std::vector<AttrRef> routes;
  routes.reserve(1'000'000);
  const PathAttributes attributes = typical();
  for (int i = 0; i < 1'000'000; ++i) routes.push_back(pool.intern(attributes));
  EXPECT_EQ(pool.size(), 1u);
  EXPECT_EQ(routes.front().get(), routes.back().get());
  EXPECT_EQ(routes.front().use_count(), 1'000'000);
  routes.clear();
  EXPECT_EQ(pool.size(), 0u);
}

TEST(AttrPoolHash, EqualSetsHashEqual) {
  PathAttributes a = typical();
  PathAttributes b = typical();
  EXPECT_EQ(hash_value(a), hash_value(b));
  EXPECT_EQ(hash_value(PathAttributes{}), hash_value(PathAttributes{}));
}

// Every field takes part: changing any one of them changes the hash (for these values; a
// collision would be a bad hash, not a wrong one, but it would also mean a field is skipped).
TEST(AttrPoolHash, EveryFieldChangesTheHash) {
  const IpAddress v6 = *IpAddress::parse("2001:db8::1");
  const IpPrefix p6 = *IpPrefix::parse("2001:db8:1::/48");
  std::vector<std::function<void(PathAttributes&)>> changes = {
      [](PathAttributes& a) { a.origin = Origin::Egp; },
      [](PathAttributes& a) { a.origin.reset(); },
      [](PathAttributes& a) { a.as_path->segments[0].asns.push_back(1); },
      [](PathAttributes& a) { a.as_path->segments[0].type = AsSegmentType::Set; },
      [](PathAttributes& a) { a.as_path->segments.push_back({}); },
      [](PathAttributes& a) { a.as_path = AsPath{}; },
      [](PathAttributes& a) { a.next_hop = *IpAddress::parse("10.0.0.2"); },
      [](PathAttributes& a) { a.next_hop.reset(); },
      [](PathAttributes& a) { a.med = 0; },
      [](PathAttributes& a) { a.local_pref = 101; },
      [](PathAttributes& a) { a.atomic_aggregate = true; },
      [](PathAttributes& a) { a.aggregator = Aggregator{}; },
      [](PathAttributes& a) {
        a.aggregator = Aggregator{65001, *IpAddress::parse("1.2.3.4")};
      },
      [](PathAttributes& a) { a.communities.push_back(0); },
      [](PathAttributes& a) { a.communities[0] ^= 1; },
      [](PathAttributes& a) { a.originator_id = 0; },
      [](PathAttributes& a) { a.cluster_list = {0}; },
      [](PathAttributes& a) {
        a.cluster_list = {1, 2};
      },
      [&](PathAttributes& a) {
        a.mp_reach = MpReach{AfiSafi::ipv6_unicast(), v6, {}, {}};
      },
      [&](PathAttributes& a) {
        a.mp_reach = MpReach{AfiSafi::ipv6_unicast(), v6, v6, {}};
      },
      [&](PathAttributes& a) {
        a.mp_reach = MpReach{AfiSafi::ipv6_unicast(), v6, {}, {Nlri{p6, 0}}};
      },
      [&](PathAttributes& a) {
        a.mp_reach = MpReach{AfiSafi::ipv6_unicast(), v6, {}, {Nlri{p6, 7}}};
      },
      [](PathAttributes& a) {
        a.mp_unreach = MpUnreach{AfiSafi::ipv6_unicast(), {}};
      },
      [&](PathAttributes& a) {
        a.mp_unreach = MpUnreach{AfiSafi::ipv4_unicast(), {Nlri{p6, 0}}};
      },
      [](PathAttributes& a) { a.extended_communities = {0x0002fde800000064ull}; },
      [](PathAttributes& a) { a.as4_path = AsPath{}; },
      [](PathAttributes& a) {
        a.as4_path = AsPath{{AsSegment{AsSegmentType::Sequence, {1}}}};
      },
      [](PathAttributes& a) { a.as4_aggregator = Aggregator{}; },
      [](PathAttributes& a) { a.large_communities = {LargeCommunity{}}; },
      [](PathAttributes& a) {
        a.large_communities = {LargeCommunity{1, 2, 3}};
      },
      [](PathAttributes& a) {
        a.large_communities = {LargeCommunity{1, 3, 2}};
      },
      [](PathAttributes& a) {
        a.unknown = {RawAttribute{0xc0, 99, {}}};
      },
      [](PathAttributes& a) {
        a.unknown = {RawAttribute{0xc0, 99, {1, 2}}};
      },
      [](PathAttributes& a) {
        a.unknown = {RawAttribute{0xe0, 99, {1, 2}}};
      },
  };
  const std::size_t base = hash_value(typical());
  for (std::size_t i = 0; i < changes.size(); ++i) {
    PathAttributes a = typical();
    changes[i](a);
    ASSERT_NE(a, typical()) << "change " << i;
    EXPECT_NE(hash_value(a), base) << "change " << i;
  }
}

}  // namespace
}  // namespace pinto::rib
