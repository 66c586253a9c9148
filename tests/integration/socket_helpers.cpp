#include "integration/socket_helpers.h"

#include <arpa/inet.h>
#include <poll.h>

#include "integration/in_netns.h"

namespace pinto::itest {

int socket_in(const Netns& netns, int family, int type, int protocol) {
  InNetns in(netns);
  return ::socket(family, type | SOCK_CLOEXEC, protocol);
}

sockaddr_storage socket_address(const std::string& text, int port, socklen_t& length) {
  sockaddr_storage storage{};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  length = 0;
  if (inet_pton(AF_INET, text.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<std::uint16_t>(port));
    length = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, text.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<std::uint16_t>(port));
    length = sizeof(sockaddr_in6);
  }
  return storage;
}

bool wait_for(int fd, short events, std::chrono::milliseconds timeout) {
  pollfd p{fd, events, 0};
  return ::poll(&p, 1, static_cast<int>(timeout.count())) == 1;
}

}  // namespace pinto::itest
