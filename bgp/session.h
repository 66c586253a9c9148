// Session: one BGP peer over Boost.Asio. It turns socket reads and timer expiries into FSM
// events and carries out the FSM's actions; the BGP logic itself lives in Fsm (transitions),
// negotiate() (OPEN) and the wire codec (bytes).
//
// A Session owns at most two connections: `main_`, driven by the FSM, and `shadow_`, a second
// connection the peer opened while `main_` was already past Active. The shadow sends our OPEN and
// waits for the peer's; then connection collision detection (RFC 4271 §6.8) keeps one of them.
// A shadow that arrives while `main_` is Established means the peer restarted: the old session
// ends (its routes kept stale under graceful restart) and the shadow takes over.
//
// NOTE Threading: runs entirely on the routing io_context. The speaker owns Sessions by
// unique_ptr and never destroys one from inside its own callbacks (it defers with post()).
#pragma once

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "bgp/connection.h"
#include "bgp/fsm.h"
#include "bgp/negotiate.h"
#include "bgp/peer_config.h"

namespace pinto::bgp {

class Session;

/// What the routing side hears from a session (the RIB is reached through this, never by a back
/// pointer from the session).
class SessionListener {
 public:
  virtual ~SessionListener() = default;
  virtual void on_established(Session& session) = 0;
  virtual void on_update(Session& session, const wire::Update& update) = 0;
  /// The session left Established. `graceful`: the peer may be restarting (RFC 4724), keep its
  /// routes stale instead of deleting them.
  virtual void on_down(Session& session, bool graceful) = 0;
  virtual void on_route_refresh(Session& session, wire::AfiSafi family) = 0;
};

struct SessionCounters {
  std::uint64_t updates_received = 0;
  std::uint64_t updates_sent = 0;
  std::uint64_t notifications_received = 0;
  std::uint64_t notifications_sent = 0;
  std::uint64_t established_transitions = 0;
};

class Session {
 public:
  Session(boost::asio::io_context& io, PeerConfig config, SessionListener& listener);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// ManualStart (passive peers: ManualStart_with_PassiveTcpEstablishment).
  void start();
  /// ManualStop: Cease / Administrative Shutdown carrying `reason` (RFC 9003) when connected.
  void stop(const std::string& reason);
  /// A connection the speaker accepted from this peer's address.
  void accept(boost::asio::ip::tcp::socket socket);
  /// Queues UPDATE bytes (one or more whole messages); dropped unless Established.
  void send_updates(wire::Bytes bytes, std::size_t messages);
  /// The same for bytes shared with other sessions (an update group's).
  void send_updates(std::shared_ptr<const wire::Bytes> bytes, std::size_t messages);
  /// AutomaticStop (RFC 4271 event 8): ends an established session with `cease` (a Cease
  /// NOTIFICATION); unlike stop(), the session connects again after the idle-hold back-off.
  void automatic_stop(const wire::Notification& cease);
  /// Sends a ROUTE-REFRESH message (RFC 2918 / 7313) if the peer supports it.
  void send_route_refresh(wire::AfiSafi family, std::uint8_t subtype);

  void set_open_options(const OpenOptions& options) { open_options_ = options; }
  /// The speaker changed the peer's route policy in place (the session itself never reads it).
  void set_policy(const rib::PeerPolicy& policy) { config_.policy = policy; }

  const PeerConfig& config() const { return config_; }
  State state() const { return fsm_.state(); }
  const std::optional<Negotiated>& negotiated() const { return negotiated_; }
  std::optional<std::chrono::steady_clock::time_point> established_since() const {
    return established_since_;
  }
  const std::string& last_error() const { return last_error_; }
  const SessionCounters& counters() const { return counters_; }
  /// "10.0.0.2 (mesh/node-b, AS 64512)", the prefix of every log line about this peer.
  const std::string& label() const { return label_; }

 private:
  enum class DownCause { None, TcpFailure, NotificationSent, NotificationReceived, Stopped };

  void handle(const Event& event);
  void execute(const Action& action);
  void start_timer(Timer timer, std::uint32_t seconds);
  void stop_timer(Timer timer);
  void stop_all_timers();
  void on_timer(Timer timer);

  void connect();
  void prepare_socket(boost::asio::ip::tcp::socket& socket, bool outgoing);
  void adopt(std::shared_ptr<Connection> connection, bool as_shadow);

  void on_message(const std::shared_ptr<Connection>& from, wire::ByteView bytes);
  void on_main_message(wire::Message& message);
  void on_shadow_message(wire::Message& message);
  void on_open(const wire::Open& open);
  void on_notification(const wire::Notification& notification);
  void resolve_collision(const Negotiated& shadow_negotiated);
  void make_shadow(std::shared_ptr<Connection> connection);
  void drop_shadow(const std::optional<wire::Notification>& notification);
  void send(const std::shared_ptr<Connection>& connection, const wire::Message& message);

  boost::asio::io_context& io_;
  PeerConfig config_;
  SessionListener& listener_;
  std::string label_;
  Fsm fsm_;
  OpenOptions open_options_;

  std::shared_ptr<Connection> main_;
  std::shared_ptr<Connection> shadow_;
  std::unique_ptr<boost::asio::ip::tcp::socket> connecting_;
  boost::asio::steady_timer shadow_timer_;
  std::array<boost::asio::steady_timer, 5> timers_;
  std::array<std::uint64_t, 5> timer_generation_{};
  std::uint64_t connect_generation_ = 0;
  std::minstd_rand jitter_;

  std::optional<wire::Open> our_open_;     // what we sent on main_
  std::optional<wire::Open> shadow_open_;  // what we sent on shadow_
  std::optional<Negotiated> negotiated_;
  const wire::Update* current_update_ = nullptr;
  DownCause down_cause_ = DownCause::None;
  bool stopped_ = true;  // administratively down: refuse connections
  std::optional<std::chrono::steady_clock::time_point> established_since_;
  std::string last_error_;
  SessionCounters counters_;
  /// Asio handlers hold a weak_ptr to this; once the Session is gone they return untouched.
  std::shared_ptr<int> lifetime_ = std::make_shared<int>(0);
};

}  // namespace pinto::bgp
