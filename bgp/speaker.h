// Speaker: owns the listener and one Session per configured peer, and connects sessions to the
// RIB. It is the SessionListener: UPDATEs go into the RIB, the RIB's deltas go out through every
// established peer's Adj-RIB-Out, and graceful restart (helper side) keeps a restarting peer's
// routes stale until its End-of-RIB or its restart time.
//
// NOTE Threading: everything runs on the routing io_context; no locks.
//
//   listener ──accept──▶ Session ──UPDATE──▶ Speaker ──apply──▶ Rib ──RouteDelta──┐
//                           ▲                                                     │
//                           └──── send_updates ◀── AdjRibOut (per peer) ◀─────────┘
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "bgp/peer_config.h"
#include "bgp/session.h"
#include "common/result.h"
#include "rib/adj_rib_out.h"
#include "rib/rib.h"
#include "rib/update_groups.h"

namespace pinto::bgp {

struct SpeakerConfig {
  std::uint32_t local_as = 0;
  std::uint32_t router_id = 0;
  std::vector<IpAddress> listen_addresses;  // empty: every address, IPv4 and IPv6
  std::uint16_t listen_port = 179;
  std::optional<IpAddress> next_hop_ipv4;  // our addresses, for next-hop-self
  std::optional<IpAddress> next_hop_ipv6;
  bool graceful_restart = true;
  std::chrono::seconds restart_time{120};
  /// Set on a route reflector (RFC 4456): the cluster ID, host order. Peers flagged
  /// route_reflector_client are its clients.
  std::optional<std::uint32_t> cluster_id;
};

/// A prefix this node originates (settings, blocks, services, the API), with the communities it
/// carries (Calico's BGPConfiguration prefixAdvertisements).
struct OriginatedRoute {
  IpPrefix prefix;
  std::vector<std::uint32_t> communities;  // sorted, unique
  std::vector<wire::LargeCommunity> large_communities;
  IpAddress next_hop;  // unspecified: this node
  friend bool operator==(const OriginatedRoute&, const OriginatedRoute&) = default;
};

struct PeerStatus {
  std::string name;
  IpAddress address;
  std::uint32_t remote_as = 0;
  State state = State::Idle;
  std::optional<std::chrono::seconds> uptime;
  std::size_t prefixes_received = 0;
  std::size_t prefixes_stale = 0;
  std::size_t prefixes_advertised = 0;
  std::string last_error;
  SessionCounters counters;
};

class Speaker : public SessionListener {
 public:
  Speaker(boost::asio::io_context& io, SpeakerConfig config, rib::Rib& rib);
  ~Speaker() override;

  /// Binds the listener; the error names the address and the reason.
  Result<void> listen();
  /// Applies a new peer set: removed peers get a Cease, changed ones restart, new ones start.
  /// Peers whose route policy alone changed keep their session (see update_policy()).
  void set_peers(const std::vector<PeerConfig>& peers);
  /// The prefixes this node originates (settings `originate:`), replacing the previous set.
  void set_originated(const std::vector<OriginatedRoute>& routes);
  /// Sends Cease / Administrative Shutdown with `reason` to every peer.
  void shutdown(const std::string& reason);

  /// Called with every RouteDelta after the peers got it (the FIB follows the Loc-RIB this way).
  void set_route_observer(std::function<void(const rib::RouteDelta&)> observer) {
    route_observer_ = std::move(observer);
  }

  std::vector<PeerStatus> status() const;
  /// One log line per peer and per Loc-RIB route (SIGUSR1).
  void log_state() const;
  const rib::Rib& rib() const { return rib_; }

  // SessionListener
  void on_established(Session& session) override;
  void on_update(Session& session, const wire::Update& update) override;
  void on_down(Session& session, bool graceful) override;
  void on_route_refresh(Session& session, wire::AfiSafi family) override;

 private:
  struct Peer {
    rib::PeerId id = 0;
    std::unique_ptr<Session> session;
    /// Graceful restart: families whose routes are stale, waiting for End-of-RIB or the timer.
    std::set<wire::AfiSafi> stale_families;
    std::unique_ptr<boost::asio::steady_timer> stale_timer;
    /// Over its max-prefix limit: warned once (or the session is being ended).
    bool over_limit = false;
  };

  Peer* find(const Session& session);
  /// Applies a peer's new route policy without a reset: re-exports under the new export filters
  /// and asks the peer to send its routes again for the new import side. False when that cannot
  /// work (the import side changed and the peer does not support ROUTE-REFRESH): restart it.
  bool update_policy(Peer& peer, const rib::PeerPolicy& policy);
  void accept_next(boost::asio::ip::tcp::acceptor& acceptor);
  void install_md5(const PeerConfig& peer, bool install);
  void propagate(const rib::RouteDelta& delta);
  /// Where the RIB's bulk changes (a peer's whole table going or turning stale) go, slice by
  /// slice: each is propagated before the next is made.
  rib::DeltaSink slices();
  /// Queues an update group's chunks on the peer's session.
  void send(Peer& peer, const std::vector<rib::UpdateChunk>& chunks);
  void sweep(Peer& peer, wire::AfiSafi family, const char* why);
  /// Sweeps the peer's stale families when `duration` passes; `why_on_expiry` goes in the log.
  void start_stale_timer(Peer& peer, std::chrono::seconds duration, const char* why_on_expiry);
  OpenOptions open_options() const;
  rib::ExportPolicy export_policy(const Session& session) const;
  /// A client only counts when we reflect, and only over iBGP (RFC 4456 §2).
  bool is_client(const PeerConfig& peer) const {
    return config_.cluster_id && peer.route_reflector_client && !peer.ebgp();
  }
  /// Enforces the peer's max-prefix limit after an UPDATE (of `family`) was applied.
  void check_max_prefixes(Peer& peer, wire::AfiSafi family);
  /// Logs the routes of `update` that came back to us (they are dropped by the RIB).
  void log_loops(const Session& session, rib::PeerId peer, const wire::Update& update) const;

  boost::asio::io_context& io_;
  SpeakerConfig config_;
  rib::Rib& rib_;
  std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> acceptors_;
  std::map<IpAddress, Peer> peers_;
  /// The Adj-RIB-Out of every Established peer, shared by peers of one export policy.
  rib::UpdateGroups update_groups_;
  std::map<IpPrefix, OriginatedRoute> originated_;
  std::function<void(const rib::RouteDelta&)> route_observer_;
  rib::PeerId next_peer_id_ = 1;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::shared_ptr<int> lifetime_ = std::make_shared<int>(0);
};

}  // namespace pinto::bgp
