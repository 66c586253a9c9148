// RFC 4271 §8.2.2, state by state. Each row of kTable is one state, each column one event; the
// handler names say what the RFC text for that cell does. Where Pinto deviates from the letter of
// the RFC the handler says so and why (docs/sessions.md lists the deviations).
#include "bgp/fsm.h"

#include <algorithm>

#include "bgp/wire/error.h"

namespace pinto::bgp {

namespace {

constexpr std::uint8_t kCease = static_cast<std::uint8_t>(wire::ErrorCode::Cease);
constexpr std::uint8_t kFsmError = static_cast<std::uint8_t>(wire::ErrorCode::FsmError);
constexpr std::uint8_t kHoldTimerExpired =
    static_cast<std::uint8_t>(wire::ErrorCode::HoldTimerExpired);

// RFC 4486 Cease subcodes used by the FSM.
constexpr std::uint8_t kAdministrativeShutdown = 2;
constexpr std::uint8_t kOtherConfigurationChange = 6;
constexpr std::uint8_t kConnectionCollisionResolution = 7;

// RFC 6608 FSM Error subcodes.
constexpr std::uint8_t kFsmUnspecified = 0;
constexpr std::uint8_t kFsmUnexpectedInOpenSent = 1;
constexpr std::uint8_t kFsmUnexpectedInOpenConfirm = 2;
constexpr std::uint8_t kFsmUnexpectedInEstablished = 3;

bool is_message_event(EventType e) {
  return static_cast<int>(e) >= static_cast<int>(EventType::BgpOpen);
}

bool is_passive_start(EventType e) {
  return e == EventType::ManualStartWithPassiveTcpEstablishment ||
         e == EventType::AutomaticStartWithPassiveTcpEstablishment ||
         e == EventType::AutomaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment;
}

}  // namespace

// clang-format off
// Columns: events 1..28 of RFC 4271 §8.1 (see EventType). One row per state.
#define H(name) &Fsm::name
const std::array<std::array<Fsm::Handler, kEventCount>, kStateCount> Fsm::kTable = {{
  // Idle: starts, stops, IdleHoldTimer; every other event is ignored (§8.2.2 Idle).
  {H(idle_start), H(idle_manual_stop), H(idle_start), H(idle_start), H(idle_start),        // 1-5
   H(idle_damped_start), H(idle_damped_start), H(ignore), H(ignore), H(ignore),            // 6-10
   H(ignore), H(ignore), H(idle_hold_expired), H(ignore), H(ignore),                       // 11-15
   H(ignore), H(ignore), H(ignore), H(ignore), H(ignore),                                  // 16-20
   H(ignore), H(ignore), H(ignore), H(ignore), H(ignore),                                  // 21-25
   H(ignore), H(ignore), H(ignore)},                                                       // 26-28
  // Connect
  {H(ignore), H(connect_manual_stop), H(ignore), H(ignore), H(ignore),                     // 1-5
   H(ignore), H(ignore), H(connect_or_active_other), H(connect_retry_expired),             // 6-9
   H(connect_or_active_other), H(connect_or_active_other), H(delay_open_expired),          // 10-12
   H(connect_or_active_other), H(ignore), H(ignore), H(tcp_up), H(tcp_up),                 // 13-17
   H(connect_tcp_fails), H(connect_or_active_other), H(open_with_delay_open),              // 18-20
   H(open_error_before_open_sent), H(open_error_before_open_sent),                         // 21-22
   H(connect_or_active_other), H(notif_version_error_before_open_sent),                    // 23-24
   H(connect_or_active_other), H(connect_or_active_other), H(connect_or_active_other),     // 25-27
   H(connect_or_active_other)},                                                            // 28
  // Active
  {H(ignore), H(active_manual_stop), H(ignore), H(ignore), H(ignore),                      // 1-5
   H(ignore), H(ignore), H(connect_or_active_other), H(active_retry_expired),              // 6-9
   H(connect_or_active_other), H(connect_or_active_other), H(delay_open_expired),          // 10-12
   H(connect_or_active_other), H(ignore), H(ignore), H(tcp_up), H(tcp_up),                 // 13-17
   H(active_tcp_fails), H(connect_or_active_other), H(open_with_delay_open),               // 18-20
   H(open_error_before_open_sent), H(open_error_before_open_sent),                         // 21-22
   H(connect_or_active_other), H(notif_version_error_before_open_sent),                    // 23-24
   H(connect_or_active_other), H(connect_or_active_other), H(connect_or_active_other),     // 25-27
   H(connect_or_active_other)},                                                            // 28
  // OpenSent
  {H(ignore), H(opened_manual_stop), H(ignore), H(ignore), H(ignore),                      // 1-5
   H(ignore), H(ignore), H(opened_cease), H(opened_fsm_error), H(opened_hold_expired),     // 6-10
   H(opened_fsm_error), H(opened_fsm_error), H(opened_fsm_error), H(ignore), H(ignore),    // 11-15
   H(ignore), H(ignore), H(open_sent_tcp_fails), H(open_sent_open), H(opened_fsm_error),   // 16-20
   H(opened_message_error), H(opened_message_error), H(opened_cease),                      // 21-23
   H(opened_version_error), H(open_confirm_failed), H(opened_fsm_error),                   // 24-26
   H(opened_fsm_error), H(opened_fsm_error)},                                              // 27-28
  // OpenConfirm
  {H(ignore), H(opened_manual_stop), H(ignore), H(ignore), H(ignore),                      // 1-5
   H(ignore), H(ignore), H(opened_cease), H(opened_fsm_error), H(opened_hold_expired),     // 6-10
   H(keepalive_expired), H(opened_fsm_error), H(opened_fsm_error), H(ignore), H(ignore),   // 11-15
   H(ignore), H(ignore), H(open_confirm_failed), H(opened_fsm_error),                      // 16-19
   H(opened_fsm_error), H(opened_message_error), H(opened_message_error),                  // 20-22
   H(opened_cease), H(opened_version_error), H(open_confirm_failed),                       // 23-25
   H(open_confirm_keepalive), H(opened_fsm_error), H(opened_fsm_error)},                   // 26-28
  // Established
  {H(ignore), H(established_manual_stop), H(ignore), H(ignore), H(ignore),                 // 1-5
   H(ignore), H(ignore), H(established_cease), H(established_fsm_error),                   // 6-9
   H(established_hold_expired), H(keepalive_expired), H(established_fsm_error),            // 10-12
   H(established_fsm_error), H(ignore), H(ignore), H(ignore), H(ignore),                   // 13-17
   H(established_failed), H(established_fsm_error), H(established_fsm_error),              // 18-20
   H(established_header_error), H(established_fsm_error), H(established_cease),            // 21-23
   H(established_failed), H(established_failed), H(established_keepalive),                 // 24-26
   H(established_update), H(established_update_error)},                                   // 27-28
}};
#undef H
// clang-format on

Transition Fsm::on_event(const Event& event) {
  const auto column = static_cast<std::size_t>(event.type) - 1;
  Transition t{state_, {}};
  if (column >= kEventCount) return t;  // not an RFC event: nothing happens
  const Handler handler = kTable[static_cast<std::size_t>(state_)][column];
  t.next = (this->*handler)(event, t.actions);
  state_ = t.next;
  return t;
}

std::uint32_t Fsm::idle_hold_time_for(std::uint32_t failures) const {
  if (options_.idle_hold_time == 0) return 0;
  const std::uint32_t doublings = std::min<std::uint32_t>(failures > 0 ? failures - 1 : 0, 16);
  const std::uint64_t t = std::uint64_t{options_.idle_hold_time} << doublings;
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(t, options_.max_idle_hold_time));
}

// ------------------------------------------------------------------ building blocks

void Fsm::stop_connect_retry(std::vector<Action>& out) {
  if (!connect_retry_running_) return;
  connect_retry_running_ = false;
  out.push_back(action::StopTimer{Timer::ConnectRetry});
}

void Fsm::stop_delay_open(std::vector<Action>& out) {
  if (!delay_open_running_) return;
  delay_open_running_ = false;
  out.push_back(action::StopTimer{Timer::DelayOpen});
}

void Fsm::release_and_drop(std::vector<Action>& out) {
  delay_open_running_ = false;
  hold_time_ = 0;
  out.push_back(action::ReleaseResources{});
  out.push_back(action::DropConnection{});
}

State Fsm::fail_to_idle(std::vector<Action>& out) {
  ++connect_retry_counter_;
  // Peer oscillation damping doubles as automatic restart: without it a session that failed
  // would stay Idle until someone restarted it by hand.
  if (const std::uint32_t wait = idle_hold_time_for(connect_retry_counter_); wait > 0) {
    idle_hold_running_ = true;
    out.push_back(action::StartTimer{Timer::IdleHold, wait});
  }
  return State::Idle;
}

void Fsm::send_open(std::vector<Action>& out) {
  out.push_back(action::SendOpen{});
  out.push_back(action::StartTimer{Timer::Hold, options_.large_hold_time});
}

void Fsm::enter_open_confirm(std::uint16_t hold_time, std::vector<Action>& out) {
  hold_time_ = hold_time;
  if (hold_time_ > 0) {
    out.push_back(action::StartTimer{Timer::Keepalive, std::max<std::uint32_t>(hold_time_ / 3, 1)});
    out.push_back(action::StartTimer{Timer::Hold, hold_time_});
  } else {
    // A hold time of zero means no keepalives and no hold timer (§4.2).
    out.push_back(action::StopTimer{Timer::Keepalive});
    out.push_back(action::StopTimer{Timer::Hold});
  }
}

void Fsm::restart_hold_timer(std::vector<Action>& out) {
  if (hold_time_ > 0) out.push_back(action::StartTimer{Timer::Hold, hold_time_});
}

void Fsm::notify(std::uint8_t code, std::uint8_t subcode, std::vector<Action>& out) {
  out.push_back(action::SendNotification{wire::Notification{code, subcode, {}}});
}

namespace {

// The Cease an administrative event sends: the caller's own (it may carry an RFC 9003 shutdown
// communication), else the RFC 4486 subcode that fits the event.
wire::Notification cease_for(const Event& event) {
  if (event.error.code == kCease) return event.error;
  switch (event.type) {
    case EventType::ManualStop: return wire::Notification{kCease, kAdministrativeShutdown, {}};
    case EventType::OpenCollisionDump:
      return wire::Notification{kCease, kConnectionCollisionResolution, {}};
    default: return wire::Notification{kCease, kOtherConfigurationChange, {}};
  }
}

}  // namespace

State Fsm::start(bool passive, std::vector<Action>& out) {
  if (idle_hold_running_) {
    idle_hold_running_ = false;
    out.push_back(action::StopTimer{Timer::IdleHold});
  }
  connect_retry_running_ = true;
  out.push_back(action::StartTimer{Timer::ConnectRetry, options_.connect_retry_time});
  if (passive) return State::Active;  // listen only
  out.push_back(action::Connect{});
  return State::Connect;
}

// ------------------------------------------------------------------ Idle

State Fsm::ignore(const Event&, std::vector<Action>&) {
  return state_;
}

State Fsm::idle_start(const Event& e, std::vector<Action>& out) {
  connect_retry_counter_ = 0;
  return start(options_.passive || is_passive_start(e.type), out);
}

// Deviation: the RFC ignores ManualStop in Idle; Pinto also cancels a pending automatic restart
// so that a peer removed from the configuration stays down.
State Fsm::idle_manual_stop(const Event&, std::vector<Action>& out) {
  connect_retry_counter_ = 0;
  if (idle_hold_running_) {
    idle_hold_running_ = false;
    out.push_back(action::StopTimer{Timer::IdleHold});
  }
  return State::Idle;
}

// Events 6 and 7: start now, unless earlier failures ask for an IdleHoldTime first.
State Fsm::idle_damped_start(const Event& e, std::vector<Action>& out) {
  if (connect_retry_counter_ == 0) return start(options_.passive || is_passive_start(e.type), out);
  idle_hold_running_ = true;
  out.push_back(action::StartTimer{Timer::IdleHold, idle_hold_time_for(connect_retry_counter_)});
  return State::Idle;
}

// The automatic restart after damping; the ConnectRetryCounter is kept so the back-off grows.
State Fsm::idle_hold_expired(const Event&, std::vector<Action>& out) {
  if (!idle_hold_running_) return State::Idle;  // a stale expiry after a manual stop
  idle_hold_running_ = false;
  return start(options_.passive, out);
}

// ------------------------------------------------------------------ Connect and Active

State Fsm::connect_manual_stop(const Event&, std::vector<Action>& out) {
  out.push_back(action::DropConnection{});
  out.push_back(action::ReleaseResources{});
  delay_open_running_ = false;
  connect_retry_counter_ = 0;
  stop_connect_retry(out);
  return State::Idle;
}

State Fsm::connect_retry_expired(const Event&, std::vector<Action>& out) {
  out.push_back(action::DropConnection{});
  connect_retry_running_ = true;
  out.push_back(action::StartTimer{Timer::ConnectRetry, options_.connect_retry_time});
  stop_delay_open(out);
  out.push_back(action::Connect{});
  return State::Connect;
}

State Fsm::delay_open_expired(const Event&, std::vector<Action>& out) {
  stop_connect_retry(out);
  delay_open_running_ = false;  // it just expired
  send_open(out);
  return State::OpenSent;
}

State Fsm::tcp_up(const Event&, std::vector<Action>& out) {
  stop_connect_retry(out);
  if (options_.delay_open_time > 0) {
    delay_open_running_ = true;
    out.push_back(action::StartTimer{Timer::DelayOpen, options_.delay_open_time});
    return state_;
  }
  send_open(out);
  return State::OpenSent;
}

// Deviation: without DelayOpen the RFC goes to Idle and stays there; Pinto counts the failure
// and restarts after the IdleHoldTime, which is how connection attempts back off.
State Fsm::connect_tcp_fails(const Event&, std::vector<Action>& out) {
  if (delay_open_running_) {
    connect_retry_running_ = true;
    out.push_back(action::StartTimer{Timer::ConnectRetry, options_.connect_retry_time});
    stop_delay_open(out);
    return State::Active;
  }
  stop_connect_retry(out);
  release_and_drop(out);
  return fail_to_idle(out);
}

State Fsm::open_with_delay_open(const Event& e, std::vector<Action>& out) {
  stop_connect_retry(out);
  stop_delay_open(out);
  out.push_back(action::SendOpen{});
  out.push_back(action::SendKeepalive{});
  enter_open_confirm(e.hold_time, out);
  return State::OpenConfirm;
}

State Fsm::open_error_before_open_sent(const Event& e, std::vector<Action>& out) {
  if (options_.send_notification_without_open) {
    out.push_back(action::SendNotification{e.error});
  }
  stop_connect_retry(out);
  release_and_drop(out);
  return fail_to_idle(out);
}

State Fsm::notif_version_error_before_open_sent(const Event&, std::vector<Action>& out) {
  const bool delay_open = delay_open_running_;
  stop_connect_retry(out);
  stop_delay_open(out);
  release_and_drop(out);
  if (delay_open) return State::Idle;
  return fail_to_idle(out);
}

State Fsm::connect_or_active_other(const Event&, std::vector<Action>& out) {
  stop_connect_retry(out);
  stop_delay_open(out);
  release_and_drop(out);
  return fail_to_idle(out);
}

State Fsm::active_manual_stop(const Event& e, std::vector<Action>& out) {
  if (delay_open_running_ && options_.send_notification_without_open) {
    out.push_back(action::SendNotification{cease_for(e)});
  }
  out.push_back(action::ReleaseResources{});
  stop_delay_open(out);
  out.push_back(action::DropConnection{});
  connect_retry_counter_ = 0;
  stop_connect_retry(out);
  return State::Idle;
}

// Deviation: a passive peer never connects (GoBGP's passive-mode, Calico's expectation); the RFC
// would have its ConnectRetryTimer start a connection.
State Fsm::active_retry_expired(const Event&, std::vector<Action>& out) {
  if (options_.passive) {
    connect_retry_running_ = false;
    return State::Active;
  }
  connect_retry_running_ = true;
  out.push_back(action::StartTimer{Timer::ConnectRetry, options_.connect_retry_time});
  out.push_back(action::Connect{});
  return State::Connect;
}

State Fsm::active_tcp_fails(const Event&, std::vector<Action>& out) {
  connect_retry_running_ = true;
  out.push_back(action::StartTimer{Timer::ConnectRetry, options_.connect_retry_time});
  stop_delay_open(out);
  out.push_back(action::ReleaseResources{});
  hold_time_ = 0;
  return fail_to_idle(out);
}

// ------------------------------------------------------------------ OpenSent and OpenConfirm

State Fsm::opened_manual_stop(const Event& e, std::vector<Action>& out) {
  out.push_back(action::SendNotification{cease_for(e)});
  stop_connect_retry(out);
  release_and_drop(out);
  connect_retry_counter_ = 0;
  return State::Idle;
}

State Fsm::opened_cease(const Event& e, std::vector<Action>& out) {
  out.push_back(action::SendNotification{cease_for(e)});
  stop_connect_retry(out);
  release_and_drop(out);
  return fail_to_idle(out);
}

State Fsm::opened_hold_expired(const Event&, std::vector<Action>& out) {
  notify(kHoldTimerExpired, 0, out);
  stop_connect_retry(out);
  release_and_drop(out);
  return fail_to_idle(out);
}

// The RFC closes the connection and keeps listening in Active; closing it also releases its Hold
// timer, which would otherwise expire in Active and count as a failure.
State Fsm::open_sent_tcp_fails(const Event&, std::vector<Action>& out) {
  out.push_back(action::ReleaseResources{});
  out.push_back(action::DropConnection{});
  hold_time_ = 0;
  connect_retry_running_ = true;
  out.push_back(action::StartTimer{Timer::ConnectRetry, options_.connect_retry_time});
  return State::Active;
}

State Fsm::open_sent_open(const Event& e, std::vector<Action>& out) {
  stop_delay_open(out);
  stop_connect_retry(out);
  out.push_back(action::SendKeepalive{});
  enter_open_confirm(e.hold_time, out);
  return State::OpenConfirm;
}

State Fsm::opened_message_error(const Event& e, std::vector<Action>& out) {
  out.push_back(action::SendNotification{e.error});
  stop_connect_retry(out);
  release_and_drop(out);
  return fail_to_idle(out);
}

State Fsm::opened_version_error(const Event&, std::vector<Action>& out) {
  stop_connect_retry(out);
  release_and_drop(out);
  return State::Idle;
}

// RFC 6608 names the state an unexpected message arrived in; timer events get "unspecified".
State Fsm::opened_fsm_error(const Event& e, std::vector<Action>& out) {
  std::uint8_t subcode = kFsmUnspecified;
  if (is_message_event(e.type)) {
    subcode = state_ == State::OpenSent ? kFsmUnexpectedInOpenSent : kFsmUnexpectedInOpenConfirm;
  }
  notify(kFsmError, subcode, out);
  stop_connect_retry(out);
  release_and_drop(out);
  return fail_to_idle(out);
}

State Fsm::keepalive_expired(const Event&, std::vector<Action>& out) {
  out.push_back(action::SendKeepalive{});
  if (hold_time_ > 0) {
    out.push_back(action::StartTimer{Timer::Keepalive, std::max<std::uint32_t>(hold_time_ / 3, 1)});
  }
  return state_;
}

// TcpConnectionFails or a NOTIFICATION in OpenConfirm; a NOTIFICATION in OpenSent too (deviation:
// the RFC would answer a NOTIFICATION in OpenSent with an FSM Error NOTIFICATION, on a connection
// the peer is already closing).
State Fsm::open_confirm_failed(const Event&, std::vector<Action>& out) {
  stop_connect_retry(out);
  release_and_drop(out);
  return fail_to_idle(out);
}

// Deviation: the ConnectRetryCounter (the back-off) resets once a session is established, so a
// peer that comes back after a long healthy run reconnects at once.
State Fsm::open_confirm_keepalive(const Event&, std::vector<Action>& out) {
  restart_hold_timer(out);
  connect_retry_counter_ = 0;
  out.push_back(action::SessionEstablished{});
  return State::Established;
}

// ------------------------------------------------------------------ Established

State Fsm::established_manual_stop(const Event& e, std::vector<Action>& out) {
  out.push_back(action::SendNotification{cease_for(e)});
  stop_connect_retry(out);
  out.push_back(action::DeleteRoutes{});
  release_and_drop(out);
  connect_retry_counter_ = 0;
  return State::Idle;
}

State Fsm::established_cease(const Event& e, std::vector<Action>& out) {
  out.push_back(action::SendNotification{cease_for(e)});
  stop_connect_retry(out);
  out.push_back(action::DeleteRoutes{});
  release_and_drop(out);
  return fail_to_idle(out);
}

State Fsm::established_hold_expired(const Event&, std::vector<Action>& out) {
  notify(kHoldTimerExpired, 0, out);
  stop_connect_retry(out);
  out.push_back(action::DeleteRoutes{});
  release_and_drop(out);
  return fail_to_idle(out);
}

State Fsm::established_failed(const Event&, std::vector<Action>& out) {
  stop_connect_retry(out);
  out.push_back(action::DeleteRoutes{});
  release_and_drop(out);
  return fail_to_idle(out);
}

State Fsm::established_keepalive(const Event&, std::vector<Action>& out) {
  restart_hold_timer(out);
  return State::Established;
}

State Fsm::established_update(const Event&, std::vector<Action>& out) {
  out.push_back(action::ProcessUpdate{});
  restart_hold_timer(out);
  return State::Established;
}

State Fsm::established_update_error(const Event& e, std::vector<Action>& out) {
  out.push_back(action::SendNotification{e.error});
  stop_connect_retry(out);
  out.push_back(action::DeleteRoutes{});
  release_and_drop(out);
  return fail_to_idle(out);
}

// Deviation: the RFC's Established table answers a header error with an FSM Error; §6.1 says a
// header error is reported as Message Header Error with its subcode, which is what peers expect
// to log, so Pinto sends that (as BIRD and FRR do).
State Fsm::established_header_error(const Event& e, std::vector<Action>& out) {
  return established_update_error(e, out);
}

State Fsm::established_fsm_error(const Event& e, std::vector<Action>& out) {
  notify(kFsmError, is_message_event(e.type) ? kFsmUnexpectedInEstablished : kFsmUnspecified, out);
  stop_connect_retry(out);
  out.push_back(action::DeleteRoutes{});
  release_and_drop(out);
  return fail_to_idle(out);
}

// ------------------------------------------------------------------ names

std::string to_string(State state) {
  switch (state) {
    case State::Idle: return "Idle";
    case State::Connect: return "Connect";
    case State::Active: return "Active";
    case State::OpenSent: return "OpenSent";
    case State::OpenConfirm: return "OpenConfirm";
    case State::Established: return "Established";
  }
  return "Unknown";
}

std::string to_string(EventType event) {
  static constexpr std::array<const char*, kEventCount> kNames = {
      "ManualStart",
      "ManualStop",
      "AutomaticStart",
      "ManualStart_with_PassiveTcpEstablishment",
      "AutomaticStart_with_PassiveTcpEstablishment",
      "AutomaticStart_with_DampPeerOscillations",
      "AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment",
      "AutomaticStop",
      "ConnectRetryTimer_Expires",
      "HoldTimer_Expires",
      "KeepaliveTimer_Expires",
      "DelayOpenTimer_Expires",
      "IdleHoldTimer_Expires",
      "TcpConnection_Valid",
      "Tcp_CR_Invalid",
      "Tcp_CR_Acked",
      "TcpConnectionConfirmed",
      "TcpConnectionFails",
      "BGPOpen",
      "BGPOpen with DelayOpenTimer running",
      "BGPHeaderErr",
      "BGPOpenMsgErr",
      "OpenCollisionDump",
      "NotifMsgVerErr",
      "NotifMsg",
      "KeepAliveMsg",
      "UpdateMsg",
      "UpdateMsgErr",
  };
  const auto i = static_cast<std::size_t>(event);
  if (i == 0 || i > kEventCount) return "event " + std::to_string(i);
  return kNames[i - 1];
}

}  // namespace pinto::bgp
