// FrrPeer: FRR's bgpd as a reference BGP speaker inside a test's network namespace.
//
// Runs bgpd alone, without zebra or watchfrr:
//   bgpd -f CONF -i PIDFILE -Z --vty_socket DIR -S -P 0
// (-Z no zebra, -S no user switch, -P 0 no telnet vty; careful, lower-case -p 0 would stop bgpd
// listening on port 179), and talks to it with `vtysh --vty_socket DIR -d bgpd`. Without zebra
// bgpd needs `no bgp network import-check` to originate, and FRR 8.4 needs
// `no bgp ebgp-requires-policy` to exchange eBGP routes without route-maps.
//
// Reading state:
//   established        `show bgp neighbors ADDR json`: "bgpState":"Established".
//   received_prefixes  `show bgp {ipv4|ipv6} unicast neighbors ADDR routes json` for every
//                      neighbor and enabled family: the object keys under "routes".
// announce()/withdraw() are `network X` / `no network X` in the running config; restart()
// writes them into the config file first, as if they had been saved.
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

class FrrPeer final : public Peer {
 public:
  static constexpr const char* kBgpdPath = "/usr/lib/frr/bgpd";

  /// Validates `config`, writes bgpd.conf and starts bgpd inside `netns` (which must outlive
  /// this object). Returns once vtysh shows the BGP instance; throws HarnessError otherwise.
  FrrPeer(const Netns& netns, PeerConfig config);
  ~FrrPeer() override = default;

  std::string_view kind() const override { return "frr"; }
  bool established(std::string_view neighbor) override;
  std::set<std::string> received_prefixes() override;
  void announce(std::string_view prefix) override;
  void withdraw(std::string_view prefix) override;
  Subprocess& process() override { return *process_; }
  /// RestartMode is ignored: bgpd has no restarting-speaker switch.
  void restart(RestartMode mode = RestartMode::Cold) override;
  const std::filesystem::path& log_path() const override { return log_; }
  std::string diagnostics() override;

  /// `vtysh ... -c commands[0] -c commands[1] ...` inside the namespace (one vtysh, one
  /// session, so "configure terminal" carries over to the following commands).
  RunResult vtysh(const std::vector<std::string>& commands, std::chrono::milliseconds timeout = 5s);

  /// ORIGINATOR_ID and CLUSTER_LIST of bgpd's best path to `prefix`
  /// (`show bgp {ipv4|ipv6} unicast PREFIX`); nullopt when bgpd has no path or vtysh fails.
  std::optional<ReflectionAttributes> reflection_attributes(std::string_view prefix);

  /// `clear bgp ADDR`: resets the session, and with it FRR's idle-hold timer, which doubles
  /// after every NOTIFICATION up to 120 s. Call it after provoking errors.
  void clear(std::string_view neighbor);

  const std::filesystem::path& config_path() const { return conf_; }

 private:
  std::string render_config() const;
  void start();
  /// Runs `network X` or `no network X` in the address family of `prefix`.
  void set_network(const std::string& prefix, bool present);

  const Netns& netns_;
  PeerConfig config_;
  std::set<std::string> announced_;
  TempDir dir_;
  std::filesystem::path conf_;
  std::filesystem::path log_;
  std::filesystem::path pid_file_;
  std::filesystem::path vty_dir_;
  std::optional<Subprocess> process_;  // declared last: stopped before dir_ is removed
};

}  // namespace pinto::itest
