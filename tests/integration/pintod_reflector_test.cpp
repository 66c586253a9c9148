// pintod as a route reflector (RFC 4456) between a BIRD 2 client and an FRR client, and pintod as
// a plain iBGP speaker that must not pass one iBGP peer's routes to another.
//
// The three share one L2 segment (a bridge in pintod's namespace): a reflector leaves next hops
// alone, so each client must reach the other's next hop directly, as Calico nodes behind a
// top-of-rack reflector do. Everything is read from the clients' own CLIs: the routes they hold
// and the ORIGINATOR_ID and CLUSTER_LIST those routes arrived with.
#include <optional>
#include <set>
#include <string>

#include "integration/bird_peer.h"
#include "integration/fixture.h"
#include "integration/frr_peer.h"
#include "integration/netns.h"
#include "integration/pintod_node.h"

namespace pinto::itest {
namespace {

using Prefixes = std::set<std::string>;

constexpr auto kSessionTimeout = 30s;
constexpr auto kRouteTimeout = 15s;
constexpr std::uint32_t kAs = 64512;

constexpr const char* kPintodAddress = "10.82.0.1";
constexpr const char* kBirdAddress = "10.82.0.2";
constexpr const char* kFrrAddress = "10.82.0.3";
// Router ids apart from the addresses, so an ORIGINATOR_ID copied from a next hop or a peer
// address would show.
constexpr const char* kBirdRouterId = "192.0.2.2";
constexpr const char* kFrrRouterId = "192.0.2.3";
constexpr const char* kClusterId = "1.2.3.4";

constexpr const char* kFromPintod = "10.82.100.0/26";
constexpr const char* kFromBird = "10.82.2.0/26";
constexpr const char* kFromFrr = "10.82.3.0/26";

// pintod's namespace holds a bridge; each client's veth has its pintod end enslaved to it.
class Segment {
 public:
  Segment() {
    run_or_throw(ns_pintod_.exec_argv({"ip", "link", "add", "br0", "type", "bridge"}));
    run_or_throw(ns_pintod_.exec_argv({"ip", "addr", "add", "10.82.0.1/24", "dev", "br0"}));
    ns_pintod_.set_link_state("br0", LinkState::Up);
    to_bird_.emplace(VethEnd{ns_pintod_, "to-bird", {}},
                     VethEnd{ns_bird_, "eth0", {"10.82.0.2/24"}});
    to_frr_.emplace(VethEnd{ns_pintod_, "to-frr", {}}, VethEnd{ns_frr_, "eth0", {"10.82.0.3/24"}});
    for (const char* port : {"to-bird", "to-frr"}) {
      run_or_throw(ns_pintod_.exec_argv({"ip", "link", "set", port, "master", "br0"}));
    }
  }

  const Netns& pintod() const { return ns_pintod_; }
  const Netns& bird() const { return ns_bird_; }
  const Netns& frr() const { return ns_frr_; }

 private:
  // Namespaces first, links after: links go first on destruction; the bridge goes with its
  // namespace.
  Netns ns_pintod_{"rr"};
  Netns ns_bird_{"bird"};
  Netns ns_frr_{"frr"};
  std::optional<VethPair> to_bird_;
  std::optional<VethPair> to_frr_;
};

PintodConfig pintod_config(std::optional<std::string> cluster_id) {
  PintodConfig pc;
  pc.as_number = kAs;
  pc.ipv4 = "10.82.0.1/24";
  pc.route_reflector_cluster_id = std::move(cluster_id);
  // Plain peer IPs, no Node resources for them: Calico treats such iBGP peers as clients.
  pc.peers = {PintodPeerSpec{.name = "bird", .address = kBirdAddress, .as_number = kAs},
              PintodPeerSpec{.name = "frr", .address = kFrrAddress, .as_number = kAs}};
  pc.originate = {kFromPintod};
  return pc;
}

PeerConfig client_config(const char* router_id, const char* originated) {
  return PeerConfig{.local_as = kAs,
                    .router_id = router_id,
                    .neighbors = {NeighborConfig{.address = kPintodAddress, .remote_as = kAs}},
                    .originated = {originated}};
}

class PintodReflector : public IntegrationTest {};

bool all_established(PintodNode& pintod, BirdPeer& bird, FrrPeer& frr) {
  return bird.established(kPintodAddress) && frr.established(kPintodAddress) &&
         pintod.established(kBirdAddress) && pintod.established(kFrrAddress);
}

std::string diagnostics(PintodNode& pintod, BirdPeer& bird, FrrPeer& frr) {
  return "\n" + pintod.diagnostics() + "\n" + bird.diagnostics() + "\n" + frr.diagnostics();
}

TEST_F(PintodReflector, ReflectsBetweenBirdAndFrrClientsWithOriginatorAndClusterList) {
  Segment segment;
  PintodNode pintod(segment.pintod(), pintod_config(kClusterId));
  BirdPeer bird(segment.bird(), client_config(kBirdRouterId, kFromBird));
  FrrPeer frr(segment.frr(), client_config(kFrrRouterId, kFromFrr));
  pintod.start();
  auto state = [&] { return diagnostics(pintod, bird, frr); };

  ASSERT_TRUE(wait_until([&] { return all_established(pintod, bird, frr); }, kSessionTimeout))
      << state();
  EXPECT_TRUE(pintod.log_contains("route reflector client")) << state();

  ASSERT_TRUE(wait_until(
      [&] {
        return pintod.learned_prefixes() == Prefixes{kFromBird, kFromFrr};
      },
      kRouteTimeout))
      << state();
  // Each client holds the other's route, and ours.
  ASSERT_TRUE(wait_until(
      [&] {
        return bird.received_prefixes() == Prefixes{kFromPintod, kFromFrr};
      },
      kRouteTimeout))
      << state();
  ASSERT_TRUE(wait_until(
      [&] {
        return frr.received_prefixes() == Prefixes{kFromPintod, kFromBird};
      },
      kRouteTimeout))
      << state();

  // RFC 4456 §8: ORIGINATOR_ID is the router id of the client the route came from, CLUSTER_LIST
  // holds our cluster ID.
  const ReflectionAttributes via_frr{kFrrRouterId, {kClusterId}};
  const ReflectionAttributes via_bird{kBirdRouterId, {kClusterId}};
  const auto at_bird = bird.reflection_attributes(kFromFrr);
  ASSERT_TRUE(at_bird) << state();
  EXPECT_EQ(*at_bird, via_frr) << state();
  const auto at_frr = frr.reflection_attributes(kFromBird);
  ASSERT_TRUE(at_frr) << state();
  EXPECT_EQ(*at_frr, via_bird) << state();

  // Our own route is not reflected: it carries neither attribute.
  const auto own = bird.reflection_attributes(kFromPintod);
  ASSERT_TRUE(own) << state();
  EXPECT_EQ(*own, ReflectionAttributes{}) << state();

  // A withdrawal is reflected too.
  frr.withdraw(kFromFrr);
  EXPECT_TRUE(
      wait_until([&] { return bird.received_prefixes() == Prefixes{kFromPintod}; }, kRouteTimeout))
      << state();
}

// ADD-PATH (RFC 7911), on by default in pintod: a client that offers it (BIRD, `add paths on`)
// gets every path of a prefix, not just the best. pintod originates kFromPintod and FRR announces
// it too; BIRD must hold both paths (next hops pintod and FRR) and lose FRR's when FRR withdraws.
// BIRD's own routes arrive at pintod with path identifiers and still reach FRR.
TEST_F(PintodReflector, AddPathClientsGetEveryPathOfAPrefix) {
  Segment segment;
  PintodNode pintod(segment.pintod(), pintod_config(kClusterId));
  PeerConfig bird_config = client_config(kBirdRouterId, kFromBird);
  bird_config.neighbors[0].add_paths = true;
  BirdPeer bird(segment.bird(), bird_config);
  FrrPeer frr(segment.frr(), client_config(kFrrRouterId, kFromFrr));
  pintod.start();
  auto state = [&] { return diagnostics(pintod, bird, frr); };
  ASSERT_TRUE(wait_until([&] { return all_established(pintod, bird, frr); }, kSessionTimeout))
      << state();

  frr.announce(kFromPintod);
  const std::vector<std::string> both{kPintodAddress, kFrrAddress};
  EXPECT_TRUE(wait_until([&] { return bird.next_hops_of(kFromPintod) == both; }, kRouteTimeout))
      << state();
  // BIRD's route came to pintod with a path identifier; FRR (no ADD-PATH) gets it plainly.
  EXPECT_TRUE(
      wait_until([&] { return frr.received_prefixes().contains(kFromBird); }, kRouteTimeout))
      << state();

  frr.withdraw(kFromPintod);
  const std::vector<std::string> ours{kPintodAddress};
  EXPECT_TRUE(wait_until([&] { return bird.next_hops_of(kFromPintod) == ours; }, kRouteTimeout))
      << state();
  EXPECT_EQ(bird.next_hops_of(kFromFrr), std::vector<std::string>{kFrrAddress}) << state();
}

// pintod holds iBGP sessions with BIRD and FRR, neither of them its client: neither may get the
// other's route from it (RFC 4271 §9.1.1; RFC 4456 §6 between non-clients).
void expect_no_transit_between(PintodConfig config) {
  Segment segment;
  PintodNode pintod(segment.pintod(), std::move(config));
  BirdPeer bird(segment.bird(), client_config(kBirdRouterId, kFromBird));
  FrrPeer frr(segment.frr(), client_config(kFrrRouterId, kFromFrr));
  pintod.start();
  auto state = [&] { return diagnostics(pintod, bird, frr); };

  ASSERT_TRUE(wait_until([&] { return all_established(pintod, bird, frr); }, kSessionTimeout))
      << state();
  EXPECT_FALSE(pintod.log_contains("route reflector client")) << state();
  ASSERT_TRUE(wait_until(
      [&] {
        return pintod.learned_prefixes() == Prefixes{kFromBird, kFromFrr};
      },
      kRouteTimeout))
      << state();

  // A barrier: pintod announces one more prefix of its own after it learned both clients'. Each
  // session is one ordered stream, so once a client holds the new prefix, anything pintod was
  // going to pass on from the other client would already be there.
  constexpr const char* kLater = "10.82.101.0/26";
  pintod.config().originate = {kFromPintod, kLater};
  pintod.reload();
  ASSERT_TRUE(wait_until([&] { return bird.received_prefixes().contains(kLater); }, kRouteTimeout))
      << state();
  ASSERT_TRUE(wait_until([&] { return frr.received_prefixes().contains(kLater); }, kRouteTimeout))
      << state();
  EXPECT_EQ(bird.received_prefixes(), (Prefixes{kFromPintod, kLater})) << state();
  EXPECT_EQ(frr.received_prefixes(), (Prefixes{kFromPintod, kLater})) << state();
}

TEST_F(PintodReflector, WithoutAClusterIdIbgpRoutesAreNotPassedBetweenIbgpPeers) {
  expect_no_transit_between(pintod_config(std::nullopt));
}

TEST_F(PintodReflector, FellowReflectorsOfItsClusterAreNonClientsAndGetNothingFromEachOther) {
  // Both peers are Nodes with our cluster ID (Calico's rule: same cluster, not a client).
  PintodConfig config = pintod_config(kClusterId);
  config.extra_resources = R"(apiVersion: projectcalico.org/v3
kind: Node
metadata: {name: rr-bird}
spec: {bgp: {ipv4Address: 10.82.0.2/24, routeReflectorClusterID: 1.2.3.4}}
---
apiVersion: projectcalico.org/v3
kind: Node
metadata: {name: rr-frr}
spec: {bgp: {ipv4Address: 10.82.0.3/24, routeReflectorClusterID: 1.2.3.4}})";
  expect_no_transit_between(std::move(config));
}

}  // namespace
}  // namespace pinto::itest
