// Entry checks for integration tests: they need root (namespaces, veth, TCP MD5) and the peer
// daemons installed. Where either is missing the tests are skipped with the reason, not failed,
// so `ctest` stays green on a developer laptop without BIRD and still runs everything in CI.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace pinto::itest {

/// Every binary the peer wrappers and Netns run.
inline constexpr std::array<std::string_view, 8> kPeerTools = {
    "ip", "sysctl", "bird", "birdc", "/usr/lib/frr/bgpd", "vtysh", "gobgpd", "gobgp"};

/// Why the tests cannot run here ("not root", "missing: bird, vtysh"), or nullopt if they can.
/// A tool containing '/' is checked as a path, any other name is looked up in PATH.
std::optional<std::string> missing_prerequisites(
    std::span<const std::string_view> tools = kPeerTools);

/// GTEST_SKIP()s the current test when missing_prerequisites() names something. GTEST_SKIP only
/// returns from this function, so call it from a fixture's SetUp() (GoogleTest then does not run
/// the body) -- or use IntegrationTest, which does.
void require_root_and_tools(std::span<const std::string_view> tools = kPeerTools);

/// Base fixture: skips without root or tools, and once per suite removes namespaces left by an
/// earlier test binary that was killed before its destructors ran.
class IntegrationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  void SetUp() override { require_root_and_tools(); }
};

}  // namespace pinto::itest
