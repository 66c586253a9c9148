// What the kernel should hold for a prefix learned over BGP: pure, so every rule (tunnels,
// CrossSubnet, ECMP, IPv4 via IPv6) is unit-tested without a kernel.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/ip_address.h"
#include "fib/kernel_route.h"

namespace pinto::fib {

/// An IPPool whose routes go through a tunnel (Calico's ipipMode / vxlanMode Always or
/// CrossSubnet).
struct EncapsulatedRange {
  IpPrefix pool;
  std::string device;  // vxlan.calico, vxlan-v6.calico, tunl0
  /// CrossSubnet: next hops inside this node's own subnet are reached directly, the others
  /// through the tunnel. Unset: Always.
  std::optional<IpPrefix> direct_subnet;
};

/// The route for `prefix` via `next_hops` (several: ECMP, one route with several next hops).
/// Unspecified next hops are dropped; none left means no route. A prefix inside an encapsulated
/// pool goes via each next hop through the pool's device, `onlink` (the remote node is not on a
/// subnet of the tunnel); an IPv4 prefix may have IPv6 next hops (RFC 8950, written as RTA_VIA).
std::optional<KernelRoute> learned_route(const IpPrefix& prefix,
                                         std::span<const IpAddress> next_hops,
                                         std::span<const EncapsulatedRange> encapsulation);

}  // namespace pinto::fib
