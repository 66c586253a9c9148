// TcpProbe: real TCP between two network namespaces, from the test process itself. Each socket
// is created while the thread is inside its namespace (a socket stays in the namespace it was
// made in), then connect/accept/echo run from here with a bounded wait.
#pragma once

#include <chrono>
#include <string>

#include "integration/netns.h"

namespace pinto::itest {

struct TcpEndpoint {
  const Netns& netns;
  std::string address;  // "10.244.1.1"
};

/// Connects from `client` (bound to its address) to `server` at `port`, sends a line and reads it
/// back through the accepted connection. Empty on success, otherwise what failed.
std::string tcp_exchange(const TcpEndpoint& client, const TcpEndpoint& server, int port,
                         std::chrono::milliseconds timeout = std::chrono::seconds(3));

}  // namespace pinto::itest
