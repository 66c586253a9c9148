// diff_models: the plan `apply --dry-run` shows and pintod logs. Models are built by hand so
// every field that matters can be changed alone.
#include "config/model_diff.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pinto::config {
namespace {

IpAddress ip(const char* text) {
  return *IpAddress::parse(text);
}
IpPrefix prefix(const char* text) {
  return *IpPrefix::parse(text);
}

PeerIntent peer(const std::string& name, const char* address, std::uint32_t as = 64512) {
  PeerIntent p;
  p.name = name;
  p.address = ip(address);
  p.remote_as = as;
  return p;
}

ClusterModel base() {
  ClusterModel m;
  m.has_local_node = true;
  m.local.name = "node-a";
  m.local.as_number = 64512;
  m.local.ipv4 = ip("10.0.0.1");
  m.local.router_id = ip("10.0.0.1");
  m.peers = {peer("mesh/node-b", "10.0.0.2"), peer("BGPPeer/tor", "10.0.0.254", 65001)};
  m.blocks = {prefix("10.244.1.0/26")};
  m.originate = {prefix("10.244.1.0/26"), prefix("10.96.0.0/12")};
  return m;
}

// "action subject (reason)", one per step, for readable failures.
std::vector<std::string> lines(const std::vector<PlanStep>& steps) {
  std::vector<std::string> out;
  for (const auto& s : steps) out.push_back(s.action + " " + s.subject + " (" + s.reason + ")");
  return out;
}

std::vector<std::string> plan(const ClusterModel& before, const ClusterModel& after) {
  return lines(diff_models(before, after));
}

TEST(ModelDiff, EqualModelsNeedNoSteps) {
  EXPECT_TRUE(diff_models(base(), base()).empty());
  EXPECT_FALSE(identity_changed(base(), base()));
  // The order of peers and prefixes is no difference.
  ClusterModel shuffled = base();
  std::swap(shuffled.peers[0], shuffled.peers[1]);
  std::swap(shuffled.originate[0], shuffled.originate[1]);
  EXPECT_TRUE(diff_models(base(), shuffled).empty())
      << ::testing::PrintToString(plan(base(), shuffled));
  // Two nodes still waiting for their Node resource: nothing either.
  ClusterModel waiting;
  waiting.has_local_node = false;
  waiting.local.name = "node-a";
  EXPECT_TRUE(diff_models(waiting, waiting).empty());
  EXPECT_FALSE(identity_changed(waiting, waiting));
}

TEST(ModelDiff, TheFirstNodeResourceStartsBgpAndOpensEverySession) {
  ClusterModel waiting;
  waiting.has_local_node = false;
  waiting.local.name = "node-a";
  EXPECT_TRUE(identity_changed(waiting, base()));
  EXPECT_EQ(plan(waiting, base()),
            (std::vector<std::string>{
                "start-bgp node node-a AS 64512 router id 10.0.0.1 port 179 (its Node resource "
                "exists)",
                "open-session mesh/node-b 10.0.0.2 AS 64512 (node-to-node mesh)",
                "open-session BGPPeer/tor 10.0.0.254 AS 65001 (BGPPeer applies to this node)",
                "advertise 10.96.0.0/12 (originated)",
                "advertise 10.244.1.0/26 (block affine to this node)",
            }));
}

TEST(ModelDiff, DeletingTheNodeStopsBgp) {
  ClusterModel gone;
  gone.has_local_node = false;
  gone.local.name = "node-a";
  EXPECT_TRUE(identity_changed(base(), gone));
  const auto steps = plan(base(), gone);
  ASSERT_FALSE(steps.empty());
  EXPECT_EQ(steps[0], "stop-bgp node node-a (its Node resource is gone)");
  // The speaker goes with its sessions; the prefixes it announced are withdrawn.
  EXPECT_EQ(steps, (std::vector<std::string>{
                       "stop-bgp node node-a (its Node resource is gone)",
                       "withdraw 10.96.0.0/12 (no longer ours)",
                       "withdraw 10.244.1.0/26 (no longer ours)",
                   }));
}

TEST(ModelDiff, AnIdentityChangeRestartsBgpAndReopensEverySession) {
  struct Case {
    const char* what;
    void (*change)(ClusterModel&);
    const char* subject;
  };
  const std::vector<Case> cases = {
      {"AS number", [](ClusterModel& m) { m.local.as_number = 64999; },
       "node node-a AS 64999 router id 10.0.0.1 port 179"},
      {"router id", [](ClusterModel& m) { m.local.router_id = ip("10.0.0.9"); },
       "node node-a AS 64512 router id 10.0.0.9 port 179"},
      {"listen port", [](ClusterModel& m) { m.listen_port = 1179; },
       "node node-a AS 64512 router id 10.0.0.1 port 1179"},
      {"cluster id set",
       [](ClusterModel& m) { m.local.route_reflector_cluster_id = ip("224.0.0.1"); },
       "node node-a AS 64512 router id 10.0.0.1 port 179 cluster id 224.0.0.1"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    ClusterModel after = base();
    c.change(after);
    EXPECT_TRUE(identity_changed(base(), after));
    const auto steps = diff_models(base(), after);
    ASSERT_EQ(steps.size(), 3u) << ::testing::PrintToString(lines(steps));
    EXPECT_EQ(steps[0].action, "restart-bgp");
    EXPECT_EQ(steps[0].subject, c.subject);
    EXPECT_EQ(steps[0].reason, "was node node-a AS 64512 router id 10.0.0.1 port 179");
    // Every session of the old speaker ends with it: each one opens again.
    EXPECT_EQ(steps[1].action, "open-session");
    EXPECT_EQ(steps[2].action, "open-session");
  }

  // A changed cluster id names both.
  ClusterModel one = base();
  one.local.route_reflector_cluster_id = ip("224.0.0.1");
  ClusterModel two = base();
  two.local.route_reflector_cluster_id = ip("224.0.0.2");
  EXPECT_TRUE(identity_changed(one, two));
  const auto steps = diff_models(one, two);
  ASSERT_FALSE(steps.empty());
  EXPECT_EQ(steps[0].action, "restart-bgp");
  EXPECT_NE(steps[0].subject.find("cluster id 224.0.0.2"), std::string::npos);
  EXPECT_NE(steps[0].reason.find("cluster id 224.0.0.1"), std::string::npos);

  // What is not identity does not restart the speaker: an IPv6 address added to the node.
  ClusterModel with_v6 = base();
  with_v6.local.ipv6 = ip("fd00::1");
  EXPECT_FALSE(identity_changed(base(), with_v6));
}

TEST(ModelDiff, SessionsOpenAndCloseByPeerAddress) {
  ClusterModel after = base();
  after.peers.erase(after.peers.begin());  // mesh/node-b gone
  after.peers.push_back(peer("mesh/node-c", "10.0.0.3"));
  after.peers.push_back(peer("BGPPeer/rr", "10.0.0.100"));
  EXPECT_FALSE(identity_changed(base(), after));
  EXPECT_EQ(plan(base(), after),
            (std::vector<std::string>{
                "close-session mesh/node-b 10.0.0.2 AS 64512 (no longer configured)",
                "open-session mesh/node-c 10.0.0.3 AS 64512 (node-to-node mesh)",
                "open-session BGPPeer/rr 10.0.0.100 AS 64512 (BGPPeer applies to this node)",
            }));
}

TEST(ModelDiff, ARestartedSessionNamesWhatChanged) {
  struct Case {
    void (*change)(PeerIntent&);
    const char* reason;
  };
  const std::vector<Case> cases = {
      {[](PeerIntent& p) { p.password = "s3cret"; }, "password changed"},
      {[](PeerIntent& p) { p.port = 1179; }, "port changed"},
      {[](PeerIntent& p) { p.name = "BGPPeer/tor2"; }, "name changed"},
      {[](PeerIntent& p) { p.source_address = ip("10.0.0.1"); }, "source address changed"},
      {[](PeerIntent& p) { p.ttl_security = 1; }, "ttlSecurity changed"},
      {[](PeerIntent& p) { p.ebgp_multihop = 2; }, "ebgpMultihop changed"},
      {[](PeerIntent& p) { p.passive = true; }, "passive changed"},
      {[](PeerIntent& p) { p.max_restart_time = std::chrono::seconds(30); },
       "maxRestartTime changed"},
      {[](PeerIntent& p) { p.next_hop_mode = NextHopMode::Self; }, "nextHopMode changed"},
      {[](PeerIntent& p) {
         p.remote_as = 65002;
         p.keepalive_time = std::chrono::seconds(10);
       },
       "AS number, keepaliveTime changed"},
      // A difference the plan has no name for still restarts, and says so.
      {[](PeerIntent& p) { p.route_reflector_client = true; }, "settings changed"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.reason);
    ClusterModel after = base();
    c.change(after.peers[1]);  // BGPPeer/tor
    const auto steps = diff_models(base(), after);
    ASSERT_EQ(steps.size(), 1u) << ::testing::PrintToString(lines(steps));
    EXPECT_EQ(steps[0].action, "restart-session");
    EXPECT_EQ(steps[0].subject.substr(steps[0].subject.find(' ')),
              " 10.0.0.254 AS " + std::to_string(after.peers[1].remote_as));
    EXPECT_EQ(steps[0].reason, c.reason);
  }
}

TEST(ModelDiff, RoutePolicyAloneUpdatesInPlace) {
  ClusterModel after = base();
  after.peers[1].allowed_local_as = 1;
  BgpFilter f;
  f.metadata.name = "f";
  f.import_v4.emplace_back();
  after.peers[1].filters.push_back(f);
  auto steps = diff_models(base(), after);
  ASSERT_EQ(steps.size(), 1u) << ::testing::PrintToString(lines(steps));
  EXPECT_EQ(steps[0].action, "update-policy");
  // With anything else changed it is a restart.
  after.peers[1].passive = true;
  steps = diff_models(base(), after);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].action, "restart-session");
}

TEST(ModelDiff, PrefixesAreAdvertisedAndWithdrawn) {
  ClusterModel after = base();
  after.blocks = {prefix("10.244.2.0/26")};
  after.originate = {prefix("10.96.0.0/12"), prefix("10.244.2.0/26"), prefix("192.0.2.0/24")};
  EXPECT_EQ(plan(base(), after), (std::vector<std::string>{
                                     "withdraw 10.244.1.0/26 (no longer ours)",
                                     "advertise 10.244.2.0/26 (block affine to this node)",
                                     "advertise 192.0.2.0/24 (originated)",
                                 }));
  // A block kept but no longer exported (disableBGPExport) is withdrawn; nothing else moves.
  ClusterModel unexported = base();
  unexported.originate = {prefix("10.96.0.0/12")};
  EXPECT_EQ(plan(base(), unexported),
            (std::vector<std::string>{"withdraw 10.244.1.0/26 (no longer ours)"}));
}

TEST(ModelDiff, StepsComeInOrderIdentitySessionsPrefixes) {
  ClusterModel after = base();
  after.peers[1].password = "x";
  after.peers.push_back(peer("mesh/node-c", "10.0.0.3"));
  after.originate.push_back(prefix("192.0.2.0/24"));
  after.peers.erase(after.peers.begin());
  const auto steps = diff_models(base(), after);
  std::vector<std::string> actions;
  for (const auto& s : steps) actions.push_back(s.action);
  EXPECT_EQ(actions, (std::vector<std::string>{"close-session", "open-session", "restart-session",
                                               "advertise"}));
}

}  // namespace
}  // namespace pinto::config
