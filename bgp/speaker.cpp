#include "bgp/speaker.h"

#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>

#include "bgp/socket_options.h"
#include "common/log.h"

namespace pinto::bgp {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

// How long a re-established peer has to send End-of-RIB before its stale routes go anyway
// (FRR's and GoBGP's "stale path time" default).
constexpr std::chrono::seconds kStalePathTime{360};

std::string format_uptime(std::optional<std::chrono::seconds> uptime) {
  if (!uptime) return "-";
  return std::to_string(uptime->count()) + "s";
}

}  // namespace

Speaker::Speaker(asio::io_context& io, SpeakerConfig config, rib::Rib& rib)
    : io_(io), config_(std::move(config)), rib_(rib) {}

Speaker::~Speaker() {
  lifetime_.reset();
  for (auto& a : acceptors_) {
    error_code ignored;
    a->close(ignored);
  }
}

// ------------------------------------------------------------------ listener

Result<void> Speaker::listen() {
  std::vector<asio::ip::tcp::endpoint> endpoints;
  const bool any = config_.listen_addresses.empty();
  for (const auto& address : config_.listen_addresses)
    endpoints.emplace_back(to_asio_address(address), config_.listen_port);
  if (any) endpoints.emplace_back(asio::ip::address_v6::any(), config_.listen_port);
  for (const auto& endpoint : endpoints) {
    auto acceptor = std::make_unique<asio::ip::tcp::acceptor>(io_);
    error_code ec;
    acceptor->open(endpoint.protocol(), ec);
    if (!ec && endpoint.protocol() == asio::ip::tcp::v6() && any) {
      acceptor->set_option(asio::ip::v6_only(false), ec);  // one socket for IPv4 and IPv6
    }
    asio::ip::tcp::endpoint bound = endpoint;
    if (ec && any) {  // no IPv6 on this host: IPv4 only
      acceptor = std::make_unique<asio::ip::tcp::acceptor>(io_);
      bound = asio::ip::tcp::endpoint(asio::ip::address_v4::any(), config_.listen_port);
      ec.clear();
      acceptor->open(bound.protocol(), ec);
    }
    if (!ec) acceptor->set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor->bind(bound, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return failure(Error{"cannot listen on " + bound.address().to_string() + " port " +
                           std::to_string(bound.port()) + ": " + ec.message()});
    }
    log_info("listening for BGP on {} port {}", bound.address().to_string(), bound.port());
    acceptors_.push_back(std::move(acceptor));
    accept_next(*acceptors_.back());
  }
  return outcome::success();
}

void Speaker::accept_next(asio::ip::tcp::acceptor& acceptor) {
  acceptor.async_accept([this, &acceptor, alive = std::weak_ptr<int>(lifetime_)](
                            const error_code& ec, asio::ip::tcp::socket socket) {
    if (alive.expired() || ec == asio::error::operation_aborted) return;
    if (!ec) {
      error_code e;
      const auto remote = socket.remote_endpoint(e);
      if (!e) {
        const IpAddress address = to_ip_address(remote.address());
        auto it = peers_.find(address);
        if (it == peers_.end()) {
          log_info("refused a BGP connection from {}: not a configured peer", address.to_string());
        } else {
          it->second.session->accept(std::move(socket));
        }
      }
    } else {
      log_warning("accept: {}", ec.message());
    }
    accept_next(acceptor);
  });
}

void Speaker::install_md5(const PeerConfig& peer, bool install) {
  if (!peer.password) return;
  for (const auto& a : acceptors_) {
    const bool v6 = a->local_endpoint().protocol() == asio::ip::tcp::v6();
    if (!v6 && !peer.address.is_v4()) continue;
    if (auto ec =
            set_tcp_md5(a->native_handle(), v6, peer.address, install ? *peer.password : "")) {
      log_error("peer {}: cannot {} the TCP MD5 key on the listener: {}", peer.address.to_string(),
                install ? "install" : "remove", ec.message());
    }
  }
}

// ------------------------------------------------------------------ configuration

OpenOptions Speaker::open_options() const {
  // For one restart time after start-up we announce the R bit: peers that held our routes while
  // we were away keep them until our End-of-RIB (RFC 4724 §4.1). Our originated prefixes do not
  // depend on our own forwarding state, so F is set for every family.
  const bool restarting = config_.graceful_restart &&
                          std::chrono::steady_clock::now() - started_ < config_.restart_time;
  return OpenOptions{restarting, config_.graceful_restart};
}

namespace {

bool same_but_policy(const PeerConfig& a, const PeerConfig& b) {
  PeerConfig a_with_b_policy = a;
  a_with_b_policy.policy = b.policy;
  return a_with_b_policy == b;
}

}  // namespace

void Speaker::set_peers(const std::vector<PeerConfig>& peers) {
  std::map<IpAddress, const PeerConfig*> wanted;
  for (const auto& p : peers) wanted[p.address] = &p;

  for (auto it = peers_.begin(); it != peers_.end();) {
    auto w = wanted.find(it->first);
    const bool keep =
        w != wanted.end() && (*w->second == it->second.session->config() ||
                              (same_but_policy(*w->second, it->second.session->config()) &&
                               update_policy(it->second, w->second->policy)));
    if (keep) {
      wanted.erase(w);  // unchanged, or only its policy changed: keep the session
      ++it;
      continue;
    }
    const bool changed = w != wanted.end();
    log_info("peer {}: {}", it->second.session->label(),
             changed ? "configuration changed, restarting" : "removed from the configuration");
    it->second.session->stop(changed ? "configuration changed" : "peer removed");
    install_md5(it->second.session->config(), false);
    update_groups_.leave(it->second.id);
    rib_.remove_peer(it->second.id, slices());
    it = peers_.erase(it);
  }
  for (const auto& [address, config] : wanted) {
    Peer peer;
    peer.id = next_peer_id_++;
    peer.session = std::make_unique<Session>(io_, *config, *this);
    peer.session->set_open_options(open_options());
    rib_.set_import_policy(peer.id, config->policy.import_filters, config->policy.allowed_local_as);
    install_md5(*config, true);
    log_info("peer {}: configured ({}BGP{}{}{}{})", peer.session->label(),
             config->ebgp() ? "e" : "i", config->password ? ", TCP MD5" : "",
             config->fsm.passive ? ", passive" : "", config->ttl_security ? ", GTSM" : "",
             is_client(*config) ? ", route reflector client" : "");
    auto [it, inserted] = peers_.emplace(address, std::move(peer));
    it->second.session->start();
  }
}

bool Speaker::update_policy(Peer& peer, const rib::PeerPolicy& policy) {
  Session& session = *peer.session;
  const rib::PeerPolicy old = session.config().policy;
  const bool import_changed = old.import_filters != policy.import_filters ||
                              old.allowed_local_as != policy.allowed_local_as;
  const bool export_changed = old.export_filters != policy.export_filters;
  const bool established = session.state() == State::Established && session.negotiated();
  // The Adj-RIB-In holds routes post-policy only: a new import policy needs the peer's routes
  // again. Without ROUTE-REFRESH (RFC 2918) only a new session brings them.
  if (import_changed && established && !session.negotiated()->route_refresh) {
    log_info("peer {}: import policy changed and the peer cannot refresh its routes: restarting",
             session.label());
    return false;
  }
  session.set_policy(policy);
  rib_.set_import_policy(peer.id, policy.import_filters, policy.allowed_local_as);
  log_info("peer {}: route policy changed ({}{}{}), session kept", session.label(),
           import_changed ? "import" : "", import_changed && export_changed ? ", " : "",
           export_changed ? "export" : "");
  if (!established) return true;
  const Negotiated& n = *session.negotiated();
  if (export_changed && update_groups_.contains(peer.id))
    send(peer, update_groups_.set_filters(peer.id, policy.export_filters, rib_));
  if (import_changed) {
    for (const wire::AfiSafi family : n.families())
      session.send_route_refresh(family, wire::RouteRefresh::Normal);
  }
  return true;
}

void Speaker::set_originated(const std::vector<OriginatedRoute>& routes) {
  std::map<IpPrefix, OriginatedRoute> wanted;
  for (const auto& r : routes) wanted[r.prefix] = r;
  rib::RouteDelta delta;
  for (const auto& [prefix, route] : originated_) {
    if (!wanted.contains(prefix)) delta.merge(rib_.withdraw_originated(prefix));
  }
  // Routes with the same communities share one attribute set, so they pack into one UPDATE.
  using CommunitySets = std::pair<std::vector<std::uint32_t>, std::vector<wire::LargeCommunity>>;
  std::map<CommunitySets, rib::AttrRef> shared;
  for (const auto& [prefix, route] : wanted) {
    auto old = originated_.find(prefix);
    if (old != originated_.end() && old->second == route) continue;
    rib::AttrRef& attributes = shared[{route.communities, route.large_communities}];
    if (!attributes) {
      auto a = std::make_shared<wire::PathAttributes>();
      a->origin = wire::Origin::Igp;
      a->as_path = wire::AsPath{};
      a->communities = route.communities;
      a->large_communities = route.large_communities;
      attributes = a;
    }
    delta.merge(rib_.originate(prefix, attributes, route.next_hop));
  }
  originated_ = std::move(wanted);
  propagate(delta);
}

void Speaker::shutdown(const std::string& reason) {
  for (auto& [address, peer] : peers_) peer.session->stop(reason);
}

// ------------------------------------------------------------------ routing

Speaker::Peer* Speaker::find(const Session& session) {
  auto it = peers_.find(session.config().address);
  if (it == peers_.end() || it->second.session.get() != &session) return nullptr;
  return &it->second;
}

rib::ExportPolicy Speaker::export_policy(const Session& session) const {
  const PeerConfig& c = session.config();
  rib::ExportPolicy policy;
  policy.ebgp = c.ebgp();
  policy.local_as = c.local_as;
  policy.peer_as = c.remote_as;
  policy.next_hop = c.next_hop;
  policy.next_hop_ipv4 = c.next_hop_ipv4 ? c.next_hop_ipv4 : config_.next_hop_ipv4;
  policy.next_hop_ipv6 = c.next_hop_ipv6 ? c.next_hop_ipv6 : config_.next_hop_ipv6;
  if (const auto& n = session.negotiated()) {
    policy.ipv4_unicast = n->ipv4_unicast;
    policy.ipv6_unicast = n->ipv6_unicast;
  }
  policy.cluster_id = config_.cluster_id;
  policy.route_reflector_client = is_client(c);
  policy.filters = c.policy.export_filters;
  return policy;
}

void Speaker::log_loops(const Session& session, rib::PeerId peer,
                        const wire::Update& update) const {
  const bool announces = !update.nlri.empty() ||
                         (update.attributes.mp_reach && !update.attributes.mp_reach->nlri.empty());
  if (!announces) return;
  const rib::Loop loop = rib_.loop_of(update.attributes, peer);
  if (loop == rib::Loop::None) return;
  // One line per UPDATE, naming its first prefixes: a looping table must not flood the log.
  constexpr std::size_t kNamed = 4;
  std::string prefixes;
  std::size_t count = 0;
  auto add = [&](const wire::Nlri& n) {
    if (count++ < kNamed) prefixes += (prefixes.empty() ? "" : ", ") + n.prefix.to_string();
  };
  for (const auto& n : update.nlri) add(n);
  if (const auto& r = update.attributes.mp_reach) {
    for (const auto& n : r->nlri) add(n);
  }
  if (count > kNamed) prefixes += ", ...";
  log_info("peer {}: dropped {} looped route(s) ({}): {}", session.label(), count,
           rib::to_string(loop), prefixes);
}

void Speaker::propagate(const rib::RouteDelta& delta) {
  if (delta.empty()) return;
  auto updates = update_groups_.sync(delta, rib_);
  if (!updates.empty()) {
    for (auto& [address, peer] : peers_) {
      auto it = updates.find(peer.id);
      if (it != updates.end()) send(peer, it->second);
    }
  }
  if (route_observer_) route_observer_(delta);
}

rib::DeltaSink Speaker::slices() {
  return [this](rib::RouteDelta& slice) { propagate(slice); };
}

void Speaker::send(Peer& peer, const std::vector<rib::UpdateChunk>& chunks) {
  for (const auto& chunk : chunks) peer.session->send_updates(chunk.bytes, chunk.messages);
}

void Speaker::on_established(Session& session) {
  Peer* peer = find(session);
  if (peer == nullptr) return;
  const Negotiated& n = *session.negotiated();
  rib_.set_peer(rib::PeerInfo{peer->id, session.config().ebgp(), n.peer_as, n.peer_router_id,
                              session.config().address, is_client(session.config())});
  // Joining its update group: the table its members hold (initial table, RFC 4271 §9.4), sent
  // before anything the group exports from now on (the stale sweep below, for one).
  send(*peer, update_groups_.join(peer->id, export_policy(session), n.encode_context(), rib_));

  // Graceful restart: the peer is back. Families it no longer preserves go at once (RFC 4724
  // §4.2); the rest wait for its End-of-RIB, or the stale path time.
  if (!peer->stale_families.empty()) {
    for (auto f : std::set<wire::AfiSafi>(peer->stale_families)) {
      if (!n.carries(f) || !n.peer_preserved_forwarding(f))
        sweep(*peer, f, "forwarding not preserved");
    }
    if (!peer->stale_families.empty())
      start_stale_timer(*peer, kStalePathTime, "no End-of-RIB in time");
  }

  // End-of-RIB per family after the initial table (RFC 4724 §2).
  for (const wire::AfiSafi family : n.families()) {
    wire::Bytes out;
    wire::encode_end_of_rib(family, out);
    session.send_updates(std::move(out), 1);
  }
}

void Speaker::on_update(Session& session, const wire::Update& update) {
  Peer* peer = find(session);
  if (peer == nullptr) return;
  if (const auto family = update.end_of_rib()) {
    log_info("peer {}: End-of-RIB for {}", session.label(), wire::to_string(*family));
    if (peer->stale_families.contains(*family)) sweep(*peer, *family, "End-of-RIB");
    return;
  }
  if (log_level() <= LogLevel::Debug) {
    for (const auto& n : update.withdrawn)
      log_debug("peer {}: withdrew {}", session.label(), n.prefix.to_string());
    if (const auto& u = update.attributes.mp_unreach) {
      for (const auto& n : u->withdrawn)
        log_debug("peer {}: withdrew {}", session.label(), n.prefix.to_string());
    }
    for (const auto& n : update.nlri)
      log_debug("peer {}: announced {}", session.label(), n.prefix.to_string());
    if (const auto& r = update.attributes.mp_reach) {
      for (const auto& n : r->nlri)
        log_debug("peer {}: announced {}", session.label(), n.prefix.to_string());
    }
  }
  log_loops(session, peer->id, update);
  propagate(rib_.apply(peer->id, update));
  const bool v6 = update.nlri.empty() && update.attributes.mp_reach &&
                  update.attributes.mp_reach->family == wire::AfiSafi::ipv6_unicast();
  check_max_prefixes(*peer, v6 ? wire::AfiSafi::ipv6_unicast() : wire::AfiSafi::ipv4_unicast());
}

void Speaker::check_max_prefixes(Peer& peer, wire::AfiSafi family) {
  const PeerConfig& c = peer.session->config();
  if (c.max_prefixes == 0) return;
  const std::size_t count = rib_.path_count(peer.id);
  if (count <= c.max_prefixes) {
    peer.over_limit = false;
    return;
  }
  if (peer.over_limit) return;  // said (or done) once
  peer.over_limit = true;
  log_warning("peer {}: {} routes accepted, over the limit of {} (settings bgp.maxPrefixes){}",
              peer.session->label(), count, c.max_prefixes,
              c.max_prefixes_restart ? ": ending the session" : "");
  if (!c.max_prefixes_restart) return;
  // RFC 4486 §4: Cease subcode 1 carries AFI, SAFI and the upper bound.
  wire::Notification cease{static_cast<std::uint8_t>(wire::ErrorCode::Cease), 1, {}};
  cease.data = {static_cast<std::uint8_t>(family.afi >> 8),
                static_cast<std::uint8_t>(family.afi),
                family.safi,
                static_cast<std::uint8_t>(c.max_prefixes >> 24),
                static_cast<std::uint8_t>(c.max_prefixes >> 16),
                static_cast<std::uint8_t>(c.max_prefixes >> 8),
                static_cast<std::uint8_t>(c.max_prefixes)};
  // Not from inside the session's own UPDATE handling: the FSM is mid-event there.
  asio::post(
      io_, [this, address = c.address, id = peer.id, cease, alive = std::weak_ptr<int>(lifetime_)] {
        if (alive.expired()) return;
        auto it = peers_.find(address);
        if (it == peers_.end() || it->second.id != id) return;
        it->second.session->automatic_stop(cease);
      });
}

void Speaker::on_down(Session& session, bool graceful) {
  Peer* peer = find(session);
  if (peer == nullptr) return;
  update_groups_.leave(peer->id);
  peer->over_limit = false;
  const auto& n = session.negotiated();
  if (!graceful || !n || !n->peer_graceful_restart) {
    peer->stale_families.clear();
    if (peer->stale_timer) peer->stale_timer->cancel();
    rib_.withdraw_all(peer->id, slices());
    return;
  }
  // Helper side of RFC 4724 §4.2: keep the routes of the families the peer preserves, marked
  // stale, for its restart time (capped by maxRestartTime); withdraw the others now.
  std::set<wire::AfiSafi> kept;
  for (const auto& f : n->peer_graceful_restart->families) kept.insert(f.family);
  for (const wire::AfiSafi family :
       {wire::AfiSafi::ipv4_unicast(), wire::AfiSafi::ipv6_unicast()}) {
    if (kept.contains(family) && n->carries(family)) {
      rib_.mark_stale(peer->id, family, slices());
      peer->stale_families.insert(family);
    } else {
      rib_.withdraw_all(peer->id, family, slices());
    }
  }
  std::chrono::seconds restart(n->peer_graceful_restart->restart_time);
  if (session.config().max_restart_time)
    restart = std::min(restart, *session.config().max_restart_time);
  log_info("peer {}: graceful restart: keeping {} routes stale for up to {} s", session.label(),
           rib_.stale_count(peer->id), restart.count());
  start_stale_timer(*peer, restart, "restart time expired");
}

void Speaker::start_stale_timer(Peer& peer, std::chrono::seconds duration,
                                const char* why_on_expiry) {
  if (!peer.stale_timer) peer.stale_timer = std::make_unique<asio::steady_timer>(io_);
  peer.stale_timer->expires_after(duration);
  const IpAddress address = peer.session->config().address;
  const rib::PeerId id = peer.id;
  peer.stale_timer->async_wait([this, address, id, why_on_expiry,
                                alive = std::weak_ptr<int>(lifetime_)](const error_code& ec) {
    if (ec || alive.expired()) return;
    auto it = peers_.find(address);
    if (it == peers_.end() || it->second.id != id) return;
    for (auto f : std::set<wire::AfiSafi>(it->second.stale_families)) {
      sweep(it->second, f, why_on_expiry);
    }
  });
}

void Speaker::sweep(Peer& peer, wire::AfiSafi family, const char* why) {
  peer.stale_families.erase(family);
  const std::size_t before = rib_.stale_count(peer.id);
  rib_.sweep_stale(peer.id, family, slices());
  log_info("peer {}: {}: removed {} stale {} routes", peer.session->label(), why,
           before - rib_.stale_count(peer.id), wire::to_string(family));
  if (peer.stale_families.empty() && peer.stale_timer) peer.stale_timer->cancel();
}

void Speaker::on_route_refresh(Session& session, wire::AfiSafi family) {
  Peer* peer = find(session);
  if (peer == nullptr || !update_groups_.contains(peer->id)) return;
  // RFC 7313: with enhanced route refresh the re-advertisement is bracketed by BoRR and EoRR.
  session.send_route_refresh(family, wire::RouteRefresh::BeginningOfRibRefresh);
  send(*peer, update_groups_.refresh(peer->id, family, rib_));
  session.send_route_refresh(family, wire::RouteRefresh::EndOfRibRefresh);
}

// ------------------------------------------------------------------ status

std::vector<PeerStatus> Speaker::status() const {
  std::vector<PeerStatus> out;
  for (const auto& [address, peer] : peers_) {
    const Session& s = *peer.session;
    PeerStatus st;
    st.name = s.config().name;
    st.address = address;
    st.remote_as = s.config().remote_as;
    st.state = s.state();
    if (auto since = s.established_since()) {
      st.uptime = std::chrono::duration_cast<std::chrono::seconds>(
          std::chrono::steady_clock::now() - *since);
    }
    st.prefixes_received = rib_.path_count(peer.id);
    st.prefixes_stale = rib_.stale_count(peer.id);
    st.prefixes_advertised = update_groups_.advertised(peer.id, rib_);
    st.last_error = s.last_error();
    st.counters = s.counters();
    out.push_back(std::move(st));
  }
  return out;
}

void Speaker::log_state() const {
  log_info("status begin: {} peers, {} prefixes", peers_.size(), rib_.prefix_count());
  for (const auto& st : status()) {
    log_info("status peer {} ({}, AS {}): {} up {} received {} stale {} advertised {}{}{}",
             st.address.to_string(), st.name, st.remote_as, to_string(st.state),
             format_uptime(st.uptime), st.prefixes_received, st.prefixes_stale,
             st.prefixes_advertised, st.last_error.empty() ? "" : " last error: ", st.last_error);
  }
  rib_.for_each_best([&](const IpPrefix& prefix, const rib::Path& path) {
    std::string from = "local";
    if (path.peer != rib::kLocalPeer) {
      if (const auto* info = rib_.peer(path.peer)) from = info->address.to_string();
    }
    log_info("status route {} via {} from {}{}", prefix.to_string(),
             path.peer == rib::kLocalPeer ? std::string("self") : path.next_hop().to_string(), from,
             path.stale ? " stale" : "");
  });
  log_info("status end");
}

}  // namespace pinto::bgp
