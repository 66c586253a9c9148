// Small helpers shared by the codec unit tests.
#pragma once

#include <gtest/gtest.h>

#include "bgp/wire/message.h"
#include "support/hex.h"

namespace pinto::test {

using namespace pinto::bgp::wire;

inline IpPrefix prefix(std::string_view text) {
  return *IpPrefix::parse(text);
}
inline IpAddress address(std::string_view text) {
  return *IpAddress::parse(text);
}
inline Nlri nlri(std::string_view text, std::uint32_t path_id = 0) {
  return Nlri{prefix(text), path_id};
}

inline EncodeContext encode_context(const DecodeContext& d) {
  return EncodeContext{d.four_octet_as, d.add_path, d.extended_message};
}

inline Bytes encode_ok(const Message& m, const EncodeContext& ctx = {}) {
  Bytes out;
  auto r = encode(m, ctx, out);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return out;
}

/// Decodes bytes that must decode; fails the test with the decoder's reason otherwise.
inline Message decode_ok(ByteView bytes, const DecodeContext& ctx = {}) {
  auto r = decode(bytes, ctx);
  if (!r) {
    ADD_FAILURE() << "decode failed: " << r.error().reason << " ("
                  << describe_notification(static_cast<std::uint8_t>(r.error().code),
                                           r.error().subcode)
                  << ")";
    return Keepalive{};
  }
  return std::move(r).value();
}

inline Update decode_update_ok(ByteView bytes, const DecodeContext& ctx = {}) {
  auto m = decode_ok(bytes, ctx);
  if (!std::holds_alternative<Update>(m)) {
    ADD_FAILURE() << "not an UPDATE";
    return {};
  }
  return std::get<Update>(std::move(m));
}

/// Encodes, decodes again, and checks the message survived unchanged.
inline void expect_round_trip(const Message& m, const DecodeContext& ctx = {}) {
  const Bytes bytes = encode_ok(m, encode_context(ctx));
  const Message back = decode_ok(bytes, ctx);
  EXPECT_TRUE(back == m) << "round trip changed the message; bytes " << to_hex(bytes);
  // And the bytes are stable: encoding the decoded message gives the same octets.
  EXPECT_EQ(to_hex(encode_ok(back, encode_context(ctx))), to_hex(bytes));
}

}  // namespace pinto::test
