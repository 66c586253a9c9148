// OPEN handling (RFC 4271 §6.2, RFC 5492): building our OPEN from the peer configuration, checking
// the peer's, and computing what the session negotiated. Pure; Session calls it.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "bgp/peer_config.h"
#include "bgp/wire/message.h"
#include "common/result.h"

namespace pinto::bgp {

struct Negotiated {
  std::uint32_t peer_as = 0;
  std::uint32_t peer_router_id = 0;
  std::uint16_t hold_time = 0;  // min(ours, theirs); 0 = no keepalives
  bool four_octet_as = false;
  bool route_refresh = false;
  bool enhanced_route_refresh = false;
  bool extended_message = false;
  bool ipv4_unicast = false;
  bool ipv6_unicast = false;
  /// ADD-PATH (RFC 7911 §4): families whose NLRI carry path identifiers from the peer / to it.
  wire::AddPathMask add_path_receive;
  wire::AddPathMask add_path_send;
  /// The peer's graceful-restart capability, when it sent one (RFC 4724).
  std::optional<wire::GracefulRestartCapability> peer_graceful_restart;

  bool carries(wire::AfiSafi family) const {
    return family == wire::AfiSafi::ipv4_unicast()   ? ipv4_unicast
           : family == wire::AfiSafi::ipv6_unicast() ? ipv6_unicast
                                                     : false;
  }
  std::vector<wire::AfiSafi> families() const;
  /// True when the peer promised to keep forwarding `family` across its restart (the F bit).
  bool peer_preserved_forwarding(wire::AfiSafi family) const;
  wire::DecodeContext decode_context(bool ebgp) const;
  wire::EncodeContext encode_context() const;
};

struct OpenOptions {
  /// RFC 4724 R bit: we restarted and peers should keep our routes until our End-of-RIB.
  bool restarting = false;
  /// RFC 4724 F bit per family: our forwarding state (kernel routes) survived the restart.
  bool forwarding_preserved = false;
};

wire::Open build_open(const PeerConfig& config, const OpenOptions& options);

/// Checks the peer's OPEN against ours and the configuration; on success, what was negotiated,
/// otherwise the NOTIFICATION to send (OPEN Message Error with the RFC 4271 §6.2 subcode).
Result<Negotiated, wire::Notification> negotiate(const PeerConfig& config, const wire::Open& ours,
                                                 const wire::Open& theirs);

}  // namespace pinto::bgp
