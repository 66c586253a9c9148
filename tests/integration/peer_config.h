// PeerConfig: what a reference BGP speaker (BIRD 2, FRR bgpd, GoBGP) is told to be, in one
// daemon-neutral shape. Each wrapper translates it into its own config language, so a test can
// run the same scenario against all three.
//
// Defaults favour fast tests: the wrappers retry connections every second and shorten the
// daemons' back-off after errors, but leave hold/keepalive timers at the daemons' defaults
// unless `hold_time` is set.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pinto::itest {

/// RFC 4724 graceful restart, as advertised to one neighbor.
struct GracefulRestartConfig {
  bool enabled = false;
  /// Restart Time advertised in the capability (RFC 4724 §3), at most 4095 s.
  /// FRR has a single, global restart time: it takes the first enabled neighbor's.
  std::chrono::seconds restart_time{120};
};

/// One BGP neighbor of the daemon.
struct NeighborConfig {
  /// The neighbor's address, IPv4 or IPv6; also the session's transport family.
  std::string address;
  std::uint32_t remote_as = 0;
  /// Source address of the session; by default the daemon picks one by routing.
  std::optional<std::string> local_address;
  /// RFC 2385 TCP MD5 password; a plain token (no spaces or quotes).
  std::optional<std::string> password;
  /// Wait for the neighbor to connect; never open the TCP connection ourselves.
  bool passive = false;
  /// eBGP multihop: the TTL of outgoing packets. Unset = directly connected (TTL 1 for eBGP).
  std::optional<std::uint8_t> ebgp_multihop;
  /// RFC 5082 GTSM: accept only packets that crossed at most this many hops (1 = directly
  /// connected). Mutually exclusive with ebgp_multihop in FRR.
  std::optional<std::uint8_t> ttl_security_hops;
  /// Address families negotiated (RFC 4760), independent of the transport family.
  bool ipv4 = true;
  bool ipv6 = false;
  GracefulRestartConfig graceful_restart;
  /// Proposed hold time (keepalive = hold / 3). Unset = the daemon's default (90 s or 180 s).
  std::optional<std::chrono::seconds> hold_time;
  /// ADD-PATH (RFC 7911) both ways on every channel (BIRD `add paths on`; BIRD only).
  bool add_paths = false;
};

/// A whole reference speaker.
struct PeerConfig {
  std::uint32_t local_as = 0;
  std::string router_id;  // dotted quad
  std::vector<NeighborConfig> neighbors;
  /// Prefixes originated from the start (IPv4 and IPv6 mixed); announce()/withdraw() change the
  /// set later.
  std::vector<std::string> originated;
  /// NEXT_HOP written on originated IPv6 routes. Needed when IPv6 routes travel over an IPv4
  /// session: GoBGP would otherwise send its IPv4 address (which BIRD rejects as "mismatched
  /// address family") and bgpd without zebra knows no interface address to use. BIRD finds the
  /// interface's global address itself, but honours this too.
  std::optional<std::string> ipv6_next_hop;
  /// NEXT_HOP written on originated IPv4 routes sent over an IPv6 session. FRR without zebra
  /// knows no IPv4 address to use there and sends nothing; BIRD and GoBGP need no help.
  std::optional<std::string> ipv4_next_hop;
};

/// Throws HarnessError naming the first field that a wrapper could not turn into a valid config:
/// missing AS numbers, malformed addresses or prefixes, passwords that are not plain tokens, a
/// restart time over 4095 s. Addresses and prefixes are canonicalised in place.
void validate(PeerConfig& config);

/// The neighbor whose address equals `address` (any spelling), or nullptr.
const NeighborConfig* find_neighbor(const PeerConfig& config, std::string_view address);

/// True for an iBGP session (same AS on both ends).
inline bool is_ibgp(const PeerConfig& config, const NeighborConfig& n) {
  return n.remote_as == config.local_as;
}

}  // namespace pinto::itest
