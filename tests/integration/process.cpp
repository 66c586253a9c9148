#include "integration/process.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>
#include <utility>

#include "integration/harness_error.h"

namespace pinto::itest {
namespace {

using Clock = std::chrono::steady_clock;

// execvp wants mutable char*; the strings must outlive the exec, so the caller keeps `argv`.
std::vector<char*> c_argv(std::vector<std::string>& argv) {
  std::vector<char*> out;
  out.reserve(argv.size() + 1);
  for (auto& a : argv) out.push_back(a.data());
  out.push_back(nullptr);
  return out;
}

std::string status_text(int status) {
  if (WIFEXITED(status)) return "exited " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "status " + std::to_string(status);
}

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Runs in the forked child before exec: only async-signal-safe calls from here on.
// PDEATHSIG: if the test binary dies without running destructors (crash, ctest timeout), the
// kernel kills its daemons too. It survives execve for non-setuid binaries, which ours are.
[[noreturn]] void exec_child(char* const* argv, int out_fd, int stdin_fd, int error_fd,
                             pid_t parent) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(127);  // the parent died before prctl took effect
  dup2(stdin_fd, STDIN_FILENO);
  dup2(out_fd, STDOUT_FILENO);
  dup2(out_fd, STDERR_FILENO);
  // The parent may have blocked or ignored signals; a daemon must start with the defaults or
  // SIGTERM would not stop it.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  signal(SIGPIPE, SIG_DFL);
  execvp(argv[0], argv);
  int err = errno;
  if (error_fd >= 0) {
    [[maybe_unused]] auto n = write(error_fd, &err, sizeof err);
  } else {
    static constexpr char kMsg[] = "execvp failed (not installed?)\n";
    [[maybe_unused]] auto n = write(out_fd, kMsg, sizeof kMsg - 1);
  }
  _exit(127);
}

int open_dev_null() {
  int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw HarnessError(std::string("open /dev/null: ") + std::strerror(errno));
  return fd;
}

}  // namespace

std::string describe(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += ' ';
    bool plain = !a.empty() && a.find_first_of(" \t\n'\"\\$") == std::string::npos;
    out += plain ? a : "'" + a + "'";
  }
  return out;
}

RunResult run(const std::vector<std::string>& argv_in, std::chrono::milliseconds timeout) {
  RunResult result;
  if (argv_in.empty()) {
    result.output = "run: empty argv";
    return result;
  }
  std::vector<std::string> argv = argv_in;
  std::vector<char*> cargv = c_argv(argv);

  int null_fd = open_dev_null();
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    close(null_fd);
    result.output = std::string("pipe2: ") + std::strerror(errno);
    return result;
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid == 0) exec_child(cargv.data(), pipe_fds[1], null_fd, -1, parent);
  close(pipe_fds[1]);
  close(null_fd);
  if (pid < 0) {
    close(pipe_fds[0]);
    result.output = std::string("fork: ") + std::strerror(errno);
    return result;
  }

  // Read until EOF or the deadline. The child's exit is checked on every turn as well: a
  // grandchild that inherited the pipe could keep it open long after the command finished.
  const auto deadline = Clock::now() + timeout;
  std::optional<int> status;
  bool eof = false;
  char buf[4096];
  while (!eof) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left <= 0ms) break;
    pollfd p{pipe_fds[0], POLLIN, 0};
    int slice = static_cast<int>(std::min<std::chrono::milliseconds>(left, 50ms).count());
    int r = poll(&p, 1, slice);
    if (r > 0) {
      ssize_t n = read(pipe_fds[0], buf, sizeof buf);
      if (n > 0) {
        result.output.append(buf, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        eof = true;
      }
    } else if (r < 0 && errno != EINTR) {
      break;
    }
    if (!status && r == 0) {
      int st = 0;
      if (waitpid(pid, &st, WNOHANG) == pid) {
        status = st;
        // Drain what is already buffered, then stop: the pipe may never see EOF.
        pollfd q{pipe_fds[0], POLLIN, 0};
        while (poll(&q, 1, 0) > 0) {
          ssize_t n = read(pipe_fds[0], buf, sizeof buf);
          if (n <= 0) break;
          result.output.append(buf, static_cast<std::size_t>(n));
        }
        eof = true;
      }
    }
  }
  close(pipe_fds[0]);

  // Wait for the exit within whatever time is left, then kill our own child and reap it.
  while (!status && Clock::now() < deadline) {
    int st = 0;
    if (waitpid(pid, &st, WNOHANG) == pid) {
      status = st;
      break;
    }
    std::this_thread::sleep_for(10ms);
  }
  if (!status) {
    kill(pid, SIGKILL);  // our own child, not yet reaped: the PID is still ours
    // SIGKILL acts at once unless the child is stuck in the kernel; do not hang on that either.
    wait_until([pid] { return waitpid(pid, nullptr, WNOHANG) != 0; }, 5s, 10ms);
    result.timed_out = true;
    result.exit_code = -1;
    result.output += "\n[timed out after " + std::to_string(timeout.count()) + " ms]";
    return result;
  }
  result.exit_code = exit_code_of(*status);
  return result;
}

std::string run_or_throw(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  RunResult r = run(argv, timeout);
  if (!r.ok()) {
    throw HarnessError("command failed (exit " + std::to_string(r.exit_code) +
                       "): " + describe(argv) + "\n" + r.output);
  }
  return r.output;
}

bool wait_until(const std::function<bool()>& predicate, std::chrono::milliseconds timeout,
                std::chrono::milliseconds poll_interval) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (predicate()) return true;
    const Clock::duration left = deadline - Clock::now();
    if (left <= Clock::duration::zero()) break;
    std::this_thread::sleep_for(std::min<Clock::duration>(poll_interval, left));
  }
  return predicate();
}

Subprocess::Subprocess(std::vector<std::string> argv, std::filesystem::path log_path)
    : argv_(std::move(argv)), log_path_(std::move(log_path)) {
  if (argv_.empty()) throw HarnessError("Subprocess: empty argv");
  // O_APPEND: a restarted daemon continues the same log, so a failure message shows both runs.
  int log_fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    throw HarnessError("open " + log_path_.string() + ": " + std::strerror(errno));
  }
  int null_fd = open_dev_null();
  int err_pipe[2];
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(log_fd);
    close(null_fd);
    throw HarnessError(std::string("pipe2: ") + std::strerror(errno));
  }
  std::vector<std::string> argv_copy = argv_;
  std::vector<char*> cargv = c_argv(argv_copy);
  const pid_t parent = getpid();
  pid_ = fork();
  if (pid_ == 0) exec_child(cargv.data(), log_fd, null_fd, err_pipe[1], parent);
  close(err_pipe[1]);
  close(log_fd);
  close(null_fd);
  if (pid_ < 0) {
    close(err_pipe[0]);
    throw HarnessError(std::string("fork: ") + std::strerror(errno));
  }
  // The error pipe is close-on-exec: EOF means execvp succeeded, an int means it failed.
  int child_errno = 0;
  ssize_t n;
  do {
    n = read(err_pipe[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  close(err_pipe[0]);
  if (n == static_cast<ssize_t>(sizeof child_errno)) {
    int st = 0;
    waitpid(pid_, &st, 0);
    wait_status_ = st;
    throw HarnessError("cannot execute " + describe(argv_) + ": " + std::strerror(child_errno));
  }
}

Subprocess::~Subprocess() {
  stop();
}

Subprocess::Subprocess(Subprocess&& other) noexcept
    : argv_(std::move(other.argv_)),
      log_path_(std::move(other.log_path_)),
      pid_(std::exchange(other.pid_, -1)),
      wait_status_(std::exchange(other.wait_status_, std::nullopt)) {}

Subprocess& Subprocess::operator=(Subprocess&& other) noexcept {
  if (this != &other) {
    stop();
    argv_ = std::move(other.argv_);
    log_path_ = std::move(other.log_path_);
    pid_ = std::exchange(other.pid_, -1);
    wait_status_ = std::exchange(other.wait_status_, std::nullopt);
  }
  return *this;
}

bool Subprocess::reap_nonblocking() {
  if (pid_ < 0 || wait_status_) return true;
  int st = 0;
  pid_t r = waitpid(pid_, &st, WNOHANG);
  if (r == pid_) {
    wait_status_ = st;
    return true;
  }
  // ECHILD: someone else reaped it; treat as gone and never signal that PID again.
  if (r < 0 && errno == ECHILD) {
    wait_status_ = -1;
    return true;
  }
  return false;
}

bool Subprocess::running() {
  return !reap_nonblocking();
}

std::optional<std::string> Subprocess::exit_description() {
  if (!reap_nonblocking()) return std::nullopt;
  if (!wait_status_ || *wait_status_ == -1) return "gone";
  return status_text(*wait_status_);
}

bool Subprocess::signal(int sig) {
  if (reap_nonblocking()) return false;
  return kill(pid_, sig) == 0;
}

void Subprocess::stop(std::chrono::milliseconds grace) {
  if (reap_nonblocking()) return;
  kill(pid_, SIGTERM);
  kill(pid_, SIGCONT);  // a SIGSTOPped daemon would not act on SIGTERM until continued
  if (wait_until([this] { return reap_nonblocking(); }, grace, 20ms)) return;
  kill(pid_, SIGKILL);
  wait_until([this] { return reap_nonblocking(); }, 5s, 20ms);
}

}  // namespace pinto::itest
