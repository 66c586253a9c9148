// DecodeError: what the decoder found wrong, expressed as the NOTIFICATION that RFC 4271 §6 names
// (code, subcode, data) together with the RFC 7606 action the receiving session must take.
//
// The decision is made here, where the bytes are understood (as GoBGP's MessageError does), and
// acted on by the session FSM. A DecodeError with action SessionReset is returned as the failure
// of decode(); the non-fatal actions (TreatAsWithdraw, AttributeDiscard) are recorded in the
// decoded Update so that the RIB can apply them and the session can log them.
#pragma once

#include <cstdint>
#include <string>

#include "bgp/wire/types.h"

namespace pinto::bgp::wire {

/// NOTIFICATION error codes, RFC 4271 §4.5 plus RFC 7313 (ROUTE-REFRESH).
enum class ErrorCode : std::uint8_t {
  MessageHeader = 1,
  OpenMessage = 2,
  UpdateMessage = 3,
  HoldTimerExpired = 4,
  FsmError = 5,
  Cease = 6,
  RouteRefreshMessage = 7,
};

namespace header_subcode {
inline constexpr std::uint8_t kConnectionNotSynchronized = 1;
inline constexpr std::uint8_t kBadMessageLength = 2;
inline constexpr std::uint8_t kBadMessageType = 3;
}  // namespace header_subcode

namespace open_subcode {
inline constexpr std::uint8_t kUnspecific = 0;
inline constexpr std::uint8_t kUnsupportedVersion = 1;
inline constexpr std::uint8_t kBadPeerAs = 2;
inline constexpr std::uint8_t kBadBgpIdentifier = 3;
inline constexpr std::uint8_t kUnsupportedOptionalParameter = 4;
inline constexpr std::uint8_t kUnacceptableHoldTime = 6;
inline constexpr std::uint8_t kUnsupportedCapability = 7;  // RFC 5492
inline constexpr std::uint8_t kRoleMismatch = 11;          // RFC 9234
}  // namespace open_subcode

namespace update_subcode {
inline constexpr std::uint8_t kMalformedAttributeList = 1;
inline constexpr std::uint8_t kUnrecognizedWellKnownAttribute = 2;
inline constexpr std::uint8_t kMissingWellKnownAttribute = 3;
inline constexpr std::uint8_t kAttributeFlagsError = 4;
inline constexpr std::uint8_t kAttributeLengthError = 5;
inline constexpr std::uint8_t kInvalidOriginAttribute = 6;
inline constexpr std::uint8_t kInvalidNextHopAttribute = 8;
inline constexpr std::uint8_t kOptionalAttributeError = 9;
inline constexpr std::uint8_t kInvalidNetworkField = 10;
inline constexpr std::uint8_t kMalformedAsPath = 11;
}  // namespace update_subcode

namespace cease_subcode {  // RFC 4486
inline constexpr std::uint8_t kMaxPrefixesReached = 1;
inline constexpr std::uint8_t kAdministrativeShutdown = 2;
inline constexpr std::uint8_t kPeerDeconfigured = 3;
inline constexpr std::uint8_t kAdministrativeReset = 4;
inline constexpr std::uint8_t kConnectionRejected = 5;
inline constexpr std::uint8_t kOtherConfigurationChange = 6;
inline constexpr std::uint8_t kConnectionCollisionResolution = 7;
inline constexpr std::uint8_t kOutOfResources = 8;
inline constexpr std::uint8_t kHardReset = 9;  // RFC 8538
}  // namespace cease_subcode

namespace route_refresh_subcode {  // RFC 7313 §5
inline constexpr std::uint8_t kInvalidMessageLength = 1;
}

/// What RFC 7606 §2 says the receiver does with an error.
enum class ErrorAction : std::uint8_t {
  SessionReset,      // send the NOTIFICATION and close the session
  AfiSafiDisable,    // stop using the family for this session (RFC 4760 §7)
  TreatAsWithdraw,   // every NLRI of the UPDATE is withdrawn; the session stays up
  AttributeDiscard,  // drop the attribute, keep processing the UPDATE
};

struct DecodeError {
  ErrorCode code = ErrorCode::MessageHeader;
  std::uint8_t subcode = 0;
  ErrorAction action = ErrorAction::SessionReset;
  Bytes data;                  // the NOTIFICATION data field
  std::uint8_t attribute = 0;  // the path attribute type concerned, 0 when not an attribute error
  std::string reason;          // one line for the log: what exactly was wrong

  friend bool operator==(const DecodeError&, const DecodeError&) = default;
};

std::string to_string(ErrorAction action);
/// "UPDATE Message Error / Malformed AS_PATH": the RFC names of a code and subcode.
std::string describe_notification(std::uint8_t code, std::uint8_t subcode);

}  // namespace pinto::bgp::wire
