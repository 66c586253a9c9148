#include "bgp/socket_options.h"

#include <arpa/inet.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace pinto::bgp {

namespace {

std::error_code last_error() {
  return {errno, std::generic_category()};
}

std::error_code set_int(int fd, int level, int option, int value) {
  if (::setsockopt(fd, level, option, &value, sizeof value) != 0) return last_error();
  return {};
}

}  // namespace

std::error_code set_tcp_md5(int fd, bool socket_is_v6, const IpAddress& peer,
                            const std::string& key) {
  if (key.size() > TCP_MD5SIG_MAXKEYLEN) return std::make_error_code(std::errc::invalid_argument);
  tcp_md5sig sig{};
  if (peer.is_v4() && !socket_is_v6) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&sig.tcpm_addr);
    sin->sin_family = AF_INET;
    std::memcpy(&sin->sin_addr, peer.data(), 4);
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&sig.tcpm_addr);
    sin6->sin6_family = AF_INET6;
    if (peer.is_v4()) {  // ::ffff:a.b.c.d
      sin6->sin6_addr.s6_addr[10] = 0xff;
      sin6->sin6_addr.s6_addr[11] = 0xff;
      std::memcpy(&sin6->sin6_addr.s6_addr[12], peer.data(), 4);
    } else {
      std::memcpy(&sin6->sin6_addr, peer.data(), 16);
    }
  }
  sig.tcpm_keylen = static_cast<std::uint16_t>(key.size());
  std::memcpy(sig.tcpm_key, key.data(), key.size());
  if (::setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &sig, sizeof sig) != 0) {
    // Removing a key that was never installed is not an error worth reporting.
    if (key.empty() && errno == ENOENT) return {};
    return last_error();
  }
  return {};
}

std::error_code set_ttl(int fd, bool socket_is_v6, int ttl) {
  if (socket_is_v6) {
    if (auto ec = set_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, ttl)) return ec;
    // v4-mapped traffic on a dual-stack socket still uses the IPv4 TTL.
    set_int(fd, IPPROTO_IP, IP_TTL, ttl);
    return {};
  }
  return set_int(fd, IPPROTO_IP, IP_TTL, ttl);
}

std::error_code set_min_ttl(int fd, bool socket_is_v6, int min_ttl) {
  if (socket_is_v6) {
    if (auto ec = set_int(fd, IPPROTO_IPV6, IPV6_MINHOPCOUNT, min_ttl)) return ec;
    set_int(fd, IPPROTO_IP, IP_MINTTL, min_ttl);
    return {};
  }
  return set_int(fd, IPPROTO_IP, IP_MINTTL, min_ttl);
}

std::error_code set_no_delay(int fd) {
  return set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1);
}

}  // namespace pinto::bgp
