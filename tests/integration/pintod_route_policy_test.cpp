// Route policy against a real BIRD 2: a BGPFilter on the BGPPeer rejects one prefix on import
// and tags another, rejects one of pintod's prefixes on export and tags the rest; read back
// from BIRD (`show route ... all`) and from `pintoctl routes`. Then the filter changes and the
// session stays up while routes follow the new policy (re-export, ROUTE-REFRESH).
#include <set>
#include <string>

#include "integration/bird_peer.h"
#include "integration/fixture.h"
#include "integration/netns.h"
#include "integration/pintod_node.h"

namespace pinto::itest {
namespace {

using Prefixes = std::set<std::string>;

constexpr auto kSessionTimeout = 30s;
constexpr auto kRouteTimeout = 15s;

// Import: drop 10.82.3.0/26, tag 10.82.4.0/26 with 65001:44. Export: drop 10.82.9.0/26, tag
// everything else in 10.82.0.0/16 with 65001:100 and prepend 65100.
std::string filter_yaml(bool strict) {
  std::string f =
      "apiVersion: projectcalico.org/v3\nkind: BGPFilter\nmetadata: {name: bird-policy}\n"
      "spec:\n  importV4:\n";
  if (strict) f += "    - {action: Reject, cidr: 10.82.3.0/26, matchOperator: Equal}\n";
  f += "    - action: Accept\n      cidr: 10.82.4.0/26\n      matchOperator: Equal\n"
       "      operations: [{addCommunity: {value: '65001:44'}}]\n"
       "  exportV4:\n";
  if (strict) f += "    - {action: Reject, cidr: 10.82.9.0/26, matchOperator: Equal}\n";
  f += "    - action: Accept\n      cidr: 10.82.0.0/16\n      matchOperator: In\n"
       "      operations: [{addCommunity: {value: '65001:100'}}, {prependASPath: {prefix: "
       "[65100]}}]\n";
  return f;
}

class PintodRoutePolicy : public IntegrationTest {};

TEST_F(PintodRoutePolicy, BgpFilterOnImportAndExportAgainstBird) {
  Netns ns_pintod("pintod");
  Netns ns_bird("bird");
  VethPair link({ns_pintod, "eth0", {"10.82.0.1/24"}}, {ns_bird, "eth0", {"10.82.0.2/24"}});

  PintodConfig pc;
  pc.as_number = 65001;
  pc.ipv4 = "10.82.0.1/24";
  pc.peers = {PintodPeerSpec{
      .name = "bird", .address = "10.82.0.2", .as_number = 65002, .filters = {"bird-policy"}}};
  pc.originate = {"10.82.1.0/26", "10.82.9.0/26"};
  pc.extra_resources = filter_yaml(true);
  PintodNode pintod(ns_pintod, pc);

  BirdPeer bird(
      ns_bird, PeerConfig{.local_as = 65002,
                          .router_id = "10.82.0.2",
                          .neighbors = {NeighborConfig{.address = "10.82.0.1", .remote_as = 65001}},
                          .originated = {"10.82.2.0/26", "10.82.3.0/26", "10.82.4.0/26"}});
  pintod.start();
  auto state = [&] { return "\n" + pintod.diagnostics() + "\n" + bird.diagnostics(); };
  ASSERT_TRUE(
      wait_until([&] { return bird.established("10.82.0.1") && pintod.established("10.82.0.2"); },
                 kSessionTimeout))
      << state();

  // Import: 10.82.3.0/26 never enters the RIB; 10.82.4.0/26 carries the community.
  EXPECT_TRUE(wait_until(
      [&] {
        return pintod.learned_prefixes() == Prefixes{"10.82.2.0/26", "10.82.4.0/26"};
      },
      kRouteTimeout))
      << state();
  const auto routes = pintod.pintoctl({"routes", "10.82.0.0/16"});
  ASSERT_TRUE(routes.ok()) << routes.output;
  const auto tagged = routes.output.find("10.82.4.0/26");
  ASSERT_NE(tagged, std::string::npos) << routes.output;
  EXPECT_NE(
      routes.output.substr(tagged, routes.output.find('\n', tagged) - tagged).find("65001:44"),
      std::string::npos)
      << routes.output;
  EXPECT_EQ(routes.output.find("10.82.3.0/26"), std::string::npos) << routes.output;

  // Export: BIRD gets 10.82.1.0/26 only, with the community and the prepended AS after ours.
  EXPECT_TRUE(wait_until([&] { return bird.received_prefixes() == Prefixes{"10.82.1.0/26"}; },
                         kRouteTimeout))
      << state();
  const auto all = bird.birdc({"show", "route", "10.82.1.0/26", "all"});
  EXPECT_NE(all.output.find("(65001,100)"), std::string::npos) << all.output;
  EXPECT_NE(all.output.find("65001 65100"), std::string::npos) << all.output;

  // The filter loosens: both dropped prefixes arrive, and the session is never reset.
  pintod.config().extra_resources = filter_yaml(false);
  pintod.reload();
  EXPECT_TRUE(wait_until(
      [&] {
        return pintod.learned_prefixes() ==
               Prefixes{"10.82.2.0/26", "10.82.3.0/26", "10.82.4.0/26"};
      },
      kRouteTimeout))
      << state();
  EXPECT_TRUE(wait_until(
      [&] {
        return bird.received_prefixes() == Prefixes{"10.82.1.0/26", "10.82.9.0/26"};
      },
      kRouteTimeout))
      << state();
  EXPECT_TRUE(pintod.log_contains("route policy changed (import, export), session kept"))
      << state();
  EXPECT_FALSE(pintod.log_contains("configuration changed, restarting")) << state();
  EXPECT_TRUE(pintod.established("10.82.0.2")) << state();

  // And tightens again: the routes go without a reset too.
  pintod.config().extra_resources = filter_yaml(true);
  pintod.reload();
  EXPECT_TRUE(wait_until(
      [&] {
        return pintod.learned_prefixes() == Prefixes{"10.82.2.0/26", "10.82.4.0/26"};
      },
      kRouteTimeout))
      << state();
  EXPECT_TRUE(wait_until([&] { return bird.received_prefixes() == Prefixes{"10.82.1.0/26"}; },
                         kRouteTimeout))
      << state();
  EXPECT_FALSE(pintod.log_contains("configuration changed, restarting")) << state();
}

// Settings bgp.maxPrefixes: BIRD sends three routes to a pintod that allows two. Warn keeps the
// session and the routes; Restart ends the session with Cease subcode 1 (RFC 4486).
TEST_F(PintodRoutePolicy, MaxPrefixesWarnsOrEndsTheSessionWithCease1) {
  for (const bool restart : {false, true}) {
    SCOPED_TRACE(restart ? "Restart" : "Warn");
    Netns ns_pintod("pintod");
    Netns ns_bird("bird");
    VethPair link({ns_pintod, "eth0", {"10.83.0.1/24"}}, {ns_bird, "eth0", {"10.83.0.2/24"}});
    PintodConfig pc;
    pc.as_number = 65001;
    pc.ipv4 = "10.83.0.1/24";
    pc.peers = {PintodPeerSpec{.name = "bird", .address = "10.83.0.2", .as_number = 65002}};
    pc.bgp_extra =
        std::string(", maxPrefixes: {limit: 2, action: ") + (restart ? "Restart" : "Warn") + "}";
    PintodNode pintod(ns_pintod, pc);
    BirdPeer bird(
        ns_bird,
        PeerConfig{.local_as = 65002,
                   .router_id = "10.83.0.2",
                   .neighbors = {NeighborConfig{.address = "10.83.0.1", .remote_as = 65001}},
                   .originated = {"10.83.1.0/26", "10.83.2.0/26", "10.83.3.0/26"}});
    pintod.start();
    auto state = [&] { return "\n" + pintod.diagnostics() + "\n" + bird.diagnostics(); };
    EXPECT_TRUE(
        wait_until([&] { return pintod.log_contains("over the limit of 2"); }, kSessionTimeout))
        << state();
    if (restart) {
      EXPECT_TRUE(wait_until(
          [&] {
            return pintod.log_contains("sent NOTIFICATION Cease / Maximum Number of Prefixes");
          },
          kRouteTimeout))
          << state();
      EXPECT_TRUE(wait_until(
          [&] {
            return bird.birdc({"show", "protocols", "all", BirdPeer::protocol_name("10.83.0.1")})
                       .output.find("Maximum number of prefixes reached") != std::string::npos;
          },
          kRouteTimeout))
          << state();
    } else {
      EXPECT_TRUE(wait_until([&] { return pintod.learned_prefixes().size() == 3; }, kRouteTimeout))
          << state();
      EXPECT_TRUE(pintod.established("10.83.0.2")) << state();
    }
  }
}

}  // namespace
}  // namespace pinto::itest
