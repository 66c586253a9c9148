// Self-test of the process helpers the peer wrappers stand on: bounded waits and signalling
// only our own children. No root needed.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>

#include "integration/cli_text.h"
#include "integration/harness_error.h"
#include "integration/process.h"
#include "integration/temp_dir.h"

namespace pinto::itest {
namespace {

using Clock = std::chrono::steady_clock;

TEST(Run, CapturesOutputAndExitCode) {
  RunResult r = run({"sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_FALSE(r.timed_out);
  EXPECT_NE(r.output.find("out"), std::string::npos);
  EXPECT_NE(r.output.find("err"), std::string::npos);
}

TEST(Run, KillsACommandAtItsTimeout) {
  const auto start = Clock::now();
  RunResult r = run({"sleep", "30"}, 300ms);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.exit_code, -1);
  EXPECT_LT(Clock::now() - start, 3s);
}

TEST(Run, ReportsAMissingProgram) {
  RunResult r = run({"pinto-no-such-program"});
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_THROW(run_or_throw({"pinto-no-such-program"}), HarnessError);
}

TEST(WaitUntil, ReturnsFalseAfterTheTimeout) {
  const auto start = Clock::now();
  EXPECT_FALSE(wait_until([] { return false; }, 200ms, 50ms));
  EXPECT_GE(Clock::now() - start, 200ms);
  EXPECT_LT(Clock::now() - start, 2s);
}

TEST(Subprocess, StopsAChildThatIgnoresSigterm) {
  TempDir dir("pit-proc");
  // The child ignores SIGTERM and is SIGSTOPped: stop() must still end it, with SIGKILL.
  Subprocess p({"sh", "-c", "trap '' TERM; echo ready; while :; do sleep 1; done"},
               dir / "child.log");
  ASSERT_TRUE(wait_until(
      [&] { return tail_file(dir / "child.log").find("ready") != std::string::npos; }, 5s));
  EXPECT_TRUE(p.running());
  EXPECT_TRUE(p.signal(SIGSTOP));
  const auto start = Clock::now();
  p.stop(300ms);
  EXPECT_LT(Clock::now() - start, 5s);
  EXPECT_FALSE(p.running());
  EXPECT_EQ(p.exit_description(), "killed by signal 9");
  // Reaped: the PID may be reused by now, so it is never signalled again.
  EXPECT_FALSE(p.signal(SIGTERM));
}

TEST(Subprocess, ThrowsWhenTheProgramCannotBeExecuted) {
  TempDir dir("pit-proc");
  EXPECT_THROW(Subprocess({"pinto-no-such-program"}, dir / "x.log"), HarnessError);
}

}  // namespace
}  // namespace pinto::itest
