// raw_bgp_client: a deliberately naive BGP speaker for integration tests. It opens a TCP
// connection, optionally completes the OPEN/KEEPALIVE handshake, then writes raw bytes (hex from
// the command line, malformed on purpose) and prints every message it gets back, one per line:
//
//   OPEN <hex> | KEEPALIVE | UPDATE <hex> | NOTIFICATION <code> <subcode> <data hex> | CLOSED
//
//   raw_bgp_client ADDRESS PORT [--source ADDRESS] [--open AS ROUTER_ID] [HEX ...]
//
// Run it inside the test's namespace (ip netns exec). Every wait is bounded (5 s).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "bgp/wire/message.h"
#include "support/hex.h"

namespace {

using namespace pinto::bgp::wire;
using pinto::test::from_hex;
using pinto::test::to_hex;

constexpr int kWaitMs = 5000;

// Fills `ss` with ADDRESS:port; returns the sockaddr length, 0 if the address does not parse.
socklen_t endpoint(const std::string& address, int port, sockaddr_storage& ss) {
  ss = {};
  if (address.find(':') != std::string::npos) {
    auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons(static_cast<std::uint16_t>(port));
    return inet_pton(AF_INET6, address.c_str(), &s6->sin6_addr) == 1 ? sizeof *s6 : 0;
  }
  auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
  s4->sin_family = AF_INET;
  s4->sin_port = htons(static_cast<std::uint16_t>(port));
  return inet_pton(AF_INET, address.c_str(), &s4->sin_addr) == 1 ? sizeof *s4 : 0;
}

int connect_to(const std::string& address, int port, const std::string& source) {
  sockaddr_storage ss{};
  const socklen_t len = endpoint(address, port, ss);
  if (len == 0) return -1;
  const int fd = socket(ss.ss_family, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  const timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (!source.empty()) {
    sockaddr_storage local{};
    const socklen_t local_len = endpoint(source, 0, local);
    if (local_len == 0 || bind(fd, reinterpret_cast<sockaddr*>(&local), local_len) != 0) {
      close(fd);
      return -1;
    }
  }
  if (connect(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

bool send_all(int fd, const Bytes& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

// Reads messages and prints them until `until` returns true for one, the peer closes, or the
// deadline passes. Returns false when the connection closed.
template <class Until>
bool read_messages(int fd, Bytes& buffer, Until until) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kWaitMs);
  while (std::chrono::steady_clock::now() < deadline) {
    while (true) {
      auto length = frame(buffer, kMaxExtendedSize);
      if (!length || length.value() == 0) break;
      const ByteView message(buffer.data(), length.value());
      const auto type = message[18];
      bool stop = false;
      if (type == 3) {
        std::printf("NOTIFICATION %u %u %s\n", message[19], message[20],
                    to_hex(message.subspan(21)).c_str());
        stop = true;
      } else if (type == 4) {
        std::printf("KEEPALIVE\n");
      } else {
        std::printf("%s %s\n",
                    type == 1   ? "OPEN"
                    : type == 2 ? "UPDATE"
                                : "MESSAGE",
                    to_hex(message).c_str());
      }
      stop = until(type) || stop;
      buffer.erase(buffer.begin(), buffer.begin() + static_cast<long>(length.value()));
      if (stop) return true;
    }
    pollfd p{fd, POLLIN, 0};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (poll(&p, 1, static_cast<int>(std::max<long>(left.count(), 0))) <= 0) break;
    std::uint8_t chunk[65536];
    const ssize_t n = recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) {
      std::printf("CLOSED\n");
      return false;
    }
    buffer.insert(buffer.end(), chunk, chunk + n);
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: raw_bgp_client ADDRESS PORT [--source ADDRESS] [--open AS ROUTER_ID] "
                 "[HEX ...]\n");
    return 2;
  }
  int i = 3;
  std::string source;
  if (i + 1 < argc && std::strcmp(argv[i], "--source") == 0) {
    source = argv[i + 1];
    i += 2;
  }
  const int fd = connect_to(argv[1], std::atoi(argv[2]), source);
  if (fd < 0) {
    std::printf("CONNECT FAILED %s\n", std::strerror(errno));
    return 1;
  }
  Bytes buffer;
  if (i + 2 < argc && std::strcmp(argv[i], "--open") == 0) {
    Open open;
    const auto as = static_cast<std::uint32_t>(std::stoul(argv[i + 1]));
    open.my_as = as > 0xffff ? kAsTrans : static_cast<std::uint16_t>(as);
    open.hold_time = 90;
    in_addr id{};
    inet_pton(AF_INET, argv[i + 2], &id);
    open.bgp_identifier = ntohl(id.s_addr);
    open.capabilities = {MultiprotocolCapability{AfiSafi::ipv4_unicast()},
                         MultiprotocolCapability{AfiSafi::ipv6_unicast()},
                         FourOctetAsCapability{as}};
    Bytes bytes;
    (void)encode(open, {}, bytes);
    (void)encode(Keepalive{}, {}, bytes);
    send_all(fd, bytes);
    // Their OPEN, then their KEEPALIVE: the session is Established on their side.
    int seen = 0;
    if (!read_messages(fd, buffer, [&](std::uint8_t type) { return type == 4 && ++seen == 1; })) {
      close(fd);
      return 0;
    }
    i += 3;
  }
  for (; i < argc; ++i) {
    if (!send_all(fd, from_hex(argv[i]))) break;
  }
  read_messages(fd, buffer, [](std::uint8_t) { return false; });
  close(fd);
  return 0;
}
