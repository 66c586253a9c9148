#include "fib/kernel_route.h"

namespace pinto::fib {

std::string to_string(const KernelRoute& route) {
  std::string out = route.prefix.to_string();
  if (route.type == RouteType::Blackhole) return out + " blackhole";
  for (const auto& nh : route.next_hops) {
    out += nh.gateway.is_unspecified() ? " dev " + nh.device : " via " + nh.gateway.to_string();
    if (!nh.device.empty() && !nh.gateway.is_unspecified()) out += " dev " + nh.device;
    if (nh.onlink) out += " onlink";
    if (route.next_hops.size() > 1) out += " weight " + std::to_string(nh.weight);
  }
  return out;
}

}  // namespace pinto::fib
