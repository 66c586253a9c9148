// The BGP finite state machine of RFC 4271 §8, as a table of transitions driven by events.
//
// The FSM is pure: it never touches a socket, a clock or a timer. It takes an Event (named and
// numbered as in RFC 4271 §8.1) and returns a Transition: the next state and the Actions the
// session must carry out, in order (send this, start that timer, drop the connection). Session is
// the only part that turns socket reads and timer expiries into Events and executes Actions, so
// every transition is unit-tested without I/O (tests/unit/bgp/fsm_test.cpp).
//
// One Fsm runs per TCP connection attempt: collision detection (§6.8) is decided by the speaker,
// which sees both connections and feeds OpenCollisionDump (event 23) to the one that loses.
//
// Optional session attributes (§8.1.1) supported: PassiveTcpEstablishment, DelayOpen,
// DampPeerOscillations (used as the automatic-restart back-off, see FsmOptions), and
// SendNOTIFICATIONwithoutOPEN. AllowAutomaticStart/Stop are always on.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "bgp/wire/message.h"

namespace pinto::bgp {

enum class State : std::uint8_t { Idle, Connect, Active, OpenSent, OpenConfirm, Established };
inline constexpr std::size_t kStateCount = 6;

/// RFC 4271 §8.1 events, with the RFC's numbers.
enum class EventType : std::uint8_t {
  ManualStart = 1,
  ManualStop = 2,
  AutomaticStart = 3,
  ManualStartWithPassiveTcpEstablishment = 4,
  AutomaticStartWithPassiveTcpEstablishment = 5,
  AutomaticStartWithDampPeerOscillations = 6,
  AutomaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment = 7,
  AutomaticStop = 8,
  ConnectRetryTimerExpires = 9,
  HoldTimerExpires = 10,
  KeepaliveTimerExpires = 11,
  DelayOpenTimerExpires = 12,
  IdleHoldTimerExpires = 13,
  TcpConnectionValid = 14,
  TcpCrInvalid = 15,
  TcpCrAcked = 16,
  TcpConnectionConfirmed = 17,
  TcpConnectionFails = 18,
  BgpOpen = 19,
  BgpOpenWithDelayOpenTimerRunning = 20,
  BgpHeaderErr = 21,
  BgpOpenMsgErr = 22,
  OpenCollisionDump = 23,
  NotifMsgVerErr = 24,
  NotifMsg = 25,
  KeepAliveMsg = 26,
  UpdateMsg = 27,
  UpdateMsgErr = 28,
};
inline constexpr std::size_t kEventCount = 28;

struct Event {
  EventType type;
  /// BgpOpen / BgpOpenWithDelayOpenTimerRunning: the negotiated hold time (seconds, 0 = none).
  std::uint16_t hold_time = 0;
  /// BgpHeaderErr / BgpOpenMsgErr / UpdateMsgErr: the NOTIFICATION the error calls for.
  wire::Notification error;

  static Event of(EventType type) { return Event{type, 0, {}}; }
  static Event open(std::uint16_t negotiated_hold_time, bool delay_open_running = false) {
    return Event{
        delay_open_running ? EventType::BgpOpenWithDelayOpenTimerRunning : EventType::BgpOpen,
        negotiated_hold_time,
        {}};
  }
  static Event error_event(EventType type, wire::Notification notification) {
    return Event{type, 0, std::move(notification)};
  }
};

enum class Timer : std::uint8_t { ConnectRetry, Hold, Keepalive, DelayOpen, IdleHold };

namespace action {
/// (Re)starts a timer; the session adds jitter where RFC 4271 §10 asks for it.
struct StartTimer {
  Timer timer;
  std::uint32_t seconds;
  friend bool operator==(const StartTimer&, const StartTimer&) = default;
};
struct StopTimer {
  Timer timer;
  friend bool operator==(const StopTimer&, const StopTimer&) = default;
};
/// Initiate a TCP connection to the peer (the listener keeps listening regardless).
struct Connect {
  friend bool operator==(const Connect&, const Connect&) = default;
};
struct DropConnection {
  friend bool operator==(const DropConnection&, const DropConnection&) = default;
};
struct SendOpen {
  friend bool operator==(const SendOpen&, const SendOpen&) = default;
};
struct SendKeepalive {
  friend bool operator==(const SendKeepalive&, const SendKeepalive&) = default;
};
struct SendNotification {
  wire::Notification notification;
  friend bool operator==(const SendNotification&, const SendNotification&) = default;
};
/// The session reached Established: complete initialisation (RFC 4271 §9.1.3: advertise the
/// Adj-RIB-Out, then End-of-RIB).
struct SessionEstablished {
  friend bool operator==(const SessionEstablished&, const SessionEstablished&) = default;
};
/// Hand the UPDATE that caused the event to the RIB.
struct ProcessUpdate {
  friend bool operator==(const ProcessUpdate&, const ProcessUpdate&) = default;
};
/// Leaving Established: the routes learned over this connection go (or turn stale under
/// graceful restart; the session decides which).
struct DeleteRoutes {
  friend bool operator==(const DeleteRoutes&, const DeleteRoutes&) = default;
};
/// Release the connection's resources: stop the Hold, Keepalive and DelayOpen timers and forget
/// what was negotiated.
struct ReleaseResources {
  friend bool operator==(const ReleaseResources&, const ReleaseResources&) = default;
};
}  // namespace action

using Action = std::variant<action::StartTimer, action::StopTimer, action::Connect,
                            action::DropConnection, action::SendOpen, action::SendKeepalive,
                            action::SendNotification, action::SessionEstablished,
                            action::ProcessUpdate, action::DeleteRoutes, action::ReleaseResources>;

struct Transition {
  State next;
  std::vector<Action> actions;
  friend bool operator==(const Transition&, const Transition&) = default;
};

struct FsmOptions {
  std::uint32_t connect_retry_time = 5;  // RFC 4271 suggests 120 s; containers want seconds
  std::uint16_t hold_time = 90;          // what we offer in our OPEN; negotiated down by the peer
  std::uint16_t large_hold_time = 240;   // §8.2.2 "a large value" (4 minutes) until OPEN arrives
  bool passive = false;                  // PassiveTcpEstablishment: never connect, only accept
  std::uint32_t delay_open_time = 0;     // DelayOpen when non-zero
  bool send_notification_without_open = false;
  /// DampPeerOscillations: after a failure the FSM waits an IdleHoldTime before restarting on
  /// its own, doubling from `idle_hold_time` up to `max_idle_hold_time` with each consecutive
  /// failure (ConnectRetryCounter). 0 disables automatic restart.
  std::uint32_t idle_hold_time = 1;
  std::uint32_t max_idle_hold_time = 60;

  friend bool operator==(const FsmOptions&, const FsmOptions&) = default;
};

class Fsm {
 public:
  explicit Fsm(FsmOptions options = {}) : options_(options) {}

  /// Feeds one event; returns where the FSM went and what the session must do, in order.
  Transition on_event(const Event& event);

  State state() const { return state_; }
  std::uint32_t connect_retry_counter() const { return connect_retry_counter_; }
  /// The hold time negotiated by the last OPEN (0 before, or when either side offered 0).
  std::uint16_t negotiated_hold_time() const { return hold_time_; }
  bool delay_open_timer_running() const { return delay_open_running_; }
  const FsmOptions& options() const { return options_; }

  /// How long the IdleHoldTimer runs after `failures` consecutive failures.
  std::uint32_t idle_hold_time_for(std::uint32_t failures) const;

  using Handler = State (Fsm::*)(const Event&, std::vector<Action>&);

 private:
  // Handlers, one per distinct RFC 4271 §8.2.2 behaviour; each appends actions and returns the
  // next state. Named after the state they serve and what they do.
  State ignore(const Event&, std::vector<Action>&);
  State idle_start(const Event&, std::vector<Action>&);
  State idle_manual_stop(const Event&, std::vector<Action>&);
  State idle_damped_start(const Event&, std::vector<Action>&);
  State idle_hold_expired(const Event&, std::vector<Action>&);

  State connect_manual_stop(const Event&, std::vector<Action>&);
  State connect_retry_expired(const Event&, std::vector<Action>&);
  State delay_open_expired(const Event&, std::vector<Action>&);
  State tcp_up(const Event&, std::vector<Action>&);
  State connect_tcp_fails(const Event&, std::vector<Action>&);
  State open_with_delay_open(const Event&, std::vector<Action>&);
  State open_error_before_open_sent(const Event&, std::vector<Action>&);
  State notif_version_error_before_open_sent(const Event&, std::vector<Action>&);
  State connect_or_active_other(const Event&, std::vector<Action>&);

  State active_manual_stop(const Event&, std::vector<Action>&);
  State active_retry_expired(const Event&, std::vector<Action>&);
  State active_tcp_fails(const Event&, std::vector<Action>&);

  State opened_manual_stop(const Event&, std::vector<Action>&);
  State opened_cease(const Event&, std::vector<Action>&);
  State opened_hold_expired(const Event&, std::vector<Action>&);
  State open_sent_tcp_fails(const Event&, std::vector<Action>&);
  State open_sent_open(const Event&, std::vector<Action>&);
  State opened_message_error(const Event&, std::vector<Action>&);
  State opened_version_error(const Event&, std::vector<Action>&);
  State opened_fsm_error(const Event&, std::vector<Action>&);

  State keepalive_expired(const Event&, std::vector<Action>&);
  State open_confirm_failed(const Event&, std::vector<Action>&);
  State open_confirm_keepalive(const Event&, std::vector<Action>&);

  State established_manual_stop(const Event&, std::vector<Action>&);
  State established_cease(const Event&, std::vector<Action>&);
  State established_hold_expired(const Event&, std::vector<Action>&);
  State established_failed(const Event&, std::vector<Action>&);
  State established_keepalive(const Event&, std::vector<Action>&);
  State established_update(const Event&, std::vector<Action>&);
  State established_update_error(const Event&, std::vector<Action>&);
  State established_header_error(const Event&, std::vector<Action>&);
  State established_fsm_error(const Event&, std::vector<Action>&);

  // Building blocks shared by the handlers.
  State start(bool passive, std::vector<Action>& out);
  void stop_connect_retry(std::vector<Action>& out);
  void stop_delay_open(std::vector<Action>& out);
  void release_and_drop(std::vector<Action>& out);
  /// ConnectRetryCounter + 1 and, when automatic restart is on, the back-off IdleHoldTimer.
  State fail_to_idle(std::vector<Action>& out);
  void send_open(std::vector<Action>& out);
  void enter_open_confirm(std::uint16_t hold_time, std::vector<Action>& out);
  void restart_hold_timer(std::vector<Action>& out);
  void notify(std::uint8_t code, std::uint8_t subcode, std::vector<Action>& out);

  static const std::array<std::array<Handler, kEventCount>, kStateCount> kTable;

  FsmOptions options_;
  State state_ = State::Idle;
  std::uint32_t connect_retry_counter_ = 0;
  std::uint16_t hold_time_ = 0;
  bool delay_open_running_ = false;
  bool connect_retry_running_ = false;
  bool idle_hold_running_ = false;
};

std::string to_string(State state);
std::string to_string(EventType event);

}  // namespace pinto::bgp
