// NLRI encoding (RFC 4271 §4.3): a length in bits followed by the fewest octets that hold it,
// preceded by a 4-octet Path Identifier when ADD-PATH is negotiated (RFC 7911 §3).
#pragma once

#include <cstdint>
#include <vector>

#include "bgp/wire/error.h"
#include "bgp/wire/types.h"
#include "common/ip_address.h"

namespace pinto::bgp::wire {

struct Nlri {
  IpPrefix prefix;
  std::uint32_t path_id = 0;  // 0 unless ADD-PATH is in use for the family
  friend bool operator==(const Nlri&, const Nlri&) = default;
  friend auto operator<=>(const Nlri&, const Nlri&) = default;
};

/// Decodes a run of NLRI of one family. An entry whose length is over 32/128 or that runs past
/// `field` is an error with the given code/subcode (the caller knows whether it sits in the
/// UPDATE's own fields or inside MP_REACH/MP_UNREACH). Appends to `out`.
bool decode_nlri(ByteView field, AddressFamily family, bool add_path, std::uint8_t error_subcode,
                 std::vector<Nlri>& out, DecodeError& error);

/// Octets one NLRI takes on the wire.
inline std::size_t nlri_size(const Nlri& n, bool add_path) {
  return (add_path ? 4u : 0u) + 1u + (n.prefix.length() + 7u) / 8u;
}

void encode_nlri(const Nlri& n, bool add_path, Bytes& out);

}  // namespace pinto::bgp::wire
