#include "daemon/policy_enforcer.h"

#include <pthread.h>

#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>
#include <future>

#include "common/log.h"
#include "policy/compiler/program_text.h"
#include "policy/model/policy_model.h"

namespace pinto::daemon {

namespace asio = boost::asio;

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

PolicyEnforcer::PolicyEnforcer(std::unique_ptr<policy::Dataplane> dataplane,
                               std::string dataplane_name, std::string node_name,
                               std::chrono::milliseconds retry_interval,
                               policy::CompileOptions compile_options)
    : dataplane_(std::move(dataplane)),
      dataplane_name_(std::move(dataplane_name)),
      node_name_(std::move(node_name)),
      retry_interval_(retry_interval),
      compiler_(std::move(compile_options)),
      work_(asio::make_work_guard(io_)),
      retry_(io_),
      thread_([this] { io_.run(); }) {
  status_.dataplane = dataplane_name_;
  ::pthread_setname_np(thread_.native_handle(), "pinto-policy");
}

PolicyEnforcer::~PolicyEnforcer() {
  // An apply in progress finishes (a half-run iptables-restore is worse than a late exit); what
  // is queued behind it is dropped.
  work_.reset();
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

void PolicyEnforcer::submit(std::vector<config::Resource> resources, std::int64_t revision) {
  bool post = false;
  {
    std::lock_guard lock(mutex_);
    next_ = State{std::move(resources), revision};
    status_.pending = true;
    post = !drain_queued_;
    drain_queued_ = true;
  }
  if (post) asio::post(io_, [this] { drain(); });
}

PolicyStatus PolicyEnforcer::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

std::vector<policy::RuleCounter> PolicyEnforcer::counters(std::chrono::milliseconds timeout) {
  auto result = asio::post(io_, asio::use_future([this] { return dataplane_->counters(); }));
  if (result.wait_for(timeout) != std::future_status::ready) return {};
  try {
    return result.get();
  } catch (const std::future_error&) {  // the thread stopped before it ran (shutdown)
    return {};
  }
}

void PolicyEnforcer::drain() {
  std::optional<State> state;
  {
    std::lock_guard lock(mutex_);
    drain_queued_ = false;  // a submit from now on queues another drain
    state.swap(next_);
  }
  if (!state) return;
  enforce(*state);
  publish();
  retry_while_pending();
}

void PolicyEnforcer::enforce(const State& state) {
  revision_ = state.revision;
  const auto start = Clock::now();
  auto model = policy::PolicyModel::build(state.resources, node_name_);
  if (!model) {
    last_error_ = model.error().message;
    log_error("policy: revision {}: {}", state.revision, last_error_);
    return;
  }
  policy::Program program = compiler_.compile(model.value());
  std::string text = policy::to_string(program);
  const double compile_ms = ms_since(start);
  if (text == applied_text_ && last_error_.empty()) return;  // nothing new for the kernel
  const auto apply_start = Clock::now();
  if (auto applied = dataplane_->apply(program); !applied) {
    // The previous program stays in force in the kernel: never open up on a failed update.
    last_error_ = applied.error().message;
    log_error("policy: revision {}: not applied: {}", state.revision, last_error_);
    return;
  }
  last_error_.clear();
  applied_text_ = std::move(text);
  log_info(
      "policy: revision {}: {} endpoints, {} sets applied (compile {:.0f} ms, apply {:.0f} ms)",
      state.revision, program.endpoints.size(), program.sets.size(), compile_ms,
      ms_since(apply_start));
  applied_ = std::move(program);
}

void PolicyEnforcer::publish() {
  std::vector<std::string> waiting = dataplane_->pending_interfaces();
  std::lock_guard lock(mutex_);
  status_.program_text = applied_text_;
  status_.error = last_error_;
  status_.revision = revision_;
  status_.pending = next_.has_value();
  status_.pending_interfaces = std::move(waiting);
}

void PolicyEnforcer::retry_while_pending() {
  if (retry_armed_ || !applied_ || dataplane_->pending_interfaces().empty()) return;
  retry_armed_ = true;
  retry_.expires_after(retry_interval_);
  retry_.async_wait([this](const boost::system::error_code& ec) {
    retry_armed_ = false;
    if (ec) return;
    // The program in force again: the back-end attaches what has appeared since.
    if (auto applied = dataplane_->apply(*applied_); !applied) {
      last_error_ = applied.error().message;
      log_error("policy: not applied: {}", last_error_);
    }
    publish();
    retry_while_pending();
  });
}

}  // namespace pinto::daemon
