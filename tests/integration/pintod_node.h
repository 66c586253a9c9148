// PintodNode: a pintod under test, in a network namespace the test owns. It writes the settings
// file and a Calico resources file from a small description, starts the daemon, and reads its
// state back from its own log: SIGUSR1 makes pintod log every peer's state and its Loc-RIB
// between "status begin" and "status end" lines (until the API issue brings pintoctl).
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "integration/netns.h"
#include "integration/process.h"
#include "integration/temp_dir.h"

namespace pinto::itest {

struct PintodPeerSpec {
  std::string name;  // BGPPeer metadata.name
  std::string address;
  std::uint32_t as_number = 0;
  std::optional<std::string> password;
  bool passive = false;
  std::optional<int> ttl_security;
  std::optional<int> keepalive_seconds;  // Calico keepaliveTime
  std::optional<int> max_restart_seconds;
  std::vector<std::string> filters;  // BGPFilter names (define them in extra_resources)
  std::optional<int> num_allowed_local_as;
};

struct PintodConfig {
  std::string node_name = "node-a";
  std::uint32_t as_number = 64512;
  std::optional<std::string> ipv4;  // node address with length, "10.0.0.1/24"
  std::optional<std::string> ipv6;
  /// The Node's spec.bgp.routeReflectorClusterID: pintod reflects (its iBGP peers are clients).
  std::optional<std::string> route_reflector_cluster_id;
  std::vector<PintodPeerSpec> peers;
  std::vector<std::string> originate;
  int hold_time_seconds = 90;
  bool graceful_restart = true;
  int restart_time_seconds = 120;
  /// Extra YAML documents appended to the resources file (other Nodes for the mesh, ...).
  std::string extra_resources;
  bool mesh = false;
  /// No resources file at all: the node starts empty and is fed through pintoctl.
  bool api_only = false;
  /// Settings `secrets:` (a directory of <name>/<key> files); empty: not set.
  std::string secrets_dir;
  /// More keys of the settings' `bgp:` map, e.g. ", maxPrefixes: {limit: 2}".
  std::string bgp_extra;
  /// More keys of the settings' `api:` map, e.g. ", tcp: 127.0.0.1:50051, tls: {...}".
  std::string api_extra;
  /// Settings `policy: {dataplane: ...}` (iptables, ebpf, none); empty: pintod's default.
  std::string policy_dataplane;
  /// More keys of the settings' `policy:` map (with policy_dataplane set), e.g.
  /// ", failsafeInboundHostPorts: [{protocol: TCP, port: 2222}]".
  std::string policy_extra;
};

struct PintodPeerState {
  std::string state;  // "Established", "Active", ...
  std::size_t received = 0;
  std::size_t stale = 0;
  std::size_t advertised = 0;
  std::string line;  // the whole status line, for messages
};

class PintodNode {
 public:
  PintodNode(const Netns& netns, PintodConfig config);
  ~PintodNode();

  /// Writes the files and starts pintod; throws HarnessError if it exits at once.
  void start();
  /// SIGTERM and wait (the Cease goes out); restart with start().
  void stop();
  Subprocess& process() { return *process_; }
  PintodConfig& config() { return config_; }
  /// Rewrites the settings and resources from config() and sends SIGHUP.
  void reload();

  /// Asks for a status dump (SIGUSR1) and parses it; empty when pintod does not answer in 2 s.
  std::map<std::string, PintodPeerState> peers();
  /// Loc-RIB prefixes learned from peers (canonical text), from the same dump.
  std::set<std::string> learned_prefixes();
  /// Learned prefixes flagged stale (graceful restart).
  std::set<std::string> stale_prefixes();
  bool established(const std::string& peer_address);

  /// Runs `pintoctl --socket <this node's API socket> ARGS...` (10 s at most).
  RunResult pintoctl(const std::vector<std::string>& args) const;
  /// Writes `yaml` to a file and runs `pintoctl apply -f` with it (plus `extra` arguments).
  RunResult apply(const std::string& yaml, const std::vector<std::string>& extra = {});
  /// Writes `yaml` to a file and runs `pintoctl delete -f` with it.
  RunResult delete_manifest(const std::string& yaml);
  /// SIGKILL: no Cease, no clean-up, the store as the kernel left it.
  void kill();
  std::filesystem::path api_socket() const { return dir_ / "pintod.sock"; }

  std::string log() const;
  bool log_contains(const std::string& text) const;
  std::string diagnostics();

 private:
  std::optional<std::vector<std::string>> status_dump();
  /// Writes `yaml` to a new file in the node's directory; returns its path.
  std::string manifest_file(const std::string& yaml);
  void write_files() const;

  const Netns& netns_;
  PintodConfig config_;
  TempDir dir_;
  std::optional<Subprocess> process_;
  /// Numbers the manifest files; atomic because tests apply from several threads at once (two
  /// writers handed one number would overwrite each other's manifest).
  std::atomic<int> applied_files_{0};
};

/// The pintod and pintoctl binaries under test (set by CMake).
std::filesystem::path pintod_path();
std::filesystem::path pintoctl_path();

}  // namespace pinto::itest
