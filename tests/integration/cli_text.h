// Small text helpers shared by the peer wrappers: reading prefixes out of CLI output, checking
// strings before they go into a generated config file, and log tails for failure messages.
//
// The peers' CLIs are read as text (no JSON library is a dependency of the project); every
// helper here is tolerant of the surrounding layout and only trusts tokens that parse.
#pragma once

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace pinto::itest {

/// "10.0.0.0/24" or "fd00:0:0::/64" -> canonical text ("fd00::/64", RFC 5952 via inet_ntop).
/// nullopt unless the text is an address, a slash and a length in range, with no host bits set.
std::optional<std::string> canonical_prefix(std::string_view text);

/// Canonical prefix or HarnessError("<what>: not a network prefix: ...").
std::string require_prefix(std::string_view text, std::string_view what);

/// True for an IPv6 address or prefix ("fd00::1", "fd00::/64"), false for IPv4.
bool is_ipv6(std::string_view address_or_prefix);

/// True if `text` is an IPv4 or IPv6 address (no prefix length).
bool is_address(std::string_view text);

/// "fd00:0::1" -> "fd00::1"; nullopt if `text` is not an address. Lets tests name a neighbor in
/// any spelling.
std::optional<std::string> canonical_address(std::string_view text);

/// Every token in `text` that is a prefix, canonicalised. Tokens are split at white space and
/// JSON punctuation (quotes, commas, braces, brackets), so the same function reads BIRD's and
/// GoBGP's tables and FRR's JSON object keys.
std::set<std::string> prefixes_in(std::string_view text);

/// The white-space separated tokens that follow `label` on its first line in `text` (up to a
/// ',' if `stop_at_comma`), or nullopt when `label` does not occur. Reads attribute lines such as
/// BIRD's "BGP.cluster_list: 1.2.3.4 5.6.7.8" and FRR's "Originator: 10.0.0.2, Cluster list: ...".
std::optional<std::vector<std::string>> tokens_after(std::string_view text, std::string_view label,
                                                     bool stop_at_comma = false);

/// Throws HarnessError unless `value` is non-empty printable ASCII without white space, quotes,
/// backslashes or '#', ';', '!' (which start comments or end statements in the configs we write).
/// Keeps generated configs unambiguous without an escaping scheme per daemon.
void require_config_token(std::string_view value, std::string_view what);

/// The last `lines` lines of a text file ("" if it cannot be read).
std::string tail_file(const std::filesystem::path& path, std::size_t lines = 40);

/// Writes `text` to `path`, replacing it; HarnessError on failure.
void write_file(const std::filesystem::path& path, std::string_view text);

}  // namespace pinto::itest
