#include "bgp/session.h"

#include <fmt/format.h>

#include "bgp/socket_options.h"
#include "common/log.h"

namespace pinto::bgp {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

constexpr std::uint8_t kCease = static_cast<std::uint8_t>(wire::ErrorCode::Cease);
constexpr std::uint8_t kConnectionCollisionResolution = 7;
constexpr std::uint8_t kConnectionRejected = 5;
constexpr auto kShadowOpenWait = std::chrono::seconds(240);  // the §8.2.2 "large" hold time

std::size_t index_of(Timer t) {
  return static_cast<std::size_t>(t);
}

const char* timer_name(Timer t) {
  switch (t) {
    case Timer::ConnectRetry: return "ConnectRetry";
    case Timer::Hold: return "Hold";
    case Timer::Keepalive: return "Keepalive";
    case Timer::DelayOpen: return "DelayOpen";
    case Timer::IdleHold: return "IdleHold";
  }
  return "?";
}

std::string describe(const wire::Notification& n) {
  std::string text = wire::describe_notification(n.code, n.subcode);
  if (auto message = n.shutdown_message(); message && !message->empty()) {
    text += " \"" + *message + "\"";
  }
  return text;
}

wire::Notification to_notification(const wire::DecodeError& e) {
  return wire::Notification{static_cast<std::uint8_t>(e.code), e.subcode, e.data};
}

EventType event_for_error(const wire::DecodeError& e) {
  switch (e.code) {
    case wire::ErrorCode::MessageHeader: return EventType::BgpHeaderErr;
    case wire::ErrorCode::OpenMessage: return EventType::BgpOpenMsgErr;
    default: return EventType::UpdateMsgErr;  // UPDATE and ROUTE-REFRESH errors
  }
}

std::string families_text(const Negotiated& n) {
  std::string out;
  for (const auto f : n.families()) out += (out.empty() ? "" : ",") + wire::to_string(f);
  return out;
}

}  // namespace

Session::Session(asio::io_context& io, PeerConfig config, SessionListener& listener)
    : io_(io),
      config_(std::move(config)),
      listener_(listener),
      label_(fmt::format("{} ({}, AS {})", config_.address.to_string(), config_.name,
                         config_.remote_as)),
      fsm_(config_.fsm),
      shadow_timer_(io),
      timers_{asio::steady_timer(io), asio::steady_timer(io), asio::steady_timer(io),
              asio::steady_timer(io), asio::steady_timer(io)},
      jitter_(std::random_device{}()) {}

Session::~Session() {
  lifetime_.reset();
  if (main_) main_->close_after_flush();
  if (shadow_) shadow_->close_after_flush();
}

// ------------------------------------------------------------------ administrative events

void Session::start() {
  stopped_ = false;
  handle(Event::of(config_.fsm.passive ? EventType::ManualStartWithPassiveTcpEstablishment
                                       : EventType::ManualStart));
}

void Session::stop(const std::string& reason) {
  stopped_ = true;
  down_cause_ = DownCause::Stopped;
  drop_shadow(wire::Notification::cease(2, reason));
  handle(Event::error_event(EventType::ManualStop, wire::Notification::cease(2, reason)));
  stop_all_timers();
}

void Session::automatic_stop(const wire::Notification& cease) {
  handle(Event::error_event(EventType::AutomaticStop, cease));
}

// ------------------------------------------------------------------ FSM plumbing

void Session::handle(const Event& event) {
  const State before = fsm_.state();
  const Transition t = fsm_.on_event(event);
  if (t.next != before) {
    log_info("peer {}: {} -> {} ({})", label_, to_string(before), to_string(t.next),
             to_string(event.type));
  }
  for (const Action& a : t.actions) execute(a);
}

void Session::execute(const Action& action) {
  std::visit(
      [&](const auto& a) {
        using A = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<A, action::StartTimer>) {
          start_timer(a.timer, a.seconds);
        } else if constexpr (std::is_same_v<A, action::StopTimer>) {
          stop_timer(a.timer);
        } else if constexpr (std::is_same_v<A, action::Connect>) {
          connect();
        } else if constexpr (std::is_same_v<A, action::DropConnection>) {
          if (main_) main_->close_after_flush();
          main_.reset();
          if (connecting_) {
            ++connect_generation_;
            error_code ignored;
            connecting_->close(ignored);
            connecting_.reset();
          }
        } else if constexpr (std::is_same_v<A, action::SendOpen>) {
          if (main_ && !main_->open_sent()) {
            our_open_ = build_open(config_, open_options_);
            send(main_, *our_open_);
            main_->mark_open_sent();
          }
        } else if constexpr (std::is_same_v<A, action::SendKeepalive>) {
          if (main_) send(main_, wire::Keepalive{});
        } else if constexpr (std::is_same_v<A, action::SendNotification>) {
          if (!main_) return;
          send(main_, a.notification);
          ++counters_.notifications_sent;
          last_error_ = "sent NOTIFICATION " + describe(a.notification);
          log_warning("peer {}: sent NOTIFICATION {}", label_, describe(a.notification));
          if (down_cause_ == DownCause::None) down_cause_ = DownCause::NotificationSent;
        } else if constexpr (std::is_same_v<A, action::SessionEstablished>) {
          established_since_ = std::chrono::steady_clock::now();
          down_cause_ = DownCause::None;
          ++counters_.established_transitions;
          log_info("peer {}: session established (hold {} s, families {}{})", label_,
                   negotiated_ ? negotiated_->hold_time : 0,
                   negotiated_ ? families_text(*negotiated_) : "",
                   negotiated_ && negotiated_->peer_graceful_restart ? ", graceful restart" : "");
          listener_.on_established(*this);
        } else if constexpr (std::is_same_v<A, action::ProcessUpdate>) {
          if (current_update_ != nullptr) listener_.on_update(*this, *current_update_);
        } else if constexpr (std::is_same_v<A, action::DeleteRoutes>) {
          // RFC 4724: graceful restart covers a connection that ended without a NOTIFICATION.
          const bool graceful = negotiated_ && negotiated_->peer_graceful_restart &&
                                !negotiated_->peer_graceful_restart->families.empty() &&
                                down_cause_ == DownCause::TcpFailure;
          established_since_.reset();
          listener_.on_down(*this, graceful);
        } else if constexpr (std::is_same_v<A, action::ReleaseResources>) {
          stop_timer(Timer::Hold);
          stop_timer(Timer::Keepalive);
          stop_timer(Timer::DelayOpen);
          negotiated_.reset();
        }
      },
      action);
}

void Session::start_timer(Timer timer, std::uint32_t seconds) {
  const std::size_t i = index_of(timer);
  const std::uint64_t generation = ++timer_generation_[i];
  auto duration = std::chrono::milliseconds(std::uint64_t{seconds} * 1000);
  // RFC 4271 §10: jitter ConnectRetry, Keepalive (and our IdleHold back-off) by 0.75-1.0 so that
  // peers that failed together do not retry in lock step. The Hold timer is exact.
  if (timer != Timer::Hold && timer != Timer::DelayOpen) {
    std::uniform_real_distribution<double> factor(0.75, 1.0);
    duration = std::chrono::milliseconds(
        static_cast<long long>(static_cast<double>(duration.count()) * factor(jitter_)));
  }
  timers_[i].expires_after(duration);
  std::weak_ptr<int> alive = lifetime_;
  timers_[i].async_wait([this, alive, timer, generation](const error_code& ec) {
    if (ec || alive.expired() || generation != timer_generation_[index_of(timer)]) return;
    on_timer(timer);
  });
}

void Session::stop_timer(Timer timer) {
  const std::size_t i = index_of(timer);
  ++timer_generation_[i];
  timers_[i].cancel();
}

void Session::stop_all_timers() {
  for (Timer t :
       {Timer::ConnectRetry, Timer::Hold, Timer::Keepalive, Timer::DelayOpen, Timer::IdleHold}) {
    stop_timer(t);
  }
}

void Session::on_timer(Timer timer) {
  log_debug("peer {}: {} timer expired", label_, timer_name(timer));
  switch (timer) {
    case Timer::ConnectRetry: return handle(Event::of(EventType::ConnectRetryTimerExpires));
    case Timer::Hold:
      last_error_ = "hold timer expired";
      log_warning("peer {}: hold timer expired ({} s without a message)", label_,
                  negotiated_ ? negotiated_->hold_time : config_.fsm.large_hold_time);
      return handle(Event::of(EventType::HoldTimerExpires));
    case Timer::Keepalive: return handle(Event::of(EventType::KeepaliveTimerExpires));
    case Timer::DelayOpen: return handle(Event::of(EventType::DelayOpenTimerExpires));
    case Timer::IdleHold: return handle(Event::of(EventType::IdleHoldTimerExpires));
  }
}

// ------------------------------------------------------------------ transport

void Session::prepare_socket(asio::ip::tcp::socket& socket, bool outgoing) {
  const int fd = socket.native_handle();
  error_code ec;
  const bool v6 = socket.local_endpoint(ec).protocol() == asio::ip::tcp::v6();
  if (auto e = set_ttl(fd, v6, config_.outgoing_ttl())) {
    log_warning("peer {}: cannot set TTL: {}", label_, e.message());
  }
  if (config_.ttl_security) {
    // RFC 5082: a directly connected peer (1 hop) must arrive with TTL 255.
    if (auto e = set_min_ttl(fd, v6, 256 - *config_.ttl_security)) {
      log_warning("peer {}: cannot set the minimum TTL (GTSM): {}", label_, e.message());
    }
  }
  if (outgoing && config_.password) {
    if (auto e = set_tcp_md5(fd, v6, config_.address, *config_.password)) {
      log_error("peer {}: cannot install the TCP MD5 key: {}", label_, e.message());
    }
  }
}

void Session::connect() {
  const auto protocol = config_.address.is_v4() ? asio::ip::tcp::v4() : asio::ip::tcp::v6();
  connecting_ = std::make_unique<asio::ip::tcp::socket>(io_);
  error_code ec;
  connecting_->open(protocol, ec);
  if (!ec && config_.local_address) {
    connecting_->bind(asio::ip::tcp::endpoint(to_asio_address(*config_.local_address), 0), ec);
    if (ec)
      log_warning("peer {}: cannot bind to {}: {}", label_, config_.local_address->to_string(),
                  ec.message());
    ec.clear();
  }
  if (ec) {
    last_error_ = "socket: " + ec.message();
    connecting_.reset();
    down_cause_ = DownCause::TcpFailure;
    asio::post(io_, [this, alive = std::weak_ptr<int>(lifetime_)] {
      if (!alive.expired()) handle(Event::of(EventType::TcpConnectionFails));
    });
    return;
  }
  prepare_socket(*connecting_, true);
  const std::uint64_t generation = ++connect_generation_;
  const asio::ip::tcp::endpoint target(to_asio_address(config_.address), config_.port);
  log_debug("peer {}: connecting to port {}", label_, config_.port);
  connecting_->async_connect(
      target, [this, alive = std::weak_ptr<int>(lifetime_), generation](const error_code& e) {
        if (alive.expired() || generation != connect_generation_ || !connecting_) return;
        if (e) {
          connecting_.reset();
          if (fsm_.state() != State::Connect) return;  // a late attempt: nothing waits for it
          last_error_ = "connect: " + e.message();
          log_info("peer {}: connection failed: {}", label_, e.message());
          down_cause_ = DownCause::TcpFailure;
          handle(Event::of(EventType::TcpConnectionFails));
          return;
        }
        auto connection = std::make_shared<Connection>(std::move(*connecting_), true);
        connecting_.reset();
        const State s = fsm_.state();
        if ((s == State::Connect || s == State::Active) && !main_) {
          adopt(connection, false);
          handle(Event::of(EventType::TcpCrAcked));
        } else if ((s == State::OpenSent || s == State::OpenConfirm) && !shadow_) {
          make_shadow(connection);  // the peer's connection got here first: §6.8 decides
        }
      });
}

void Session::accept(asio::ip::tcp::socket socket) {
  prepare_socket(socket, false);
  auto connection = std::make_shared<Connection>(std::move(socket), false);
  State s = fsm_.state();
  if (s == State::Idle) {
    if (stopped_) {
      log_info("peer {}: refusing a connection: the peer is administratively down", label_);
      return;
    }
    // Waiting out a back-off: the peer is back, so start now rather than make it wait.
    handle(Event::of(EventType::AutomaticStartWithPassiveTcpEstablishment));
    s = fsm_.state();
  }
  if ((s == State::Connect || s == State::Active) && !main_) {
    log_debug("peer {}: accepted a connection", label_);
    adopt(connection, false);
    handle(Event::of(EventType::TcpConnectionConfirmed));
    return;
  }
  if (shadow_ || s == State::Connect || s == State::Active) {
    log_info("peer {}: refusing a third connection", label_);
    wire::Bytes bytes;
    (void)wire::encode(wire::Notification{kCease, kConnectionRejected, {}}, {}, bytes);
    connection->send(std::move(bytes));
    connection->close_after_flush();
    return;
  }
  make_shadow(connection);
}

void Session::make_shadow(std::shared_ptr<Connection> connection) {
  log_info("peer {}: second connection ({}) while {}: checking for a collision", label_,
           connection->outgoing() ? "ours" : "the peer's", to_string(fsm_.state()));
  shadow_ = std::move(connection);
  adopt(shadow_, true);
  shadow_open_ = build_open(config_, open_options_);
  send(shadow_, *shadow_open_);
  shadow_->mark_open_sent();
  shadow_timer_.expires_after(kShadowOpenWait);
  shadow_timer_.async_wait([this, alive = std::weak_ptr<int>(lifetime_)](const error_code& ec) {
    if (ec || alive.expired()) return;
    drop_shadow(
        wire::Notification{static_cast<std::uint8_t>(wire::ErrorCode::HoldTimerExpired), 0, {}});
  });
}

void Session::adopt(std::shared_ptr<Connection> connection, bool as_shadow) {
  if (!as_shadow) main_ = connection;
  std::weak_ptr<int> alive = lifetime_;
  std::weak_ptr<Connection> weak = connection;
  connection->start(
      [this, alive, weak](wire::ByteView bytes) {
        auto c = weak.lock();
        if (alive.expired() || !c) return;
        on_message(c, bytes);
      },
      [this, alive, weak](const wire::DecodeError& error) {
        auto c = weak.lock();
        if (alive.expired() || !c) return;
        log_warning("peer {}: bad message header: {}", label_, error.reason);
        if (c == shadow_) return drop_shadow(to_notification(error));
        if (c != main_) return;
        handle(Event::error_event(EventType::BgpHeaderErr, to_notification(error)));
      },
      [this, alive, weak](const std::string& why) {
        auto c = weak.lock();
        if (alive.expired() || !c) return;
        if (c == shadow_) {
          log_info("peer {}: second connection closed: {}", label_, why);
          shadow_.reset();
          shadow_timer_.cancel();
          return;
        }
        if (c != main_) return;
        last_error_ = "connection " + why;
        log_warning("peer {}: connection {} in {}", label_, why, to_string(fsm_.state()));
        main_.reset();  // dead already; DropConnection has nothing left to close
        down_cause_ = DownCause::TcpFailure;
        handle(Event::of(EventType::TcpConnectionFails));
      });
}

void Session::send(const std::shared_ptr<Connection>& connection, const wire::Message& message) {
  wire::Bytes bytes;
  const wire::EncodeContext ctx =
      negotiated_ ? negotiated_->encode_context() : wire::EncodeContext{};
  if (auto r = wire::encode(message, ctx, bytes); !r) {
    log_error("peer {}: cannot encode {}: {}", label_, wire::to_string(wire::type_of(message)),
              r.error().message);
    return;
  }
  connection->send(std::move(bytes));
}

void Session::send_updates(wire::Bytes bytes, std::size_t messages) {
  if (bytes.empty()) return;
  send_updates(std::make_shared<const wire::Bytes>(std::move(bytes)), messages);
}

void Session::send_updates(std::shared_ptr<const wire::Bytes> bytes, std::size_t messages) {
  if (fsm_.state() != State::Established || !main_ || !bytes || bytes->empty()) return;
  counters_.updates_sent += messages;
  main_->send(std::move(bytes));
}

void Session::send_route_refresh(wire::AfiSafi family, std::uint8_t subtype) {
  if (fsm_.state() != State::Established || !main_ || !negotiated_) return;
  if (!negotiated_->route_refresh) return;
  if (subtype != wire::RouteRefresh::Normal && !negotiated_->enhanced_route_refresh) return;
  send(main_, wire::RouteRefresh{family, subtype});
}

// ------------------------------------------------------------------ receiving

void Session::on_message(const std::shared_ptr<Connection>& from, wire::ByteView bytes) {
  const bool is_main = from == main_;
  const wire::DecodeContext ctx = is_main && negotiated_
                                      ? negotiated_->decode_context(config_.ebgp())
                                      : wire::DecodeContext{true, {}, false, config_.ebgp()};
  auto decoded = wire::decode(bytes, ctx);
  if (!decoded) {
    const wire::DecodeError& e = decoded.error();
    log_warning("peer {}: malformed message ({}): {}", label_,
                wire::describe_notification(static_cast<std::uint8_t>(e.code), e.subcode),
                e.reason);
    if (!is_main) return drop_shadow(to_notification(e));
    return handle(Event::error_event(event_for_error(e), to_notification(e)));
  }
  if (is_main) {
    on_main_message(decoded.value());
  } else if (from == shadow_) {
    on_shadow_message(decoded.value());
  }
}

void Session::on_main_message(wire::Message& message) {
  if (auto* open = std::get_if<wire::Open>(&message)) return on_open(*open);
  if (std::holds_alternative<wire::Keepalive>(message)) {
    return handle(Event::of(EventType::KeepAliveMsg));
  }
  if (auto* update = std::get_if<wire::Update>(&message)) {
    ++counters_.updates_received;
    for (const auto& e : update->errors) {
      log_warning("peer {}: UPDATE error handled as {} (RFC 7606): {}", label_,
                  wire::to_string(e.action), e.reason);
    }
    current_update_ = update;
    handle(Event::of(EventType::UpdateMsg));
    current_update_ = nullptr;
    return;
  }
  if (auto* notification = std::get_if<wire::Notification>(&message)) {
    return on_notification(*notification);
  }
  if (auto* refresh = std::get_if<wire::RouteRefresh>(&message)) {
    // RFC 7313 §5: BoRR/EoRR from the peer only bracket its own re-advertisement.
    if (fsm_.state() == State::Established && negotiated_ && negotiated_->route_refresh &&
        refresh->subtype == wire::RouteRefresh::Normal && negotiated_->carries(refresh->family)) {
      log_info("peer {}: ROUTE-REFRESH for {}", label_, wire::to_string(refresh->family));
      listener_.on_route_refresh(*this, refresh->family);
    }
  }
}

void Session::on_open(const wire::Open& open) {
  if (!our_open_) our_open_ = build_open(config_, open_options_);
  auto negotiated = negotiate(config_, *our_open_, open);
  if (!negotiated) {
    last_error_ = "refused OPEN: " + describe(negotiated.error());
    log_warning("peer {}: refusing its OPEN (AS {}, router id {}, hold {}): {}", label_,
                open.effective_as(), IpAddress::v4(open.bgp_identifier).to_string(), open.hold_time,
                describe(negotiated.error()));
    return handle(Event::error_event(EventType::BgpOpenMsgErr, negotiated.error()));
  }
  negotiated_ = negotiated.value();
  if (main_ && negotiated_->extended_message) main_->set_max_message_size(wire::kMaxExtendedSize);
  log_info("peer {}: OPEN router id {}, hold {} s, families {}", label_,
           IpAddress::v4(negotiated_->peer_router_id).to_string(), negotiated_->hold_time,
           families_text(*negotiated_));
  handle(Event::open(negotiated_->hold_time, fsm_.delay_open_timer_running()));
}

void Session::on_notification(const wire::Notification& n) {
  ++counters_.notifications_received;
  last_error_ = "received NOTIFICATION " + describe(n);
  log_warning("peer {}: received NOTIFICATION {}", label_, describe(n));
  down_cause_ = DownCause::NotificationReceived;
  const bool version_error = n.code == static_cast<std::uint8_t>(wire::ErrorCode::OpenMessage) &&
                             n.subcode == wire::open_subcode::kUnsupportedVersion;
  handle(Event::of(version_error ? EventType::NotifMsgVerErr : EventType::NotifMsg));
}

void Session::on_shadow_message(wire::Message& message) {
  if (auto* open = std::get_if<wire::Open>(&message)) {
    auto negotiated = negotiate(config_, *shadow_open_, *open);
    if (!negotiated) return drop_shadow(negotiated.error());
    return resolve_collision(negotiated.value());
  }
  if (auto* n = std::get_if<wire::Notification>(&message)) {
    log_info("peer {}: second connection: received NOTIFICATION {}", label_, describe(*n));
    return drop_shadow(std::nullopt);
  }
  // Anything before its OPEN is an FSM error on that connection (RFC 6608: in OpenSent).
  drop_shadow(wire::Notification{static_cast<std::uint8_t>(wire::ErrorCode::FsmError), 1, {}});
}

// RFC 4271 §6.8: keep the connection initiated by the speaker with the higher BGP Identifier.
// An Established session is not checked (CollisionDetectEstablishedState is off): a peer that
// opens a new connection then has restarted (RFC 4724 §4.2), and the new connection wins.
void Session::resolve_collision(const Negotiated& shadow_negotiated) {
  const bool established = fsm_.state() == State::Established;
  bool keep_shadow = true;
  if (!established && main_) {
    const bool keep_ours = config_.router_id > shadow_negotiated.peer_router_id;
    keep_shadow = main_->outgoing() == shadow_->outgoing() || shadow_->outgoing() == keep_ours;
  }
  log_info("peer {}: connection collision (router ids {} / {}): keeping {} connection", label_,
           IpAddress::v4(config_.router_id).to_string(),
           IpAddress::v4(shadow_negotiated.peer_router_id).to_string(),
           (keep_shadow ? shadow_->outgoing() : main_->outgoing()) ? "our" : "the peer's");
  if (!keep_shadow) {
    return drop_shadow(wire::Notification{kCease, kConnectionCollisionResolution, {}});
  }
  auto connection = std::move(shadow_);
  shadow_timer_.cancel();
  if (established) {
    down_cause_ = DownCause::TcpFailure;  // the old connection is gone with the peer's restart
    handle(Event::of(EventType::TcpConnectionFails));
  } else {
    handle(Event::of(EventType::OpenCollisionDump));
  }
  // Take over with the shadow: a fresh FSM walked through the states the shadow has passed (its
  // OPEN went out already, so SendOpen finds open_sent() and sends nothing).
  stop_all_timers();
  fsm_ = Fsm(config_.fsm);
  stopped_ = false;
  main_ = connection;
  our_open_ = shadow_open_;
  handle(Event::of(EventType::ManualStartWithPassiveTcpEstablishment));
  handle(Event::of(EventType::TcpConnectionConfirmed));
  negotiated_ = shadow_negotiated;
  if (negotiated_->extended_message) main_->set_max_message_size(wire::kMaxExtendedSize);
  handle(Event::open(negotiated_->hold_time));
}

void Session::drop_shadow(const std::optional<wire::Notification>& notification) {
  if (!shadow_) return;
  if (notification) {
    send(shadow_, *notification);
    log_info("peer {}: closing the second connection with NOTIFICATION {}", label_,
             describe(*notification));
  }
  shadow_->close_after_flush();
  shadow_.reset();
  shadow_timer_.cancel();
}

}  // namespace pinto::bgp
