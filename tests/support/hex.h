// Test helpers for writing BGP messages as hex text.
#pragma once

#include <string>
#include <string_view>

#include "bgp/wire/types.h"

namespace pinto::test {

/// Parses hex text, ignoring whitespace, ':' separators and '#' comments to the end of a line.
/// Aborts the test binary on a stray character, so a typo in a vector cannot pass silently.
bgp::wire::Bytes from_hex(std::string_view text);
std::string to_hex(bgp::wire::ByteView bytes);
/// Reads a whole file (test data); aborts if it cannot.
std::string read_file(const std::string& path);

/// A whole message: 16 marker octets, the length computed, `type`, then `body_hex`.
bgp::wire::Bytes message(std::uint8_t type, std::string_view body_hex);
/// An UPDATE with the given withdrawn, path attributes and NLRI fields (lengths computed).
bgp::wire::Bytes update(std::string_view withdrawn_hex, std::string_view attributes_hex,
                        std::string_view nlri_hex = "");

}  // namespace pinto::test
