// The decision process one step at a time: each test builds two paths equal up to the step it
// checks, so the step (and the reason it reports) decides, both ways round.
#include "rib/decision.h"

#include <gtest/gtest.h>

namespace pinto::rib {
namespace {

using bgp::wire::AsPath;
using bgp::wire::AsSegment;
using bgp::wire::AsSegmentType;
using bgp::wire::PathAttributes;

IpAddress address(const char* text) {
  return *IpAddress::parse(text);
}
std::uint32_t id(const char* text) {
  return address(text).v4_value();
}

std::shared_ptr<PathAttributes> base() {
  auto a = std::make_shared<PathAttributes>();
  a->origin = bgp::wire::Origin::Igp;
  a->as_path = AsPath{{AsSegment{AsSegmentType::Sequence, {65010}}}};
  a->local_pref = 100;
  return a;
}

// Two iBGP peers, the first with the lower router id and the lower address.
const PeerInfo kLow{1, false, 64512, id("10.0.0.2"), address("10.0.0.2")};
const PeerInfo kHigh{2, false, 64512, id("10.0.0.3"), address("10.0.0.3")};

// Checks that `winner` beats `loser` for `reason`, whichever is offered first.
void expect_wins(const Candidate& winner, const Candidate& loser, Reason reason) {
  const Comparison forward = compare(winner, loser);
  EXPECT_TRUE(forward.first_wins) << to_string(forward.reason);
  EXPECT_EQ(forward.reason, reason) << to_string(forward.reason);
  const Comparison backward = compare(loser, winner);
  EXPECT_FALSE(backward.first_wins) << to_string(backward.reason);
  EXPECT_EQ(backward.reason, reason) << to_string(backward.reason);
}

TEST(DecisionStep, OriginatorIdStandsInForTheRouterIdOfAReflectedRoute) {
  // RFC 4456 §9: from the higher-id peer, but originated by a lower id than the other's.
  auto reflected = base();
  reflected->originator_id = id("10.0.0.1");
  const Path a = path_via(2, reflected, address("10.0.0.3"));
  const Path b = path_via(1, base(), address("10.0.0.2"));
  expect_wins({&a, &kHigh}, {&b, &kLow}, Reason::RouterId);

  // Without ORIGINATOR_ID the peer's own router id decides.
  const Path c = path_via(2, base(), address("10.0.0.3"));
  expect_wins({&b, &kLow}, {&c, &kHigh}, Reason::RouterId);
}

TEST(DecisionStep, ShorterClusterListWinsWhenTheOriginatorIsTheSame) {
  // The same route reflected to us along two paths: the originator ties, the shorter trip wins.
  auto one_hop = base();
  one_hop->originator_id = id("10.0.0.9");
  one_hop->cluster_list = {id("1.1.1.1")};
  auto two_hops = base();
  two_hops->originator_id = id("10.0.0.9");
  two_hops->cluster_list = {id("2.2.2.2"), id("1.1.1.1")};
  const Path shorter = path_via(2, one_hop, address("10.0.0.9"));
  const Path longer = path_via(1, two_hops, address("10.0.0.9"));
  expect_wins({&shorter, &kHigh}, {&longer, &kLow}, Reason::ClusterListLength);

  // A missing CLUSTER_LIST counts as length zero.
  auto plain = base();
  plain->originator_id = id("10.0.0.9");
  const Path none = path_via(2, plain, address("10.0.0.9"));
  expect_wins({&none, &kHigh}, {&longer, &kLow}, Reason::ClusterListLength);
}

TEST(DecisionStep, LowerPeerAddressBreaksTheLastTie) {
  // Same originator, same cluster list length: only the peer address is left.
  auto a_attrs = base();
  a_attrs->originator_id = id("10.0.0.9");
  auto b_attrs = base();
  b_attrs->originator_id = id("10.0.0.9");
  const Path a = path_via(1, a_attrs, address("10.0.0.9"));
  const Path b = path_via(2, b_attrs, address("10.0.0.9"));
  expect_wins({&a, &kLow}, {&b, &kHigh}, Reason::PeerAddress);
}

TEST(DecisionStep, IdenticalCandidatesAreEqual) {
  const Path a = path_via(1, base(), address("10.0.0.2"));
  EXPECT_EQ(compare({&a, &kLow}, {&a, &kLow}).reason, Reason::Equal);
}

TEST(DecisionStep, LocallyOriginatedBeatsEverythingLearned) {
  auto better = base();
  better->local_pref = 500;
  const PeerInfo self{};
  const Path local = path_via(kLocalPeer, base(), IpAddress{});
  const Path learned = path_via(1, better, address("10.0.0.2"));
  expect_wins({&local, &self}, {&learned, &kLow}, Reason::LocallyOriginated);
}

TEST(DecisionStep, FreshBeatsStaleBeforeRouterIds) {
  Path stale = path_via(1, base(), address("10.0.0.2"));
  stale.stale = true;
  const Path fresh = path_via(2, base(), address("10.0.0.3"));
  expect_wins({&fresh, &kHigh}, {&stale, &kLow}, Reason::NotStale);
}

TEST(DecisionStep, MedIsComparedOnlyWithinTheSameNeighbourAs) {
  auto low_med = base();
  low_med->med = 5;
  auto high_med = base();
  high_med->med = 50;
  const Path a = path_via(2, low_med, address("10.0.0.3"));
  const Path b = path_via(1, high_med, address("10.0.0.2"));
  expect_wins({&a, &kHigh}, {&b, &kLow}, Reason::Med);

  // From another neighbouring AS the MED is ignored; the router id decides instead.
  auto other_as = base();
  other_as->med = 50;
  other_as->as_path = AsPath{{AsSegment{AsSegmentType::Sequence, {65020}}}};
  const Path c = path_via(1, other_as, address("10.0.0.2"));
  expect_wins({&c, &kLow}, {&a, &kHigh}, Reason::RouterId);
}

TEST(DecisionStep, ClusterListLengthComesAfterTheRouterId) {
  // RFC 4456 §9 puts CLUSTER_LIST length after the (originator) id: a lower originator wins even
  // with the longer list.
  auto lower_id_longer_list = base();
  lower_id_longer_list->originator_id = id("10.0.0.1");
  lower_id_longer_list->cluster_list = {id("2.2.2.2"), id("1.1.1.1")};
  auto higher_id_shorter_list = base();
  higher_id_shorter_list->originator_id = id("10.0.0.8");
  const Path a = path_via(2, lower_id_longer_list, address("10.0.0.1"));
  const Path b = path_via(1, higher_id_shorter_list, address("10.0.0.8"));
  expect_wins({&a, &kHigh}, {&b, &kLow}, Reason::RouterId);
}

}  // namespace
}  // namespace pinto::rib
