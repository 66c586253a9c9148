#include "integration/packet_probe.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <vector>

#include "integration/socket_helpers.h"

namespace pinto::itest {

namespace {

std::uint16_t checksum(const std::vector<std::uint8_t>& bytes) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < bytes.size(); i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (bytes.size() % 2) sum += bytes.back() << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

}  // namespace

std::string udp_exchange(const TcpEndpoint& client, const TcpEndpoint& server, int port,
                         std::chrono::milliseconds timeout) {
  socklen_t server_length = 0, client_length = 0;
  const auto server_address = socket_address(server.address, port, server_length);
  const auto client_address = socket_address(client.address, 0, client_length);
  if (server_length == 0 || client_length == 0) return "not an address";
  const int family = server_address.ss_family;
  Fd listener(socket_in(server.netns, family, SOCK_DGRAM, 0));
  Fd sender(socket_in(client.netns, family, SOCK_DGRAM, 0));
  if (listener.get() < 0 || sender.get() < 0) return std::string("socket: ") + strerror(errno);
  if (::bind(listener.get(), reinterpret_cast<const sockaddr*>(&server_address), server_length) !=
      0)
    return std::string("bind server: ") + strerror(errno);
  if (::bind(sender.get(), reinterpret_cast<const sockaddr*>(&client_address), client_length) != 0)
    return std::string("bind client: ") + strerror(errno);
  const std::string request = "pinto?";
  if (::sendto(sender.get(), request.data(), request.size(), 0,
               reinterpret_cast<const sockaddr*>(&server_address), server_length) < 0)
    return std::string("sendto: ") + strerror(errno);
  if (!wait_for(listener.get(), POLLIN, timeout)) return "request did not arrive";
  char buf[64];
  sockaddr_storage from{};
  socklen_t from_length = sizeof from;
  const ssize_t n = ::recvfrom(listener.get(), buf, sizeof buf, 0,
                               reinterpret_cast<sockaddr*>(&from), &from_length);
  if (n != static_cast<ssize_t>(request.size())) return "request damaged";
  if (::sendto(listener.get(), "pinto!", 6, 0, reinterpret_cast<const sockaddr*>(&from),
               from_length) < 0)
    return std::string("reply sendto: ") + strerror(errno);
  if (!wait_for(sender.get(), POLLIN, timeout)) return "reply did not arrive";
  return {};
}

std::string raw_ipv4_probe(const TcpEndpoint& source, const TcpEndpoint& destination,
                           std::uint8_t protocol, std::uint8_t icmp_type, std::uint8_t icmp_code,
                           std::chrono::milliseconds timeout) {
  socklen_t dst_length = 0, src_length = 0;
  const auto dst = socket_address(destination.address, 0, dst_length);
  const auto src = socket_address(source.address, 0, src_length);
  if (dst.ss_family != AF_INET || src.ss_family != AF_INET) return "IPv4 only";
  Fd receiver(socket_in(destination.netns, AF_INET, SOCK_RAW, protocol));
  Fd sender(socket_in(source.netns, AF_INET, SOCK_RAW, protocol));
  if (receiver.get() < 0 || sender.get() < 0) return std::string("raw socket: ") + strerror(errno);
  if (::bind(sender.get(), reinterpret_cast<const sockaddr*>(&src), src_length) != 0)
    return std::string("bind: ") + strerror(errno);
  // A payload marked with a number unique to this probe, so earlier packets are not mistaken
  // for it. For ICMP: type, code, checksum, identifier, sequence.
  static std::atomic<std::uint16_t> next_id{0x5000};
  const std::uint16_t id = next_id++;
  std::vector<std::uint8_t> payload{
      icmp_type, icmp_code, 0, 0, static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id),
      0,         1};
  payload.resize(protocol == IPPROTO_ICMP && icmp_type == 13 ? 20 : 16, 0);  // timestamps
  if (protocol == IPPROTO_ICMP) {
    const std::uint16_t sum = checksum(payload);
    payload[2] = static_cast<std::uint8_t>(sum >> 8);
    payload[3] = static_cast<std::uint8_t>(sum);
  }
  if (::sendto(sender.get(), payload.data(), payload.size(), 0,
               reinterpret_cast<const sockaddr*>(&dst), dst_length) < 0)
    return std::string("sendto: ") + strerror(errno);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const in_addr want_source = reinterpret_cast<const sockaddr_in*>(&src)->sin_addr;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !wait_for(receiver.get(), POLLIN, left))
      return "packet did not arrive";
    std::uint8_t buf[256];
    const ssize_t n = ::recv(receiver.get(), buf, sizeof buf, 0);
    if (n < 20) continue;
    const std::size_t header = static_cast<std::size_t>(buf[0] & 0x0f) * 4;  // IPv4 header kept
    if (std::memcmp(buf + 12, &want_source, 4) != 0) continue;
    if (static_cast<std::size_t>(n) < header + 8) continue;
    const std::uint8_t* p = buf + header;
    if (p[0] == payload[0] && p[1] == payload[1] && p[4] == payload[4] && p[5] == payload[5]) {
      return {};
    }
  }
}

}  // namespace pinto::itest
