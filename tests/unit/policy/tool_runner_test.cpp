// The tool runner: stdin in, stdout out, errors that carry stderr, a bounded wait.
#include "policy/iptables/tool_runner.h"

#include <gtest/gtest.h>

namespace pinto::policy::iptables {
namespace {

using namespace std::chrono_literals;

TEST(ToolRunner, FeedsStdinAndReturnsStdout) {
  auto out = run_tool({"cat"}, "line one\nline two\n", 5s);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out.value(), "line one\nline two\n");
}

TEST(ToolRunner, LargeInputAndOutputDoNotDeadlock) {
  // More than a pipe buffer each way: stdin must be written while stdout is read.
  const std::string big(1 << 20, 'x');
  auto out = run_tool({"cat"}, big, 10s);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out.value().size(), big.size());
}

TEST(ToolRunner, FailureNamesCommandStatusAndStderr) {
  auto out = run_tool({"sh", "-c", "echo 'line 3 failed' >&2; exit 2"}, "", 5s);
  ASSERT_FALSE(out);
  EXPECT_NE(out.error().message.find("exit status 2"), std::string::npos) << out.error().message;
  EXPECT_NE(out.error().message.find("line 3 failed"), std::string::npos) << out.error().message;
  EXPECT_NE(out.error().message.find("sh -c"), std::string::npos) << out.error().message;
}

TEST(ToolRunner, MissingToolIsAnError) {
  auto out = run_tool({"pinto-no-such-tool"}, "", 5s);
  ASSERT_FALSE(out);
  EXPECT_NE(out.error().message.find("exit status 127"), std::string::npos);
}

TEST(ToolRunner, HungToolIsKilledAtTheDeadline) {
  const auto start = std::chrono::steady_clock::now();
  auto out = run_tool({"sleep", "30"}, "", 200ms);
  ASSERT_FALSE(out);
  EXPECT_NE(out.error().message.find("no exit within 200 ms"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

}  // namespace
}  // namespace pinto::policy::iptables
