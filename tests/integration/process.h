// Child processes for the integration harness: long-running daemons (`Subprocess`) and short CLI
// queries (`run`), plus the bounded polling loop every test waits with (`wait_until`).
//
// Safety rules this file exists to enforce:
//  - A process is only ever signalled through the PID we forked ourselves, and never after we
//    reaped it (a reaped PID may already belong to someone else). Nothing here kills by name.
//  - Every wait has a deadline: a stopped (SIGSTOP) daemon makes its CLI hang, and a test must
//    fail with a message, not hang until the CI timeout.
//  - Children get PR_SET_PDEATHSIG(SIGKILL), so a test binary that crashes or is killed by ctest's
//    timeout does not leave daemons running.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pinto::itest {

using namespace std::chrono_literals;

/// What a short command printed and how it ended.
struct RunResult {
  /// The exit status; 128 + signal number when it died of a signal; -1 when it timed out or
  /// could not be started.
  int exit_code = -1;
  /// stdout and stderr, interleaved as the command wrote them.
  std::string output;
  bool timed_out = false;

  bool ok() const { return exit_code == 0; }
};

/// Runs `argv` (argv[0] looked up in PATH, no shell) with stdin from /dev/null and waits at most
/// `timeout`; a command still running then is killed with SIGKILL and reaped.
RunResult run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout = 10s);

/// Like run(), but throws HarnessError (naming the command and quoting its output) unless the
/// command exits 0. Returns the output. For setup steps whose failure ends the test.
std::string run_or_throw(const std::vector<std::string>& argv,
                         std::chrono::milliseconds timeout = 10s);

/// Polls `predicate` every `poll_interval` until it returns true (-> true) or `timeout` has passed
/// (-> false). The predicate is evaluated one last time at the deadline, so a condition that
/// becomes true during the final sleep is not missed.
bool wait_until(const std::function<bool()>& predicate, std::chrono::milliseconds timeout,
                std::chrono::milliseconds poll_interval = 200ms);

/// Quotes `argv` for messages ("ip netns add x"), never for a shell.
std::string describe(const std::vector<std::string>& argv);

/// A daemon started with fork/execvp; stdout and stderr are appended to a log file.
///
/// The destructor calls stop(), so a test that fails half-way still ends its daemons.
/// Not copyable; movable so wrappers can hold one in an optional and restart it.
class Subprocess {
 public:
  /// Starts `argv` now. Throws HarnessError if the log file cannot be opened or execvp fails
  /// (reported back from the child over a close-on-exec pipe).
  Subprocess(std::vector<std::string> argv, std::filesystem::path log_path);
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;
  Subprocess(Subprocess&& other) noexcept;
  Subprocess& operator=(Subprocess&& other) noexcept;

  /// The PID we forked (with `ip netns exec`, the daemon itself: ip execs without forking).
  pid_t pid() const { return pid_; }
  const std::vector<std::string>& argv() const { return argv_; }
  const std::filesystem::path& log_path() const { return log_path_; }

  /// True while the child has not exited. Reaps it if it has, recording the status.
  bool running();
  /// The wait status text ("exited 0", "killed by signal 9") once reaped, nullopt while running.
  std::optional<std::string> exit_description();

  /// Sends `sig` (SIGSTOP, SIGCONT, SIGKILL, SIGTERM, ...) to our child. Returns false when the
  /// child is already reaped, so a stale PID is never signalled.
  bool signal(int sig);

  /// SIGTERM (plus SIGCONT, in case the child is stopped), waits up to `grace`, then SIGKILL and
  /// waits up to 5 s more. Reaps the child. Idempotent.
  void stop(std::chrono::milliseconds grace = 5s);

 private:
  /// Non-blocking reap; true if the child is gone (now or before).
  bool reap_nonblocking();

  std::vector<std::string> argv_;
  std::filesystem::path log_path_;
  pid_t pid_ = -1;
  std::optional<int> wait_status_;  // set once reaped; pid_ is never signalled after that
};

}  // namespace pinto::itest
