// Resource kind names as users type them: calicoctl accepts "bgppeer", "bgppeers", "BGPPeer",
// and short forms such as "ippool"/"pool"; this maps all of them to the kind the API knows.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pinto::ctl {

/// The canonical kind ("BGPPeer") for what the user typed, or nullopt when unknown.
std::optional<std::string> canonical_kind(std::string_view typed);
/// Every kind, for the error message that lists them.
std::string known_kinds();
bool is_namespaced(std::string_view kind);

}  // namespace pinto::ctl
