// The Linux socket options a BGP transport needs, behind small functions that return an error
// instead of throwing: TCP MD5 signatures (RFC 2385), TTL / GTSM (RFC 5082), source binding.
#pragma once

#include <string>
#include <system_error>

#include "common/ip_address.h"

namespace pinto::bgp {

/// Installs (or, with an empty key, removes) the TCP MD5 key for `peer` on socket `fd`. On an
/// AF_INET6 socket an IPv4 peer is keyed as its v4-mapped address, which is how a dual-stack
/// listener sees it.
std::error_code set_tcp_md5(int fd, bool socket_is_v6, const IpAddress& peer,
                            const std::string& key);

/// The TTL (hop limit) our packets leave with.
std::error_code set_ttl(int fd, bool socket_is_v6, int ttl);
/// GTSM: drop packets that arrive with a TTL below `min_ttl` (255 - hops + 1).
std::error_code set_min_ttl(int fd, bool socket_is_v6, int min_ttl);
std::error_code set_no_delay(int fd);

}  // namespace pinto::bgp
