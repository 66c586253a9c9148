// The daemon's own settings file (`pintod --config FILE`, YAML). Names follow DESIGN.md:
//
//   nodeName: node-a          # which Node resource is "me"
//   routerId: 10.0.0.1        # defaults to the node's IPv4 address
//   listen: {address: 0.0.0.0, port: 179}
//   api: {socket: /run/pinto/pintod.sock, tcp: 127.0.0.1:50051, tls: {certFile, keyFile,
//   clientCAFile}} store: /var/lib/pinto/state.db fib: {enabled: true, table: 254, protocol: 196}
//   policy: {dataplane: iptables}         # iptables | ebpf | none
//   resources: [/etc/pinto/resources.yaml]
//   originate: [10.244.1.0/26]              # static prefixes, like BIRD's static protocol
//   logLevel: info
//   bgp: {holdTime: 90s, connectRetryTime: 5s, gracefulRestart: {enabled: true, restartTime: 120s},
//         maxPaths: 16, maxPrefixes: {limit: 10000, action: Warn},  # per peer; not in Calico
//         addPaths: true}
//
// Relative paths (resources, store, api socket) are relative to the settings file's directory.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ip_address.h"
#include "common/log.h"
#include "config/failsafe_ports.h"
#include "config/validation.h"

namespace pinto::config {

struct ListenSettings {
  std::optional<IpAddress> address;  // unset: all addresses, IPv4 and IPv6
  std::uint16_t port = 179;
  bool port_set = false;  // written in the file: wins over BGPConfiguration's listenPort
};

struct ApiTlsSettings {
  std::string cert_file;
  std::string key_file;
  std::string client_ca_file;  // set: clients need a certificate signed by it
};

struct ApiSettings {
  std::string socket = "/run/pinto/pintod.sock";
  bool socket_set = false;         // written in the file: failing to listen there is fatal
  std::optional<std::string> tcp;  // "host:port"; only with tls
  std::optional<ApiTlsSettings> tls;
};

struct FibSettings {
  bool enabled = true;
  std::uint32_t table = 254;
  std::uint8_t protocol = 196;
};

/// Which back-end enforces network policy on this node's endpoints (`policy: {dataplane: ...}`).
enum class PolicyDataplane : std::uint8_t { None, Iptables, Ebpf };

/// The eBPF data plane's connection-table idle timeouts (`policy: {conntrackTimeouts: {...}}`,
/// named after Felix's bpfConntrackTimeouts); an unset one keeps its default
/// (policy/ebpf/ebpf_dataplane.h ConntrackTimeouts). The iptables back-end uses the kernel's.
struct ConntrackTimeoutSettings {
  std::optional<std::chrono::milliseconds> tcp_syn_sent;
  std::optional<std::chrono::milliseconds> tcp_established;
  std::optional<std::chrono::milliseconds> tcp_fins_seen;
  std::optional<std::chrono::milliseconds> udp;
  std::optional<std::chrono::milliseconds> icmp;
  std::optional<std::chrono::milliseconds> generic;
};

struct PolicySettings {
  PolicyDataplane dataplane = PolicyDataplane::Iptables;  // Calico's default data plane
  /// Host ports that host endpoint policy never closes (`failsafeInboundHostPorts`,
  /// `failsafeOutboundHostPorts`: lists of {protocol: TCP|UDP, port}; `[]` opens none).
  std::vector<FailsafePort> failsafe_inbound = default_failsafe_inbound();
  std::vector<FailsafePort> failsafe_outbound = default_failsafe_outbound();
  ConntrackTimeoutSettings conntrack_timeouts;
};

struct GracefulRestartSettings {
  bool enabled = true;
  std::chrono::seconds restart_time{120};  // advertised to peers; RFC 4724 allows up to 4095 s
};

/// A limit on the routes one peer may have accepted (after import filters). Calico's resources
/// have no field for it, so it is a daemon setting and applies to every peer.
struct MaxPrefixSettings {
  std::uint32_t limit = 0;  // 0: no limit
  /// false (Warn): log once when a peer goes over; true (Restart): end the session with Cease
  /// subcode 1 (RFC 4486), which reconnects after the idle-hold back-off.
  bool restart = false;
};

struct BgpTimerSettings {
  std::chrono::seconds hold_time{90};
  std::chrono::seconds connect_retry_time{5};
  GracefulRestartSettings graceful_restart;
  /// ECMP: up to this many equal-cost BGP paths of a prefix go into the kernel as one multipath
  /// route (BIRD's `merge paths on limit 16`, FRR's `maximum-paths`). 1: best path only.
  std::uint32_t max_paths = 16;
  MaxPrefixSettings max_prefixes;
  /// ADD-PATH (RFC 7911) offered to every peer, both directions (calico-node's BIRD: `add
  /// paths on`); used with the peers that offer it too.
  bool add_paths = true;
};

struct Settings {
  std::string node_name;
  std::optional<IpAddress> router_id;
  ListenSettings listen;
  ApiSettings api;
  std::string store;              // unset: /var/lib/pinto/<nodeName>/state.db
  bool store_is_default = false;  // its directory is created when missing
  /// Where BGPPeer password secretKeyRefs resolve: <secrets>/<name>/<key> (a Kubernetes secret
  /// volume). Empty: from Secret resources only.
  std::string secrets;
  FibSettings fib;
  PolicySettings policy;
  std::vector<std::string> resources;
  std::vector<IpPrefix> originate;
  LogLevel log_level = LogLevel::Info;
  BgpTimerSettings bgp;
};

/// Parses settings text. `base_dir` resolves relative paths (empty: leave them as written).
Validated<Settings> parse_settings(const std::string& yaml, const std::string& base_dir = {});
/// Reads and parses a settings file.
Validated<Settings> load_settings(const std::string& path);

/// Reads a whole file; the error names the path and errno text.
Result<std::string> read_text_file(const std::string& path);

}  // namespace pinto::config
