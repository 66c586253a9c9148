// pintod against real BIRD 2, FRR bgpd and GoBGP: sessions reach Established over IPv4 and IPv6
// transport, iBGP and eBGP, with and without a TCP MD5 password; prefixes originated on each side
// show up on the other (read from the peer's own CLI, and from pintod's status dump) and go away
// when withdrawn.
#include <memory>
#include <set>
#include <string>

#include "integration/bird_peer.h"
#include "integration/fixture.h"
#include "integration/frr_peer.h"
#include "integration/gobgp_peer.h"
#include "integration/netns.h"
#include "integration/pintod_node.h"

namespace pinto::itest {
namespace {

using Prefixes = std::set<std::string>;

constexpr auto kSessionTimeout = 30s;
constexpr auto kRouteTimeout = 15s;

struct PeeringCase {
  const char* kind;  // bird, frr, gobgp
  bool ibgp;
  bool ipv6_transport;
  bool md5;
};

std::string case_name(const testing::TestParamInfo<PeeringCase>& info) {
  const PeeringCase& c = info.param;
  return std::string(c.kind) + (c.ibgp ? "_ibgp" : "_ebgp") +
         (c.ipv6_transport ? "_ipv6" : "_ipv4") + (c.md5 ? "_md5" : "");
}

std::unique_ptr<Peer> make_peer(const std::string& kind, const Netns& netns, PeerConfig config) {
  if (kind == "bird") return std::make_unique<BirdPeer>(netns, std::move(config));
  if (kind == "frr") return std::make_unique<FrrPeer>(netns, std::move(config));
  return std::make_unique<GobgpPeer>(netns, std::move(config));
}

class PintodPeering : public IntegrationTest, public testing::WithParamInterface<PeeringCase> {};

TEST_P(PintodPeering, EstablishesAndExchangesRoutesBothWays) {
  const PeeringCase& c = GetParam();
  const std::string pintod_address = c.ipv6_transport ? "fd00:81::1" : "10.81.0.1";
  const std::string peer_address = c.ipv6_transport ? "fd00:81::2" : "10.81.0.2";
  const std::uint32_t pintod_as = 65001;
  const std::uint32_t peer_as = c.ibgp ? 65001 : 65002;
  const std::optional<std::string> password =
      c.md5 ? std::optional<std::string>("pinto-md5-secret") : std::nullopt;

  Netns ns_pintod("pintod");
  Netns ns_peer(c.kind);
  VethPair link({ns_pintod, "eth0", {"10.81.0.1/24", "fd00:81::1/64"}},
                {ns_peer, "eth0", {"10.81.0.2/24", "fd00:81::2/64"}});

  PintodConfig pc;
  pc.as_number = pintod_as;
  pc.ipv4 = "10.81.0.1/24";
  pc.ipv6 = "fd00:81::1/64";
  pc.peers = {PintodPeerSpec{
      .name = "ref", .address = peer_address, .as_number = peer_as, .password = password}};
  pc.originate = {"10.81.1.0/26", "fd00:81:1::/64"};
  PintodNode pintod(ns_pintod, pc);

  NeighborConfig neighbor{.address = pintod_address,
                          .remote_as = pintod_as,
                          .password = password,
                          .ipv4 = true,
                          .ipv6 = true};
  auto peer = make_peer(c.kind, ns_peer,
                        PeerConfig{.local_as = peer_as,
                                   .router_id = "10.81.0.2",
                                   .neighbors = {neighbor},
                                   .originated = {"10.81.2.0/26", "fd00:81:2::/64"},
                                   .ipv6_next_hop = "fd00:81::2",
                                   .ipv4_next_hop = "10.81.0.2"});
  pintod.start();
  auto state = [&] { return "\n" + pintod.diagnostics() + "\n" + peer->diagnostics(); };

  ASSERT_TRUE(wait_until(
      [&] { return peer->established(pintod_address) && pintod.established(peer_address); },
      kSessionTimeout))
      << state();
  if (c.md5) {
    EXPECT_TRUE(pintod.log_contains("TCP MD5")) << state();
  }

  const Prefixes from_pintod{"10.81.1.0/26", "fd00:81:1::/64"};
  const Prefixes from_peer{"10.81.2.0/26", "fd00:81:2::/64"};
  EXPECT_TRUE(wait_until([&] { return peer->received_prefixes() == from_pintod; }, kRouteTimeout))
      << state();
  EXPECT_TRUE(wait_until([&] { return pintod.learned_prefixes() == from_peer; }, kRouteTimeout))
      << state();

  // Withdrawals both ways: the peer from its CLI, pintod by editing its settings and SIGHUP.
  peer->withdraw("10.81.2.0/26");
  EXPECT_TRUE(wait_until([&] { return pintod.learned_prefixes() == Prefixes{"fd00:81:2::/64"}; },
                         kRouteTimeout))
      << state();
  pintod.config().originate = {"10.81.1.0/26"};
  pintod.reload();
  EXPECT_TRUE(wait_until([&] { return peer->received_prefixes() == Prefixes{"10.81.1.0/26"}; },
                         kRouteTimeout))
      << state();
  EXPECT_TRUE(pintod.established(peer_address)) << "a reload must not reset the session" << state();
}

INSTANTIATE_TEST_SUITE_P(
    Peers, PintodPeering,
    testing::Values(
        PeeringCase{"bird", false, false, false}, PeeringCase{"bird", true, true, false},
        PeeringCase{"bird", false, true, true}, PeeringCase{"bird", true, false, true},
        PeeringCase{"frr", false, false, false}, PeeringCase{"frr", true, true, false},
        PeeringCase{"frr", false, true, true}, PeeringCase{"frr", true, false, true},
        PeeringCase{"gobgp", false, false, false}, PeeringCase{"gobgp", true, true, false},
        PeeringCase{"gobgp", false, true, true}, PeeringCase{"gobgp", true, false, true}),
    case_name);

}  // namespace
}  // namespace pinto::itest
