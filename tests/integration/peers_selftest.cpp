// Self-test of the integration harness, with no pintod: the reference peers talk to each other.
// If these pass, a failing pintod test is about pintod, not about namespaces, configs or CLIs.
//
// Each test builds its own namespaces and links and owns its daemons; declaration order
// (namespaces, link, peers) makes the destructors stop daemons first, then remove the link and
// the namespaces, also when an ASSERT fails half-way.
#include <chrono>
#include <csignal>
#include <set>
#include <string>

#include "integration/bird_peer.h"
#include "integration/fixture.h"
#include "integration/frr_peer.h"
#include "integration/gobgp_peer.h"
#include "integration/netns.h"
#include "integration/process.h"

namespace pinto::itest {
namespace {

using Prefixes = std::set<std::string>;

// Generous bounds for a loaded 2-core machine; the sessions normally come up in 1-3 s.
constexpr auto kSessionTimeout = 20s;
constexpr auto kRouteTimeout = 10s;

bool both_established(Peer& a, std::string_view a_neighbor, Peer& b, std::string_view b_neighbor) {
  return a.established(a_neighbor) && b.established(b_neighbor);
}

std::string state_of(Peer& a, Peer& b) {
  return "\n" + a.diagnostics() + b.diagnostics();
}

// BIRD (AS 65001, 10.71.0.1) <-> GoBGP (AS 65002, 10.71.0.2): eBGP over IPv4 carrying IPv4 and
// IPv6 routes, as Calico's node-to-node mesh does.
class BirdGobgpTest : public IntegrationTest {
 protected:
  static PeerConfig bird_config() {
    NeighborConfig gobgp{.address = "10.71.0.2", .remote_as = 65002, .ipv4 = true, .ipv6 = true};
    return PeerConfig{.local_as = 65001,
                      .router_id = "10.71.0.1",
                      .neighbors = {gobgp},
                      .originated = {"10.71.1.0/24", "fd00:71:1::/64"}};
  }
  static PeerConfig gobgp_config() {
    NeighborConfig bird{.address = "10.71.0.1", .remote_as = 65001, .ipv4 = true, .ipv6 = true};
    return PeerConfig{.local_as = 65002,
                      .router_id = "10.71.0.2",
                      .neighbors = {bird},
                      .originated = {"10.71.2.0/24", "fd00:71:2::/64"},
                      .ipv6_next_hop = "fd00:71::2"};
  }
};

TEST_F(BirdGobgpTest, EbgpOverIpv4ExchangesIpv4AndIpv6PrefixesAndWithdrawals) {
  Netns ns_bird("bird");
  Netns ns_gobgp("gobgp");
  VethPair link({ns_bird, "eth0", {"10.71.0.1/30", "fd00:71::1/64"}},
                {ns_gobgp, "eth0", {"10.71.0.2/30", "fd00:71::2/64"}});
  BirdPeer bird(ns_bird, bird_config());
  GobgpPeer gobgp(ns_gobgp, gobgp_config());

  ASSERT_TRUE(wait_until([&] { return both_established(bird, "10.71.0.2", gobgp, "10.71.0.1"); },
                         kSessionTimeout))
      << state_of(bird, gobgp);

  const Prefixes from_gobgp{"10.71.2.0/24", "fd00:71:2::/64"};
  const Prefixes from_bird{"10.71.1.0/24", "fd00:71:1::/64"};
  ASSERT_TRUE(wait_until([&] { return bird.received_prefixes() == from_gobgp; }, kRouteTimeout))
      << state_of(bird, gobgp);
  ASSERT_TRUE(wait_until([&] { return gobgp.received_prefixes() == from_bird; }, kRouteTimeout))
      << state_of(bird, gobgp);

  // Runtime changes on both sides: BIRD through `birdc configure`, GoBGP through its API.
  bird.announce("10.71.3.0/24");
  bird.withdraw("10.71.1.0/24");
  gobgp.withdraw("fd00:71:2::/64");
  const Prefixes gobgp_sees{"10.71.3.0/24", "fd00:71:1::/64"};
  const Prefixes bird_sees{"10.71.2.0/24"};
  EXPECT_TRUE(wait_until([&] { return gobgp.received_prefixes() == gobgp_sees; }, kRouteTimeout))
      << state_of(bird, gobgp);
  EXPECT_TRUE(wait_until([&] { return bird.received_prefixes() == bird_sees; }, kRouteTimeout))
      << state_of(bird, gobgp);
  // The reconfiguration must not have bounced the session.
  EXPECT_TRUE(bird.established("10.71.0.2")) << state_of(bird, gobgp);
}

TEST_F(BirdGobgpTest, LinkDownDropsTheSessionAndLinkUpRestoresIt) {
  Netns ns_bird("bird");
  Netns ns_gobgp("gobgp");
  VethPair link({ns_bird, "eth0", {"10.71.0.1/30", "fd00:71::1/64"}},
                {ns_gobgp, "eth0", {"10.71.0.2/30", "fd00:71::2/64"}});
  // Short hold time: with the link down nothing reaches GoBGP, so only its hold timer can
  // notice, and it must before BIRD's new connection can replace the old session.
  PeerConfig b = bird_config();
  PeerConfig g = gobgp_config();
  b.neighbors[0].hold_time = 3s;
  g.neighbors[0].hold_time = 3s;
  BirdPeer bird(ns_bird, b);
  GobgpPeer gobgp(ns_gobgp, g);
  ASSERT_TRUE(wait_until([&] { return both_established(bird, "10.71.0.2", gobgp, "10.71.0.1"); },
                         kSessionTimeout))
      << state_of(bird, gobgp);

  ns_bird.set_link_state("eth0", LinkState::Down);
  EXPECT_TRUE(wait_until(
      [&] { return !bird.established("10.71.0.2") && !gobgp.established("10.71.0.1"); }, 10s))
      << state_of(bird, gobgp);

  ns_bird.set_link_state("eth0", LinkState::Up);
  EXPECT_TRUE(wait_until([&] { return both_established(bird, "10.71.0.2", gobgp, "10.71.0.1"); },
                         kSessionTimeout))
      << state_of(bird, gobgp);
  // keep_addr_on_down kept the IPv6 address, so IPv6 routes flow again too.
  EXPECT_TRUE(wait_until(
      [&] {
        return bird.received_prefixes() == Prefixes{"10.71.2.0/24", "fd00:71:2::/64"};
      },
      kRouteTimeout))
      << state_of(bird, gobgp);
}

TEST_F(BirdGobgpTest, GracefulRestartKeepsRoutesWhileTheKilledPeerComesBack) {
  Netns ns_bird("bird");
  Netns ns_gobgp("gobgp");
  VethPair link({ns_bird, "eth0", {"10.71.0.1/30", "fd00:71::1/64"}},
                {ns_gobgp, "eth0", {"10.71.0.2/30", "fd00:71::2/64"}});
  PeerConfig b = bird_config();
  PeerConfig g = gobgp_config();
  b.neighbors[0].graceful_restart = {.enabled = true, .restart_time = 60s};
  g.neighbors[0].graceful_restart = {.enabled = true, .restart_time = 60s};
  BirdPeer bird(ns_bird, b);
  GobgpPeer gobgp(ns_gobgp, g);
  const Prefixes from_gobgp{"10.71.2.0/24", "fd00:71:2::/64"};
  ASSERT_TRUE(wait_until([&] { return both_established(bird, "10.71.0.2", gobgp, "10.71.0.1"); },
                         kSessionTimeout))
      << state_of(bird, gobgp);
  ASSERT_TRUE(wait_until([&] { return bird.received_prefixes() == from_gobgp; }, kRouteTimeout))
      << state_of(bird, gobgp);

  // SIGKILL: no NOTIFICATION, the kernel just closes the socket -- a crash, as GR expects.
  ASSERT_TRUE(gobgp.process().signal(SIGKILL));
  ASSERT_TRUE(wait_until([&] { return !bird.established("10.71.0.2"); }, 10s))
      << state_of(bird, gobgp);
  // RFC 4724 §4.2: the helper keeps the routes (marked stale) during the restart time.
  EXPECT_EQ(bird.received_prefixes(), from_gobgp) << state_of(bird, gobgp);

  gobgp.restart(RestartMode::Graceful);
  EXPECT_TRUE(wait_until([&] { return both_established(bird, "10.71.0.2", gobgp, "10.71.0.1"); },
                         kSessionTimeout))
      << state_of(bird, gobgp);
  EXPECT_TRUE(wait_until([&] { return bird.received_prefixes() == from_gobgp; }, kRouteTimeout))
      << state_of(bird, gobgp);
}

TEST_F(BirdGobgpTest, StoppedPeerLosesTheSessionByHoldTimerAndRecoversOnSigcont) {
  Netns ns_bird("bird");
  Netns ns_gobgp("gobgp");
  VethPair link({ns_bird, "eth0", {"10.71.0.1/30", "fd00:71::1/64"}},
                {ns_gobgp, "eth0", {"10.71.0.2/30", "fd00:71::2/64"}});
  PeerConfig b = bird_config();
  PeerConfig g = gobgp_config();
  b.neighbors[0].hold_time = 3s;
  g.neighbors[0].hold_time = 3s;
  BirdPeer bird(ns_bird, b);
  GobgpPeer gobgp(ns_gobgp, g);
  ASSERT_TRUE(wait_until([&] { return both_established(bird, "10.71.0.2", gobgp, "10.71.0.1"); },
                         kSessionTimeout))
      << state_of(bird, gobgp);

  // A stopped BIRD sends no KEEPALIVE: GoBGP's hold timer expires (RFC 4271 §6.5).
  ASSERT_TRUE(bird.process().signal(SIGSTOP));
  EXPECT_TRUE(wait_until([&] { return !gobgp.established("10.71.0.1"); }, 10s))
      << gobgp.diagnostics();
  // Its CLI hangs, but a query returns "no" within the harness's CLI timeout instead of hanging.
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(bird.established("10.71.0.2"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 8s);

  ASSERT_TRUE(bird.process().signal(SIGCONT));
  EXPECT_TRUE(wait_until([&] { return both_established(bird, "10.71.0.2", gobgp, "10.71.0.1"); },
                         kSessionTimeout))
      << state_of(bird, gobgp);
}

// BIRD (10.72.0.1) <-> FRR bgpd (10.72.0.2), both AS 65010: iBGP with a TCP MD5 password.
class BirdFrrTest : public IntegrationTest {
 protected:
  static PeerConfig config(std::string self, std::string neighbor, std::string password,
                           std::string originated) {
    NeighborConfig n{.address = std::move(neighbor), .remote_as = 65010, .password = password};
    return PeerConfig{.local_as = 65010,
                      .router_id = std::move(self),
                      .neighbors = {n},
                      .originated = {std::move(originated)}};
  }
};

TEST_F(BirdFrrTest, IbgpWithMd5PasswordExchangesPrefixes) {
  Netns ns_bird("bird");
  Netns ns_frr("frr");
  VethPair link({ns_bird, "eth0", {"10.72.0.1/30"}}, {ns_frr, "eth0", {"10.72.0.2/30"}});
  BirdPeer bird(ns_bird, config("10.72.0.1", "10.72.0.2", "s3cret-md5", "10.72.1.0/24"));
  FrrPeer frr(ns_frr, config("10.72.0.2", "10.72.0.1", "s3cret-md5", "10.72.2.0/24"));

  ASSERT_TRUE(wait_until([&] { return both_established(bird, "10.72.0.2", frr, "10.72.0.1"); },
                         kSessionTimeout))
      << state_of(bird, frr);
  EXPECT_TRUE(wait_until([&] { return frr.received_prefixes() == Prefixes{"10.72.1.0/24"}; },
                         kRouteTimeout))
      << state_of(bird, frr);
  EXPECT_TRUE(wait_until([&] { return bird.received_prefixes() == Prefixes{"10.72.2.0/24"}; },
                         kRouteTimeout))
      << state_of(bird, frr);

  // Runtime announce and withdraw through vtysh.
  frr.announce("10.72.3.0/24");
  EXPECT_TRUE(wait_until(
      [&] {
        return bird.received_prefixes() == Prefixes{"10.72.2.0/24", "10.72.3.0/24"};
      },
      kRouteTimeout))
      << state_of(bird, frr);
  frr.withdraw("10.72.2.0/24");
  EXPECT_TRUE(wait_until([&] { return bird.received_prefixes() == Prefixes{"10.72.3.0/24"}; },
                         kRouteTimeout))
      << state_of(bird, frr);
}

TEST_F(BirdFrrTest, KilledPeersRestartWithTheirRuntimeAnnouncements) {
  Netns ns_bird("bird");
  Netns ns_frr("frr");
  VethPair link({ns_bird, "eth0", {"10.72.0.1/30"}}, {ns_frr, "eth0", {"10.72.0.2/30"}});
  BirdPeer bird(ns_bird, config("10.72.0.1", "10.72.0.2", "s3cret-md5", "10.72.1.0/24"));
  FrrPeer frr(ns_frr, config("10.72.0.2", "10.72.0.1", "s3cret-md5", "10.72.2.0/24"));
  ASSERT_TRUE(wait_until([&] { return both_established(bird, "10.72.0.2", frr, "10.72.0.1"); },
                         kSessionTimeout))
      << state_of(bird, frr);
  bird.announce("10.72.11.0/24");
  frr.announce("10.72.12.0/24");
  const Prefixes bird_sends{"10.72.1.0/24", "10.72.11.0/24"};
  const Prefixes frr_sends{"10.72.2.0/24", "10.72.12.0/24"};
  ASSERT_TRUE(wait_until([&] { return frr.received_prefixes() == bird_sends; }, kRouteTimeout))
      << state_of(bird, frr);

  // A crashed BIRD leaves its control socket behind; restart() must still bring it back, with
  // the prefix announced at runtime.
  ASSERT_TRUE(bird.process().signal(SIGKILL));
  // No graceful restart configured: FRR drops BIRD's routes with the session. Waiting for that
  // first proves the routes seen afterwards were announced by the new BIRD.
  ASSERT_TRUE(wait_until([&] { return frr.received_prefixes().empty(); }, kRouteTimeout))
      << state_of(bird, frr);
  bird.restart();
  EXPECT_TRUE(wait_until([&] { return frr.received_prefixes() == bird_sends; }, kSessionTimeout))
      << state_of(bird, frr);

  ASSERT_TRUE(frr.process().signal(SIGKILL));
  ASSERT_TRUE(wait_until([&] { return bird.received_prefixes().empty(); }, kRouteTimeout))
      << state_of(bird, frr);
  frr.restart();
  EXPECT_TRUE(wait_until([&] { return bird.received_prefixes() == frr_sends; }, kSessionTimeout))
      << state_of(bird, frr);

  // clear() resets the session; it comes back by itself.
  frr.clear("10.72.0.1");
  EXPECT_TRUE(wait_until([&] { return both_established(bird, "10.72.0.2", frr, "10.72.0.1"); },
                         kSessionTimeout))
      << state_of(bird, frr);
}

TEST_F(BirdFrrTest, WrongMd5PasswordNeverReachesEstablished) {
  Netns ns_bird("bird");
  Netns ns_frr("frr");
  VethPair link({ns_bird, "eth0", {"10.72.0.1/30"}}, {ns_frr, "eth0", {"10.72.0.2/30"}});
  BirdPeer bird(ns_bird, config("10.72.0.1", "10.72.0.2", "right-password", "10.72.1.0/24"));
  FrrPeer frr(ns_frr, config("10.72.0.2", "10.72.0.1", "wrong-password", "10.72.2.0/24"));

  // The kernel drops every segment whose MD5 signature does not verify, so not even the TCP
  // handshake completes. Both daemons retry every second: six seconds is several attempts.
  EXPECT_FALSE(
      wait_until([&] { return bird.established("10.72.0.2") || frr.established("10.72.0.1"); }, 6s))
      << state_of(bird, frr);
  // And not because a daemon died.
  EXPECT_TRUE(bird.process().running()) << bird.diagnostics();
  EXPECT_TRUE(frr.process().running()) << frr.diagnostics();
  EXPECT_TRUE(bird.received_prefixes().empty());
  EXPECT_TRUE(frr.received_prefixes().empty());
}

// FRR (AS 65031) <-> GoBGP (AS 65032): the third pairing, and the one where neither side can
// find an IPv6 next hop for an IPv4 session by itself (bgpd has no zebra, GoBGP uses the
// session's address), so PeerConfig::ipv6_next_hop must reach the wire on both.
class FrrGobgpTest : public IntegrationTest {};

TEST_F(FrrGobgpTest, Ipv6OverAnIpv4SessionUsesTheConfiguredNextHops) {
  Netns ns_frr("frr");
  Netns ns_gobgp("gobgp");
  VethPair link({ns_frr, "eth0", {"10.73.0.1/30", "fd00:73::1/64"}},
                {ns_gobgp, "eth0", {"10.73.0.2/30", "fd00:73::2/64"}});
  FrrPeer frr(ns_frr, {.local_as = 65031,
                       .router_id = "10.73.0.1",
                       .neighbors = {{.address = "10.73.0.2", .remote_as = 65032, .ipv6 = true}},
                       .originated = {"10.73.1.0/24", "fd00:73:1::/64"},
                       .ipv6_next_hop = "fd00:73::1"});
  GobgpPeer gobgp(ns_gobgp,
                  {.local_as = 65032,
                   .router_id = "10.73.0.2",
                   .neighbors = {{.address = "10.73.0.1", .remote_as = 65031, .ipv6 = true}},
                   .originated = {"10.73.2.0/24", "fd00:73:2::/64"},
                   .ipv6_next_hop = "fd00:73::2"});
  ASSERT_TRUE(wait_until([&] { return both_established(frr, "10.73.0.2", gobgp, "10.73.0.1"); },
                         kSessionTimeout))
      << state_of(frr, gobgp);
  EXPECT_TRUE(wait_until(
      [&] {
        return frr.received_prefixes() == Prefixes{"10.73.2.0/24", "fd00:73:2::/64"};
      },
      kRouteTimeout))
      << state_of(frr, gobgp);
  EXPECT_TRUE(wait_until(
      [&] {
        return gobgp.received_prefixes() == Prefixes{"10.73.1.0/24", "fd00:73:1::/64"};
      },
      kRouteTimeout))
      << state_of(frr, gobgp);
  // The next hop GoBGP learned for FRR's IPv6 route is FRR's global address, not ::ffff:10.x.
  RunResult adj = gobgp.gobgp({"neighbor", "10.73.0.1", "adj-in", "-a", "ipv6"});
  EXPECT_NE(adj.output.find("fd00:73::1"), std::string::npos) << adj.output;
}

}  // namespace
}  // namespace pinto::itest
