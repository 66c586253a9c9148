// UPDATE message, RFC 4271 §4.3 and §6.3, with RFC 4760 multiprotocol NLRI, RFC 7911 path
// identifiers and RFC 7606 revised error handling.
#include <algorithm>

#include "bgp/wire/byte_io.h"
#include "bgp/wire/message.h"
#include "bgp/wire/message_codec.h"

namespace pinto::bgp::wire {

namespace {

DecodeError update_error(std::uint8_t subcode, std::string reason) {
  return DecodeError{ErrorCode::UpdateMessage, subcode, ErrorAction::SessionReset, {}, 0,
                     std::move(reason)};
}

DecodeError missing_attribute(std::uint8_t type, const char* name) {
  // §6.3: the data field holds the type code of the missing attribute. RFC 7606 §3 d turns the
  // session reset into treat-as-withdraw.
  return DecodeError{ErrorCode::UpdateMessage,
                     update_subcode::kMissingWellKnownAttribute,
                     ErrorAction::TreatAsWithdraw,
                     Bytes{type},
                     type,
                     std::string("missing well-known attribute ") + name};
}

}  // namespace

bool Update::treat_as_withdraw() const {
  return std::any_of(errors.begin(), errors.end(),
                     [](const DecodeError& e) { return e.action == ErrorAction::TreatAsWithdraw; });
}

std::optional<AfiSafi> Update::end_of_rib() const {
  if (!withdrawn.empty() || !nlri.empty()) return std::nullopt;
  if (attributes == PathAttributes{}) return AfiSafi::ipv4_unicast();
  PathAttributes only_unreach;
  only_unreach.mp_unreach = attributes.mp_unreach;
  if (attributes.mp_unreach && attributes.mp_unreach->withdrawn.empty() &&
      attributes == only_unreach) {
    return attributes.mp_unreach->family;
  }
  return std::nullopt;
}

Result<Message, DecodeError> decode_update(ByteView body, const DecodeContext& ctx) {
  ByteReader r(body);
  Update update;
  std::uint16_t withdrawn_length = 0, attributes_length = 0;
  ByteView withdrawn, attributes;
  r.u16(withdrawn_length);  // the minimum UPDATE length guarantees these 2 octets
  if (!r.take(withdrawn_length, withdrawn)) {
    return failure(update_error(
        update_subcode::kMalformedAttributeList,
        "withdrawn routes length " + std::to_string(withdrawn_length) + " runs past the message"));
  }
  if (!r.u16(attributes_length) || !r.take(attributes_length, attributes)) {
    return failure(update_error(update_subcode::kMalformedAttributeList,
                                "total path attribute length " + std::to_string(attributes_length) +
                                    " runs past the message"));
  }
  const ByteView nlri = r.rest();

  DecodeError error;
  // RFC 7606 §5.3: an NLRI field that cannot be parsed resets the session.
  if (!decode_nlri(withdrawn, AddressFamily::V4, ctx.add_path.ipv4_unicast,
                   update_subcode::kInvalidNetworkField, update.withdrawn, error) ||
      !decode_nlri(nlri, AddressFamily::V4, ctx.add_path.ipv4_unicast,
                   update_subcode::kInvalidNetworkField, update.nlri, error)) {
    return failure(std::move(error));
  }

  AttributeDecodeState state;
  if (!decode_path_attributes(attributes, ctx, update.attributes, state, error)) {
    return failure(std::move(error));
  }
  update.errors = std::move(state.errors);

  // §6.3 / RFC 7606 §3 d: well-known mandatory attributes must accompany reachable NLRI.
  const auto& a = update.attributes;
  const bool announces = !update.nlri.empty() || (a.mp_reach && !a.mp_reach->nlri.empty());
  if (announces) {
    // An attribute dropped as malformed already made the UPDATE treat-as-withdraw; a second
    // "missing" error for it would only repeat that.
    auto reported = [&](std::uint8_t type) {
      return std::any_of(update.errors.begin(), update.errors.end(),
                         [type](const DecodeError& e) { return e.attribute == type; });
    };
    if (!a.origin && !reported(attr_type::kOrigin)) {
      update.errors.push_back(missing_attribute(attr_type::kOrigin, "ORIGIN"));
    }
    if (!a.as_path && !reported(attr_type::kAsPath)) {
      update.errors.push_back(missing_attribute(attr_type::kAsPath, "AS_PATH"));
    }
    if (!update.nlri.empty() && !a.next_hop && !reported(attr_type::kNextHop)) {
      update.errors.push_back(missing_attribute(attr_type::kNextHop, "NEXT_HOP"));
    }
  }
  return Message{std::move(update)};
}

void encode_update_body(const Update& update, const EncodeContext& ctx, Bytes& out) {
  ByteWriter w(out);
  const bool add_path = ctx.add_path.ipv4_unicast;
  const std::size_t withdrawn_at = w.size();
  w.u16(0);
  for (const auto& n : update.withdrawn) encode_nlri(n, add_path, out);
  w.patch_u16(withdrawn_at, static_cast<std::uint16_t>(w.size() - withdrawn_at - 2));

  const std::size_t attributes_at = w.size();
  w.u16(0);
  const auto& a = update.attributes;
  // RFC 7606 §5.1: MP_UNREACH/MP_REACH go first, so a receiver can find the NLRI even when a
  // later attribute is malformed.
  if (a.mp_unreach) encode_mp_unreach(a.mp_unreach->family, a.mp_unreach->withdrawn, ctx, out);
  if (a.mp_reach) encode_mp_reach(*a.mp_reach, a.mp_reach->nlri, ctx, out);
  encode_path_attributes(a, ctx, out);
  w.patch_u16(attributes_at, static_cast<std::uint16_t>(w.size() - attributes_at - 2));

  for (const auto& n : update.nlri) encode_nlri(n, add_path, out);
}

// ---------------------------------------------------------------------------------------------
// Packing many NLRI into few UPDATEs.

namespace {

constexpr std::size_t kUpdateFixed = kHeaderSize + 4;  // header + the two 2-octet length fields
constexpr std::size_t kLongAttrHeader = 4;             // flags, type, 2-octet length

/// How many of `nlri`, from the front, fit in `budget` octets.
std::size_t fitting(std::span<const Nlri> nlri, bool add_path, std::size_t budget) {
  std::size_t used = 0, n = 0;
  for (const auto& p : nlri) {
    const std::size_t size = nlri_size(p, add_path);
    if (used + size > budget) break;
    used += size;
    ++n;
  }
  return n;
}

}  // namespace

std::size_t encode_announcements(const PathAttributes& attributes, std::span<const Nlri> nlri,
                                 const EncodeContext& ctx, Bytes& out) {
  const bool ipv4 = !attributes.mp_reach || attributes.mp_reach->family == AfiSafi::ipv4_unicast();
  const AfiSafi family = ipv4 ? AfiSafi::ipv4_unicast() : attributes.mp_reach->family;
  const bool add_path = ctx.add_path.enabled(family);

  // The attributes other than MP_REACH are the same in every message: encode them once.
  Bytes common;
  PathAttributes rest = attributes;
  rest.mp_reach.reset();
  rest.mp_unreach.reset();
  encode_path_attributes(rest, ctx, common);

  std::size_t overhead = kUpdateFixed + common.size();
  if (!ipv4) {
    const auto& reach = *attributes.mp_reach;
    const std::size_t nh = reach.next_hop.size() + (reach.link_local_next_hop ? 16 : 0);
    overhead += kLongAttrHeader + 2 + 1 + 1 + nh + 1;  // AFI, SAFI, NH length, NH, reserved
  }
  const std::size_t max = ctx.max_message_size();
  if (overhead >= max) return 0;  // attributes alone do not fit: nothing can be sent
  const std::size_t budget = max - overhead;

  std::size_t messages = 0;
  while (!nlri.empty()) {
    const std::size_t n = fitting(nlri, add_path, budget);
    if (n == 0) break;  // cannot happen: one NLRI is at most 21 octets
    const auto batch = nlri.first(n);
    const std::size_t start = begin_message(MessageType::Update, out);
    ByteWriter w(out);
    w.u16(0);  // no withdrawn routes
    const std::size_t attributes_at = w.size();
    w.u16(0);
    if (!ipv4) encode_mp_reach(*attributes.mp_reach, batch, ctx, out);
    w.bytes(common);
    w.patch_u16(attributes_at, static_cast<std::uint16_t>(w.size() - attributes_at - 2));
    if (ipv4) {
      for (const auto& p : batch) encode_nlri(p, add_path, out);
    }
    finish_message(start, out);
    nlri = nlri.subspan(n);
    ++messages;
  }
  return messages;
}

std::size_t encode_withdrawals(AfiSafi family, std::span<const Nlri> withdrawn,
                               const EncodeContext& ctx, Bytes& out) {
  const bool ipv4 = family == AfiSafi::ipv4_unicast();
  const bool add_path = ctx.add_path.enabled(family);
  const std::size_t overhead = kUpdateFixed + (ipv4 ? 0 : kLongAttrHeader + 3);
  const std::size_t budget = ctx.max_message_size() - overhead;
  std::size_t messages = 0;
  while (!withdrawn.empty()) {
    const std::size_t n = fitting(withdrawn, add_path, budget);
    if (n == 0) break;
    const auto batch = withdrawn.first(n);
    const std::size_t start = begin_message(MessageType::Update, out);
    ByteWriter w(out);
    if (ipv4) {
      const std::size_t withdrawn_at = w.size();
      w.u16(0);
      for (const auto& p : batch) encode_nlri(p, add_path, out);
      w.patch_u16(withdrawn_at, static_cast<std::uint16_t>(w.size() - withdrawn_at - 2));
      w.u16(0);
    } else {
      w.u16(0);
      const std::size_t attributes_at = w.size();
      w.u16(0);
      encode_mp_unreach(family, batch, ctx, out);
      w.patch_u16(attributes_at, static_cast<std::uint16_t>(w.size() - attributes_at - 2));
    }
    finish_message(start, out);
    withdrawn = withdrawn.subspan(n);
    ++messages;
  }
  return messages;
}

void encode_end_of_rib(AfiSafi family, Bytes& out) {
  Update eor;
  if (family != AfiSafi::ipv4_unicast()) eor.attributes.mp_unreach = MpUnreach{family, {}};
  const std::size_t start = begin_message(MessageType::Update, out);
  encode_update_body(eor, EncodeContext{}, out);
  finish_message(start, out);
}

}  // namespace pinto::bgp::wire
