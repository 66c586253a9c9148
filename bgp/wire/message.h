// BGP messages (RFC 4271 §4) as typed values, and the codec's entry points.
//
// The codec is pure: bytes in, messages out (and back), no sockets, no clocks, no globals and no
// exceptions. Every failure is a DecodeError carrying the NOTIFICATION RFC 4271 §6 prescribes and
// the RFC 7606 action to take. The fuzz targets under tests/fuzz drive decode() and encode().
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "bgp/wire/attributes.h"
#include "bgp/wire/capabilities.h"
#include "bgp/wire/context.h"
#include "bgp/wire/error.h"
#include "bgp/wire/nlri.h"
#include "bgp/wire/types.h"
#include "common/result.h"

namespace pinto::bgp::wire {

struct Open {
  std::uint8_t version = kBgpVersion;
  std::uint16_t my_as = 0;  // AS_TRANS when the real AS needs 4 octets (RFC 6793)
  std::uint16_t hold_time = 0;
  std::uint32_t bgp_identifier = 0;
  std::vector<Capability> capabilities;

  /// The 4-octet AS capability's value if present, else `my_as`.
  std::uint32_t effective_as() const;
  template <class T>
  const T* find() const {
    for (const auto& c : capabilities) {
      if (const auto* v = std::get_if<T>(&c)) return v;
    }
    return nullptr;
  }
  friend bool operator==(const Open&, const Open&) = default;
};

struct Update {
  std::vector<Nlri> withdrawn;  // IPv4 unicast Withdrawn Routes field
  PathAttributes attributes;
  std::vector<Nlri> nlri;  // IPv4 unicast NLRI field
  /// Non-fatal errors found while decoding (RFC 7606), in the order found. When any of them is
  /// TreatAsWithdraw, every prefix of `nlri` and of MP_REACH_NLRI must be handled as withdrawn.
  std::vector<DecodeError> errors;

  bool treat_as_withdraw() const;
  /// The family this UPDATE marks End-of-RIB for (RFC 4724 §2), if it is such a marker.
  std::optional<AfiSafi> end_of_rib() const;
  /// Equality of content, ignoring `errors` (used by round-trip tests).
  friend bool operator==(const Update& a, const Update& b) {
    return a.withdrawn == b.withdrawn && a.attributes == b.attributes && a.nlri == b.nlri;
  }
};

struct Notification {
  std::uint8_t code = 0;
  std::uint8_t subcode = 0;
  Bytes data;

  /// RFC 9003 (obsoletes RFC 8203): the UTF-8 shutdown communication of a Cease/Administrative
  /// Shutdown or Reset, if present and well-formed.
  std::optional<std::string> shutdown_message() const;
  /// Builds Cease with an RFC 9003 shutdown communication (truncated to 255 octets).
  static Notification cease(std::uint8_t subcode, std::string_view message = {});
  friend bool operator==(const Notification&, const Notification&) = default;
};

struct Keepalive {
  friend bool operator==(const Keepalive&, const Keepalive&) = default;
};

/// RFC 2918 ROUTE-REFRESH, with the RFC 7313 message subtype (0 request, 1 BoRR, 2 EoRR).
struct RouteRefresh {
  enum Subtype : std::uint8_t { Normal = 0, BeginningOfRibRefresh = 1, EndOfRibRefresh = 2 };
  AfiSafi family;
  std::uint8_t subtype = Normal;  // kept raw: RFC 7313 §5 says unknown subtypes are ignored
  friend bool operator==(const RouteRefresh&, const RouteRefresh&) = default;
};

using Message = std::variant<Open, Update, Notification, Keepalive, RouteRefresh>;

MessageType type_of(const Message& m);

/// Checks the header at the start of `stream` (RFC 4271 §6.1): marker, length and type. Returns
/// the length of the first whole message, or 0 when more bytes are needed to know or to have it.
/// `max_size` is 4096, or 65535 after RFC 8654 was negotiated.
Result<std::size_t, DecodeError> frame(ByteView stream, std::size_t max_size = kMaxMessageSize);

/// Decodes one whole message (header included), as framed by frame().
Result<Message, DecodeError> decode(ByteView message, const DecodeContext& ctx);

/// Appends the message, header included. Fails only when the message does not fit the size the
/// context allows (an UPDATE built by hand with too much in it); encode_updates() never does.
Result<void, Error> encode(const Message& m, const EncodeContext& ctx, Bytes& out);

/// Encodes UPDATEs announcing `nlri` with `attributes`, packing as many NLRI as fit in each
/// message and starting a new one when they do not (RFC 4271 §4.3). IPv4 unicast NLRI go in the
/// NLRI field; other families in MP_REACH_NLRI built from `attributes.mp_reach` (family and next
/// hops). Appends the messages to `out` back to back and returns how many it wrote.
std::size_t encode_announcements(const PathAttributes& attributes, std::span<const Nlri> nlri,
                                 const EncodeContext& ctx, Bytes& out);

/// Encodes UPDATEs withdrawing `withdrawn` of `family`, packed like encode_announcements().
std::size_t encode_withdrawals(AfiSafi family, std::span<const Nlri> withdrawn,
                               const EncodeContext& ctx, Bytes& out);

/// The End-of-RIB marker of RFC 4724 §2 for `family`.
void encode_end_of_rib(AfiSafi family, Bytes& out);

}  // namespace pinto::bgp::wire
