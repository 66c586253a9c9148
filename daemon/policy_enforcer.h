// PolicyEnforcer: the whole resource state → policy model → rule program → the configured data
// plane (policy.dataplane), on a policy thread of its own so that BGP never waits for it.
//
// The routing thread calls submit() after every accepted change (apply, delete, resource files,
// SIGHUP, secrets) with a copy of the resources; the policy thread builds the model, compiles and
// applies. A program equal to the one in force is not handed to the back-end again.
//
//   routing thread ──submit(resources, revision)──▶ [one pending slot] ──▶ policy thread
//                                                                           build model
//                                                                           compile
//                                                                           Dataplane::apply
//   gRPC threads ──status()──▶ snapshot (mutex)      counters() ──post──▶   Dataplane::counters
//
// NOTE Threading: submit(), status() and counters() may be called from any thread; everything
// else (the compiler, the Dataplane, the retry timer) lives on the policy thread. submit() never
// waits for the compiler or the kernel: it swaps the pending slot under a mutex and posts a drain
// when none is queued. counters() waits for the policy thread (bounded), as the back-ends are
// single-owner objects.
// NOTE Coalescing: the slot holds only the newest state. While a long apply runs (10,000 iptables
// rules take ~2 s), any number of submits cost one more apply, of the last of them.
// NOTE Failures: a state whose model cannot be built, or that the back-end refuses, leaves the
// previous program in force (never opens up); the reason is in status().error until a later
// state applies. While an endpoint's interface is missing (the eBPF back-end attaches to
// interfaces), the program in force is applied again every `retry_interval` on the policy thread.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "config/resources/resource.h"
#include "policy/compiler/compiler.h"
#include "policy/dataplane.h"

namespace pinto::daemon {

/// What the policy thread has done, as the API shows it (`pintoctl policy`).
struct PolicyStatus {
  std::string dataplane;      // iptables | ebpf | ...
  std::string program_text;   // the program in force (policy/compiler/program_text.h); empty: none
  std::string error;          // why the last state handled did not reach the kernel; empty: it did
  std::int64_t revision = 0;  // store revision of the last state handled (applied or refused)
  bool pending = false;       // a newer state is waiting for, or being compiled and applied
  std::vector<std::string> pending_interfaces;  // named by the program, not there yet
};

class PolicyEnforcer {
 public:
  /// Starts the policy thread. `dataplane_name` is what status() reports; `compile_options`
  /// carry the settings the compiler needs (the failsafe host ports).
  PolicyEnforcer(std::unique_ptr<policy::Dataplane> dataplane, std::string dataplane_name,
                 std::string node_name,
                 std::chrono::milliseconds retry_interval = std::chrono::seconds(1),
                 policy::CompileOptions compile_options = {});
  /// Stops the policy thread after the apply in progress, if any; pending states are dropped.
  ~PolicyEnforcer();
  PolicyEnforcer(const PolicyEnforcer&) = delete;
  PolicyEnforcer& operator=(const PolicyEnforcer&) = delete;

  /// Hands the policy thread the whole resource state at store revision `revision`; replaces any
  /// state not picked up yet. Returns at once.
  void submit(std::vector<config::Resource> resources, std::int64_t revision);
  /// A consistent snapshot; never waits for an apply in progress.
  PolicyStatus status() const;
  /// Per-rule counters, read on the policy thread (so after the apply in progress); empty when the
  /// thread does not answer within `timeout`.
  std::vector<policy::RuleCounter> counters(
      std::chrono::milliseconds timeout = std::chrono::seconds(8));

 private:
  struct State {
    std::vector<config::Resource> resources;
    std::int64_t revision = 0;
  };

  // Policy thread only.
  void drain();
  void enforce(const State& state);
  void retry_while_pending();
  void publish();

  std::unique_ptr<policy::Dataplane> dataplane_;
  const std::string dataplane_name_;
  const std::string node_name_;
  const std::chrono::milliseconds retry_interval_;

  // Shared with every thread, under mutex_.
  mutable std::mutex mutex_;
  std::optional<State> next_;  // the newest state submitted and not picked up yet
  bool drain_queued_ = false;
  bool busy_ = false;  // the policy thread is working on a state it took from next_
  PolicyStatus status_;

  // Policy thread only.
  policy::Compiler compiler_;
  std::optional<policy::Program> applied_;
  std::string applied_text_;
  std::string last_error_;
  std::int64_t revision_ = 0;
  bool retry_armed_ = false;

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  boost::asio::steady_timer retry_;
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace pinto::daemon
