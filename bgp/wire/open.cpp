// OPEN message, RFC 4271 §4.2 and §6.2, with RFC 5492 capabilities and RFC 9072 extended
// optional parameters length.
#include "bgp/wire/byte_io.h"
#include "bgp/wire/message.h"
#include "bgp/wire/message_codec.h"

namespace pinto::bgp::wire {

namespace {

constexpr std::uint8_t kCapabilitiesParameter = 2;  // RFC 5492 §4
constexpr std::uint8_t kExtendedParameters = 255;   // RFC 9072 §2

DecodeError open_error(std::uint8_t subcode, Bytes data, std::string reason) {
  return DecodeError{ErrorCode::OpenMessage, subcode, ErrorAction::SessionReset,
                     std::move(data),        0,       std::move(reason)};
}

}  // namespace

std::uint32_t Open::effective_as() const {
  if (const auto* cap = find<FourOctetAsCapability>()) return cap->asn;
  return my_as;
}

Result<Message, DecodeError> decode_open(ByteView body) {
  ByteReader r(body);
  Open open;
  std::uint8_t params_length = 0;
  // The header check guaranteed 10 octets (minimum OPEN length 29).
  r.u8(open.version);
  r.u16(open.my_as);
  r.u16(open.hold_time);
  r.u32(open.bgp_identifier);
  r.u8(params_length);

  if (open.version != kBgpVersion) {
    // §6.2: the data field is the largest version we support, as 2 octets.
    return failure(open_error(open_subcode::kUnsupportedVersion, Bytes{0, kBgpVersion},
                              "BGP version " + std::to_string(open.version)));
  }
  if (open.my_as == 0) {  // RFC 7607 §3
    return failure(open_error(open_subcode::kBadPeerAs, {}, "My Autonomous System is 0"));
  }
  if (open.hold_time == 1 || open.hold_time == 2) {
    return failure(open_error(open_subcode::kUnacceptableHoldTime, {},
                              "hold time " + std::to_string(open.hold_time)));
  }
  if (open.bgp_identifier == 0) {  // RFC 6286 §2.2: any non-zero 32-bit value
    return failure(open_error(open_subcode::kBadBgpIdentifier, {}, "BGP Identifier is 0"));
  }

  // RFC 9072: a non-extended length of 255 followed by a parameter type of 255 announces a
  // 2-octet length, and 2-octet parameter lengths throughout.
  bool extended = false;
  std::size_t total = params_length;
  const ByteView rest = r.rest();
  if (params_length == 255 && !rest.empty() && rest[0] == kExtendedParameters) {
    std::uint8_t marker = 0;
    std::uint16_t ext_length = 0;
    r.u8(marker);
    if (!r.u16(ext_length)) {
      return failure(open_error(open_subcode::kUnspecific, {}, "extended parameters truncated"));
    }
    extended = true;
    total = ext_length;
  }
  ByteView params;
  if (!r.take(total, params) || !r.empty()) {
    return failure(open_error(
        open_subcode::kUnspecific, {},
        "optional parameters length " + std::to_string(total) + " does not match the message"));
  }
  ByteReader pr(params);
  while (!pr.empty()) {
    std::uint8_t type = 0;
    std::uint16_t length = 0;
    bool ok = pr.u8(type);
    if (extended) {
      ok = ok && pr.u16(length);
    } else {
      std::uint8_t l8 = 0;
      ok = ok && pr.u8(l8);
      length = l8;
    }
    ByteView value;
    if (!ok || !pr.take(length, value)) {
      return failure(open_error(open_subcode::kUnspecific, {},
                                "optional parameter runs past the parameters field"));
    }
    if (type != kCapabilitiesParameter) {
      return failure(open_error(open_subcode::kUnsupportedOptionalParameter, {},
                                "optional parameter type " + std::to_string(type)));
    }
    DecodeError error;
    if (!decode_capabilities(value, open.capabilities, error)) return failure(std::move(error));
  }
  return Message{std::move(open)};
}

void encode_open_body(const Open& open, Bytes& out) {
  ByteWriter w(out);
  w.u8(open.version);
  w.u16(open.my_as);
  w.u16(open.hold_time);
  w.u32(open.bgp_identifier);
  Bytes caps;
  for (const auto& c : open.capabilities) encode_capability(c, caps);
  if (caps.empty()) {
    w.u8(0);
    return;
  }
  // One Capabilities parameter holds them all (as BIRD sends them); past 255 octets the RFC 9072
  // extended form carries it.
  if (caps.size() + 2 <= 255) {
    w.u8(static_cast<std::uint8_t>(caps.size() + 2));
    w.u8(kCapabilitiesParameter);
    w.u8(static_cast<std::uint8_t>(caps.size()));
  } else {
    w.u8(255);
    w.u8(kExtendedParameters);
    w.u16(static_cast<std::uint16_t>(caps.size() + 3));
    w.u8(kCapabilitiesParameter);
    w.u16(static_cast<std::uint16_t>(caps.size()));
  }
  w.bytes(caps);
}

}  // namespace pinto::bgp::wire
