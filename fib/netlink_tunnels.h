// Tunnel devices and VXLAN flood lists through libnl3, for NetlinkFibWriter. Each call opens a
// short-lived socket in the calling thread's network namespace: these are rare operations (a
// pool's encapsulation changes, a remote node appears), never on the route hot path.
#pragma once

#include <string>

#include "common/result.h"
#include "fib/tunnel_device.h"

namespace pinto::fib {

Result<void> netlink_ensure_tunnel(const TunnelDevice& device);
Result<void> netlink_set_flood_list(const std::string& device, const FloodList& remotes);

}  // namespace pinto::fib
