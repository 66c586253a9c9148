#include "integration/peer_config.h"

#include "integration/cli_text.h"
#include "integration/harness_error.h"

namespace pinto::itest {
namespace {

std::string require_address(std::string_view text, const std::string& what) {
  auto a = canonical_address(text);
  if (!a) throw HarnessError(what + ": not an IP address: '" + std::string(text) + "'");
  return *a;
}

}  // namespace

void validate(PeerConfig& config) {
  if (config.local_as == 0) throw HarnessError("PeerConfig.local_as: must be set");
  config.router_id = require_address(config.router_id, "PeerConfig.router_id");
  if (is_ipv6(config.router_id)) throw HarnessError("PeerConfig.router_id: must be IPv4");
  if (config.ipv4_next_hop) {
    config.ipv4_next_hop = require_address(*config.ipv4_next_hop, "PeerConfig.ipv4_next_hop");
    if (is_ipv6(*config.ipv4_next_hop))
      throw HarnessError("PeerConfig.ipv4_next_hop: must be IPv4");
  }
  if (config.ipv6_next_hop) {
    config.ipv6_next_hop = require_address(*config.ipv6_next_hop, "PeerConfig.ipv6_next_hop");
    if (!is_ipv6(*config.ipv6_next_hop)) {
      throw HarnessError("PeerConfig.ipv6_next_hop: must be IPv6");
    }
  }
  for (auto& p : config.originated) p = require_prefix(p, "PeerConfig.originated");
  for (std::size_t i = 0; i < config.neighbors.size(); ++i) {
    NeighborConfig& n = config.neighbors[i];
    const std::string field = "PeerConfig.neighbors[" + std::to_string(i) + "]";
    n.address = require_address(n.address, field + ".address");
    if (n.remote_as == 0) throw HarnessError(field + ".remote_as: must be set");
    if (n.local_address)
      n.local_address = require_address(*n.local_address, field + ".local_address");
    if (n.password) require_config_token(*n.password, field + ".password");
    if (!n.ipv4 && !n.ipv6) throw HarnessError(field + ": enable ipv4 or ipv6");
    if (n.graceful_restart.restart_time.count() < 0 ||
        n.graceful_restart.restart_time.count() > 4095) {
      throw HarnessError(field + ".graceful_restart.restart_time: 0..4095 s (RFC 4724 §3)");
    }
    // RFC 4271 §4.2: the hold time is zero or at least three seconds.
    if (n.hold_time && n.hold_time->count() != 0 && n.hold_time->count() < 3) {
      throw HarnessError(field + ".hold_time: 0 or >= 3 s (RFC 4271 §4.2)");
    }
    if (n.ebgp_multihop && n.ttl_security_hops) {
      throw HarnessError(field + ": ebgp_multihop and ttl_security_hops exclude each other");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (config.neighbors[j].address == n.address) {
        throw HarnessError(field + ".address: duplicate " + n.address);
      }
    }
  }
}

const NeighborConfig* find_neighbor(const PeerConfig& config, std::string_view address) {
  auto canonical = canonical_address(address);
  if (!canonical) return nullptr;
  for (const auto& n : config.neighbors) {
    if (n.address == *canonical) return &n;
  }
  return nullptr;
}

}  // namespace pinto::itest
