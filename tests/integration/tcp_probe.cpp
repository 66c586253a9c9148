#include "integration/tcp_probe.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "integration/socket_helpers.h"

namespace pinto::itest {

namespace {

std::string errno_text(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

}  // namespace

std::string tcp_exchange(const TcpEndpoint& client, const TcpEndpoint& server, int port,
                         std::chrono::milliseconds timeout) {
  socklen_t server_length = 0;
  socklen_t client_length = 0;
  const auto server_address = socket_address(server.address, port, server_length);
  const auto client_address = socket_address(client.address, 0, client_length);
  if (server_length == 0 || client_length == 0) return "not an address";
  const int family = server_address.ss_family;

  Fd listener(socket_in(server.netns, family, SOCK_STREAM));
  if (listener.get() < 0) return errno_text("socket");
  const int one = 1;
  ::setsockopt(listener.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(listener.get(), reinterpret_cast<const sockaddr*>(&server_address), server_length) !=
          0 ||
      ::listen(listener.get(), 4) != 0)
    return errno_text("listen on " + server.address);

  Fd connection(socket_in(client.netns, family, SOCK_STREAM | SOCK_NONBLOCK));
  if (connection.get() < 0) return errno_text("socket");
  if (::bind(connection.get(), reinterpret_cast<const sockaddr*>(&client_address), client_length) !=
      0)
    return errno_text("bind to " + client.address);
  if (::connect(connection.get(), reinterpret_cast<const sockaddr*>(&server_address),
                server_length) != 0 &&
      errno != EINPROGRESS)
    return errno_text("connect");
  if (!wait_for(connection.get(), POLLOUT, timeout)) return "connect timed out";
  int error = 0;
  socklen_t error_length = sizeof error;
  ::getsockopt(connection.get(), SOL_SOCKET, SO_ERROR, &error, &error_length);
  if (error != 0) return std::string("connect: ") + std::strerror(error);
  if (!wait_for(listener.get(), POLLIN, timeout)) return "accept timed out";
  Fd accepted(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  if (accepted.get() < 0) return errno_text("accept");

  const std::string line = "pinto\n";
  if (::send(connection.get(), line.data(), line.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(line.size()))
    return errno_text("send");
  if (!wait_for(accepted.get(), POLLIN, timeout)) return "nothing arrived";
  char buffer[16] = {};
  const ssize_t n = ::recv(accepted.get(), buffer, sizeof buffer, 0);
  if (n != static_cast<ssize_t>(line.size()) || line != std::string(buffer, line.size()))
    return "the bytes did not arrive intact";
  return {};
}

}  // namespace pinto::itest
