#include "bgp/negotiate.h"

#include <algorithm>

#include "bgp/wire/error.h"

namespace pinto::bgp {

namespace {

using wire::AfiSafi;

constexpr auto kOpenError = static_cast<std::uint8_t>(wire::ErrorCode::OpenMessage);

wire::Notification open_error(std::uint8_t subcode, wire::Bytes data = {}) {
  return wire::Notification{kOpenError, subcode, std::move(data)};
}

bool advertises_family(const wire::Open& open, AfiSafi family) {
  bool any_mp = false;
  for (const auto& c : open.capabilities) {
    if (const auto* mp = std::get_if<wire::MultiprotocolCapability>(&c)) {
      any_mp = true;
      if (mp->family == family) return true;
    }
  }
  // RFC 4760 §8: a speaker that sends no multiprotocol capability speaks IPv4 unicast only.
  return !any_mp && family == AfiSafi::ipv4_unicast();
}

// What one side said of `family` in its ADD-PATH capability (none: neither direction).
std::optional<wire::AddPathDirection> add_path_direction(const wire::Open& open, AfiSafi family) {
  const auto* cap = open.find<wire::AddPathCapability>();
  if (cap == nullptr) return std::nullopt;
  for (const auto& f : cap->families) {
    if (f.family == family) return f.direction;
  }
  return std::nullopt;
}

bool can_send(std::optional<wire::AddPathDirection> d) {
  return d == wire::AddPathDirection::Send || d == wire::AddPathDirection::Both;
}
bool can_receive(std::optional<wire::AddPathDirection> d) {
  return d == wire::AddPathDirection::Receive || d == wire::AddPathDirection::Both;
}

// RFC 7911 §5: path identifiers flow one way when the sender said Send and the receiver Receive.
void negotiate_add_path(const wire::Open& ours, const wire::Open& theirs, Negotiated& n) {
  for (const AfiSafi family : n.families()) {
    const auto we = add_path_direction(ours, family);
    const auto they = add_path_direction(theirs, family);
    const bool receive = can_receive(we) && can_send(they);
    const bool send = can_send(we) && can_receive(they);
    (family == AfiSafi::ipv4_unicast() ? n.add_path_receive.ipv4_unicast
                                       : n.add_path_receive.ipv6_unicast) = receive;
    (family == AfiSafi::ipv4_unicast() ? n.add_path_send.ipv4_unicast
                                       : n.add_path_send.ipv6_unicast) = send;
  }
}

}  // namespace

std::vector<AfiSafi> Negotiated::families() const {
  std::vector<AfiSafi> out;
  if (ipv4_unicast) out.push_back(AfiSafi::ipv4_unicast());
  if (ipv6_unicast) out.push_back(AfiSafi::ipv6_unicast());
  return out;
}

bool Negotiated::peer_preserved_forwarding(AfiSafi family) const {
  if (!peer_graceful_restart) return false;
  for (const auto& f : peer_graceful_restart->families) {
    if (f.family == family) return f.forwarding_preserved;
  }
  return false;
}

wire::DecodeContext Negotiated::decode_context(bool ebgp) const {
  return wire::DecodeContext{four_octet_as, add_path_receive, extended_message, ebgp};
}

wire::EncodeContext Negotiated::encode_context() const {
  return wire::EncodeContext{four_octet_as, add_path_send, extended_message};
}

wire::Open build_open(const PeerConfig& config, const OpenOptions& options) {
  wire::Open open;
  open.my_as =
      config.local_as > 0xffff ? wire::kAsTrans : static_cast<std::uint16_t>(config.local_as);
  open.hold_time = config.fsm.hold_time;
  open.bgp_identifier = config.router_id;
  std::vector<AfiSafi> families;
  if (config.ipv4_unicast) families.push_back(AfiSafi::ipv4_unicast());
  if (config.ipv6_unicast) families.push_back(AfiSafi::ipv6_unicast());
  for (const AfiSafi f : families) open.capabilities.push_back(wire::MultiprotocolCapability{f});
  open.capabilities.push_back(wire::RouteRefreshCapability{});
  open.capabilities.push_back(wire::EnhancedRouteRefreshCapability{});
  if (config.graceful_restart) {
    wire::GracefulRestartCapability gr;
    gr.restart_state = options.restarting;
    gr.restart_time = std::min<std::uint16_t>(config.restart_time, 4095);
    for (const AfiSafi f : families) gr.families.push_back({f, options.forwarding_preserved});
    open.capabilities.push_back(gr);
  }
  open.capabilities.push_back(wire::FourOctetAsCapability{config.local_as});
  if (config.add_paths) {
    wire::AddPathCapability add_path;
    for (const AfiSafi f : families) add_path.families.push_back({f, wire::AddPathDirection::Both});
    open.capabilities.push_back(add_path);
  }
  return open;
}

Result<Negotiated, wire::Notification> negotiate(const PeerConfig& config, const wire::Open& ours,
                                                 const wire::Open& theirs) {
  namespace sub = wire::open_subcode;
  if (theirs.version != wire::kBgpVersion) {
    // §6.2: the data field is the largest version we support.
    return failure(open_error(sub::kUnsupportedVersion, {0, wire::kBgpVersion}));
  }
  Negotiated n;
  const auto* four_octet = theirs.find<wire::FourOctetAsCapability>();
  n.four_octet_as = four_octet != nullptr && ours.find<wire::FourOctetAsCapability>() != nullptr;
  n.peer_as = theirs.effective_as();
  if (n.peer_as != config.remote_as) return failure(open_error(sub::kBadPeerAs));
  if (theirs.hold_time == 1 || theirs.hold_time == 2) {
    return failure(open_error(sub::kUnacceptableHoldTime));
  }
  // RFC 6286 §2.1: a zero identifier is never valid; equal identifiers only across ASes.
  n.peer_router_id = theirs.bgp_identifier;
  if (n.peer_router_id == 0 || (n.peer_router_id == config.router_id && !config.ebgp())) {
    return failure(open_error(sub::kBadBgpIdentifier));
  }
  n.hold_time = std::min(ours.hold_time, theirs.hold_time);
  n.route_refresh = theirs.find<wire::RouteRefreshCapability>() != nullptr;
  n.enhanced_route_refresh = theirs.find<wire::EnhancedRouteRefreshCapability>() != nullptr;
  n.extended_message = theirs.find<wire::ExtendedMessageCapability>() != nullptr &&
                       ours.find<wire::ExtendedMessageCapability>() != nullptr;
  n.ipv4_unicast = config.ipv4_unicast && advertises_family(theirs, AfiSafi::ipv4_unicast());
  n.ipv6_unicast = config.ipv6_unicast && advertises_family(theirs, AfiSafi::ipv6_unicast());
  if (!n.ipv4_unicast && !n.ipv6_unicast) {
    // RFC 5492 §3: no family in common; name the one we need (IPv4 unicast first).
    wire::Bytes data;
    wire::encode_capability(
        wire::MultiprotocolCapability{config.ipv4_unicast ? AfiSafi::ipv4_unicast()
                                                          : AfiSafi::ipv6_unicast()},
        data);
    return failure(open_error(sub::kUnsupportedCapability, std::move(data)));
  }
  negotiate_add_path(ours, theirs, n);
  if (config.graceful_restart) {
    if (const auto* gr = theirs.find<wire::GracefulRestartCapability>())
      n.peer_graceful_restart = *gr;
  }
  return n;
}

}  // namespace pinto::bgp
