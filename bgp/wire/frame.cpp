// Message framing and header checks, RFC 4271 §4.1 and §6.1.
#include <algorithm>

#include "bgp/wire/byte_io.h"
#include "bgp/wire/message.h"

namespace pinto::bgp::wire {

Result<std::size_t, DecodeError> frame(ByteView stream, std::size_t max_size) {
  if (stream.size() < kHeaderSize) return std::size_t{0};
  if (!std::all_of(stream.begin(), stream.begin() + 16, [](std::uint8_t b) { return b == 0xff; })) {
    return failure(DecodeError{ErrorCode::MessageHeader,
                               header_subcode::kConnectionNotSynchronized,
                               ErrorAction::SessionReset,
                               {},
                               0,
                               "marker is not all ones"});
  }
  const std::size_t length = (std::size_t{stream[16]} << 8) | stream[17];
  if (length < kHeaderSize || length > max_size) {
    // §6.1: the data field holds the erroneous Length field.
    return failure(DecodeError{ErrorCode::MessageHeader, header_subcode::kBadMessageLength,
                               ErrorAction::SessionReset, Bytes{stream[16], stream[17]}, 0,
                               "message length " + std::to_string(length)});
  }
  const std::uint8_t type = stream[18];
  if (type < static_cast<std::uint8_t>(MessageType::Open) ||
      type > static_cast<std::uint8_t>(MessageType::RouteRefresh)) {
    return failure(DecodeError{ErrorCode::MessageHeader, header_subcode::kBadMessageType,
                               ErrorAction::SessionReset, Bytes{type}, 0,
                               "message type " + std::to_string(type)});
  }
  return stream.size() < length ? std::size_t{0} : length;
}

}  // namespace pinto::bgp::wire
