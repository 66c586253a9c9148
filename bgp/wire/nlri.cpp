#include "bgp/wire/nlri.h"

#include <array>

#include "bgp/wire/byte_io.h"

namespace pinto::bgp::wire {

bool decode_nlri(ByteView field, AddressFamily family, bool add_path, std::uint8_t error_subcode,
                 std::vector<Nlri>& out, DecodeError& error) {
  const unsigned max_length = family == AddressFamily::V4 ? 32 : 128;
  ByteReader r(field);
  auto fail = [&](std::string reason) {
    error = DecodeError{ErrorCode::UpdateMessage, error_subcode, ErrorAction::SessionReset, {}, 0,
                        std::move(reason)};
    return false;
  };
  while (!r.empty()) {
    Nlri n;
    if (add_path && !r.u32(n.path_id)) return fail("NLRI path identifier truncated");
    std::uint8_t length = 0;
    if (!r.u8(length)) return fail("NLRI length missing");
    if (length > max_length) {
      return fail("NLRI prefix length " + std::to_string(length) + " over " +
                  std::to_string(max_length));
    }
    std::array<std::uint8_t, 16> address{};
    if (!r.copy((length + 7u) / 8u, address.data())) return fail("NLRI prefix runs past its field");
    n.prefix = IpPrefix(IpAddress::from_bytes(family, address.data()), length);
    out.push_back(n);
  }
  return true;
}

void encode_nlri(const Nlri& n, bool add_path, Bytes& out) {
  ByteWriter w(out);
  if (add_path) w.u32(n.path_id);
  w.u8(n.prefix.length());
  w.bytes(n.prefix.address().data(), (n.prefix.length() + 7u) / 8u);
}

}  // namespace pinto::bgp::wire
