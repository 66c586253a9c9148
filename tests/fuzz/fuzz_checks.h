// The properties every fuzz input must satisfy, shared by the libFuzzer targets and by the unit
// test that replays the committed corpus in every build.
//
// For each negotiated context: decode never crashes or reads out of bounds (ASan), and whatever
// decodes re-encodes into bytes that decode to the same message (the codec is its own inverse on
// everything it accepts). A violated property aborts, which the fuzzer reports as a crash.
#pragma once

#include <array>
#include <cstdio>
#include <cstdlib>

#include "bgp/wire/message.h"

namespace pinto::fuzz {

inline constexpr std::array<bgp::wire::DecodeContext, 4> kAllContexts = {{
    {true, {}, false, false},
    {false, {}, false, true},
    {true, bgp::wire::AddPathMask::all(), true, false},
    {false, bgp::wire::AddPathMask::all(), false, false},
}};

inline bgp::wire::EncodeContext encode_context_for(const bgp::wire::DecodeContext& d) {
  return bgp::wire::EncodeContext{d.four_octet_as, d.add_path, d.extended_message};
}

[[noreturn]] inline void property_violated(const char* what) {
  std::fprintf(stderr, "fuzz property violated: %s\n", what);
  std::abort();
}

/// Checks one input as a single message in every context.
inline void check_message(bgp::wire::ByteView bytes) {
  for (const auto& ctx : kAllContexts) {
    auto decoded = bgp::wire::decode(bytes, ctx);
    if (!decoded) {
      const auto& e = decoded.error();
      if (e.code < bgp::wire::ErrorCode::MessageHeader ||
          e.code > bgp::wire::ErrorCode::RouteRefreshMessage) {
        property_violated("decode error with an undefined error code");
      }
      continue;
    }
    bgp::wire::Bytes out;
    if (!bgp::wire::encode(decoded.value(), encode_context_for(ctx), out)) continue;
    auto again = bgp::wire::decode(out, ctx);
    if (!again) property_violated("re-encoded message does not decode");
    if (!(again.value() == decoded.value())) property_violated("round trip changed the message");
  }
}

/// Checks one input as a TCP byte stream: frame and decode message after message.
inline void check_stream(bgp::wire::ByteView stream) {
  const bgp::wire::DecodeContext ctx{};
  for (int messages = 0; messages < 1000 && !stream.empty(); ++messages) {
    auto length = bgp::wire::frame(stream, bgp::wire::kMaxMessageSize);
    if (!length || length.value() == 0) return;
    if (length.value() > stream.size()) property_violated("frame length past the stream");
    (void)bgp::wire::decode(stream.first(length.value()), ctx);
    stream = stream.subspan(length.value());
  }
}

}  // namespace pinto::fuzz
