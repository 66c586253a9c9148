// Standard base64 (RFC 4648 §4) decoding, for Kubernetes Secret `data` values.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pinto::config {

/// Decodes padded or unpadded base64; nullopt on any character outside the alphabet.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace pinto::config
