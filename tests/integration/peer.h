// Peer: the interface every reference BGP speaker wrapper (BirdPeer, FrrPeer, GobgpPeer)
// implements, so a scenario can be written once and run against each of them (Envoy's
// interface / implementation split; the wrappers are the implementations, there are no fakes).
//
// Each wrapper owns a private temp dir (config, control socket, log) and one Subprocess running
// the daemon inside a Netns the test owns. State is read back only through the daemon's own CLI
// (birdc, vtysh, gobgp), never from our side of the session, so a test checks what the peer
// really believes.
//
// Queries (established, received_prefixes) answer "no"/empty when the CLI fails or times out,
// because that is what a test polling with wait_until wants while a daemon is starting, stopped
// or dead. Commands (announce, withdraw, restart) throw HarnessError on failure.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "integration/process.h"

namespace pinto::itest {

/// The route reflection attributes (RFC 4456) of a route as a peer holds it, read from its CLI:
/// dotted quads, the cluster list in wire order (the last reflector first).
struct ReflectionAttributes {
  std::optional<std::string> originator_id;
  std::vector<std::string> cluster_list;

  friend bool operator==(const ReflectionAttributes&, const ReflectionAttributes&) = default;
};

/// "originator 10.0.0.2, cluster list [1.2.3.4]", for failure messages.
inline std::string to_string(const ReflectionAttributes& attributes) {
  std::string out =
      "originator " + attributes.originator_id.value_or("(none)") + ", cluster list [";
  for (std::size_t i = 0; i < attributes.cluster_list.size(); ++i) {
    out += (i == 0 ? "" : " ") + attributes.cluster_list[i];
  }
  return out + "]";
}
/// GoogleTest prints values with this (found by ADL), so failures read as text, not bytes.
inline void PrintTo(const ReflectionAttributes& attributes, std::ostream* os) {
  *os << to_string(attributes);
}

/// How restart() brings the daemon back.
enum class RestartMode : std::uint8_t {
  /// A plain new start.
  Cold,
  /// Start as a graceful-restarting speaker (RFC 4724 Restart State bit): BIRD `-R`,
  /// gobgpd `-r`. FRR bgpd has no such switch; for it this is the same as Cold.
  Graceful,
};

class Peer {
 public:
  virtual ~Peer() = default;

  /// "bird", "frr" or "gobgp", for messages.
  virtual std::string_view kind() const = 0;

  /// True when the daemon reports the session with `neighbor` (an address from its
  /// PeerConfig, any spelling) as Established.
  virtual bool established(std::string_view neighbor) = 0;

  /// Every prefix (IPv4 and IPv6, canonical text) the daemon holds as learned over BGP from any
  /// neighbor, before best-path selection. Its own originated prefixes are not included.
  virtual std::set<std::string> received_prefixes() = 0;

  /// Starts originating `prefix` (IPv4 or IPv6) towards every neighbor of that family.
  virtual void announce(std::string_view prefix) = 0;
  /// Stops originating `prefix`: the neighbors get a withdrawal.
  virtual void withdraw(std::string_view prefix) = 0;

  /// The daemon process, e.g. for signal(SIGSTOP) / signal(SIGCONT) / signal(SIGKILL).
  virtual Subprocess& process() = 0;

  /// Stops the daemon (SIGTERM, or nothing if it is already dead, e.g. after SIGKILL) and starts
  /// it again with the same config and the currently announced prefixes. Returns when its CLI
  /// answers; throws HarnessError if it does not come back.
  virtual void restart(RestartMode mode = RestartMode::Cold) = 0;

  /// The daemon's log (stdout and stderr, all runs).
  virtual const std::filesystem::path& log_path() const = 0;

  /// A block of text for a failure message: the daemon's view of its sessions and routes from
  /// its CLI, and the tail of its log.
  virtual std::string diagnostics() = 0;
};

}  // namespace pinto::itest
