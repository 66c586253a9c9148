// Internal to bgp/wire: the per-message body codecs that decode() and encode() dispatch to.
// `body` is the message without its 19-octet header; its length was checked against the
// message type's minimum by decode().
#pragma once

#include "bgp/wire/message.h"

namespace pinto::bgp::wire {

Result<Message, DecodeError> decode_open(ByteView body);
Result<Message, DecodeError> decode_update(ByteView body, const DecodeContext& ctx);

void encode_open_body(const Open& open, Bytes& out);
void encode_update_body(const Update& update, const EncodeContext& ctx, Bytes& out);

/// Appends a header with a zero length; finish_message() patches the length in.
std::size_t begin_message(MessageType type, Bytes& out);
void finish_message(std::size_t start, Bytes& out);

}  // namespace pinto::bgp::wire
