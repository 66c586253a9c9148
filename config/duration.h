// Go/Kubernetes duration strings ("90s", "2m30s", "1.5h", "500ms"), as Calico's metav1.Duration
// fields (maxRestartTime, keepaliveTime) are written.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace pinto::config {

/// Parses a duration; nullopt on anything malformed or negative.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace pinto::config
