// Kernel routes in Pinto's own types: what the FIB writes and reads back. No libnl type leaves
// fib/ (netlink_fib_writer.cpp is the only file that includes <netlink/...>).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/ip_address.h"

namespace pinto::fib {

struct NextHop {
  IpAddress gateway;        // unspecified: a device route (scope link)
  std::string device;       // empty: the kernel picks it from the gateway
  bool onlink = false;      // RTNH_F_ONLINK: the gateway is not on a connected subnet (tunnels)
  std::uint8_t weight = 1;  // ECMP weight (1-256 in the kernel, stored minus one)
  friend bool operator==(const NextHop&, const NextHop&) = default;
  friend auto operator<=>(const NextHop&, const NextHop&) = default;
};

enum class RouteType : std::uint8_t { Unicast, Blackhole };

struct KernelRoute {
  IpPrefix prefix;
  RouteType type = RouteType::Unicast;
  std::vector<NextHop> next_hops;  // sorted; several = ECMP multipath
  std::uint32_t table = 254;
  std::uint8_t protocol = 196;
  friend bool operator==(const KernelRoute&, const KernelRoute&) = default;
};

struct FibChange {
  enum class Op : std::uint8_t { Replace, Delete };
  Op op = Op::Replace;
  KernelRoute route;
};

/// What went wrong with one change of a batch; the rest of the batch still applies.
struct FibError {
  std::size_t index;    // into the batch
  std::string message;  // "10.0.0.0/24: No such device"
};

std::string to_string(const KernelRoute& route);

}  // namespace pinto::fib
