// Packet probes beside tcp_probe.h: a UDP request and its reply, and one raw IPv4 packet of any
// protocol (ICMP with a type and code, GRE, ...) seen by a raw socket at the destination. Sockets
// are made inside the namespaces (InNetns) and used from the test thread, as in tcp_probe.cpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "integration/tcp_probe.h"

namespace pinto::itest {

/// Sends one datagram from `client` (its address, an ephemeral port) to `server`:`port` and
/// answers it from the server: empty when both the request and the reply arrived, otherwise
/// what failed ("request did not arrive", "reply did not arrive").
std::string udp_exchange(const TcpEndpoint& client, const TcpEndpoint& server, int port,
                         std::chrono::milliseconds timeout = std::chrono::seconds(2));

/// Sends one IPv4 packet of `protocol` from `source` to `destination`; for ICMP (1) it is an
/// ICMP message of `icmp_type`/`icmp_code` with a valid checksum. Empty when a raw socket in
/// the destination namespace received it, otherwise what failed.
std::string raw_ipv4_probe(const TcpEndpoint& source, const TcpEndpoint& destination,
                           std::uint8_t protocol, std::uint8_t icmp_type = 0,
                           std::uint8_t icmp_code = 0,
                           std::chrono::milliseconds timeout = std::chrono::seconds(2));

}  // namespace pinto::itest
