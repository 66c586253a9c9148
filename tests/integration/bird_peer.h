// BirdPeer: BIRD 2 as a reference BGP speaker inside a test's network namespace.
//
// Runs `bird -f -c CONF -s SOCK` (foreground, a control socket of its own) and talks to it with
// `birdc -s SOCK`. Every neighbor becomes `protocol bgp n_<address>`; originated prefixes are
// blackhole routes in two static protocols (p_static4, p_static6) that are always declared, so
// announce()/withdraw() rewrite the config and run `birdc configure`: BIRD then reconfigures the
// static protocols in place and leaves the unchanged BGP sessions up.
//
// Reading state:
//   established        `show protocols n_<addr>`: the protocol's line says "Established".
//   received_prefixes  `show route table all where source = RTS_BGP`: every BGP route in
//                      master4 and master6 (import is `all`, so nothing is filtered out).
#pragma once

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "integration/netns.h"
#include "integration/peer.h"
#include "integration/peer_config.h"
#include "integration/process.h"
#include "integration/temp_dir.h"

namespace pinto::itest {

class BirdPeer final : public Peer {
 public:
  /// Validates `config`, writes bird.conf and starts BIRD inside `netns` (which must outlive
  /// this object). Returns once birdc answers; throws HarnessError otherwise.
  BirdPeer(const Netns& netns, PeerConfig config);
  ~BirdPeer() override = default;

  std::string_view kind() const override { return "bird"; }
  bool established(std::string_view neighbor) override;
  std::set<std::string> received_prefixes() override;
  void announce(std::string_view prefix) override;
  void withdraw(std::string_view prefix) override;
  Subprocess& process() override { return *process_; }
  void restart(RestartMode mode = RestartMode::Cold) override;
  const std::filesystem::path& log_path() const override { return log_; }
  std::string diagnostics() override;

  /// `birdc -s SOCK args...` inside the namespace, for checks the interface does not cover
  /// (e.g. {"show", "route", "10.0.0.0/24", "all"}).
  RunResult birdc(const std::vector<std::string>& args, std::chrono::milliseconds timeout = 5s);

  /// ORIGINATOR_ID and CLUSTER_LIST of BIRD's best route to `prefix` (`show route PREFIX all`);
  /// nullopt when BIRD has no route to it or birdc fails.
  std::optional<ReflectionAttributes> reflection_attributes(std::string_view prefix);
  /// The next hop of every BGP path BIRD holds for `prefix` (several with ADD-PATH), sorted.
  std::vector<std::string> next_hops_of(std::string_view prefix);

  /// The name of the BGP protocol for `neighbor`: "n_10_0_0_2", "n_fd00__2".
  static std::string protocol_name(std::string_view neighbor);

  const std::filesystem::path& config_path() const { return conf_; }

 private:
  std::string render_config() const;
  void start(RestartMode mode);
  /// Writes the config and asks the running BIRD to load it.
  void reconfigure();

  const Netns& netns_;
  PeerConfig config_;
  std::set<std::string> announced_;  // canonical prefixes; rendered into the static protocols
  TempDir dir_;
  std::filesystem::path conf_;
  std::filesystem::path socket_;
  std::filesystem::path log_;
  std::optional<Subprocess> process_;  // declared last: stopped before dir_ is removed
};

}  // namespace pinto::itest
