#include "bgp/wire/capabilities.h"

#include <algorithm>

#include "bgp/wire/byte_io.h"

namespace pinto::bgp::wire {

namespace {

bool malformed(DecodeError& error, std::string reason) {
  // RFC 4271 §6.2: an optional parameter that is recognized but malformed is subcode 0.
  error = DecodeError{
      ErrorCode::OpenMessage, open_subcode::kUnspecific, ErrorAction::SessionReset, {}, 0,
      std::move(reason)};
  return false;
}

std::string cap_name(std::uint8_t code) {
  return "capability " + std::to_string(code);
}

bool decode_one(std::uint8_t code, ByteView value, std::vector<Capability>& out,
                DecodeError& error) {
  ByteReader r(value);
  auto expect_size = [&](std::size_t n) {
    if (value.size() == n) return true;
    return malformed(error, cap_name(code) + " has length " + std::to_string(value.size()) +
                                ", expected " + std::to_string(n));
  };
  switch (code) {
    case capability_code::kMultiprotocol: {
      if (!expect_size(4)) return false;
      MultiprotocolCapability cap;
      std::uint8_t reserved = 0;
      r.u16(cap.family.afi);
      r.u8(reserved);
      r.u8(cap.family.safi);
      out.emplace_back(cap);
      return true;
    }
    case capability_code::kRouteRefresh:
      if (!expect_size(0)) return false;
      out.emplace_back(RouteRefreshCapability{});
      return true;
    case capability_code::kEnhancedRouteRefresh:
      if (!expect_size(0)) return false;
      out.emplace_back(EnhancedRouteRefreshCapability{});
      return true;
    case capability_code::kExtendedMessage:
      if (!expect_size(0)) return false;
      out.emplace_back(ExtendedMessageCapability{});
      return true;
    case capability_code::kFourOctetAs: {
      if (!expect_size(4)) return false;
      FourOctetAsCapability cap;
      r.u32(cap.asn);
      out.emplace_back(cap);
      return true;
    }
    case capability_code::kGracefulRestart: {
      if (value.size() < 2 || (value.size() - 2) % 4 != 0) {
        return malformed(error,
                         "graceful restart capability has length " + std::to_string(value.size()));
      }
      GracefulRestartCapability cap;
      std::uint16_t flags_and_time = 0;
      r.u16(flags_and_time);
      cap.restart_state = flags_and_time & 0x8000;
      cap.notification = flags_and_time & 0x4000;
      cap.restart_time = flags_and_time & 0x0fff;
      while (!r.empty()) {
        GracefulRestartCapability::Family f;
        std::uint8_t flags = 0;
        r.u16(f.family.afi);
        r.u8(f.family.safi);
        r.u8(flags);
        f.forwarding_preserved = flags & 0x80;
        cap.families.push_back(f);
      }
      out.emplace_back(std::move(cap));
      return true;
    }
    case capability_code::kAddPath: {
      if (value.empty() || value.size() % 4 != 0) {
        return malformed(error, "add-path capability has length " + std::to_string(value.size()));
      }
      AddPathCapability cap;
      while (!r.empty()) {
        AddPathCapability::Family f;
        std::uint8_t direction = 0;
        r.u16(f.family.afi);
        r.u8(f.family.safi);
        r.u8(direction);
        if (direction < 1 || direction > 3) {
          return malformed(error, "add-path send/receive value " + std::to_string(direction));
        }
        f.direction = static_cast<AddPathDirection>(direction);
        cap.families.push_back(f);
      }
      out.emplace_back(std::move(cap));
      return true;
    }
    default:
      out.emplace_back(UnknownCapability{code, Bytes(value.begin(), value.end())});
      return true;
  }
}

}  // namespace

bool decode_capabilities(ByteView parameter_value, std::vector<Capability>& out,
                         DecodeError& error) {
  ByteReader r(parameter_value);
  while (!r.empty()) {
    std::uint8_t code = 0, length = 0;
    ByteView value;
    if (!r.u8(code) || !r.u8(length)) return malformed(error, "capability header truncated");
    if (!r.take(length, value)) {
      return malformed(error, cap_name(code) + " length " + std::to_string(length) +
                                  " runs past its optional parameter");
    }
    if (!decode_one(code, value, out, error)) return false;
  }
  return true;
}

std::uint8_t capability_code_of(const Capability& cap) {
  struct Visitor {
    std::uint8_t operator()(const MultiprotocolCapability&) const {
      return capability_code::kMultiprotocol;
    }
    std::uint8_t operator()(const RouteRefreshCapability&) const {
      return capability_code::kRouteRefresh;
    }
    std::uint8_t operator()(const EnhancedRouteRefreshCapability&) const {
      return capability_code::kEnhancedRouteRefresh;
    }
    std::uint8_t operator()(const ExtendedMessageCapability&) const {
      return capability_code::kExtendedMessage;
    }
    std::uint8_t operator()(const FourOctetAsCapability&) const {
      return capability_code::kFourOctetAs;
    }
    std::uint8_t operator()(const GracefulRestartCapability&) const {
      return capability_code::kGracefulRestart;
    }
    std::uint8_t operator()(const AddPathCapability&) const { return capability_code::kAddPath; }
    std::uint8_t operator()(const UnknownCapability& c) const { return c.code; }
  };
  return std::visit(Visitor{}, cap);
}

void encode_capability(const Capability& cap, Bytes& out) {
  ByteWriter w(out);
  w.u8(capability_code_of(cap));
  const std::size_t length_at = w.size();
  w.u8(0);
  struct Visitor {
    ByteWriter& w;
    void operator()(const MultiprotocolCapability& c) const {
      w.u16(c.family.afi);
      w.u8(0);
      w.u8(c.family.safi);
    }
    void operator()(const RouteRefreshCapability&) const {}
    void operator()(const EnhancedRouteRefreshCapability&) const {}
    void operator()(const ExtendedMessageCapability&) const {}
    void operator()(const FourOctetAsCapability& c) const { w.u32(c.asn); }
    void operator()(const GracefulRestartCapability& c) const {
      w.u16(static_cast<std::uint16_t>((c.restart_state ? 0x8000 : 0) |
                                       (c.notification ? 0x4000 : 0) | (c.restart_time & 0x0fff)));
      for (const auto& f : c.families) {
        w.u16(f.family.afi);
        w.u8(f.family.safi);
        w.u8(f.forwarding_preserved ? 0x80 : 0);
      }
    }
    void operator()(const AddPathCapability& c) const {
      for (const auto& f : c.families) {
        w.u16(f.family.afi);
        w.u8(f.family.safi);
        w.u8(static_cast<std::uint8_t>(f.direction));
      }
    }
    void operator()(const UnknownCapability& c) const {
      // A capability value is at most 255 octets; a longer one can only be built by hand.
      w.bytes(c.value.data(), std::min<std::size_t>(c.value.size(), 255));
    }
  };
  std::visit(Visitor{w}, cap);
  w.patch_u8(length_at, static_cast<std::uint8_t>(w.size() - length_at - 1));
}

}  // namespace pinto::bgp::wire
