// Sockets for the probes (tcp_probe, packet_probe): made inside a test's namespace, then used
// from the test thread. A socket stays in the namespace it was made in.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "integration/netns.h"

namespace pinto::itest {

/// Owns a file descriptor; -1 is none.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

/// socket(family, type | SOCK_CLOEXEC, protocol) inside `netns`.
int socket_in(const Netns& netns, int family, int type, int protocol = 0);

/// The IPv4 or IPv6 socket address of `text`:`port`; `length` 0 when the text is neither.
sockaddr_storage socket_address(const std::string& text, int port, socklen_t& length);

/// Whether `fd` has one of `events` within `timeout`.
bool wait_for(int fd, short events, std::chrono::milliseconds timeout);

}  // namespace pinto::itest
