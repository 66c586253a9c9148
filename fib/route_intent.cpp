#include "fib/route_intent.h"

#include <algorithm>

namespace pinto::fib {

namespace {

const EncapsulatedRange* range_of(const IpPrefix& prefix,
                                  std::span<const EncapsulatedRange> encapsulation) {
  for (const auto& range : encapsulation) {
    if (range.pool.address().is_v4() == prefix.address().is_v4() && range.pool.contains(prefix))
      return &range;
  }
  return nullptr;
}

}  // namespace

std::optional<KernelRoute> learned_route(const IpPrefix& prefix,
                                         std::span<const IpAddress> next_hops,
                                         std::span<const EncapsulatedRange> encapsulation) {
  const EncapsulatedRange* range = range_of(prefix, encapsulation);
  KernelRoute route;
  route.prefix = prefix;
  for (const IpAddress& gateway : next_hops) {
    if (gateway.is_unspecified()) continue;
    NextHop hop{gateway, "", false, 1};
    // A tunnel carries its own family only: an IPv6 next hop of an IPv4 pool goes direct.
    const bool tunnelled = range != nullptr && gateway.is_v4() == prefix.address().is_v4() &&
                           !(range->direct_subnet && range->direct_subnet->contains(gateway));
    if (tunnelled) {
      hop.device = range->device;
      hop.onlink = true;
    }
    route.next_hops.push_back(std::move(hop));
  }
  if (route.next_hops.empty()) return std::nullopt;
  std::sort(route.next_hops.begin(), route.next_hops.end());
  route.next_hops.erase(std::unique(route.next_hops.begin(), route.next_hops.end()),
                        route.next_hops.end());
  return route;
}

}  // namespace pinto::fib
