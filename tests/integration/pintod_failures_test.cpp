// How pintod notices and survives failures, against real peers: a wrong password, a wrong AS, a
// frozen peer (hold timer), a killed peer, a link taken down, graceful restart on both sides, and
// malformed messages from a raw TCP client. Each is detected and logged, and the session comes
// back once the cause goes.
#include <csignal>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "integration/bird_peer.h"
#include "integration/fixture.h"
#include "integration/netns.h"
#include "integration/pintod_node.h"

namespace pinto::itest {
namespace {

using Prefixes = std::set<std::string>;

constexpr auto kSessionTimeout = 30s;
constexpr auto kRouteTimeout = 15s;
constexpr const char* kPintodAddress = "10.82.0.1";
constexpr const char* kBirdAddress = "10.82.0.2";
const Prefixes kPintodPrefixes{"10.82.1.0/26"};
const Prefixes kBirdPrefixes{"10.82.2.0/26", "fd00:82:2::/64"};

// pintod (AS 65001) and BIRD (AS 65002) joined by a veth pair; each test tweaks the configs.
class PintodFailures : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    if (IsSkipped()) return;
    ns_pintod_ = std::make_unique<Netns>("pintod");
    ns_bird_ = std::make_unique<Netns>("bird");
    link_ =
        std::make_unique<VethPair>(VethEnd{*ns_pintod_, "eth0", {"10.82.0.1/24", "fd00:82::1/64"}},
                                   VethEnd{*ns_bird_, "eth0", {"10.82.0.2/24", "fd00:82::2/64"}});
    pintod_config_.as_number = 65001;
    pintod_config_.ipv4 = "10.82.0.1/24";
    pintod_config_.ipv6 = "fd00:82::1/64";
    pintod_config_.peers = {
        PintodPeerSpec{.name = "bird", .address = kBirdAddress, .as_number = 65002}};
    pintod_config_.originate = {"10.82.1.0/26"};
    bird_config_ =
        PeerConfig{.local_as = 65002,
                   .router_id = "10.82.0.2",
                   .neighbors = {NeighborConfig{
                       .address = kPintodAddress, .remote_as = 65001, .ipv4 = true, .ipv6 = true}},
                   .originated = {"10.82.2.0/26", "fd00:82:2::/64"}};
  }
  void TearDown() override {
    // Daemons first, then the link and the namespaces (reverse order of creation).
    bird_.reset();
    pintod_.reset();
    link_.reset();
    ns_bird_.reset();
    ns_pintod_.reset();
  }

  void start_pintod() {
    pintod_ = std::make_unique<PintodNode>(*ns_pintod_, pintod_config_);
    pintod_->start();
  }
  void start_bird() { bird_ = std::make_unique<BirdPeer>(*ns_bird_, bird_config_); }
  bool converge(std::chrono::milliseconds timeout = kSessionTimeout) {
    return wait_until([&] { return both_established(); }, timeout);
  }
  bool pintod_has_birds_routes() {
    return wait_until([&] { return pintod_->learned_prefixes() == kBirdPrefixes; }, kRouteTimeout);
  }
  bool bird_has_our_routes() {
    return wait_until([&] { return bird_->received_prefixes() == kPintodPrefixes; }, kRouteTimeout);
  }
  bool both_established() {
    return bird_->established(kPintodAddress) && pintod_->established(kBirdAddress);
  }
  std::string state() {
    return "\n" + (pintod_ ? pintod_->diagnostics() : "") + "\n" +
           (bird_ ? bird_->diagnostics() : "");
  }

  std::unique_ptr<Netns> ns_pintod_;
  std::unique_ptr<Netns> ns_bird_;
  std::unique_ptr<VethPair> link_;
  PintodConfig pintod_config_;
  PeerConfig bird_config_;
  std::unique_ptr<PintodNode> pintod_;
  std::unique_ptr<BirdPeer> bird_;
};

TEST_F(PintodFailures, WrongPasswordNeverEstablishesUntilItIsFixed) {
  pintod_config_.peers[0].password = "pintod-side";
  bird_config_.neighbors[0].password = "bird-side";
  start_bird();
  start_pintod();
  EXPECT_FALSE(converge(6s)) << state();
  EXPECT_TRUE(pintod_->process().running());

  pintod_->config().peers[0].password = "bird-side";
  pintod_->reload();
  EXPECT_TRUE(converge()) << state();
}

TEST_F(PintodFailures, WrongAsIsRefusedWithBadPeerAsUntilItIsFixed) {
  pintod_config_.peers[0].as_number = 65009;
  start_bird();
  start_pintod();
  EXPECT_TRUE(wait_until([&] { return pintod_->log_contains("Bad Peer AS"); }, kSessionTimeout))
      << state();
  EXPECT_FALSE(both_established());

  pintod_->config().peers[0].as_number = 65002;
  pintod_->reload();
  EXPECT_TRUE(converge()) << state();
}

TEST_F(PintodFailures, FrozenPeerExpiresTheHoldTimerAndComesBack) {
  pintod_config_.hold_time_seconds = 6;
  start_bird();
  start_pintod();
  ASSERT_TRUE(converge()) << state();
  ASSERT_TRUE(pintod_has_birds_routes()) << state();

  bird_->process().signal(SIGSTOP);
  EXPECT_TRUE(wait_until([&] { return pintod_->log_contains("hold timer expired"); }, 15s))
      << state();
  EXPECT_TRUE(pintod_->log_contains("sent NOTIFICATION Hold Timer Expired")) << state();
  EXPECT_TRUE(wait_until([&] { return pintod_->learned_prefixes().empty(); }, 5s)) << state();

  bird_->process().signal(SIGCONT);
  EXPECT_TRUE(converge()) << state();
  EXPECT_TRUE(pintod_has_birds_routes()) << state();
}

TEST_F(PintodFailures, KilledPeerIsDetectedAndReconnects) {
  start_bird();
  start_pintod();
  ASSERT_TRUE(converge()) << state();
  bird_->process().signal(SIGKILL);
  EXPECT_TRUE(wait_until([&] { return !pintod_->established(kBirdAddress); }, 10s)) << state();
  EXPECT_TRUE(pintod_->log_contains("connection closed by the peer") ||
              pintod_->log_contains("Connection reset by peer"))
      << state();
  bird_->restart();
  EXPECT_TRUE(converge()) << state();
  EXPECT_TRUE(bird_has_our_routes()) << state();
}

TEST_F(PintodFailures, LinkDownIsDetectedByTheHoldTimerAndLinkUpRecovers) {
  pintod_config_.hold_time_seconds = 6;
  start_bird();
  start_pintod();
  ASSERT_TRUE(converge()) << state();
  ns_pintod_->set_link_state("eth0", LinkState::Down);
  EXPECT_TRUE(wait_until([&] { return !pintod_->established(kBirdAddress); }, 15s)) << state();
  EXPECT_TRUE(pintod_->learned_prefixes().empty()) << state();
  ns_pintod_->set_link_state("eth0", LinkState::Up);
  EXPECT_TRUE(converge(45s)) << state();
  EXPECT_TRUE(pintod_has_birds_routes()) << state();
}

TEST_F(PintodFailures, BirdKeepsOurRoutesWhilePintodRestarts) {
  bird_config_.neighbors[0].graceful_restart = {true, 120s};
  start_bird();
  start_pintod();
  ASSERT_TRUE(converge()) << state();
  ASSERT_TRUE(bird_has_our_routes()) << state();

  pintod_->process().signal(SIGKILL);
  EXPECT_TRUE(wait_until([&] { return !bird_->established(kPintodAddress); }, 10s)) << state();
  // BIRD is the graceful-restart helper: our prefixes stay while we are away.
  EXPECT_EQ(bird_->received_prefixes(), kPintodPrefixes) << state();
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(bird_->received_prefixes(), kPintodPrefixes) << state();

  pintod_->start();
  EXPECT_TRUE(converge()) << state();
  EXPECT_TRUE(bird_has_our_routes()) << state();
}

TEST_F(PintodFailures, PintodKeepsAKilledBirdsRoutesStaleThenSweepsThem) {
  bird_config_.neighbors[0].graceful_restart = {true, 120s};
  pintod_config_.peers[0].max_restart_seconds = 6;  // cap BIRD's 120 s so the test is short
  start_bird();
  start_pintod();
  ASSERT_TRUE(converge()) << state();
  ASSERT_TRUE(pintod_has_birds_routes()) << state();

  bird_->process().signal(SIGKILL);
  EXPECT_TRUE(wait_until([&] { return pintod_->stale_prefixes() == kBirdPrefixes; }, 10s))
      << state();
  EXPECT_TRUE(pintod_->log_contains("graceful restart: keeping 2 routes stale")) << state();
  // maxRestartTime (6 s) passes without BIRD: the stale routes go.
  EXPECT_TRUE(wait_until([&] { return pintod_->learned_prefixes().empty(); }, 15s)) << state();
  EXPECT_TRUE(pintod_->log_contains("restart time expired")) << state();
}

TEST_F(PintodFailures, AGracefullyRestartedBirdRefreshesItsStaleRoutes) {
  bird_config_.neighbors[0].graceful_restart = {true, 120s};
  start_bird();
  start_pintod();
  ASSERT_TRUE(converge()) << state();
  ASSERT_TRUE(pintod_has_birds_routes()) << state();

  bird_->process().signal(SIGKILL);
  ASSERT_TRUE(wait_until([&] { return pintod_->stale_prefixes() == kBirdPrefixes; }, 10s))
      << state();
  bird_->restart(RestartMode::Graceful);
  EXPECT_TRUE(converge()) << state();
  // Back with End-of-RIB: nothing stale is left and every route is there.
  EXPECT_TRUE(wait_until([&] { return pintod_->stale_prefixes().empty(); }, kRouteTimeout))
      << state();
  EXPECT_TRUE(pintod_has_birds_routes()) << state();
}

TEST_F(PintodFailures, RouteRefreshFromBirdIsAnsweredWithTheTable) {
  start_bird();
  start_pintod();
  ASSERT_TRUE(converge()) << state();
  const RunResult r = bird_->birdc({"reload", "in", BirdPeer::protocol_name(kPintodAddress)});
  ASSERT_TRUE(r.ok()) << r.output;
  EXPECT_TRUE(
      wait_until([&] { return pintod_->log_contains("ROUTE-REFRESH for ipv4-unicast"); }, 10s))
      << state();
  EXPECT_TRUE(both_established());
  EXPECT_TRUE(bird_has_our_routes()) << state();
}

// RFC 5082: with ttlSecurity both sides send TTL 255 and accept nothing below 255 - (hops - 1).
TEST_F(PintodFailures, GtsmSessionsEstablishOnlyWhenBothSidesUseIt) {
  pintod_config_.peers[0].ttl_security = 1;
  start_bird();  // BIRD without GTSM sends eBGP packets with TTL 1: pintod must drop them
  start_pintod();
  EXPECT_FALSE(converge(6s)) << state();

  bird_.reset();
  bird_config_.neighbors[0].ttl_security_hops = 1;
  start_bird();
  EXPECT_TRUE(converge()) << state();
}

TEST_F(PintodFailures, SigtermSendsCeaseAdministrativeShutdownToEveryPeer) {
  start_bird();
  start_pintod();
  ASSERT_TRUE(converge()) << state();
  pintod_->stop();  // SIGTERM
  const auto bird_saw_cease = [&] {
    const RunResult r =
        bird_->birdc({"show", "protocols", "all", BirdPeer::protocol_name(kPintodAddress)});
    return r.output.find("Administrative shutdown") != std::string::npos;
  };
  EXPECT_TRUE(wait_until(bird_saw_cease, 10s)) << state();
  EXPECT_TRUE(pintod_->log_contains("pintod stopped")) << state();
}

// RFC 6793: AS numbers above 65535 travel as AS_TRANS in the OPEN and in full in the capability.
TEST_F(PintodFailures, FourOctetAsNumbersPeerAndCarryRoutes) {
  pintod_config_.as_number = 4200000001u;
  pintod_config_.peers[0].as_number = 4200000002u;
  bird_config_.local_as = 4200000002u;
  bird_config_.neighbors[0].remote_as = 4200000001u;
  start_bird();
  start_pintod();
  ASSERT_TRUE(converge()) << state();
  EXPECT_TRUE(bird_has_our_routes()) << state();
  EXPECT_TRUE(pintod_has_birds_routes()) << state();
  const RunResult r = bird_->birdc({"show", "route", "10.82.1.0/26", "all"});
  EXPECT_NE(r.output.find("4200000001"), std::string::npos) << r.output;
}

// ------------------------------------------------------------------ malformed input

struct MalformedCase {
  const char* name;
  bool handshake;   // complete OPEN/KEEPALIVE first
  const char* hex;  // what the client then sends
  int code;
  int subcode;
};

// Whole messages, hex. The marker is 16 x ff.
#define MARKER "ffffffffffffffffffffffffffffffff"

class PintodMalformed : public PintodFailures, public testing::WithParamInterface<MalformedCase> {};

TEST_P(PintodMalformed, GetsTheRfcNotificationAndOtherSessionsStayUp) {
  const MalformedCase& c = GetParam();
  // A second peer: the raw client at 10.82.0.3 in BIRD's namespace, passive on pintod's side.
  ns_bird_->run({"ip", "addr", "add", "10.82.0.3/24", "dev", "eth0"});
  pintod_config_.peers.push_back(
      PintodPeerSpec{.name = "raw", .address = "10.82.0.3", .as_number = 65003, .passive = true});
  start_bird();
  start_pintod();
  ASSERT_TRUE(converge()) << state();
  ASSERT_TRUE(pintod_has_birds_routes()) << state();  // all of them, before the raw client

  std::vector<std::string> argv = {RAW_BGP_CLIENT_PATH, kPintodAddress, "179", "--source",
                                   "10.82.0.3"};
  if (c.handshake) argv.insert(argv.end(), {"--open", "65003", "10.82.0.3"});
  argv.push_back(c.hex);
  const RunResult r = ns_bird_->run(argv, 15s);
  const std::string expected =
      "NOTIFICATION " + std::to_string(c.code) + " " + std::to_string(c.subcode);
  EXPECT_NE(r.output.find(expected), std::string::npos)
      << c.name << ": expected " << expected << ", client saw:\n"
      << r.output << state();
  EXPECT_TRUE(pintod_->process().running()) << state();
  EXPECT_TRUE(wait_until([&] { return pintod_->log_contains("sent NOTIFICATION"); }, 5s))
      << state();
  // The BIRD session never noticed.
  EXPECT_TRUE(both_established()) << state();
  EXPECT_EQ(pintod_->learned_prefixes(), kBirdPrefixes) << state();
}

// clang-format off
INSTANTIATE_TEST_SUITE_P(
    Cases, PintodMalformed,
    testing::Values(
        // RFC 4271 §6.1: a marker that is not all ones -> Connection Not Synchronized.
        MalformedCase{"BadMarker", false, "fffffffffffffffffffffffffffffffe001304", 1, 1},
        // Length 18 (< 19) -> Bad Message Length.
        MalformedCase{"BadLength", false, MARKER "001204", 1, 2},
        // Type 9 -> Bad Message Type.
        MalformedCase{"BadType", false, MARKER "001309", 1, 3},
        // §6.2: OPEN version 3 -> Unsupported Version Number.
        MalformedCase{"OpenBadVersion", false, MARKER "001d01" "03" "fdeb" "005a" "0a520003" "00", 2, 1},
        // OPEN from AS 65004 where 65003 is configured -> Bad Peer AS.
        MalformedCase{"OpenBadPeerAs", false, MARKER "001d01" "04" "fdec" "005a" "0a520003" "00", 2, 2},
        // OPEN with hold time 1 -> Unacceptable Hold Time.
        MalformedCase{"OpenBadHoldTime", false, MARKER "001d01" "04" "fdeb" "0001" "0a520003" "00", 2, 6},
        // OPEN with BGP Identifier 0 -> Bad BGP Identifier.
        MalformedCase{"OpenBadIdentifier", false, MARKER "001d01" "04" "fdeb" "005a" "00000000" "00", 2, 3},
        // OPEN offering only AFI 25 (neither IPv4 nor IPv6) -> Unsupported Capability (RFC 5492).
        MalformedCase{"OpenNoCommonFamily", false,
                      MARKER "002501" "04" "fdeb" "005a" "0a520003" "08" "0206" "01040019" "0001", 2, 7},
        // §6.3 / RFC 7606: two MP_REACH_NLRI attributes -> Malformed Attribute List (reset).
        MalformedCase{"UpdateDuplicateMpReach", true,
                      MARKER "006602" "0000" "004f" "40010100" "40020602010000fdeb"
                      "800e1e00020110fd000082000000000000000000000003" "0040fd00008200030000"
                      "800e1e00020110fd000082000000000000000000000003" "0040fd00008200030000", 3, 1},
        // UPDATE whose Total Path Attribute Length runs past the message -> Malformed Attribute List.
        MalformedCase{"UpdateAttributesPastTheEnd", true, MARKER "0017" "02" "0000" "00ff", 3, 1},
        // Withdrawn Routes Length past the message -> Malformed Attribute List.
        MalformedCase{"UpdateWithdrawnPastTheEnd", true, MARKER "0017" "02" "00ff" "0000", 3, 1},
        // A KEEPALIVE with a body -> Bad Message Length.
        MalformedCase{"KeepaliveWithBody", true, MARKER "001404" "00", 1, 2}),
    [](const testing::TestParamInfo<MalformedCase>& param) { return std::string(param.param.name); });
// clang-format on

}  // namespace
}  // namespace pinto::itest
