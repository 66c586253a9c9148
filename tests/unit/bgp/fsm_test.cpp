// RFC 4271 §8.2.2, cell by cell: every state × event the RFC describes, reached by real event
// sequences (never by poking the state), with the exact actions expected in order.
#include "bgp/fsm.h"

#include <gtest/gtest.h>

#include <set>

namespace pinto::bgp {
namespace {

using namespace action;
using E = EventType;

constexpr std::uint16_t kHold = 90;
constexpr FsmOptions kDefaults{};

wire::Notification notification(std::uint8_t code, std::uint8_t subcode) {
  return wire::Notification{code, subcode, {}};
}

StartTimer start_timer(Timer t, std::uint32_t seconds) {
  return StartTimer{t, seconds};
}

// The states, reached the way a session reaches them.
Fsm in_idle(FsmOptions o = kDefaults) {
  return Fsm(o);
}
Fsm in_connect(FsmOptions o = kDefaults) {
  Fsm f(o);
  f.on_event(Event::of(E::ManualStart));
  return f;
}
Fsm in_active(FsmOptions o = kDefaults) {
  Fsm f(o);
  f.on_event(Event::of(E::ManualStartWithPassiveTcpEstablishment));
  return f;
}
Fsm in_open_sent(FsmOptions o = kDefaults) {
  Fsm f = in_connect(o);
  f.on_event(Event::of(E::TcpCrAcked));
  return f;
}
Fsm in_open_confirm(FsmOptions o = kDefaults, std::uint16_t hold = kHold) {
  Fsm f = in_open_sent(o);
  f.on_event(Event::open(hold));
  return f;
}
Fsm in_established(FsmOptions o = kDefaults) {
  Fsm f = in_open_confirm(o);
  f.on_event(Event::of(E::KeepAliveMsg));
  return f;
}
FsmOptions with_delay_open() {
  FsmOptions o;
  o.delay_open_time = 10;
  return o;
}
FsmOptions without_restart() {
  FsmOptions o;
  o.idle_hold_time = 0;
  return o;
}

const std::vector<Action> kIdleHoldAfterFirstFailure = {start_timer(Timer::IdleHold, 1)};

// Appends the actions that end every failure path: release, drop, back-off.
std::vector<Action> failure_tail(std::vector<Action> head) {
  head.push_back(ReleaseResources{});
  head.push_back(DropConnection{});
  head.push_back(start_timer(Timer::IdleHold, 1));
  return head;
}

void expect_ignored(Fsm fsm, std::initializer_list<E> events) {
  for (const E e : events) {
    Fsm copy = fsm;
    const State before = copy.state();
    SCOPED_TRACE(to_string(before) + " + " + to_string(e));
    EXPECT_EQ(copy.on_event(Event::of(e)), (Transition{before, {}}));
  }
}

// ------------------------------------------------------------------ Idle

TEST(FsmIdle, ManualAndAutomaticStartConnectAndStartTheConnectRetryTimer) {
  for (const E e : {E::ManualStart, E::AutomaticStart}) {
    Fsm f = in_idle();
    EXPECT_EQ(f.on_event(Event::of(e)),
              (Transition{State::Connect, {start_timer(Timer::ConnectRetry, 5), Connect{}}}));
    EXPECT_EQ(f.connect_retry_counter(), 0u);
  }
}

TEST(FsmIdle, PassiveStartsOnlyListenInActive) {
  for (const E e :
       {E::ManualStartWithPassiveTcpEstablishment, E::AutomaticStartWithPassiveTcpEstablishment}) {
    Fsm f = in_idle();
    EXPECT_EQ(f.on_event(Event::of(e)),
              (Transition{State::Active, {start_timer(Timer::ConnectRetry, 5)}}));
  }
  FsmOptions passive;
  passive.passive = true;
  Fsm f = in_idle(passive);
  EXPECT_EQ(f.on_event(Event::of(E::ManualStart)),
            (Transition{State::Active, {start_timer(Timer::ConnectRetry, 5)}}));
}

TEST(FsmIdle, DampedStartsBeginAtOnceWithoutEarlierFailures) {
  Fsm f = in_idle();
  EXPECT_EQ(f.on_event(Event::of(E::AutomaticStartWithDampPeerOscillations)).next, State::Connect);
  Fsm g = in_idle();
  EXPECT_EQ(
      g.on_event(Event::of(E::AutomaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment))
          .next,
      State::Active);
}

TEST(FsmIdle, DampedStartAfterAFailureWaitsForTheIdleHoldTimer) {
  Fsm f = in_connect();
  f.on_event(Event::of(E::TcpConnectionFails));  // failure 1, IdleHold started
  f.on_event(Event::of(E::ManualStop));          // cancel it
  f.on_event(Event::of(E::ManualStart));
  f.on_event(Event::of(E::TcpConnectionFails));
  ASSERT_EQ(f.connect_retry_counter(), 1u);
  EXPECT_EQ(f.on_event(Event::of(E::AutomaticStartWithDampPeerOscillations)),
            (Transition{State::Idle, {start_timer(Timer::IdleHold, 1)}}));
}

TEST(FsmIdle, IdleHoldTimerExpiryRestartsAndKeepsTheCounter) {
  Fsm f = in_connect();
  f.on_event(Event::of(E::TcpConnectionFails));
  ASSERT_EQ(f.state(), State::Idle);
  EXPECT_EQ(f.on_event(Event::of(E::IdleHoldTimerExpires)),
            (Transition{State::Connect, {start_timer(Timer::ConnectRetry, 5), Connect{}}}));
  EXPECT_EQ(f.connect_retry_counter(), 1u);
}

TEST(FsmIdle, IdleHoldTimerExpiryAfterManualStopIsIgnored) {
  Fsm f = in_connect();
  f.on_event(Event::of(E::TcpConnectionFails));
  EXPECT_EQ(f.on_event(Event::of(E::ManualStop)),
            (Transition{State::Idle, {StopTimer{Timer::IdleHold}}}));
  EXPECT_EQ(f.on_event(Event::of(E::IdleHoldTimerExpires)), (Transition{State::Idle, {}}));
}

TEST(FsmIdle, ManualStartDuringIdleHoldStartsAtOnce) {
  Fsm f = in_connect();
  f.on_event(Event::of(E::TcpConnectionFails));
  EXPECT_EQ(
      f.on_event(Event::of(E::ManualStart)),
      (Transition{State::Connect,
                  {StopTimer{Timer::IdleHold}, start_timer(Timer::ConnectRetry, 5), Connect{}}}));
}

TEST(FsmIdle, StopsAndAllOtherEventsAreIgnored) {
  expect_ignored(in_idle(), {E::ManualStop,
                             E::AutomaticStop,
                             E::ConnectRetryTimerExpires,
                             E::HoldTimerExpires,
                             E::KeepaliveTimerExpires,
                             E::DelayOpenTimerExpires,
                             E::IdleHoldTimerExpires,
                             E::TcpConnectionValid,
                             E::TcpCrInvalid,
                             E::TcpCrAcked,
                             E::TcpConnectionConfirmed,
                             E::TcpConnectionFails,
                             E::BgpOpen,
                             E::BgpOpenWithDelayOpenTimerRunning,
                             E::BgpHeaderErr,
                             E::BgpOpenMsgErr,
                             E::OpenCollisionDump,
                             E::NotifMsgVerErr,
                             E::NotifMsg,
                             E::KeepAliveMsg,
                             E::UpdateMsg,
                             E::UpdateMsgErr});
}

TEST(FsmIdle, BackOffDoublesUpToTheMaximum) {
  const Fsm f;
  EXPECT_EQ(f.idle_hold_time_for(1), 1u);
  EXPECT_EQ(f.idle_hold_time_for(2), 2u);
  EXPECT_EQ(f.idle_hold_time_for(5), 16u);
  EXPECT_EQ(f.idle_hold_time_for(7), 60u);
  EXPECT_EQ(f.idle_hold_time_for(1000), 60u);
  EXPECT_EQ(Fsm(without_restart()).idle_hold_time_for(3), 0u);
}

TEST(FsmIdle, ConsecutiveFailuresGrowTheBackOff) {
  Fsm f = in_connect();
  std::vector<std::uint32_t> waits;
  for (int i = 0; i < 4; ++i) {
    const Transition t = f.on_event(Event::of(E::TcpConnectionFails));
    waits.push_back(std::get<StartTimer>(t.actions.back()).seconds);
    f.on_event(Event::of(E::IdleHoldTimerExpires));
  }
  EXPECT_EQ(waits, (std::vector<std::uint32_t>{1, 2, 4, 8}));
}

// ------------------------------------------------------------------ Connect

TEST(FsmConnect, StartsAreIgnored) {
  expect_ignored(
      in_connect(),
      {E::ManualStart, E::AutomaticStart, E::ManualStartWithPassiveTcpEstablishment,
       E::AutomaticStartWithPassiveTcpEstablishment, E::AutomaticStartWithDampPeerOscillations,
       E::AutomaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment, E::TcpConnectionValid,
       E::TcpCrInvalid});
}

TEST(FsmConnect, ManualStopDropsAndResetsTheCounter) {
  Fsm f = in_connect();
  EXPECT_EQ(f.on_event(Event::of(E::ManualStop)),
            (Transition{State::Idle,
                        {DropConnection{}, ReleaseResources{}, StopTimer{Timer::ConnectRetry}}}));
  EXPECT_EQ(f.connect_retry_counter(), 0u);
}

TEST(FsmConnect, ConnectRetryTimerExpiryRetriesTheConnection) {
  Fsm f = in_connect();
  EXPECT_EQ(f.on_event(Event::of(E::ConnectRetryTimerExpires)),
            (Transition{State::Connect,
                        {DropConnection{}, start_timer(Timer::ConnectRetry, 5), Connect{}}}));
}

TEST(FsmConnect, ConnectRetryTimerExpiryStopsARunningDelayOpenTimer) {
  Fsm f = in_connect(with_delay_open());
  f.on_event(Event::of(E::TcpCrAcked));
  ASSERT_TRUE(f.delay_open_timer_running());
  EXPECT_EQ(f.on_event(Event::of(E::ConnectRetryTimerExpires)),
            (Transition{State::Connect,
                        {DropConnection{}, start_timer(Timer::ConnectRetry, 5),
                         StopTimer{Timer::DelayOpen}, Connect{}}}));
}

TEST(FsmConnect, TcpUpSendsOpenWithTheLargeHoldTimer) {
  for (const E e : {E::TcpCrAcked, E::TcpConnectionConfirmed}) {
    Fsm f = in_connect();
    EXPECT_EQ(
        f.on_event(Event::of(e)),
        (Transition{State::OpenSent,
                    {StopTimer{Timer::ConnectRetry}, SendOpen{}, start_timer(Timer::Hold, 240)}}));
  }
}

TEST(FsmConnect, TcpUpWithDelayOpenStartsTheDelayOpenTimer) {
  Fsm f = in_connect(with_delay_open());
  EXPECT_EQ(f.on_event(Event::of(E::TcpConnectionConfirmed)),
            (Transition{State::Connect,
                        {StopTimer{Timer::ConnectRetry}, start_timer(Timer::DelayOpen, 10)}}));
}

TEST(FsmConnect, DelayOpenTimerExpirySendsOpen) {
  Fsm f = in_connect(with_delay_open());
  f.on_event(Event::of(E::TcpCrAcked));
  EXPECT_EQ(f.on_event(Event::of(E::DelayOpenTimerExpires)),
            (Transition{State::OpenSent, {SendOpen{}, start_timer(Timer::Hold, 240)}}));
}

TEST(FsmConnect, TcpFailureWithDelayOpenRunningGoesToActive) {
  Fsm f = in_connect(with_delay_open());
  f.on_event(Event::of(E::TcpCrAcked));
  EXPECT_EQ(f.on_event(Event::of(E::TcpConnectionFails)),
            (Transition{State::Active,
                        {start_timer(Timer::ConnectRetry, 5), StopTimer{Timer::DelayOpen}}}));
}

TEST(FsmConnect, TcpFailureGoesIdleAndBacksOff) {
  Fsm f = in_connect();
  EXPECT_EQ(f.on_event(Event::of(E::TcpConnectionFails)),
            (Transition{State::Idle, failure_tail({StopTimer{Timer::ConnectRetry}})}));
  EXPECT_EQ(f.connect_retry_counter(), 1u);
}

TEST(FsmConnect, TcpFailureWithoutAutomaticRestartStaysIdle) {
  Fsm f = in_connect(without_restart());
  EXPECT_EQ(f.on_event(Event::of(E::TcpConnectionFails)),
            (Transition{State::Idle,
                        {StopTimer{Timer::ConnectRetry}, ReleaseResources{}, DropConnection{}}}));
}

TEST(FsmConnect, OpenWhileDelayOpenRunsGoesToOpenConfirm) {
  Fsm f = in_connect(with_delay_open());
  f.on_event(Event::of(E::TcpCrAcked));
  EXPECT_EQ(f.on_event(Event::open(kHold, true)),
            (Transition{State::OpenConfirm,
                        {StopTimer{Timer::DelayOpen}, SendOpen{}, SendKeepalive{},
                         start_timer(Timer::Keepalive, 30), start_timer(Timer::Hold, kHold)}}));
  EXPECT_EQ(f.negotiated_hold_time(), kHold);
}

TEST(FsmConnect, OpenWithZeroHoldTimeRunsNoTimers) {
  Fsm f = in_connect(with_delay_open());
  f.on_event(Event::of(E::TcpCrAcked));
  EXPECT_EQ(f.on_event(Event::open(0, true)),
            (Transition{State::OpenConfirm,
                        {StopTimer{Timer::DelayOpen}, SendOpen{}, SendKeepalive{},
                         StopTimer{Timer::Keepalive}, StopTimer{Timer::Hold}}}));
}

TEST(FsmConnect, HeaderAndOpenErrorsGoIdleWithoutNotification) {
  for (const E e : {E::BgpHeaderErr, E::BgpOpenMsgErr}) {
    Fsm f = in_connect();
    EXPECT_EQ(f.on_event(Event::error_event(e, notification(1, 2))),
              (Transition{State::Idle, failure_tail({StopTimer{Timer::ConnectRetry}})}));
  }
}

TEST(FsmConnect, HeaderErrorNotifiesWhenSendNotificationWithoutOpenIsSet) {
  FsmOptions o;
  o.send_notification_without_open = true;
  Fsm f = in_connect(o);
  EXPECT_EQ(f.on_event(Event::error_event(E::BgpHeaderErr, notification(1, 2))),
            (Transition{State::Idle, failure_tail({SendNotification{notification(1, 2)},
                                                   StopTimer{Timer::ConnectRetry}})}));
}

TEST(FsmConnect, NotificationVersionErrorWithDelayOpenGoesIdleWithoutBackOff) {
  Fsm f = in_connect(with_delay_open());
  f.on_event(Event::of(E::TcpCrAcked));
  EXPECT_EQ(f.on_event(Event::of(E::NotifMsgVerErr)),
            (Transition{State::Idle,
                        {StopTimer{Timer::DelayOpen}, ReleaseResources{}, DropConnection{}}}));
  EXPECT_EQ(f.connect_retry_counter(), 0u);
}

TEST(FsmConnect, NotificationVersionErrorCountsAFailure) {
  Fsm f = in_connect();
  EXPECT_EQ(f.on_event(Event::of(E::NotifMsgVerErr)),
            (Transition{State::Idle, failure_tail({StopTimer{Timer::ConnectRetry}})}));
}

TEST(FsmConnect, AnyOtherEventGoesIdle) {
  for (const E e : {E::AutomaticStop, E::HoldTimerExpires, E::KeepaliveTimerExpires,
                    E::IdleHoldTimerExpires, E::BgpOpen, E::OpenCollisionDump, E::NotifMsg,
                    E::KeepAliveMsg, E::UpdateMsg, E::UpdateMsgErr}) {
    Fsm f = in_connect();
    SCOPED_TRACE(to_string(e));
    EXPECT_EQ(f.on_event(Event::of(e)),
              (Transition{State::Idle, failure_tail({StopTimer{Timer::ConnectRetry}})}));
  }
  Fsm f = in_connect(with_delay_open());
  f.on_event(Event::of(E::TcpCrAcked));
  EXPECT_EQ(f.on_event(Event::of(E::UpdateMsg)),
            (Transition{State::Idle, failure_tail({StopTimer{Timer::DelayOpen}})}));
}

// ------------------------------------------------------------------ Active

TEST(FsmActive, StartsAndConnectionNoticesAreIgnored) {
  expect_ignored(
      in_active(),
      {E::ManualStart, E::AutomaticStart, E::ManualStartWithPassiveTcpEstablishment,
       E::AutomaticStartWithPassiveTcpEstablishment, E::AutomaticStartWithDampPeerOscillations,
       E::AutomaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment, E::TcpConnectionValid,
       E::TcpCrInvalid});
}

TEST(FsmActive, ManualStopGoesIdle) {
  Fsm f = in_active();
  EXPECT_EQ(f.on_event(Event::of(E::ManualStop)),
            (Transition{State::Idle,
                        {ReleaseResources{}, DropConnection{}, StopTimer{Timer::ConnectRetry}}}));
}

TEST(FsmActive, ManualStopWithDelayOpenRunningMayNotify) {
  FsmOptions o = with_delay_open();
  o.send_notification_without_open = true;
  Fsm f = in_active(o);
  f.on_event(Event::of(E::TcpConnectionConfirmed));
  ASSERT_TRUE(f.delay_open_timer_running());
  EXPECT_EQ(f.on_event(Event::of(E::ManualStop)),
            (Transition{State::Idle,
                        {SendNotification{notification(6, 2)}, ReleaseResources{},
                         StopTimer{Timer::DelayOpen}, DropConnection{}}}));
}

TEST(FsmActive, ConnectRetryTimerExpiryConnects) {
  Fsm f = in_connect(with_delay_open());
  f.on_event(Event::of(E::TcpCrAcked));
  f.on_event(Event::of(E::TcpConnectionFails));  // Connect -> Active (DelayOpen was running)
  ASSERT_EQ(f.state(), State::Active);
  EXPECT_EQ(f.on_event(Event::of(E::ConnectRetryTimerExpires)),
            (Transition{State::Connect, {start_timer(Timer::ConnectRetry, 5), Connect{}}}));
}

TEST(FsmActive, PassivePeerNeverConnects) {
  FsmOptions passive;
  passive.passive = true;
  Fsm f = in_active(passive);
  EXPECT_EQ(f.on_event(Event::of(E::ConnectRetryTimerExpires)), (Transition{State::Active, {}}));
}

TEST(FsmActive, TcpUpSendsOpen) {
  for (const E e : {E::TcpCrAcked, E::TcpConnectionConfirmed}) {
    Fsm f = in_active();
    EXPECT_EQ(
        f.on_event(Event::of(e)),
        (Transition{State::OpenSent,
                    {StopTimer{Timer::ConnectRetry}, SendOpen{}, start_timer(Timer::Hold, 240)}}));
  }
}

TEST(FsmActive, TcpUpWithDelayOpenWaits) {
  Fsm f = in_active(with_delay_open());
  EXPECT_EQ(f.on_event(Event::of(E::TcpConnectionConfirmed)),
            (Transition{State::Active,
                        {StopTimer{Timer::ConnectRetry}, start_timer(Timer::DelayOpen, 10)}}));
  EXPECT_EQ(f.on_event(Event::of(E::DelayOpenTimerExpires)),
            (Transition{State::OpenSent, {SendOpen{}, start_timer(Timer::Hold, 240)}}));
}

TEST(FsmActive, TcpFailureGoesIdle) {
  Fsm f = in_active(with_delay_open());
  f.on_event(Event::of(E::TcpConnectionConfirmed));
  EXPECT_EQ(f.on_event(Event::of(E::TcpConnectionFails)),
            (Transition{State::Idle,
                        {start_timer(Timer::ConnectRetry, 5), StopTimer{Timer::DelayOpen},
                         ReleaseResources{}, start_timer(Timer::IdleHold, 1)}}));
}

TEST(FsmActive, OpenWhileDelayOpenRunsGoesToOpenConfirm) {
  Fsm f = in_active(with_delay_open());
  f.on_event(Event::of(E::TcpConnectionConfirmed));
  EXPECT_EQ(f.on_event(Event::open(kHold, true)),
            (Transition{State::OpenConfirm,
                        {StopTimer{Timer::DelayOpen}, SendOpen{}, SendKeepalive{},
                         start_timer(Timer::Keepalive, 30), start_timer(Timer::Hold, kHold)}}));
}

TEST(FsmActive, MessageErrorsGoIdle) {
  for (const E e : {E::BgpHeaderErr, E::BgpOpenMsgErr, E::NotifMsgVerErr}) {
    Fsm f = in_active();
    SCOPED_TRACE(to_string(e));
    EXPECT_EQ(f.on_event(Event::error_event(e, notification(2, 2))),
              (Transition{State::Idle, failure_tail({StopTimer{Timer::ConnectRetry}})}));
  }
}

TEST(FsmActive, AnyOtherEventGoesIdle) {
  for (const E e : {E::AutomaticStop, E::HoldTimerExpires, E::KeepaliveTimerExpires,
                    E::IdleHoldTimerExpires, E::BgpOpen, E::OpenCollisionDump, E::NotifMsg,
                    E::KeepAliveMsg, E::UpdateMsg, E::UpdateMsgErr}) {
    Fsm f = in_active();
    SCOPED_TRACE(to_string(e));
    EXPECT_EQ(f.on_event(Event::of(e)),
              (Transition{State::Idle, failure_tail({StopTimer{Timer::ConnectRetry}})}));
  }
}

// ------------------------------------------------------------------ OpenSent

TEST(FsmOpenSent, StartsAndSecondConnectionsAreIgnored) {
  expect_ignored(
      in_open_sent(),
      {E::ManualStart, E::AutomaticStart, E::ManualStartWithPassiveTcpEstablishment,
       E::AutomaticStartWithPassiveTcpEstablishment, E::AutomaticStartWithDampPeerOscillations,
       E::AutomaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment, E::TcpConnectionValid,
       E::TcpCrInvalid, E::TcpCrAcked, E::TcpConnectionConfirmed});
}

TEST(FsmOpenSent, ManualStopSendsCeaseAdministrativeShutdown) {
  Fsm f = in_open_sent();
  EXPECT_EQ(
      f.on_event(Event::of(E::ManualStop)),
      (Transition{State::Idle,
                  {SendNotification{notification(6, 2)}, ReleaseResources{}, DropConnection{}}}));
}

TEST(FsmOpenSent, ManualStopCarriesTheShutdownCommunication) {
  Fsm f = in_open_sent();
  const auto cease = wire::Notification::cease(2, "maintenance");
  EXPECT_EQ(
      f.on_event(Event::error_event(E::ManualStop, cease)),
      (Transition{State::Idle, {SendNotification{cease}, ReleaseResources{}, DropConnection{}}}));
}

TEST(FsmOpenSent, AutomaticStopSendsCeaseAndBacksOff) {
  Fsm f = in_open_sent();
  EXPECT_EQ(f.on_event(Event::of(E::AutomaticStop)),
            (Transition{State::Idle, failure_tail({SendNotification{notification(6, 6)}})}));
}

TEST(FsmOpenSent, HoldTimerExpirySendsHoldTimerExpired) {
  Fsm f = in_open_sent();
  EXPECT_EQ(f.on_event(Event::of(E::HoldTimerExpires)),
            (Transition{State::Idle, failure_tail({SendNotification{notification(4, 0)}})}));
}

TEST(FsmOpenSent, TcpFailureClosesAndListensInActive) {
  Fsm f = in_open_sent();
  EXPECT_EQ(
      f.on_event(Event::of(E::TcpConnectionFails)),
      (Transition{State::Active,
                  {ReleaseResources{}, DropConnection{}, start_timer(Timer::ConnectRetry, 5)}}));
}

TEST(FsmOpenSent, OpenSendsKeepaliveAndStartsNegotiatedTimers) {
  Fsm f = in_open_sent();
  EXPECT_EQ(f.on_event(Event::open(kHold)),
            (Transition{State::OpenConfirm,
                        {SendKeepalive{}, start_timer(Timer::Keepalive, 30),
                         start_timer(Timer::Hold, kHold)}}));
  EXPECT_EQ(f.negotiated_hold_time(), kHold);
}

TEST(FsmOpenSent, ShortHoldTimeKeepsAKeepaliveOfAtLeastOneSecond) {
  Fsm f = in_open_sent();
  EXPECT_EQ(f.on_event(Event::open(3)),
            (Transition{
                State::OpenConfirm,
                {SendKeepalive{}, start_timer(Timer::Keepalive, 1), start_timer(Timer::Hold, 3)}}));
}

TEST(FsmOpenSent, HeaderAndOpenErrorsSendTheirNotification) {
  for (const E e : {E::BgpHeaderErr, E::BgpOpenMsgErr}) {
    Fsm f = in_open_sent();
    EXPECT_EQ(f.on_event(Event::error_event(e, notification(2, 2))),
              (Transition{State::Idle, failure_tail({SendNotification{notification(2, 2)}})}));
  }
}

TEST(FsmOpenSent, CollisionDumpSendsCeaseConnectionCollisionResolution) {
  Fsm f = in_open_sent();
  EXPECT_EQ(f.on_event(Event::of(E::OpenCollisionDump)),
            (Transition{State::Idle, failure_tail({SendNotification{notification(6, 7)}})}));
}

TEST(FsmOpenSent, NotificationVersionErrorGoesIdleWithoutBackOff) {
  Fsm f = in_open_sent();
  EXPECT_EQ(f.on_event(Event::of(E::NotifMsgVerErr)),
            (Transition{State::Idle, {ReleaseResources{}, DropConnection{}}}));
  EXPECT_EQ(f.connect_retry_counter(), 0u);
}

TEST(FsmOpenSent, NotificationClosesWithoutAnsweringIt) {
  Fsm f = in_open_sent();
  EXPECT_EQ(f.on_event(Event::of(E::NotifMsg)), (Transition{State::Idle, failure_tail({})}));
}

TEST(FsmOpenSent, UnexpectedMessagesAreFsmErrorsNamingOpenSent) {
  for (const E e :
       {E::BgpOpenWithDelayOpenTimerRunning, E::KeepAliveMsg, E::UpdateMsg, E::UpdateMsgErr}) {
    Fsm f = in_open_sent();
    SCOPED_TRACE(to_string(e));
    EXPECT_EQ(f.on_event(Event::of(e)),
              (Transition{State::Idle, failure_tail({SendNotification{notification(5, 1)}})}));
  }
}

TEST(FsmOpenSent, UnexpectedTimersAreUnspecifiedFsmErrors) {
  for (const E e : {E::ConnectRetryTimerExpires, E::KeepaliveTimerExpires, E::DelayOpenTimerExpires,
                    E::IdleHoldTimerExpires}) {
    Fsm f = in_open_sent();
    SCOPED_TRACE(to_string(e));
    EXPECT_EQ(f.on_event(Event::of(e)),
              (Transition{State::Idle, failure_tail({SendNotification{notification(5, 0)}})}));
  }
}

// ------------------------------------------------------------------ OpenConfirm

TEST(FsmOpenConfirm, StartsAndSecondConnectionsAreIgnored) {
  expect_ignored(
      in_open_confirm(),
      {E::ManualStart, E::AutomaticStart, E::ManualStartWithPassiveTcpEstablishment,
       E::AutomaticStartWithPassiveTcpEstablishment, E::AutomaticStartWithDampPeerOscillations,
       E::AutomaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment, E::TcpConnectionValid,
       E::TcpCrInvalid, E::TcpCrAcked, E::TcpConnectionConfirmed});
}

TEST(FsmOpenConfirm, ManualStopSendsCease) {
  Fsm f = in_open_confirm();
  EXPECT_EQ(
      f.on_event(Event::of(E::ManualStop)),
      (Transition{State::Idle,
                  {SendNotification{notification(6, 2)}, ReleaseResources{}, DropConnection{}}}));
}

TEST(FsmOpenConfirm, AutomaticStopAndCollisionDumpSendCease) {
  Fsm f = in_open_confirm();
  EXPECT_EQ(f.on_event(Event::of(E::AutomaticStop)),
            (Transition{State::Idle, failure_tail({SendNotification{notification(6, 6)}})}));
  Fsm g = in_open_confirm();
  EXPECT_EQ(g.on_event(Event::of(E::OpenCollisionDump)),
            (Transition{State::Idle, failure_tail({SendNotification{notification(6, 7)}})}));
}

TEST(FsmOpenConfirm, HoldTimerExpirySendsHoldTimerExpired) {
  Fsm f = in_open_confirm();
  EXPECT_EQ(f.on_event(Event::of(E::HoldTimerExpires)),
            (Transition{State::Idle, failure_tail({SendNotification{notification(4, 0)}})}));
}

TEST(FsmOpenConfirm, KeepaliveTimerSendsAKeepalive) {
  Fsm f = in_open_confirm();
  EXPECT_EQ(f.on_event(Event::of(E::KeepaliveTimerExpires)),
            (Transition{State::OpenConfirm, {SendKeepalive{}, start_timer(Timer::Keepalive, 30)}}));
}

TEST(FsmOpenConfirm, TcpFailureAndNotificationGoIdle) {
  for (const E e : {E::TcpConnectionFails, E::NotifMsg}) {
    Fsm f = in_open_confirm();
    EXPECT_EQ(f.on_event(Event::of(e)), (Transition{State::Idle, failure_tail({})}));
  }
}

TEST(FsmOpenConfirm, NotificationVersionErrorGoesIdleWithoutBackOff) {
  Fsm f = in_open_confirm();
  EXPECT_EQ(f.on_event(Event::of(E::NotifMsgVerErr)),
            (Transition{State::Idle, {ReleaseResources{}, DropConnection{}}}));
}

TEST(FsmOpenConfirm, HeaderAndOpenErrorsSendTheirNotification) {
  for (const E e : {E::BgpHeaderErr, E::BgpOpenMsgErr}) {
    Fsm f = in_open_confirm();
    EXPECT_EQ(f.on_event(Event::error_event(e, notification(1, 1))),
              (Transition{State::Idle, failure_tail({SendNotification{notification(1, 1)}})}));
  }
}

TEST(FsmOpenConfirm, KeepaliveEstablishesTheSession) {
  Fsm f = in_open_confirm();
  EXPECT_EQ(
      f.on_event(Event::of(E::KeepAliveMsg)),
      (Transition{State::Established, {start_timer(Timer::Hold, kHold), SessionEstablished{}}}));
}

TEST(FsmOpenConfirm, EstablishingResetsTheBackOff) {
  Fsm f = in_connect();
  f.on_event(Event::of(E::TcpConnectionFails));
  f.on_event(Event::of(E::IdleHoldTimerExpires));
  f.on_event(Event::of(E::TcpCrAcked));
  f.on_event(Event::open(kHold));
  ASSERT_EQ(f.connect_retry_counter(), 1u);
  f.on_event(Event::of(E::KeepAliveMsg));
  EXPECT_EQ(f.connect_retry_counter(), 0u);
}

TEST(FsmOpenConfirm, UnexpectedMessagesAreFsmErrorsNamingOpenConfirm) {
  for (const E e :
       {E::BgpOpen, E::BgpOpenWithDelayOpenTimerRunning, E::UpdateMsg, E::UpdateMsgErr}) {
    Fsm f = in_open_confirm();
    SCOPED_TRACE(to_string(e));
    EXPECT_EQ(f.on_event(Event::of(e)),
              (Transition{State::Idle, failure_tail({SendNotification{notification(5, 2)}})}));
  }
  for (const E e :
       {E::ConnectRetryTimerExpires, E::DelayOpenTimerExpires, E::IdleHoldTimerExpires}) {
    Fsm f = in_open_confirm();
    EXPECT_EQ(f.on_event(Event::of(e)),
              (Transition{State::Idle, failure_tail({SendNotification{notification(5, 0)}})}));
  }
}

// ------------------------------------------------------------------ Established

TEST(FsmEstablished, StartsAndSecondConnectionsAreIgnored) {
  expect_ignored(
      in_established(),
      {E::ManualStart, E::AutomaticStart, E::ManualStartWithPassiveTcpEstablishment,
       E::AutomaticStartWithPassiveTcpEstablishment, E::AutomaticStartWithDampPeerOscillations,
       E::AutomaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment, E::TcpConnectionValid,
       E::TcpCrInvalid, E::TcpCrAcked, E::TcpConnectionConfirmed});
}

TEST(FsmEstablished, ManualStopSendsCeaseAndDeletesRoutes) {
  Fsm f = in_established();
  EXPECT_EQ(f.on_event(Event::of(E::ManualStop)),
            (Transition{State::Idle,
                        {SendNotification{notification(6, 2)}, DeleteRoutes{}, ReleaseResources{},
                         DropConnection{}}}));
  EXPECT_EQ(f.connect_retry_counter(), 0u);
}

TEST(FsmEstablished, AutomaticStopAndCollisionDumpSendCease) {
  Fsm f = in_established();
  EXPECT_EQ(f.on_event(Event::of(E::AutomaticStop)),
            (Transition{State::Idle,
                        failure_tail({SendNotification{notification(6, 6)}, DeleteRoutes{}})}));
  Fsm g = in_established();
  EXPECT_EQ(g.on_event(Event::of(E::OpenCollisionDump)),
            (Transition{State::Idle,
                        failure_tail({SendNotification{notification(6, 7)}, DeleteRoutes{}})}));
}

TEST(FsmEstablished, HoldTimerExpirySendsHoldTimerExpiredAndDeletesRoutes) {
  Fsm f = in_established();
  EXPECT_EQ(f.on_event(Event::of(E::HoldTimerExpires)),
            (Transition{State::Idle,
                        failure_tail({SendNotification{notification(4, 0)}, DeleteRoutes{}})}));
}

TEST(FsmEstablished, KeepaliveTimerSendsAKeepalive) {
  Fsm f = in_established();
  EXPECT_EQ(f.on_event(Event::of(E::KeepaliveTimerExpires)),
            (Transition{State::Established, {SendKeepalive{}, start_timer(Timer::Keepalive, 30)}}));
}

TEST(FsmEstablished, KeepaliveAndUpdateRestartTheHoldTimer) {
  Fsm f = in_established();
  EXPECT_EQ(f.on_event(Event::of(E::KeepAliveMsg)),
            (Transition{State::Established, {start_timer(Timer::Hold, kHold)}}));
  EXPECT_EQ(f.on_event(Event::of(E::UpdateMsg)),
            (Transition{State::Established, {ProcessUpdate{}, start_timer(Timer::Hold, kHold)}}));
}

TEST(FsmEstablished, ZeroHoldTimeNeverRestartsTheHoldTimer) {
  Fsm f = in_open_confirm(kDefaults, 0);
  EXPECT_EQ(f.on_event(Event::of(E::KeepAliveMsg)),
            (Transition{State::Established, {SessionEstablished{}}}));
  EXPECT_EQ(f.on_event(Event::of(E::UpdateMsg)),
            (Transition{State::Established, {ProcessUpdate{}}}));
  EXPECT_EQ(f.on_event(Event::of(E::KeepaliveTimerExpires)),
            (Transition{State::Established, {SendKeepalive{}}}));
}

TEST(FsmEstablished, ConnectionLossAndNotificationsDeleteRoutes) {
  for (const E e : {E::TcpConnectionFails, E::NotifMsg, E::NotifMsgVerErr}) {
    Fsm f = in_established();
    SCOPED_TRACE(to_string(e));
    EXPECT_EQ(f.on_event(Event::of(e)), (Transition{State::Idle, failure_tail({DeleteRoutes{}})}));
  }
}

TEST(FsmEstablished, UpdateErrorSendsItsNotification) {
  Fsm f = in_established();
  EXPECT_EQ(f.on_event(Event::error_event(E::UpdateMsgErr, notification(3, 1))),
            (Transition{State::Idle,
                        failure_tail({SendNotification{notification(3, 1)}, DeleteRoutes{}})}));
}

TEST(FsmEstablished, HeaderErrorSendsItsOwnNotification) {
  Fsm f = in_established();
  EXPECT_EQ(f.on_event(Event::error_event(E::BgpHeaderErr, notification(1, 3))),
            (Transition{State::Idle,
                        failure_tail({SendNotification{notification(1, 3)}, DeleteRoutes{}})}));
}

TEST(FsmEstablished, UnexpectedEventsAreFsmErrors) {
  for (const E e : {E::BgpOpen, E::BgpOpenWithDelayOpenTimerRunning, E::BgpOpenMsgErr}) {
    Fsm f = in_established();
    SCOPED_TRACE(to_string(e));
    EXPECT_EQ(f.on_event(Event::of(e)),
              (Transition{State::Idle,
                          failure_tail({SendNotification{notification(5, 3)}, DeleteRoutes{}})}));
  }
  for (const E e :
       {E::ConnectRetryTimerExpires, E::DelayOpenTimerExpires, E::IdleHoldTimerExpires}) {
    Fsm f = in_established();
    SCOPED_TRACE(to_string(e));
    EXPECT_EQ(f.on_event(Event::of(e)),
              (Transition{State::Idle,
                          failure_tail({SendNotification{notification(5, 0)}, DeleteRoutes{}})}));
  }
}

// ------------------------------------------------------------------ the table as a whole

// Every (state, event) cell is covered: each state's events split into the ones tested above.
// This guards the table against a new row or column that no test looks at.
TEST(FsmTable, EveryCellLeavesTheFsmInAKnownState) {
  const std::vector<Fsm> states = {in_idle(),      in_connect(),      in_active(),
                                   in_open_sent(), in_open_confirm(), in_established()};
  for (const Fsm& base : states) {
    for (std::size_t e = 1; e <= kEventCount; ++e) {
      Fsm f = base;
      const Transition t = f.on_event(Event::of(static_cast<E>(e)));
      EXPECT_EQ(f.state(), t.next);
      // Leaving a connected state always drops the connection.
      if (base.state() >= State::OpenSent && t.next == State::Idle) {
        EXPECT_NE(std::find(t.actions.begin(), t.actions.end(), Action{DropConnection{}}),
                  t.actions.end())
            << to_string(base.state()) << " + " << to_string(static_cast<E>(e));
      }
    }
  }
}

TEST(FsmTable, NamesFollowTheRfc) {
  EXPECT_EQ(to_string(E::ManualStart), "ManualStart");
  EXPECT_EQ(to_string(E::UpdateMsgErr), "UpdateMsgErr");
  EXPECT_EQ(to_string(State::OpenConfirm), "OpenConfirm");
  EXPECT_EQ(to_string(static_cast<E>(29)), "event 29");
}

}  // namespace
}  // namespace pinto::bgp
