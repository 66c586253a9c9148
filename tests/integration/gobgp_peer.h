// GobgpPeer: GoBGP as a reference BGP speaker inside a test's network namespace.
//
// Runs `gobgpd -f CONF.toml -p --pprof-disable --api-hosts 127.0.0.1:PORT` and talks to it with
// `gobgp -u 127.0.0.1 -p PORT`. The gRPC API listens on the namespace's own loopback, so every
// namespace can use the same port; only two gobgpd in one namespace would need different ones
// (they would clash on TCP 179 anyway).
//
// GoBGP's config file cannot hold routes, so originated prefixes are added through the API after
// every start (`gobgp global rib add`), and announce()/withdraw() use the same commands.
//
// Reading state:
//   established        `gobgp neighbor ADDR`: "BGP state = ESTABLISHED".
//   received_prefixes  `gobgp neighbor ADDR adj-in -a {ipv4|ipv6}` for every neighbor and
//                      enabled family: the Adj-RIB-In, before import policy, without routes
//                      whose AS_PATH contains our own AS (GoBGP keeps those; BIRD and FRR drop
//                      them on receipt).
#pragma once

#include <cstdint>
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

class GobgpPeer final : public Peer {
 public:
  static constexpr std::uint16_t kDefaultApiPort = 50051;

  /// Validates `config`, writes gobgpd.toml, starts gobgpd inside `netns` (which must outlive
  /// this object) and adds the originated prefixes. Throws HarnessError if the API does not
  /// answer.
  GobgpPeer(const Netns& netns, PeerConfig config, std::uint16_t api_port = kDefaultApiPort);
  ~GobgpPeer() override = default;

  std::string_view kind() const override { return "gobgp"; }
  bool established(std::string_view neighbor) override;
  std::set<std::string> received_prefixes() override;
  void announce(std::string_view prefix) override;
  void withdraw(std::string_view prefix) override;
  Subprocess& process() override { return *process_; }
  void restart(RestartMode mode = RestartMode::Cold) override;
  const std::filesystem::path& log_path() const override { return log_; }
  std::string diagnostics() override;

  /// `gobgp -u 127.0.0.1 -p PORT args...` inside the namespace.
  RunResult gobgp(const std::vector<std::string>& args, std::chrono::milliseconds timeout = 5s);

  const std::filesystem::path& config_path() const { return conf_; }

 private:
  std::string render_config() const;
  void start(RestartMode mode);
  /// `global rib add|del` for one prefix; throws on failure.
  void rib(const std::string& verb, const std::string& prefix);

  const Netns& netns_;
  PeerConfig config_;
  std::uint16_t api_port_;
  std::set<std::string> announced_;
  TempDir dir_;
  std::filesystem::path conf_;
  std::filesystem::path log_;
  std::optional<Subprocess> process_;  // declared last: stopped before dir_ is removed
};

}  // namespace pinto::itest
