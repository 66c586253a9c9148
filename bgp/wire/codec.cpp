// decode() and encode(): header handling and dispatch by message type, plus the three small
// messages (NOTIFICATION §4.5, KEEPALIVE §4.4, ROUTE-REFRESH RFC 2918 / RFC 7313).
#include <algorithm>
#include <cstring>

#include "bgp/wire/byte_io.h"
#include "bgp/wire/message.h"
#include "bgp/wire/message_codec.h"

namespace pinto::bgp::wire {

namespace {

/// RFC 4271 §6.1 minimum (or exact) length per message type.
constexpr std::size_t kMinOpen = 29, kMinUpdate = 23, kMinNotification = 21, kKeepalive = 19;
constexpr std::size_t kRouteRefresh = 23;

DecodeError bad_length(std::size_t length) {
  return DecodeError{
      ErrorCode::MessageHeader,
      header_subcode::kBadMessageLength,
      ErrorAction::SessionReset,
      Bytes{static_cast<std::uint8_t>(length >> 8), static_cast<std::uint8_t>(length)},
      0,
      "message length " + std::to_string(length) + " is wrong for its type"};
}

}  // namespace

std::size_t begin_message(MessageType type, Bytes& out) {
  const std::size_t start = out.size();
  out.insert(out.end(), 16, 0xff);
  ByteWriter w(out);
  w.u16(0);
  w.u8(static_cast<std::uint8_t>(type));
  return start;
}

void finish_message(std::size_t start, Bytes& out) {
  ByteWriter(out).patch_u16(start + 16, static_cast<std::uint16_t>(out.size() - start));
}

MessageType type_of(const Message& m) {
  return static_cast<MessageType>(m.index() + 1);  // variant order follows the type codes
}

Result<Message, DecodeError> decode(ByteView message, const DecodeContext& ctx) {
  const std::size_t max = ctx.extended_message ? kMaxExtendedSize : kMaxMessageSize;
  auto framed = frame(message, max);
  if (!framed) return failure(std::move(framed).error());
  const std::size_t length = framed.value();
  if (length == 0 || length != message.size()) {
    // A caller passing a truncated or padded buffer is a framing bug on our side, but treat it as
    // the peer's bad length so nothing is read past the message.
    return failure(bad_length(message.size() >= 18 ? (std::size_t{message[16]} << 8) | message[17]
                                                   : message.size()));
  }
  const auto type = static_cast<MessageType>(message[18]);
  const ByteView body = message.subspan(kHeaderSize);
  switch (type) {
    case MessageType::Open:
      // RFC 8654 §3: OPEN is never larger than 4096 octets, extended messages or not.
      if (length < kMinOpen || length > kMaxMessageSize) return failure(bad_length(length));
      return decode_open(body);
    case MessageType::Update:
      if (length < kMinUpdate) return failure(bad_length(length));
      return decode_update(body, ctx);
    case MessageType::Notification: {
      if (length < kMinNotification) return failure(bad_length(length));
      Notification n;
      n.code = body[0];
      n.subcode = body[1];
      n.data.assign(body.begin() + 2, body.end());
      return Message{std::move(n)};
    }
    case MessageType::Keepalive:
      if (length != kKeepalive) return failure(bad_length(length));
      return Message{Keepalive{}};
    case MessageType::RouteRefresh: {
      if (length != kRouteRefresh) {
        // RFC 7313 §5: the data field carries the complete message.
        return failure(DecodeError{ErrorCode::RouteRefreshMessage,
                                   route_refresh_subcode::kInvalidMessageLength,
                                   ErrorAction::SessionReset, Bytes(message.begin(), message.end()),
                                   0, "ROUTE-REFRESH length " + std::to_string(length)});
      }
      ByteReader r(body);
      RouteRefresh rr;
      r.u16(rr.family.afi);
      r.u8(rr.subtype);
      r.u8(rr.family.safi);
      return Message{rr};
    }
  }
  return failure(DecodeError{ErrorCode::MessageHeader, header_subcode::kBadMessageType,
                             ErrorAction::SessionReset, Bytes{message[18]}, 0, "bad type"});
}

Result<void, Error> encode(const Message& m, const EncodeContext& ctx, Bytes& out) {
  const std::size_t start = begin_message(type_of(m), out);
  struct Visitor {
    const EncodeContext& ctx;
    Bytes& out;
    void operator()(const Open& o) const { encode_open_body(o, out); }
    void operator()(const Update& u) const { encode_update_body(u, ctx, out); }
    void operator()(const Notification& n) const {
      out.push_back(n.code);
      out.push_back(n.subcode);
      out.insert(out.end(), n.data.begin(), n.data.end());
    }
    void operator()(const Keepalive&) const {}
    void operator()(const RouteRefresh& rr) const {
      ByteWriter w(out);
      w.u16(rr.family.afi);
      w.u8(rr.subtype);
      w.u8(rr.family.safi);
    }
  };
  std::visit(Visitor{ctx, out}, m);
  const std::size_t length = out.size() - start;
  const std::size_t max = std::holds_alternative<Open>(m) || std::holds_alternative<Keepalive>(m)
                              ? kMaxMessageSize
                              : ctx.max_message_size();
  if (length > max) {
    out.resize(start);
    return failure(Error{to_string(type_of(m)) + " of " + std::to_string(length) +
                         " octets exceeds the maximum of " + std::to_string(max)});
  }
  finish_message(start, out);
  return outcome::success();
}

std::optional<std::string> Notification::shutdown_message() const {
  if (code != static_cast<std::uint8_t>(ErrorCode::Cease) ||
      (subcode != cease_subcode::kAdministrativeShutdown &&
       subcode != cease_subcode::kAdministrativeReset) ||
      data.empty()) {
    return std::nullopt;
  }
  const std::size_t length = data[0];
  if (length == 0 || data.size() < 1 + length) return std::nullopt;
  return std::string(data.begin() + 1, data.begin() + 1 + static_cast<long>(length));
}

Notification Notification::cease(std::uint8_t subcode, std::string_view message) {
  Notification n;
  n.code = static_cast<std::uint8_t>(ErrorCode::Cease);
  n.subcode = subcode;
  if (!message.empty()) {
    // RFC 9003 §2: at most 255 octets; cut on a UTF-8 character boundary.
    std::size_t length = std::min<std::size_t>(message.size(), 255);
    while (length > 0 && length < message.size() &&
           (static_cast<std::uint8_t>(message[length]) & 0xc0) == 0x80) {
      --length;
    }
    n.data.resize(1 + length);
    n.data[0] = static_cast<std::uint8_t>(length);
    std::memcpy(n.data.data() + 1, message.data(), length);
  }
  return n;
}

}  // namespace pinto::bgp::wire
