// PolicyEnforcer's policy thread against a fake Dataplane: submit() returns at once, states
// submitted during an apply coalesce into one apply of the newest, a refused state keeps the
// program in force and shows why, missing interfaces are retried, counters come from the policy
// thread. Waits are bounded polls of observed state (the thread is real).
#include "daemon/policy_enforcer.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "policy_test_util.h"

namespace pinto::daemon {
namespace {

using namespace std::chrono_literals;

// What the fake saw and what it is told to do; shared with the test, which keeps a pointer.
struct FakeKernel {
  std::mutex mutex;
  std::condition_variable changed;
  bool hold = false;  // apply() waits (bounded) until released: an apply that takes long
  bool refuse = false;
  std::vector<std::string> missing_interfaces;
  std::vector<std::size_t> applied_ports;  // the first rule's port of each apply
  std::thread::id apply_thread;
  std::thread::id counters_thread;
};

class FakeDataplane final : public policy::Dataplane {
 public:
  explicit FakeDataplane(FakeKernel& kernel) : kernel_(kernel) {}
  Result<void> apply(const policy::Program& program) override {
    std::unique_lock lock(kernel_.mutex);
    kernel_.apply_thread = std::this_thread::get_id();
    std::size_t port = 0;
    for (const auto& ep : program.endpoints) {
      for (const auto& rule : ep.ingress.rules) {
        if (!rule.match.destination.ports.empty() && port == 0)
          port = rule.match.destination.ports.front().first;
      }
    }
    kernel_.applied_ports.push_back(port);
    kernel_.changed.notify_all();
    kernel_.changed.wait_for(lock, 5s, [&] { return !kernel_.hold; });
    if (kernel_.refuse) return failure(Error{"refused by the fake"});
    return outcome::success();
  }
  Result<void> uninstall() override { return outcome::success(); }
  std::vector<policy::RuleCounter> counters() override {
    std::lock_guard lock(kernel_.mutex);
    kernel_.counters_thread = std::this_thread::get_id();
    return {policy::RuleCounter{{}, policy::Direction::Ingress, "fake/rule", 3, 300}};
  }
  std::vector<std::string> pending_interfaces() const override {
    std::lock_guard lock(kernel_.mutex);
    return kernel_.missing_interfaces;
  }

 private:
  FakeKernel& kernel_;
};

// One local pod and a policy letting TCP in on `port`: each port gives another program.
std::vector<config::Resource> state(int port) {
  return policy::testing_util::resources_of(
      "apiVersion: projectcalico.org/v3\nkind: WorkloadEndpoint\n"
      "metadata: {name: node--a-k8s-web-eth0, namespace: prod, labels: {app: web}}\n"
      "spec: {node: node-a, interfaceName: cali0web, ipNetworks: [10.0.1.1/32]}\n"
      "---\napiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\n"
      "metadata: {name: web}\n"
      "spec: {selector: app == 'web', ingress: [{action: Allow, protocol: TCP, "
      "destination: {ports: [" +
      std::to_string(port) + "]}}]}\n");
}

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

class PolicyEnforcerTest : public testing::Test {
 protected:
  explicit PolicyEnforcerTest(std::chrono::milliseconds retry = 1s)
      : enforcer_(std::make_unique<FakeDataplane>(kernel_), "fake", "node-a", retry) {}

  std::size_t applies() {
    std::lock_guard lock(kernel_.mutex);
    return kernel_.applied_ports.size();
  }
  void hold(bool on) {
    std::lock_guard lock(kernel_.mutex);
    kernel_.hold = on;
    kernel_.changed.notify_all();
  }
  bool settled_at(std::int64_t revision) {
    return eventually([&] {
      const auto s = enforcer_.status();
      return s.revision == revision && !s.pending;
    });
  }

  FakeKernel kernel_;
  PolicyEnforcer enforcer_;
};

TEST_F(PolicyEnforcerTest, AppliesOnThePolicyThreadAndReportsTheRevision) {
  EXPECT_EQ(enforcer_.status().dataplane, "fake");
  enforcer_.submit(state(8080), 7);
  ASSERT_TRUE(settled_at(7));
  const PolicyStatus s = enforcer_.status();
  EXPECT_EQ(s.error, "");
  EXPECT_NE(s.program_text.find("cali0web"), std::string::npos) << s.program_text;
  EXPECT_EQ(kernel_.applied_ports, std::vector<std::size_t>{8080});
  EXPECT_NE(kernel_.apply_thread, std::this_thread::get_id());
  // The same program again is not handed to the back-end.
  enforcer_.submit(state(8080), 8);
  ASSERT_TRUE(settled_at(8));
  EXPECT_EQ(applies(), 1U);
}

TEST_F(PolicyEnforcerTest, StatesSubmittedDuringAnApplyCoalesceIntoTheNewest) {
  hold(true);
  enforcer_.submit(state(1001), 1);
  ASSERT_TRUE(eventually([&] { return applies() == 1; }));
  // The apply of revision 1 is in progress: submits neither wait for it nor pile up.
  const auto start = std::chrono::steady_clock::now();
  for (int r = 2; r <= 5; ++r) enforcer_.submit(state(1000 + r), r);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_TRUE(enforcer_.status().pending);
  EXPECT_EQ(enforcer_.status().revision, 0);  // status() does not wait for the apply either
  hold(false);
  ASSERT_TRUE(settled_at(5));
  EXPECT_EQ(kernel_.applied_ports, (std::vector<std::size_t>{1001, 1005}));
  EXPECT_NE(enforcer_.status().program_text.find("1005"), std::string::npos);
}

TEST_F(PolicyEnforcerTest, ARefusedStateKeepsTheProgramInForceAndSaysWhy) {
  enforcer_.submit(state(8080), 1);
  ASSERT_TRUE(settled_at(1));
  const std::string in_force = enforcer_.status().program_text;
  {
    std::lock_guard lock(kernel_.mutex);
    kernel_.refuse = true;
  }
  enforcer_.submit(state(9090), 2);
  ASSERT_TRUE(settled_at(2));
  EXPECT_EQ(enforcer_.status().error, "refused by the fake");
  EXPECT_EQ(enforcer_.status().program_text, in_force);
  {
    std::lock_guard lock(kernel_.mutex);
    kernel_.refuse = false;
  }
  enforcer_.submit(state(9090), 3);
  ASSERT_TRUE(settled_at(3));
  EXPECT_EQ(enforcer_.status().error, "");
  EXPECT_NE(enforcer_.status().program_text.find("9090"), std::string::npos);
}

class PolicyEnforcerRetryTest : public PolicyEnforcerTest {
 protected:
  PolicyEnforcerRetryTest() : PolicyEnforcerTest(20ms) {}
};

TEST_F(PolicyEnforcerRetryTest, AppliesAgainWhileAnInterfaceIsMissing) {
  {
    std::lock_guard lock(kernel_.mutex);
    kernel_.missing_interfaces = {"cali0web"};
  }
  enforcer_.submit(state(8080), 1);
  ASSERT_TRUE(eventually([&] { return applies() >= 3; }));
  EXPECT_EQ(enforcer_.status().pending_interfaces, std::vector<std::string>{"cali0web"});
  {
    std::lock_guard lock(kernel_.mutex);
    kernel_.missing_interfaces.clear();
  }
  ASSERT_TRUE(eventually([&] { return enforcer_.status().pending_interfaces.empty(); }));
  const std::size_t settled = applies();
  std::this_thread::sleep_for(100ms);  // five retry intervals: no more applies
  EXPECT_EQ(applies(), settled);
}

TEST_F(PolicyEnforcerTest, CountersAreReadOnThePolicyThread) {
  enforcer_.submit(state(8080), 1);
  ASSERT_TRUE(settled_at(1));
  const auto counters = enforcer_.counters();
  ASSERT_EQ(counters.size(), 1U);
  EXPECT_EQ(counters[0].packets, 3U);
  EXPECT_EQ(kernel_.counters_thread, kernel_.apply_thread);
}

}  // namespace
}  // namespace pinto::daemon
