#include "policy/iptables/tool_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pinto::policy::iptables {

namespace {

std::string command_text(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) out += (out.empty() ? "" : " ") + a;
  return out;
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

Result<std::string> run_tool(const std::vector<std::string>& argv, const std::string& input,
                             std::chrono::milliseconds timeout) {
  if (argv.empty()) return failure(Error{"run_tool: empty command"});
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return failure(Error{"pipe: " + std::string(strerror(errno))});
  if (::pipe2(out, O_CLOEXEC) != 0) {
    ::close(in[0]);
    ::close(in[1]);
    return failure(Error{"pipe: " + std::string(strerror(errno))});
  }
  if (::pipe2(err, O_CLOEXEC) != 0) {
    for (int fd : {in[0], in[1], out[0], out[1]}) ::close(fd);
    return failure(Error{"pipe: " + std::string(strerror(errno))});
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  const pid_t pid = ::fork();
  if (pid < 0) {
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) ::close(fd);
    return failure(Error{"fork: " + std::string(strerror(errno))});
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    ::execvp(args[0], args.data());
    _exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  int to_child = in[1], from_out = out[0], from_err = err[0];
  ::fcntl(to_child, F_SETFL, O_NONBLOCK);
  // A tool that exits early must not kill us with SIGPIPE: MSG_NOSIGNAL needs a socket, so
  // ignore the signal for this write loop's process (the daemon ignores it anyway).
  ::signal(SIGPIPE, SIG_IGN);
  if (input.empty()) close_fd(to_child);

  std::string stdout_text, stderr_text;
  std::size_t written = 0;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool timed_out = false;
  while (from_out >= 0 || from_err >= 0 || to_child >= 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd fds[3];
    int n = 0;
    if (to_child >= 0) fds[n++] = {to_child, POLLOUT, 0};
    if (from_out >= 0) fds[n++] = {from_out, POLLIN, 0};
    if (from_err >= 0) fds[n++] = {from_err, POLLIN, 0};
    const int ready = ::poll(fds, static_cast<nfds_t>(n), static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) break;
    for (int i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == to_child) {
        const ssize_t w = ::write(to_child, input.data() + written, input.size() - written);
        if (w > 0) written += static_cast<std::size_t>(w);
        if (w < 0 && errno != EAGAIN) written = input.size();  // EPIPE: the tool stopped reading
        if (written >= input.size()) close_fd(to_child);
        continue;
      }
      char buf[4096];
      const ssize_t r = ::read(fds[i].fd, buf, sizeof buf);
      if (r > 0) {
        (fds[i].fd == from_out ? stdout_text : stderr_text).append(buf, static_cast<size_t>(r));
      } else if (r == 0 || errno != EAGAIN) {
        close_fd(fds[i].fd == from_out ? from_out : from_err);
      }
    }
  }
  close_fd(to_child);
  close_fd(from_out);
  close_fd(from_err);
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    return failure(Error{command_text(argv) + ": no exit within " +
                         std::to_string(timeout.count()) + " ms; stderr: " + stderr_text});
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    const std::string how = WIFEXITED(status)
                                ? "exit status " + std::to_string(WEXITSTATUS(status))
                                : "killed by signal " + std::to_string(WTERMSIG(status));
    return failure(Error{command_text(argv) + ": " + how + ": " + stderr_text});
  }
  return stdout_text;
}

}  // namespace pinto::policy::iptables
