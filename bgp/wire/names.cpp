// Human-readable names for codes, used in logs and test failure messages.
#include <string>

#include "bgp/wire/error.h"
#include "bgp/wire/types.h"

namespace pinto::bgp::wire {

std::string to_string(AfiSafi family) {
  if (family == AfiSafi::ipv4_unicast()) return "ipv4-unicast";
  if (family == AfiSafi::ipv6_unicast()) return "ipv6-unicast";
  return "afi " + std::to_string(family.afi) + "/safi " + std::to_string(family.safi);
}

std::string to_string(MessageType type) {
  switch (type) {
    case MessageType::Open: return "OPEN";
    case MessageType::Update: return "UPDATE";
    case MessageType::Notification: return "NOTIFICATION";
    case MessageType::Keepalive: return "KEEPALIVE";
    case MessageType::RouteRefresh: return "ROUTE-REFRESH";
  }
  return "type " + std::to_string(static_cast<int>(type));
}

std::string to_string(ErrorAction action) {
  switch (action) {
    case ErrorAction::SessionReset: return "session-reset";
    case ErrorAction::AfiSafiDisable: return "afi-safi-disable";
    case ErrorAction::TreatAsWithdraw: return "treat-as-withdraw";
    case ErrorAction::AttributeDiscard: return "attribute-discard";
  }
  return "unknown";
}

namespace {

const char* subcode_name(std::uint8_t code, std::uint8_t subcode) {
  switch (code) {
    case 1:
      switch (subcode) {
        case 1: return "Connection Not Synchronized";
        case 2: return "Bad Message Length";
        case 3: return "Bad Message Type";
      }
      break;
    case 2:
      switch (subcode) {
        case 0: return "Unspecific";
        case 1: return "Unsupported Version Number";
        case 2: return "Bad Peer AS";
        case 3: return "Bad BGP Identifier";
        case 4: return "Unsupported Optional Parameter";
        case 6: return "Unacceptable Hold Time";
        case 7: return "Unsupported Capability";
        case 11: return "Role Mismatch";
      }
      break;
    case 3:
      switch (subcode) {
        case 1: return "Malformed Attribute List";
        case 2: return "Unrecognized Well-known Attribute";
        case 3: return "Missing Well-known Attribute";
        case 4: return "Attribute Flags Error";
        case 5: return "Attribute Length Error";
        case 6: return "Invalid ORIGIN Attribute";
        case 8: return "Invalid NEXT_HOP Attribute";
        case 9: return "Optional Attribute Error";
        case 10: return "Invalid Network Field";
        case 11: return "Malformed AS_PATH";
      }
      break;
    case 5:
      switch (subcode) {
        case 0: return "Unspecific";
        case 1: return "Unexpected Message in OpenSent State";
        case 2: return "Unexpected Message in OpenConfirm State";
        case 3: return "Unexpected Message in Established State";
      }
      break;
    case 6:
      switch (subcode) {
        case 1: return "Maximum Number of Prefixes Reached";
        case 2: return "Administrative Shutdown";
        case 3: return "Peer De-configured";
        case 4: return "Administrative Reset";
        case 5: return "Connection Rejected";
        case 6: return "Other Configuration Change";
        case 7: return "Connection Collision Resolution";
        case 8: return "Out of Resources";
        case 9: return "Hard Reset";
      }
      break;
    case 7:
      if (subcode == 1) return "Invalid Message Length";
      break;
  }
  return nullptr;
}

}  // namespace

std::string describe_notification(std::uint8_t code, std::uint8_t subcode) {
  static constexpr const char* kCodes[] = {nullptr,
                                           "Message Header Error",
                                           "OPEN Message Error",
                                           "UPDATE Message Error",
                                           "Hold Timer Expired",
                                           "Finite State Machine Error",
                                           "Cease",
                                           "ROUTE-REFRESH Message Error"};
  std::string text = code < std::size(kCodes) && kCodes[code]
                         ? kCodes[code]
                         : "error code " + std::to_string(code);
  if (const char* sub = subcode_name(code, subcode)) {
    text += std::string(" / ") + sub;
  } else if (subcode != 0) {
    text += " / subcode " + std::to_string(subcode);
  }
  return text;
}

}  // namespace pinto::bgp::wire
